/**
 * Both `BlobStore` adapters against the same contract: the filesystem store in a temporary
 * directory, and the S3 store against a real S3-compatible server started here (s3rver from the
 * npm registry, on loopback; it has no Object Lock, see README).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFsBlobStore } from '../../src/evidence/index.js';
import { createS3BlobStore } from '../../src/evidence/s3-blob-store.js';
import { blobStoreContract } from './blob-store.contract.js';

describe('BlobStore contract: filesystem', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'comity-fs-store-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  blobStoreContract(() => createFsBlobStore(join(dir, 'blobs')), { largeBytes: 3 * 1024 * 1024 + 5 });

  it('leaves no temporary file behind, and clears those of a crash at start', async () => {
    const root = join(dir, 'blobs');
    await createFsBlobStore(root);
    assert.deepEqual(await readdir(join(root, '.tmp')), []);
    assert.equal((await stat(join(root, '.tmp'))).mode & 0o777, 0o700);
  });
});

describe('BlobStore contract: S3-compatible (s3rver)', () => {
  let dir: string;
  let server: { close(): Promise<void> } | undefined;
  let endpoint: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'comity-s3rver-'));
    const { default: S3rver } = await import('s3rver');
    const instance = new S3rver({ port: 0, address: '127.0.0.1', directory: dir, silent: true, configureBuckets: [{ name: 'comity-evidence', configs: [] }] });
    const address = (await instance.run()) as { port: number };
    server = instance;
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });
  // Over 8 MiB: the multipart path (two parts and a rest).
  blobStoreContract(() => createS3BlobStore({ endpoint, region: 'us-east-1', bucket: 'comity-evidence', prefix: 'node-1/', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true }), { largeBytes: 17 * 1024 * 1024 + 3 });
});
