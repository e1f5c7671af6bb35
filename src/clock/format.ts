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

const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar date (YYYY-MM-DD, ISO/proleptic Gregorian) of the instant `epochMs` in the IANA
 * zone `timeZone` — what `Temporal.Instant…toZonedDateTimeISO(zone).toPlainDate()` gives, for
 * years 1–9999, from one cached `Intl.DateTimeFormat` per zone (the same ICU zone data Temporal
 * reads), about ten times cheaper than going through Temporal on hot paths such as sending a
 * request. An unknown zone throws a RangeError, as Intl does.
 */
export function calendarDateIn(epochMs: number, timeZone: string): string {
  let format = DATE_FORMATS.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, calendar: 'gregory', numberingSystem: 'latn', year: 'numeric', month: '2-digit', day: '2-digit', era: 'short' });
    DATE_FORMATS.set(timeZone, format);
  }
  let year = '';
  let month = '';
  let day = '';
  for (const part of format.formatToParts(epochMs)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
    else if (part.type === 'era' && part.value !== 'AD') throw new RangeError(`calendarDateIn: year before 1 (${part.value})`);
  }
  if (year.length > 4) throw new RangeError(`calendarDateIn: year ${year} after 9999`);
  return `${year.padStart(4, '0')}-${month}-${day}`;
}
