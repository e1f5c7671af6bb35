/**
 * @module http/routes/evidence
 * Evidence over HTTP: resumable streaming uploads (the core of tus 1.0 — create, ask the offset,
 * append at the offset — see `evidence/uploads.ts`), the list of items, the streaming decrypting
 * download (recorded as access), the chain of custody, and the evidence bundle.
 *
 * Upload bodies are never buffered: `application/offset+octet-stream` is handed to the use case
 * as the raw request stream, bounded by the length announced when the upload was created (the
 * JSON body limit stays for every other body).
 */
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../cases/index.js';
import { appendUpload, beginUpload, cancelUpload, evidenceMetadataSchema, listCustody, listEvidence, openEvidence, uploadStatus } from '../../evidence/index.js';
import { exportBundle } from '../../evidence/bundle.js';
import type { AppDeps } from '../deps.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';
import { attachmentDisposition } from './cases.js';

/** Media type of tus `PATCH` bodies. */
export const UPLOAD_MEDIA_TYPE = 'application/offset+octet-stream';
export const TUS_VERSION = '1.0.0';

function actorOf(principal: Principal): Actor {
  return { id: principal.actor, authorityId: principal.authorityId };
}

function signedIn(principal: Principal | null): Principal {
  if (!principal) throw new HttpProblem('unauthenticated');
  return principal;
}

const caseParams = z.strictObject({ id: z.string().min(1).max(64) });
const uploadParams = z.strictObject({ id: z.string().min(1).max(64), uploadId: z.string().min(1).max(64) });
const itemParams = z.strictObject({ id: z.string().min(1).max(64), itemId: z.string().min(1).max(64) });

