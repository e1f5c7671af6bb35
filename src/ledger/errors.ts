/**
 * @module ledger/errors
 * One error class for the ledger with a closed set of codes (as sigstore-js's tlog errors):
 * untrusted input — notes, checkpoints, proofs, tiles paths — fails with a code, never a crash.
 */
export type LedgerErrorCode =
  | 'malformed-note'
  | 'unverified-note'
  | 'malformed-key'
  | 'malformed-checkpoint'
  | 'malformed-proof'
  | 'invalid-proof'
  | 'wrong-origin'
  | 'inconsistent-checkpoint'
  | 'unknown-entry'
  | 'not-in-checkpoint'
  | 'no-checkpoint';

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
