/**
 * @module provider/reasons
 * Why an order is quarantined: one stable code per failed check (docs/errors.md, "Provider
 * quarantine reasons"). The codes are shown to the provider's response team and sent back to the
 * issuing node in the signed rejection.
 */
export const CHECK_NAMES = ['signature', 'authority', 'log', 'emergency', 'replay'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const QUARANTINE_REASONS = {
  // (a) signature by a key the trust list assigns to a named authority
  'order-key-untrusted': 'signature',
  'order-key-removed': 'signature',
  'order-key-expired': 'signature',
  'order-signature-invalid': 'signature',
  'order-malformed': 'authority',
  // (b) the engine: this authority may issue this order for this category on this date
  'order-issuer-not-competent': 'authority',
  'order-validation-missing': 'authority',
  'order-category-not-allowed': 'authority',
  'order-instrument-not-in-force': 'authority',
  'order-instrument-reserved': 'authority',
  // (c) the order is in the issuing node's log
  'order-not-in-issuing-log': 'log',
  'order-log-key-missing': 'log',
  'order-log-proof-invalid': 'log',
  'order-log-inconsistent': 'log',
  // (d) an emergency order bears its validation or second signature
  'order-emergency-unvalidated': 'emergency',
  // (e) replay
  'order-replayed': 'replay',
} as const satisfies Record<string, CheckName>;
export type QuarantineReason = keyof typeof QUARANTINE_REASONS;

export type CheckStatus = 'pass' | 'fail' | 'not-checked' | 'not-applicable';

export interface CheckResult {
  status: CheckStatus;
  /** Set when the check failed. */
  code?: QuarantineReason;
  /** One sentence for the response team (no key material, no order content beyond its facts). */
  detail: string;
  /** Legal source of the rule applied (instrument, article, URL, verified flag). */
  citation?: { instrument: string; article: string; paragraph?: string; source: string; verified: boolean };
}

export type Checks = Record<CheckName, CheckResult>;

export function notChecked(detail: string): CheckResult {
  return { status: 'not-checked', detail };
}

/** The reason codes of the failed checks, in check order. */
export function reasonsOf(checks: Checks): QuarantineReason[] {
  return CHECK_NAMES.flatMap((name) => (checks[name].status === 'fail' && checks[name].code !== undefined ? [checks[name].code] : []));
}
