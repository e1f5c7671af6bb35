/**
 * @module evidence/chunked-cipher
 * Evidence at rest: AES-256-GCM in fixed-size chunks, so that a blob of any size is encrypted
 * and decrypted in a stream with bounded memory, and any change, reordering, truncation or
 * extension of the ciphertext is detected.
 *
 * Layout: a 28-byte header `CMTYEVD1 ‖ salt (16) ‖ chunk size (u32 BE)`, then chunks of
 * `chunk size` plaintext bytes each sealed as `ciphertext ‖ tag (16)`, then always exactly one
 * final chunk of 0 … chunk size − 1 bytes. The blob key is HKDF-SHA256(case key, salt,
 * "comity-evidence-blob-v1"); the nonce of chunk i is 4 zero bytes ‖ i (u64 BE); the associated
 * data is the header ‖ a final flag, so the header is authenticated and a stream cut at a chunk
 * boundary lacks its final chunk (the construction of "STREAM", Hoang–Reyhanitabar–Rogaway–Vizár
 * 2015, as in age and Tink).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type CipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export const MAGIC = Buffer.from('CMTYEVD1', 'latin1');
export const HEADER_BYTES = 28;
export const TAG_BYTES = 16;
/** 1 MiB: large enough for throughput, small enough for bounded memory and resumption. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/**
 * Plaintext handed on by {@link openChunks} in pieces of 64 KiB (a chunk's, once its tag is
 * checked): GCM runs fast on pieces of this size, and each is a small buffer from the allocator's
 * heap rather than a fresh mapping of a whole chunk.
 */
const PLAINTEXT_PIECE_BYTES = 64 * 1024;
const HKDF_INFO = Buffer.from('comity-evidence-blob-v1', 'latin1');

export class CipherError extends Error {
  override readonly name = 'CipherError';
}

export function makeHeader(chunkBytes = DEFAULT_CHUNK_BYTES, salt: Buffer = randomBytes(16)): Buffer {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 16 || chunkBytes > 64 * 1024 * 1024) throw new CipherError('bad chunk size');
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  salt.copy(header, 8);
  header.writeUInt32BE(chunkBytes, 24);
  return header;
}

export function parseHeader(header: Buffer): { salt: Buffer; chunkBytes: number } {
  if (header.length !== HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)) throw new CipherError('not an evidence blob (bad header)');
  const chunkBytes = header.readUInt32BE(24);
  if (chunkBytes < 16 || chunkBytes > 64 * 1024 * 1024) throw new CipherError('not an evidence blob (bad chunk size)');
  return { salt: Buffer.from(header.subarray(8, 24)), chunkBytes };
}

function blobKey(caseKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', caseKey, salt, HKDF_INFO, 32));
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

/** Seals chunks one at a time; the caller feeds whole chunks and then the final one. */
export class ChunkSealer {
  readonly header: Buffer;
  readonly chunkBytes: number;
  private readonly key: Buffer;
  private readonly aadPlain: Buffer;
  private readonly aadFinal: Buffer;

  constructor(caseKey: Buffer, header: Buffer) {
    const { salt, chunkBytes } = parseHeader(header);
    this.header = header;
    this.chunkBytes = chunkBytes;
    this.key = blobKey(caseKey, salt);
    this.aadPlain = Buffer.concat([header, Buffer.from([0])]);
    this.aadFinal = Buffer.concat([header, Buffer.from([1])]);
  }

  /**
   * A cipher for chunk `index`, its associated data set: the caller feeds the chunk's plaintext
   * with update() in as many pieces as it arrives (GCM's output has the length of its input) and
   * ends with final() and getAuthTag(). Sealing in pieces needs no buffer of a whole chunk.
   */
  begin(index: number, final: boolean): CipherGCM {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(index));
    cipher.setAAD(final ? this.aadFinal : this.aadPlain);
    return cipher;
  }

  /** Chunk `index` (a full chunk unless `final`) as ciphertext ‖ tag. */
  seal(index: number, plaintext: Buffer, final: boolean): Buffer {
    return Buffer.concat(this.sealParts(index, plaintext, final));
  }

  /** {@link seal} as its parts (ciphertext, tag), for a vectored write without copying them together. */
  sealParts(index: number, plaintext: Buffer, final: boolean): Buffer[] {
    if (final ? plaintext.length >= this.chunkBytes : plaintext.length !== this.chunkBytes) throw new CipherError('bad chunk length');
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(index));
    cipher.setAAD(final ? this.aadFinal : this.aadPlain);
    const body = cipher.update(plaintext);
    const rest = cipher.final();
    return rest.length > 0 ? [body, rest, cipher.getAuthTag()] : [body, cipher.getAuthTag()];
  }

  /** Opens chunk `index`; throws {@link CipherError} when it was altered. */
  open(index: number, sealed: Buffer, final: boolean): Buffer {
    const parts = this.openParts(index, sealed, final);
    // GCM gives everything from update(): no copy into a new buffer (one chunk less to collect).
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /**
   * {@link open} as pieces of at most `piece` bytes: each a small buffer (from the allocator's
   * heap, reused, rather than a fresh mapping of a whole chunk per chunk). None is returned before
   * the chunk's tag is checked: an altered chunk gives no plaintext at all.
   */
  openParts(index: number, sealed: Buffer, final: boolean, piece = sealed.length): Buffer[] {
    if (sealed.length < TAG_BYTES) throw new CipherError('truncated chunk');
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce(index));
    decipher.setAAD(final ? this.aadFinal : this.aadPlain);
    const end = sealed.length - TAG_BYTES;
    decipher.setAuthTag(sealed.subarray(end));
    try {
      const parts: Buffer[] = [];
      for (let at = 0; at < end || parts.length === 0; at += piece) parts.push(decipher.update(sealed.subarray(at, Math.min(at + piece, end))));
      const rest = decipher.final();
      if (rest.length > 0) parts.push(rest);
      return parts;
    } catch {
      throw new CipherError(`chunk ${index} does not authenticate: the stored blob was altered or belongs to another key`);
    }
  }
}

