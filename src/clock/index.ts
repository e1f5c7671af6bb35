/**
 * @module clock
 * Pure deadline arithmetic for the legal engine: periods in hours (exact elapsed time) or days
 * (Regulation (EEC, Euratom) No 1182/71 Art. 3, counted in local days of an IANA time zone),
 * optional next-working-day extension, and suspension of the clock. No I/O and no system clock:
 * every instant is a parameter. Bad input throws {@link ClockError}.
 */
export { ClockError } from './errors.js';
export type { ClockErrorCode } from './errors.js';
export { dueInstant } from './period.js';
export type { DayPeriodRule, DueOptions, PeriodSpec } from './period.js';
export { dueWithSuspensions } from './suspension.js';
export type { Suspension } from './suspension.js';
export { calendarDateIn, formatInstant, lastDay } from './format.js';
