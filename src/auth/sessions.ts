/**
 * @module auth/sessions
 * Password and OpenID Connect sign-in, browser sessions with CSRF tokens, sign-out. Failed
 * attempts slow down progressively per account and per known device (`sign-in-throttle.ts`)
 * instead of locking the account. A session starts with a new token (never one the client
 * chose), and gets another once the second factor has passed (`second-factor.ts`), so a token
 * seen before the second factor is worthless after it (OWASP Session Management: renew the
 * session id after any privilege level change).
 *
 * Secrets are returned once: the session, CSRF and device tokens by {@link login}. Only their
 * SHA-256 is stored.
 */
import { z } from 'zod';
import { writeAudit } from '../cases/audit.js';
import { zodIssues } from '../cases/errors.js';
import {
  emailHash,
  insertLoginEvent,
  logAttempt,
  normalizeEmail,
  presentSession,
  presentUser,
  requiresSecondFactor,
  SESSION_TTL_MS,
  LAST_SEEN_RESOLUTION_MS,
  type AuthSession,
  type AuthUser,
  type LoginResult,
  type SessionRow,
  type Trx,
  type UserRow,
} from './account-rows.js';
import type { AuthContext } from './context.js';
import { AuthError } from './errors.js';
import { hashPassword, needsRehash, PASSWORD_MAX_LENGTH, verifyPassword } from './passwords.js';
import { bucketFor, recordFailure, recordSuccess, retryAfterSeconds, type Bucket } from './sign-in-throttle.js';
import { hashesEqual, hashToken, isWellFormedToken, newSessionToken } from './tokens.js';

/**
 * A valid scrypt hash of a random password nobody knows, verified against when the e-mail is
 * unknown or the attempt is throttled, so that the response time does not tell whether the
 * account exists.
 */
const DUMMY_PASSWORD_HASH = 'scrypt$15$8$1$Vxk2Ihr9ax1Uuj4FJu7CXg==$xwL5nnoPMusNzexTXi/TfFUdsB91jyMFdDlUZy3Bv0k=';

const loginSchema = z.object({
  email: z.string().max(1000),
  password: z.string().max(PASSWORD_MAX_LENGTH * 4),
});

export interface SignInOptions {
  /** The browser's device cookie, if any: a device that completed a sign-in to this account before. */
  deviceToken?: string | undefined;
}

/**
 * Password sign-in. Unknown e-mail, wrong password and disabled account all fail with the same
 * `invalid-credentials` error after the same scrypt work; every attempt is logged in
 * `login_events`. An attempt that comes before its bucket's delay has run out is refused with
 * `throttled` (and the seconds to wait) without checking the password.
 *
 * On success a session is created (absolute lifetime {@link SESSION_TTL_MS}); its token and
 * CSRF token are returned once. If the user needs a second factor the session grants nothing
 * until `verifySecondFactor` (or enrolment and `confirmTotp`); the bucket is reset only once the
 * second factor has passed, so alternating a known password with guessed codes does not escape
 * the delays.
 *
 * @throws {AuthError} `invalid-request` (not strings), `invalid-credentials`, `throttled`.
 */
export async function login(ctx: AuthContext, input: unknown, options: SignInOptions = {}): Promise<LoginResult> {
  const parsed = loginSchema.safeParse(input);
  if (!parsed.success) throw new AuthError('invalid-request', 'e-mail address and password are required', zodIssues(parsed.error));
  const { password } = parsed.data;
  const email = normalizeEmail(parsed.data.email);
  const hash = emailHash(email);
  const user = await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  if (!user) {
    await verifyPassword(password, DUMMY_PASSWORD_HASH);
    await logAttempt(ctx, null, hash, 'unknown-user');
    throw new AuthError('invalid-credentials');
  }
  const bucket = await bucketFor(ctx, user, options.deviceToken);
  const wait = retryAfterSeconds(bucket, ctx.now());
  if (wait > 0) {
    await logAttempt(ctx, user.id, hash, 'throttled');
    throw AuthError.throttled(wait);
  }
  const ok = await verifyPassword(password, user.password_hash);
  if (user.disabled_at !== null) {
    await logAttempt(ctx, user.id, hash, 'disabled');
    throw new AuthError('invalid-credentials');
  }
  if (!ok) {
    const now = ctx.now();
    await ctx.transaction((trx) => recordFailure(ctx, trx, bucket, 'bad-password', now));
    throw new AuthError('invalid-credentials');
  }
  const rehash = needsRehash(user.password_hash) ? await hashPassword(password) : null;
  return openSession(ctx, bucket, 'password', rehash);
}

