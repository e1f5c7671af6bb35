/**
 * @module http/routes/cases
 * Cases over HTTP. Tenant isolation first: a case that is neither from nor addressed to the
 * caller's authority answers 404 exactly like a case that does not exist (decided by the guard
 * from the policy table, before any handler runs), and lists, counts, clocks and notifications
 * are filtered in the query, never after it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ATTACHMENT_MAX_BASE64,
  ATTACHMENT_MAX_BYTES,
  CASE_EVENTS,
  CASE_STATES,
  addAttachment,
  attachmentInputSchema,
  authorityInputSchema,
  base64DecodedLength,
  createAuthority,
  createCase,
  createCaseOnce,
  getAuthority,
  IDEMPOTENCY_KEY_PATTERN,
  getCase,
  listAttachments,
  listAuthorities,
  listCases,
  listDeadlines,
  readAttachment,
  readCase,
  caseFile,
  caseTargets,
  requestSchema,
  transitionCase,
  updateDraft,
  type Actor,
} from '../../cases/index.js';
import type { AppDeps } from '../deps.js';
import { noteCaseRead } from '../../exchange/read-notice.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';
import { caseStatistics, statisticsCsv } from '../stats.js';
import { logPositions } from './ledger.js';
import { actorViews } from '../actor-names.js';
import { caseDocument, documentQuerySchema, localizeClocks } from './documents.js';

function actorOf(principal: Principal): Actor {
  return { id: principal.actor, authorityId: principal.authorityId };
}

function own(principal: Principal | null): string[] {
  return principal?.authorityId ? [principal.authorityId] : [];
}

const caseId = z.strictObject({ id: z.string().min(1).max(64) });

/** The caller; a route reached without one (HEAD skips the policy hook) answers 401, not a TypeError. */
function signedIn(principal: Principal | null): Principal {
  if (!principal) throw new HttpProblem('unauthenticated');
  return principal;
}

/** `Content-Disposition: attachment` with an ASCII fallback name and the exact name (RFC 6266, RFC 8187). */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/** Room for the JSON around an attachment's base64 content (name, media type, escapes). */
const ATTACHMENT_BODY_LIMIT = ATTACHMENT_MAX_BASE64 + 64 * 1024;

