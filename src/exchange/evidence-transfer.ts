/**
 * @module exchange/evidence-transfer
 * Evidence between nodes (issue 12, exchange-evidence.md §6). When the requested side responds,
 * each evidence item of the case is sealed for the requesting node with a per-transfer content
 * key (exchange/transfer.ts): its encrypted chunks wait on the sender's disk, and the signed,
 * encrypted response message carries, per item, the manifest (SHA-256 of the whole content and of
 * every chunk) and the content key. The sender records a signed custody event `transferred`.
 *
 * The receiving node records each announced transfer with the response (same transaction), then
 * pulls the chunks from the sender (`GET /api/exchange/transfers/:id/chunks/:index`): each chunk
 * is checked against its digest in the signed manifest before it is kept on disk, so a transfer
 * cut halfway — a dropped connection, a partition, a restart of either node — resumes with the
 * chunks still missing. Once complete, the content is decrypted (its whole digest checked),
 * sealed under the case key of the receiving node into its evidence store, and recorded with a
 * signed custody event `received` naming the sender and the transfer.
 *
 * The chunk endpoint needs no session: a transfer id is a random UUID known only to the two
 * nodes (it travels inside the encrypted message), and what it serves is ciphertext whose key
 * travels the same way.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { writeAudit } from '../cases/audit.js';
import type { Database } from '../db/index.js';
import { blobKeyOf } from '../evidence/blob-store.js';
import { caseKey } from '../evidence/case-keys.js';
import { EncryptStream } from '../evidence/chunked-cipher.js';
import type { EvidenceContext } from '../evidence/context.js';
import { appendCustody, signerFor, type Signer } from '../evidence/custody.js';
import { blobPlaintext, presentItem } from '../evidence/items.js';
import { SNIFF_BYTES, sniffMediaType } from '../evidence/media-type.js';
import { DATA_CATEGORIES, fileNameSchema } from '../evidence/metadata.js';
import { ExchangeError } from './errors.js';
import { MessageRejected } from './inbox.js';
import type { ExchangeMessage } from './message.js';
import { DEFAULT_CHUNK_BYTES, manifestSchema, sealTransferInto, TransferReceiver, type TransferDescriptor } from './transfer.js';
import type { TrustList } from './trust.js';

/** Where transfers live on disk, and the chunk size of those this node sends. */
export interface TransferSettings {
  readonly dir: string;
  readonly chunkBytes: number;
}

export function transferSettings(dataDir: string, env: Readonly<Record<string, string | undefined>>): TransferSettings {
  const given = Number(env.COMITY_TRANSFER_CHUNK_BYTES ?? DEFAULT_CHUNK_BYTES);
  const chunkBytes = Number.isInteger(given) && given >= 4096 && given <= 16 * 1024 * 1024 ? given : DEFAULT_CHUNK_BYTES;
  return { dir: join(dataDir, 'transfers'), chunkBytes };
}

