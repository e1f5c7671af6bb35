import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Sha256, sha256OfPrefix } from './sha256.js';

const node = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('SHA-256 agrees with node:crypto on the FIPS vectors and on every length around the block boundaries', () => {
  assert.equal(new Sha256().hex(), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(new Sha256().update(new TextEncoder().encode('abc')).hex(), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  for (let n = 0; n <= 200; n++) {
    const bytes = randomBytes(n);
    assert.equal(new Sha256().update(bytes).hex(), node(bytes), `length ${n}`);
  }
});

test('fed in uneven pieces, the digest is that of the whole', () => {
  const bytes = randomBytes(100_003);
  const hash = new Sha256();
  for (let at = 0, step = 1; at < bytes.length; at += step, step = (step * 7 + 3) % 9000) hash.update(bytes.subarray(at, at + step));
  assert.equal(hash.hex(), node(bytes));
  assert.throws(() => hash.update(bytes), /digest already taken/);
});

test('the digest of a prefix of a Blob, read in slices', async () => {
  const bytes = randomBytes(3 * 1024 + 5);
  const seen: number[] = [];
  assert.equal(await sha256OfPrefix(new Blob([bytes]), 2048 + 7, (d) => seen.push(d), undefined, 1024), node(bytes.subarray(0, 2048 + 7)));
  assert.deepEqual(seen, [1024, 2048, 2055]);
  assert.equal(await sha256OfPrefix(new Blob([bytes]), 0), node(new Uint8Array(0)));
});
