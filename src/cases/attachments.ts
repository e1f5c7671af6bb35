/**
 * @module cases/attachments
 * Files the requested side attaches to its response (the data produced, a certificate, a
 * covering letter), while the case is accepted, partially executed or executed. Stored with the
 * case as bytes with their size and SHA-256; the upload writes an audit event (digests, no
 * content) in the same transaction, every download is recorded as an access to the case, and the
 * retention purge deletes them.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { writeAudit } from './audit.js';
import type { Actor, CaseContext } from './context.js';
import { CaseError, zodIssues } from './errors.js';
import { sniffMediaType } from './media-type.js';
import { isVisibleName, VISIBLE_NAME_MESSAGE } from './visible-text.js';
import type { CaseState } from './workflow.js';

/** Largest attachment, decoded: 5 MiB. */
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;

/** Base64 length of {@link ATTACHMENT_MAX_BYTES} bytes (padded). */
export const ATTACHMENT_MAX_BASE64 = Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4;

/** States in which the requested side may attach files to its response. */
export const ATTACHMENT_STATES: readonly CaseState[] = ['accepted', 'partially-executed', 'executed'];

/** Bytes a base64 text decodes to (without decoding it). */
export function base64DecodedLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

export const attachmentInputSchema = z.strictObject({
  /** File name as shown to people; no path, no control characters. */
  name: z
    .string()
    .min(1)
    .max(255)
    // eslint-disable-next-line no-control-regex
    .refine((v) => !/[\u0000-\u001f\u007f/\\]/.test(v) && v.trim() === v && v !== '.' && v !== '..', 'a file name without path or control characters')
    // A name like "invoice\u202Efdp.exe" reads "invoiceexe.pdf": the next reader must see the real name.
    .refine(isVisibleName, VISIBLE_NAME_MESSAGE),
  /** IANA media type, e.g. application/pdf, as the uploader sees it; the stored type is read from the content. */
  mediaType: z
    .string()
    .max(255)
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i, 'a media type such as application/pdf'),
  /** The content, base64 (RFC 4648, padded). */
  contentBase64: z
    .string()
    .min(4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
    .refine((v) => v.length % 4 === 0, 'base64 with padding'),
});
export type AttachmentInput = z.input<typeof attachmentInputSchema>;

export interface AttachmentView {
  id: string;
  caseId: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
}

const METADATA = ['id', 'case_id', 'name', 'media_type', 'size', 'sha256', 'uploaded_by', 'uploaded_at'] as const;

function present(row: { id: string; case_id: string; name: string; media_type: string; size: number; sha256: string; uploaded_by: string; uploaded_at: string }): AttachmentView {
  return { id: row.id, caseId: row.case_id, name: row.name, mediaType: row.media_type.toLowerCase(), size: Number(row.size), sha256: row.sha256, uploadedBy: row.uploaded_by, uploadedAt: row.uploaded_at };
}

/**
 * Attaches a file to the response of a case: only by the addressee (unless the system acts), only
 * while the case is accepted, partially executed or executed.
 */
export async function addAttachment(ctx: CaseContext, actor: Actor, caseId: string, input: unknown): Promise<AttachmentView> {
  const parsed = attachmentInputSchema.safeParse(input);
  if (!parsed.success) throw new CaseError('invalid-request', 'invalid attachment', zodIssues(parsed.error));
  // The claimed media type is read and ignored: the stored one comes from the content (media-type.ts).
  const { name, contentBase64 } = parsed.data;
  if (base64DecodedLength(contentBase64) > ATTACHMENT_MAX_BYTES) {
    throw new CaseError('invalid-request', `the attachment is larger than ${ATTACHMENT_MAX_BYTES} bytes`, [{ field: 'contentBase64', message: `at most ${ATTACHMENT_MAX_BYTES} bytes` }]);
  }
  const content = Buffer.from(contentBase64, 'base64');
  if (content.length === 0) throw new CaseError('invalid-request', 'the attachment is empty', [{ field: 'contentBase64', message: 'at least one byte' }]);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const mediaType = sniffMediaType(content);
  return ctx.transaction(async (trx) => {
    const row = await trx.selectFrom('cases').select(['id', 'state', 'addressee_id']).where('id', '=', caseId).executeTakeFirst();
    if (!row) throw new CaseError('not-found', `no case ${caseId}`);
    if (actor.authorityId !== null && actor.authorityId !== row.addressee_id) throw new CaseError('forbidden', 'only the requested side attaches files to its response');
    if (!ATTACHMENT_STATES.includes(row.state as CaseState)) {
      throw new CaseError('invalid-transition', `cannot attach a file to a case that is ${row.state}: only when it is ${ATTACHMENT_STATES.join(', ')}`);
    }
    const at = ctx.now().toISOString();
    const stored = { id: ctx.newId(), case_id: caseId, name, media_type: mediaType.toLowerCase(), size: content.length, sha256, uploaded_by: actor.id, uploaded_at: at };
    await trx.insertInto('case_attachments').values({ ...stored, content }).execute();
    // The audit trail holds digests, not the file or its name (which may name a person).
    await writeAudit(trx, {
      id: ctx.newId(),
      actor: actor.id,
      action: 'attachment.add',
      objectType: 'case',
      objectId: caseId,
      at,
      before: null,
      after: { ...stored, name: null },
      details: { attachmentId: stored.id, sha256, size: content.length, mediaType: stored.media_type },
    });
    return present(stored);
  });
}

/** The attachments of a case (metadata only), oldest first. */
export async function listAttachments(ctx: CaseContext, caseId: string): Promise<AttachmentView[]> {
  const rows = await ctx.db.selectFrom('case_attachments').select(METADATA).where('case_id', '=', caseId).orderBy('uploaded_at').orderBy('id').execute();
  return rows.map(present);
}

/** One attachment with its content; the read is recorded as an access to the case. */
export async function readAttachment(ctx: CaseContext, actor: Actor, caseId: string, attachmentId: string): Promise<AttachmentView & { content: Buffer }> {
  return ctx.transaction(async (trx) => {
    const row = await trx.selectFrom('case_attachments').selectAll().where('id', '=', attachmentId).where('case_id', '=', caseId).executeTakeFirst();
    if (!row) throw new CaseError('not-found', `no attachment ${attachmentId}`);
    await trx.insertInto('case_access').values({ id: ctx.newId(), case_id: caseId, actor: actor.id, action: 'attachment', at: ctx.now().toISOString() }).execute();
    const bytes = row.content;
    const content = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { ...present(row), content };
  });
}
