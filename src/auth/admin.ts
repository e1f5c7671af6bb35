/**
 * @module auth/admin
 * What an administrator does to accounts besides creating them (issue 16): change roles and
 * name, disable and enable, set a new password, reset the second factor; and the API tokens of
 * the accounts they administer. Only an administrator of the account's authority (or a platform
 * administrator) may; an account of another authority is answered as unknown. Nobody changes
 * their own roles or disables themselves (no administrator locks the node out by mistake).
 * Each change runs in one transaction with its audit event (no secret, no e-mail in it).
 */
import { z } from 'zod';
import type { Actor } from '../cases/context.js';
import { writeAudit } from '../cases/audit.js';
import { zodIssues } from '../cases/errors.js';
import { administers, auditUser, isSelf, presentApiToken, presentUser, resolveActor, type ApiTokenInfo, type AuthUser, type Trx, type UserRow } from './account-rows.js';
import type { AuthContext } from './context.js';
import { AuthError } from './errors.js';
import { checkPasswordPolicy, hashPassword, PASSWORD_MAX_LENGTH } from './passwords.js';
import { PLATFORM_ROLES, ROLES } from './roles.js';

export const updateUserSchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(200).optional(),
    roles: z
      .array(z.enum(ROLES))
      .min(1)
      .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat')
      .optional(),
  })
  .refine((u) => u.displayName !== undefined || u.roles !== undefined, 'nothing to change');

export const setPasswordSchema = z.strictObject({ password: z.string().max(PASSWORD_MAX_LENGTH * 4) });

/** The account `userId` as the actor may administer it; another authority's is `not-found`. */
async function administered(trx: Trx, actor: Actor, userId: string): Promise<{ user: UserRow; self: boolean }> {
  const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  const resolved = await resolveActor(trx, actor);
  if (!user || !administers(resolved, user.authority_id)) throw new AuthError('not-found', 'no such user');
  return { user, self: isSelf(resolved, user.id) };
}

async function audit(ctx: AuthContext, trx: Trx, actor: Actor, action: string, before: UserRow, after: UserRow, at: string): Promise<void> {
  await writeAudit(trx, { id: ctx.newId(), actor: actor.id, action, objectType: 'user', objectId: before.id, at, before: auditUser(before), after: auditUser(after) });
}

/** Changes an account's name and/or roles. @throws {AuthError} `invalid-request`, `not-found`, `forbidden` (own roles). */
export async function updateUser(ctx: AuthContext, actor: Actor, userId: string, input: unknown): Promise<AuthUser> {
  const parsed = updateUserSchema.safeParse(input);
  if (!parsed.success) throw new AuthError('invalid-request', 'invalid change', zodIssues(parsed.error));
  const at = ctx.now().toISOString();
  return ctx.transaction(async (trx) => {
    const { user, self } = await administered(trx, actor, userId);
    const roles = parsed.data.roles;
    if (roles !== undefined) {
      if (self) throw new AuthError('forbidden', 'you may not change your own roles');
      if (user.authority_id === null && (!roles.includes('administrator') || roles.some((r) => !PLATFORM_ROLES.includes(r)))) {
        throw new AuthError('invalid-request', 'invalid change', [{ field: 'roles', message: 'an account without authority is a platform administrator: roles administrator (and optionally auditor)' }]);
      }
    }
    const after: UserRow = { ...user, ...(parsed.data.displayName !== undefined ? { display_name: parsed.data.displayName } : {}), ...(roles !== undefined ? { roles: JSON.stringify(roles) } : {}) };
    await trx.updateTable('users').set({ display_name: after.display_name, roles: after.roles }).where('id', '=', user.id).execute();
    // New roles take effect at once: sessions opened with the old ones end.
    if (roles !== undefined) await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await audit(ctx, trx, actor, 'user.update', user, after, at);
    return presentUser(after);
  });
}

/** Enables a disabled account. @throws {AuthError} `not-found`. */
export async function enableUser(ctx: AuthContext, actor: Actor, userId: string): Promise<AuthUser> {
  const at = ctx.now().toISOString();
  return ctx.transaction(async (trx) => {
    const { user } = await administered(trx, actor, userId);
    if (user.disabled_at === null) return presentUser(user);
    const after = { ...user, disabled_at: null, failed_logins: 0, locked_until: null };
    await trx.updateTable('users').set({ disabled_at: null, failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    await audit(ctx, trx, actor, 'user.enable', user, after, at);
    return presentUser(after);
  });
}

/**
 * Sets a new password chosen by the administrator (to hand over through a separate channel), under
 * the password policy; sessions end, the sign-in delays are lifted. @throws {AuthError} `invalid-request`, `not-found`.
 */
export async function setUserPassword(ctx: AuthContext, actor: Actor, userId: string, input: unknown): Promise<AuthUser> {
  const parsed = setPasswordSchema.safeParse(input);
  if (!parsed.success) throw new AuthError('invalid-request', 'invalid password', zodIssues(parsed.error));
  const at = ctx.now().toISOString();
  const target = await ctx.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
  const issues = checkPasswordPolicy(parsed.data.password, { email: target?.email ?? '' }).map((issue) => ({ field: 'password', message: issue.message }));
  if (target && issues.length > 0) throw new AuthError('invalid-request', 'invalid password', issues);
  const hash = await hashPassword(parsed.data.password);
  return ctx.transaction(async (trx) => {
    const { user } = await administered(trx, actor, userId);
    await trx.updateTable('users').set({ password_hash: hash, failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await trx.updateTable('trusted_devices').set({ failed_logins: 0, next_attempt_at: null }).where('user_id', '=', user.id).execute();
    await writeAudit(trx, { id: ctx.newId(), actor: actor.id, action: 'user.password-reset', objectType: 'user', objectId: user.id, at, before: auditUser(user), after: auditUser(user) });
    return presentUser(user);
  });
}

/** Removes the second factor: the user enrols again at the next sign-in (their roles require it). */
export async function resetSecondFactor(ctx: AuthContext, actor: Actor, userId: string): Promise<AuthUser> {
  const at = ctx.now().toISOString();
  return ctx.transaction(async (trx) => {
    const { user } = await administered(trx, actor, userId);
    const after = { ...user, totp_secret: null, totp_enabled: 0, totp_last_step: null };
    await trx.updateTable('users').set({ totp_secret: null, totp_enabled: 0, totp_last_step: null }).where('id', '=', user.id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await trx.deleteFrom('trusted_devices').where('user_id', '=', user.id).execute();
    await audit(ctx, trx, actor, 'user.second-factor-reset', user, after, at);
    return presentUser(after);
  });
}

export interface AdministeredToken extends ApiTokenInfo {
  userDisplayName: string;
}

/** API tokens of the accounts the actor administers (their authority's; all for a platform administrator), newest first. */
export async function listAdministeredTokens(ctx: AuthContext, actor: Actor): Promise<AdministeredToken[]> {
  return ctx.transaction(async (trx) => {
    const resolved = await resolveActor(trx, actor);
    if (!resolved.system && !resolved.roles.includes('administrator')) throw new AuthError('forbidden', 'administrators only');
    let query = trx.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').selectAll('api_tokens').select('users.display_name as user_display_name');
    if (!resolved.system && resolved.user.authority_id !== null) query = query.where('users.authority_id', '=', resolved.user.authority_id);
    const rows = await query.orderBy('api_tokens.created_at', 'desc').orderBy('api_tokens.id').limit(1000).execute();
    return rows.map((r) => ({ ...presentApiToken(r), userDisplayName: r.user_display_name }));
  });
}