/**
 * A Transform from plaintext to a complete sealed blob (header first). Memory: one chunk.
 * `startIndex` and `header` let a resumed upload continue a staged blob.
 */
export class EncryptStream extends Transform {
  private readonly sealer: ChunkSealer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index: number;

  constructor(caseKey: Buffer, options: { header?: Buffer; startIndex?: number; writeHeader?: boolean } = {}) {
    super();
    const header = options.header ?? makeHeader();
    this.sealer = new ChunkSealer(caseKey, header);
    this.index = options.startIndex ?? 0;
    if (options.writeHeader ?? true) this.push(header);
  }

  get chunksSealed(): number {
    return this.index;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending.push(data);
    this.pendingBytes += data.length;
    const size = this.sealer.chunkBytes;
    if (this.pendingBytes >= size) {
      let all = Buffer.concat(this.pending, this.pendingBytes);
      while (all.length >= size) {
        this.push(this.sealer.seal(this.index, all.subarray(0, size), false));
        this.index += 1;
        all = all.subarray(size);
      }
      this.pending = all.length > 0 ? [Buffer.from(all)] : [];
      this.pendingBytes = all.length;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.push(this.sealer.seal(this.index, Buffer.concat(this.pending, this.pendingBytes), true));
    this.index += 1;
    this.pending = [];
    callback();
  }
}

/** Where {@link openChunks} reads a sealed blob from (see `BlobReader` in `blob-store.ts`). */
export interface SealedSource {
  /** Fills `into` with the next bytes; fewer than its length only at the end of the blob. */
  fill(into: Buffer): Promise<number>;
}

/**
 * The plaintext of a sealed blob (header first), chunk by chunk: each sealed chunk is read into
 * one reused buffer (one read per chunk, no copy), and its plaintext is given as pieces of
 * `piece` bytes once its tag is checked, with `final` set on the last one. Throws
 * {@link CipherError} on any alteration, truncation or extension. Memory: one sealed chunk and
 * the plaintext of one.
 */
export async function* openChunks(caseKey: Buffer, source: SealedSource, piece = PLAINTEXT_PIECE_BYTES): AsyncGenerator<{ pieces: Buffer[]; final: boolean }> {
  const header = Buffer.alloc(HEADER_BYTES);
  if ((await source.fill(header)) !== HEADER_BYTES) throw new CipherError('truncated blob (no header)');
  const sealer = new ChunkSealer(caseKey, header);
  const chunk = Buffer.allocUnsafe(sealer.chunkBytes + TAG_BYTES);
  for (let index = 0; ; index += 1) {
    const read = await source.fill(chunk);
    // The final chunk is always shorter than a full one: a full one is never final, and a blob
    // cut at a chunk boundary ends in an empty "final chunk" that has no tag.
    if (read === chunk.length) {
      yield { pieces: sealer.openParts(index, chunk, false, piece), final: false };
    } else {
      yield { pieces: sealer.openParts(index, chunk.subarray(0, read), true, piece), final: true };
      return;
    }
  }
}

/** Size of the sealed blob for `plainBytes` of plaintext. */
export function sealedSize(plainBytes: number, chunkBytes = DEFAULT_CHUNK_BYTES): number {
  const full = Math.floor(plainBytes / chunkBytes);
  return HEADER_BYTES + (full + 1) * TAG_BYTES + plainBytes;
}
