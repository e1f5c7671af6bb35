/**
 * Calendar dates as the legal engine writes them ("2026-12-31"): arithmetic in whole days (UTC,
 * so no daylight-saving surprises), today's date in the reader's time zone, and display in the
 * reader's language. Pure (no DOM), tested in dates.test.ts.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** True for a real calendar date written YYYY-MM-DD ("2026-02-30" is not). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function toUtc(iso: string): number {
  if (!isIsoDate(iso)) throw new Error(`not a date: ${iso}`);
  return Date.parse(`${iso}T00:00:00Z`);
}

/** `iso` plus `days` calendar days ("2026-12-31" + 1 → "2027-01-01"). */
export function addDays(iso: string, days: number): string {
  return new Date(toUtc(iso) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** Today's date in the given time zone (default: the reader's). */
export function todayIso(now: Date = new Date(), timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(timeZone ? { timeZone } : {}) }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** A calendar date in the reader's language ("31 December 2026", "31 décembre 2026"). */
export function formatIsoDate(iso: string, locale: string, style: 'long' | 'medium' = 'long'): string {
  if (!isIsoDate(iso)) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone: 'UTC' }).format(new Date(toUtc(iso)));
}
