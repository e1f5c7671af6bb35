/**
 * RFC 9457 problems as the workspace sees them. Every error of the API is
 * `application/problem+json` with a stable `code` (docs/errors.md); the workspace branches on
 * `code` only and shows a translated message (`problems.<code>` in the i18n resources), never the
 * server's English `title`. Pure: no DOM, unit-tested in problem.test.ts.
 */

/** The API's problem codes (src/http/problems.ts; problem.test.ts checks the two agree). */
export const SERVER_PROBLEM_CODES = [
  'invalid-request',
  'invalid-parameter',
  'invalid-json',
  'unauthenticated',
  'invalid-credentials',
  'mfa-required',
  'mfa-invalid',
  'csrf-failed',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'conflict',
  'order-quarantined',
  'invalid-transition',
  'payload-too-large',
  'uri-too-long',
  'unsupported-media-type',
  'validation-failed',
  'idempotency-key-reused',
  'form-not-applicable',
  'order-issuer-not-competent',
  'order-suspended',
  'document-unavailable',
  'gone',
  'reason-required',
  'channel-mismatch',
  'witness-malformed',
  'witness-unverified',
  'witness-unknown-log',
  'witness-inconsistent',
  'throttled',
  'rate-limited',
  'request-header-too-large',
  'internal-error',
  'integrity-failure',
  'not-ready',
  'ledger-inconsistent',
  'trust-pending',
] as const;

/** Conditions found by the workspace itself: no answer, or an answer that is not a problem. */
export const CLIENT_PROBLEM_CODES = ['network-error', 'unexpected-response'] as const;

export type ServerProblemCode = (typeof SERVER_PROBLEM_CODES)[number];
export type ProblemCode = ServerProblemCode | (typeof CLIENT_PROBLEM_CODES)[number];
export const PROBLEM_CODES: readonly ProblemCode[] = [...SERVER_PROBLEM_CODES, ...CLIENT_PROBLEM_CODES];

export interface ProblemIssue {
  field: string;
  message: string;
}

export interface ProblemInit {
  status: number;
  code: ProblemCode;
  title?: string;
  detail?: string;
  instance?: string;
  issues?: ProblemIssue[];
  /** The code as the server sent it, when it is not one the workspace knows. */
  rawCode?: string;
}

/** An error answer of the API (or no answer at all), thrown by the API client. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: ProblemCode;
  readonly title: string;
  readonly detail: string | undefined;
  /** The request id: quote it when reporting a problem. */
  readonly instance: string | undefined;
  readonly issues: ProblemIssue[];
  readonly rawCode: string | undefined;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title ?? init.code);
    this.name = 'ApiProblem';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? init.code;
    this.detail = init.detail;
    this.instance = init.instance;
    this.issues = init.issues ?? [];
    this.rawCode = init.rawCode;
  }

  /** True for the conditions that mean "sign in again". */
  get needsSignIn(): boolean {
    return this.code === 'unauthenticated';
  }
}

export function isServerProblemCode(value: unknown): value is ServerProblemCode {
  return typeof value === 'string' && (SERVER_PROBLEM_CODES as readonly string[]).includes(value);
}

export function isProblemContentType(contentType: string | null | undefined): boolean {
  return typeof contentType === 'string' && /^application\/problem\+json\b/i.test(contentType.trim());
}

function parseIssues(value: unknown): ProblemIssue[] {
  if (!Array.isArray(value)) return [];
  const issues: ProblemIssue[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const { field, message } = item as Record<string, unknown>;
    if (typeof message !== 'string') continue;
    issues.push({ field: typeof field === 'string' ? field : '', message });
  }
  return issues;
}

/**
 * The problem an error answer carries. `body` is the parsed JSON (or text, or undefined when the
 * body could not be read). A body that is not a problem still gives an ApiProblem: with the code
 * `unexpected-response`, or the code the status implies for 401/404/429.
 */
export function parseProblem(status: number, contentType: string | null | undefined, body: unknown): ApiProblem {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  const text = (key: string): string | undefined => {
    const value = fields?.[key];
    return typeof value === 'string' ? value : undefined;
  };
  if (fields && (isProblemContentType(contentType) || typeof fields.code === 'string')) {
    const raw = text('code');
    const code: ProblemCode = isServerProblemCode(raw) ? raw : fallbackCode(status);
    const problemStatus = typeof fields.status === 'number' && Number.isInteger(fields.status) ? fields.status : status;
    return new ApiProblem({
      status: problemStatus,
      code,
      ...(text('title') !== undefined ? { title: text('title') } : {}),
      ...(text('detail') !== undefined ? { detail: text('detail') } : {}),
      ...(text('instance') !== undefined ? { instance: text('instance') } : {}),
      issues: parseIssues(fields.issues),
      ...(raw !== undefined && raw !== code ? { rawCode: raw } : {}),
    });
  }
  return new ApiProblem({ status, code: fallbackCode(status), ...(typeof body === 'string' && body.length > 0 ? { detail: body.slice(0, 500) } : {}) });
}

/** The code to use when the answer names none the workspace knows. */
function fallbackCode(status: number): ProblemCode {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'internal-error';
  return 'unexpected-response';
}

/** The problem for a request that got no answer (offline, DNS, aborted connection). */
export function networkProblem(error: unknown): ApiProblem {
  return new ApiProblem({ status: 0, code: 'network-error', detail: error instanceof Error ? error.message : String(error) });
}

/** The i18n key of a problem's message. */
export function problemMessageKey(code: ProblemCode): `problems.${ProblemCode}` {
  return `problems.${code}`;
}
