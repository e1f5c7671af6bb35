/**
 * @module clock/format
 * Rendering of computed deadlines.
 */
import type { Temporal } from 'temporal-polyfill';
import { ClockError, show } from './errors.js';
import type { PeriodSpec } from './period.js';

/**
 * ISO 8601 with the UTC offset and no bracketed zone, e.g. `2026-12-12T00:00:00+01:00`.
 * Seconds are always shown; fractional seconds only when non-zero (trailing zeros trimmed).
 * The offset is printed exactly as Temporal reports it, so historical sub-minute offsets
 * (`+00:09:21`) are kept and the string always round-trips to the same instant.
 */
export function formatInstant(z: Temporal.ZonedDateTime): string {
  const local = z.withCalendar('iso8601').toPlainDateTime();
  return `${local.toString({ calendarName: 'never' })}${z.offset}`;
}

/**
 * The last day of a period, as a local YYYY-MM-DD date in the zone of `due`.
 * For day periods this is the local date of the last instant before the exclusive end `due`
 * (normally the day before `due`; after a next-working-day extension, that working day).
 * Hours periods have no "last day": returns null.
 */
export function lastDay(due: Temporal.ZonedDateTime, unit: PeriodSpec['unit']): string | null {
  if (unit === 'hours') return null;
  if (unit !== 'days') {
    throw new ClockError('invalid-period', `invalid period unit ${show(unit)}: expected "hours" or "days"`);
  }
  return due.subtract({ nanoseconds: 1 }).toPlainDate().toString();
}
