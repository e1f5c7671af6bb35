/**
 * @module evidence/upload-complete
 * The end of an upload (see `uploads.ts`): once every byte is sealed and the staging file synced,
 * the upload's row is marked complete (its digest and media type in its metadata), the staging
 * file is handed to the blob store under `<case>/<sha256>` (an atomic rename on the filesystem
 * store), and the item, its custody events (`produced` when the producer dated it, `received`)
 * and an audit event are written in one transaction that also removes the upload. A crash
 * between any two of these steps is finished by the next request from the marker.
 */
import { stat } from 'node:fs/promises';
import type { Actor } from '../cases/index.js';
import { writeAudit } from '../cases/audit.js';
import { blobKeyOf } from './blob-store.js';
import type { EvidenceContext } from './context.js';
import { appendCustody, signerFor } from './custody.js';
import { EvidenceError } from './errors.js';
import { presentItem } from './items.js';
import type { EvidenceItemView, EvidenceMetadata } from './metadata.js';

/** Set in the upload's metadata once every byte is sealed, before the blob is handed over. */
interface Completed {
  sealedSha256: string;
  mediaType: string;
}

/** The upload's row, as much of it as completing needs. */
interface UploadRow {
  id: string;
  case_id: string;
  metadata: string;
}

/** Whether an upload's metadata carries the completion marker (every byte arrived). */
export function completedMarker(metadata: string): boolean {
  return typeof (JSON.parse(metadata) as Partial<Completed>).sealedSha256 === 'string';
}

/**
 * Completes an upload whose `length` bytes are sealed in the synced file `staged`, of plaintext
 * digest `sha256`: marks it, hands the file over and records the item.
 */
export async function completeUpload(ev: EvidenceContext, actor: Actor, row: UploadRow, sha256: string, mediaType: string, length: number, staged: string): Promise<EvidenceItemView> {
  // A crash after the blob is handed over and before the item is written is finished by the next
  // request from this marker (the staged file is gone by then).
  const marked = JSON.stringify({ ...(JSON.parse(row.metadata) as object), sealedSha256: sha256, mediaType } satisfies object & Completed);
  await ev.cases.db.updateTable('evidence_uploads').set({ metadata: marked, received: length }).where('id', '=', row.id).execute();
  ev.uploads.delete(row.id);
  // Within a case only: the same content again keeps the first sealed copy.
  await ev.blobs.putFile(blobKeyOf(row.case_id, sha256), staged);
  return record(ev, actor, { ...row, metadata: marked }, length);
}

/**
 * Finishes an upload found marked complete (a crash came after the marker): hands the staged file
 * over if it is still there (complete and synced before the marker was set), then records the item.
 */
export async function finishCompleted(ev: EvidenceContext, actor: Actor, row: UploadRow & { length: number | string }, staged: string): Promise<EvidenceItemView> {
  // Two retries at once may both see it: the one that finds it gone after the other's hand-over goes on.
  if ((await stat(staged).catch(() => null)) !== null) {
    await ev.blobs.putFile(blobKeyOf(row.case_id, (JSON.parse(row.metadata) as Completed).sealedSha256), staged).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException | null)?.code !== 'ENOENT') throw error;
    });
  }
  return record(ev, actor, row, Number(row.length));
}

/** Writes the item, its custody and audit events for a completed upload, and removes the upload. */
async function record(ev: EvidenceContext, actor: Actor, row: UploadRow, length: number): Promise<EvidenceItemView> {
  const metadata = JSON.parse(row.metadata) as EvidenceMetadata & Completed;
  const sha256 = metadata.sealedSha256;
  const mediaType = metadata.mediaType;
  const caseId = row.case_id;
  const blobKey = blobKeyOf(caseId, sha256);
  if ((await ev.blobs.stat(blobKey)) === null) throw new EvidenceError('integrity', `upload ${row.id} completed, but its blob is missing: cancel it and upload again`);
  const now = ev.cases.now();
  const at = now.toISOString();
  const signer = await signerFor(ev.keys, actor.authorityId, now);
  const itemRow = {
    id: ev.cases.newId(),
    case_id: caseId,
    sha256,
    size: length,
    media_type: mediaType,
    original_name: metadata.name,
    description: metadata.description ?? null,
    data_category: metadata.dataCategory,
    producer: metadata.producer,
    produced_at: metadata.producedAt ?? null,
    received_at: at,
    received_by: actor.id,
    blob_key: blobKey,
    deleted_at: null,
  };
  await ev.cases.transaction(async (trx) => {
    await trx.insertInto('evidence_items').values(itemRow).execute();
    await trx.deleteFrom('evidence_uploads').where('id', '=', row.id).execute();
    const item = { id: itemRow.id, sha256, size: length };
    if (metadata.producedAt !== undefined) {
      await appendCustody(trx, signer, { id: ev.cases.newId(), caseId, event: 'produced', at: metadata.producedAt, recordedAt: at, actor: actor.id, authorityId: actor.authorityId, item, details: { producer: metadata.producer, dataCategory: metadata.dataCategory } });
    }
    await appendCustody(trx, signer, { id: ev.cases.newId(), caseId, event: 'received', at, actor: actor.id, authorityId: actor.authorityId, item, details: { name: metadata.name, mediaType, dataCategory: metadata.dataCategory, producer: metadata.producer } });
    // The audit trail holds digests, not the file or its name (which may name a person).
    await writeAudit(trx, { id: ev.cases.newId(), actor: actor.id, action: 'evidence.add', objectType: 'case', objectId: caseId, at, before: null, after: null, details: { itemId: itemRow.id, sha256, size: length, mediaType } });
  });
  return presentItem(itemRow);
}
