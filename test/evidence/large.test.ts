/**
 * A 1 GiB evidence item through real HTTP: uploaded as one streamed tus-style PATCH and
 * downloaded again, with generated content; the digest is checked on both sides, and the
 * process's resident memory must not grow with the size (sampled every 50 ms; the bound, 160
 * MiB of growth, is far below the 1 GiB that buffering would take). COMITY_LARGE_TEST_MIB
 * shortens it for local runs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../http/harness.js';
import { acceptedCase, metadata } from './fixture.js';
import { generated } from './node-fixture.js';

const MIB = 1024 * 1024;
const LENGTH = Number(process.env.COMITY_LARGE_TEST_MIB ?? 1024) * MIB;

function http(method: string, url: string, headers: Record<string, string>, body?: Readable): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; sha256: string; bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      let text = '';
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (text.length < 4096) text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, sha256: hash.digest('hex'), bytes, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

describe('1 GiB upload and download over HTTP', () => {
  let t: TestApp;
  let base: string;
  let token: string;
  let caseId: string;
  before(async () => {
    t = await buildTestApp('sqlite');
    caseId = await acceptedCase(t, 'LARGE-1');
    token = await t.token('officer@us.demo', ['cases:write', 'cases:read']);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t?.close());

  it('streams through with bounded memory and the same digest both ways', async () => {
    const auth = { authorization: `Bearer ${token}` };
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    try {
      const expected = createHash('sha256');
      const begin = await t.bearer(token).post(`/api/cases/${caseId}/evidence/uploads`, metadata('disk.img', LENGTH));
      assert.equal(begin.statusCode, 201, begin.body);
      const uploadId = begin.json<{ id: string }>().id;
      const source = Readable.from(
        (function* () {
          for (const piece of generated(0, LENGTH, MIB)) {
            expected.update(piece);
            yield piece;
          }
        })(),
      );
      const up = await http('PATCH', `${base}/api/cases/${caseId}/evidence/uploads/${uploadId}`, { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(LENGTH), 'tus-resumable': '1.0.0' }, source);
      assert.equal(up.status, 201, up.text);
      const item = (JSON.parse(up.text) as { item: { id: string; sha256: string; size: number } }).item;
      const digest = expected.digest('hex');
      assert.equal(item.sha256, digest);
      assert.equal(item.size, LENGTH);
      const down = await http('GET', `${base}/api/cases/${caseId}/evidence/${item.id}/content`, auth);
      assert.equal(down.status, 200);
      assert.equal(down.bytes, LENGTH);
      assert.equal(down.sha256, digest);
      assert.equal(down.headers['x-content-sha256'], digest);
    } finally {
      clearInterval(sampler);
    }
    const growthMiB = (peak - baseline) / MIB;
    console.log(`large evidence: ${LENGTH / MIB} MiB up and down, peak RSS growth ${growthMiB.toFixed(1)} MiB`);
    assert.ok(growthMiB < 160, `resident memory grew by ${growthMiB.toFixed(1)} MiB for ${LENGTH / MIB} MiB of evidence`);
  });
});
