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
  /** The blob's size, or null when absent. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the blob (no error when absent). */
  delete(key: string): Promise<void>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
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