export async function registerCaseRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['cases'];

  api.get(
    '/api/cases',
    {
      schema: {
        tags,
        summary: 'Cases of your authority (requested by it or addressed to it), newest change first; page with `after` = the previous page’s `nextCursor` (or `offset`)',
        querystring: z.strictObject({
          state: z.enum(CASE_STATES).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
          offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
          /** Keyset pagination (cheap at any depth): the `nextCursor` of the previous page; replaces `offset`. */
          after: z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'a nextCursor value').optional(),
          /** Search: reference (prefix) or any text of the request (own reference, identifiers). */
          q: z.string().trim().min(1).max(200).optional(),
          addressee: z.string().min(1).max(100).optional(),
          emergency: z.enum(['true', 'false']).optional(),
          /** Created from this date (inclusive) / up to this date (inclusive), YYYY-MM-DD, UTC. */
          from: z.iso.date().optional(),
          to: z.iso.date().optional(),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      return listCases(deps.cases, {
        authorityIds: own(request.principal),
        ...(q.state ? { states: [q.state] } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.offset ? { offset: q.offset } : {}),
        ...(q.after ? { after: q.after } : {}),
        ...(q.q ? { search: q.q } : {}),
        ...(q.addressee ? { addresseeId: q.addressee } : {}),
        ...(q.emergency ? { emergency: q.emergency === 'true' } : {}),
        ...(q.from ? { createdFrom: `${q.from}T00:00:00.000Z` } : {}),
        ...(q.to ? { createdBefore: new Date(Date.parse(`${q.to}T00:00:00.000Z`) + 86_400_000).toISOString() } : {}),
      });
    },
  );

  api.post(
    '/api/cases',
    {
      schema: {
        tags,
        summary: 'Draft a request for electronic evidence',
        description:
          'With an `Idempotency-Key` header (1–255 visible ASCII characters, e.g. a UUID), sending the same request again with the same key within 24 hours answers with the case created the first time (header `idempotent-replayed: true`) instead of creating another; the same key with a different request is refused (`idempotency-key-reused`).',
        headers: z.looseObject({ 'idempotency-key': z.string().regex(IDEMPOTENCY_KEY_PATTERN, '1 to 255 visible ASCII characters').optional() }),
        body: requestSchema,
      },
    },
    async (request, reply) => {
      const principal = request.principal as Principal;
      if (principal.authorityId === null || request.body.requestingAuthority !== principal.authorityId) {
        throw new HttpProblem('forbidden', 'a request can only be drafted for your own authority');
      }
      const key = request.headers['idempotency-key'];
      if (key === undefined) return reply.code(201).send(await createCase(deps.cases, actorOf(principal), request.body));
      const once = await createCaseOnce(deps.cases, actorOf(principal), request.body, key);
      if (once.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(once.case);
    },
  );

  api.get('/api/cases/:id', { schema: { tags, summary: 'One case in full: request, history, clocks (the read is recorded)', params: caseId } }, async (request) => {
    const principal = signedIn(request.principal);
    const detail = await getCase(deps.cases, actorOf(principal), request.params.id);
    // Federation: the first opening by the addressee of a request from a peer is the `read` state at the sender.
    if (deps.exchange) await noteCaseRead(deps.exchange.runtime, request.params.id, principal.authorityId, new Date());
    // Names and roles instead of ids (issue 16): `actors` maps each actor id of the history.
    return { ...detail, actors: await actorViews(deps.cases.db, detail.history.map((e) => e.actor), principal.authorityId) };
  });

  // Issue 16: the investigation file of a request — the requesting side's own filing: its other
  // requests (to other addressees too), so only the requesting side reads it (policies.ts).
  api.get('/api/cases/:id/linked', { schema: { tags, summary: 'The investigation file of a request (requesting side): the requests under the same own reference, which follows which, and the preservation clocks (Budapest Art. 29(7))', params: caseId } }, async (request) => {
    const row = await readCase(deps.cases.db, request.params.id);
    if (!row) throw new HttpProblem('not-found');
    return { file: await caseFile(deps.cases, row) };
  });

  api.get('/api/cases/:id/targets', { schema: { tags, summary: 'Internal target clocks of an emergency request (not legal deadlines), per side', params: caseId } }, async (request) => {
    return { targets: await caseTargets(deps.cases.db, request.params.id) };
  });

  api.put(
    '/api/cases/:id',
    {
      schema: {
        tags,
        summary: 'Save a draft again (the whole request, as for POST /api/cases): only a draft, only by the requesting authority',
        params: caseId,
        querystring: z.strictObject({ expectedVersion: z.coerce.number().int().positive().optional() }),
        body: requestSchema,
      },
    },
    async (request) => {
      const principal = signedIn(request.principal);
      if (request.body.requestingAuthority !== principal.authorityId) throw new HttpProblem('forbidden', 'a request can only be drafted for your own authority');
      const expectedVersion = request.query.expectedVersion;
      return updateDraft(deps.cases, actorOf(principal), request.params.id, request.body, expectedVersion === undefined ? {} : { expectedVersion });
    },
  );

  api.get('/api/cases/:id/pdf', { schema: { tags, summary: 'The case\'s formal document as a PDF: the official form for its basis (or `form`), in the request\'s language (or `language`); signed (PAdES) when the caller issues it for the issuing authority, its digest audited; the read is recorded', params: caseId, querystring: documentQuerySchema } }, async (request, reply) => {
    const principal = signedIn(request.principal);
    const detail = await getCase(deps.cases, actorOf(principal), request.params.id);
    const [requesting, addressee] = await Promise.all([getAuthority(deps.cases.db, detail.requestingAuthorityId), getAuthority(deps.cases.db, detail.addresseeId)]);
    if (!requesting || !addressee) throw new HttpProblem('not-found', `no case ${request.params.id}`);
    const { pdf, sha256, signed } = await caseDocument(deps, principal, { detail, requesting, addressee, query: request.query });
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${detail.reference.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf"`)
      .header('cache-control', 'no-store')
      .header('x-content-sha256', sha256)
      .header('x-document-signed', String(signed))
      .send(pdf);
  });

  api.post(
    '/api/cases/:id/attachments',
    {
      bodyLimit: Math.max(deps.config.bodyLimitBytes, ATTACHMENT_BODY_LIMIT),
      schema: { tags, summary: `Attach a file to the response (requested side; accepted, partially executed or executed; at most ${ATTACHMENT_MAX_BYTES} bytes)`, params: caseId, body: attachmentInputSchema },
    },
    async (request, reply) => {
      const principal = signedIn(request.principal);
      if (base64DecodedLength(request.body.contentBase64) > ATTACHMENT_MAX_BYTES) throw new HttpProblem('payload-too-large', `an attachment has at most ${ATTACHMENT_MAX_BYTES} bytes`);
      const created = await addAttachment(deps.cases, actorOf(principal), request.params.id, request.body);
      return reply.code(201).send(created);
    },
  );

  api.get('/api/cases/:id/attachments', { schema: { tags, summary: 'Attachments of the response (metadata: name, media type, size, SHA-256)', params: caseId } }, async (request) => {
    return listAttachments(deps.cases, request.params.id);
  });

  api.get(
    '/api/cases/:id/attachments/:attachmentId',
    { schema: { tags, summary: 'Download an attachment (the read is recorded; x-content-sha256 carries its digest)', params: z.strictObject({ id: z.string().min(1).max(64), attachmentId: z.string().min(1).max(64) }) } },
    async (request, reply) => {
      const principal = signedIn(request.principal);
      const file = await readAttachment(deps.cases, actorOf(principal), request.params.id, request.params.attachmentId);
      return reply
        // Typed from the content at upload (cases/media-type.ts); never rendered inline (attachment, nosniff).
        .header('content-type', file.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : file.mediaType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', attachmentDisposition(file.name))
        .header('x-content-sha256', file.sha256)
        .header('cache-control', 'no-store')
        .send(file.content);
    },
  );

  api.get('/api/cases/:id/audit', { schema: { tags, summary: 'Audit events of a case (digests, no content)', params: caseId } }, async (request) => {
    const rows = await deps.cases.db.selectFrom('audit_events').selectAll().where('object_type', '=', 'case').where('object_id', '=', request.params.id).orderBy('seq').execute();
    // Each event's place in the transparency log and the size of the latest checkpoint (issue 11).
    const log = await logPositions(deps, rows.map((r) => r.id));
    const actors = await actorViews(deps.cases.db, rows.map((r) => r.actor), request.principal?.authorityId ?? null);
    return rows.map((r) => ({ id: r.id, seq: Number(r.seq), actor: r.actor, actorView: actors[r.actor] ?? null, action: r.action, at: r.at, beforeDigest: r.before_digest, afterDigest: r.after_digest, logIndex: log.positions.get(r.id) ?? null, checkpointSize: log.checkpointSize }));
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
          .nullable()
          .default(null),
      },
    },
    async (request) => {
      const principal = signedIn(request.principal);
      // Side, role and separation of duties were decided by the guard (policies.ts CASE_EVENT_ROLES).
      // An event with nothing to add may come without a body.
      const body = request.body ?? {};
      const changed = await transitionCase(deps.cases, actorOf(principal), request.params.id, request.params.event, {
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
        ...(body.review !== undefined ? { review: body.review } : {}),
        ...(body.assessment !== undefined ? { assessment: body.assessment } : {}),
        ...(body.response !== undefined ? { response: body.response } : {}),
        ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}),
      });
      // The event was queued for notification in its transaction (migration 0065): dispatch it now.
      deps.notifications?.kick();
      return changed;
    },
  );

  api.get(
    '/api/deadlines',
    { schema: { tags, summary: 'Running legal clocks of your cases, soonest first (descriptions in `lang`, default English)', querystring: z.strictObject({ overdue: z.enum(['true', 'false']).optional(), dueWithinHours: z.coerce.number().int().min(1).max(24 * 366).optional(), lang: z.string().regex(/^[a-z]{2,3}$/).optional() }) } },
    async (request) => {
      const q = request.query;
      const clocks = await listDeadlines(deps.cases, { authorityIds: own(request.principal), overdue: q.overdue === 'true', ...(q.dueWithinHours ? { dueWithinHours: q.dueWithinHours } : {}) });
      return q.lang === undefined ? clocks : localizeClocks(clocks, q.lang);
    },
  );

  api.get('/api/notifications', { schema: { tags, summary: 'Notifications for your authority (e.g. overdue clocks)' } }, async (request) => {
    const ids = own(request.principal);
    if (ids.length === 0) return [];
    return deps.cases.db.selectFrom('notifications').select(['id', 'case_id as caseId', 'kind', 'message', 'created_at as createdAt', 'read_at as readAt']).where('authority_id', 'in', ids).orderBy('created_at', 'desc').limit(200).execute();
  });

  const statsQuery = z.strictObject({
    /** Period of sending (or creation for drafts), YYYY-MM-DD inclusive, UTC. */
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    instrument: z.string().regex(/^[A-Za-z0-9-]{2,40}$/).optional(),
    emergency: z.enum(['true', 'false']).optional(),
  });
  const statsFilter = (q: z.infer<typeof statsQuery>) => ({
    ...(q.from ? { from: `${q.from}T00:00:00.000Z` } : {}),
    ...(q.to ? { before: new Date(Date.parse(`${q.to}T00:00:00.000Z`) + 86_400_000).toISOString() } : {}),
    ...(q.instrument ? { instrument: q.instrument } : {}),
    ...(q.emergency ? { emergency: q.emergency === 'true' } : {}),
  });
  api.get('/api/stats', { schema: { tags, summary: 'Statistics of your authority’s cases: by state, measure and party (outgoing: sent requests only); time to response; refusals by ground; filtered by period, instrument and emergency', querystring: statsQuery } }, async (request) =>
    caseStatistics(deps.cases, own(request.principal), statsFilter(request.query)),
  );

  api.get(
    '/api/stats.csv',
    { schema: { tags, summary: 'The same statistics as CSV (RFC 4180, header row): one long table section,key,party,value (see src/http/stats.ts)', querystring: statsQuery } },
    async (request, reply) => {
      const csv = statisticsCsv(await caseStatistics(deps.cases, own(request.principal), statsFilter(request.query)), CASE_STATES);
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', `attachment; filename="comity-statistics-${day}.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  api.get('/api/authorities', { schema: { tags: ['authorities'], summary: 'Registered authorities (directory)' } }, async () => listAuthorities(deps.cases));

  api.post('/api/authorities', { schema: { tags: ['authorities'], summary: 'Register an authority (platform administrator)', body: authorityInputSchema } }, async (request, reply) => {
    const created = await createAuthority(deps.cases, actorOf(request.principal as Principal), request.body);
    return reply.code(201).send(created);
  });
}
