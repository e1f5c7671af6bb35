/**
 * @module evidence/uploads
 * Resumable, streaming uploads of evidence of any size. The protocol follows the core of tus
 * 1.0 (tus.io): create an upload announcing its length and metadata, then append bytes at the
 * offset the server reports, as many times as needed; after an interruption, ask the offset
 * and continue from there.
 *
 * Bytes are sealed as they arrive (see `chunked-cipher.ts`) into a staging file; the SHA-256 of
 * the plaintext is computed on the fly. Only whole chunks are kept between requests: the offset
 * reported after a request is the last chunk boundary, so the tail of an interrupted request is
 * sent again (tus allows the server to keep less than it was sent). A running digest lives in
 * memory per upload; after a restart it is rebuilt by opening the staged chunks again, which also
 * drops a chunk torn by a crash. Memory per upload: one chunk.
 *
 * When the last byte arrives, the staging file is handed to the blob store under
 * `<case>/<sha256>` (an atomic rename on the filesystem store), and the item, its custody events
 * (`produced` when the producer dated it, `received`) and an audit event are written in one
 * transaction (`upload-complete.ts`). Nothing is visible as evidence before that.
 */
import { createHash, randomBytes, type CipherGCM, type Hash } from 'node:crypto';
import { open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ATTACHMENT_STATES, type Actor, type CaseState } from '../cases/index.js';
import { caseKey } from './case-keys.js';
import { ChunkSealer, CipherError, HEADER_BYTES, makeHeader, TAG_BYTES } from './chunked-cipher.js';
import type { EvidenceContext } from './context.js';
import { EvidenceError } from './errors.js';
import { SNIFF_BYTES, sniffMediaType } from './media-type.js';
import { evidenceMetadataSchema, type EvidenceItemView } from './metadata.js';
import { completedMarker, completeUpload, finishCompleted } from './upload-complete.js';

export interface UploadState {
  id: string;
  caseId: string;
  length: number;
  /** Plaintext bytes sealed in whole chunks in the staging file. */
  received: number;
  hash: Hash;
  head: Buffer;
  busy: boolean;
}

export interface UploadStatus {
  id: string;
  caseId: string;
  offset: number;
  length: number;
  chunkBytes: number;
  /** When the upload is removed unless more bytes arrive (tus Upload-Expires). */
  expiresAt: string;
  /**
   * SHA-256 of the bytes received so far (0 … offset − 1), so that a client resuming from a copy
   * of the file checks it is the same file before sending the rest; null once complete.
   */
  receivedSha256: string | null;
  /** The file name announced when the upload began. */
  name: string;
}

const ID = /^[0-9a-f-]{36}$/;
/** Bytes of an upload written between two flushes to the disk (see appendUpload). */
const SYNC_EVERY = 64 * 1024 * 1024;

function stagingPath(ev: EvidenceContext, uploadId: string): string {
  if (!ID.test(uploadId)) throw new EvidenceError('not-found', `no upload ${uploadId}`);
  return join(ev.stagingDir, `${uploadId}.sealed`);
}

/** The case, checked: the requested side attaches evidence while the case is executed (as attachments). */
async function checkCase(ev: EvidenceContext, actor: Actor, caseId: string): Promise<void> {
  const row = await ev.cases.db.selectFrom('cases').select(['id', 'state', 'addressee_id', 'purged_at']).where('id', '=', caseId).executeTakeFirst();
  if (!row) throw new EvidenceError('not-found', `no case ${caseId}`);
  if (actor.authorityId !== null && actor.authorityId !== row.addressee_id) throw new EvidenceError('forbidden', 'only the requested side produces evidence in its response');
  if (!ATTACHMENT_STATES.includes(row.state as CaseState) || row.purged_at !== null) {
    throw new EvidenceError('invalid-transition', `cannot add evidence to a case that is ${row.state}: only when it is ${ATTACHMENT_STATES.join(', ')}`);
  }
}

