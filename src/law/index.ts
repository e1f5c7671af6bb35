/**
 * @module law
 * The legal knowledge base and engine: instruments, provisions, offences, participation;
 * entry into force, status at a date, the legal-basis finder and legal clocks. Pure functions
 * over a loaded {@link KnowledgeBase}; time is always a parameter.
 */
export { loadKnowledgeBase } from './knowledge-base.js';
export type { KnowledgeBase, LoadOptions } from './knowledge-base.js';
export { BasesFinder } from './bases.js';
export { cite } from './cite.js';
export type { ApplicableBasis, BasesQuery, BasesResult, ConditionResult, NotApplicable } from './bases.js';
export { ParticipationIndex } from './status.js';
export type { InstrumentStatus, PartyStatus, PartyStatusValue } from './status.js';
export { computeDeadlines } from './deadlines.js';
export type { ComputedDeadline, DeadlinesQuery, DeadlinesResult } from './deadlines.js';
export { cooperationMatrix } from './matrix.js';
export type { MatrixResult } from './matrix.js';
export { firstDayOfMonthAfter, addDays } from './entry-into-force.js';
export { DataError } from './participation.js';
export { LawInputError, parseDate, parseInstrument, parseMeasure, parseOffence, parseParty } from './input.js';
export type { LawInputErrorCode } from './input.js';
export * from './model.js';
export { partyProfile, reservationView } from './party-profile.js';
export type { InstrumentProfile, PartyProfile, ReservationView } from './party-profile.js';
export { reservationApplies, reservationPeriod } from './reservations.js';
export { happenedBy, undatedText } from './status.js';
export type { AppliedReservation } from './bases.js';
export type { ChannelInfo, Reciprocity } from './knowledge-base.js';
export { AUTHORITY_KINDS, ORDER_DATA_CATEGORIES, ORDER_KINDS, kindsOfAuthority, mayIssue, mayValidate } from './issuing-authorities.js';
export type { AuthorityKind, CompetenceAnswer, IssuingAnswer, IssuingQuery, OrderDataCategory, OrderKind } from './issuing-authorities.js';
