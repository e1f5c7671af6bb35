/**
 * @module http/routes/admin
 * Account administration in the workspace (issue 16): change an account's roles and name,
 * disable and enable it, set a new password, reset its second factor, and list or revoke the
 * API tokens of the accounts one administers. Administrators only (policy table); an account of
 * another authority answers 404; every change is audited (src/auth/admin.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { disableUser } from '../../auth/index.js';
import { enableUser, listAdministeredTokens, resetSecondFactor, revokeApiToken, setUserPassword, updateUser } from '../../auth/index.js';
import type { AppDeps } from '../deps.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';

const userId = z.strictObject({ id: z.string().min(1).max(64) });

function actorOf(principal: Principal | null): { id: string; authorityId: string | null } {
  if (!principal) throw new HttpProblem('unauthenticated');
  return { id: principal.actor, authorityId: principal.authorityId };
}

export async function registerAdminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['users'];
  api.patch('/api/users/:id', { schema: { tags, summary: 'Change an account’s roles or name (not your own roles)', params: userId, body: z.unknown() } }, async (request) =>
    updateUser(deps.auth, actorOf(request.principal), request.params.id, request.body),
  );
  api.post('/api/users/:id/disable', { schema: { tags, summary: 'Disable an account: its sessions end, its tokens stop working', params: userId } }, async (request) => {
    const actor = actorOf(request.principal);
    const target = await deps.auth.db.selectFrom('users').select('authority_id').where('id', '=', request.params.id).executeTakeFirst();
    if (!target || (actor.authorityId !== null && target.authority_id !== actor.authorityId)) throw new HttpProblem('not-found', 'no such user');
    return disableUser(deps.auth, actor, request.params.id);
  });
  api.post('/api/users/:id/enable', { schema: { tags, summary: 'Enable a disabled account', params: userId } }, async (request) => enableUser(deps.auth, actorOf(request.principal), request.params.id));
  api.post('/api/users/:id/password', { schema: { tags, summary: 'Set a new password for an account (hand it over through another channel); its sessions end', params: userId, body: z.unknown() } }, async (request) =>
    setUserPassword(deps.auth, actorOf(request.principal), request.params.id, request.body),
  );
  api.post('/api/users/:id/second-factor/reset', { schema: { tags, summary: 'Remove an account’s second factor: it enrols again at the next sign-in', params: userId } }, async (request) =>
    resetSecondFactor(deps.auth, actorOf(request.principal), request.params.id),
  );
  api.get('/api/admin/tokens', { schema: { tags: ['tokens'], summary: 'API tokens of the accounts you administer (never the secret)' } }, async (request) => listAdministeredTokens(deps.auth, actorOf(request.principal)));
  api.delete('/api/admin/tokens/:id', { schema: { tags: ['tokens'], summary: 'Revoke an API token of an account you administer', params: userId } }, async (request) => {
    const actor = actorOf(request.principal);
    const visible = await listAdministeredTokens(deps.auth, actor);
    if (!visible.some((t) => t.id === request.params.id)) throw new HttpProblem('not-found', `no token ${request.params.id}`);
    return revokeApiToken(deps.auth, actor, request.params.id);
  });
}
