/**
 * @module eorders/errors
 * Errors of the e-Evidence order workflow, with stable codes the API maps to problem+json
 * (docs/errors.md) and the CLI to exit code 2.
 */
export type OrderErrorCode =
  | 'invalid-request'
  | 'validation-failed'
  | 'not-found'
  | 'invalid-transition'
  | 'reason-required'
  | 'conflict'
  | 'forbidden'
  | 'order-issuer-not-competent'
  | 'order-suspended';

export interface OrderIssue {
  field: string;
  message: string;
}

export class OrderError extends Error {
  constructor(
    readonly code: OrderErrorCode,
    message: string,
    readonly issues: readonly OrderIssue[] = [],
  ) {
    super(message);
    this.name = 'OrderError';
  }
}

export function zodOrderIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): OrderIssue[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}
