/**
 * @module auth/account-rows
 * What the account use cases share: the public views of users, sessions and API tokens (no hash,
 * no secret), how rows become those views, the login log, and who an actor is for account
 * administration. Audit details and digests are computed from public views only: no password,
 * hash, secret, token or e-mail address reaches the audit trail, and `login_events` has the
 * SHA-256 of the e-mail, not the e-mail.
 */
import { createHash } from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import type { ApiTokensTable, Database, SessionsTable, UsersTable } from '../db/index.js';
import type { Actor } from '../cases/context.js';
import type { AuthContext } from './context.js';
import { AuthError } from './errors.js';
import { isApiScope, isRole, rolesRequireMfa, type ApiScope, type Role } from './roles.js';

/** Absolute session lifetime: a session ends 12 hours after sign-in, whatever the activity. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** `last_seen_at` / `last_used_at` are written at most this often. */
export const LAST_SEEN_RESOLUTION_MS = 60 * 1000;
export const API_TOKEN_MAX_DAYS = 365;

export type LoginOutcome = 'success' | 'bad-password' | 'unknown-user' | 'disabled' | 'throttled' | 'mfa-failed' | 'mfa-success';

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
    /** … and it must first be enrolled (`enrolTotp`, `confirmTotp`). */
    mfaEnrolmentRequired: boolean;
  };
  user: AuthUser;
  /** Shown once, for the device cookie: set when this sign-in completed from a device not known yet. */
  deviceToken: string | null;
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

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type Trx = Transaction<Database>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** SHA-256 (hex) of the normalised e-mail: how `login_events` refers to an address. */
export function emailHash(email: string): string {
  return createHash('sha256').update(normalizeEmail(email), 'utf8').digest('hex');
}

export function parseRoles(text: string): Role[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((r): r is Role => typeof r === 'string' && isRole(r)) : [];
}

export function parseScopes(text: string): ApiScope[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((s): s is ApiScope => typeof s === 'string' && isApiScope(s)) : [];
}

export function requiresSecondFactor(user: UserRow): boolean {
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

export function presentSession(row: SessionRow, user: UserRow): AuthSession {
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

export function presentApiToken(row: Selectable<ApiTokensTable>): ApiTokenInfo {
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
export function auditUser(row: UserRow): Record<string, unknown> {
  return {
    id: row.id,
    authorityId: row.authority_id,
    roles: parseRoles(row.roles),
    totpEnabled: row.totp_enabled === 1,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

export function totpAad(userId: string): string {
  return `users.totp_secret:${userId}`;
}

/** The actor for use cases run on behalf of a signed-in user. */
export function actorFor(user: Pick<AuthUser, 'id' | 'authorityId'>): Actor {
  return { id: user.id, authorityId: user.authorityId };
}

export async function insertLoginEvent(ctx: AuthContext, trx: Trx, userId: string | null, hash: string, outcome: LoginOutcome, at: string): Promise<void> {
  await trx.insertInto('login_events').values({ id: ctx.newId(), user_id: userId, email_hash: hash, outcome, at }).execute();
}

/** Logs an attempt that changes nothing else (unknown user, disabled account, throttled). */
export async function logAttempt(ctx: AuthContext, userId: string | null, hash: string, outcome: LoginOutcome): Promise<void> {
  const at = ctx.now().toISOString();
  await ctx.transaction((trx) => insertLoginEvent(ctx, trx, userId, hash, outcome, at));
}

export type ResolvedActor = { system: true } | { system: false; user: UserRow; roles: Role[] };

/**
 * Who `actor` is for account administration, with roles and authority as stored (not as claimed
 * by the caller): the system (`system`, no authority: the CLI bootstrap), or an enabled user
 * named by id, `user:<id>`, or `token:<api token id>` (the token's user).
 */
export async function resolveActor(trx: Trx, actor: Actor): Promise<ResolvedActor> {
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

export function isSelf(resolved: ResolvedActor, userId: string): boolean {
  return !resolved.system && resolved.user.id === userId;
}

/**
 * Whether `actor` may administer accounts of `authorityId` (null: platform accounts): the
 * system; a platform administrator, any; an authority's administrator, its own authority's.
 */
export function administers(resolved: ResolvedActor, authorityId: string | null): boolean {
  if (resolved.system) return true;
  if (!resolved.roles.includes('administrator')) return false;
  return resolved.user.authority_id === null || (authorityId !== null && resolved.user.authority_id === authorityId);
}
