/**
 * @module law/bases
 * The legal-basis finder: which instruments and articles let a requesting party ask a requested
 * party (or a service provider in its territory) for a measure on a date — ranked, each with its
 * citation, channel, deadlines, required contents, safeguards, refusal grounds and dual-criminality
 * rule — and why every other instrument does not apply. Pure: time is a parameter.
 */
import type { KnowledgeBase } from './knowledge-base.js';
import type {
  Channel,
  Citation,
  ContentElement,
  Deadline,
  InstrumentId,
  Measure,
  Offence,
  Provision,
  RefusalGround,
  Safeguard,
} from './model.js';
import { ParticipationIndex, type PartyStatus } from './status.js';

export interface BasesQuery {
  from: string;
  to: string;
  measure: Measure;
  /** YYYY-MM-DD. */
  date: string;
  emergency: boolean;
  offence?: string;
}

export interface ConditionResult {
  text: string;
  /** `met`: satisfied on the facts given; `to-check`: the practitioner must confirm it. */
  state: 'met' | 'to-check';
  citation: Citation;
}

export interface ApplicableBasis {
  rank: number;
  provision: string;
  instrument: InstrumentId;
  article: string;
  title: string;
  channel: Channel;
  summary: string;
  /** Basis citation and both parties' status verified against sources. */
  verified: boolean;
  /** Number of elements below whose own citation is not verified. */
  unverifiedElements: number;
  citation: Citation;
  requesting: { party: string; status: string; entryIntoForce: string | null; verified: boolean };
  requested: { party: string; status: string; entryIntoForce: string | null; verified: boolean };
  conditions: ConditionResult[];
  deadlines: Deadline[];
  requiredContents: ContentElement[];
  safeguards: Safeguard[];
  refusalGrounds: RefusalGround[];
  dualCriminality: Provision['dualCriminality'] & { note?: string };
}

export interface NotApplicable {
  instrument: InstrumentId;
  article?: string;
  reason: string;
}

export interface BasesResult {
  query: BasesQuery;
  applicable: ApplicableBasis[];
  notApplicable: NotApplicable[];
}

const LABEL: Record<PartyStatus['status'], string> = {
  'in-force': 'is bound',
  consented: 'has consented',
  signed: 'signed but has not ratified',
  none: 'is not a party',
};

function isVerified(items: readonly { citation: Citation }[]): number {
  let unverified = 0;
  for (const item of items) if (!item.citation.verified) unverified += 1;
  return unverified;
}

/**
 * A finder bound to one knowledge base. Statuses are memoised per date, so answering the whole
 * matrix of parties for one date costs one status computation per (party, instrument).
 *
 * @example
 * const finder = new BasesFinder(loadKnowledgeBase());
 * finder.find({ from: 'FR', to: 'US', measure: 'preservation', date: '2026-12-01', emergency: false });
 */
export class BasesFinder {
  readonly index: ParticipationIndex;
  private readonly byInstrumentMeasure = new Map<string, Provision[]>();
  private readonly instrumentOrder: Map<InstrumentId, number>;
  private readonly channelOrder: Map<Channel, number>;
  private readonly emergencyChannelOrder: Map<Channel, number>;
  private readonly offenceInstruments = new Map<string, Set<string>>();
  private readonly offenceLists = new Map<string, Set<string>>();
  private cacheDate = '';
  private statusCache = new Map<InstrumentId, Map<string, PartyStatus>>();
  private reasonCache = new Map<PartyStatus, string | null>();
  private instrumentCache = new Map<InstrumentId, string | null>();
  private deadlineCache = new Map<string, Deadline[]>();

  constructor(private readonly kb: KnowledgeBase) {
    this.index = new ParticipationIndex(kb);
    for (const provision of kb.provisions) {
      for (const measure of provision.measures) {
        const key = `${provision.instrument}|${measure}`;
        const list = this.byInstrumentMeasure.get(key) ?? [];
        list.push(provision);
        this.byInstrumentMeasure.set(key, list);
      }
    }
    this.instrumentOrder = new Map(kb.ranking.instrumentOrder.map((entry, i) => [entry.instrument, i]));
    this.channelOrder = new Map(kb.ranking.channelOrder.map((entry, i) => [entry.channel, i]));
    this.emergencyChannelOrder = new Map(kb.ranking.emergencyChannelOrder.map((entry, i) => [entry.channel, i]));
    for (const offence of kb.offences.values()) {
      this.offenceInstruments.set(offence.id, new Set(offence.provisions.map((p) => p.instrument)));
      this.offenceLists.set(offence.id, new Set(offence.lists.map((l) => l.list)));
    }
  }

  private useDate(date: string): void {
    if (date === this.cacheDate) return;
    this.cacheDate = date;
    this.statusCache = new Map();
    this.reasonCache = new Map();
    this.instrumentCache = new Map();
  }

  /** Party status memoised for the current date. */
  status(party: string, instrument: InstrumentId): PartyStatus {
    let byParty = this.statusCache.get(instrument);
    if (!byParty) {
      byParty = new Map();
      this.statusCache.set(instrument, byParty);
    }
    let status = byParty.get(party);
    if (!status) {
      status = this.index.partyStatus(party, instrument, this.cacheDate);
      byParty.set(party, status);
    }
    return status;
  }

