/**
 * @module auth/errors
 * One error class for accounts and authentication, with a closed set of stable codes that the
 * API maps to problem+json (401 for `invalid-credentials`, 429 with Retry-After for `throttled`, 401 with a
 * hint for `mfa-required`, …). Messages never contain a password, a token, a secret or an
 * e-mail address, and `invalid-credentials` reads the same whether the account exists or not.
 */
export type AuthErrorCode =
  | 'invalid-credentials'
  | 'throttled'
  | 'mfa-required'
  | 'mfa-invalid'
  | 'invalid-request'
  | 'conflict'
  | 'not-found'
  | 'forbidden';

export const AUTH_ERROR_CODES: readonly AuthErrorCode[] = [
  'invalid-credentials',
  'throttled',
  'mfa-required',
  'mfa-invalid',
  'invalid-request',
  'conflict',
  'not-found',
  'forbidden',
];

export interface AuthIssue {
  field: string;
  message: string;
}

export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly code: AuthErrorCode,
    message: string = DEFAULT_MESSAGES[code],
    readonly issues: readonly AuthIssue[] = [],
    /** `throttled`: seconds before the next attempt is heard. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** An attempt that came before its delay ran out (`auth/sign-in-throttle.ts`). */
  static throttled(seconds: number): AuthError {
    return new AuthError('throttled', `too many failed attempts: try again in ${seconds} s`, [], seconds);
  }
}

const DEFAULT_MESSAGES: Record<AuthErrorCode, string> = {
  'invalid-credentials': 'invalid e-mail address or password',
  throttled: 'too many failed attempts: wait before trying again',
  'mfa-required': 'a second factor is required',
  'mfa-invalid': 'invalid or already used code',
  'invalid-request': 'invalid request',
  conflict: 'conflict',
  'not-found': 'not found',
  forbidden: 'forbidden',
};
