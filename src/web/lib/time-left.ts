/**
 * Time left on a legal clock, for people: "in 3 days 4 h", "overdue by 2 h", and the due moment
 * in the reader's time zone. Pure (the current time is a parameter, the translation function is
 * passed in), unit-tested in time-left.test.ts.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A clock is "due soon" within this many hours (the dashboard's second list). */
export const DUE_SOON_HOURS = 72;

export interface TimeLeft {
  /** The due moment has passed (or is now). */
  overdue: boolean;
  /** Milliseconds until due; negative when overdue. */
  ms: number;
  /** The absolute span, floored to whole minutes, in days, hours and minutes. */
  days: number;
  hours: number;
  minutes: number;
}

export type Urgency = 'overdue' | 'due-soon' | 'later';

/** The i18n keys this module uses (all under `time.` in the resource files). */
export type TimeKey = 'time.day' | 'time.hour' | 'time.minute' | 'time.lessThanMinute' | 'time.in' | 'time.overdueBy';

/** A translation function: i18next's `t`, or anything with the same call shape. */
export type Translate = (key: TimeKey, options?: { count?: number; span?: string }) => string;

function toMs(value: string | number | Date): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
}

export function timeLeft(dueAt: string | number | Date, now: string | number | Date): TimeLeft {
  const due = toMs(dueAt);
  const at = toMs(now);
  if (Number.isNaN(due) || Number.isNaN(at)) throw new RangeError(`invalid date: ${String(dueAt)} / ${String(now)}`);
  const ms = due - at;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  return { overdue: ms <= 0, ms, days, hours, minutes };
}

export function urgency(left: TimeLeft, dueSoonHours = DUE_SOON_HOURS): Urgency {
  if (left.overdue) return 'overdue';
  return left.ms <= dueSoonHours * HOUR ? 'due-soon' : 'later';
}

/**
 * The span with its two largest units: "3 days 4 h", "4 h 12 min", "12 min", "less than a
 * minute". Keys: time.day (plural), time.hour, time.minute, time.lessThanMinute.
 */
export function formatSpan(left: Pick<TimeLeft, 'days' | 'hours' | 'minutes'>, t: Translate): string {
  const parts: string[] = [];
  if (left.days > 0) {
    parts.push(t('time.day', { count: left.days }));
    if (left.hours > 0) parts.push(t('time.hour', { count: left.hours }));
  } else if (left.hours > 0) {
    parts.push(t('time.hour', { count: left.hours }));
    if (left.minutes > 0) parts.push(t('time.minute', { count: left.minutes }));
  } else if (left.minutes > 0) {
    parts.push(t('time.minute', { count: left.minutes }));
  } else {
    return t('time.lessThanMinute');
  }
  return parts.join(' ');
}

/** "in 3 days 4 h" or "overdue by 2 h" (keys time.in and time.overdueBy, with {{span}}). */
export function formatTimeLeft(left: TimeLeft, t: Translate): string {
  const span = formatSpan(left, t);
  return left.overdue ? t('time.overdueBy', { span }) : t('time.in', { span });
}

/**
 * A moment as the reader reads dates: their locale, and their time zone unless one is given
 * (e.g. the time zone of the authority whose clock runs). Includes the zone's short name.
 */
export function formatDateTime(value: string | number | Date, locale: string, timeZone?: string): string {
  const format = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  });
  const zone = new Intl.DateTimeFormat(locale, { timeZoneName: 'short', ...(timeZone ? { timeZone } : {}) })
    .formatToParts(new Date(toMs(value)))
    .find((p) => p.type === 'timeZoneName')?.value;
  const text = format.format(new Date(toMs(value)));
  return zone ? `${text} ${zone}` : text;
}

/** The reader's time zone (IANA name), e.g. to say which zone the dates are shown in. */
export function readerTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}
