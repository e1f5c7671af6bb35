/**
 * @module clock/internal
 * Validation and day-arithmetic helpers shared by `period.ts` and `suspension.ts`.
 * Not part of the public surface (not re-exported from `index.ts`).
 */
import { Temporal } from 'temporal-polyfill';
import { ClockError, show } from './errors.js';
import type { DayPeriodRule, DueOptions, PeriodSpec } from './period.js';

const DAY_RULES: readonly DayPeriodRule[] = ['end-of-last-day', 'end-of-last-day-next-working-day'];

/** Inputs after validation. */
export interface Resolved {
  readonly start: Temporal.Instant;
  readonly unit: PeriodSpec['unit'];
  readonly amount: number;
  /** Canonical IANA identifier as returned by Temporal (e.g. `europe/paris` → `Europe/Paris`). */
  readonly timeZone: string;
  readonly dayRule: DayPeriodRule;
  readonly holidays: ReadonlySet<string>;
}

/** Ends with `Z` or a numeric UTC offset, optionally followed by bracketed annotations. */
const HAS_OFFSET = /(?:[zZ]|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d{1,9})?)?)?)(?:\[[^\]]*\])*$/;
const TIME_PART = /[Tt ]\d{2}/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}

/**
 * Parse an ISO 8601 / RFC 9557 instant string that carries `Z` or a UTC offset.
 * A bracketed time-zone annotation, if present, is ignored: the offset alone fixes the instant.
 */
export function parseInstant(value: unknown, what = 'instant'): Temporal.Instant {
  if (typeof value !== 'string') {
    throw new ClockError('invalid-instant', `invalid ${what} ${show(value)}: expected an ISO 8601 string`);
  }
  if (!TIME_PART.test(value) || !HAS_OFFSET.test(value)) {
    throw new ClockError(
      'invalid-instant',
      `invalid ${what} ${show(value)}: expected an ISO 8601 date-time with a UTC offset or Z (e.g. 2026-12-01T09:00:00+01:00)`,
    );
  }
  try {
    return Temporal.Instant.from(value);
  } catch (cause) {
    const detail = cause instanceof Error ? oneLine(cause.message) : 'unparseable';
    throw new ClockError('invalid-instant', `invalid ${what} ${show(value)}: ${detail}`, { cause });
  }
}

/**
 * Validate an IANA time-zone identifier and return its canonical spelling.
 * Fixed-offset identifiers (`+01:00`) are rejected on purpose: legal days follow a jurisdiction's
 * civil time, which changes with daylight saving; a fixed offset is almost always a mistake.
 */
export function resolveTimeZone(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ClockError('invalid-time-zone', `invalid time zone ${show(value)}: expected an IANA identifier such as "Europe/Paris"`);
  }
  if (/^[+\-\u2212]/.test(value)) {
    throw new ClockError(
      'invalid-time-zone',
      `invalid time zone ${show(value)}: a fixed UTC offset is not an IANA time zone (use e.g. "Europe/Paris")`,
    );
  }
  try {
    // The constructor accepts only identifiers (unlike toZonedDateTimeISO, which also parses ISO strings).
    return new Temporal.ZonedDateTime(0n, value).timeZoneId;
  } catch (cause) {
    throw new ClockError('invalid-time-zone', `unknown IANA time zone ${show(value)}`, { cause });
  }
}

function resolvePeriod(period: unknown): Pick<Resolved, 'unit' | 'amount'> {
  if (typeof period !== 'object' || period === null) {
    throw new ClockError('invalid-period', `invalid period ${show(period)}: expected { amount, unit }`);
  }
  const { amount, unit } = period as { amount?: unknown; unit?: unknown };
  if (unit !== 'hours' && unit !== 'days') {
    throw new ClockError('invalid-period', `invalid period unit ${show(unit)}: expected "hours" or "days"`);
  }
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    throw new ClockError('invalid-period', `invalid period amount ${show(amount)}: expected a positive integer`);
  }
  return { unit, amount };
}

