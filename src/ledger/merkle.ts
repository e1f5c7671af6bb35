/**
 * @module ledger/merkle
 * RFC 6962 §2.1 / RFC 9162 §2.1 Merkle tree maths over SHA-256: leaf and interior hashing with
 * domain separation, the tree head, inclusion and consistency proofs (generation and
 * verification) and a compact range for appending. Pure: no I/O; stored hashes reach the proof
 * generators through a {@link NodeSource}.
 *
 * Indexes and sizes are JavaScript numbers (safe up to 2^53); halving uses division, never the
 * 32-bit bitwise operators.
 */
import { createHash, hash as sha256Once } from 'node:crypto';

/** RFC 6962 §2.1: the prefix of a leaf hash. */
export const RFC6962_LEAF_HASH_PREFIX = 0x00;
/** RFC 6962 §2.1: the prefix of an interior node hash. */
export const RFC6962_NODE_HASH_PREFIX = 0x01;
export const HASH_SIZE = 32;

/**
 * Scratch buffers for the one-shot hashes: `crypto.hash` over one contiguous buffer costs one
 * native call, where `createHash().update().update().digest()` costs four (the per-call overhead,
 * not SHA-256 itself, dominates for inputs of a few hundred bytes). Single-threaded: each call
 * fills the scratch and hashes it before returning.
 */
const NODE_SCRATCH = Buffer.alloc(1 + 2 * 32);
NODE_SCRATCH[0] = RFC6962_NODE_HASH_PREFIX;
let leafScratch = Buffer.alloc(4096);

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(entry: Uint8Array): Buffer {
  if (entry.length + 1 > leafScratch.length) leafScratch = Buffer.alloc(2 * (entry.length + 1));
  leafScratch[0] = RFC6962_LEAF_HASH_PREFIX;
  leafScratch.set(entry, 1);
  return sha256Once('sha256', leafScratch.subarray(0, entry.length + 1), 'buffer');
}

/** 0x00 || UTF-8 of `text`, in a scratch buffer reused by every call (valid until the next one). */
function leafInput(text: string): Buffer {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (3 * text.length + 1 > leafScratch.length) leafScratch = Buffer.alloc(2 * (3 * text.length + 1));
  leafScratch[0] = RFC6962_LEAF_HASH_PREFIX;
  const written = leafScratch.write(text, 1, 'utf8');
  return leafScratch.subarray(0, written + 1);
}

/** MTH({d}) of a leaf given as text (its UTF-8 bytes), without an intermediate buffer. */
export function leafHashOfText(text: string): Buffer {
  return sha256Once('sha256', leafInput(text), 'buffer');
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32) {
    return createHash('sha256').update(Buffer.from([RFC6962_NODE_HASH_PREFIX])).update(left).update(right).digest();
  }
  NODE_SCRATCH.set(left, 1);
  NODE_SCRATCH.set(right, 33);
  return sha256Once('sha256', NODE_SCRATCH, 'buffer');
}

/** MTH({}) = SHA-256() (RFC 6962 §2.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two strictly smaller than `n` (n ≥ 2): RFC 6962's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** MTH over leaf hashes, by the recursive definition (for tests and small trees). */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return Buffer.from(hashes[0] as Uint8Array);
  const k = splitPoint(hashes.length);
  return nodeHash(rootFromLeafHashes(hashes.slice(0, k)), rootFromLeafHashes(hashes.slice(k)));
}

/**
 * Stored hashes of perfect subtrees: `node(level, index)` is MTH(D[index·2^level : (index+1)·2^level]),
 * the subtree of 2^level leaves starting at leaf index·2^level.
 */
export type NodeSource = (level: number, index: number) => Uint8Array;

/** MTH(D[start:end]) from perfect subtrees (at most 2·log2 of them). */
export function rangeHash(node: NodeSource, start: number, end: number): Buffer {
  const n = end - start;
  if (n <= 0) throw new RangeError('empty range');
  // A perfect, aligned subtree is stored as such.
  let level = 0;
  while (2 ** level < n) level += 1;
  if (2 ** level === n && start % n === 0) return Buffer.from(node(level, start / n));
  const k = splitPoint(n);
  return nodeHash(rangeHash(node, start, start + k), rangeHash(node, start + k, end));
}

