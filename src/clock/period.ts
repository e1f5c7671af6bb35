/**
 * @module clock/period
 * Deadline arithmetic for periods expressed in hours or days. Pure: the starting instant is
 * always a parameter; nothing here reads the system clock or does I/O.
 *
 * Legal model: Regulation (EEC, Euratom) No 1182/71 of the Council of 3 June 1971 determining
 * the rules applicable to periods, dates and time limits (OJ L 124, 8.6.1971, p. 1;
 * ELI http://data.europa.eu/eli/reg/1971/1182/oj), Article 3.
 *
 * - Days (Art. 3(1) second subparagraph, Art. 3(2)(b)): the day during which the event occurs is
 *   not counted; the period starts at the beginning of the first hour of the next day and ends
 *   with the expiry of the last hour of the last day. "Day" means a local calendar day in
 *   `options.timeZone`. Saturdays, Sundays and public holidays are counted (Art. 3(3)).
 * - Day rule `end-of-last-day-next-working-day` (Art. 3(4)): where the last day of a period
 *   expressed otherwise than in hours is a public holiday, Sunday or Saturday, the period ends
 *   with the expiry of the last hour of the following working day.
 * - Hours: modelled as exact elapsed time, `from` + N × 3600 s. NOTE: this deliberately differs
 *   from a literal reading of Art. 3(1) first subparagraph and Art. 3(2)(a), under which the hour
 *   during which the event occurs is not counted and the period ends with the expiry of the last
 *   hour (i.e. on a full hour). The exact model never ends later than the literal one, so it is
 *   the cautious choice for whoever must act within the period. Hours periods are never extended
 *   by the day rule (Art. 3(4) applies only to periods "expressed otherwise than in hours").
 *
 * Not modelled: Art. 3(5) (a period of two days or more includes at least two working days);
 * weeks, months and years (Art. 3(2)(c)). Which days are public holidays (Art. 2(1): those of the
 * Member State or institution where an action is to be taken) is the caller's input.
 *
 * Results are exclusive ends: the first instant at which the period has expired.
 */
import type { Temporal } from 'temporal-polyfill';
import { applyDayRule, exclusiveEnd, inRange, localDate, resolve } from './internal.js';

/**
 * How the end of a day period is determined.
 * - `end-of-last-day`: Reg. 1182/71 Art. 3(2)(b) only.
 * - `end-of-last-day-next-working-day`: additionally Art. 3(4) (weekend/holiday → next working day).
 */
export type DayPeriodRule = 'end-of-last-day' | 'end-of-last-day-next-working-day';

/** A period length. `amount` must be a positive (safe) integer. */
export interface PeriodSpec {
  amount: number;
  unit: 'hours' | 'days';
}

export interface DueOptions {
  /** IANA time zone whose local calendar days are counted (and in which the result is expressed). */
  timeZone: string;
  dayRule: DayPeriodRule;
  /** Public holidays as YYYY-MM-DD local dates in `timeZone`; only used by the next-working-day rule. */
  holidays?: ReadonlySet<string>;
}

/**
 * The exclusive end of `period` counted from the instant `from`, expressed in `options.timeZone`.
 *
 * - hours: `from` + N hours of elapsed time. Across a daylight-saving change the wall-clock
 *   difference is N ± 1 hours, the elapsed time is exactly N hours.
 * - days: the local date of `from` in `timeZone` is day 0 (not counted); the last day is day N;
 *   the result is the start of day N + 1 (via `startOfDay()`, since some days do not begin at
 *   00:00). With `end-of-last-day-next-working-day`, a last day on a Saturday, Sunday or a date in
 *   `holidays` is moved to the following working day first.
 *
 * Example: from `2026-12-01T09:00:00+01:00`, 10 days, Europe/Paris → last day 11 December,
 * result `2026-12-12T00:00:00+01:00[Europe/Paris]`.
 *
 * @param from ISO 8601 instant with `Z` or a UTC offset (a bracketed zone annotation is ignored).
 * @throws {ClockError} `invalid-instant` (no offset, impossible date), `invalid-time-zone` (unknown
 *   IANA zone, fixed offset), `invalid-period` (amount not a positive integer, unknown unit or day
 *   rule, malformed holiday, result outside Temporal's range).
 */
export function dueInstant(from: string, period: PeriodSpec, options: DueOptions): Temporal.ZonedDateTime {
  const input = resolve(from, period, options);
  return inRange(input, () => {
    if (input.unit === 'hours') {
      return input.start.add({ hours: input.amount }).toZonedDateTimeISO(input.timeZone);
    }
    const eventDay = localDate(input.start, input.timeZone);
    const lastDay = applyDayRule(eventDay.add({ days: input.amount }), input.dayRule, input.holidays);
    return exclusiveEnd(lastDay, input.timeZone);
  });
}