/**
 * Sign-in with claims verified by the OpenID Connect provider (`oidc.ts`): the account is the
 * one with that e-mail (no account is created). The provider's authentication does not replace
 * the TOTP second factor: the same rules apply as for {@link login}.
 *
 * @throws {AuthError} `invalid-credentials` (no such account, or disabled), `throttled`.
 */
export async function loginWithOidc(ctx: AuthContext, claims: { sub: string; email: string }, options: SignInOptions = {}): Promise<LoginResult> {
  const email = normalizeEmail(claims.email);
  const hash = emailHash(email);
  const user = await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  if (!user) {
    await logAttempt(ctx, null, hash, 'unknown-user');
    throw new AuthError('invalid-credentials', 'no account for this identity');
  }
  if (user.disabled_at !== null) {
    await logAttempt(ctx, user.id, hash, 'disabled');
    throw new AuthError('invalid-credentials', 'no account for this identity');
  }
  const bucket = await bucketFor(ctx, user, options.deviceToken);
  const wait = retryAfterSeconds(bucket, ctx.now());
  if (wait > 0) {
    await logAttempt(ctx, user.id, hash, 'throttled');
    throw AuthError.throttled(wait);
  }
  return openSession(ctx, bucket, 'oidc', null);
}

/** A new session row for `user` (tokens returned once), expiring at `expiresAt` or after the full lifetime. */
export function newSessionRow(user: UserRow, now: Date, options: { mfaPassed: boolean; deviceId: string | null; createdAt?: string; expiresAt?: string }): { row: SessionRow; token: string; csrfToken: string } {
  const token = newSessionToken();
  const csrfToken = newSessionToken();
  const at = now.toISOString();
  const row: SessionRow = {
    id: hashToken(token),
    user_id: user.id,
    csrf_hash: hashToken(csrfToken),
    mfa_passed: options.mfaPassed ? 1 : 0,
    created_at: options.createdAt ?? at,
    expires_at: options.expiresAt ?? new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
    last_seen_at: at,
    device_id: options.deviceId,
    mfa_failures: 0,
  };
  return { row, token, csrfToken };
}

async function openSession(ctx: AuthContext, bucket: Bucket, method: 'password' | 'oidc', rehash: string | null): Promise<LoginResult> {
  const user = bucket.user;
  const now = ctx.now();
  const at = now.toISOString();
  const mfaRequired = requiresSecondFactor(user);
  const { row: session, token, csrfToken } = newSessionRow(user, now, { mfaPassed: false, deviceId: bucket.kind === 'device' ? bucket.device.id : null });
  const deviceToken = await ctx.transaction(async (trx) => {
    await trx.insertInto('sessions').values(session).execute();
    // With a second factor to pass, the sign-in is complete (and the bucket reset) only after it.
    const device = mfaRequired ? null : await recordSuccess(ctx, trx, bucket, at);
    if (rehash !== null) await trx.updateTable('users').set({ password_hash: rehash }).where('id', '=', user.id).execute();
    await insertLoginEvent(ctx, trx, user.id, emailHash(user.email), 'success', at);
    await writeAudit(trx, {
      id: ctx.newId(),
      actor: user.id,
      action: 'auth.login',
      objectType: 'user',
      objectId: user.id,
      at,
      before: null,
      after: null,
      details: { method, mfaRequired, expiresAt: session.expires_at },
    });
    return device;
  });
  return {
    session: { token, csrfToken, expiresAt: session.expires_at, mfaRequired, mfaEnrolmentRequired: mfaRequired && user.totp_enabled !== 1 },
    user: presentUser(user),
    deviceToken,
  };
}

