/**
 * @module http/routes/ops
 * Liveness, readiness (database reachable, migrations applied) and Prometheus metrics.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { Metrics } from '../metrics.js';
import { problem } from '../problems.js';

export async function registerOpsRoutes(app: FastifyInstance, deps: AppDeps, metrics: Metrics): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  api.get('/readyz', { schema: { tags: ['operations'], summary: 'The database answers and every migration is applied' } }, async (request, reply) => {
    const ready = await deps.database.ready();
    if (!ready.ok) {
      const detail = ready.pending.length > 0 ? `pending migrations: ${ready.pending.join(', ')}` : 'database unreachable';
      return reply.code(503).type('application/problem+json; charset=utf-8').send(problem('not-ready', detail, { instance: String(request.id) }));
    }
    // The transparency log refused to sign (issue 11): not ready until an administrator resolves it.
    const incidents = deps.ledger === undefined ? [] : await deps.ledger.incidents();
    if (incidents.length > 0) {
      return reply.code(503).type('application/problem+json; charset=utf-8').send(problem('not-ready', `transparency log: ${incidents[0]?.reason ?? ''} — run comity ledger resolve`, { instance: String(request.id) }));
    }
    return { status: 'ready', database: deps.database.kind };
  });
  const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  api.get('/errors', { schema: { tags: ['operations'], summary: 'The error code registry (Markdown)' } }, async (_request, reply) => reply.type('text/markdown; charset=utf-8').send(errorsDoc));
  api.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