  /** Why the instrument as a whole is not in force on the current date, or null if it is. */
  private instrumentReason(id: InstrumentId): string | null {
    if (this.instrumentCache.has(id)) return this.instrumentCache.get(id) ?? null;
    const instrument = this.index.instrument(id);
    const rule = instrument.entryIntoForceRule;
    const status = this.index.instrumentStatus(id, this.cacheDate);
    let reason: string | null = null;
    if (rule.kind === 'not-concluded') reason = `${id}: under negotiation; not a legal basis until concluded and in force`;
    else if (rule.kind === 'eu-act') {
      if (!status.inForce) reason = `${id}: applies from ${rule.appliesFrom}`;
    } else if (!status.inForce) {
      const undated = status.consents.filter((c) => !c.verified).length;
      const pending = status.entryIntoForce ? `; enters into force on ${status.entryIntoForce}` : '';
      const unconfirmed = undated > 0 ? ` (${undated} unconfirmed)` : '';
      reason = `${id}: not in force on ${this.cacheDate}, ${status.consents.length} of ${status.threshold} consents${unconfirmed}${pending}`;
    }
    this.instrumentCache.set(id, reason);
    return reason;
  }

  private partyReason(id: InstrumentId, status: PartyStatus): string | null {
    if (status.status === 'in-force') return null;
    let reason = this.reasonCache.get(status);
    if (reason === undefined) {
      reason = this.describeParty(id, status);
      this.reasonCache.set(status, reason);
    }
    return reason;
  }

  private describeParty(id: InstrumentId, status: PartyStatus): string {
    const instrument = this.index.instrument(id);
    if (instrument.entryIntoForceRule.kind === 'eu-act') {
      if (status.notes.length > 0) return `${id}: ${status.party} does not take part — ${status.notes[0]}`;
      if (status.status === 'consented') return `${id}: applies to ${status.party} from ${status.entryIntoForce}`;
      return `${id}: ${status.party} is not a member State bound by it`;
    }
    if (status.status === 'consented') {
      const when = status.consent?.date ? ` on ${status.consent.date}` : '';
      const from = status.entryIntoForce ? `; in force for it from ${status.entryIntoForce}` : '';
      return `${id}: ${status.party} consented${when}${from}`;
    }
    return `${id}: ${status.party} ${LABEL[status.status]}`;
  }

  private rankKey(provision: Provision, emergency: boolean): [number, number, number] {
    const order = emergency ? this.emergencyChannelOrder : this.channelOrder;
    const emergencySpecific =
      provision.conditions.some((c) => c.kind === 'emergency-only') || provision.deadlines.some((d) => d.emergency === 'only');
    return [
      emergency && emergencySpecific ? 0 : 1,
      this.instrumentOrder.get(provision.instrument) ?? 99,
      order.get(provision.channel) ?? 99,
    ];
  }

