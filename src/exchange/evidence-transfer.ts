/**
 * @module exchange/evidence-transfer
 * Evidence between nodes (issue 12, exchange-evidence.md §6). When the requested side responds,
 * each evidence item of the case is sealed for the requesting node with a per-transfer content
 * key (exchange/transfer.ts): its encrypted chunks wait on the sender's disk, and the signed,
 * encrypted response message carries, per item, the manifest (SHA-256 of the whole content and of
 * every chunk) and the content key. The sender records a signed custody event `transferred`.
 *
 * The receiving node records each announced transfer with the response (same transaction), then
 * its fetcher (`transfer-fetcher.ts`) pulls the chunks from the sender
 * (`GET /api/exchange/transfers/:id/chunks/:index`): each chunk is checked against its digest in
 * the signed manifest before it is kept on disk, so a transfer
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
import { mkdirSync, readFileSync, renameSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/index.js';
import { intSetting } from '../http/config.js';
import type { EvidenceContext } from '../evidence/context.js';
import { appendCustody, signerFor, type Signer } from '../evidence/custody.js';
import { blobPlaintext, presentItem } from '../evidence/items.js';
import { DATA_CATEGORIES, fileNameSchema } from '../evidence/metadata.js';
import { ExchangeError } from './errors.js';
import { MessageRejected } from './inbox.js';
import type { ExchangeMessage } from './message.js';
import { DEFAULT_CHUNK_BYTES, manifestSchema, redactTransferKeys, sealTransferInto, type TransferDescriptor } from './transfer.js';
import type { SecretBox } from '../auth/secrets.js';

/** Where transfers live on disk, the chunk size of those this node sends, and how long their chunks wait unconfirmed. */
export interface TransferSettings {
  readonly dir: string;
  readonly chunkBytes: number;
  /** Hours after which the chunks of a transfer the receiver never confirmed are deleted. */
  readonly expiryHours: number;
}

export const DEFAULT_TRANSFER_EXPIRY_HOURS = 30 * 24;

export function transferSettings(dataDir: string, env: Readonly<Record<string, string | undefined>>): TransferSettings {
  const chunkBytes = intSetting(env, 'COMITY_TRANSFER_CHUNK_BYTES', DEFAULT_CHUNK_BYTES, 4096, 16 * 1024 * 1024);
  const expiryHours = intSetting(env, 'COMITY_TRANSFER_EXPIRY_HOURS', DEFAULT_TRANSFER_EXPIRY_HOURS, 1, 24 * 3650);
  return { dir: join(dataDir, 'transfers'), chunkBytes, expiryHours };
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
    await trx.insertInto('exchange_transfers_out').values({ transfer_id: manifest.transferId, case_id: sides.caseId, item_id: entry.item.id, peer_node_id: sides.peerNodeId, chunks: manifest.chunks.length, created_at: at, authority_id: sides.authorityId, state: 'sent', closed_at: null, close_reason: null }).execute();
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
  const row = await db.selectFrom('exchange_transfers_out').select(['chunks', 'state']).where('transfer_id', '=', transferId).executeTakeFirst();
  if (row === undefined || row.state === 'closed' || index < 0 || index >= Number(row.chunks)) return null;
  const path = join(outDir(settings, transferId), String(index));
  return existsSync(path) ? readFileSync(path) : null;
}

/** Associated data binding a sealed transfer content key to its row (see {@link SEALED_COLUMNS} in keys/master-rotation.ts). */
export function transferKeyAad(transferId: string): string {
  return `exchange_transfers_in.content_key:${transferId}`;
}

/** A content key as it was stored before it was sealed (base64url of 32 bytes). */
const PLAIN_KEY = /^[A-Za-z0-9_-]{43}$/;

/**
 * The receiving half, inside the inbox transaction of a response: records each announced transfer
 * (pending), its content key sealed with the node's secret box — never at rest in plaintext (the
 * inbox keeps the message with the key redacted, exchange/transfer.ts `redactTransferKeys`).
 */
