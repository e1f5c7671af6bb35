/**
 * @module exchange/errors
 * One error class for the exchange with a closed set of codes (the sigstore-js shape): every
 * refusal names *why*, so an operator never meets an unexplained "No P-Mode found"
 * (exchange-evidence.md §2). Messages carry no key material and no message content.
 */

export const EXCHANGE_ERROR_CODES = [
  // Configuration and trust
  'node-not-initialised',
  'invalid-node',
  'invalid-agreement',
  'agreement-signature',
  'unknown-peer',
  // Envelope checks (attacks and faults), in the order they are made
  'too-large',
  'malformed',
  'too-deep',
  'algorithm-not-allowed',
  'header-not-allowed',
  'unknown-critical-header',
  'not-for-this-node',
  'undecryptable',
  'unknown-sender',
  'unknown-authority',
  'unknown-key',
  'key-revoked',
  'key-expired',
  'bad-signature',
  'missing-signature',
  'wrong-recipient',
  'stale',
  'from-the-future',
  'flow-not-agreed',
  'id-reused',
  'invalid-message',
] as const;
export type ExchangeErrorCode = (typeof EXCHANGE_ERROR_CODES)[number];

export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';
  /**
   * The refusal may not be final: this node does not (yet) know the sender, its authority or its
   * key. Trust between nodes is set up asynchronously (each imports the other's agreement when an
   * operator or the peer folder scan does), so a message can arrive before the agreement that makes
   * it verifiable. Such a refusal is recorded but not signed as final; the sender is told to retry.
   */
  readonly trustPending: boolean;
  constructor(
    readonly code: ExchangeErrorCode,
    message: string,
    options?: ErrorOptions & { trustPending?: boolean },
  ) {
    super(message, options);
    this.trustPending = options?.trustPending ?? false;
  }
}
