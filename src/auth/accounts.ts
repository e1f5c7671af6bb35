/**
 * @module auth/accounts
 * Accounts and authentication use cases: users, password sign-in with lockout, sessions with
 * CSRF tokens, the TOTP second factor (enrolment, confirmation, verification without replay)
 * and API tokens. No HTTP here: the API layer calls these and maps {@link AuthError} codes.
 *
 * Every change runs in one transaction with its audit event (`writeAudit`), except two pieces
 * of bookkeeping written on every request, which would flood the audit trail: a session's
 * `last_seen_at` and a token's `last_used_at` (each at most once a minute). Failed attempts go to
 * `login_events` (and bump the failure counter) without an audit event; reaching the lockout
 * threshold writes one (`auth.lockout`). Audit details and digests are computed from public
 * views only: no password, hash, secret, token or e-mail address reaches the audit trail, and
 * `login_events` has the SHA-256 of the e-mail, not the e-mail.
 *
 * Secrets are returned once: the session and CSRF tokens by {@link login}, the TOTP secret by
 * {@link enrolTotp}, the API token by {@link createApiToken}. Only hashes (or, for the TOTP
 * secret, a sealed copy) are stored.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Selectable, Transaction } from 'kysely';
import type { ApiTokensTable, Database, SessionsTable, UsersTable } from '../db/index.js';
import type { Actor } from '../cases/context.js';
import { writeAudit } from '../cases/audit.js';
import { zodIssues } from '../cases/errors.js';
import type { AuthContext } from './context.js';
import { AuthError } from './errors.js';
import { checkPasswordPolicy, hashPassword, needsRehash, PASSWORD_MAX_LENGTH, verifyPassword } from './passwords.js';
import { allowedScopes, API_SCOPES, isApiScope, isRole, PLATFORM_ROLES, ROLES, rolesRequireMfa, type ApiScope, type Role } from './roles.js';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp.js';
import { hashesEqual, hashToken, isWellFormedToken, newApiToken, newSessionToken, parseApiToken } from './tokens.js';

/** Absolute session lifetime: a session ends 12 hours after sign-in, whatever the activity. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Consecutive failed attempts (password or second factor) that lock the account. */
export const MAX_FAILED_LOGINS = 10;
/** How long a lock lasts. Each further failure while at or above the threshold locks again. */
export const LOCKOUT_MS = 15 * 60 * 1000;
/** `last_seen_at` / `last_used_at` are written at most this often. */
export const LAST_SEEN_RESOLUTION_MS = 60 * 1000;
export const API_TOKEN_MAX_DAYS = 365;

/**
 * A valid scrypt hash of a random password nobody knows, verified against when the e-mail is
 * unknown or the account locked, so that the response time does not tell whether the account
 * exists.
 */
const DUMMY_PASSWORD_HASH = 'scrypt$15$8$1$Vxk2Ihr9ax1Uuj4FJu7CXg==$xwL5nnoPMusNzexTXi/TfFUdsB91jyMFdDlUZy3Bv0k=';

export type LoginOutcome = 'success' | 'bad-password' | 'unknown-user' | 'disabled' | 'locked' | 'mfa-failed' | 'mfa-success';

/** A user as the rest of the application sees it: no hash, no secret. */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  /** null: platform administrator. */
  authorityId: string | null;
  roles: Role[];
  totpEnabled: boolean;
  /** Whether sign-in needs a second factor: a role that can send or decide, or TOTP enrolled. */
  mfaRequired: boolean;
  createdAt: string;
  disabledAt: string | null;
}

