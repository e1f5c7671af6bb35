/**
 * @module exchange/transfer
 * Large parts (attachments, evidence) travel outside the message, in chunks (exchange-evidence.md
 * §6; AS4 "split and join" made mandatory): each chunk is encrypted with AES-256-GCM under a
 * random per-transfer content key, with a nonce and associated data naming the transfer, the
 * chunk's index and whether it is the last one (so chunks cannot be reordered, moved to another
 * transfer or truncated at a chunk boundary). The **manifest** — transfer id, sizes, the SHA-256
 * of the plaintext and of each encrypted chunk — goes inside the signed, encrypted message,
 * together with the content key; each chunk that arrives is checked against its digest before it
 * is kept, and an interrupted transfer resumes from the chunks still missing.
 *
 * Generic on purpose: a stream of bytes in, a stream of bytes out, with a digest; the evidence
 * store decides where the bytes live.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ExchangeError } from './errors.js';

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
const TAG_BYTES = 16;

export const manifestSchema = z.strictObject({
  transferId: z.uuid(),
  chunkBytes: z.number().int().positive().max(64 * 1024 * 1024),
  size: z.number().int().nonnegative(),
  /** SHA-256 (hex) of the whole plaintext. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** SHA-256 (hex) of each encrypted chunk (ciphertext and tag), in order. */
  chunks: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(1_000_000),
});
export type TransferManifest = z.infer<typeof manifestSchema>;

/** What travels inside the signed message: the manifest and the content key. */
export interface TransferDescriptor {
  manifest: TransferManifest;
  /** AES-256 content key, base64url (the message itself is encrypted to the receiving node). */
  key: string;
}

/** What the stored copy of a message shows in place of a transfer's content key. */
export const REDACTED_KEY = 'redacted: sealed in exchange_transfers_in';

/**
 * A copy of a message body with every transfer content key (`evidence[].transfer.key`) replaced
 * by {@link REDACTED_KEY}: the receiver stores this copy, and the key only sealed, with its
 * transfer. The manifests (digests) are kept as signed.
 */
export function redactTransferKeys<T extends { body: Record<string, unknown> }>(message: T): T {
  const evidence = message.body.evidence;
  if (!Array.isArray(evidence)) return message;
  const redacted = evidence.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return entry;
    const transfer = (entry as { transfer?: unknown }).transfer;
    if (typeof transfer !== 'object' || transfer === null || !('key' in transfer)) return entry;
    return { ...entry, transfer: { ...transfer, key: REDACTED_KEY } };
  });
  return { ...message, body: { ...message.body, evidence: redacted } };
}

function nonce(transferId: string, index: number): Buffer {
  // 96 bits: 4 bytes from the transfer id, 8 bytes of chunk index. The key is used by one transfer only.
  const out = Buffer.alloc(12);
  Buffer.from(transferId.replace(/-/g, ''), 'hex').copy(out, 0, 0, 4);
  out.writeBigUInt64BE(BigInt(index), 4);
  return out;
}

function aad(transferId: string, index: number, last: boolean): Buffer {
  return Buffer.from(`comity-transfer/v1|${transferId}|${index}|${last ? 'last' : 'more'}`);
}

/**
 * Decrypts one sealed chunk `index` of transfer `transferId` under `key` (`last`: whether it is
 * the transfer's last chunk). @throws {ExchangeError} `undecryptable`.
 */
export function openChunk(key: Buffer, transferId: string, index: number, last: boolean, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce(transferId, index), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(transferId, index, last));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new ExchangeError('undecryptable', `transfer ${transferId}: chunk ${index} does not decrypt`);
  }
}

/** Splits `source` into plaintext chunks of `chunkBytes` (the last may be shorter; at least one). */
async function* plainChunks(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, chunkBytes: number): AsyncGenerator<{ plain: Buffer; last: boolean }> {
  let pending = Buffer.alloc(0);
  let ready: Buffer | null = null;
  for await (const piece of source) {
    pending = Buffer.concat([pending, piece]);
    while (pending.length >= chunkBytes) {
      if (ready !== null) yield { plain: ready, last: false };
      ready = Buffer.from(pending.subarray(0, chunkBytes));
      pending = pending.subarray(chunkBytes);
    }
  }
  if (pending.length > 0) {
    if (ready !== null) yield { plain: ready, last: false };
    yield { plain: pending, last: true };
  } else yield { plain: ready ?? Buffer.alloc(0), last: true };
}

