/**
 * @module cases/errors
 * One error class for the case workflow, with a closed set of stable codes that the API maps to
 * problem+json and the CLI to exit code 2. `issues` lists every problem found, not just the first.
 */
export type CaseErrorCode =
  | 'invalid-request'
  | 'validation-failed'
  | 'not-found'
  | 'invalid-transition'
  | 'reason-required'
  | 'conflict'
  | 'forbidden'
  | 'unknown-authority'
  | 'idempotency-key-reused'
  | 'channel-mismatch';

export interface CaseIssue {
  field: string;
  message: string;
}

export class CaseError extends Error {
  constructor(
    readonly code: CaseErrorCode,
    message: string,
    readonly issues: readonly CaseIssue[] = [],
  ) {
    super(message);
    this.name = 'CaseError';
  }
}

/** Turns zod issues into CaseIssues with dotted paths. */
export function zodIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): CaseIssue[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}