  /** Answers one query. Inputs must already be validated (see `validateBasesQuery`). */
  find(query: BasesQuery): BasesResult {
    this.useDate(query.date);
    const applicable: (ApplicableBasis & { key: [number, number, number] })[] = [];
    const notApplicable: NotApplicable[] = [];
    const offence = query.offence === undefined ? undefined : this.kb.offences.get(query.offence);
    for (const instrument of this.kb.instruments.values()) {
      const id = instrument.id;
      const instrumentReason = this.instrumentReason(id);
      if (instrumentReason !== null) {
        notApplicable.push({ instrument: id, reason: instrumentReason });
        continue;
      }
      if (query.from === query.to) {
        notApplicable.push({ instrument: id, reason: `${id}: requesting and requested party are the same (${query.from}); domestic law governs` });
        continue;
      }
      const requesting = this.status(query.from, id);
      const requested = this.status(query.to, id);
      const partyReason = this.partyReason(id, requesting) ?? this.partyReason(id, requested);
      if (partyReason !== null) {
        notApplicable.push({ instrument: id, reason: partyReason });
        continue;
      }
      const provisions = this.byInstrumentMeasure.get(`${id}|${query.measure}`);
      if (!provisions) {
        notApplicable.push({ instrument: id, reason: `${id}: no provision for ${query.measure}` });
        continue;
      }
      for (const provision of provisions) {
        const outcome = this.evaluate(provision, query, requested, offence);
        if (typeof outcome === 'string') {
          notApplicable.push({ instrument: id, article: provision.article, reason: outcome });
          continue;
        }
        applicable.push({ ...this.present(provision, query, requesting, requested, outcome, offence), key: this.rankKey(provision, query.emergency) });
      }
    }
    applicable.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.provision.localeCompare(b.provision));
    return {
      query,
      applicable: applicable.map(({ key: _key, ...basis }, i) => ({ ...basis, rank: i + 1 })),
      notApplicable,
    };
  }

  /** Checks a provision's conditions: a reason string when it does not apply, else the conditions to show. */
  private evaluate(provision: Provision, query: BasesQuery, requested: PartyStatus, offence: Offence | undefined): string | ConditionResult[] {
    const label = `${provision.instrument} Art. ${provision.article}`;
    const shown: ConditionResult[] = [];
    for (const condition of provision.conditions) {
      switch (condition.kind) {
        case 'emergency-only':
          if (!query.emergency) return `${label}: only in an emergency`;
          shown.push({ text: 'Only in an emergency: the request must show the facts demonstrating it.', state: 'met', citation: condition.citation });
          break;
        case 'reservation-excludes': {
          const applies = condition.measures.length === 0 || condition.measures.includes(query.measure);
          const reservation = requested.reservations.find((r) => r.id === condition.reservation);
          if (applies && reservation) return `${label}: ${requested.party} reserved the right not to apply it (${condition.reservation})`;
          break;
        }
        case 'offence-in-catalogue': {
          const inCatalogue = offence !== undefined && (this.offenceInstruments.get(offence.id)?.has(condition.catalogue) ?? false);
          if (!inCatalogue) {
            const given = offence === undefined ? 'no offence given' : `${offence.id} is not one of them`;
            return `${label}: only for offences established under ${condition.catalogue} (${given})`;
          }
          shown.push({ text: `The offence (${offence.id}) is established under ${condition.catalogue}.`, state: 'met', citation: condition.citation });
          break;
        }
        case 'offence-threshold': {
          if (!condition.measures.includes(query.measure)) break;
          const listed = offence !== undefined && (this.offenceLists.get(offence.id)?.has(condition.listedCatalogue) ?? false);
          shown.push(
            listed
              ? { text: `The offence (${offence.id}) is on the list ${condition.listedCatalogue}: no penalty threshold.`, state: 'met', citation: condition.citation }
              : {
                  text: `Only if the offence is punishable in the issuing State by a custodial sentence of a maximum of at least ${condition.minimumMaxPenaltyYears} years, or is listed in ${condition.listedCatalogue}.`,
                  state: 'to-check',
                  citation: condition.citation,
                },
          );
          break;
        }
        case 'note':
          shown.push({ text: condition.text, state: 'to-check', citation: condition.citation });
          break;
      }
    }
    return shown;
  }

  private present(
    provision: Provision,
    query: BasesQuery,
    requesting: PartyStatus,
    requested: PartyStatus,
    conditions: ConditionResult[],
    offence: Offence | undefined,
  ): ApplicableBasis {
    const deadlineKey = `${provision.id}|${query.measure}|${query.emergency}`;
    let deadlines = this.deadlineCache.get(deadlineKey);
    if (!deadlines) {
      deadlines = provision.deadlines.filter(
        (d) =>
          (d.emergency === 'both' || (d.emergency === 'only') === query.emergency) &&
          (d.measures.length === 0 || d.measures.includes(query.measure)),
      );
      this.deadlineCache.set(deadlineKey, deadlines);
    }
    const reservationIds = new Set(requested.reservations.map((r) => r.id));
    const offenceInstruments = offence === undefined ? undefined : this.offenceInstruments.get(offence.id);
    // Grounds that depend on a reservation of the requested Party or on the offence are filtered.
    const conditional = (g: RefusalGround): boolean => g.requiresReservation !== undefined || g.notForOffencesUnder !== undefined;
    const refusalGrounds = !provision.refusalGrounds.some(conditional)
      ? provision.refusalGrounds
      : provision.refusalGrounds.filter(
          (g) =>
            (g.requiresReservation === undefined || reservationIds.has(g.requiresReservation)) &&
            (g.notForOffencesUnder === undefined || !(offenceInstruments?.has(g.notForOffencesUnder) ?? false)),
        );
    let dualCriminality: ApplicableBasis['dualCriminality'] = provision.dualCriminality;
    const listed = provision.dualCriminality.listedCatalogue;
    if (listed !== undefined && offence !== undefined && (this.offenceLists.get(offence.id)?.has(listed) ?? false)) {
      dualCriminality = {
        ...provision.dualCriminality,
        note: `${offence.id} is listed in ${listed}: dual criminality cannot be invoked if the offence is punishable in the issuing State by a maximum of at least three years.`,
      };
    }
    const unverifiedElements =
      isVerified(deadlines) + isVerified(provision.requiredContents) + isVerified(provision.safeguards) + isVerified(refusalGrounds) + isVerified(conditions) + (provision.dualCriminality.citation.verified ? 0 : 1);
    return {
      rank: 0,
      provision: provision.id,
      instrument: provision.instrument,
      article: provision.article,
      title: provision.title,
      channel: provision.channel,
      summary: provision.summary,
      verified: provision.citation.verified && requesting.verified && requested.verified,
      unverifiedElements,
      citation: provision.citation,
      requesting: { party: requesting.party, status: requesting.status, entryIntoForce: requesting.entryIntoForce, verified: requesting.verified },
      requested: { party: requested.party, status: requested.status, entryIntoForce: requested.entryIntoForce, verified: requested.verified },
      conditions,
      deadlines,
      requiredContents: provision.requiredContents,
      safeguards: provision.safeguards,
      refusalGrounds,
      dualCriminality,
    };
  }
}
