/**
 * @module http/problems
 * The one registry of error codes the API returns, as RFC 9457 problem details
 * (`application/problem+json`): a stable `code`, its HTTP status and title. The table is
 * documented for users in docs/errors.md (served at `/errors`); a test checks the two agree.
 */
export const PROBLEMS = {
  'invalid-request': { status: 400, title: 'The request is malformed or has fields that are not allowed' },
  'invalid-parameter': { status: 400, title: 'A parameter has a value that is not allowed' },
  'invalid-json': { status: 400, title: 'The body is not valid JSON' },
  'unauthenticated': { status: 401, title: 'Sign in or present a valid API token' },
  'invalid-credentials': { status: 401, title: 'E-mail address or password not recognised' },
  'mfa-required': { status: 403, title: 'Confirm your second factor first' },
  'mfa-invalid': { status: 401, title: 'The one-time code is not valid' },
  'csrf-failed': { status: 403, title: 'Missing or wrong CSRF token' },
  forbidden: { status: 403, title: 'Your role does not allow this' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The resource changed or already exists' },
  'order-quarantined': { status: 409, title: 'The order failed verification on this provider’s node: it cannot be answered with data' },
  'invalid-transition': { status: 409, title: 'This event is not allowed in the case’s current state' },
  'payload-too-large': { status: 413, title: 'The body is too large' },
  gone: { status: 410, title: 'Deleted under retention; its digest and custody remain' },
  'uri-too-long': { status: 414, title: 'The URL or a path parameter is too long' },
  'unsupported-media-type': { status: 415, title: 'This route does not take a body of that Content-Type (most take application/json)' },
  'validation-failed': { status: 422, title: 'The request does not meet the legal requirements' },
  'idempotency-key-reused': { status: 422, title: 'This idempotency key was used for a different request' },
  'reason-required': { status: 422, title: 'Written reasons are required' },
  'order-issuer-not-competent': { status: 422, title: 'This authority may not issue or validate this order (Reg. 2023/1543 Art. 4)' },
  'order-suspended': { status: 409, title: 'The notification of the enforcing authority holds the transmission back (Reg. 2023/1543 Art. 8(4), 10(2))' },
  'channel-mismatch': { status: 422, title: 'The legal basis’s channel does not reach this kind of addressee' },
  'form-not-applicable': { status: 422, title: 'This form does not fit the case’s legal basis' },
  'document-unavailable': { status: 409, title: 'The case’s content was deleted: no document can be issued' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  throttled: { status: 429, title: 'Too many failed attempts: wait before trying again' },
  'request-header-too-large': { status: 431, title: 'The request headers are too large' },
  'internal-error': { status: 500, title: 'Internal error' },
  'integrity-failure': { status: 500, title: 'Stored evidence failed its integrity check' },
  'not-ready': { status: 503, title: 'Not ready' },
  'witness-malformed': { status: 400, title: 'The add-checkpoint body is malformed (c2sp.org/tlog-witness)' },
  'witness-unverified': { status: 403, title: 'The checkpoint carries no valid signature of the log key' },
  'witness-unknown-log': { status: 404, title: 'This node does not witness that log (no peer agreement names its origin)' },
  'witness-inconsistent': { status: 422, title: 'The checkpoint is not consistent with the one cosigned before' },
  'trust-pending': { status: 503, title: 'This node cannot verify the sender yet (no agreement, authority or key for it): retry later' },
  'ledger-inconsistent': { status: 503, title: 'The log refuses to sign: it is inconsistent with a checkpoint signed before' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  instance?: string;
  issues?: { field: string; message: string }[];
}

/** The `type` URI of a problem: an anchor in the error documentation served at `/errors`. */
export function problemType(code: ProblemCode): string {
  return `/errors#${code}`;
}

export function problem(code: ProblemCode, detail?: string, extra: { instance?: string; issues?: readonly { field: string; message: string }[] } = {}): Problem {
  const entry = PROBLEMS[code];
  return {
    type: problemType(code),
    title: entry.title,
    status: entry.status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(extra.instance === undefined ? {} : { instance: extra.instance }),
    ...(extra.issues && extra.issues.length > 0 ? { issues: [...extra.issues] } : {}),
  };
}

/** An error a route throws to answer with a problem. */
export class HttpProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    detail?: string,
    readonly issues: readonly { field: string; message: string }[] = [],
  ) {
    super(detail ?? PROBLEMS[code].title);
    this.name = 'HttpProblem';
  }
}
