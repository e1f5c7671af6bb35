/**
 * @module http/routes/exchange
 * The node-to-node endpoint and what a federation node publishes:
 *
 * - `POST /api/exchange/messages` (`application/jose`): a peer delivers an envelope; the answer
 *   is always the signed receipt (200, `application/jose`), also for a refusal, so the sender
 *   never retries a refused message forever. Authentication is the message's own signatures:
 *   no session, no token (exchange-evidence.md §6: mTLS authenticates a transport, not an order).
 * - `GET /api/exchange/jwks`, `GET /api/exchange/agreement`: this node's public keys (with
 *   validity windows) and its signed peer agreement.
 * - `GET /api/cases/:id/deliveries`: the delivery state of each message of a case.
 * - `GET /api/exchange/stuck`: messages without a final answer for too long (dashboard queue).
 * - `GET /api/exchange/rejected`: incoming messages this node rejected, with the reasons it signed.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportNode, nodeJwks } from '../../exchange/index.js';
import { readOutgoingChunk, transfersOf } from '../../exchange/evidence-transfer.js';
import { incomingRejections } from '../../exchange/inbox.js';
import { deliveriesOf, stuckMessages, DELIVERY_STATES } from '../../exchange/outbox.js';
import { EXCHANGE_MEDIA_TYPE } from '../../exchange/transport.js';
import type { AppDeps } from '../deps.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';

const tags = ['exchange'];

const deliverySchema = z.object({
  messageId: z.string(),
  peer: z.string(),
  from: z.string(),
  to: z.string(),
  seq: z.number(),
  conversationId: z.string(),
  caseId: z.string().nullable(),
  type: z.string(),
  emergency: z.boolean(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  nextAttemptAt: z.string(),
});

function requireExchange(deps: AppDeps): NonNullable<AppDeps['exchange']> {
  if (deps.exchange === undefined) throw new HttpProblem('not-found', 'this server is not a federation node (see comity node init)');
  return deps.exchange;
}

export async function registerExchangeRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.addContentTypeParser(EXCHANGE_MEDIA_TYPE, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/exchange/messages',
    { schema: { tags, summary: 'Deliver an envelope (compact JWE, application/jose) from a peer node; the answer is the signed receipt', body: z.string().max(4 * 1024 * 1024) } },
    async (request, reply) => {
      const exchange = requireExchange(deps);
      const answer = await exchange.runtime.receive(request.body);
      if (answer.outcome === 'deferred') {
        // Not final: the sender's relay retries (its transport reads this code as "not applied").
        reply.header('retry-after', '5');
        throw new HttpProblem('trust-pending', 'this node has no agreement, authority or key for the sender yet; retry later');
      }
      return reply.type(EXCHANGE_MEDIA_TYPE).header('x-comity-outcome', answer.outcome).send(answer.receipt);
    },
  );

  api.get('/api/exchange/jwks', { schema: { tags, summary: "This node's public keys (JWKS) with validity windows" } }, async () => {
    const exchange = requireExchange(deps);
    return nodeJwks(exchange.keys, exchange.runtime.identity.hosted);
  });

  api.get('/api/exchange/agreement', { schema: { tags, summary: "This node's signed peer agreement (as comity node export)" } }, async () => {
    const exchange = requireExchange(deps);
    return exportNode(deps.cases.db, exchange.keys, new Date(), ...(deps.ledger ? [deps.ledger.origin] : []));
  });

  api.get(
    '/api/cases/:id/deliveries',
    { schema: { tags, summary: 'Delivery state of each message of a case (queued, relayed, delivered, read, rejected, outcome-unknown)', params: z.strictObject({ id: z.string().min(1).max(64) }), response: { 200: z.array(deliverySchema) } } },
    async (request) => {
      // Tenant isolation: the policy's `case: 'either'` (the caller's authority is a side of the case).
      return deliveriesOf(deps.cases.db, { caseId: request.params.id });
    },
  );

  api.get(
    '/api/exchange/transfers/:transferId/chunks/:index',
    {
      schema: {
        tags,
        summary: 'One encrypted chunk of an evidence transfer this node holds for a peer (application/octet-stream); the transfer id and the key travel only inside the encrypted response',
        params: z.strictObject({ transferId: z.uuid(), index: z.coerce.number().int().min(0).max(1_000_000) }),
      },
    },
    async (request, reply) => {
      const exchange = requireExchange(deps);
      if (exchange.transfers === undefined) throw new HttpProblem('not-found', 'this node sends no evidence transfers');
      const chunk = await readOutgoingChunk(deps.cases.db, exchange.transfers, request.params.transferId, request.params.index);
      if (chunk === null) throw new HttpProblem('not-found', 'no such transfer chunk');
      return reply.type('application/octet-stream').header('cache-control', 'no-store').send(chunk);
    },
  );

  api.get(
    '/api/cases/:id/transfers',
    { schema: { tags, summary: 'Evidence transfers of a case between nodes: sent (out) and received or being fetched (in), with chunks received', params: z.strictObject({ id: z.string().min(1).max(64) }) } },
    async (request) => transfersOf(deps.cases.db, request.params.id),
  );

  api.get(
    '/api/exchange/rejected',
    {
      schema: {
        tags,
        summary: 'Incoming messages this node answered with a signed rejection (e.g. a request its legal engine finds without an applicable basis), for your authority',
        response: { 200: z.array(z.object({ messageId: z.string(), peer: z.string(), from: z.string(), to: z.string(), conversationId: z.string(), type: z.string(), action: z.string(), reason: z.string(), receivedAt: z.string() })) },
      },
    },
    async (request) => {
      const principal = request.principal as Principal;
      return incomingRejections(deps.cases.db, principal.authorityId === null ? {} : { authorityId: principal.authorityId });
    },
  );

  api.get('/api/exchange/stuck', { schema: { tags, summary: 'Messages without a final answer for too long (minutes in an emergency)', response: { 200: z.array(deliverySchema) } } }, async (request) => {
    const principal = request.principal as Principal;
    return stuckMessages(deps.cases.db, new Date(), principal.authorityId === null ? {} : { authorityId: principal.authorityId });
  });
}
