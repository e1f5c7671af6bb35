import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { CompactRange, consistencyProof, inclusionProof, leafHash, nodeHash, nodesRead, rootFromLeafHashes, verifyConsistency, verifyInclusion, type NodeSource } from './merkle.js';

// Copied unchanged from /work/shared/vectors (transparency-dev/merkle testdata, Apache-2.0).
const VECTORS = new URL('../../test/vectors/rfc6962/', import.meta.url).pathname;

function vectorFiles(kind: string): Array<{ file: string; data: Record<string, unknown> }> {
  const root = join(VECTORS, kind);
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, data: JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown> }));
}

const b64 = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : '', 'base64');
const proofOf = (value: unknown): Buffer[] => (Array.isArray(value) ? value.map(b64) : []);

test('RFC 6962 inclusion vectors (transparency-dev/merkle testdata): happy paths accepted, every mutation rejected', () => {
  const files = vectorFiles('inclusion');
  assert.ok(files.length > 50);
  for (const { file, data } of files) {
    const ok = verifyInclusion(Number(data.leafIdx), Number(data.treeSize), b64(data.leafHash), proofOf(data.proof), b64(data.root));
    assert.equal(ok, data.wantErr !== true, `${file}: ${String(data.desc)}`);
  }
});

test('RFC 6962 consistency vectors: happy paths accepted, every mutation rejected', () => {
  const files = vectorFiles('consistency');
  assert.ok(files.length > 50);
  for (const { file, data } of files) {
    const ok = verifyConsistency(Number(data.size1), Number(data.size2), proofOf(data.proof), b64(data.root1), b64(data.root2));
    assert.equal(ok, data.wantErr !== true, `${file}: ${String(data.desc)}`);
  }
});