export async function acceptTransfersIn(trx: Kysely<Database>, message: ExchangeMessage, at: string, box: SecretBox | undefined): Promise<number> {
  const given = message.body.evidence;
  if (given === undefined) return 0;
  if (box === undefined) throw new MessageRejected('invalid-message', 'this node keeps no evidence: it cannot take evidence transfers');
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
        content_key: box.seal(Buffer.from(entry.transfer.key, 'base64url'), transferKeyAad(entry.transfer.manifest.transferId)),
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
  const outgoing = await db.selectFrom('exchange_transfers_out').innerJoin('evidence_items', 'evidence_items.id', 'exchange_transfers_out.item_id').select(['transfer_id', 'peer_node_id', 'chunks', 'original_name', 'size', 'sha256', 'item_id', 'exchange_transfers_out.state']).where('exchange_transfers_out.case_id', '=', caseId).orderBy('exchange_transfers_out.created_at').execute();
  return [
    ...outgoing.map((r) => ({ transferId: r.transfer_id, direction: 'out' as const, peer: r.peer_node_id, name: r.original_name, size: Number(r.size), sha256: r.sha256, chunks: Number(r.chunks), chunksReceived: null, state: r.state, itemId: r.item_id, lastError: null })),
    ...incoming.map((r) => {
      const item = JSON.parse(r.item) as TransferredItem;
      const manifest = JSON.parse(r.manifest) as { chunks: string[] };
      return { transferId: r.transfer_id, direction: 'in' as const, peer: r.peer_node_id, name: item.name, size: item.size, sha256: item.sha256, chunks: manifest.chunks.length, chunksReceived: Number(r.chunks_received), state: r.state, itemId: r.item_id, lastError: r.last_error };
    }),
  ];
}

/**
 * At start: what an earlier version left in plaintext is sealed or wiped — the content key of a
 * pending incoming transfer sealed, that of a finished one wiped (no longer needed), and the key
 * redacted from the stored copy of every message that carried one.
 * @returns how many keys were sealed, wiped, and stored messages redacted.
 */
export async function protectTransferKeys(db: Kysely<Database>, box: SecretBox): Promise<{ sealed: number; wiped: number; redacted: number }> {
  const counts = { sealed: 0, wiped: 0, redacted: 0 };
  for (const row of await db.selectFrom('exchange_transfers_in').select(['transfer_id', 'state', 'content_key']).where('content_key', '!=', '').execute()) {
    if (row.state === 'pending') {
      if (!PLAIN_KEY.test(row.content_key)) continue;
      await db.updateTable('exchange_transfers_in').set({ content_key: box.seal(Buffer.from(row.content_key, 'base64url'), transferKeyAad(row.transfer_id)) }).where('transfer_id', '=', row.transfer_id).execute();
      counts.sealed += 1;
    } else {
      await db.updateTable('exchange_transfers_in').set({ content_key: '' }).where('transfer_id', '=', row.transfer_id).execute();
      counts.wiped += 1;
    }
  }
  const stored = await db.selectFrom('exchange_inbox').select(['message_id', 'payload']).where('type', '=', 'response').where('payload', 'like', '%"evidence"%').execute();
  for (const row of stored) {
    const message = JSON.parse(row.payload) as { body: Record<string, unknown> };
    const redacted = JSON.stringify(redactTransferKeys(message));
    if (redacted === row.payload) continue;
    await db.updateTable('exchange_inbox').set({ payload: redacted }).where('message_id', '=', row.message_id).execute();
    counts.redacted += 1;
  }
  return counts;
}

