/**
 * @module test/evidence/bytes
 * Small helpers of the evidence tests: a bundle held in memory as a random-access source, and
 * deterministic pseudo-random numbers (xorshift32) so that a failing tamper case can be replayed.
 */
import yazl from 'yazl';
import type { RandomAccess } from '../../src/evidence/zip-reader.js';

export function memorySource(bytes: Buffer): RandomAccess {
  return {
    size: bytes.length,
    read: async (offset, length) => {
      if (offset < 0 || offset + length > bytes.length) throw new Error('read outside');
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** xorshift32 from `seed`: the same seed gives the same sequence. */
export function* xorshift(seed: number): Generator<number> {
  let x = seed >>> 0 || 1;
  for (;;) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    yield x;
  }
}

/** Deterministic pseudo-random positions below `max`. */
export function* positions(seed: number, max: number): Generator<number> {
  for (const x of xorshift(seed)) yield x % max;
}

/** The archive rebuilt canonically as the bundle writer makes it (CRC-32 right, stored, fixed times), so only the content checks can notice a change. */
export async function rezip(entries: readonly { name: string; content: Buffer }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.content, e.name, { mtime: new Date(1980, 0, 1, 0, 0, 0), forceDosTimestamp: true, mode: 0o100644, compress: false });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
