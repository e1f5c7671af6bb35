import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { streamReader } from './blob-store.js';
import { EncryptStream, HEADER_BYTES, makeHeader, openChunks, sealedSize } from './chunked-cipher.js';

async function seal(key: Buffer, plain: Buffer, chunk: number, pieces = 7): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < plain.length; i += pieces) parts.push(plain.subarray(i, i + pieces));
  return buffer(Readable.from(parts).pipe(new EncryptStream(key, { header: makeHeader(chunk) })));
}

async function open(key: Buffer, sealed: Buffer, pieces = 5): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < sealed.length; i += pieces) parts.push(sealed.subarray(i, i + pieces));
  // As a blob read from a stream (the S3 store) arrives: in pieces unrelated to the chunks.
  const plain: Buffer[] = [];
  let finals = 0;
  for await (const chunk of openChunks(key, streamReader(Readable.from(parts)), 3)) {
    assert.equal(finals, 0, 'nothing after the final chunk');
    if (chunk.final) finals += 1;
    plain.push(...chunk.pieces);
  }
  assert.equal(finals, 1);
  return Buffer.concat(plain);
}

describe('chunked AES-256-GCM', () => {
  it('round-trips any content in any piece sizes, with the announced sealed size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 16, max: 64 }), fc.integer({ min: 1, max: 40 }), async (bytes, chunk, pieces) => {
        const key = randomBytes(32);
        const plain = Buffer.from(bytes);
        const sealed = await seal(key, plain, chunk, pieces);
        assert.equal(sealed.length, sealedSize(plain.length, chunk));
        assert.ok(plain.length < 8 || !sealed.includes(plain), 'no plaintext at rest');
        assert.deepEqual(await open(key, sealed, pieces), plain);
      }),
      { numRuns: 200 },
    );
  });

  it('detects every single-byte change, truncation, extension and a wrong key', async () => {
    const key = randomBytes(32);
    const plain = randomBytes(200);
    const sealed = await seal(key, plain, 32);
    let tried = 0;
    for (let i = 0; i < sealed.length; i += 1) {
      const bad = Buffer.from(sealed);
      bad[i] = (bad[i] as number) ^ (1 + (i % 255));
      await assert.rejects(open(key, bad), Error, `byte ${i}`);
      tried += 1;
    }
    for (const cut of [0, 10, HEADER_BYTES, HEADER_BYTES + 48, sealed.length - 1, sealed.length - 17]) await assert.rejects(open(key, sealed.subarray(0, cut)), Error, `cut at ${cut}`);
    await assert.rejects(open(key, Buffer.concat([sealed, Buffer.from([0])])));
    await assert.rejects(open(randomBytes(32), sealed));
    // Dropping a whole middle chunk (48 sealed bytes) is detected too.
    await assert.rejects(open(key, Buffer.concat([sealed.subarray(0, HEADER_BYTES + 48), sealed.subarray(HEADER_BYTES + 96)])));
    console.log(`cipher tamper: ${tried} single-byte changes tried, all detected`);
  });
});