/** Starts an upload: checks the case and metadata, creates the staging file. */
export async function beginUpload(ev: EvidenceContext, actor: Actor, caseId: string, input: unknown, options: { anyCaseState?: boolean } = {}): Promise<UploadStatus> {
  const parsed = evidenceMetadataSchema.safeParse(input);
  if (!parsed.success) throw new EvidenceError('invalid-request', 'invalid evidence metadata', parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })));
  if (parsed.data.length > ev.maxItemBytes) throw new EvidenceError('too-large', `an evidence item has at most ${ev.maxItemBytes} bytes`);
  // Moving a release-0.1 attachment: the file arrived when the case allowed it.
  if (options.anyCaseState !== true) await checkCase(ev, actor, caseId);
  const now = ev.cases.now();
  // The case key exists before the first byte is sealed.
  await caseKey(ev.cases.db, ev.keys, caseId, now);
  const id = ev.cases.newId();
  const header = makeHeader();
  const file = await open(stagingPath(ev, id), 'wx', 0o600);
  try {
    await file.write(header);
    await file.sync();
  } finally {
    await file.close();
  }
  await ev.cases.db
    .insertInto('evidence_uploads')
    .values({ id, case_id: caseId, actor: actor.id, authority_id: actor.authorityId, length: parsed.data.length, received: 0, header: header.toString('base64url'), metadata: JSON.stringify(parsed.data), created_at: now.toISOString(), updated_at: now.toISOString() })
    .execute();
  ev.uploads.set(id, { id, caseId, length: parsed.data.length, received: 0, hash: createHash('sha256'), head: Buffer.alloc(0), busy: false });
  return { id, caseId, offset: 0, length: parsed.data.length, chunkBytes: new ChunkSealer(randomBytes(32), header).chunkBytes, expiresAt: expiresAt(ev, now.toISOString()), receivedSha256: createHash('sha256').digest('hex'), name: parsed.data.name };
}

/** Hours an incomplete upload is kept after its last bytes: COMITY_UPLOAD_EXPIRY_HOURS (1 to 8760), default 24. */
export function resolveUploadExpiryHours(env: Readonly<Record<string, string | undefined>>): number {
  const configured = env.COMITY_UPLOAD_EXPIRY_HOURS?.trim();
  if (configured === undefined || configured === '') return 24;
  const hours = Number(configured);
  if (!Number.isInteger(hours) || hours < 1 || hours > 8760) throw new EvidenceError('invalid-request', `COMITY_UPLOAD_EXPIRY_HOURS must be a whole number of hours from 1 to 8760 (got ${JSON.stringify(configured)})`);
  return hours;
}

function expiresAt(ev: EvidenceContext, lastActivity: string): string {
  return new Date(Date.parse(lastActivity) + ev.uploadExpiryHours * 3_600_000).toISOString();
}

/**
 * Removes abandoned uploads: those with no bytes for `uploadExpiryHours` (their rows and staged
 * sealed bytes), and staged files without a row (a crash between the two) as old. An upload
 * receiving bytes in this process is left alone. Returns how many uploads were removed.
 */
export async function expireUploads(ev: EvidenceContext): Promise<number> {
  const now = ev.cases.now().getTime();
  const cutoff = new Date(now - ev.uploadExpiryHours * 3_600_000).toISOString();
  const rows = await ev.cases.db.selectFrom('evidence_uploads').select('id').where('updated_at', '<', cutoff).execute();
  let removed = 0;
  for (const row of rows) {
    if (ev.uploads.get(row.id)?.busy === true) continue;
    const gone = await ev.cases.db.deleteFrom('evidence_uploads').where('id', '=', row.id).where('updated_at', '<', cutoff).executeTakeFirst();
    ev.uploads.delete(row.id);
    if (Number(gone.numDeletedRows) > 0) removed += 1;
    await rm(stagingPath(ev, row.id), { force: true });
  }
  const known = new Set((await ev.cases.db.selectFrom('evidence_uploads').select('id').execute()).map((r) => r.id));
  for (const name of await readdir(ev.stagingDir)) {
    const id = name.replace(/\.sealed$/, '');
    if (!ID.test(id) || known.has(id) || ev.uploads.has(id)) continue;
    const info = await stat(join(ev.stagingDir, name)).catch(() => null);
    if (info !== null && info.mtimeMs < now - ev.uploadExpiryHours * 3_600_000) await rm(join(ev.stagingDir, name), { force: true });
  }
  return removed;
}

