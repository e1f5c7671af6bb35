/**
 * @module http/routes/cases
 * Cases over HTTP. Tenant isolation first: a case that is neither from nor addressed to the
 * caller's authority answers 404 exactly like a case that does not exist, and lists, counts,
 * clocks and notifications are filtered in the query, never after it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CASE_EVENTS,
  CASE_STATES,
  authorityInputSchema,
  createAuthority,
  createCase,
  getCase,
  listAuthorities,
  listCases,
  listDeadlines,
  requestSchema,
  transitionCase,
  type Actor,
} from '../../cases/index.js';
import type { AppDeps } from '../deps.js';
import { CASE_EVENT_ROLES } from '../policies.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';
import { caseStatistics } from '../stats.js';

function actorOf(principal: Principal): Actor {
  return { id: principal.actor, authorityId: principal.authorityId };
}

function own(principal: Principal | null): string[] {
  return principal?.authorityId ? [principal.authorityId] : [];
}

/** The case's two sides, or 404 when the caller's authority is on neither. */
async function sidesOf(deps: AppDeps, principal: Principal, caseId: string): Promise<{ requesting: string; addressee: string }> {
  const row = await deps.cases.db.selectFrom('cases').select(['requesting_authority_id', 'addressee_id']).where('id', '=', caseId).executeTakeFirst();
  if (!row || principal.authorityId === null || (row.requesting_authority_id !== principal.authorityId && row.addressee_id !== principal.authorityId)) {
    throw new HttpProblem('not-found', `no case ${caseId}`);
  }
  return { requesting: row.requesting_authority_id, addressee: row.addressee_id };
}

const caseId = z.strictObject({ id: z.string().min(1).max(64) });

export async function registerCaseRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['cases'];

  api.get(
    '/api/cases',
    {
      schema: {
        tags,
        summary: 'Cases of your authority (requested by it or addressed to it), newest change first',
        querystring: z.strictObject({
          state: z.enum(CASE_STATES).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
          offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      return listCases(deps.cases, { authorityIds: own(request.principal), ...(q.state ? { states: [q.state] } : {}), ...(q.limit ? { limit: q.limit } : {}), ...(q.offset ? { offset: q.offset } : {}) });
    },
  );

  api.post('/api/cases', { schema: { tags, summary: 'Draft a request for electronic evidence', body: requestSchema } }, async (request, reply) => {
    const principal = request.principal as Principal;
    if (principal.authorityId === null || request.body.requestingAuthority !== principal.authorityId) {
      throw new HttpProblem('forbidden', 'a request can only be drafted for your own authority');
    }
    const created = await createCase(deps.cases, actorOf(principal), request.body);
    return reply.code(201).send(created);
  });

  api.get('/api/cases/:id', { schema: { tags, summary: 'One case in full: request, history, clocks (the read is recorded)', params: caseId } }, async (request) => {
    const principal = request.principal as Principal;
    await sidesOf(deps, principal, request.params.id);
    return getCase(deps.cases, actorOf(principal), request.params.id);
  });

  api.get('/api/cases/:id/audit', { schema: { tags, summary: 'Audit events of a case (digests, no content)', params: caseId } }, async (request) => {
    const principal = request.principal as Principal;
    await sidesOf(deps, principal, request.params.id);
    const rows = await deps.cases.db.selectFrom('audit_events').selectAll().where('object_type', '=', 'case').where('object_id', '=', request.params.id).orderBy('seq').execute();
    return rows.map((r) => ({ id: r.id, seq: Number(r.seq), actor: r.actor, action: r.action, at: r.at, beforeDigest: r.before_digest, afterDigest: r.after_digest }));
  });

  api.post(
    '/api/cases/:id/events/:event',
    {
      schema: {
        tags,
        summary: 'Apply a workflow event; roles and side per event are in the policy table',
        params: z.strictObject({ id: z.string().min(1).max(64), event: z.enum(CASE_EVENTS) }),
        body: z
          .strictObject({
            reason: z.string().max(20000).optional(),
            review: z.unknown().optional(),
            assessment: z.unknown().optional(),
            response: z.unknown().optional(),
            expectedVersion: z.number().int().positive().optional(),
          })
          .default({}),
      },
    },
    async (request) => {
      const principal = request.principal as Principal;
      const sides = await sidesOf(deps, principal, request.params.id);
      const rule = CASE_EVENT_ROLES[request.params.event];
      const mySide = principal.authorityId === sides.requesting ? 'requesting' : 'requested';
      const onBothSides = sides.requesting === sides.addressee;
      if (!onBothSides && mySide !== rule.side) throw new HttpProblem('forbidden', `${request.params.event} is for the ${rule.side} side`);
      if (!rule.roles.some((r) => principal.roles.includes(r))) throw new HttpProblem('forbidden', `${request.params.event} requires one of the roles ${rule.roles.join(', ')}`);
      const body = request.body;
      return transitionCase(deps.cases, actorOf(principal), request.params.id, request.params.event, {
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
        ...(body.review !== undefined ? { review: body.review } : {}),
        ...(body.assessment !== undefined ? { assessment: body.assessment } : {}),
        ...(body.response !== undefined ? { response: body.response } : {}),
        ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}),
      });
    },
  );

  api.get(
    '/api/deadlines',
    { schema: { tags, summary: 'Running legal clocks of your cases, soonest first', querystring: z.strictObject({ overdue: z.enum(['true', 'false']).optional(), dueWithinHours: z.coerce.number().int().min(1).max(24 * 366).optional() }) } },
    async (request) => {
      const q = request.query;
      return listDeadlines(deps.cases, { authorityIds: own(request.principal), overdue: q.overdue === 'true', ...(q.dueWithinHours ? { dueWithinHours: q.dueWithinHours } : {}) });
    },
  );

  api.get('/api/notifications', { schema: { tags, summary: 'Notifications for your authority (e.g. overdue clocks)' } }, async (request) => {
    const ids = own(request.principal);
    if (ids.length === 0) return [];
    return deps.cases.db.selectFrom('notifications').select(['id', 'case_id as caseId', 'kind', 'message', 'created_at as createdAt', 'read_at as readAt']).where('authority_id', 'in', ids).orderBy('created_at', 'desc').limit(200).execute();
  });

  api.get('/api/stats', { schema: { tags, summary: 'Statistics of your authority’s cases: by state, measure and party; time to response; refusals by ground' } }, async (request) => caseStatistics(deps.cases, own(request.principal)));

  api.get('/api/authorities', { schema: { tags: ['authorities'], summary: 'Registered authorities (directory)' } }, async () => listAuthorities(deps.cases));

  api.post('/api/authorities', { schema: { tags: ['authorities'], summary: 'Register an authority (platform administrator)', body: authorityInputSchema } }, async (request, reply) => {
    const created = await createAuthority(deps.cases, actorOf(request.principal as Principal), request.body);
    return reply.code(201).send(created);
  });
}
