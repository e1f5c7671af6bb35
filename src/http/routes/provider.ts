/**
 * @module http/routes/provider
 * The provider's node (issue 14 part B): its inbox of orders with the verification of each
 * check, and its transparency report (JSON, CSV) with the Reg. 2023/1543 Art. 28 figures. Every
 * answer is limited to the caller's own provider authority (tenant isolation).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { art28Statistics, listProviderOrders, transparencyCsv, transparencyReport } from '../../provider/report.js';
import type { AppDeps } from '../deps.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';

const tags = ['provider'];
const own = (principal: unknown): string[] => {
  const p = principal as Principal | null | undefined;
  return p?.authorityId ? [p.authorityId] : [];
};
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const period = z.strictObject({ from: isoDate.optional(), to: isoDate.optional() });

export async function registerProviderRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.cases.db;

  api.get(
    '/api/provider/orders',
    { schema: { tags, summary: 'Orders received by your provider authority, verified or quarantined, with the result of each check', querystring: z.strictObject({ status: z.enum(['verified', 'quarantined']).optional() }) } },
    async (request) => listProviderOrders(db, own(request.principal), request.query.status === undefined ? {} : { status: request.query.status }),
  );

  api.get(
    '/api/provider/orders/:orderId',
    { schema: { tags, summary: 'One order with its verification', params: z.strictObject({ orderId: z.string().min(1).max(64) }) } },
    async (request) => {
      const found = (await listProviderOrders(db, own(request.principal))).find((o) => o.id === request.params.orderId);
      if (found === undefined) throw new HttpProblem('not-found', `no order ${request.params.orderId}`);
      return found;
    },
  );

  api.get('/api/provider/report', { schema: { tags, summary: 'Transparency report: orders by State, instrument, data category and outcome; response time', querystring: period } }, async (request) =>
    transparencyReport(await listProviderOrders(db, own(request.principal), { limit: 100_000 }), request.query.from ?? null, request.query.to ?? null),
  );

  api.get('/api/provider/report.csv', { schema: { tags, summary: 'The transparency report as CSV (RFC 4180): section,key,outcome,value', querystring: period } }, async (request, reply) => {
    const report = transparencyReport(await listProviderOrders(db, own(request.principal), { limit: 100_000 }), request.query.from ?? null, request.query.to ?? null);
    return reply
      .type('text/csv; charset=utf-8; header=present')
      .header('content-disposition', `attachment; filename="comity-provider-report-${new Date().toISOString().slice(0, 10)}.csv"`)
      .header('cache-control', 'no-store')
      .send(transparencyCsv(report));
  });

  api.get(
    '/api/provider/art28',
    { schema: { tags, summary: 'Reg. 2023/1543 Art. 28 figures for a year, from the orders received (unverified list of figures)', querystring: z.strictObject({ year: z.coerce.number().int().min(2026).max(2100).optional() }) } },
    async (request) => art28Statistics(await listProviderOrders(db, own(request.principal), { limit: 100_000 }), request.query.year ?? new Date().getUTCFullYear()),
  );
}
