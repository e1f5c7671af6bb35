/**
 * @module law/status
 * Status of an instrument, and of a party under an instrument, at a date. Pure: the date is a
 * parameter. Built once per knowledge base into a {@link ParticipationIndex}.
 *
 * Undated rows (source confirms the event, not its date — `UNCONFIRMED` in the data) are never
 * "before any date": each is bounded below by what is known — the instrument's opening for
 * signature (UNCC Art. 64: nothing before 25 October 2025), the party's own signature, and for a
 * consent whose entry into force is recorded after the general one, the month the later-consent
 * rule gives back from it (Budapest Art. 36(4)/37(2)). Before that bound the event does not count;
 * from it on it counts and makes the answer `verified: false`.
 */
import {
  addMonthsFirstDay,
  entryIntoForceForConsent,
  generalEntryIntoForce,
  thresholdReached,
  type Consent,
} from './entry-into-force.js';
import type { KnowledgeBase } from './knowledge-base.js';
import {
  CONSENT_EVENTS,
  INSTRUMENT_IDS,
  type Citation,
  type Instrument,
  type InstrumentId,
  type ParticipationEvent,
  type ParticipationRow,
  type Reservation,
} from './model.js';
import { reservationApplies } from './reservations.js';

export type PartyStatusValue = 'in-force' | 'consented' | 'signed' | 'none';

export interface EventRecord {
  event: ParticipationEvent;
  date: string | null;
  /** For an undated event: the earliest date it can have happened ("date unknown, not before …"). */
  notBefore: string | null;
  /**
   * For an undated event: the date from which Comity counts it — the later of `notBefore` and the
   * date of the source that reports it (before that, no source confirms it).
   */
  countedFrom: string | null;
  /** Date of the source that reports an undated event, when known (`data/source-dates.json`). */
  reportedOn: string | null;
  source: string;
}

export interface PartyStatus {
  party: string;
  instrument: InstrumentId;
  status: PartyStatusValue;
  signature: EventRecord | null;
  consent: EventRecord | null;
  /** Date from which the instrument binds the party (in force or, for EU acts, applies). */
  entryIntoForce: string | null;
  /** True when `entryIntoForce` was computed from the consent date by the instrument's rule. */
  entryIntoForceDerived: boolean;
  /** False when the status rests on an undated (unconfirmed) row or an unverified rule. */
  verified: boolean;
  reservations: Reservation[];
  notes: string[];
}

export interface InstrumentStatus {
  instrument: InstrumentId;
  date: string;
  inForce: boolean;
  entryIntoForce: string | null;
  entryIntoForceDerived: boolean;
  /** Consents known by `date` (treaties), dated ones first; empty for EU acts. Undated ones only from their lower bound. */
  consents: { party: string; event: ParticipationEvent; date: string | null; notBefore: string | null; reportedOn: string | null; verified: boolean }[];
  /**
   * The one count of consents toward the threshold, used by the CLI, the API and the treaty
   * explorer alike: dated instruments on or before `date` (only they can reach the threshold).
   */
  counted: number;
  /** Consents the data report without a confirmed date: shown, not counted. */
  unconfirmed: number;
  threshold: number | null;
  citation: Citation;
  verified: boolean;
}

interface PartyEvents {
  signature: EventRecord | null;
  consent: EventRecord | null;
  entryIntoForce: EventRecord | null;
}

interface GeneralEntry {
  /** Known (data) or derived general entry-into-force date. */
  date: string | null;
  derived: boolean;
  /** Date the threshold was reached by dated consents. */
  reachedOn: string | null;
  consents: Consent[];
  verified: boolean;
}