/**
 * Splits and encrypts `source`, handing each encrypted chunk to `sink` as it is made (memory: one
 * chunk). Returns the descriptor for the message.
 */
export async function sealTransferInto(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, sink: (index: number, sealed: Buffer) => Promise<void> | void, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<TransferDescriptor> {
  const transferId = randomUUID();
  const key = randomBytes(32);
  const whole = createHash('sha256');
  const digests: string[] = [];
  let size = 0;
  for await (const { plain, last } of plainChunks(source, chunkBytes)) {
    const index = digests.length;
    whole.update(plain);
    size += plain.length;
    const cipher = createCipheriv('aes-256-gcm', key, nonce(transferId, index), { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(transferId, index, last));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    digests.push(createHash('sha256').update(sealed).digest('hex'));
    await sink(index, sealed);
  }
  return { manifest: { transferId, chunkBytes, size, sha256: whole.digest('hex'), chunks: digests }, key: key.toString('base64url') };
}

/**
 * Splits and encrypts `source` into chunks. Returns the descriptor (for the message) and the
 * encrypted chunks, in memory (small parts; evidence goes through {@link sealTransferInto}).
 */
export async function sealTransfer(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<{ descriptor: TransferDescriptor; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  const descriptor = await sealTransferInto(source, (_index, sealed) => void chunks.push(sealed), chunkBytes);
  return { descriptor, chunks };
}

/**
 * The receiving side of one transfer, kept in a directory so that it survives a restart: chunks
 * are accepted in any order, each checked against the manifest; `missing()` says what to ask for
 * again; `open()` decrypts in order and checks the whole digest.
 */
export class TransferReceiver {
  readonly manifest: TransferManifest;
  private readonly key: Buffer;
  private readonly dir: string;

  constructor(descriptor: TransferDescriptor, rootDir: string) {
    const parsed = manifestSchema.safeParse(descriptor.manifest);
    if (!parsed.success) throw new ExchangeError('invalid-message', `transfer manifest: ${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    this.manifest = parsed.data;
    this.key = Buffer.from(descriptor.key, 'base64url');
    if (this.key.length !== 32) throw new ExchangeError('invalid-message', 'transfer key: expected 32 bytes');
    this.dir = join(rootDir, this.manifest.transferId);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Keeps chunk `index` if it matches the manifest. @throws {ExchangeError} `bad-signature` for bytes that do not match their digest. */
  accept(index: number, bytes: Uint8Array): void {
    const expected = this.manifest.chunks[index];
    if (expected === undefined) throw new ExchangeError('invalid-message', `transfer ${this.manifest.transferId}: no chunk ${index}`);
    if (createHash('sha256').update(bytes).digest('hex') !== expected) throw new ExchangeError('bad-signature', `transfer ${this.manifest.transferId}: chunk ${index} does not match its digest in the signed manifest`);
    const path = join(this.dir, String(index));
    writeFileSync(`${path}.part`, bytes, { mode: 0o600 });
    renameSync(`${path}.part`, path); // a chunk is there whole or not at all
  }

  /** Removes the kept chunks (after the content was stored elsewhere). */
  discard(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Indexes of the chunks not received yet (an interrupted transfer resumes with these). */
  missing(): number[] {
    const have = new Set(readdirSync(this.dir).filter((f) => /^\d+$/.test(f)).map(Number));
    return this.manifest.chunks.map((_, i) => i).filter((i) => !have.has(i));
  }

  /** The plaintext, chunk by chunk, once complete; the whole digest is checked at the end. */
  async *open(): AsyncGenerator<Buffer> {
    const missing = this.missing();
    if (missing.length > 0) throw new ExchangeError('invalid-message', `transfer ${this.manifest.transferId}: ${missing.length} chunks missing`);
    const whole = createHash('sha256');
    const last = this.manifest.chunks.length - 1;
    for (let index = 0; index <= last; index++) {
      const path = join(this.dir, String(index));
      if (!existsSync(path)) throw new ExchangeError('invalid-message', `chunk ${index} vanished`);
      const plain = openChunk(this.key, this.manifest.transferId, index, index === last, readFileSync(path));
      whole.update(plain);
      yield plain;
    }
    if (whole.digest('hex') !== this.manifest.sha256) throw new ExchangeError('bad-signature', `transfer ${this.manifest.transferId}: the content does not match its digest`);
  }
}
