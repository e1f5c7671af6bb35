/**
 * @module evidence/s3-blob-store
 * The S3-compatible `BlobStore` (AWS S3, MinIO, Ceph RGW…), for deployments whose evidence
 * outgrows one disk. `@aws-sdk/client-s3` is imported lazily: a node on the filesystem store
 * never loads it. Objects become visible only when complete (a single PUT, or a multipart upload
 * in 8 MiB parts for larger streams — memory stays at one part). With `objectLock` set, every
 * object is written with Object Lock retention until the case's retention date (compliance mode:
 * not even the root account can shorten it; the bucket must have been created with Object Lock
 * enabled). Configure with COMITY_S3_* (see README, "Evidence").
 */
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ConfigError } from '../http/config.js';
import { checkBlobKey, streamReader, type BlobStore } from './blob-store.js';

export interface S3BlobStoreOptions {
  endpoint?: string;
  region: string;
  bucket: string;
  /** Key prefix inside the bucket, e.g. `comity/`. */
  prefix?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (MinIO, Ceph, s3rver). */
  forcePathStyle?: boolean;
  /** Object Lock mode for retention; null: none (the server may not support it). */
  objectLock?: 'COMPLIANCE' | 'GOVERNANCE' | null;
  /** With `objectLock`: days of retention from the write when the caller gives no date. */
  retainDays?: number;
}

/** Part size of multipart uploads: S3's minimum is 5 MiB. */
export const S3_PART_BYTES = 8 * 1024 * 1024;

async function* parts(source: AsyncIterable<Buffer | Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let bytes = 0;
  for await (const piece of source) {
    const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    pending.push(buf);
    bytes += buf.length;
    while (bytes >= size) {
      const all = Buffer.concat(pending, bytes);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      bytes -= size;
    }
  }
  yield Buffer.concat(pending, bytes);
}

export async function createS3BlobStore(options: S3BlobStoreOptions): Promise<BlobStore> {
  const s3 = await import('@aws-sdk/client-s3');
  const client = new s3.S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    ...(options.accessKeyId && options.secretAccessKey ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } } : {}),
  });
  const Bucket = options.bucket;
  const prefix = options.prefix ?? '';
  const objectKey = (key: string): string => {
    checkBlobKey(key);
    return `${prefix}${key}`;
  };
  const lock = (given: Date | null | undefined) => {
    const retainUntil = given ?? (options.retainDays ? new Date(Date.now() + options.retainDays * 86_400_000) : null);
    return options.objectLock && retainUntil ? { ObjectLockMode: options.objectLock, ObjectLockRetainUntilDate: retainUntil } : {};
  };

  const isMissing = (error: unknown): boolean => {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
  };

  async function head(key: string): Promise<{ size: number } | null> {
    try {
      const found = await client.send(new s3.HeadObjectCommand({ Bucket, Key: objectKey(key) }));
      return { size: Number(found.ContentLength ?? 0) };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  const store: BlobStore = {
    kind: 's3',
    async put(key, source, putOptions = {}) {
      const Key = objectKey(key);
      const existing = await head(key);
      if (existing !== null) {
        // Immutable: keep the first copy, drain the new one.
        for await (const chunk of source) void chunk;
        return existing;
      }
      const iterator = parts(source, S3_PART_BYTES)[Symbol.asyncIterator]();
      const first = await iterator.next();
      const firstPart = first.done ? Buffer.alloc(0) : first.value;
      const second = first.done ? { done: true as const, value: undefined } : await iterator.next();
      if (second.done) {
        await client.send(new s3.PutObjectCommand({ Bucket, Key, Body: firstPart, ContentLength: firstPart.length, ...lock(putOptions.retainUntil) }));
        return { size: firstPart.length };
      }
      const created = await client.send(new s3.CreateMultipartUploadCommand({ Bucket, Key, ...lock(putOptions.retainUntil) }));
      const UploadId = created.UploadId;
      const done: { ETag: string; PartNumber: number }[] = [];
      let size = 0;
      try {
        let part: Buffer | undefined = firstPart;
        let next: IteratorResult<Buffer> = second;
        while (part !== undefined) {
          // The last part may be empty only when it is not the first: skip it then.
          if (part.length > 0 || done.length === 0) {
            const PartNumber = done.length + 1;
            const answer = await client.send(new s3.UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: part, ContentLength: part.length }));
            done.push({ ETag: answer.ETag ?? '', PartNumber });
            size += part.length;
          }
          if (next.done) break;
          part = next.value;
          next = await iterator.next();
        }
        await client.send(new s3.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done } }));
      } catch (error) {
        await client.send(new s3.AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
        throw error;
      }
      return { size };
    },
    async putFile(key, path, putOptions) {
      const result = await store.put(key, createReadStream(path, { highWaterMark: 1024 * 1024 }), putOptions);
      await unlink(path);
      return result;
    },
    async get(key) {
      try {
        const found = await client.send(new s3.GetObjectCommand({ Bucket, Key: objectKey(key) }));
        const body = found.Body;
        if (body instanceof Readable) return body;
        if (body === undefined) return Readable.from([]);
        return Readable.from(body as AsyncIterable<Uint8Array>);
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async read(key) {
      // One GET streamed in order (no ranged request per chunk).
      const body = await store.get(key);
      return body === null ? null : streamReader(body);
    },
    stat: head,
    async delete(key) {
      await client.send(new s3.DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },
    async list(listPrefix) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new s3.ListObjectsV2Command({ Bucket, Prefix: `${prefix}${listPrefix}`, ...(ContinuationToken ? { ContinuationToken } : {}) }));
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(prefix.length));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys.sort();
    },
  };
  return Object.freeze(store);
}

