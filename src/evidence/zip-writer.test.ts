import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { entryBuffer, readZipStructure, type RandomAccess } from './zip-reader.js';
import { StoredZipWriter, ZipWriteError } from './zip-writer.js';

const mtime = new Date(1980, 0, 1, 0, 0, 0);
const MODE = 0o100644;

interface Input {
  name: string;
  content: Buffer;
  /** Streamed with its size announced (a payload), else given whole (a tag file). */
  streamed: boolean;
}

/** What yazl (the writer of bundles until 2026-12) writes for these entries, as bundle.ts called it. */
async function withYazl(inputs: readonly Input[], forceZip64 = false): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const options = { mtime, forceDosTimestamp: true, mode: MODE, compress: false, ...(forceZip64 ? { forceZip64Format: true } : {}) };
  for (const input of inputs) {
    if (input.streamed) {
      // In uneven pieces, as a blob's plaintext arrives.
      const pieces: Buffer[] = [];
      for (let at = 0; at < input.content.length; at += 1000) pieces.push(input.content.subarray(at, at + 1000));
      zip.addReadStreamLazy(input.name, { ...options, size: input.content.length }, (callback) => callback(null, Readable.from(pieces)));
    } else zip.addBuffer(input.content, input.name, options);
  }
  zip.end((forceZip64 ? { forceZip64Format: true } : {}) as yazl.EndOptions);
  return buffer(zip.outputStream as Readable);
}

function withWriter(inputs: readonly Input[], forceZip64 = false): Buffer {
  const zip = new StoredZipWriter({ mtime, mode: MODE, forceZip64 });
  const out: Buffer[] = [];
  for (const input of inputs) {
    if (input.streamed) {
      out.push(zip.beginStream(input.name, input.content.length));
      for (let at = 0; at < input.content.length; at += 777) {
        const piece = input.content.subarray(at, at + 777);
        zip.update(piece);
        out.push(piece);
      }
      out.push(zip.endStream());
    } else out.push(...zip.buffer(input.name, input.content));
  }
  out.push(zip.end());
  const bytes = Buffer.concat(out);
  assert.equal(zip.bytes, bytes.length, 'the writer counts every byte');
  return bytes;
}

function memory(bytes: Buffer): RandomAccess {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

function yauzlEntries(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, zip) => {
      if (error) return reject(error);
      const found = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (opening, stream) => {
          if (opening) return reject(opening);
          buffer(stream).then((content) => {
            found.set(entry.fileName, content);
            zip.readEntry();
          }, reject);
        });
      });
      zip.on('end', () => resolve(found));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const sample: Input[] = [
  { name: 'mimetype', content: Buffer.from('application/vnd.etsi.asic-e+zip'), streamed: false },
  { name: 'META-INF/manifest.xml', content: Buffer.from('<manifest/>\n'), streamed: false },
  { name: 'data/01/évidence – dump.bin', content: randomBytes(70_000), streamed: true },
  { name: 'data/02/empty', content: Buffer.alloc(0), streamed: true },
  { name: 'VERIFY.txt', content: Buffer.from('How to check.\n'), streamed: false },
];