const itemSchema = z.strictObject({
  id: z.string().min(1).max(64),
  name: fileNameSchema.nullable(),
  description: z.string().max(2000).nullable(),
  dataCategory: z.enum(DATA_CATEGORIES),
  producer: z.string().min(1).max(200),
  producedAt: z.string().max(40).nullable(),
  mediaType: z.string().max(200),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export type TransferredItem = z.infer<typeof itemSchema>;

/** One entry of a response's `evidence`: what the receiver needs to fetch, check and record an item. */
export const transferEntrySchema = z.strictObject({
  transfer: z.strictObject({ manifest: manifestSchema, key: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }),
  item: itemSchema,
});
export type TransferEntry = z.infer<typeof transferEntrySchema>;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The sender's directory of a transfer's encrypted chunks. */
function outDir(settings: TransferSettings, transferId: string): string {
  if (!ID.test(transferId)) throw new ExchangeError('invalid-message', 'not a transfer id');
  return join(settings.dir, 'out', transferId);
}

/**
 * The sending half, before the response's transaction: seals every evidence item of the case not
 * yet sent to `peerNodeId`, its chunks written to disk.
 */
export async function sealCaseEvidence(ev: EvidenceContext, settings: TransferSettings, caseId: string, peerNodeId: string): Promise<TransferEntry[]> {
  const sent = await ev.cases.db.selectFrom('exchange_transfers_out').select('item_id').where('case_id', '=', caseId).where('peer_node_id', '=', peerNodeId).execute();
  const already = new Set(sent.map((r) => r.item_id));
  const rows = await ev.cases.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).where('deleted_at', 'is', null).orderBy('received_at').orderBy('id').execute();
  const entries: TransferEntry[] = [];
  for (const row of rows.filter((r) => !already.has(r.id))) {
    const staging = join(settings.dir, 'out', `staging-${randomUUID()}`);
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    let descriptor: TransferDescriptor;
    try {
      descriptor = await sealTransferInto(await blobPlaintext(ev, row), (index, sealed) => writeFileSync(join(staging, String(index)), sealed, { mode: 0o600 }), settings.chunkBytes);
      renameSync(staging, outDir(settings, descriptor.manifest.transferId));
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    const item = presentItem(row);
    entries.push({
      transfer: descriptor,
      item: { id: item.id, name: item.name, description: item.description, dataCategory: item.dataCategory as TransferredItem['dataCategory'], producer: item.producer, producedAt: item.producedAt, mediaType: item.mediaType, sha256: item.sha256, size: item.size },
    });
  }
  return entries;
}

/** The sending half, inside the response's transaction: the transfers, and a signed `transferred` custody event per item. */
export async function recordTransfersOut(trx: Kysely<Database>, ev: EvidenceContext, signer: Signer, entries: readonly TransferEntry[], sides: { caseId: string; actor: string; authorityId: string; peerNodeId: string; toAuthority: string; messageId: string }, at: string): Promise<void> {
  for (const entry of entries) {
    const manifest = entry.transfer.manifest;
    await trx.insertInto('exchange_transfers_out').values({ transfer_id: manifest.transferId, case_id: sides.caseId, item_id: entry.item.id, peer_node_id: sides.peerNodeId, chunks: manifest.chunks.length, created_at: at }).execute();
    await appendCustody(trx as Transaction<Database>, signer, {
      id: ev.cases.newId(),
      caseId: sides.caseId,
      event: 'transferred',
      at,
      actor: sides.actor,
      authorityId: sides.authorityId,
      item: { id: entry.item.id, sha256: entry.item.sha256, size: entry.item.size },
      details: { to: `${sides.peerNodeId}/${sides.toAuthority}`, transferId: manifest.transferId, messageId: sides.messageId, chunks: manifest.chunks.length, manifestSha256: createHash('sha256').update(JSON.stringify(manifest)).digest('hex') },
    });
  }
}

/** The sender's chunk `index` of a transfer it holds for a peer, or null. */
export async function readOutgoingChunk(db: Kysely<Database>, settings: TransferSettings, transferId: string, index: number): Promise<Buffer | null> {
  if (!ID.test(transferId)) return null;
  const row = await db.selectFrom('exchange_transfers_out').select(['chunks']).where('transfer_id', '=', transferId).executeTakeFirst();
  if (row === undefined || index < 0 || index >= Number(row.chunks)) return null;
  const path = join(outDir(settings, transferId), String(index));
  return existsSync(path) ? readFileSync(path) : null;
}

/** The receiving half, inside the inbox transaction of a response: records each announced transfer (pending). */
export async function acceptTransfersIn(trx: Kysely<Database>, message: ExchangeMessage, at: string): Promise<number> {
  const given = message.body.evidence;
  if (given === undefined) return 0;
  const parsed = z.array(transferEntrySchema).max(1000).safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MessageRejected('invalid-message', `evidence: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  for (const entry of parsed.data) {
    await trx
      .insertInto('exchange_transfers_in')
      .values({
        transfer_id: entry.transfer.manifest.transferId,
        case_id: message.conversation,
        message_id: message.id,
        peer_node_id: message.from.node,
        authority_id: message.to.authority,
        manifest: JSON.stringify(entry.transfer.manifest),
        content_key: entry.transfer.key,
        item: JSON.stringify(entry.item),
        state: 'pending',
        chunks_received: 0,
        item_id: null,
        attempts: 0,
        last_error: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }
  return parsed.data.length;
}

/** Where a transfer of a case stands, on either side. */
export interface TransferView {
  transferId: string;
  direction: 'in' | 'out';
  peer: string;
  name: string | null;
  size: number;
  sha256: string;
  chunks: number;
  chunksReceived: number | null;
  state: string;
  itemId: string | null;
  lastError: string | null;
}

export async function transfersOf(db: Kysely<Database>, caseId: string): Promise<TransferView[]> {
  const incoming = await db.selectFrom('exchange_transfers_in').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();
  const outgoing = await db.selectFrom('exchange_transfers_out').innerJoin('evidence_items', 'evidence_items.id', 'exchange_transfers_out.item_id').select(['transfer_id', 'peer_node_id', 'chunks', 'original_name', 'size', 'sha256', 'item_id']).where('exchange_transfers_out.case_id', '=', caseId).orderBy('exchange_transfers_out.created_at').execute();
  return [
    ...outgoing.map((r) => ({ transferId: r.transfer_id, direction: 'out' as const, peer: r.peer_node_id, name: r.original_name, size: Number(r.size), sha256: r.sha256, chunks: Number(r.chunks), chunksReceived: null, state: 'sent', itemId: r.item_id, lastError: null })),
    ...incoming.map((r) => {
      const item = JSON.parse(r.item) as TransferredItem;
      const manifest = JSON.parse(r.manifest) as { chunks: string[] };
      return { transferId: r.transfer_id, direction: 'in' as const, peer: r.peer_node_id, name: item.name, size: item.size, sha256: item.sha256, chunks: manifest.chunks.length, chunksReceived: Number(r.chunks_received), state: r.state, itemId: r.item_id, lastError: r.last_error };
    }),
  ];
}

export interface TransferFetcherOptions {
  readonly ev: EvidenceContext;
  readonly settings: TransferSettings;
  trust(): Promise<TrustList>;
  readonly pollMs?: number;
  /** A chunk that does not match its digest this many times fails the transfer. */
  readonly maxBadChunks?: number;
  readonly onError?: (error: unknown) => void;
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
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const one = async (row: Awaited<ReturnType<typeof pendingRows>>[number]): Promise<void> => {
    const manifest = manifestSchema.parse(JSON.parse(row.manifest));
    const receiver = new TransferReceiver({ manifest, key: row.content_key }, join(options.settings.dir, 'in'));
    const peer = (await options.trust()).node(row.peer_node_id);
    if (peer === undefined) throw new ExchangeError('unknown-peer', `node ${row.peer_node_id} is no longer a trusted peer`);
    const total = manifest.chunks.length;
    for (const index of receiver.missing()) {
      if (stopped) return;
      const response = await fetch(`${peer.endpoint.replace(/\/$/, '')}/api/exchange/transfers/${manifest.transferId}/chunks/${index}`, { signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new ExchangeError('invalid-message', `chunk ${index}: the peer answered ${response.status}`);
      receiver.accept(index, Buffer.from(await response.arrayBuffer()));
      await db.updateTable('exchange_transfers_in').set({ chunks_received: total - receiver.missing().length, updated_at: new Date().toISOString() }).where('transfer_id', '=', row.transfer_id).execute();
    }
    await storeTransferred(options.ev, options.settings, row, receiver);
  };
  const pendingRows = () => db.selectFrom('exchange_transfers_in').selectAll().where('state', '=', 'pending').orderBy('created_at').limit(20).execute();
  const pass = async (): Promise<void> => {
    for (const row of await pendingRows()) {
      if (stopped) return;
      try {
        await one(row);
      } catch (error) {
        const bad = error instanceof ExchangeError && error.code === 'bad-signature';
        const attempts = Number(row.attempts) + 1;
        const failed = bad && attempts >= (options.maxBadChunks ?? 5);
        await db
          .updateTable('exchange_transfers_in')
          .set({ attempts, last_error: (error instanceof Error ? error.message : String(error)).slice(0, 300), state: failed ? 'failed' : 'pending', updated_at: new Date().toISOString() })
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
      if (timer !== null) clearTimeout(timer);
      await running;
    },
  };
}

/** A complete transfer into this node's evidence store, under its own case key, with a signed `received` event. */
async function storeTransferred(ev: EvidenceContext, settings: TransferSettings, row: { transfer_id: string; case_id: string; message_id: string; peer_node_id: string; authority_id: string; item: string }, receiver: TransferReceiver): Promise<void> {
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
  await ev.cases.transaction(async (trx) => {
    const claimed = await trx.updateTable('exchange_transfers_in').set({ state: 'complete', item_id: itemRow.id, chunks_received: manifest.chunks.length, last_error: null, updated_at: at }).where('transfer_id', '=', row.transfer_id).where('state', '=', 'pending').executeTakeFirst();
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
  });
  receiver.discard();
  void settings;
}