async function uploadRow(ev: EvidenceContext, actor: Actor, caseId: string, uploadId: string) {
  const row = await ev.cases.db.selectFrom('evidence_uploads').selectAll().where('id', '=', uploadId).where('case_id', '=', caseId).executeTakeFirst();
  // Another authority's upload does not exist for the caller.
  if (!row || (actor.authorityId !== null && row.authority_id !== actor.authorityId)) throw new EvidenceError('not-found', `no upload ${uploadId}`);
  return row;
}

/**
 * Rebuilds an upload's running digest from its staging file (after a restart or an error),
 * dropping anything after the last chunk that authenticates.
 */
async function recover(ev: EvidenceContext, row: { id: string; case_id: string; length: number | string; header: string }, key: Buffer): Promise<UploadState> {
  const header = Buffer.from(row.header, 'base64url');
  const sealer = new ChunkSealer(key, header);
  const path = stagingPath(ev, row.id);
  const file = await open(path, 'r+');
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let chunks = 0;
  try {
    const onDisk = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(onDisk, 0, HEADER_BYTES, 0);
    if (bytesRead !== HEADER_BYTES || !onDisk.equals(header)) throw new EvidenceError('integrity', `the staged upload ${row.id} is damaged: cancel it and start again`);
    const sealedBytes = sealer.chunkBytes + TAG_BYTES;
    const buffer = Buffer.alloc(sealedBytes);
    const length = Number(row.length);
    // Whole chunks only: a final chunk left by a completion cut short is dropped and sent again.
    while ((chunks + 1) * sealer.chunkBytes <= length) {
      const read = await file.read(buffer, 0, sealedBytes, HEADER_BYTES + chunks * sealedBytes);
      if (read.bytesRead !== sealedBytes) break;
      let plain: Buffer;
      try {
        plain = sealer.open(chunks, buffer, false);
      } catch (error) {
        if (error instanceof CipherError) break;
        throw error;
      }
      hash.update(plain);
      if (chunks === 0) head = Buffer.from(plain.subarray(0, SNIFF_BYTES));
      chunks += 1;
    }
    await file.truncate(HEADER_BYTES + chunks * sealedBytes);
    await file.sync();
  } finally {
    await file.close();
  }
  return { id: row.id, caseId: row.case_id, length: Number(row.length), received: chunks * sealer.chunkBytes, hash, head, busy: false };
}

async function stateOf(ev: EvidenceContext, row: { id: string; case_id: string; length: number | string; header: string }): Promise<UploadState> {
  const known = ev.uploads.get(row.id);
  if (known) return known;
  const key = await caseKey(ev.cases.db, ev.keys, row.case_id, ev.cases.now());
  const state = await recover(ev, row, key);
  ev.uploads.set(row.id, state);
  return state;
}

/** Where an upload stands (tus `HEAD`). */
export async function uploadStatus(ev: EvidenceContext, actor: Actor, caseId: string, uploadId: string): Promise<UploadStatus> {
  const row = await uploadRow(ev, actor, caseId, uploadId);
  const expires = expiresAt(ev, row.updated_at);
  const chunkBytes = new ChunkSealer(randomBytes(32), Buffer.from(row.header, 'base64url')).chunkBytes;
  const name = (JSON.parse(row.metadata) as { name: string }).name;
  if (completedMarker(row.metadata)) return { id: row.id, caseId, offset: Number(row.length), length: Number(row.length), chunkBytes, expiresAt: expires, receivedSha256: null, name };
  const state = await stateOf(ev, row);
  // A copy of the running digest: the upload goes on hashing from where it stands.
  return { id: row.id, caseId, offset: state.received, length: state.length, chunkBytes, expiresAt: expires, receivedSha256: state.busy ? null : state.hash.copy().digest('hex'), name };
}

export interface AppendResult {
  offset: number;
  length: number;
  /** The evidence item, once the last byte arrived. */
  item: EvidenceItemView | null;
}

/**
 * Appends bytes at `offset` (tus `PATCH`). The body is consumed as a stream; at most
 * `length − offset` bytes are accepted.
 */
