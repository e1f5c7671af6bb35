/**
 * @module exchange/transfer-fetcher
 * The receiving side of evidence transfers (see `evidence-transfer.ts`): pulls the chunks of each
 * pending incoming transfer from the sending node, checks each against its digest in the signed
 * manifest before keeping it (a transfer cut halfway resumes with the chunks still missing), and
 * stores a complete item under this node's case key with a signed custody event `received`.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../auth/secrets.js';
import { writeAudit } from '../cases/audit.js';
import type { Database } from '../db/index.js';
import { blobKeyOf } from '../evidence/blob-store.js';
import { caseKey } from '../evidence/case-keys.js';
import { EncryptStream } from '../evidence/chunked-cipher.js';
import type { EvidenceContext } from '../evidence/context.js';
import { appendCustody, signerFor } from '../evidence/custody.js';
import { SNIFF_BYTES, sniffMediaType } from '../evidence/media-type.js';
import { attemptSignal } from '../net/attempt-signal.js';
import { ExchangeError } from './errors.js';
import { transferKeyAad, type TransferredItem, type TransferSettings } from './evidence-transfer.js';
import { manifestSchema, TransferReceiver } from './transfer.js';
import type { TrustList } from './trust.js';

/** How long the fetcher waits for one chunk from the sending node. */
export const CHUNK_TIMEOUT_MS = 30_000;

export interface TransferFetcherOptions {
  readonly ev: EvidenceContext;
  readonly settings: TransferSettings;
  /** Opens the sealed content keys. */
  readonly box: SecretBox;
  trust(): Promise<TrustList>;
  readonly pollMs?: number;
  /** A chunk that does not match its digest this many times fails the transfer. */
  readonly maxBadChunks?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * The receiver's confirmation to the sender, prepared before the transaction that stores a
   * complete transfer and queued in it (a signed `transfer-received` notice, see
   * `transferReceivedNotice` in evidence-transfer.ts): the sender then deletes its chunks.
   */
  readonly confirm?: (row: IncomingTransferRow, sha256: string) => Promise<{ enqueue(trx: Kysely<Database>): Promise<void>; committed(): void }>;
}

/** What the fetcher knows of an incoming transfer when it stores it. */
export interface IncomingTransferRow {
  transfer_id: string;
  case_id: string;
  message_id: string;
  peer_node_id: string;
  authority_id: string;
  item: string;
}

export interface TransferFetcher {
  wake(): void;
  /** One pass over the pending transfers (tests). */
  pass(): Promise<void>;
  stop(): Promise<void>;
}

/** Pulls the chunks of pending incoming transfers and stores each completed item. */
export function startTransferFetcher(options: TransferFetcherOptions): TransferFetcher {
  const db = options.ev.cases.db;
  let stopped = false;
  // Aborted by stop(): a chunk being fetched is abandoned at once (fetched again at the next start).
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const one = async (row: Awaited<ReturnType<typeof pendingRows>>[number]): Promise<void> => {
    const manifest = manifestSchema.parse(JSON.parse(row.manifest));
    const key = options.box.open(row.content_key, transferKeyAad(row.transfer_id));
    let receiver: TransferReceiver;
    try {
      receiver = new TransferReceiver({ manifest, key: key.toString('base64url') }, join(options.settings.dir, 'in'));
    } finally {
      key.fill(0);
    }
    const peer = (await options.trust()).node(row.peer_node_id);
    if (peer === undefined) throw new ExchangeError('unknown-peer', `node ${row.peer_node_id} is no longer a trusted peer`);
    const total = manifest.chunks.length;
    for (const index of receiver.missing()) {
      if (stopped) return;
      // The chunk's time limit, or the fetcher's stop (a shutdown does not wait for a slow peer).
      const attempt = attemptSignal(CHUNK_TIMEOUT_MS, stopping.signal);
      let chunk: Buffer;
      try {
        const response = await fetch(`${peer.endpoint.replace(/\/$/, '')}/api/exchange/transfers/${manifest.transferId}/chunks/${index}`, { signal: attempt.signal });
        if (!response.ok) throw new ExchangeError('invalid-message', `chunk ${index}: the peer answered ${response.status}`);
        chunk = Buffer.from(await response.arrayBuffer());
      } finally {
        attempt.done();
      }
      receiver.accept(index, chunk);
      await db.updateTable('exchange_transfers_in').set({ chunks_received: total - receiver.missing().length, updated_at: new Date().toISOString() }).where('transfer_id', '=', row.transfer_id).execute();
    }
    await storeTransferred(options.ev, row, receiver, options.confirm);
  };
  const pendingRows = () => db.selectFrom('exchange_transfers_in').selectAll().where('state', '=', 'pending').orderBy('created_at').limit(20).execute();
  const pass = async (): Promise<void> => {
    for (const row of await pendingRows()) {
      if (stopped) return;
      try {
        await one(row);
      } catch (error) {
        // Stopped mid-transfer: not the transfer's failure; the chunks kept so far wait for the next start.
        if (stopped) return;
        const bad = error instanceof ExchangeError && error.code === 'bad-signature';
        const attempts = Number(row.attempts) + 1;
        const failed = bad && attempts >= (options.maxBadChunks ?? 5);
        await db
          .updateTable('exchange_transfers_in')
          .set({ attempts, last_error: (error instanceof Error ? error.message : String(error)).slice(0, 300), state: failed ? 'failed' : 'pending', ...(failed ? { content_key: '' } : {}), updated_at: new Date().toISOString() })
          .where('transfer_id', '=', row.transfer_id)
          .where('state', '=', 'pending')
          .execute()
          .catch(() => undefined);
        if (!(error instanceof ExchangeError) && !(error instanceof TypeError) && !(error instanceof DOMException)) options.onError?.(error);
      }
    }
  };
  const tick = () => {
    if (stopped || running !== null) return;
    running = pass()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, options.pollMs ?? 1000);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    wake: () => {
      if (timer !== null) clearTimeout(timer);
      tick();
    },
    pass,
    stop: async () => {
      stopped = true;
      stopping.abort();
      if (timer !== null) clearTimeout(timer);
      await running;
    },
  };
}

