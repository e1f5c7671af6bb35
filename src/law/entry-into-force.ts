/**
 * @module law/entry-into-force
 * Pure date arithmetic of the final clauses: when an instrument enters into force in general
 * (threshold of consents) and for a State that consents later. Dates are ISO `YYYY-MM-DD`
 * strings; comparison is lexicographic.
 */
import type { EntryIntoForceRule } from './model.js';

/** Adds whole months to a calendar date's month and returns the first day of that month. */
function firstDayOfMonthPlus(date: string, months: number): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1 + months;
  const y = year + Math.floor(month / 12);
  const m = (((month % 12) + 12) % 12) + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-01`;
}

/** The first day of the month `months` after (or, negative, before) the month of `date`. */
export function addMonthsFirstDay(date: string, months: number): string {
  return firstDayOfMonthPlus(date, months);
}

/** Adds days to a calendar date (proleptic Gregorian, UTC arithmetic: no time zone involved). */
export function addDays(date: string, days: number): string {
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return new Date(ms + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * "The first day of the month following the expiration of a period of N months after the date"
 * (Budapest Arts 36(3)-(4), 37(2)). The N-month period after any day of month M expires in month
 * M+N, so the following month is always M+N+1: consent on 18 March 2004 → 1 July 2004.
 *
 * @example firstDayOfMonthAfter('2004-03-18', 3) // '2004-07-01'
 */
export function firstDayOfMonthAfter(date: string, months: number): string {
  return firstDayOfMonthPlus(date, months + 1);
}

/** The date the instrument enters into force once the threshold is reached on `thresholdDate`. */
export function generalEntryIntoForce(rule: EntryIntoForceRule, thresholdDate: string): string | null {
  switch (rule.kind) {
    case 'first-day-of-month-after':
      return firstDayOfMonthAfter(thresholdDate, rule.months);
    case 'nth-day-after':
      // UNCC Art. 65(1): "the ninetieth day after the date of deposit of the fortieth instrument".
      return addDays(thresholdDate, rule.days);
    case 'eu-act':
      return rule.appliesFrom;
    case 'not-concluded':
    case 'between':
      return null;
  }
}

/** Entry into force for a State whose consent comes on `consentDate`, given the general date. */
export function entryIntoForceForConsent(rule: EntryIntoForceRule, consentDate: string, general: string | null): string | null {
  if (general === null) return null;
  let own: string;
  switch (rule.kind) {
    case 'first-day-of-month-after':
      own = firstDayOfMonthAfter(consentDate, rule.laterConsentMonths);
      break;
    case 'nth-day-after':
      own = addDays(consentDate, rule.laterConsentDays);
      break;
    case 'eu-act':
      return rule.appliesFrom;
    case 'not-concluded':
    case 'between':
      return null;
  }
  // A consent before the threshold is reached takes effect with the instrument itself.
  return own > general ? own : general;
}

export interface Consent {
  party: string;
  date: string | null;
  /** Council of Europe member (Budapest Art. 36(3) counts them). */
  coeMember: boolean;
  /** A regional economic integration organisation (UNCC Art. 65(1) does not count it). */
  regionalOrganisation: boolean;
}

export interface ThresholdResult {
  /** Date on which the threshold was reached, or null if not (yet) reached by dated consents. */
  reachedOn: string | null;
  /** Consents that count toward the threshold (dated and undated), in date order. */
  counted: Consent[];
}

/** Which consents count toward a rule's threshold, and when the threshold is reached. */
export function thresholdReached(rule: EntryIntoForceRule, consents: readonly Consent[]): ThresholdResult {
  if (rule.kind === 'eu-act' || rule.kind === 'not-concluded' || rule.kind === 'between') return { reachedOn: null, counted: [] };
  const counted = consents
    .filter((c) => !(rule.kind === 'nth-day-after' && rule.excludeRegionalOrganisations && c.regionalOrganisation))
    .sort((a, b) => (a.date ?? '9999') .localeCompare(b.date ?? '9999') || a.party.localeCompare(b.party));
  const minimumCoe = rule.kind === 'first-day-of-month-after' ? rule.minimumCoeMembers : 0;
  let total = 0;
  let coe = 0;
  for (const consent of counted) {
    if (consent.date === null) break;
    total += 1;
    if (consent.coeMember) coe += 1;
    if (total >= rule.threshold && coe >= minimumCoe) return { reachedOn: consent.date, counted };
  }
  return { reachedOn: null, counted };
}