function record(row: ParticipationRow): EventRecord {
  return { event: row.event, date: row.date, notBefore: null, countedFrom: null, reportedOn: null, source: row.sourceUrl };
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** Whether an event had happened by `date`: dated on or before it, or undated with its lower bound reached. */
export function happenedBy(e: EventRecord | null, date: string): boolean {
  if (e === null) return false;
  if (e.date !== null) return e.date <= date;
  return e.countedFrom === null || e.countedFrom <= date;
}

/** "date unknown, not before 2025-10-25; reported on 2026-04-10" — what a user reads for an undated event. */
export function undatedText(e: EventRecord): string {
  const bound = e.notBefore === null ? 'date unknown' : `date unknown, not before ${e.notBefore}`;
  return e.reportedOn === null ? bound : `${bound}; reported by a source dated ${e.reportedOn}`;
}

/** Precomputed participation facts; answers status questions at any date. */
export class ParticipationIndex {
  private readonly events = new Map<InstrumentId, Map<string, PartyEvents>>();
  private readonly general = new Map<InstrumentId, GeneralEntry>();

  constructor(private readonly kb: KnowledgeBase) {
    for (const id of INSTRUMENT_IDS) this.events.set(id, new Map());
    for (const row of kb.participation) {
      const byParty = this.events.get(row.instrument);
      if (!byParty) continue;
      const entry = byParty.get(row.iso2) ?? { signature: null, consent: null, entryIntoForce: null };
      if (row.event === 'signature') entry.signature = record(row);
      else if (row.event === 'entry_into_force') entry.entryIntoForce = record(row);
      else if (CONSENT_EVENTS.includes(row.event)) entry.consent = record(row);
      byParty.set(row.iso2, entry);
    }
    for (const instrument of kb.instruments.values()) this.boundUndated(instrument);
    for (const instrument of kb.instruments.values()) this.general.set(instrument.id, this.computeGeneral(instrument));
  }

  /** Sets the lower bound of every undated event of the instrument (see the module comment). */
  private boundUndated(instrument: Instrument): void {
    const rule = instrument.entryIntoForceRule;
    const opening = instrument.openedForSignature ?? instrument.adopted ?? null;
    const general = instrument.entryIntoForce?.date ?? null;
    const reported = (e: EventRecord): void => {
      e.reportedOn = this.kb.sourceDates.get(e.source) ?? null;
      e.countedFrom = later(e.notBefore, e.reportedOn);
    };
    for (const events of this.events.get(instrument.id)?.values() ?? []) {
      if (events.signature && events.signature.date === null) {
        events.signature.notBefore = opening;
        reported(events.signature);
      }
      if (events.consent && events.consent.date === null) {
        let bound = later(opening, events.signature?.date ?? null);
        const eif = events.entryIntoForce?.date ?? null;
        // Consent in month M takes effect on the first day of month M + months + 1 (Art. 36(4)).
        if (eif !== null && rule.kind === 'first-day-of-month-after' && general !== null && eif > general) {
          bound = later(bound, addMonthsFirstDay(eif, -(rule.laterConsentMonths + 1)));
        }
        events.consent.notBefore = bound;
        reported(events.consent);
      }
    }
  }

  private computeGeneral(instrument: Instrument): GeneralEntry {
    const rule = instrument.entryIntoForceRule;
    if (rule.kind === 'eu-act') return { date: rule.appliesFrom, derived: false, reachedOn: null, consents: [], verified: rule.citation.verified };
    if (rule.kind === 'not-concluded') return { date: null, derived: false, reachedOn: null, consents: [], verified: true };
    const consents: Consent[] = [];
    const coe = new Set(this.kb.memberships.CoE.members);
    for (const [party, events] of this.events.get(instrument.id) ?? []) {
      if (!events.consent) continue;
      // CETS 224 / ETS 189: only Parties to the Convention may consent.
      if (rule.kind === 'first-day-of-month-after' && rule.consentRequiresPartyTo && !this.isPartyTo(party, rule.consentRequiresPartyTo)) continue;
      consents.push({
        party,
        date: events.consent.date,
        coeMember: coe.has(party),
        regionalOrganisation: this.kb.parties.get(party)?.kind === 'regional-organisation',
      });
    }
    const { reachedOn, counted } = thresholdReached(rule, consents);
    if (instrument.entryIntoForce) {
      return { date: instrument.entryIntoForce.date, derived: false, reachedOn, consents: counted, verified: instrument.entryIntoForce.citation.verified };
    }
    const derivedDate = reachedOn === null ? null : generalEntryIntoForce(rule, reachedOn);
    return { date: derivedDate, derived: derivedDate !== null, reachedOn, consents: counted, verified: rule.citation.verified };
  }

  /** Status of an instrument on `date` (YYYY-MM-DD). */
  instrumentStatus(id: InstrumentId, date: string): InstrumentStatus {
    const instrument = this.instrument(id);
    const rule = instrument.entryIntoForceRule;
    const general = this.general.get(id) as GeneralEntry;
    const consents = general.consents
      .map((c) => ({ c, consent: this.events.get(id)?.get(c.party)?.consent as EventRecord }))
      .filter(({ consent }) => happenedBy(consent, date))
      .map(({ c, consent }) => ({ party: c.party, event: consent.event, date: c.date, notBefore: consent.notBefore, reportedOn: consent.reportedOn, verified: c.date !== null }));
    const counted = consents.filter((c) => c.date !== null).length;
    let entryIntoForce: string | null = null;
    if (rule.kind === 'eu-act') entryIntoForce = instrument.adopted !== undefined && instrument.adopted <= date ? rule.appliesFrom : null;
    else if (general.date !== null && ((general.reachedOn !== null && general.reachedOn <= date) || general.date <= date)) entryIntoForce = general.date;
    const inForce = entryIntoForce !== null && entryIntoForce <= date;
    const threshold = rule.kind === 'first-day-of-month-after' || rule.kind === 'nth-day-after' ? rule.threshold : null;
    const undated = consents.some((c) => !c.verified);
    return {
      instrument: id,
      date,
      inForce,
      entryIntoForce,
      entryIntoForceDerived: general.derived,
      consents,
      counted,
      unconfirmed: consents.length - counted,
      threshold,
      citation: rule.citation,
      verified: general.verified && !undated,
    };
  }

  /** Status of `party` under instrument `id` on `date`. */
  partyStatus(party: string, id: InstrumentId, date: string): PartyStatus {
    const instrument = this.instrument(id);
    const rule = instrument.entryIntoForceRule;
    const reservations = this.reservationsOf(party, id).filter((r) => reservationApplies(r, date));
    const base = { party, instrument: id, reservations, notes: [] as string[] };
    if (rule.kind === 'not-concluded') {
      return { ...base, status: 'none', signature: null, consent: null, entryIntoForce: null, entryIntoForceDerived: false, verified: true, notes: ['under negotiation'] };
    }
    if (rule.kind === 'eu-act') return this.euActStatus(instrument, party, date, base);
    if (rule.kind === 'between') {
      const onSide = rule.sides[0].includes(party) || rule.sides[1].includes(party);
      const since = instrument.entryIntoForce?.date ?? null;
      const status: PartyStatusValue = !onSide || date < rule.signed ? 'none' : since !== null && since <= date ? 'in-force' : 'signed';
      return { ...base, status, signature: null, consent: null, entryIntoForce: onSide ? since : null, entryIntoForceDerived: false, verified: rule.citation.verified && (instrument.entryIntoForce?.citation.verified ?? false) };
    }
    if (instrument.participationNotRecorded) {
      return { ...base, status: 'none', signature: null, consent: null, entryIntoForce: null, entryIntoForceDerived: false, verified: false, notes: ['participation not recorded in Comity’s data'] };
    }
    const events = this.events.get(id)?.get(party);
    const signature = events?.signature ?? null;
    const consent = events?.consent ?? null;
    const general = this.general.get(id) as GeneralEntry;
    const instrumentInForce = this.instrumentStatus(id, date).inForce;
    const happened = (e: EventRecord | null): boolean => happenedBy(e, date);
    let entryIntoForce: string | null = events?.entryIntoForce?.date ?? null;
    let derived = false;
    let verified = true;
    if (entryIntoForce === null && consent?.date) {
      entryIntoForce = entryIntoForceForConsent(rule, consent.date, general.date);
      derived = entryIntoForce !== null;
      // A derived date is only as certain as the rule that derives it: the later-consent rule,
      // or — when the consent takes effect with the instrument itself — the general date.
      if (derived) verified = entryIntoForce === general.date ? general.verified : rule.laterConsentCitation.verified;
    }
    const result = (status: PartyStatusValue, ok: boolean, notes: string[] = []): PartyStatus => ({
      ...base,
      status,
      signature,
      consent,
      entryIntoForce,
      entryIntoForceDerived: derived,
      verified: ok,
      notes,
    });
    const baseInstrument = rule.kind === 'first-day-of-month-after' ? rule.consentRequiresPartyTo : undefined;
    if (baseInstrument !== undefined && happened(consent) && !this.isPartyTo(party, baseInstrument)) {
      // CETS 224 / ETS 189: only a Party to the Convention may consent; such a consent is not counted.
      const note = `consent not effective: ${party} is not a Party to ${baseInstrument}`;
      return result(happened(signature) ? 'signed' : 'none', false, [note]);
    }
    if (happened(consent) || (events?.entryIntoForce?.date != null && events.entryIntoForce.date <= date)) {
      if (consent !== null && consent.date === null && entryIntoForce === null) {
        // Consent confirmed, date unknown, no entry-into-force row: in force if the instrument is.
        const note = `consent: ${undatedText(consent)}`;
        return result(instrumentInForce ? 'in-force' : 'consented', false, [note]);
      }
      const undatedConsent = consent !== null && consent.date === null;
      if (entryIntoForce !== null && entryIntoForce <= date && instrumentInForce) return result('in-force', verified && !undatedConsent);
      // Consented; the instrument (or the party's own three-month period) is not yet in force.
      return result('consented', verified && !undatedConsent);
    }
    if (happened(signature)) return result('signed', signature?.date !== null);
    return result('none', true);
  }

  private euActStatus(instrument: Instrument, party: string, date: string, base: Pick<PartyStatus, 'party' | 'instrument' | 'reservations' | 'notes'>): PartyStatus {
    const rule = instrument.entryIntoForceRule;
    const appliesFrom = rule.kind === 'eu-act' ? rule.appliesFrom : null;
    const bound = instrument.scope?.boundMemberStates.includes(party) ?? false;
    const adopted = instrument.adopted === undefined || instrument.adopted <= date;
    const notBound = instrument.scope?.notBound.find((n) => n.party === party);
    const notes = notBound ? [notBound.reason] : [];
    const status: PartyStatusValue = !bound || !adopted ? 'none' : appliesFrom !== null && appliesFrom <= date ? 'in-force' : 'consented';
    return {
      ...base,
      status,
      signature: null,
      consent: null,
      entryIntoForce: bound ? appliesFrom : null,
      entryIntoForceDerived: false,
      // Not being an EU member State is certain; being bound rests on the act's cited scope.
      verified: notBound ? notBound.citation.verified : bound ? rule.citation.verified : true,
      notes,
    };
  }

  /** True if the party has consented to (or is recorded in force under) the instrument. */
  private isPartyTo(party: string, id: InstrumentId): boolean {
    const events = this.events.get(id)?.get(party);
    return events?.consent != null || events?.entryIntoForce != null;
  }

  private reservationCache = new Map<string, Reservation[]>();

  /** Every reservation and declaration of a party under an instrument, whatever its period. */
  reservationsOf(party: string, id: InstrumentId): Reservation[] {
    const key = `${party}|${id}`;
    let list = this.reservationCache.get(key);
    if (!list) {
      list = this.kb.reservations.filter((r) => r.party === party && r.instrument === id);
      this.reservationCache.set(key, list);
    }
    return list;
  }

  /** Every party id of the knowledge base, sorted. */
  parties(): string[] {
    return [...this.kb.parties.keys()].sort();
  }

  instrument(id: InstrumentId): Instrument {
    const instrument = this.kb.instruments.get(id);
    if (!instrument) throw new Error(`instrument ${id} missing from the knowledge base`);
    return instrument;
  }
}