/** The body of a `transfer-received` notice: the transfers the receiver has stored, each with the digest it checked. */
const transferReceivedSchema = z.strictObject({
  transfers: z.array(z.strictObject({ transferId: z.string().regex(ID), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).min(1).max(1000),
});

/** The draft of the notice by which a receiver confirms a complete transfer (sent in the transaction that stores the item). */
export function transferReceivedNotice(row: { transfer_id: string; case_id: string; message_id: string; authority_id: string }, toAuthority: string, sha256: string) {
  return { from: { authority: row.authority_id }, to: { authority: toAuthority }, inReplyTo: row.message_id, conversation: row.case_id, type: 'notice' as const, instrument: null, action: 'transfer-received', emergency: false, body: { transfers: [{ transferId: row.transfer_id, sha256 }] } };
}

/**
 * On the sender's node, inside the inbox transaction: a peer's signed `transfer-received` notice
 * marks its transfers `confirmed` (only transfers sent to that node, in that conversation, whose
 * content digest is the one confirmed). Their chunks are deleted afterwards by
 * {@link closeOutgoingTransfers}.
 * @returns how many transfers were confirmed.
 */
export async function applyTransferReceived(trx: Kysely<Database>, message: ExchangeMessage): Promise<number> {
  const parsed = transferReceivedSchema.safeParse(message.body);
  if (!parsed.success) throw new MessageRejected('invalid-message', `transfer-received: ${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  let confirmed = 0;
  for (const { transferId, sha256 } of parsed.data.transfers) {
    const row = await trx
      .selectFrom('exchange_transfers_out')
      .innerJoin('evidence_items', 'evidence_items.id', 'exchange_transfers_out.item_id')
      .select(['exchange_transfers_out.state', 'evidence_items.sha256'])
      .where('transfer_id', '=', transferId)
      .where('peer_node_id', '=', message.from.node)
      .where('exchange_transfers_out.case_id', '=', message.conversation)
      .executeTakeFirst();
    if (row === undefined) throw new MessageRejected('not-found', `no transfer ${transferId} was sent to ${message.from.node} in this conversation`);
    if (row.sha256 !== sha256) throw new MessageRejected('invalid-message', `transfer ${transferId}: the digest confirmed is not that of the item sent`);
    if (row.state !== 'sent') continue;
    await trx.updateTable('exchange_transfers_out').set({ state: 'confirmed' }).where('transfer_id', '=', transferId).where('state', '=', 'sent').execute();
    confirmed += 1;
  }
  return confirmed;
}

/**
 * Deletes the encrypted chunks this node keeps for its peers once they are no longer needed: the
 * receiver confirmed the transfer, or it was not confirmed within `settings.expiryHours`. Each
 * deletion is recorded with a signed custody event `transfer-closed` (the item itself stays).
 * Files first, then the record: a crash between the two deletes nothing twice.
 * @returns how many transfers were closed.
 */
export async function closeOutgoingTransfers(ev: EvidenceContext, settings: TransferSettings, now: Date): Promise<number> {
  const db = ev.cases.db;
  const cutoff = new Date(now.getTime() - settings.expiryHours * 3_600_000).toISOString();
  const rows = await db
    .selectFrom('exchange_transfers_out')
    .innerJoin('cases', 'cases.id', 'exchange_transfers_out.case_id')
    .innerJoin('evidence_items', 'evidence_items.id', 'exchange_transfers_out.item_id')
    .select(['transfer_id', 'exchange_transfers_out.case_id', 'item_id', 'peer_node_id', 'chunks', 'exchange_transfers_out.state', 'exchange_transfers_out.created_at', 'exchange_transfers_out.authority_id', 'cases.addressee_id', 'evidence_items.sha256', 'evidence_items.size'])
    .where((eb) => eb.or([eb('exchange_transfers_out.state', '=', 'confirmed'), eb.and([eb('exchange_transfers_out.state', '=', 'sent'), eb('exchange_transfers_out.created_at', '<', cutoff)])]))
    .orderBy('exchange_transfers_out.created_at')
    .limit(100)
    .execute();
  let closed = 0;
  for (const row of rows) {
    rmSync(outDir(settings, row.transfer_id), { recursive: true, force: true });
    const reason = row.state === 'confirmed' ? 'confirmed' : 'expired';
    const authorityId = row.authority_id ?? row.addressee_id;
    const signer = await signerFor(ev.keys, authorityId, now);
    const at = now.toISOString();
    await ev.cases.transaction(async (trx) => {
      const done = await trx.updateTable('exchange_transfers_out').set({ state: 'closed', closed_at: at, close_reason: reason }).where('transfer_id', '=', row.transfer_id).where('state', '=', row.state).executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) return; // another process closed it
      await appendCustody(trx, signer, {
        id: ev.cases.newId(),
        caseId: row.case_id,
        event: 'transfer-closed',
        at,
        actor: 'system',
        authorityId,
        item: { id: row.item_id, sha256: row.sha256, size: Number(row.size) },
        details: { to: row.peer_node_id, transferId: row.transfer_id, reason, chunksDeleted: Number(row.chunks) },
      });
      closed += 1;
    });
  }
  return closed;
}

/** Closes outgoing transfers now and then (and when woken, after a confirmation). */
export function startTransferCloser(ev: EvidenceContext, settings: TransferSettings, options: { everyMs?: number; onError?: (error: unknown) => void } = {}): { wake(): void; stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const run = () => {
    if (stopped) return;
    if (running !== null) {
      again = true;
      return;
    }
    again = false;
    running = closeOutgoingTransfers(ev, settings, new Date())
      .then(() => undefined, (error: unknown) => options.onError?.(error))
      .finally(() => {
        running = null;
        if (again) run();
      });
  };
  const timer = setInterval(run, options.everyMs ?? 60_000);
  timer.unref();
  setTimeout(run, 0).unref();
  return {
    wake: () => void setTimeout(run, 0),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