/** A session as returned by {@link authenticateSession}. `id` is the token's hash, not the token. */
export interface AuthSession {
  id: string;
  userId: string;
  /** The second factor was verified in this session. */
  mfaPassed: boolean;
  /**
   * The user must still pass (or first enrol) a second factor: until then the API must allow
   * only the second-factor and enrolment calls and logout.
   */
  mfaPending: boolean;
  /** The user's roles require a second factor and none is enrolled yet. */
  mfaEnrolmentRequired: boolean;
  csrfHash: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export interface LoginResult {
  session: {
    /** Shown once: the cookie value. */
    token: string;
    /** Shown once: to be echoed in a header on state-changing requests. */
    csrfToken: string;
    expiresAt: string;
    /** A second factor must be verified before the session grants access. */
    mfaRequired: boolean;
    /** … and it must first be enrolled ({@link enrolTotp}, {@link confirmTotp}). */
    mfaEnrolmentRequired: boolean;
  };
  user: AuthUser;
}

export interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  scopes: ApiScope[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

type UserRow = Selectable<UsersTable>;
type SessionRow = Selectable<SessionsTable>;
type Trx = Transaction<Database>;

// ---------------------------------------------------------------------------------------------
// Presentation and helpers

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** SHA-256 (hex) of the normalised e-mail: how `login_events` refers to an address. */
export function emailHash(email: string): string {
  return createHash('sha256').update(normalizeEmail(email), 'utf8').digest('hex');
}

function parseRoles(text: string): Role[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((r): r is Role => typeof r === 'string' && isRole(r)) : [];
}

function parseScopes(text: string): ApiScope[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((s): s is ApiScope => typeof s === 'string' && isApiScope(s)) : [];
}

function requiresSecondFactor(user: UserRow): boolean {
  return user.totp_enabled === 1 || rolesRequireMfa(parseRoles(user.roles));
}

export function presentUser(row: UserRow): AuthUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    authorityId: row.authority_id,
    roles: parseRoles(row.roles),
    totpEnabled: row.totp_enabled === 1,
    mfaRequired: requiresSecondFactor(row),
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

function presentSession(row: SessionRow, user: UserRow): AuthSession {
  const required = requiresSecondFactor(user);
  return {
    id: row.id,
    userId: row.user_id,
    mfaPassed: row.mfa_passed === 1,
    mfaPending: required && row.mfa_passed !== 1,
    mfaEnrolmentRequired: required && user.totp_enabled !== 1,
    csrfHash: row.csrf_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
  };
}

function presentApiToken(row: Selectable<ApiTokensTable>): ApiTokenInfo {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    scopes: parseScopes(row.scopes),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** The audit view of a user: what its digests are computed from (no hash, no secret, no e-mail). */
function auditUser(row: UserRow): Record<string, unknown> {
  return {
    id: row.id,
    authorityId: row.authority_id,
    roles: parseRoles(row.roles),
    totpEnabled: row.totp_enabled === 1,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

function isLocked(user: UserRow, now: Date): boolean {
  return user.locked_until !== null && Date.parse(user.locked_until) > now.getTime();
}

function totpAad(userId: string): string {
  return `users.totp_secret:${userId}`;
}

/** The actor for use cases run on behalf of a signed-in user. */
export function actorFor(user: Pick<AuthUser, 'id' | 'authorityId'>): Actor {
  return { id: user.id, authorityId: user.authorityId };
}

async function insertLoginEvent(ctx: AuthContext, trx: Trx, userId: string | null, hash: string, outcome: LoginOutcome, at: string): Promise<void> {
  await trx.insertInto('login_events').values({ id: ctx.newId(), user_id: userId, email_hash: hash, outcome, at }).execute();
}

/**
 * A failed password or second factor: count it, lock the account when the count reaches the
 * threshold (and on every further failure until a success resets it), log the attempt.
 */
async function recordFailure(ctx: AuthContext, trx: Trx, user: UserRow, outcome: LoginOutcome, now: Date): Promise<void> {
  const at = now.toISOString();
  const updated = await trx
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', user.id)
    .returning(['failed_logins'])
    .executeTakeFirstOrThrow();
  if (updated.failed_logins >= MAX_FAILED_LOGINS) {
    const lockedUntil = new Date(now.getTime() + LOCKOUT_MS).toISOString();
    await trx.updateTable('users').set({ locked_until: lockedUntil }).where('id', '=', user.id).execute();
    await writeAudit(trx, {
      id: ctx.newId(),
      actor: 'system',
      action: 'auth.lockout',
      objectType: 'user',
      objectId: user.id,
      at,
      before: null,
      after: null,
      details: { failedAttempts: updated.failed_logins, lockedUntil },
    });
  }
  await insertLoginEvent(ctx, trx, user.id, emailHash(user.email), outcome, at);
}

async function logAttempt(ctx: AuthContext, userId: string | null, hash: string, outcome: LoginOutcome): Promise<void> {
  const at = ctx.now().toISOString();
  await ctx.transaction((trx) => insertLoginEvent(ctx, trx, userId, hash, outcome, at));
}

type ResolvedActor = { system: true } | { system: false; user: UserRow; roles: Role[] };

/**
 * Who `actor` is for account administration, with roles and authority as stored (not as claimed
 * by the caller): the system (`system`, no authority: the CLI bootstrap), or an enabled user
 * named by id, `user:<id>`, or `token:<api token id>` (the token's user).
 */
async function resolveActor(trx: Trx, actor: Actor): Promise<ResolvedActor> {
  if (actor.id === 'system' && actor.authorityId === null) return { system: true };
  let userId = actor.id.startsWith('user:') ? actor.id.slice('user:'.length) : actor.id;
  if (actor.id.startsWith('token:')) {
    const token = await trx.selectFrom('api_tokens').select('user_id').where('id', '=', actor.id.slice('token:'.length)).executeTakeFirst();
    userId = token?.user_id ?? '';
  }
  const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user || user.disabled_at !== null) throw new AuthError('forbidden', 'unknown or disabled actor');
  return { system: false, user, roles: parseRoles(user.roles) };
}

function isSelf(resolved: ResolvedActor, userId: string): boolean {
  return !resolved.system && resolved.user.id === userId;
}

/**
 * Whether `actor` may administer accounts of `authorityId` (null: platform accounts): the
 * system; a platform administrator, any; an authority's administrator, its own authority's.
 */
function administers(resolved: ResolvedActor, authorityId: string | null): boolean {
  if (resolved.system) return true;
  if (!resolved.roles.includes('administrator')) return false;
  return resolved.user.authority_id === null || (authorityId !== null && resolved.user.authority_id === authorityId);
}

// ---------------------------------------------------------------------------------------------
// Users

export const createUserSchema = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  displayName: z.string().trim().min(1).max(200),
  authorityId: z.string().min(1).max(100).nullable().default(null),
  roles: z
    .array(z.enum(ROLES))
    .min(1)
    .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat'),
  password: z.string().max(PASSWORD_MAX_LENGTH * 4),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

/**
 * Creates an account. Allowed to the system, a platform administrator (any account), and an
 * authority's administrator (accounts of that authority). An account without authority is a
 * platform account: it must have the administrator role, and only administrator and auditor.
 *
 * @throws {AuthError} `invalid-request` (every issue listed, the password policy included),
 *   `forbidden`, `conflict` (the e-mail is taken).
 */
export async function createUser(ctx: AuthContext, actor: Actor, input: unknown): Promise<AuthUser> {
  const parsed = createUserSchema.safeParse(input);
  if (!parsed.success) throw new AuthError('invalid-request', 'invalid user', zodIssues(parsed.error));
  const u = parsed.data;
  const issues = checkPasswordPolicy(u.password, { email: u.email }).map((issue) => ({ field: 'password', message: issue.message }));
  if (u.authorityId === null) {
    if (!u.roles.includes('administrator') || u.roles.some((role) => !PLATFORM_ROLES.includes(role))) {
      issues.push({ field: 'roles', message: 'an account without authority is a platform administrator: roles administrator (and optionally auditor)' });
    }
  }
  if (issues.length > 0) throw new AuthError('invalid-request', 'invalid user', issues);
  const passwordHash = await hashPassword(u.password);
  const at = ctx.now().toISOString();
  const id = ctx.newId();
  const row: UserRow = {
    id,
    email: u.email,
    display_name: u.displayName,
    authority_id: u.authorityId,
    roles: JSON.stringify(u.roles),
    password_hash: passwordHash,
    totp_secret: null,
    totp_enabled: 0,
    totp_last_step: null,
    failed_logins: 0,
    locked_until: null,
    created_at: at,
    disabled_at: null,
  };
  return ctx.transaction(async (trx) => {
    const resolved = await resolveActor(trx, actor);
    if (!administers(resolved, u.authorityId)) throw new AuthError('forbidden', 'you may not create accounts for this authority');
    if (u.authorityId !== null) {
      const authority = await trx.selectFrom('authorities').select('id').where('id', '=', u.authorityId).executeTakeFirst();
      if (!authority) throw new AuthError('invalid-request', 'invalid user', [{ field: 'authorityId', message: 'no such authority' }]);
    }
    const taken = await trx.selectFrom('users').select('id').where('email', '=', u.email).executeTakeFirst();
    if (taken) throw new AuthError('conflict', 'an account with this e-mail address already exists');
    await trx.insertInto('users').values(row).execute();
    await writeAudit(trx, {
      id: ctx.newId(),
      actor: actor.id,
      action: 'user.create',
      objectType: 'user',
      objectId: id,
      at,
      before: null,
      after: auditUser(row),
      details: { authorityId: u.authorityId, roles: u.roles },
    });
    return presentUser(row);
  });
}

/**
 * Disables an account (by an administrator of its authority, or the system) and ends its
 * sessions; its API tokens stop working too. Disabling a disabled account changes nothing.
 *
 * @throws {AuthError} `not-found`, `forbidden` (also for disabling oneself).
 */
export async function disableUser(ctx: AuthContext, actor: Actor, userId: string): Promise<AuthUser> {
  const at = ctx.now().toISOString();
  return ctx.transaction(async (trx) => {
    const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!user) throw new AuthError('not-found', 'no such user');
    const resolved = await resolveActor(trx, actor);
    if (!administers(resolved, user.authority_id) || isSelf(resolved, user.id)) throw new AuthError('forbidden', 'you may not disable this account');
    if (user.disabled_at !== null) return presentUser(user);
    const disabled = { ...user, disabled_at: at };
    await trx.updateTable('users').set({ disabled_at: at }).where('id', '=', user.id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await writeAudit(trx, { id: ctx.newId(), actor: actor.id, action: 'user.disable', objectType: 'user', objectId: user.id, at, before: auditUser(user), after: auditUser(disabled) });
    return presentUser(disabled);
  });
}

export async function getUser(ctx: AuthContext, id: string): Promise<AuthUser | null> {
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? presentUser(row) : null;
}

// ---------------------------------------------------------------------------------------------
// Sign-in and sessions

const loginSchema = z.object({
  email: z.string().max(1000),
  password: z.string().max(PASSWORD_MAX_LENGTH * 4),
});

/**
 * Password sign-in. Unknown e-mail, wrong password and disabled account all fail with the same
 * `invalid-credentials` error after the same scrypt work; every attempt is logged in
 * `login_events`. After {@link MAX_FAILED_LOGINS} consecutive failures the account is locked
 * for {@link LOCKOUT_MS} (`locked`, without checking the password, so guessing stops).
 *
 * On success a session is created (absolute lifetime {@link SESSION_TTL_MS}); its token and
 * CSRF token are returned once. If the user needs a second factor the session grants nothing
 * until {@link verifySecondFactor} (or enrolment and {@link confirmTotp}); the failure counter is
 * then reset only once the second factor has passed, so alternating a known password with
 * guessed codes does not escape the lockout.
 *
 * @throws {AuthError} `invalid-request` (not strings), `invalid-credentials`, `locked`.
 */
export async function login(ctx: AuthContext, input: unknown): Promise<LoginResult> {
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
  if (isLocked(user, ctx.now())) {
    await verifyPassword(password, DUMMY_PASSWORD_HASH);
    await logAttempt(ctx, user.id, hash, 'locked');
    throw new AuthError('locked');
  }
  const ok = await verifyPassword(password, user.password_hash);
  if (user.disabled_at !== null) {
    await logAttempt(ctx, user.id, hash, 'disabled');
    throw new AuthError('invalid-credentials');
  }
  if (!ok) {
    const now = ctx.now();
    await ctx.transaction((trx) => recordFailure(ctx, trx, user, 'bad-password', now));
    throw new AuthError('invalid-credentials');
  }
  const rehash = needsRehash(user.password_hash) ? await hashPassword(password) : null;
  return openSession(ctx, user, 'password', rehash);
}

/**
 * Sign-in with claims verified by the OpenID Connect provider (`oidc.ts`): the account is the
 * one with that e-mail (no account is created). The provider's authentication does not replace
 * the TOTP second factor: the same rules apply as for {@link login}.
 *
 * @throws {AuthError} `invalid-credentials` (no such account, or disabled), `locked`.
 */
export async function loginWithOidc(ctx: AuthContext, claims: { sub: string; email: string }): Promise<LoginResult> {
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
  if (isLocked(user, ctx.now())) {
    await logAttempt(ctx, user.id, hash, 'locked');
    throw new AuthError('locked');
  }
  return openSession(ctx, user, 'oidc', null);
}

async function openSession(ctx: AuthContext, user: UserRow, method: 'password' | 'oidc', rehash: string | null): Promise<LoginResult> {
  const now = ctx.now();
  const at = now.toISOString();
  const token = newSessionToken();
  const csrfToken = newSessionToken();
  const mfaRequired = requiresSecondFactor(user);
  const session: SessionRow = {
    id: hashToken(token),
    user_id: user.id,
    csrf_hash: hashToken(csrfToken),
    mfa_passed: 0,
    created_at: at,
    expires_at: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
    last_seen_at: at,
  };
  await ctx.transaction(async (trx) => {
    await trx.insertInto('sessions').values(session).execute();
    if (!mfaRequired) await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
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
  });
  return {
    session: { token, csrfToken, expiresAt: session.expires_at, mfaRequired, mfaEnrolmentRequired: mfaRequired && user.totp_enabled !== 1 },
    user: presentUser(user),
  };
}

/** The live session of a token and its user, or null (malformed, unknown, expired, user disabled). */
async function findSession(ctx: AuthContext, token: unknown): Promise<{ session: SessionRow; user: UserRow } | null> {
  if (typeof token !== 'string' || !isWellFormedToken(token)) return null;
  const session = await ctx.db.selectFrom('sessions').selectAll().where('id', '=', hashToken(token)).executeTakeFirst();
  if (!session || Date.parse(session.expires_at) <= ctx.now().getTime()) return null;
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', session.user_id).executeTakeFirst();
  if (!user || user.disabled_at !== null) return null;
  return { session, user };
}

async function requireSession(ctx: AuthContext, token: unknown): Promise<{ session: SessionRow; user: UserRow }> {
  const found = await findSession(ctx, token);
  if (!found) throw new AuthError('invalid-credentials', 'no valid session');
  return found;
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

// ---------------------------------------------------------------------------------------------
// Second factor (TOTP)

/**
 * Starts TOTP enrolment for the session's user: a new secret, stored sealed, not yet enabled.
 * The secret and its `otpauth://` URI (for a QR code) are returned once. Enrolling again before
 * confirming replaces the pending secret; once enabled, enrolment is refused (`conflict`), so a
 * stolen password alone cannot replace the second factor.
 *
 * @throws {AuthError} `invalid-credentials` (no valid session), `conflict`.
 */
export async function enrolTotp(ctx: AuthContext, sessionToken: string): Promise<{ secret: string; otpauthUri: string }> {
  const { user } = await requireSession(ctx, sessionToken);
  if (user.totp_enabled === 1) throw new AuthError('conflict', 'a second factor is already enrolled');
  const secret = generateTotpSecret();
  const sealed = ctx.secretBox.seal(secret, totpAad(user.id));
  const at = ctx.now().toISOString();
  await ctx.transaction(async (trx) => {
    const updated = await trx
      .updateTable('users')
      .set({ totp_secret: sealed, totp_enabled: 0, totp_last_step: null })
      .where('id', '=', user.id)
      .where('totp_enabled', '=', 0)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AuthError('conflict', 'a second factor is already enrolled');
    await writeAudit(trx, { id: ctx.newId(), actor: user.id, action: 'auth.totp-enrol', objectType: 'user', objectId: user.id, at, before: null, after: null });
  });
  return { secret, otpauthUri: otpauthUri(secret, user.email) };
}

type TotpCheck = { ok: true } | { ok: false; code: 'mfa-invalid' | 'locked' };

/**
 * Checks a code against the user's sealed secret and, when it matches a step later than the last
 * accepted one, records that step, resets the failure counter, marks the session as having
 * passed the second factor and runs `onSuccess`, all in one transaction. A wrong or replayed
 * code counts as a failed attempt.
 */
async function checkTotp(
  ctx: AuthContext,
  user: UserRow,
  session: SessionRow,
  code: unknown,
  onSuccess: (trx: Trx, at: string) => Promise<void>,
): Promise<TotpCheck> {
  const now = ctx.now();
  const at = now.toISOString();
  if (isLocked(user, now)) {
    await logAttempt(ctx, user.id, emailHash(user.email), 'locked');
    return { ok: false, code: 'locked' };
  }
  if (user.totp_secret === null) throw new AuthError('invalid-request', 'no second factor enrolled');
  const secret = ctx.secretBox.open(user.totp_secret, totpAad(user.id)).toString('utf8');
  const step = typeof code === 'string' ? verifyTotp(secret, code, now) : null;
  return ctx.transaction(async (trx) => {
    if (step !== null) {
      const accepted = await trx
        .updateTable('users')
        .set({ totp_last_step: step, failed_logins: 0, locked_until: null })
        .where('id', '=', user.id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      if (accepted.numUpdatedRows > 0n) {
        await trx.updateTable('sessions').set({ mfa_passed: 1 }).where('id', '=', session.id).execute();
        await insertLoginEvent(ctx, trx, user.id, emailHash(user.email), 'mfa-success', at);
        await onSuccess(trx, at);
        return { ok: true };
      }
    }
    await recordFailure(ctx, trx, user, 'mfa-failed', now);
    return { ok: false, code: 'mfa-invalid' };
  });
}

/**
 * Confirms TOTP enrolment with a first code: the second factor is enabled and this session has
 * passed it.
 *
 * @throws {AuthError} `invalid-credentials` (no valid session), `conflict` (already enabled),
 *   `invalid-request` (not enrolled), `mfa-invalid`, `locked`.
 */
export async function confirmTotp(ctx: AuthContext, sessionToken: string, code: string): Promise<AuthSession> {
  const { user, session } = await requireSession(ctx, sessionToken);
  if (user.totp_enabled === 1) throw new AuthError('conflict', 'the second factor is already enabled');
  if (user.totp_secret === null) throw new AuthError('invalid-request', 'enrol a second factor first');
  const result = await checkTotp(ctx, user, session, code, async (trx, at) => {
    // Enable the secret the code was checked against, not one a parallel enrolment put in its place.
    const enabled = await trx.updateTable('users').set({ totp_enabled: 1 }).where('id', '=', user.id).where('totp_secret', '=', user.totp_secret).executeTakeFirst();
    if (enabled.numUpdatedRows === 0n) throw new AuthError('conflict', 'the enrolment changed meanwhile: enrol again');
    const after = { ...user, totp_enabled: 1 };
    await writeAudit(trx, { id: ctx.newId(), actor: user.id, action: 'auth.totp-confirm', objectType: 'user', objectId: user.id, at, before: auditUser(user), after: auditUser(after) });
  });
  if (!result.ok) throw new AuthError(result.code);
  return presentSession({ ...session, mfa_passed: 1 }, { ...user, totp_enabled: 1 });
}

/**
 * Verifies the second factor of a signed-in session. A code is accepted once: a code for a step
 * already used by this user (in any session) is refused like a wrong one, and counts as a failed
 * attempt. A session that has already passed is returned as it is.
 *
 * @throws {AuthError} `invalid-credentials` (no valid session), `invalid-request` (no second
 *   factor enrolled: enrol first), `mfa-invalid`, `locked`.
 */
export async function verifySecondFactor(ctx: AuthContext, sessionToken: string, code: string): Promise<AuthSession> {
  const { user, session } = await requireSession(ctx, sessionToken);
  if (user.totp_enabled !== 1) throw new AuthError('invalid-request', 'no second factor enrolled');
  if (session.mfa_passed === 1) return presentSession(session, user);
  const result = await checkTotp(ctx, user, session, code, async (trx, at) => {
    await writeAudit(trx, { id: ctx.newId(), actor: user.id, action: 'auth.mfa', objectType: 'user', objectId: user.id, at, before: null, after: null });
  });
  if (!result.ok) throw new AuthError(result.code);
  return presentSession({ ...session, mfa_passed: 1 }, user);
}

// ---------------------------------------------------------------------------------------------
// API tokens

export const createApiTokenSchema = z.strictObject({
  userId: z.string().min(1).max(100),
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(API_SCOPES))
    .min(1)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'scopes must not repeat'),
  expiresInDays: z.number().int().min(1).max(API_TOKEN_MAX_DAYS),
});
export type CreateApiTokenInput = z.input<typeof createApiTokenSchema>;

/**
 * Creates an API token for a user (by the user, or by an administrator of the user's authority).
 * Scopes must be among those the user's roles allow (`allowedScopes`). The token
 * (`cmt_<id>_<secret>`) is returned once; only the SHA-256 of its secret is stored. API tokens
 * carry no second factor: the API layer should let only a session that passed it create one.
 *
 * @throws {AuthError} `invalid-request`, `not-found` (no such user), `forbidden`.
 */
export async function createApiToken(ctx: AuthContext, actor: Actor, input: unknown): Promise<{ id: string; token: string; expiresAt: string }> {
  const parsed = createApiTokenSchema.safeParse(input);
  if (!parsed.success) throw new AuthError('invalid-request', 'invalid API token request', zodIssues(parsed.error));
  const t = parsed.data;
  const now = ctx.now();
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + t.expiresInDays * 24 * 60 * 60 * 1000).toISOString();
  const { id, secret, token } = newApiToken();
  return ctx.transaction(async (trx) => {
    const user = await trx.selectFrom('users').selectAll().where('id', '=', t.userId).executeTakeFirst();
    if (!user) throw new AuthError('not-found', 'no such user');
    const resolved = await resolveActor(trx, actor);
    if (!(isSelf(resolved, user.id) || administers(resolved, user.authority_id))) throw new AuthError('forbidden', 'you may not create tokens for this user');
    if (user.disabled_at !== null) throw new AuthError('invalid-request', 'the user is disabled');
    const allowed = allowedScopes(parseRoles(user.roles));
    const refused = t.scopes.filter((scope) => !allowed.includes(scope));
    if (refused.length > 0) {
      throw new AuthError('invalid-request', 'invalid API token request', [{ field: 'scopes', message: `not allowed for this user's roles: ${refused.join(', ')}` }]);
    }
    const row = { id, user_id: user.id, name: t.name, token_hash: hashToken(secret), scopes: JSON.stringify(t.scopes), created_at: at, expires_at: expiresAt, last_used_at: null, revoked_at: null };
    await trx.insertInto('api_tokens').values(row).execute();
    await writeAudit(trx, {
      id: ctx.newId(),
      actor: actor.id,
      action: 'api-token.create',
      objectType: 'api-token',
      objectId: id,
      at,
      before: null,
      after: presentApiToken(row),
      details: { userId: user.id, scopes: t.scopes, expiresAt },
    });
    return { id, token, expiresAt };
  });
}

/**
 * The user and scopes of an API token, or null when it is malformed, unknown, wrong, revoked or
 * expired, or its user disabled. Records `last_used_at` at most once a minute.
 */
export async function authenticateApiToken(ctx: AuthContext, token: string): Promise<{ user: AuthUser; token: { id: string; scopes: ApiScope[] } } | null> {
  const parsed = typeof token === 'string' ? parseApiToken(token) : null;
  if (parsed === null) return null;
  const row = await ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', parsed.id).executeTakeFirst();
  if (!row || !hashesEqual(hashToken(parsed.secret), row.token_hash)) return null;
  const now = ctx.now();
  if (row.revoked_at !== null || Date.parse(row.expires_at) <= now.getTime()) return null;
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirst();
  if (!user || user.disabled_at !== null) return null;
  if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= LAST_SEEN_RESOLUTION_MS) {
    const used = now.toISOString();
    await ctx.transaction((trx) => trx.updateTable('api_tokens').set({ last_used_at: used }).where('id', '=', row.id).execute());
  }
  return { user: presentUser(user), token: { id: row.id, scopes: parseScopes(row.scopes) } };
}

/**
 * Revokes an API token (by its user, or an administrator of the user's authority). Revoking a
 * revoked token changes nothing.
 *
 * @throws {AuthError} `not-found`, `forbidden`.
 */
export async function revokeApiToken(ctx: AuthContext, actor: Actor, tokenId: string): Promise<ApiTokenInfo> {
  const at = ctx.now().toISOString();
  return ctx.transaction(async (trx) => {
    const row = await trx.selectFrom('api_tokens').selectAll().where('id', '=', tokenId).executeTakeFirst();
    if (!row) throw new AuthError('not-found', 'no such API token');
    const owner = await trx.selectFrom('users').select(['id', 'authority_id']).where('id', '=', row.user_id).executeTakeFirstOrThrow();
    const resolved = await resolveActor(trx, actor);
    if (!(isSelf(resolved, owner.id) || administers(resolved, owner.authority_id))) throw new AuthError('forbidden', 'you may not revoke this token');
    if (row.revoked_at !== null) return presentApiToken(row);
    const revoked = { ...row, revoked_at: at };
    await trx.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', row.id).execute();
    await writeAudit(trx, {
      id: ctx.newId(),
      actor: actor.id,
      action: 'api-token.revoke',
      objectType: 'api-token',
      objectId: row.id,
      at,
      before: presentApiToken(row),
      after: presentApiToken(revoked),
      details: { userId: row.user_id },
    });
    return presentApiToken(revoked);
  });
}

/** A user's API tokens, newest first, revoked and expired ones included; never hashes. */
export async function listApiTokens(ctx: AuthContext, userId: string): Promise<ApiTokenInfo[]> {
  const rows = await ctx.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map(presentApiToken);
}
