/**
 * @module law/bases
 * The legal-basis finder: which instruments and articles let a requesting party ask a requested
 * party (or a service provider in its territory) for a measure on a date — ranked, each with its
 * citation, channel, deadlines, required contents, safeguards, refusal grounds and dual-criminality
 * rule — and why every other instrument does not apply. Pure: time is a parameter.
 */
import type { KnowledgeBase, Reciprocity } from './knowledge-base.js';
import type {
  AddresseeKind,
  Channel,
  Citation,
  ContentElement,
  Deadline,
  Instrument,
  InstrumentId,
  Measure,
  Offence,
  Provision,
  RefusalGround,
  Reservation,
  Safeguard,
} from './model.js';
import { reservationPeriod } from './reservations.js';
import { ParticipationIndex, type PartyStatus } from './status.js';

export interface BasesQuery {
  from: string;
  to: string;
  measure: Measure;
  /** YYYY-MM-DD. */
  date: string;
  emergency: boolean;
  offence?: string;
  /**
   * Where the service provider's designated establishment or legal representative is (Directive
   * (EU) 2023/1544). Reg. 2023/1543 is addressed there, wherever the provider is established
   * (`to`): a French order to a US provider's representative in Ireland is an EU order.
   */
  providerRep?: string;
}

/** A reservation or declaration that changed this answer, cited with its period. */
export interface AppliedReservation {
  id: string;
  party: string;
  kind: Reservation['kind'];
  text: string;
  /** "since 2012-10-01", "2013-12-01 – 2019-07-05 (withdrawn)", "date unknown, not before …". */
  period: string;
  /** What it changed: a refusal ground it adds, a limit it sets, a provision it excludes. */
  effect: 'adds-refusal-ground' | 'limits' | 'excludes' | 'to-check';
  citation: Citation;
}

export interface ConditionResult {
  text: string;
  /** `met`: satisfied on the facts given; `to-check`: the practitioner must confirm it. */
  state: 'met' | 'to-check';
  citation: Citation;
  /** Issue 16: an urgent step to take now (an emergency rule), not a condition to check. */
  action?: true;
}

export interface ApplicableBasis {
  rank: number;
  provision: string;
  instrument: InstrumentId;
  article: string;
  title: string;
  channel: Channel;
  /** Kinds of addressee this basis's channel reaches (issue 16: a mismatch is refused before sending). */
  addressees: AddresseeKind[];
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
  /** Reservations and declarations of the requested party that changed this basis (cited). */
  reservations: AppliedReservation[];
}

export interface NotApplicable {
  instrument: InstrumentId;
  article?: string;
  reason: string;
  /** The reservation that excludes it, when that is the reason. */
  reservation?: AppliedReservation;
}

export interface BasesResult {
  query: BasesQuery;
  applicable: ApplicableBasis[];
  /** No request is needed (Budapest Art. 32: publicly available data, or lawful and voluntary consent), with the conditions. */
  noRequestNeeded: ApplicableBasis[];
  notApplicable: NotApplicable[];
  /** When no instrument applies: a letter rogatory on the basis of reciprocity (comity), no obligation to execute. */
  fallback: Reciprocity | null;
}

/** Shared empty list: most answers cite no reservation (never mutated: additions copy it). */
const NO_RESERVATIONS: AppliedReservation[] = [];

