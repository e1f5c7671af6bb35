/**
 * @module evidence/blob-store
 * The `BlobStore` port: where sealed evidence blobs live. Keys are `<case id>/<sha256 hex>`
 * (content-addressed within a case only: deduplicating across cases would tell one case that
 * another holds the same file). A blob is immutable once put and becomes visible all at once
 * (never half-written); `delete` really removes it (retention). Adapters: the filesystem
 * (`fs-blob-store.ts`, default) and S3-compatible object storage (`s3-blob-store.ts`); both pass
 * `blob-store.contract.ts`.
 */
import type { Readable } from 'node:stream';

export interface BlobStore {
  /** Which adapter, for the README and diagnostics. */
  readonly kind: 'fs' | 's3';
  /** Stores the stream under `key` atomically; resolves with its size. An existing key is kept as is (immutable). */
  put(key: string, source: Readable, options?: { retainUntil?: Date | null }): Promise<{ size: number }>;
  /** Stores a local file under `key`, taking it over (the file is gone afterwards). */
  putFile(key: string, path: string, options?: { retainUntil?: Date | null }): Promise<{ size: number }>;
  /** The blob as a stream; null when absent. */
  get(key: string): Promise<Readable | null>;
  /** The blob, read in order into the caller's buffers (no new buffer per read); null when absent. */
  read(key: string): Promise<BlobReader | null>;
  /** The blob's size, or null when absent. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the blob (no error when absent). */
  delete(key: string): Promise<void>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
}

/** A stored blob read from its first byte to its last into buffers the reader owns (and reuses). */
export interface BlobReader {
  /** Fills `into` with the next bytes; resolves with how many: fewer than its length only at the end of the blob. */
  fill(into: Buffer): Promise<number>;
  /** Releases the blob (a file handle, a connection); further fills are not allowed. */
  close(): Promise<void>;
}

/** A {@link BlobReader} over a stream (a store without random access, e.g. an S3 GET): its pieces are copied into the caller's buffer. */
export function streamReader(stream: Readable): BlobReader {
  const pieces = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | Uint8Array>;
  let rest: Buffer = Buffer.alloc(0);
  let ended = false;
  return {
    async fill(into) {
      let at = 0;
      while (at < into.length) {
        if (rest.length === 0) {
          if (ended) break;
          const next = await pieces.next();
          if (next.done === true) {
            ended = true;
            break;
          }
          const value = next.value;
          rest = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        }
        const take = Math.min(rest.length, into.length - at);
        rest.copy(into, at, 0, take);
        rest = rest.subarray(take);
        at += take;
      }
      return at;
    },
    async close() {
      stream.destroy();
    },
  };
}

/** Keys are `<segment>/<segment>` of safe characters: never a path that climbs or is absolute. */
export const BLOB_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/[a-f0-9]{64}$/;

export function checkBlobKey(key: string): void {
  if (!BLOB_KEY.test(key)) throw new Error(`bad blob key ${JSON.stringify(key)}`);
}

export function blobKeyOf(caseId: string, sha256: string): string {
  const key = `${caseId}/${sha256}`;
  checkBlobKey(key);
  return key;
}