function resolveHolidays(holidays: unknown): ReadonlySet<string> {
  if (holidays === undefined) return new Set();
  if (
    typeof holidays !== 'object' ||
    holidays === null ||
    typeof (holidays as { has?: unknown }).has !== 'function' ||
    typeof (holidays as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new ClockError('invalid-period', `invalid holidays ${show(holidays)}: expected a Set of YYYY-MM-DD dates`);
  }
  // A malformed entry would silently never match and make a deadline too early: reject it.
  for (const day of holidays as Iterable<unknown>) {
    let ok = typeof day === 'string' && LOCAL_DATE.test(day);
    if (ok) {
      try {
        Temporal.PlainDate.from(day as string, { overflow: 'reject' });
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      throw new ClockError('invalid-period', `invalid holiday ${show(day)}: expected a YYYY-MM-DD local date`);
    }
  }
  return holidays as ReadonlySet<string>;
}

/** Validate all inputs of a deadline computation; throws {@link ClockError}. */
export function resolve(from: unknown, period: unknown, options: unknown): Resolved {
  const start = parseInstant(from);
  const { unit, amount } = resolvePeriod(period);
  if (typeof options !== 'object' || options === null) {
    throw new ClockError('invalid-time-zone', `invalid options ${show(options)}: expected { timeZone, dayRule }`);
  }
  const { timeZone, dayRule, holidays } = options as Partial<Record<keyof DueOptions, unknown>>;
  const zone = resolveTimeZone(timeZone);
  if (!DAY_RULES.includes(dayRule as DayPeriodRule)) {
    throw new ClockError('invalid-period', `invalid day rule ${show(dayRule)}: expected ${DAY_RULES.map((r) => `"${r}"`).join(' or ')}`);
  }
  return { start, unit, amount, timeZone: zone, dayRule: dayRule as DayPeriodRule, holidays: resolveHolidays(holidays) };
}

/**
 * Run Temporal arithmetic, turning its RangeError (result beyond Temporal's supported range,
 * about ±273,790 years around 1970) into a ClockError.
 */
export function inRange<T>(input: Resolved, compute: () => T): T {
  try {
    return compute();
  } catch (cause) {
    if (cause instanceof RangeError) {
      throw new ClockError(
        'invalid-period',
        `invalid period amount ${input.amount}: ${input.amount} ${input.unit} from ${input.start.toString()} is outside the supported date range`,
        { cause },
      );
    }
    throw cause;
  }
}

/** The local calendar date (in `timeZone`) on which `instant` falls. */
export function localDate(instant: Temporal.Instant, timeZone: string): Temporal.PlainDate {
  return instant.toZonedDateTimeISO(timeZone).toPlainDate();
}

/** Reg. 1182/71 Art. 2(2): working days are all days other than public holidays, Sundays and Saturdays. */
export function isWorkingDay(day: Temporal.PlainDate, holidays: ReadonlySet<string>): boolean {
  return day.dayOfWeek <= 5 && !holidays.has(day.toString());
}

/**
 * Apply the day rule to the last day of a day period.
 * `end-of-last-day-next-working-day` models Reg. 1182/71 Art. 3(4): a last day that is a Saturday,
 * Sunday or public holiday is replaced by the following working day. The loop terminates because
 * `holidays` is finite.
 */
export function applyDayRule(
  lastDay: Temporal.PlainDate,
  dayRule: DayPeriodRule,
  holidays: ReadonlySet<string>,
): Temporal.PlainDate {
  if (dayRule === 'end-of-last-day') return lastDay;
  let day = lastDay;
  while (!isWorkingDay(day, holidays)) day = day.add({ days: 1 });
  return day;
}

/**
 * The exclusive end of a day period whose last day is `lastDay`: the first instant of the next
 * local day. `startOfDay()` matters for zones where a day does not begin at 00:00 (e.g.
 * America/Santiago on its spring-forward day starts at 01:00).
 */
export function exclusiveEnd(lastDay: Temporal.PlainDate, timeZone: string): Temporal.ZonedDateTime {
  return lastDay.add({ days: 1 }).toZonedDateTime({ timeZone }).startOfDay();
}
