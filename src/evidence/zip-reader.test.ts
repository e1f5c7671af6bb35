import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import yazl from 'yazl';
import { entryBuffer, readZipStructure, ZipError, type RandomAccess } from './zip-reader.js';

const mtime = new Date(1980, 0, 1, 0, 0, 0);
const opts = { mtime, forceDosTimestamp: true, mode: 0o100644 } as const;

async function build(add: (zip: yazl.ZipFile) => void, end: Partial<yazl.EndOptions> = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  add(zip);
  zip.end(end as yazl.EndOptions);
  return buffer(zip.outputStream as Readable);
}

function source(bytes: Buffer): RandomAccess & { reads: number; bytesRead: number } {
  const s = {
    size: bytes.length,
    reads: 0,
    bytesRead: 0,
    read: async (offset: number, length: number) => {
      s.reads += 1;
      s.bytesRead += length;
      if (offset < 0 || offset + length > bytes.length) throw new ZipError('read outside');
      return bytes.subarray(offset, offset + length);
    },
  };
  return s;
}

const sample = () =>
  build((zip) => {
    zip.addBuffer(Buffer.from('application/vnd.etsi.asic-e+zip'), 'mimetype', { ...opts, compress: false });
    zip.addBuffer(Buffer.from('first file'), 'data/aa/x.txt', { ...opts, compress: false });
    zip.addReadStream(Readable.from([Buffer.from('second file')]), 'data/ab/y.txt', { ...opts, compress: false, size: 11 });
    zip.addBuffer(Buffer.from('tag '.repeat(100)), 'tag.txt', { ...opts, compress: true });
  });

/** Replaces every occurrence of `from` by `to` (same length) in local and/or central headers. */
function rename(bytes: Buffer, from: string, to: string, where: 'both' | 'local' | 'central' = 'both'): Buffer {
  const out = Buffer.from(bytes);
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  assert.equal(a.length, b.length);
  let at = out.indexOf(a);
  let n = 0;
  while (at >= 0) {
    const isLocal = n === 0;
    if (where === 'both' || (where === 'local' && isLocal) || (where === 'central' && !isLocal)) b.copy(out, at);
    n += 1;
    at = out.indexOf(a, at + 1);
  }
  assert.ok(n >= 2, `${from} found in local and central headers`);
  return out;
}

async function refused(bytes: Buffer, pattern: RegExp): Promise<void> {
  const s = source(bytes);
  await assert.rejects(readZipStructure(s), (error: unknown) => error instanceof ZipError && pattern.test(error.message));
  // Bounded: a refusal reads headers only, never the content of a bomb.
  assert.ok(s.bytesRead <= bytes.length + 64 * 1024, `read ${s.bytesRead} bytes`);
}

describe('strict ZIP reader: hostile archives', () => {
  it('reads the canonical form, contents checked by CRC-32', async () => {
    const bytes = await sample();
    const entries = await readZipStructure(source(bytes));
    assert.deepEqual(entries.map((e) => e.name), ['mimetype', 'data/aa/x.txt', 'data/ab/y.txt', 'tag.txt']);
    assert.equal((await entryBuffer(source(bytes), entries[3] as (typeof entries)[number])).toString(), 'tag '.repeat(100));
  });

  it('refuses path traversal, absolute and drive paths, backslashes', async () => {
    const bytes = await sample();
    await refused(rename(bytes, 'data/aa/x.txt', '../aa/xyz.txt'), /unsafe entry name/);
    await refused(rename(bytes, 'data/aa/x.txt', 'data/../x.txt'), /unsafe entry name/);
    await refused(rename(bytes, 'data/aa/x.txt', '/data/aa/x.tx'), /unsafe entry name/);
    await refused(rename(bytes, 'data/aa/x.txt', 'C:data/aa/x.t'), /unsafe entry name/);
    await refused(rename(bytes, 'data/aa/x.txt', 'data\\aa\\x.txt'), /unsafe entry name/);
  });

  it('refuses duplicate names, also differing only in case', async () => {
    const bytes = await sample();
    await refused(rename(bytes, 'data/ab/y.txt', 'data/aa/x.txt'), /duplicate/);
    await refused(rename(bytes, 'data/ab/y.txt', 'DATA/AA/X.TXT'), /duplicate/);
  });

  it('refuses symlinks and directories (file mode), local and central headers that disagree', async () => {
    const bytes = await sample();
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const symlink = Buffer.from(bytes);
    symlink.writeUInt32LE((0o120777 << 16) >>> 0, central + 38);
    await refused(symlink, /not a regular file/);
    await refused(rename(bytes, 'data/aa/x.txt', 'data/aa/z.txt', 'local'), /disagree/);
    await refused(rename(bytes, 'data/aa/x.txt', 'data/aa/z.txt', 'central'), /disagree/);
  });

  it('refuses overlapping entries, comments and trailing bytes', async () => {
    const bytes = await sample();
    // The second central entry points at the first local header (two names, one content).
    let at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4);
    const overlap = Buffer.from(bytes);
    overlap.writeUInt32LE(0, at + 42);
    await refused(overlap, /expected|disagree/);
    await refused(Buffer.concat([bytes, Buffer.from('trailer')]), /end-of-central-directory/);
    const commented = await build((zip) => zip.addBuffer(Buffer.from('x'), 'a.txt', { ...opts, compress: false }), { comment: 'hello' });
    await refused(commented, /end-of-central-directory|comment/);
  });

  it('refuses zip bombs: a huge declared size, or content inflating past its declared size', async () => {
    const huge = await build((zip) => zip.addBuffer(Buffer.alloc(65 * 1024 * 1024), 'bomb.txt', { ...opts, compress: true }));
    await refused(huge, /at most/);
    // Declares 100 bytes, inflates to 4 MiB: refused while inflating, bounded by the declared size.
    const liar = Buffer.from(await build((zip) => zip.addBuffer(Buffer.alloc(4 * 1024 * 1024), 'liar.txt', { ...opts, compress: true })));
    liar.writeUInt32LE(100, 22);
    const central = liar.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    liar.writeUInt32LE(100, central + 24);
    const entries = await readZipStructure(source(liar));
    await assert.rejects(entryBuffer(source(liar), entries[0] as (typeof entries)[number]), /does not inflate|mismatch/);
  });

  it('refuses ZIP64 tricks: forced ZIP64 without need, saturated counts without ZIP64 records', async () => {
    const forced = await build((zip) => zip.addBuffer(Buffer.from('x'), 'a.txt', { ...opts, compress: false, forceZip64Format: true }));
    await refused(forced, /ZIP64|disagree/);
    const bytes = await sample();
    const saturated = Buffer.from(bytes);
    saturated.writeUInt16LE(0xffff, bytes.length - 22 + 8);
    saturated.writeUInt16LE(0xffff, bytes.length - 22 + 10);
    await refused(saturated, /ZIP64/);
  });
});
