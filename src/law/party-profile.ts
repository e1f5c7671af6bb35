/**
 * @module law/party-profile
 * A party's profile on a date: its status under every instrument, and every reservation and
 * declaration it made with its period ("since 2012-10-01", "2013-12-01 – 2019-07-05
 * (withdrawn)", "date unknown, not before …") and whether it applies on that date. One function
 * for the CLI (`comity law party`) and the API (`GET /api/law/parties/:party`).
 */
import type { KnowledgeBase } from './knowledge-base.js';
import { INSTRUMENT_IDS, type Citation, type InstrumentId, type Reservation } from './model.js';
import { reservationApplies, reservationPeriod } from './reservations.js';
import { undatedText, type ParticipationIndex, type PartyStatus } from './status.js';

export interface ReservationView {
  id: string;
  kind: Reservation['kind'];
  text: string;
  from: string | null;
  until: string | null;
  notBefore: string | null;
  period: string;
  /** Applies on the profile's date. */
  applies: boolean;
  citation: Citation;
}

export interface InstrumentProfile extends Omit<PartyStatus, 'reservations'> {
  instrument: InstrumentId;
  /** "ratification 2006-01-10", "ratification date unknown, not before 2001-11-23", "signed …", or null. */
  participation: string | null;
  reservations: ReservationView[];
}

export interface PartyProfile {
  party: string;
  name: string;
  date: string;
  memberOf: ('CoE' | 'EU')[];
  instruments: InstrumentProfile[];
}

export function reservationView(r: Reservation, date: string): ReservationView {
  return {
    id: r.id,
    kind: r.kind,
    text: r.text,
    from: r.from ?? null,
    until: r.until ?? null,
    notBefore: r.notBefore ?? null,
    period: reservationPeriod(r),
    applies: reservationApplies(r, date),
    citation: r.citation,
  };
}

function participationText(s: PartyStatus): string | null {
  const e = s.consent ?? s.signature;
  if (e === null) return null;
  const what = s.consent ? e.event : 'signed';
  return e.date !== null ? `${what} ${e.date}` : `${what}: ${undatedText(e)}`;
}

export function partyProfile(kb: KnowledgeBase, index: ParticipationIndex, party: string, date: string): PartyProfile {
  return {
    party,
    name: kb.parties.get(party)?.name ?? party,
    date,
    memberOf: (['CoE', 'EU'] as const).filter((org) => kb.memberships[org].members.includes(party)),
    instruments: INSTRUMENT_IDS.map((id) => {
      const { reservations: _applying, ...status } = index.partyStatus(party, id, date);
      return { ...status, instrument: id, participation: participationText({ ...status, reservations: [] }), reservations: index.reservationsOf(party, id).map((r) => reservationView(r, date)) };
    }),
  };
}