/** The longest default retention accepted: 100 years. */
const MAX_RETAIN_DAYS = 36_500;

/**
 * Object Lock from COMITY_S3_OBJECT_LOCK and COMITY_S3_RETAIN_DAYS, both or neither. A value that
 * is not understood stops the start instead of being ignored: a mistyped mode would otherwise
 * store evidence without any lock, and a lock without a default period would leave the objects of
 * cases without a retention date unlocked.
 */
function objectLockFromEnv(env: Readonly<Record<string, string | undefined>>): { objectLock: 'COMPLIANCE' | 'GOVERNANCE' | null; retainDays?: number } {
  const mode = env.COMITY_S3_OBJECT_LOCK?.trim() ?? '';
  const days = env.COMITY_S3_RETAIN_DAYS?.trim() ?? '';
  if (mode === '' && days === '') return { objectLock: null };
  const upper = mode.toUpperCase();
  if (upper !== 'COMPLIANCE' && upper !== 'GOVERNANCE') {
    throw new ConfigError(mode === '' ? 'COMITY_S3_RETAIN_DAYS is set without COMITY_S3_OBJECT_LOCK: set COMITY_S3_OBJECT_LOCK=COMPLIANCE or GOVERNANCE, or unset COMITY_S3_RETAIN_DAYS' : `COMITY_S3_OBJECT_LOCK=${JSON.stringify(mode)}: expected COMPLIANCE or GOVERNANCE`);
  }
  if (!/^\d{1,5}$/.test(days) || Number(days) < 1 || Number(days) > MAX_RETAIN_DAYS) {
    throw new ConfigError(days === '' ? `COMITY_S3_OBJECT_LOCK=${upper} needs COMITY_S3_RETAIN_DAYS, the days an object is locked when its case has no retention date (1 to ${MAX_RETAIN_DAYS})` : `COMITY_S3_RETAIN_DAYS=${JSON.stringify(days)}: expected whole days from 1 to ${MAX_RETAIN_DAYS}`);
  }
  return { objectLock: upper, retainDays: Number(days) };
}

/** The S3 store configured by the environment, or null when COMITY_S3_BUCKET is unset. */
export async function s3BlobStoreFromEnv(env: Readonly<Record<string, string | undefined>>): Promise<BlobStore | null> {
  const bucket = env.COMITY_S3_BUCKET?.trim();
  if (!bucket) {
    // Settings of a store that is not configured: the evidence would go to the data directory instead, unlocked.
    const stray = Object.keys(env).filter((name) => name.startsWith('COMITY_S3_') && name !== 'COMITY_S3_BUCKET' && env[name]?.trim());
    if (stray.length > 0) throw new ConfigError(`${stray.sort().join(', ')} ${stray.length === 1 ? 'is' : 'are'} set without COMITY_S3_BUCKET: set the bucket, or unset ${stray.length === 1 ? 'it' : 'them'} to keep evidence in the data directory`);
    return null;
  }
  const lock = objectLockFromEnv(env);
  return createS3BlobStore({
    bucket,
    region: env.COMITY_S3_REGION?.trim() || 'us-east-1',
    ...(env.COMITY_S3_ENDPOINT?.trim() ? { endpoint: env.COMITY_S3_ENDPOINT.trim() } : {}),
    prefix: env.COMITY_S3_PREFIX ?? '',
    ...(env.COMITY_S3_ACCESS_KEY_ID ? { accessKeyId: env.COMITY_S3_ACCESS_KEY_ID } : {}),
    ...(env.COMITY_S3_SECRET_ACCESS_KEY ? { secretAccessKey: env.COMITY_S3_SECRET_ACCESS_KEY } : {}),
    ...lock,
  });
}