export async function appendUpload(ev: EvidenceContext, actor: Actor, caseId: string, uploadId: string, offset: number, body: AsyncIterable<Buffer | Uint8Array>): Promise<AppendResult> {
  const row = await uploadRow(ev, actor, caseId, uploadId);
  if (completedMarker(row.metadata)) {
    // Every byte arrived before a crash: finish the record (nothing more may be sent).
    for await (const piece of body) if (piece.length > 0) throw new EvidenceError('too-large', `upload ${uploadId} is complete; no more bytes`);
    const item = await finishCompleted(ev, actor, row, stagingPath(ev, row.id));
    return { offset: Number(row.length), length: Number(row.length), item };
  }
  const state = await stateOf(ev, row);
  if (state.busy) throw new EvidenceError('conflict', `upload ${uploadId} is receiving bytes from another request`);
  if (offset !== state.received) throw new EvidenceError('conflict', `upload ${uploadId} continues at offset ${state.received}, not ${offset}`, [{ field: 'upload-offset', message: String(state.received) }]);
  state.busy = true;
  const key = await caseKey(ev.cases.db, ev.keys, caseId, ev.cases.now());
  const sealer = new ChunkSealer(key, Buffer.from(row.header, 'base64url'));
  const size = sealer.chunkBytes;
  const sealedBytes = size + TAG_BYTES;
  const path = stagingPath(ev, uploadId);
  let file: FileHandle | null = await open(path, 'r+');
  // The chunk being received is hashed and sealed piece by piece as the request body arrives (no
  // copy into a chunk buffer; the ciphertext pieces are as small as the body's). It is committed —
  // written, and its digest and offset kept — only once whole; a request that ends inside a chunk
  // drops that chunk (its ciphertext never reaches the disk), and the client sends it again.
  let cipher: CipherGCM | null = null;
  let chunkHash: Hash = state.hash;
  let sealed: Buffer[] = [];
  let fill = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  let failed = false;
  // One sealed chunk is written while the next is hashed and sealed (the write goes to libuv's
  // thread pool); the chunk's pieces are written as they are (writev), not copied together.
  const writes: { inflight: Promise<unknown> | null } = { inflight: null };
  const writeChunk = async (parts: Buffer[], position: number): Promise<void> => {
    if (writes.inflight !== null) await writes.inflight;
    writes.inflight = (file as FileHandle).writev(parts, position);
  };
  // Written chunks are flushed to the disk as the upload goes on (fdatasync every SYNC_EVERY
  // bytes, at most one at a time, beside the writes): the disk works while bytes arrive, and the
  // final fsync has only the last stretch to wait for — not the whole file, which the kernel
  // would otherwise hold dirty in memory until then.
  const syncs: { inflight: Promise<void> | null; unsynced: number; error: unknown } = { inflight: null, unsynced: 0, error: null };
  const flushBehind = (bytes: number): void => {
    syncs.unsynced += bytes;
    if (syncs.unsynced < SYNC_EVERY || syncs.inflight !== null || writes.inflight === null) return;
    syncs.unsynced = 0;
    const handle = file as FileHandle;
    syncs.inflight = writes.inflight
      .then(() => handle.datasync())
      .then(
        () => {
          syncs.inflight = null;
        },
        (error: unknown) => {
          syncs.inflight = null;
          syncs.error ??= error;
        },
      );
  };
  const settle = async (): Promise<void> => {
    const pendingWrite = writes.inflight;
    writes.inflight = null;
    if (pendingWrite !== null) await pendingWrite;
    const pendingSync = syncs.inflight;
    if (pendingSync !== null) await pendingSync;
    if (syncs.error !== null) throw syncs.error;
  };
  /** Ends the chunk being received: its ciphertext ‖ tag written at its place, its bytes counted. */
  const commit = async (): Promise<void> => {
    const active = cipher as CipherGCM;
    const rest = active.final();
    if (rest.length > 0) sealed.push(rest);
    sealed.push(active.getAuthTag());
    const index = state.received / size;
    await writeChunk(sealed, HEADER_BYTES + index * sealedBytes);
    flushBehind(fill);
    if (state.received === 0) state.head = Buffer.concat(head, headBytes);
    state.hash = chunkHash;
    state.received += fill;
    cipher = null;
    sealed = [];
    fill = 0;
  };
  try {
    for await (const piece of body) {
      const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      if (state.received + fill + bytes.length > state.length) throw new EvidenceError('too-large', `upload ${uploadId} announced ${state.length} bytes; more were sent`);
      let at = 0;
      while (at < bytes.length) {
        if (cipher === null) {
          // The final chunk is the one the announced length ends in (0 … size − 1 bytes); every other is whole.
          cipher = sealer.begin(state.received / size, state.length - state.received < size);
          // The running digest goes on in a copy: kept only if the chunk is.
          chunkHash = state.hash.copy();
        }
        const take = Math.min(size - fill, bytes.length - at);
        const part = bytes.subarray(at, at + take);
        chunkHash.update(part);
        sealed.push(cipher.update(part));
        // A body in tiny pieces (a slow or odd client): gather them rather than writev thousands.
        if (sealed.length >= 512) sealed = [Buffer.concat(sealed)];
        if (state.received === 0 && headBytes < SNIFF_BYTES) {
          const sniff = Buffer.from(part.subarray(0, SNIFF_BYTES - headBytes));
          head.push(sniff);
          headBytes += sniff.length;
        }
        fill += take;
        at += take;
        if (fill === size) await commit();
      }
    }
    if (state.received + fill === state.length) {
      // The last bytes: the final chunk (begun here when it is empty).
      cipher ??= sealer.begin(state.received / size, true);
      if (fill === 0) chunkHash = state.hash;
      await commit();
      await settle();
      await file.sync();
      await file.close();
      file = null;
      const item = await completeUpload(ev, actor, row, state.hash.digest('hex'), sniffMediaType(state.head), state.length, stagingPath(ev, row.id));
      return { offset: state.length, length: state.length, item };
    }
    await settle();
    return { offset: state.received, length: state.length, item: null };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A write still in flight (after an error): wait for it; if it failed, the staged file is the truth.
    await settle().catch(() => {
      failed = true;
    });
    if (file !== null) {
      await file.sync().catch(() => undefined);
      await file.close().catch(() => undefined);
    }
    state.busy = false;
    // After a failure the staged file is the truth: rebuild from it next time.
    if (failed) ev.uploads.delete(uploadId);
    else if (ev.uploads.has(uploadId)) {
      await ev.cases.db.updateTable('evidence_uploads').set({ received: state.received, updated_at: ev.cases.now().toISOString() }).where('id', '=', uploadId).execute().catch(() => undefined);
    }
  }
}

