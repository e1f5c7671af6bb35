/**
 * @module law/status
 * Status of an instrument, and of a party under an instrument, at a date. Pure: the date is a
 * parameter. Built once per knowledge base into a {@link ParticipationIndex}.
 *
 * Undated rows (source confirms the event, not its date — `UNCONFIRMED` in the data) are treated
 * as having happened before any date asked about, and make the answer `verified: false`.
 */
import {
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

export type PartyStatusValue = 'in-force' | 'consented' | 'signed' | 'none';

export interface EventRecord {
  event: ParticipationEvent;
  date: string | null;
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
  /** Consents counted toward the threshold by `date` (treaties); empty for EU acts. */
  consents: { party: string; event: ParticipationEvent; date: string | null; verified: boolean }[];
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
  return { event: row.event, date: row.date, source: row.sourceUrl };
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
    for (const instrument of kb.instruments.values()) this.general.set(instrument.id, this.computeGeneral(instrument));
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
      .filter((c) => c.date === null || c.date <= date)
      .map((c) => {
        const consent = this.events.get(id)?.get(c.party)?.consent as EventRecord;
        return { party: c.party, event: consent.event, date: c.date, verified: c.date !== null };
      });
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
      threshold,
      citation: rule.citation,
      verified: general.verified && !undated,
    };
  }

  /** Status of `party` under instrument `id` on `date`. */
  partyStatus(party: string, id: InstrumentId, date: string): PartyStatus {
    const instrument = this.instrument(id);
    const rule = instrument.entryIntoForceRule;
    const reservations = this.kb.reservations.filter((r) => r.party === party && r.instrument === id && (r.date === undefined || r.date <= date));
    const base = { party, instrument: id, reservations, notes: [] as string[] };
    if (rule.kind === 'not-concluded') {
      return { ...base, status: 'none', signature: null, consent: null, entryIntoForce: null, entryIntoForceDerived: false, verified: true, notes: ['under negotiation'] };
    }
    if (rule.kind === 'eu-act') return this.euActStatus(instrument, party, date, base);
    const events = this.events.get(id)?.get(party);
    const signature = events?.signature ?? null;
    const consent = events?.consent ?? null;
    const general = this.general.get(id) as GeneralEntry;
    const instrumentInForce = this.instrumentStatus(id, date).inForce;
    const happened = (e: EventRecord | null): boolean => e !== null && (e.date === null || e.date <= date);
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
        const note = 'date of consent not confirmed by the participation data';
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
