/**
 * @module evidence/attachments-migration
 * Moves the attachments of release 0.1 (base64 JSON bodies of at most 5 MB, kept as plaintext
 * bytes in `case_attachments`) into the evidence store: each becomes an evidence item of its
 * case — sealed under the case key, content-addressed, with a signed `received` custody event
 * by the requested side's authority (the side that attached it) and an audit event naming both
 * ids. The attachment row then names its item (`evidence_item_id`), so running the move again
 * does nothing more (idempotent); an attachment whose bytes no longer match its recorded
 * SHA-256 is not moved but reported. Attachments of purged cases have no bytes left to move.
 * The attachment rows are kept (the attachment routes still answer) until a later release
 * drops them.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { writeAudit } from '../cases/audit.js';
import type { EvidenceContext } from './context.js';
import { addEvidence } from './uploads.js';

export interface AttachmentMove {
  attachmentId: string;
  caseId: string;
  itemId: string | null;
  /** Why it was not moved, when it was not. */
  problem: string | null;
}

export async function migrateAttachments(ev: EvidenceContext, options: { caseId?: string } = {}): Promise<AttachmentMove[]> {
  const db = ev.cases.db;
  let query = db
    .selectFrom('case_attachments')
    .innerJoin('cases', 'cases.id', 'case_attachments.case_id')
    .select(['case_attachments.id', 'case_attachments.case_id', 'case_attachments.name', 'case_attachments.size', 'case_attachments.sha256', 'case_attachments.uploaded_by', 'case_attachments.uploaded_at', 'cases.addressee_id', 'cases.purged_at'])
    .where('case_attachments.evidence_item_id', 'is', null)
    .orderBy('case_attachments.uploaded_at')
    .orderBy('case_attachments.id');
  if (options.caseId !== undefined) query = query.where('case_attachments.case_id', '=', options.caseId);
  const rows = await query.execute();
  const moves: AttachmentMove[] = [];
  for (const row of rows) {
    if (row.purged_at !== null) {
      moves.push({ attachmentId: row.id, caseId: row.case_id, itemId: null, problem: 'the case was purged: no bytes to move' });
      continue;
    }
    // One attachment's bytes in memory at a time (5 MiB at most).
    const content = await db.selectFrom('case_attachments').select('content').where('id', '=', row.id).executeTakeFirstOrThrow();
    const bytes = Buffer.from(content.content);
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== row.sha256 || bytes.length !== Number(row.size)) {
      moves.push({ attachmentId: row.id, caseId: row.case_id, itemId: null, problem: `its bytes (SHA-256 ${digest}, ${bytes.length} bytes) differ from those recorded at upload (${row.sha256}, ${row.size} bytes): not moved` });
      continue;
    }
    const actor = { id: row.uploaded_by, authorityId: row.addressee_id };
    const producer = (await db.selectFrom('authorities').select('name').where('id', '=', row.addressee_id).executeTakeFirst())?.name ?? row.addressee_id;
    const item = await addEvidence(
      ev,
      actor,
      row.case_id,
      { name: row.name, length: bytes.length, dataCategory: 'other', producer, description: `Attachment ${row.id} of release 0.1, uploaded ${row.uploaded_at} by ${row.uploaded_by}, moved into the evidence store` },
      Readable.from([bytes]),
      { anyCaseState: true },
    );
    await ev.cases.transaction(async (trx) => {
      await trx.updateTable('case_attachments').set({ evidence_item_id: item.id }).where('id', '=', row.id).execute();
      await writeAudit(trx, { id: ev.cases.newId(), actor: 'system', action: 'evidence.attachment-moved', objectType: 'case', objectId: row.case_id, at: ev.cases.now().toISOString(), before: null, after: null, details: { attachmentId: row.id, itemId: item.id, sha256: digest } });
    });
    moves.push({ attachmentId: row.id, caseId: row.case_id, itemId: item.id, problem: null });
  }
  return moves;
}