/** Abandons an upload: the staged bytes are removed. */
export async function cancelUpload(ev: EvidenceContext, actor: Actor, caseId: string, uploadId: string): Promise<void> {
  const row = await uploadRow(ev, actor, caseId, uploadId);
  const state = ev.uploads.get(row.id);
  if (state?.busy) throw new EvidenceError('conflict', `upload ${uploadId} is receiving bytes`);
  await ev.cases.db.deleteFrom('evidence_uploads').where('id', '=', row.id).execute();
  ev.uploads.delete(row.id);
  await rm(stagingPath(ev, row.id), { force: true });
}

/** One whole file in one call (the CLI, federation): begin, append everything, complete. */
export async function addEvidence(ev: EvidenceContext, actor: Actor, caseId: string, metadata: unknown, body: AsyncIterable<Buffer | Uint8Array>, options: { anyCaseState?: boolean } = {}): Promise<EvidenceItemView> {
  const started = await beginUpload(ev, actor, caseId, metadata, options);
  try {
    const result = await appendUpload(ev, actor, caseId, started.id, 0, body);
    if (result.item === null) throw new EvidenceError('invalid-request', `the file ended after ${result.offset} of ${result.length} announced bytes`);
    return result.item;
  } catch (error) {
    await cancelUpload(ev, actor, caseId, started.id).catch(() => undefined);
    throw error;
  }
}

export async function stagedSize(ev: EvidenceContext, uploadId: string): Promise<number | null> {
  const found = await stat(stagingPath(ev, uploadId)).catch(() => null);
  return found === null ? null : found.size;
}
