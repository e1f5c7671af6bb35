/**
 * Object Lock request parameters of the S3 adapter, against a recording HTTP endpoint (s3rver,
 * the S3 server of the contract tests, has no Object Lock): with COMITY_S3_OBJECT_LOCK and
 * COMITY_S3_RETAIN_DAYS every write (PutObject, and CreateMultipartUpload for large objects)
 * carries x-amz-object-lock-mode and x-amz-object-lock-retain-until-date; a retention date given
 * by the caller (the case's) wins; without the setting no lock header is sent.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { s3BlobStoreFromEnv } from '../../src/evidence/s3-blob-store.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

describe('S3 adapter: Object Lock parameters', () => {
  let server: Server;
  let endpoint: string;
  const seen: Seen[] = [];
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
        if (req.method === 'HEAD') return void res.writeHead(404).end();
        if (req.method === 'POST' && (req.url ?? '').includes('uploads')) {
          res.writeHead(200, { 'content-type': 'application/xml' });
          return void res.end('<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>U1</UploadId></InitiateMultipartUploadResult>');
        }
        if (req.method === 'POST') {
          res.writeHead(200, { 'content-type': 'application/xml' });
          return void res.end('<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>"e"</ETag></CompleteMultipartUploadResult>');
        }
        res.writeHead(200, { etag: '"e"' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const env = (extra: Record<string, string>) => ({ COMITY_S3_BUCKET: 'evidence', COMITY_S3_ENDPOINT: endpoint, COMITY_S3_ACCESS_KEY_ID: 'test', COMITY_S3_SECRET_ACCESS_KEY: 'test-secret', ...extra });
  const key = 'c/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

  it('COMPLIANCE with 3650 days: PutObject carries the mode and a date 3650 days ahead', async () => {
    const store = await s3BlobStoreFromEnv(env({ COMITY_S3_OBJECT_LOCK: 'compliance', COMITY_S3_RETAIN_DAYS: '3650' }));
    assert.ok(store);
    seen.length = 0;
    const before = Date.now();
    await store.put(key, Readable.from([Buffer.from('sealed bytes')]));
    const put = seen.find((s) => s.method === 'PUT');
    assert.ok(put, JSON.stringify(seen.map((s) => s.method)));
    assert.equal(put.headers['x-amz-object-lock-mode'], 'COMPLIANCE');
    const until = Date.parse(put.headers['x-amz-object-lock-retain-until-date'] as string);
    assert.ok(Math.abs(until - (before + 3650 * 86_400_000)) < 60_000, String(put.headers['x-amz-object-lock-retain-until-date']));
  });

  it("the case's retention date, when given, is the retain-until date; large objects lock at CreateMultipartUpload", async () => {
    const store = await s3BlobStoreFromEnv(env({ COMITY_S3_OBJECT_LOCK: 'GOVERNANCE', COMITY_S3_RETAIN_DAYS: '30' }));
    assert.ok(store);
    seen.length = 0;
    const retainUntil = new Date('2031-05-06T07:08:09Z');
    await store.put(key, Readable.from([Buffer.alloc(9 * 1024 * 1024, 1)]), { retainUntil });
    const create = seen.find((s) => s.method === 'POST' && s.url.includes('uploads'));
    assert.ok(create, JSON.stringify(seen.map((s) => `${s.method} ${s.url}`)));
    assert.equal(create.headers['x-amz-object-lock-mode'], 'GOVERNANCE');
    assert.equal(Date.parse(create.headers['x-amz-object-lock-retain-until-date'] as string), retainUntil.getTime());
  });

  it('without COMITY_S3_OBJECT_LOCK no Object Lock header is sent', async () => {
    const store = await s3BlobStoreFromEnv(env({}));
    assert.ok(store);
    seen.length = 0;
    await store.put(key, Readable.from([Buffer.from('sealed bytes')]));
    assert.ok(seen.some((s) => s.method === 'PUT'));
    assert.ok(seen.every((s) => s.headers['x-amz-object-lock-mode'] === undefined && s.headers['x-amz-object-lock-retain-until-date'] === undefined));
  });
});
