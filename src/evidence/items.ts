/**
 * @module evidence/items
 * Evidence items: listing, the streaming decrypting download (recorded as access in the chain
 * of custody before the first byte leaves), and deletion when the case's retention ends (blob
 * and content key gone; the item keeps its digest and size, the chain a `deleted` event).
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SYSTEM_ACTOR, type Actor } from '../cases/index.js';
import type { EvidenceItemsTable } from '../db/schema.js';
import { caseKey } from './case-keys.js';
import type { BlobReader } from './blob-store.js';
import { openChunks, type SealedSource } from './chunked-cipher.js';
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

/** Refuses an id that names no case: an empty list, or "no problem", would read as an answer about it. */
export async function requireCase(ev: EvidenceContext, caseId: string): Promise<void> {
  if ((await ev.cases.db.selectFrom('cases').select('id').where('id', '=', caseId).executeTakeFirst()) === undefined) throw new EvidenceError('not-found', `no case ${caseId}`);
}

/** The evidence of a case, oldest first (deleted items too: their digests remain). */
export async function listEvidence(ev: EvidenceContext, caseId: string): Promise<EvidenceItemView[]> {
  const rows = await ev.cases.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).orderBy('received_at').orderBy('id').execute();
  return rows.map(presentItem);
}

/**
 * The plaintext of a sealed blob as the pieces of each chunk, checked twice: each chunk by its
 * GCM tag before any of its bytes is given, and the whole against the recorded SHA-256 and size
 * before the bytes of the last chunk are given (an {@link EvidenceError} `integrity` instead). The
 * tags alone do not suffice: another blob of the same case (same key) swapped in would pass them.
 */
export async function* checkedPlaintext(key: Buffer, source: SealedSource, sha256: string, size: number): AsyncGenerator<Buffer[]> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const { pieces, final } of openChunks(key, source)) {
    for (const piece of pieces) {
      hash.update(piece);
      bytes += piece.length;
    }
    if (final) {
      const digest = hash.digest('hex');
      if (digest !== sha256 || bytes !== size) throw new EvidenceError('integrity', `the stored evidence does not match its recorded digest (${digest.slice(0, 16)}… ≠ ${sha256.slice(0, 16)}…)`);
    }
    yield pieces;
  }
}

/** The blob of an item, opened for {@link checkedPlaintext}; an `integrity` error when it is missing from the store. */
async function openBlob(ev: EvidenceContext, row: EvidenceItemsTable): Promise<{ key: Buffer; reader: BlobReader }> {
  const key = await caseKey(ev.cases.db, ev.keys, row.case_id, ev.cases.now());
  const reader = await ev.blobs.read(row.blob_key);
  if (reader === null) throw new EvidenceError('integrity', `the blob of evidence ${row.id} is missing from the store`);
  return { key, reader };
}

/** An item's checked plaintext (see {@link checkedPlaintext}), chunk by chunk, and the release of its blob. */
export interface ItemPlaintext {
  readonly chunks: AsyncGenerator<Buffer[]>;
  /** Releases the blob: done when the chunks end or fail; call it when abandoning them earlier (idempotent). */
  close(): Promise<void>;
}

/** Opens an item's blob for reading its checked plaintext. No custody event: see {@link openEvidence}. */
export async function itemPlaintext(ev: EvidenceContext, row: EvidenceItemsTable): Promise<ItemPlaintext> {
  const { key, reader } = await openBlob(ev, row);
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => (closed ??= reader.close());
  const chunks = (async function* () {
    try {
      yield* checkedPlaintext(key, reader, row.sha256, Number(row.size));
    } finally {
      await close();
    }
  })();
  return { chunks, close };
}

/** The plaintext of a stored blob as a stream, checked as {@link checkedPlaintext} says. No custody event: see {@link openEvidence}. */
export async function blobPlaintext(ev: EvidenceContext, row: EvidenceItemsTable): Promise<Readable> {
  return new PlaintextStream(await itemPlaintext(ev, row));
}

/** A chunk's pieces pushed as they are (no copy) when the reader asks; destroying the stream releases the blob. */
class PlaintextStream extends Readable {
  private reading = false;
  constructor(private readonly plaintext: ItemPlaintext) {
    super();
  }
  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    this.plaintext.chunks.next().then(
      (next) => {
        this.reading = false;
        if (next.done === true) this.push(null);
        else for (const piece of next.value) this.push(piece);
      },
      (error: unknown) => this.destroy(error as Error),
    );
  }
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.plaintext.close().then(
      () => callback(error),
      (closing: unknown) => callback(error ?? (closing as Error)),
    );
  }
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