/** The live session of a token and its user, or null (malformed, unknown, expired, user disabled). */
export async function findSession(ctx: AuthContext, token: unknown): Promise<{ session: SessionRow; user: UserRow } | null> {
  if (typeof token !== 'string' || !isWellFormedToken(token)) return null;
  const session = await ctx.db.selectFrom('sessions').selectAll().where('id', '=', hashToken(token)).executeTakeFirst();
  if (!session || Date.parse(session.expires_at) <= ctx.now().getTime()) return null;
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', session.user_id).executeTakeFirst();
  if (!user || user.disabled_at !== null) return null;
  return { session, user };
}

export async function requireSession(ctx: AuthContext, token: unknown): Promise<{ session: SessionRow; user: UserRow }> {
  const found = await findSession(ctx, token);
  if (!found) throw new AuthError('invalid-credentials', 'no valid session');
  return found;
}

/**
 * Replaces a session by a new one (new token and CSRF token, same absolute expiry) inside `trx`:
 * after the second factor, the old token stops working.
 */
export async function rotateSession(trx: Trx, session: SessionRow, user: UserRow, now: Date, mfaPassed: boolean): Promise<{ row: SessionRow; token: string; csrfToken: string }> {
  const next = newSessionRow(user, now, { mfaPassed, deviceId: session.device_id, createdAt: session.created_at, expiresAt: session.expires_at });
  await trx.deleteFrom('sessions').where('id', '=', session.id).execute();
  await trx.insertInto('sessions').values(next.row).execute();
  return next;
}

/**
 * The session of a token and its user, or null when the token is malformed or unknown, the
 * session expired, or the user is disabled. Check `session.mfaPending` before granting access.
 * Records `last_seen_at` at most once a minute.
 */
export async function authenticateSession(ctx: AuthContext, token: string): Promise<{ user: AuthUser; session: AuthSession } | null> {
  const found = await findSession(ctx, token);
  if (!found) return null;
  const { session, user } = found;
  const now = ctx.now();
  if (now.getTime() - Date.parse(session.last_seen_at) >= LAST_SEEN_RESOLUTION_MS) {
    const lastSeen = now.toISOString();
    await ctx.transaction((trx) => trx.updateTable('sessions').set({ last_seen_at: lastSeen }).where('id', '=', session.id).where('last_seen_at', '<', lastSeen).execute());
    session.last_seen_at = lastSeen;
  }
  return { user: presentUser(user), session: presentSession(session, user) };
}

/** Whether `csrfToken` is the session's CSRF token (compared in constant time). */
export function checkCsrf(session: Pick<AuthSession, 'csrfHash'>, csrfToken: string | null | undefined): boolean {
  if (typeof csrfToken !== 'string' || !isWellFormedToken(csrfToken)) return false;
  return hashesEqual(hashToken(csrfToken), session.csrfHash);
}

/** Ends a session. Resolves to whether there was one. */
export async function logout(ctx: AuthContext, token: string): Promise<boolean> {
  if (typeof token !== 'string' || !isWellFormedToken(token)) return false;
  const id = hashToken(token);
  const at = ctx.now().toISOString();
  return ctx.transaction(async (trx) => {
    const deleted = await trx.deleteFrom('sessions').where('id', '=', id).returning(['user_id']).executeTakeFirst();
    if (!deleted) return false;
    await writeAudit(trx, { id: ctx.newId(), actor: deleted.user_id, action: 'auth.logout', objectType: 'user', objectId: deleted.user_id, at, before: null, after: null });
    return true;
  });
}

/** Deletes expired sessions; resolves to how many. */
export async function purgeExpiredSessions(ctx: AuthContext): Promise<number> {
  const at = ctx.now().toISOString();
  return ctx.transaction(async (trx) => {
    const result = await trx.deleteFrom('sessions').where('expires_at', '<=', at).executeTakeFirst();
    const count = Number(result.numDeletedRows);
    if (count > 0) {
      await writeAudit(trx, { id: ctx.newId(), actor: 'system', action: 'auth.sessions-purge', objectType: 'sessions', objectId: 'expired', at, before: null, after: null, details: { count } });
    }
    return count;
  });
}