/** RFC 6962 §2.1.1 PATH(m, D[start:end]), from the leaf's sibling up. */
function path(node: NodeSource, m: number, start: number, end: number, out: Buffer[]): void {
  const n = end - start;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (m < k) {
    path(node, m, start, start + k, out);
    out.push(rangeHash(node, start + k, end));
  } else {
    path(node, m - k, start + k, end, out);
    out.push(rangeHash(node, start, start + k));
  }
}

/** The inclusion proof of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(node: NodeSource, index: number, size: number): Buffer[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new RangeError(`no leaf ${index} in a tree of size ${size}`);
  const out: Buffer[] = [];
  path(node, index, 0, size, out);
  return out;
}

/** RFC 6962 §2.1.2 SUBPROOF(m, D[start:end], b). */
function subproof(node: NodeSource, m: number, start: number, end: number, b: boolean, out: Buffer[]): void {
  const n = end - start;
  if (m === n) {
    if (!b) out.push(rangeHash(node, start, end));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(node, m, start, start + k, b, out);
    out.push(rangeHash(node, start + k, end));
  } else {
    subproof(node, m - k, start + k, end, false, out);
    out.push(rangeHash(node, start, start + k));
  }
}

/** The consistency proof between the trees of sizes `size1` and `size2` (0 < size1 ≤ size2). */
export function consistencyProof(node: NodeSource, size1: number, size2: number): Buffer[] {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 <= 0 || size1 > size2) throw new RangeError(`no consistency proof from ${size1} to ${size2}`);
  const out: Buffer[] = [];
  if (size1 === size2) return out;
  subproof(node, size1, 0, size2, true, out);
  return out;
}

/** The perfect subtrees (level, index) a proof computation reads, for fetching them in one go. */
export function nodesRead(compute: (node: NodeSource) => unknown): Array<[number, number]> {
  const seen = new Map<string, [number, number]>();
  const zero = Buffer.alloc(HASH_SIZE);
  compute((level, index) => {
    seen.set(`${level}/${index}`, [level, index]);
    return zero;
  });
  return [...seen.values()];
}