/** An independent naive tree: every node hash from the recursive definition (RFC 6962 §2.1). */
function naiveTree(leaves: readonly Buffer[]): NodeSource {
  return (level, index) => rootFromLeafHashes(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
}

/** MTH(D[start:end]) by the recursive definition, memoised (the naive tree is otherwise quadratic). */
const memo = new Map<string, Buffer>();
function mth(d: readonly Buffer[], start: number, end: number): Buffer {
  const key = `${start}:${end}`;
  let hash = memo.get(key);
  if (hash === undefined) {
    if (end - start === 1) hash = d[start] as Buffer;
    else {
      let k = 1;
      while (k * 2 < end - start) k *= 2;
      hash = nodeHash(mth(d, start, start + k), mth(d, start + k, end));
    }
    memo.set(key, hash);
  }
  return hash;
}

/** RFC 6962 §2.1.1 PATH and §2.1.2 SUBPROOF written directly over the leaves (no stored nodes). */
function naivePath(m: number, d: readonly Buffer[], start = 0, end = d.length): Buffer[] {
  if (end - start <= 1) return [];
  let k = 1;
  while (k * 2 < end - start) k *= 2;
  return m < k ? [...naivePath(m, d, start, start + k), mth(d, start + k, end)] : [...naivePath(m - k, d, start + k, end), mth(d, start, start + k)];
}
function naiveSubproof(m: number, d: readonly Buffer[], b: boolean, start = 0, end = d.length): Buffer[] {
  if (m === end - start) return b ? [] : [mth(d, start, end)];
  let k = 1;
  while (k * 2 < end - start) k *= 2;
  return m <= k ? [...naiveSubproof(m, d, b, start, start + k), mth(d, start + k, end)] : [...naiveSubproof(m - k, d, false, start + k, end), mth(d, start, start + k)];
}

const leaves = Array.from({ length: 2000 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

test('property: compact-range roots equal the naive recursive root for every size 1..2000, and the completed nodes are the naive subtrees', () => {
  const range = new CompactRange();
  const stored = new Map<string, Buffer>();
  for (let size = 1; size <= 2000; size += 1) {
    for (const node of range.append(leaves[size - 1] as Buffer)) stored.set(`${node.level}/${node.index}`, node.hash);
    assert.deepEqual(range.root(), mth(leaves, 0, size), `size ${size}`);
    // A range rebuilt from its nodes gives the same root (how the log restarts).
    assert.deepEqual(new CompactRange(size, range.nodes).root(), range.root());
  }
  const naive = naiveTree(leaves);
  for (const [key, hash] of stored) {
    const [level, index] = key.split('/').map(Number) as [number, number];
    if (index % 37 === 0) assert.deepEqual(hash, naive(level, index), key);
  }
});

test('property: inclusion proofs for every leaf of sizes 1..2000 (sampled) match the naive PATH and verify', () => {
  const range = new CompactRange();
  const stored = new Map<string, Buffer>();
  const node: NodeSource = (level, index) => stored.get(`${level}/${index}`) as Buffer;
  for (let size = 1; size <= 2000; size += 1) {
    for (const n of range.append(leaves[size - 1] as Buffer)) stored.set(`${n.level}/${n.index}`, n.hash);
    const root = range.root();
    const d = leaves;
    const indexes = size <= 64 ? Array.from({ length: size }, (_, i) => i) : [0, size - 1, Math.floor(size / 2), (size * 7) % size];
    for (const index of indexes) {
      const proof = inclusionProof(node, index, size);
      assert.deepEqual(proof, naivePath(index, d, 0, size), `${index}/${size}`);
      assert.ok(verifyInclusion(index, size, leaves[index] as Buffer, proof, root));
      assert.ok(!verifyInclusion(index, size, leafHash(Buffer.from('other')), proof, root));
      if (size > 1) assert.ok(!verifyInclusion((index + 1) % size, size, leaves[index] as Buffer, proof, root));
    }
    if (size >= 2) {
      for (const size1 of size <= 64 ? Array.from({ length: size - 1 }, (_, i) => i + 1) : [1, size - 1, Math.floor(size / 3)]) {
        const proof = consistencyProof(node, size1, size);
        assert.deepEqual(proof, naiveSubproof(size1, d, true, 0, size), `${size1}→${size}`);
        assert.ok(verifyConsistency(size1, size, proof, mth(d, 0, size1), root));
      }
    }
  }
});

test('property: random pairs — proofs verify, tampered proofs and roots do not', () => {
  const range = new CompactRange();
  const stored = new Map<string, Buffer>();
  for (const leaf of leaves) for (const n of range.append(leaf)) stored.set(`${n.level}/${n.index}`, n.hash);
  const node: NodeSource = (level, index) => stored.get(`${level}/${index}`) as Buffer;
  const roots = new Map<number, Buffer>();
  const rootAt = (size: number): Buffer => {
    let r = roots.get(size);
    if (r === undefined) roots.set(size, (r = mth(leaves, 0, size)));
    return r;
  };
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 2000 }), fc.nat(), fc.nat(255), (a, b, pick, bit) => {
      const [size1, size2] = a <= b ? [a, b] : [b, a];
      const index = pick % size2;
      const inclusion = inclusionProof(node, index, size2);
      assert.ok(verifyInclusion(index, size2, leaves[index] as Buffer, inclusion, rootAt(size2)));
      const consistency = consistencyProof(node, size1, size2);
      assert.ok(verifyConsistency(size1, size2, consistency, rootAt(size1), rootAt(size2)));
      if (inclusion.length > 0) {
        const bad = inclusion.map((h) => Buffer.from(h));
        const target = bad[pick % bad.length] as Buffer;
        target[bit % 32] = (target[bit % 32] as number) ^ (1 << (bit % 8));
        assert.ok(!verifyInclusion(index, size2, leaves[index] as Buffer, bad, rootAt(size2)));
      }
      if (consistency.length > 0) {
        const bad = consistency.map((h) => Buffer.from(h));
        const target = bad[pick % bad.length] as Buffer;
        target[bit % 32] = (target[bit % 32] as number) ^ (1 << (bit % 8));
        assert.ok(!verifyConsistency(size1, size2, bad, rootAt(size1), rootAt(size2)));
        assert.ok(!verifyConsistency(size1, size2, consistency, rootAt(size1), nodeHash(rootAt(size1), rootAt(size2))));
      }
    }),
    { numRuns: 500 },
  );
});

test('nodesRead lists the stored subtrees a proof needs, each once', () => {
  const needed = nodesRead((node) => inclusionProof(node, 5, 1000));
  assert.ok(needed.length >= 9 && needed.length <= 30);
  assert.equal(new Set(needed.map(([l, i]) => `${l}/${i}`)).size, needed.length);
});