describe('stored ZIP writer', () => {
  it('writes the bytes yazl writes for the same entries (any names, sizes, and mix of given and streamed entries)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-zA-Z0-9é ._-]{1,12}(\/[a-zA-Z0-9._-]{1,8}){0,2}$/), size: fc.nat({ max: 5000 }), streamed: fc.boolean() }), { minLength: 1, maxLength: 8, selector: (e) => e.name.normalize('NFC') }),
        async (entries) => {
          const inputs = entries.filter((e) => e.name.trim() === e.name && !e.name.split('/').some((s) => s === '.' || s === '..')).map((e) => ({ name: e.name, content: randomBytes(e.size), streamed: e.streamed }));
          fc.pre(inputs.length > 0);
          assert.ok(withWriter(inputs).equals(await withYazl(inputs)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('in ZIP64 form too (every entry and the end records, as yazl forceZip64Format)', async () => {
    const bytes = withWriter(sample, true);
    assert.ok(bytes.equals(await withYazl(sample, true)));
    assert.equal(bytes.readUInt32LE(bytes.length - 22 - 20 - 56), 0x06064b50, 'ZIP64 end record');
  });

  it('is read by the strict reader, yauzl and unzip -t, with every CRC-32 right', async () => {
    const bytes = withWriter(sample);
    const entries = await readZipStructure(memory(bytes));
    assert.deepEqual(
      entries.map((e) => e.name),
      sample.map((s) => s.name),
    );
    for (const [i, entry] of entries.entries()) {
      assert.equal(entry.crc, crc32((sample[i] as Input).content) >>> 0);
      assert.ok((await entryBuffer(memory(bytes), entry)).equals((sample[i] as Input).content));
    }
    const read = await yauzlEntries(bytes);
    for (const s of sample) assert.ok(read.get(s.name)?.equals(s.content), s.name);
    const dir = await mkdtemp(join(tmpdir(), 'comity-zip-writer-'));
    try {
      await writeFile(join(dir, 'sample.zip'), bytes);
      assert.match(execFileSync('unzip', ['-t', join(dir, 'sample.zip')]).toString(), /No errors detected/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('goes to ZIP64 by itself past 4 GiB: a 4.5 GiB entry, then entries at offsets above 4 GiB (read back by the strict reader)', async () => {
    // The payload is zeros that are counted and checksummed but not kept: the archive's other
    // bytes are recorded at their offsets, and the reader reads zeros in between.
    const zip = new StoredZipWriter({ mtime, mode: MODE });
    const parts: { at: number; bytes: Buffer }[] = [];
    let cursor = 0;
    const keep = (bytes: Buffer) => {
      parts.push({ at: cursor, bytes });
      cursor += bytes.length;
    };
    for (const b of zip.buffer('mimetype', Buffer.from('application/vnd.etsi.asic-e+zip'))) keep(b);
    const size = 4.5 * 1024 ** 3;
    keep(zip.beginStream('data/01/disk.img', size));
    const zeros = Buffer.alloc(16 * 1024 * 1024);
    for (let left = size; left > 0; left -= zeros.length) zip.update(zeros.subarray(0, Math.min(zeros.length, left)));
    cursor += size;
    keep(zip.endStream());
    for (const b of zip.buffer('VERIFY.txt', Buffer.from('after 4 GiB\n'))) keep(b);
    keep(zip.end());
    const total = zip.bytes;
    assert.equal(cursor, total);
    const source: RandomAccess = {
      size: total,
      read: async (offset, length) => {
        const out = Buffer.alloc(length);
        for (const p of parts) {
          const from = Math.max(offset, p.at);
          const to = Math.min(offset + length, p.at + p.bytes.length);
          if (from < to) p.bytes.copy(out, from - offset, from - p.at, to - p.at);
        }
        return out;
      },
    };
    const entries = await readZipStructure(source);
    assert.deepEqual(
      entries.map((e) => [e.name, e.size]),
      [
        ['mimetype', 31],
        ['data/01/disk.img', size],
        ['VERIFY.txt', 12],
      ],
    );
    assert.ok((entries[2]?.dataOffset ?? 0) > 0xffffffff);
    assert.ok((await entryBuffer(source, entries[2] as (typeof entries)[number])).equals(Buffer.from('after 4 GiB\n')));
  });

  it('an empty piece leaves the CRC-32 as it is (node:zlib gives 0 for an empty buffer without memory, as a decipher returns for an empty final chunk)', () => {
    const zip = new StoredZipWriter({ mtime, mode: MODE });
    const content = randomBytes(3000);
    const out = [zip.beginStream('data/x', content.length)];
    for (const piece of [content.subarray(0, 1000), Buffer.from(new ArrayBuffer(0)), content.subarray(1000), Buffer.from(new ArrayBuffer(0))]) {
      zip.update(piece);
      out.push(piece);
    }
    out.push(zip.endStream(), zip.end());
    const descriptor = out[out.length - 2] as Buffer;
    assert.equal(descriptor.readUInt32LE(4), crc32(content) >>> 0);
  });

  it('refuses a streamed entry of another length than announced, unsafe names, and entries after the end', () => {
    const zip = new StoredZipWriter({ mtime, mode: MODE });
    zip.beginStream('data/x', 10);
    zip.update(Buffer.alloc(9));
    assert.throws(() => zip.endStream(), ZipWriteError);
    for (const name of ['', '/abs', '../up', 'a/../b', 'dir/', 'C:x', 'back\\slash']) assert.throws(() => new StoredZipWriter({ mtime, mode: MODE }).buffer(name, Buffer.alloc(1)), ZipWriteError, name);
    const ended = new StoredZipWriter({ mtime, mode: MODE });
    ended.end();
    assert.throws(() => ended.buffer('late', Buffer.alloc(1)), ZipWriteError);
  });
});