export async function registerEvidenceRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const ev = deps.evidence;
  const tags = ['evidence'];

  /** The case's two sides, or 404 when the caller's authority is on neither (as in routes/cases.ts). */
  async function sidesOf(principal: Principal, caseId: string): Promise<{ requesting: string; addressee: string }> {
    const row = await deps.cases.db.selectFrom('cases').select(['requesting_authority_id', 'addressee_id', 'sent_at']).where('id', '=', caseId).executeTakeFirst();
    const visible = row !== undefined && principal.authorityId !== null && (row.requesting_authority_id === principal.authorityId || (row.addressee_id === principal.authorityId && row.sent_at !== null));
    if (!row || !visible) throw new HttpProblem('not-found', `no case ${caseId}`);
    return { requesting: row.requesting_authority_id, addressee: row.addressee_id };
  }

  async function requestedSide(principal: Principal, caseId: string): Promise<void> {
    const sides = await sidesOf(principal, caseId);
    if (principal.authorityId !== sides.addressee) throw new HttpProblem('forbidden', 'only the requested side produces evidence in its response');
  }

  // The raw body, unread: the use case consumes it as a stream.
  app.addContentTypeParser(UPLOAD_MEDIA_TYPE, (_request, payload, done) => done(null, payload));

  api.post(
    '/api/cases/:id/evidence/uploads',
    { schema: { tags, summary: 'Begin a resumable evidence upload (tus-style): announce the length and metadata; then PATCH the bytes', params: caseParams, body: evidenceMetadataSchema } },
    async (request, reply) => {
      const principal = signedIn(request.principal);
      await requestedSide(principal, request.params.id);
      const status = await beginUpload(ev, actorOf(principal), request.params.id, request.body);
      return reply
        .code(201)
        .header('location', `/api/cases/${status.caseId}/evidence/uploads/${status.id}`)
        .header('tus-resumable', TUS_VERSION)
        .header('upload-offset', String(status.offset))
        .header('upload-length', String(status.length))
        .header('upload-expires', new Date(status.expiresAt).toUTCString())
        .send(status);
    },
  );

  api.get('/api/cases/:id/evidence/uploads/:uploadId', { schema: { tags, summary: 'Where an upload stands: the offset to continue from (also in Upload-Offset)', params: uploadParams } }, async (request, reply) => {
    const principal = signedIn(request.principal);
    await requestedSide(principal, request.params.id);
    const status = await uploadStatus(ev, actorOf(principal), request.params.id, request.params.uploadId);
    return reply.header('tus-resumable', TUS_VERSION).header('upload-offset', String(status.offset)).header('upload-length', String(status.length)).header('upload-expires', new Date(status.expiresAt).toUTCString()).header('cache-control', 'no-store').send(status);
  });

  api.patch(
    '/api/cases/:id/evidence/uploads/:uploadId',
    { schema: { tags, summary: `Append bytes at Upload-Offset (body ${UPLOAD_MEDIA_TYPE}, streamed); the answer holds the new offset, and the item once complete`, params: uploadParams } },
    async (request, reply) => {
      const principal = signedIn(request.principal);
      await requestedSide(principal, request.params.id);
      const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== UPLOAD_MEDIA_TYPE) throw new HttpProblem('unsupported-media-type', `send the bytes as ${UPLOAD_MEDIA_TYPE}`);
      const offsetHeader = request.headers['upload-offset'];
      if (typeof offsetHeader !== 'string' || !/^\d{1,16}$/.test(offsetHeader)) throw new HttpProblem('invalid-request', 'the Upload-Offset header must be a non-negative integer', [{ field: 'upload-offset', message: 'required' }]);
      const result = await appendUpload(ev, actorOf(principal), request.params.id, request.params.uploadId, Number(offsetHeader), request.body as Readable);
      if (!result.item) reply.header('upload-expires', new Date(ev.cases.now().getTime() + ev.uploadExpiryHours * 3_600_000).toUTCString());
      return reply.header('tus-resumable', TUS_VERSION).header('upload-offset', String(result.offset)).header('upload-length', String(result.length)).code(result.item ? 201 : 200).send(result);
    },
  );

  api.delete('/api/cases/:id/evidence/uploads/:uploadId', { schema: { tags, summary: 'Cancel an upload: its staged bytes are removed', params: uploadParams } }, async (request, reply) => {
    const principal = signedIn(request.principal);
    await requestedSide(principal, request.params.id);
    await cancelUpload(ev, actorOf(principal), request.params.id, request.params.uploadId);
    return reply.code(204).send();
  });

  api.get('/api/cases/:id/evidence', { schema: { tags, summary: 'Evidence items of the case (metadata and SHA-256; deleted items keep their digest)', params: caseParams } }, async (request) => {
    const principal = signedIn(request.principal);
    await sidesOf(principal, request.params.id);
    return listEvidence(ev, request.params.id);
  });

  api.get('/api/cases/:id/evidence/custody', { schema: { tags, summary: 'Chain of custody of the case: signed events, oldest first, with names', params: caseParams } }, async (request) => {
    const principal = signedIn(request.principal);
    await sidesOf(principal, request.params.id);
    return listCustody(deps.cases.db, request.params.id);
  });

  api.get(
    '/api/cases/:id/evidence/export',
    {
      schema: {
        tags,
        summary: 'The evidence bundle of the case (ZIP: ASiC-E layout, BagIt, signed custody, VERIFY.txt), streamed; recorded in the chain as exported',
        params: caseParams,
        querystring: z.strictObject({ items: z.string().max(4000).regex(/^[0-9A-Za-z-]+(,[0-9A-Za-z-]+)*$/).optional(), purpose: z.string().max(500).optional() }),
      },
    },
    async (request, reply) => {
      const principal = signedIn(request.principal);
      await sidesOf(principal, request.params.id);
      const items = request.query.items?.split(',');
      // Refuse bad selections before the first byte: afterwards only the stream can fail.
      const present = (await listEvidence(ev, request.params.id)).filter((i) => i.deletedAt === null);
      if (present.length === 0) throw new HttpProblem('invalid-request', `case ${request.params.id} has no evidence to export`);
      const unknown = (items ?? []).filter((id) => !present.some((i) => i.id === id));
      if (unknown.length > 0) throw new HttpProblem('not-found', `no evidence ${unknown.join(', ')}`);
      const reference = (await deps.cases.db.selectFrom('cases').select('reference').where('id', '=', request.params.id).executeTakeFirstOrThrow()).reference;
      const out = new PassThrough();
      exportBundle(ev, actorOf(principal), request.params.id, out, { ...(items ? { items } : {}), ...(request.query.purpose ? { purpose: request.query.purpose } : {}) }).catch((error: unknown) => {
        request.log.error({ err: error }, 'evidence export failed');
        out.destroy(error as Error);
      });
      return reply
        .header('content-type', 'application/vnd.etsi.asic-e+zip')
        .header('content-disposition', attachmentDisposition(`${reference.replace(/[^A-Za-z0-9._-]/g, '_')}-evidence${items ? '-partial' : ''}.zip`))
        .header('cache-control', 'no-store')
        .send(out);
    },
  );

  api.get(
    '/api/cases/:id/evidence/:itemId/content',
    { schema: { tags, summary: 'Download an evidence item (streamed and decrypted; recorded in the chain of custody; x-content-sha256 carries its digest)', params: itemParams } },
    async (request, reply) => {
      const principal = signedIn(request.principal);
      await sidesOf(principal, request.params.id);
      const { item, content } = await openEvidence(ev, actorOf(principal), request.params.id, request.params.itemId);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(item.size))
        .header('content-disposition', attachmentDisposition(item.name ?? `${item.sha256}.bin`))
        .header('x-content-sha256', item.sha256)
        .header('x-content-media-type', item.mediaType)
        .header('cache-control', 'no-store')
        .send(content);
    },
  );
}
