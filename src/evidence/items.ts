/**
 * @module evidence/items
 * Evidence items: listing, the streaming decrypting download (recorded as access in the chain
 * of custody before the first byte leaves), and deletion when the case's retention ends (blob
 * and content key gone; the item keeps its digest and size, the chain a `deleted` event).
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { SYSTEM_ACTOR, type Actor } from '../cases/index.js';
import type { EvidenceItemsTable } from '../db/schema.js';
import { caseKey } from './case-keys.js';
import { DecryptStream } from './chunked-cipher.js';
import type { EvidenceContext } from './context.js';
import { appendCustody, signerFor } from './custody.js';
import { EvidenceError } from './errors.js';
import type { EvidenceItemView } from './metadata.js';

export function presentItem(row: EvidenceItemsTable): EvidenceItemView {
  return {
    id: row.id,
    caseId: row.case_id,
    name: row.original_name,
    description: row.description,
    dataCategory: row.data_category,
    producer: row.producer,
    mediaType: row.media_type,
    size: Number(row.size),
    sha256: row.sha256,
    producedAt: row.produced_at,
    receivedAt: row.received_at,
    receivedBy: row.received_by,
    deletedAt: row.deleted_at,
  };
}

/** The evidence of a case, oldest first (deleted items too: their digests remain). */
export async function listEvidence(ev: EvidenceContext, caseId: string): Promise<EvidenceItemView[]> {
  const rows = await ev.cases.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).orderBy('received_at').orderBy('id').execute();
  return rows.map(presentItem);
}

/** Fails the stream at its end unless the plaintext has the recorded digest and size. */
export class DigestCheck extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  constructor(
    private readonly sha256: string,
    private readonly size: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    const digest = this.hash.digest('hex');
    if (digest !== this.sha256 || this.bytes !== this.size) callback(new EvidenceError('integrity', `the stored evidence does not match its recorded digest (${digest.slice(0, 16)}… ≠ ${this.sha256.slice(0, 16)}…)`));
    else callback();
  }
}

/** The plaintext of a stored blob, checked chunk by chunk (GCM) and as a whole (SHA-256). No custody event: see {@link openEvidence}. */
export async function blobPlaintext(ev: EvidenceContext, row: EvidenceItemsTable): Promise<Readable> {
  const key = await caseKey(ev.cases.db, ev.keys, row.case_id, ev.cases.now());
  const sealed = await ev.blobs.get(row.blob_key);
  if (sealed === null) throw new EvidenceError('integrity', `the blob of evidence ${row.id} is missing from the store`);
  const decrypt = new DecryptStream(key);
  const check = new DigestCheck(row.sha256, Number(row.size));
  sealed.on('error', (error) => decrypt.destroy(error));
  decrypt.on('error', (error) => check.destroy(error));
  return sealed.pipe(decrypt).pipe(check);
}

export async function itemRow(ev: EvidenceContext, caseId: string, itemId: string): Promise<EvidenceItemsTable> {
  const row = await ev.cases.db.selectFrom('evidence_items').selectAll().where('id', '=', itemId).where('case_id', '=', caseId).executeTakeFirst();
  if (!row) throw new EvidenceError('not-found', `no evidence ${itemId}`);
  if (row.deleted_at !== null) throw new EvidenceError('gone', `evidence ${itemId} was deleted under retention on ${row.deleted_at}`);
  return row;
}

/** Opens an item for reading: records the access (custody and case access) first, then streams the plaintext. */
export async function openEvidence(ev: EvidenceContext, actor: Actor, caseId: string, itemId: string, purpose = 'download'): Promise<{ item: EvidenceItemView; content: Readable }> {
  const row = await itemRow(ev, caseId, itemId);
  const now = ev.cases.now();
  const signer = await signerFor(ev.keys, actor.authorityId, now);
  const at = now.toISOString();
  await ev.cases.transaction(async (trx) => {
    await appendCustody(trx, signer, { id: ev.cases.newId(), caseId, event: 'accessed', at, actor: actor.id, authorityId: actor.authorityId, item: { id: row.id, sha256: row.sha256, size: Number(row.size) }, details: { purpose } });
    await trx.insertInto('case_access').values({ id: ev.cases.newId(), case_id: caseId, actor: actor.id, action: 'evidence', at }).execute();
  });
  return { item: presentItem(row), content: await blobPlaintext(ev, row) };
}

/**
 * Deletes the evidence of a case whose retention ended: every blob really removed from the
 * store, the content key destroyed, names and descriptions cleared; digests, sizes and a signed
 * `deleted` event per item remain. Idempotent.
 */
export async function deleteCaseEvidence(ev: EvidenceContext, caseId: string, reason: string): Promise<number> {
  const rows = await ev.cases.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).where('deleted_at', 'is', null).orderBy('received_at').orderBy('id').execute();
  const now = ev.cases.now();
  const at = now.toISOString();
  const signer = await signerFor(ev.keys, null, now);
  for (const row of rows) await ev.blobs.delete(row.blob_key);
  const uploads = await ev.cases.db.selectFrom('evidence_uploads').select('id').where('case_id', '=', caseId).execute();
  await ev.cases.transaction(async (trx) => {
    for (const row of rows) {
      await trx.updateTable('evidence_items').set({ deleted_at: at, original_name: null, description: null }).where('id', '=', row.id).execute();
      await appendCustody(trx, signer, { id: ev.cases.newId(), caseId, event: 'deleted', at, actor: SYSTEM_ACTOR.id, authorityId: null, item: { id: row.id, sha256: row.sha256, size: Number(row.size) }, details: { reason } });
    }
    await trx.updateTable('evidence_case_keys').set({ wrapped: null, destroyed_at: at }).where('case_id', '=', caseId).execute();
    await trx.deleteFrom('evidence_uploads').where('case_id', '=', caseId).execute();
  });
  for (const upload of uploads) {
    ev.uploads.delete(upload.id);
    await rm(join(ev.stagingDir, `${upload.id}.sealed`), { force: true });
  }
  return rows.length;
}

/** Deletes the evidence of every case the retention purge has purged (see `cases/retention.ts`). */
export async function purgeExpiredEvidence(ev: EvidenceContext): Promise<number> {
  const due = await ev.cases.db
    .selectFrom('evidence_items')
    .innerJoin('cases', 'cases.id', 'evidence_items.case_id')
    .select('evidence_items.case_id')
    .distinct()
    .where('cases.purged_at', 'is not', null)
    .where('evidence_items.deleted_at', 'is', null)
    .limit(100)
    .execute();
  let deleted = 0;
  for (const { case_id } of due) deleted += await deleteCaseEvidence(ev, case_id, 'retention period ended');
  return deleted;
}
