/**
 * The UN Convention against Cybercrime on the way to entry into force, at a chosen date:
 *
 * - progress toward the threshold of Art. 65(1) (forty instruments; the European Union's is not
 *   counted in addition to its member States' — the server leaves it out of `consents`). Only
 *   dated instruments count; an instrument the data confirm without a date is "unconfirmed": shown,
 *   never counted (the legal engine does the same, src/law/entry-into-force.ts).
 * - the projected entry into force: the ninetieth day after the date of the fortieth instrument,
 *   or none while fewer than forty are counted;
 * - the days left in the signature window (Art. 64: open until 31 December 2026).
 *
 * Pure (no DOM), tested in uncc.test.ts. Works for any "n-th day after the threshold" rule.
 */
import { addDays, daysBetween } from './dates';
import type { CountedConsent } from './participation';

export interface ThresholdProgress {
  threshold: number;
  /** Dated instruments deposited on or before the date, in date order (the ones that count). */
  counted: CountedConsent[];
  /** Instruments the data confirm without a date: marked, not counted. */
  unconfirmed: CountedConsent[];
  /** Instruments still needed (0 once reached). */
  remaining: number;
  /** Share of the threshold reached by counted instruments, 0–100 (capped). */
  percent: number;
  /** Date of the instrument that reached the threshold, or null. */
  reachedOn: string | null;
  /** `reachedOn` + the rule's days: the projected (or actual) entry into force, or null. */
  projectedEntryIntoForce: string | null;
  /** True once the projected date is on or before the chosen date. */
  inForce: boolean;
}

export function thresholdProgress(consents: readonly CountedConsent[], rule: { threshold: number; days: number }, date: string): ThresholdProgress {
  const counted = consents.filter((c) => c.date !== null && c.date <= date).sort((a, b) => (a.date as string).localeCompare(b.date as string) || a.party.localeCompare(b.party));
  const unconfirmed = consents.filter((c) => c.date === null).sort((a, b) => a.party.localeCompare(b.party));
  const reachedOn = counted.length >= rule.threshold ? ((counted[rule.threshold - 1] as CountedConsent).date as string) : null;
  const projectedEntryIntoForce = reachedOn === null ? null : addDays(reachedOn, rule.days);
  return {
    threshold: rule.threshold,
    counted,
    unconfirmed,
    remaining: Math.max(0, rule.threshold - counted.length),
    percent: Math.min(100, Math.round((counted.length / rule.threshold) * 1000) / 10),
    reachedOn,
    projectedEntryIntoForce,
    inForce: projectedEntryIntoForce !== null && projectedEntryIntoForce <= date,
  };
}

export type SignatureWindow =
  | { state: 'not-open'; opens: string; daysUntilOpen: number }
  | { state: 'open'; closes: string; daysLeft: number; lastDay: boolean }
  | { state: 'closed'; closes: string; daysSince: number }
  | { state: 'unlimited' };

/**
 * Where the chosen date stands in a signature window that is open from `opens` to `closes`, both
 * days included. `daysLeft` counts the days after the chosen one up to the closing day: 0 on the
 * last day (`lastDay`), 213 on 1 June 2026 for a window closing on 31 December 2026.
 */
export function signatureWindow(date: string, opens: string | null, closes: string | null): SignatureWindow {
  if (opens !== null && date < opens) return { state: 'not-open', opens, daysUntilOpen: daysBetween(date, opens) };
  if (closes === null) return { state: 'unlimited' };
  const left = daysBetween(date, closes);
  if (left < 0) return { state: 'closed', closes, daysSince: -left };
  return { state: 'open', closes, daysLeft: left, lastDay: left === 0 };
}
