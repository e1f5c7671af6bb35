/**
 * @module auth/api-tokens
 * API tokens for machine clients: created by a user (or an administrator of the user's
 * authority) with scopes among those the user's roles allow, shown once as `cmt_<id>_<secret>`,
 * stored as the SHA-256 of the secret, expiring, revocable. Authentication answers null for a
 * malformed, unknown, wrong, revoked or expired token alike: the caller cannot tell which.
 */
import { z } from 'zod';
import type { Actor } from '../cases/context.js';
import { writeAudit } from '../cases/audit.js';
import { zodIssues } from '../cases/errors.js';
import { administers, isSelf, LAST_SEEN_RESOLUTION_MS, API_TOKEN_MAX_DAYS, parseRoles, parseScopes, presentApiToken, presentUser, resolveActor, type ApiTokenInfo, type AuthUser } from './account-rows.js';
import type { AuthContext } from './context.js';
import { AuthError } from './errors.js';
import { allowedScopes, API_SCOPES, type ApiScope } from './roles.js';
import { hashesEqual, hashToken, newApiToken, parseApiToken } from './tokens.js';

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
