/**
 * @module http/routes/case-access
 * The access log of a case for auditors: who read or downloaded what, when — with the reader's
 * name (user accounts and API tokens resolved to their holder), each record's place in the
 * transparency log. Tenant isolation as for the case routes.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';
import { logPositions } from './ledger.js';

const recordSchema = z.object({ id: z.string(), at: z.string(), action: z.string(), actor: z.string(), actorName: z.string(), logIndex: z.number().int().nullable() });

export async function registerCaseAccessRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.cases.db;
  api.get(
    '/api/cases/:id/access',
    { schema: { tags: ['ledger'], summary: 'Who read or downloaded what of a case, when (names, not ids)', params: z.strictObject({ id: z.string().min(1).max(64) }), response: { 200: z.array(recordSchema) } } },
    async (request) => {
      const principal = request.principal as Principal;
      const row = await db.selectFrom('cases').select(['requesting_authority_id', 'addressee_id', 'sent_at']).where('id', '=', request.params.id).executeTakeFirst();
      const visible = row !== undefined && principal.authorityId !== null && (row.requesting_authority_id === principal.authorityId || (row.addressee_id === principal.authorityId && row.sent_at !== null));
      if (!visible) throw new HttpProblem('not-found', `no case ${request.params.id}`);
      const records = await db.selectFrom('case_access').select(['id', 'actor', 'action', 'at']).where('case_id', '=', request.params.id).orderBy('at').orderBy('id').limit(5000).execute();
      // Actors are `user:<id>`, `token:<id>` (recorded by the API) or a name given to the CLI.
      const userIds = new Set<string>();
      const tokenIds = new Set<string>();
      for (const r of records) {
        if (r.actor.startsWith('user:')) userIds.add(r.actor.slice(5));
        else if (r.actor.startsWith('token:')) tokenIds.add(r.actor.slice(6));
      }
      const tokens = tokenIds.size === 0 ? [] : await db.selectFrom('api_tokens').select(['id', 'user_id', 'name']).where('id', 'in', [...tokenIds]).execute();
      for (const t of tokens) userIds.add(t.user_id);
      const users = userIds.size === 0 ? [] : await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...userIds]).execute();
      const nameOf = new Map(users.map((u) => [u.id, u.display_name]));
      const tokenName = new Map(tokens.map((t) => [t.id, `${nameOf.get(t.user_id) ?? t.user_id} (API token “${t.name}”)`]));
      const log = await logPositions(deps, records.map((r) => r.id));
      return records.map((r) => ({
        id: r.id,
        at: r.at,
        action: r.action,
        actor: r.actor,
        actorName: r.actor.startsWith('user:') ? (nameOf.get(r.actor.slice(5)) ?? r.actor) : r.actor.startsWith('token:') ? (tokenName.get(r.actor.slice(6)) ?? r.actor) : r.actor,
        logIndex: log.positions.get(r.id) ?? null,
      }));
    },
  );
}