function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * RFC 9162 §2.1.3.2: whether `proof` proves that the leaf with hash `leaf` is at `index` in the
 * tree of `size` leaves whose root is `root`.
 */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (leaf.length !== HASH_SIZE || root.length !== HASH_SIZE) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (p.length !== HASH_SIZE || sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalHashes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` proves that the tree of `size2` leaves with root `root2`
 * extends the tree of `size1` leaves with root `root1`. A proof from the empty tree proves
 * nothing and is refused (as transparency-dev/merkle does).
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 <= 0 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && equalHashes(root1, root2);
  if (proof.length === 0 || root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return false;
  for (const p of proof) if (p.length !== HASH_SIZE) return false;
  // If size1 is an exact power of two, root1 is the first node of the path (RFC 9162 step 2).
  const path: readonly Uint8Array[] = Number.isInteger(Math.log2(size1)) && 2 ** Math.log2(size1) === size1 ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = fr;
  for (let i = 1; i < path.length; i += 1) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return equalHashes(fr, root1) && equalHashes(sr, root2) && sn === 0;
}

/** A perfect subtree completed by an append: its level, index and hash (see {@link NodeSource}). */
export interface CompletedNode {
  level: number;
  index: number;
  hash: Buffer;
}

/**
 * The compact range [0, size): the roots of the perfect subtrees along the right edge, largest
 * first. Appending a leaf merges equal-sized neighbours; every merge completes a stored node.
 */
export class CompactRange {
  private readonly hashes: Buffer[];
  private count: number;

  constructor(size = 0, hashes: readonly Uint8Array[] = []) {
    if (CompactRange.rangeLevels(size).length !== hashes.length) throw new RangeError(`a compact range of size ${size} has ${CompactRange.rangeLevels(size).length} hashes, not ${hashes.length}`);
    this.count = size;
    this.hashes = hashes.map((h) => Buffer.from(h));
  }

  /** The levels of the perfect subtrees of the range [0, size), largest first. */
  static rangeLevels(size: number): number[] {
    const levels: number[] = [];
    for (let level = 52; level >= 0; level -= 1) if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
    return levels;
  }

  get size(): number {
    return this.count;
  }

  /** The hashes of the range's perfect subtrees, largest first. */
  get nodes(): readonly Buffer[] {
    return this.hashes;
  }

  /** Appends a leaf hash; returns the nodes completed (the leaf itself at level 0 first). */
  append(leaf: Uint8Array): CompletedNode[] {
    let hash: Buffer = Buffer.from(leaf);
    let index = this.count;
    let level = 0;
    const completed: CompletedNode[] = [{ level, index, hash }];
    // Each trailing 1 bit of the old size is a left neighbour of equal size to merge with.
    let size = this.count;
    while (isOdd(size)) {
      const left = this.hashes.pop() as Buffer;
      hash = nodeHash(left, hash);
      level += 1;
      index = half(index);
      completed.push({ level, index, hash });
      size = half(size);
    }
    this.hashes.push(hash);
    this.count += 1;
    return completed;
  }

  /** MTH(D[0:size]). */
  root(): Buffer {
    if (this.hashes.length === 0) return EMPTY_ROOT;
    let hash = this.hashes[this.hashes.length - 1] as Buffer;
    for (let i = this.hashes.length - 2; i >= 0; i -= 1) hash = nodeHash(this.hashes[i] as Buffer, hash);
    return hash;
  }
}

/**
 * MTH({d}) of a leaf given as text, as a binary (latin1) string of 32 characters. For verifying
 * many entries: a digest returned as a string costs ≈ 0.4 µs less than one returned as a Buffer
 * (a new ArrayBuffer per call, which the garbage collector must also track).
 */
export function leafHashOfTextBinary(text: string): string {
  return sha256Once('sha256', leafInput(text), 'binary');
}

/** SHA-256(0x01 || left || right) of hashes given as binary (latin1) strings, as one. */
export function nodeHashBinary(left: string, right: string): string {
  NODE_SCRATCH.write(left, 1, HASH_SIZE, 'latin1');
  NODE_SCRATCH.write(right, 1 + HASH_SIZE, HASH_SIZE, 'latin1');
  return sha256Once('sha256', NODE_SCRATCH, 'binary');
}

/**
 * {@link CompactRange} over hashes held as binary (latin1) strings, for rebuilding a large tree
 * without a Buffer per hash: appending reports each completed node to a callback instead of
 * returning objects. Converts to and from a {@link CompactRange}.
 */
export class BinaryCompactRange {
  private readonly hashes: string[];
  private count: number;

  constructor(range: CompactRange = new CompactRange()) {
    this.count = range.size;
    this.hashes = range.nodes.map((h) => h.toString('latin1'));
  }

  get size(): number {
    return this.count;
  }

  /** The hashes of the range's perfect subtrees, largest first, as binary strings. */
  get binaryNodes(): readonly string[] {
    return this.hashes;
  }

  /** Appends a leaf hash; `completed(level, index, hash)` is called for the leaf and every node its append completes, bottom up. */
  append(leaf: string, completed: (level: number, index: number, hash: string) => void): void {
    this.appendSubtree(0, leaf, completed);
  }

  /**
   * Appends the hash of a perfect subtree of 2^level leaves (the size must be a multiple of
   * 2^level); `completed` is called for it and every node its append completes, bottom up.
   */
  appendSubtree(level: number, subtree: string, completed: (level: number, index: number, hash: string) => void): void {
    const span = 2 ** level;
    if (this.count % span !== 0) throw new RangeError(`a subtree of ${span} leaves cannot follow ${this.count}`);
    let hash = subtree;
    let index = this.count / span;
    completed(level, index, hash);
    let size = index;
    while (isOdd(size)) {
      hash = nodeHashBinary(this.hashes.pop() as string, hash);
      level += 1;
      index = half(index);
      completed(level, index, hash);
      size = half(size);
    }
    this.hashes.push(hash);
    this.count += span;
  }

  /** MTH(D[0:size]). */
  root(): Buffer {
    return this.toCompactRange().root();
  }

  toCompactRange(): CompactRange {
    return new CompactRange(this.count, this.hashes.map((h) => Buffer.from(h, 'latin1')));
  }
}
