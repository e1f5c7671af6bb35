/**
 * @module clock/suspension
 * Deadlines whose clock stops while the case is suspended.
 *
 * Model (a deliberately simple one; the applicable instrument may say otherwise):
 * - A suspension is the half-open interval [from, to) of instants. `to: null` means it is still
 *   open (no known end).
 * - Only suspension that overlaps the *running* period counts: suspension that ends before the
 *   clock starts, or starts at or after the (already extended) deadline, has no effect — a clock
 *   that has run out cannot be stopped. Overlapping suspensions are merged, never counted twice.
 * - hours: the clock stops while suspended; the deadline is pushed back by exactly the suspended
 *   elapsed time that overlaps the running period. A suspension in progress at `from` delays the
 *   start of the clock until it ends.
 * - days: each local calendar day (in `timeZone`) after the event day that the clock was suspended
 *   for any part of — whole or partial — is not counted, so the period gains one day for each.
 *   The event day itself is never counted anyway (Reg. 1182/71 Art. 3(1)). A suspension ending
 *   exactly at local midnight does not touch the following day. Only days up to the (extended)
 *   last day count; the day rule (Reg. 1182/71 Art. 3(4)) is applied afterwards, to the final
 *   last day, so suspension on days skipped by that rule has no effect.
 * - An open suspension that overlaps the running period makes the deadline indefinite: null.
 *
 * Adding suspensions never makes a deadline earlier.
 */
import { Temporal } from 'temporal-polyfill';
import { ClockError, show } from './errors.js';
import { applyDayRule, exclusiveEnd, inRange, localDate, parseInstant, resolve } from './internal.js';
import type { DueOptions, PeriodSpec } from './period.js';

/** A period during which the clock is stopped: [from, to), `to: null` while still open. */
export interface Suspension {
  /** ISO 8601 instant with offset or Z. */
  from: string;
  /** ISO 8601 instant with offset or Z, not before `from`; null while the suspension is open. */
  to: string | null;
}

interface Interval<T> {
  start: T;
  /** Inclusive for dates, exclusive for instants; null = open-ended. */
  end: T | null;
}

const NS_PER_HOUR = 3_600_000_000_000n;

function parseSuspensions(suspensions: unknown): Interval<Temporal.Instant>[] {
  if (!Array.isArray(suspensions)) {
    throw new ClockError('invalid-period', `invalid suspensions ${show(suspensions)}: expected an array`);
  }
  return suspensions.map((s: unknown, i) => {
    if (typeof s !== 'object' || s === null) {
      throw new ClockError('invalid-period', `invalid suspension [${i}] ${show(s)}: expected { from, to }`);
    }
    const { from, to } = s as { from?: unknown; to?: unknown };
    const start = parseInstant(from, `suspension [${i}] start`);
    const end = to === null ? null : parseInstant(to, `suspension [${i}] end`);
    if (end !== null && Temporal.Instant.compare(end, start) < 0) {
      throw new ClockError('invalid-period', `invalid suspension [${i}]: end ${show(to)} is before start ${show(from)}`);
    }
    return { start, end };
  });
}

/** Sort by start and merge overlapping or touching intervals; an open interval absorbs all later ones. */
function merge<T>(intervals: Interval<T>[], compare: (a: T, b: T) => number, touches: (end: T, start: T) => boolean): Interval<T>[] {
  const sorted = [...intervals].sort((a, b) => compare(a.start, b.start));
  const out: Interval<T>[] = [];
  for (const iv of sorted) {
    const last = out.at(-1);
    if (last !== undefined && (last.end === null || touches(last.end, iv.start))) {
      if (last.end !== null && (iv.end === null || compare(iv.end, last.end) > 0)) last.end = iv.end;
    } else {
      out.push({ ...iv });
    }
  }
  return out;
}

function hoursWithSuspensions(start: Temporal.Instant, amount: number, suspended: Interval<Temporal.Instant>[]): Temporal.Instant | null {
  const intervals = merge(
    suspended.map((iv) => ({ start: iv.start.epochNanoseconds, end: iv.end?.epochNanoseconds ?? null })),
    (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    (end, next) => next <= end,
  );
  let cursor = start.epochNanoseconds; // where the clock (re)starts running
  let remaining = BigInt(amount) * NS_PER_HOUR; // running time still owed
  for (const iv of intervals) {
    if (iv.end !== null && iv.end <= cursor) continue; // entirely before the clock runs
    if (iv.start >= cursor + remaining) break; // starts once the period has already expired
    if (iv.start > cursor) remaining -= iv.start - cursor;
    if (iv.end === null) return null;
    cursor = iv.end;
  }
  return Temporal.Instant.fromEpochNanoseconds(cursor + remaining);
}

function lastDayWithSuspensions(
  eventDay: Temporal.PlainDate,
  amount: number,
  timeZone: string,
  suspended: Interval<Temporal.Instant>[],
): Temporal.PlainDate | null {
  const firstCounted = eventDay.add({ days: 1 });
  const days: Interval<Temporal.PlainDate>[] = [];
  for (const iv of suspended) {
    if (iv.end !== null && Temporal.Instant.compare(iv.end, iv.start) === 0) continue; // touches no day
    const first = localDate(iv.start, timeZone);
    // Last local day touched by [start, end): the day of the last nanosecond before `end`.
    const last = iv.end === null ? null : localDate(iv.end.subtract({ nanoseconds: 1 }), timeZone);
    const start = Temporal.PlainDate.compare(first, firstCounted) < 0 ? firstCounted : first;
    if (last !== null && Temporal.PlainDate.compare(last, start) < 0) continue; // only the event day or earlier
    days.push({ start, end: last });
  }
  const ranges = merge(days, Temporal.PlainDate.compare, (end, next) => Temporal.PlainDate.compare(next, end) <= 0);
  let lastDay = eventDay.add({ days: amount });
  for (const r of ranges) {
    if (Temporal.PlainDate.compare(r.start, lastDay) > 0) break; // after the period ended
    if (r.end === null) return null;
    // Every day of the range is suspended; counting resumes after it.
    lastDay = lastDay.add({ days: r.start.until(r.end, { largestUnit: 'days' }).days + 1 });
  }
  return lastDay;
}

/**
 * Like {@link dueInstant}, but the clock is stopped during `suspensions` (see the module comment
 * for the exact model). Returns null when an open suspension (`to: null`) overlaps the running
 * period: the deadline is then indefinite. With no suspensions the result equals `dueInstant`.
 *
 * @throws {ClockError} as `dueInstant`; also `invalid-instant` for a bad suspension instant and
 *   `invalid-period` for a suspension ending before it starts.
 */
export function dueWithSuspensions(
  from: string,
  period: PeriodSpec,
  options: DueOptions,
  suspensions: readonly Suspension[],
): Temporal.ZonedDateTime | null {
  const input = resolve(from, period, options);
  const suspended = parseSuspensions(suspensions);
  return inRange(input, () => {
    if (input.unit === 'hours') {
      return hoursWithSuspensions(input.start, input.amount, suspended)?.toZonedDateTimeISO(input.timeZone) ?? null;
    }
    const last = lastDayWithSuspensions(localDate(input.start, input.timeZone), input.amount, input.timeZone, suspended);
    if (last === null) return null;
    return exclusiveEnd(applyDayRule(last, input.dayRule, input.holidays), input.timeZone);
  });
}