function applied(r: Reservation, effect: AppliedReservation['effect']): AppliedReservation {
  return { id: r.id, party: r.party, kind: r.kind, text: r.text, period: reservationPeriod(r), effect, citation: r.citation };
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
  private readonly addressees = new Map<Channel, AddresseeKind[]>();
  private readonly mlaInstruments: Instrument[];

  constructor(private readonly kb: KnowledgeBase) {
    this.index = new ParticipationIndex(kb);
    for (const info of kb.channels) this.addressees.set(info.channel, info.addressees);
    this.mlaInstruments = [...kb.instruments.values()].filter((i) => i.mlaTreaty);
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
      this.offenceInstruments.set(offence.id, new Set(offence.generic ? [] : offence.provisions.map((p) => p.instrument)));
      this.offenceLists.set(offence.id, new Set(offence.lists.map((l) => l.list)));
    }
  }

  private useDate(date: string): void {
    if (date === this.cacheDate) return;
    this.cacheDate = date;
    this.statusCache = new Map();
    this.reasonCache = new Map();
    this.instrumentCache = new Map();
    this.treatyCache = new Map();
    this.entryCache = new Map();
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
    } else if (rule.kind === 'between') {
      if (!status.inForce) reason = `${id}: not in force on ${this.cacheDate}${instrument.entryIntoForce ? `; in force from ${instrument.entryIntoForce.date}` : ''}`;
    } else if (!status.inForce) {
      const pending = status.entryIntoForce ? `; enters into force on ${status.entryIntoForce}` : '';
      const unconfirmed = status.unconfirmed > 0 ? ` (${status.unconfirmed} more reported without a confirmed date, not counted)` : '';
      reason = `${id}: not in force on ${this.cacheDate}, ${status.counted} of ${status.threshold} consents${unconfirmed}${pending}`;
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
    if (instrument.participationNotRecorded) {
      return `${id}: who is bound is not recorded in Comity's data; check the treaty office (${instrument.officialUrl})`;
    }
    if (instrument.entryIntoForceRule.kind === 'between') return `${id}: ${status.party} is not a party to this treaty`;
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
    // In an emergency the 24/7 routes (Budapest Art. 35) rank with the emergency-specific
    // provisions, ahead of ordinary ones (issue 16; ranking.json emergencyChannelOrder).
    const emergencySpecific =
      provision.channel === '24/7-network' || provision.conditions.some((c) => c.kind === 'emergency-only') || provision.deadlines.some((d) => d.emergency === 'only');
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
        notApplicable.push(this.reasonEntry(id, instrumentReason));
        continue;
      }
      if (query.from === query.to) {
        notApplicable.push({ instrument: id, reason: `${id}: requesting and requested party are the same (${query.from}); domestic law governs` });
        continue;
      }
      // Reg. 2023/1543 is addressed to the provider's representative: that State must be bound (Arts 1, 7).
      const viaRep = query.providerRep !== undefined && instrument.kind === 'eu-regulation';
      if (viaRep && query.providerRep === query.from) {
        notApplicable.push({ instrument: id, reason: `${id}: the provider's legal representative is in the issuing State (${query.from}): a domestic order under its own law` });
        continue;
      }
      const requesting = this.status(query.from, id);
      const requested = this.status(viaRep ? (query.providerRep as string) : query.to, id);
      const partyReason = this.partyReason(id, requesting) ?? (viaRep && requested.status !== 'in-force' ? this.repReason(id, requested) : this.partyReason(id, requested));
      if (partyReason !== null) {
        notApplicable.push(this.reasonEntry(id, partyReason));
        continue;
      }
      const replaced = instrument.replacedBetweenPartiesBoundBy;
      if (replaced && this.status(query.from, replaced.instrument).status === 'in-force' && this.status(query.to, replaced.instrument).status === 'in-force') {
        notApplicable.push({ instrument: id, reason: `${id}: replaced between ${query.from} and ${query.to} by ${replaced.instrument} (Art. ${replaced.citation.article}(${replaced.citation.paragraph ?? ''}))`.replace('()', '') });
        continue;
      }
      const rule = instrument.entryIntoForceRule;
      if (rule.kind === 'between' && rule.sides.some((side) => side.includes(query.from) && side.includes(query.to))) {
        notApplicable.push({ instrument: id, reason: `${id}: ${query.from} and ${query.to} are on the same side of the agreement` });
        continue;
      }
      const provisions = this.byInstrumentMeasure.get(`${id}|${query.measure}`);
      if (!provisions) {
        notApplicable.push({ instrument: id, reason: `${id}: no provision for ${query.measure}` });
        continue;
      }
      for (const provision of provisions) {
        const outcome = this.evaluate(provision, query, requested, offence);
        if ('reason' in outcome) {
          notApplicable.push({ instrument: id, article: provision.article, reason: outcome.reason, ...(outcome.reservation ? { reservation: outcome.reservation } : {}) });
          continue;
        }
        applicable.push({ ...this.present(provision, query, requesting, requested, outcome, offence), key: this.rankKey(provision, query.emergency) });
      }
    }
    applicable.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.provision.localeCompare(b.provision));
    // Most answers have no Art. 32 entry: split only when there is one (the full matrix is a hot loop).
    const split = applicable.some((b) => b.channel === 'no-request');
    const requests = split ? applicable.filter((b) => b.channel !== 'no-request') : applicable;
    const unilateral = split ? applicable.filter((b) => b.channel === 'no-request') : [];
    return {
      query,
      applicable: requests.map(({ key: _key, ...basis }, i) => ({ ...basis, rank: i + 1 })),
      noRequestNeeded: unilateral.map(({ key: _key, ...basis }) => ({ ...basis, rank: 0 })),
      notApplicable,
      fallback: requests.length === 0 ? this.kb.reciprocity : null,
    };
  }

  private treatyCache = new Map<string, InstrumentId[]>();
  private entryCache = new Map<string, NotApplicable>();

  /** One shared, never-mutated entry per reason and date: the full matrix repeats them millions of times. */
  private reasonEntry(instrument: InstrumentId, reason: string): NotApplicable {
    let entry = this.entryCache.get(reason);
    if (!entry) {
      entry = { instrument, reason };
      this.entryCache.set(reason, entry);
    }
    return entry;
  }

  /**
   * The general mutual assistance treaties in force between two parties on the current date
   * (Budapest Art. 27(1)): bound on both sides, on opposite sides of a two-sided agreement, and
   * not replaced between them (Dir. 2014/41 Art. 34(1)).
   */
  mlaTreaties(from: string, to: string): InstrumentId[] {
    const key = `${from}|${to}`;
    let found = this.treatyCache.get(key);
    if (found) return found;
    found = [];
    for (const instrument of this.mlaInstruments) {
      if (this.instrumentReason(instrument.id) !== null) continue;
      if (this.status(from, instrument.id).status !== 'in-force' || this.status(to, instrument.id).status !== 'in-force') continue;
      const rule = instrument.entryIntoForceRule;
      if (rule.kind === 'between' && rule.sides.some((side) => side.includes(from) && side.includes(to))) continue;
      const replaced = instrument.replacedBetweenPartiesBoundBy;
      if (replaced && this.status(from, replaced.instrument).status === 'in-force' && this.status(to, replaced.instrument).status === 'in-force') continue;
      found.push(instrument.id);
    }
    this.treatyCache.set(key, found);
    return found;
  }

  private repReason(id: InstrumentId, rep: PartyStatus): string {
    const base = this.partyReason(id, rep) ?? '';
    return `${id}: the provider's legal representative or designated establishment is in ${rep.party}, not a member State bound by it${base.includes('—') ? ` (${base.slice(base.indexOf('—') + 2)})` : ''}`;
  }

  /** Checks a provision's conditions: a reason when it does not apply, else the conditions to show and the reservations that changed them. */
  private evaluate(
    provision: Provision,
    query: BasesQuery,
    requested: PartyStatus,
    offence: Offence | undefined,
  ): { reason: string; reservation?: AppliedReservation } | { shown: ConditionResult[]; reservations: AppliedReservation[] } {
    const label = `${provision.instrument} Art. ${provision.article}`;
    const shown: ConditionResult[] = [];
    let reservations: AppliedReservation[] = NO_RESERVATIONS;
    for (const condition of provision.conditions) {
      switch (condition.kind) {
        case 'emergency-only':
          if (!query.emergency) return { reason: `${label}: only in an emergency` };
          shown.push({ text: 'Only in an emergency: the request must show the facts demonstrating it.', state: 'met', citation: condition.citation });
          break;
        case 'emergency-note':
          // Issue 16: in an emergency this is something to do now (e.g. Art. 25(3) urgent transmission), shown as an action.
          if (query.emergency) shown.push({ text: condition.text, state: 'to-check', citation: condition.citation, action: true });
          break;
        case 'reservation-excludes': {
          const applies = condition.measures.length === 0 || condition.measures.includes(query.measure);
          const reservation = requested.reservations.find((r) => r.id === condition.reservation);
          if (applies && reservation) {
            const cited = applied(reservation, 'excludes');
            return { reason: `${label}: ${requested.party} reserved the right not to apply it (${condition.reservation}, ${cited.period})`, reservation: cited };
          }
          break;
        }
        case 'reservation-limits': {
          const applies = condition.measures.length === 0 || condition.measures.includes(query.measure);
          const reservation = requested.reservations.find((r) => r.id === condition.reservation);
          if (applies && reservation) {
            const cited = applied(reservation, 'limits');
            reservations = [...reservations, cited];
            shown.push({ text: `${requested.party}'s ${reservation.kind} (${cited.period}): ${reservation.text}`, state: 'to-check', citation: reservation.citation });
          }
          break;
        }
        case 'offence-in-catalogue': {
          const inCatalogue = offence !== undefined && (this.offenceInstruments.get(offence.id)?.has(condition.catalogue) ?? false);
          if (!inCatalogue) {
            const given = offence === undefined ? 'no offence given' : `${offence.id} is not one of them`;
            return { reason: `${label}: only for offences established under ${condition.catalogue} (${given})` };
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
          if (condition.onlyAbsentTreaty && this.mlaTreaties(query.from, query.to).length > 0) break;
          shown.push({ text: condition.text, state: 'to-check', citation: condition.citation });
          break;
        case 'mla-treaty': {
          const treaties = this.mlaTreaties(query.from, query.to);
          shown.push(
            treaties.length > 0
              ? { text: `A mutual assistance treaty is in force between ${query.from} and ${query.to} (${treaties.join(', ')}): its procedure, channel and grounds govern; Arts 27-28 do not apply.`, state: 'met', citation: condition.citation }
              : { text: `No mutual assistance treaty between ${query.from} and ${query.to} is recorded: Arts 27-28 govern (central authorities, grounds, confidentiality and limitation on use). Check for a bilateral treaty.`, state: 'to-check', citation: condition.citation },
          );
          break;
        }
      }
    }
    // Reservations whose content is not known (no article): every provision of the instrument is to be checked against them.
    for (const reservation of requested.reservations) {
      if (!reservation.id.includes('-unspecified-')) continue;
      const cited = applied(reservation, 'to-check');
      reservations = [...reservations, cited];
      shown.push({ text: `${requested.party}: ${reservation.text}`, state: 'to-check', citation: reservation.citation });
    }
    return { shown, reservations };
  }

  private present(
    provision: Provision,
    query: BasesQuery,
    requesting: PartyStatus,
    requested: PartyStatus,
    outcome: { shown: ConditionResult[]; reservations: AppliedReservation[] },
    offence: Offence | undefined,
  ): ApplicableBasis {
    const conditions = outcome.shown;
    let reservations = outcome.reservations;
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
    const offenceInstruments = offence === undefined ? undefined : this.offenceInstruments.get(offence.id);
    // Grounds that depend on a reservation of the requested Party, on the offence or on the measure are filtered.
    const conditional = (g: RefusalGround): boolean =>
      g.requiresReservation !== undefined || g.notForOffencesUnder !== undefined || g.notForMeasures !== undefined || g.onlyAbsentTreaty === true;
    let refusalGrounds = provision.refusalGrounds;
    if (provision.refusalGrounds.some(conditional)) {
      refusalGrounds = [];
      for (const g of provision.refusalGrounds) {
        if (g.notForMeasures?.includes(query.measure)) continue;
        if (g.onlyAbsentTreaty && this.mlaTreaties(query.from, query.to).length > 0) continue;
        if (g.notForOffencesUnder !== undefined && (offenceInstruments?.has(g.notForOffencesUnder) ?? false)) continue;
        if (g.requiresReservation !== undefined) {
          const reservation = requested.reservations.find((r) => r.id === g.requiresReservation);
          if (!reservation) continue;
          const cited = applied(reservation, 'adds-refusal-ground');
          reservations = [...reservations, cited];
          refusalGrounds.push({ ...g, text: `${g.text} ${requested.party} made this reservation (${cited.period}).` });
          continue;
        }
        refusalGrounds.push(g);
      }
    }
    const exception = provision.dualCriminality.exceptions?.find((e) => e.measures.includes(query.measure));
    let dualCriminality: ApplicableBasis['dualCriminality'] = exception
      ? { rule: exception.rule, text: exception.text, citation: exception.citation }
      : provision.dualCriminality;
    const listed = provision.dualCriminality.listedCatalogue;
    if (exception === undefined && listed !== undefined && offence !== undefined && (this.offenceLists.get(offence.id)?.has(listed) ?? false)) {
      dualCriminality = {
        ...provision.dualCriminality,
        note: `${offence.id} is listed in ${listed}: dual criminality cannot be invoked if the offence is punishable in the issuing State by a maximum of at least three years.`,
      };
    }
    const unverifiedElements =
      isVerified(deadlines) + isVerified(provision.requiredContents) + isVerified(provision.safeguards) + isVerified(refusalGrounds) + isVerified(conditions) + (dualCriminality.citation.verified ? 0 : 1);
    return {
      rank: 0,
      provision: provision.id,
      instrument: provision.instrument,
      article: provision.article,
      title: provision.title,
      channel: provision.channel,
      addressees: this.addressees.get(provision.channel) ?? [],
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
      reservations,
    };
  }
}
