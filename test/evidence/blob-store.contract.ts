/**
 * @module test/evidence/blob-store.contract
 * The `BlobStore` contract: every adapter passes the same tests (as Kysely's dialects do).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { it } from 'node:test';
import type { BlobStore } from '../../src/evidence/index.js';

const key = (c: string, content: Buffer | string) => `${c}/${createHash('sha256').update(content).digest('hex')}`;

export function blobStoreContract(open: () => Promise<BlobStore>, options: { largeBytes: number }): void {
  it('stores a stream and gives the same bytes back; stat and list see it', async () => {
    const store = await open();
    const content = randomBytes(options.largeBytes);
    const k = key('case-a', content);
    // Uneven pieces, as a network delivers them.
    const pieces: Buffer[] = [];
    for (let i = 0; i < content.length; i += 777_777) pieces.push(content.subarray(i, i + 777_777));
    assert.deepEqual(await store.put(k, Readable.from(pieces)), { size: content.length });
    assert.deepEqual(await store.stat(k), { size: content.length });
    const back = await store.get(k);
    assert.ok(back);
    assert.ok((await buffer(back)).equals(content));
    assert.deepEqual(await store.list('case-a/'), [k]);
  });

  it('read() fills the caller\'s buffers with the same bytes, in order, short only at the end; absent keys are null', async () => {
    const store = await open();
    const content = randomBytes(options.largeBytes);
    const k = key('case-r', content);
    await store.put(k, Readable.from([content]));
    const reader = await store.read(k);
    assert.ok(reader);
    const back: Buffer[] = [];
    // Buffers of a sealed chunk's odd size, reused as the blob reader's caller does.
    const into = Buffer.alloc(1024 * 1024 + 16);
    for (;;) {
      const n = await reader.fill(into);
      back.push(Buffer.from(into.subarray(0, n)));
      if (n < into.length) break;
    }
    await reader.close();
    assert.ok(Buffer.concat(back).equals(content));
    assert.equal(await store.read(key('case-r', 'absent')), null);
    const empty = key('case-r', '');
    await store.put(empty, Readable.from([]));
    const emptyReader = await store.read(empty);
    assert.ok(emptyReader);
    assert.equal(await emptyReader.fill(Buffer.alloc(10)), 0);
    await emptyReader.close();
  });

  it('an empty blob is a blob', async () => {
    const store = await open();
    const k = key('case-e', '');
    assert.deepEqual(await store.put(k, Readable.from([])), { size: 0 });
    const back = await store.get(k);
    assert.ok(back);
    assert.equal((await buffer(back)).length, 0);
  });

  it('is immutable: a second put of a key keeps the first bytes', async () => {
    const store = await open();
    const k = key('case-b', 'first');
    await store.put(k, Readable.from([Buffer.from('first')]));
    await store.put(k, Readable.from([Buffer.from('second!')]));
    const back = await store.get(k);
    assert.ok(back);
    assert.equal((await buffer(back)).toString(), 'first');
  });

  it('a put cut short leaves nothing visible under the key', async () => {
    const store = await open();
    const k = key('case-c', 'never');
    async function* failing() {
      yield randomBytes(100_000);
      throw new Error('connection lost');
    }
    await assert.rejects(store.put(k, Readable.from(failing())), /connection lost/);
    assert.equal(await store.stat(k), null);
    assert.equal(await store.get(k), null);
    assert.deepEqual(await store.list('case-c/'), []);
  });

  it('putFile takes a file over; delete really removes; absent keys are null', async () => {
    const store = await open();
    const dir = await mkdtemp(join(tmpdir(), 'comity-contract-'));
    const file = join(dir, 'staged');
    await writeFile(file, 'staged bytes');
    const k = key('case-d', 'staged bytes');
    assert.deepEqual(await store.putFile(k, file), { size: 12 });
    await assert.rejects(stat(file));
    await store.delete(k);
    assert.equal(await store.stat(k), null);
    assert.equal(await store.get(k), null);
    await store.delete(k);
    assert.deepEqual(await store.list('case-d/'), []);
  });

  it('refuses keys that are not <case>/<sha256>', async () => {
    const store = await open();
    for (const bad of ['../x/' + 'a'.repeat(64), '/abs/' + 'a'.repeat(64), 'a/b/' + 'a'.repeat(64), 'case/NOTHEX', '']) {
      await assert.rejects(store.put(bad, Readable.from([Buffer.from('x')])), /bad blob key/);
      await assert.rejects(store.get(bad), /bad blob key/);
    }
  });
}
