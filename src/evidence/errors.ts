/**
 * @module evidence/errors
 * One error class for the evidence context with a closed set of codes; the HTTP layer maps
 * them to problems, the CLI to one line and exit 2.
 */
export type EvidenceErrorCode = 'invalid-request' | 'not-found' | 'forbidden' | 'conflict' | 'invalid-transition' | 'too-large' | 'integrity' | 'gone';

export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
    readonly issues: { field: string; message: string }[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
