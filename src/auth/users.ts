/**
 * @module auth/users
 * Accounts: creating one (by the system, a platform administrator, or an authority's
 * administrator for its own authority), disabling one (its sessions end, its tokens stop
 * working), reading one. Every change runs in one transaction with its audit event.
 */
import { z } from 'zod';
import type { Actor } from '../cases/context.js';
import { writeAudit } from '../cases/audit.js';
import { zodIssues } from '../cases/errors.js';
import { administers, auditUser, isSelf, presentUser, resolveActor, type AuthUser, type UserRow } from './account-rows.js';
import type { AuthContext } from './context.js';
import { AuthError } from './errors.js';
import { checkPasswordPolicy, hashPassword, PASSWORD_MAX_LENGTH } from './passwords.js';
import { PLATFORM_ROLES, ROLES } from './roles.js';

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