/** A complete transfer into this node's evidence store, under its own case key, with a signed `received` event. */
async function storeTransferred(ev: EvidenceContext, row: IncomingTransferRow, receiver: TransferReceiver, confirm: TransferFetcherOptions['confirm']): Promise<void> {
  const item = JSON.parse(row.item) as TransferredItem;
  const manifest = receiver.manifest;
  if (manifest.sha256 !== item.sha256 || manifest.size !== item.size) throw new ExchangeError('bad-signature', `transfer ${row.transfer_id}: the manifest does not describe the item announced`);
  const now = ev.cases.now();
  const key = await caseKey(ev.cases.db, ev.keys, row.case_id, now);
  mkdirSync(ev.stagingDir, { recursive: true, mode: 0o700 });
  const staged = join(ev.stagingDir, `transfer-${row.transfer_id}.sealed`);
  let head = Buffer.alloc(0);
  const plaintext = async function* () {
    for await (const chunk of receiver.open()) {
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      yield chunk;
    }
  };
  // open() checks every chunk's tag and, at the end, the whole digest of the signed manifest.
  await pipeline(Readable.from(plaintext()), new EncryptStream(key), createWriteStream(staged, { mode: 0o600 }));
  await ev.blobs.putFile(blobKeyOf(row.case_id, manifest.sha256), staged);
  const signer = await signerFor(ev.keys, row.authority_id, now);
  const at = now.toISOString();
  const actor = `peer:${row.peer_node_id}`;
  const itemRow = {
    id: ev.cases.newId(),
    case_id: row.case_id,
    sha256: manifest.sha256,
    size: manifest.size,
    media_type: sniffMediaType(head),
    original_name: item.name,
    description: item.description,
    data_category: item.dataCategory,
    producer: item.producer,
    produced_at: item.producedAt,
    received_at: at,
    received_by: actor,
    blob_key: blobKeyOf(row.case_id, manifest.sha256),
    deleted_at: null,
  };
  const notice = confirm === undefined ? null : await confirm(row, manifest.sha256);
  await ev.cases.transaction(async (trx) => {
    const claimed = await trx.updateTable('exchange_transfers_in').set({ state: 'complete', item_id: itemRow.id, chunks_received: manifest.chunks.length, last_error: null, content_key: '', updated_at: at }).where('transfer_id', '=', row.transfer_id).where('state', '=', 'pending').executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new ExchangeError('invalid-message', `transfer ${row.transfer_id} was completed by another process`);
    await trx.insertInto('evidence_items').values(itemRow).execute();
    await appendCustody(trx, signer, {
      id: ev.cases.newId(),
      caseId: row.case_id,
      event: 'received',
      at,
      actor,
      authorityId: row.authority_id,
      item: { id: itemRow.id, sha256: itemRow.sha256, size: itemRow.size },
      details: { name: item.name, mediaType: itemRow.media_type, dataCategory: item.dataCategory, producer: item.producer, from: row.peer_node_id, transferId: row.transfer_id, messageId: row.message_id, senderItemId: item.id },
    });
    await writeAudit(trx, { id: ev.cases.newId(), actor, action: 'evidence.add', objectType: 'case', objectId: row.case_id, at, before: null, after: null, details: { itemId: itemRow.id, sha256: itemRow.sha256, size: itemRow.size, mediaType: itemRow.media_type, transferId: row.transfer_id } });
    await notice?.enqueue(trx);
  });
  notice?.committed();
  receiver.discard();
}
