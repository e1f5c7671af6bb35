/**
 * @module http/routes/eorders
 * Regulation (EU) 2023/1543 over HTTP: service providers (with whether an order from the caller's
 * State is offered to their representative), EPOC / EPOC-PR orders, their events and their rules.
 * An order is visible only to the authorities taking part in it (issuing; addressee once
 * delivered; enforcing authority once notified): any other caller gets 404, as for an unknown id.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { calendarDateIn } from '../../clock/index.js';
import { createOrder, createProvider, documentFileName, documentIssuedAt, getOrder, listOrders, listProviders, orderDocument, orderEvent, orderFormOptions, signerOf, signOrderDocument, orderInputSchema, orderRules, providerInputSchema, sweepOrders, ORDER_EVENTS, ORDER_FORMS, ORDER_FORM_LANGUAGES } from '../../eorders/index.js';
import type { AppDeps } from '../deps.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';
import { keysOf } from './documents.js';

function signedIn(principal: Principal | null): Principal {
  if (!principal) throw new HttpProblem('unauthenticated');
  return principal;
}

const actorOf = (p: Principal) => ({ id: p.actor, authorityId: p.authorityId });

export async function registerOrderRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['e-evidence orders'];

  api.get(
    '/api/providers',
    { schema: { tags, summary: 'Service providers, with their designated establishment or legal representative (Directive (EU) 2023/1544) and whether an EPOC from `from` (default: your State) is offered', querystring: z.strictObject({ from: z.string().regex(/^[A-Z]{2}$/).optional() }) } },
    async (request) => {
      const principal = signedIn(request.principal);
      let from = request.query.from ?? null;
      let timeZone = 'UTC';
      if (principal.authorityId !== null) {
        const own = await deps.cases.db.selectFrom('authorities').select(['party', 'time_zone']).where('id', '=', principal.authorityId).executeTakeFirst();
        from ??= own?.party ?? null;
        timeZone = own?.time_zone ?? 'UTC';
      }
      return listProviders(deps.cases, from, calendarDateIn(deps.cases.now().getTime(), timeZone));
    },
  );

  api.post('/api/providers', { schema: { tags, summary: 'Register a service provider and the authority account of its representative', body: providerInputSchema } }, async (request, reply) => {
    const principal = signedIn(request.principal);
    return reply.code(201).send(await createProvider(deps.cases, actorOf(principal), request.body));
  });

  api.get('/api/orders/rules', { schema: { tags, summary: 'The cited rules of the order’s life: clocks, notification, Annex III reasons, Art. 17, Art. 16, Art. 4' } }, async () => ({ ...orderRules(), issuing: deps.cases.kb.issuing }));

  api.get('/api/orders/form', { schema: { tags, summary: 'The order form’s options for your account: the Art. 4 kinds of issuing authority your authority may declare (the same data drafting and approval check against)' } }, async (request) => orderFormOptions(deps.cases, actorOf(signedIn(request.principal))));

  api.get('/api/orders', { schema: { tags, summary: 'Orders your authority takes part in (issuing, addressee, enforcing authority)' } }, async (request) => {
    await sweepOrders(deps.cases);
    return listOrders(deps.cases, actorOf(signedIn(request.principal)));
  });

  api.post('/api/orders', { schema: { tags, summary: 'Draft an EPOC (Annex I) or EPOC-PR (Annex II) from its certificate', body: orderInputSchema } }, async (request, reply) => {
    const principal = signedIn(request.principal);
    return reply.code(201).send(await createOrder(deps.cases, actorOf(principal), request.body));
  });

  api.get('/api/orders/:id', { schema: { tags, summary: 'One order: certificate, parties, history, clocks, and the events you may record', params: z.strictObject({ id: z.string().min(1).max(64) }) } }, async (request) => {
    await sweepOrders(deps.cases);
    return getOrder(deps.cases, actorOf(signedIn(request.principal)), request.params.id);
  });

  api.get(
    '/api/orders/:id/document',
    {
      schema: {
        tags,
        summary: 'A certificate of the order as PDF, printed from its structured data: Annex I (EPOC), II (EPOC-PR), III (impossibility), V (confirmation of a request for production), VI (extension)',
        params: z.strictObject({ id: z.string().min(1).max(64) }),
        querystring: z.strictObject({ form: z.enum(ORDER_FORMS), lang: z.enum(ORDER_FORM_LANGUAGES).default('en'), part: z.enum(['pdf', 'signature']).default('pdf') }),
      },
    },
    async (request, reply) => {
      const principal = signedIn(request.principal);
      const order = await getOrder(deps.cases, actorOf(principal), request.params.id);
      const { form, lang, part } = request.query;
      // The signing authority's staff get the signed form (the PDF says so, the .p7s signs it);
      // every other party gets a copy marked unsigned.
      const signer = signerOf(order, form);
      const signs = principal.authorityId === signer.id && order.state !== 'draft';
      if (part === 'signature' && !signs) throw new HttpProblem('forbidden', `only ${signer.name} signs this form, once the order is issued`);
      const pdf = await orderDocument(order, form, lang, documentIssuedAt(order, form), signs);
      const name = documentFileName(order, form);
      if (part === 'pdf') return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(pdf);
      const p7s = await signOrderDocument(keysOf(deps), signer, new URL(deps.config.publicUrl).host, pdf, deps.cases.now());
      return reply.header('content-type', 'application/pkcs7-signature').header('content-disposition', `attachment; filename="${name}.p7s"`).send(p7s);
    },
  );

  api.post(
    '/api/orders/:id/events/:event',
    {
      schema: {
        tags,
        summary: 'Record an event of the order for your party; roles per event are in the policy table (ORDER_EVENT_ROLES)',
        params: z.strictObject({ id: z.string().min(1).max(64), event: z.enum(ORDER_EVENTS) }),
        body: z.strictObject({ reason: z.string().max(4000).optional(), expectedVersion: z.number().int().positive().optional(), validation: z.unknown().optional(), form: z.unknown().optional() }).nullable().default(null),
      },
    },
    async (request) => {
      const principal = signedIn(request.principal);
      await sweepOrders(deps.cases);
      return orderEvent(deps.cases, actorOf(principal), request.params.id, request.params.event, request.body ?? {});
    },
  );
}
