/**
 * @module evidence/zip-writer
 * The ZIP writer of evidence bundles: every entry stored (method 0), written byte for byte as
 * yazl 3 writes it with `{ compress: false, forceDosTimestamp: true }` — the canonical form the
 * strict reader (`zip-reader.ts`) accepts, and that earlier bundles have (`zip-writer.test.ts`
 * compares the two writers' bytes, ZIP64 included):
 *
 * - an entry given as a buffer has its CRC-32 and sizes in its local header (no bit 3, no data
 *   descriptor); an entry streamed with a known size has bit 3 set, zeros in its local header and
 *   a data descriptor (with its signature; 64-bit sizes when the entry needs ZIP64);
 * - the central record of an entry needing ZIP64 (size or offset above 0xfffffffe) has its
 *   32-bit fields saturated, version 4.5 and the ZIP64 extra field (sizes and offset); local
 *   headers never carry extra fields;
 * - ZIP64 end records when the entry count, central directory size or offset need them.
 *
 * Unlike yazl it is not a stream: the caller writes the buffers it returns, in order, and feeds
 * each piece of a streamed entry to {@link StoredZipWriter.update} as it writes it. CRC-32 is
 * node:zlib's (native; yazl's JavaScript CRC-32 was the largest cost of an export).
 */
import { crc32 } from 'node:zlib';
import { FLAG_DESCRIPTOR, FLAG_UTF8, MAX32, SIG_CENTRAL, SIG_DESCRIPTOR, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, VERSION_MADE_BY, VERSION_NEEDED, VERSION_NEEDED_ZIP64 } from './zip-format.js';

/** yazl's limit for a buffer entry. */
const MAX_BUFFER_ENTRY = 0x3fffffff;

export class ZipWriteError extends Error {
  override readonly name = 'ZipWriteError';
}

interface Entry {
  readonly name: Buffer;
  /** Streamed with a data descriptor (CRC and sizes unknown when its local header is written). */
  readonly streamed: boolean;
  readonly offset: number;
  readonly zip64: boolean;
  crc: number;
  size: number;
}

/** DOS date and time fields of a date, from its local-time fields (as yazl computes them). */
export function dosDateTime(date: Date): { date: number; time: number } {
  const min = new Date(1980, 0, 1);
  const max = new Date(2107, 11, 31, 23, 59, 58);
  const d = date < min ? min : date > max ? max : date;
  return {
    date: (d.getDate() & 0x1f) | (((d.getMonth() + 1) & 0xf) << 5) | (((d.getFullYear() - 1980) & 0x7f) << 9),
    time: Math.floor(d.getSeconds() / 2) | ((d.getMinutes() & 0x3f) << 5) | ((d.getHours() & 0x1f) << 11),
  };
}

function u64(buffer: Buffer, value: number, at: number): void {
  buffer.writeUInt32LE(value % 0x100000000, at);
  buffer.writeUInt32LE(Math.floor(value / 0x100000000), at + 4);
}

/** An entry name as yazl accepts it: relative, no `..`, no trailing slash (backslashes are refused rather than rewritten). */
function entryName(name: string): Buffer {
  if (name === '' || name.includes('\\') || /^[a-zA-Z]:/.test(name) || name.startsWith('/') || name.endsWith('/') || name.split('/').includes('..')) throw new ZipWriteError(`bad entry name ${JSON.stringify(name)}`);
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > 0xffff) throw new ZipWriteError('entry name too long');
  return bytes;
}

/**
 * Writes a ZIP archive of stored entries with one modification time and one mode for all.
 * @example
 * const zip = new StoredZipWriter({ mtime: new Date(1980, 0, 1), mode: 0o100644 });
 * write(zip.buffer('mimetype', Buffer.from('…')));
 * write(zip.beginStream('data/file', size)); for (const piece of pieces) { zip.update(piece); write(piece); } write(zip.endStream());
 * write(zip.end());
 */
export class StoredZipWriter {
  private readonly entries: Entry[] = [];
  private readonly time: number;
  private readonly date: number;
  private readonly attributes: number;
  private readonly forceZip64: boolean;
  private offset = 0;
  private open: Entry | null = null;
  private written = 0;
  private ended = false;

  /** `forceZip64` (tests) writes every entry and the end records in ZIP64 form, as yazl's `forceZip64Format`. */
  constructor(options: { mtime: Date; mode: number; forceZip64?: boolean }) {
    const dos = dosDateTime(options.mtime);
    this.time = dos.time;
    this.date = dos.date;
    if ((options.mode & 0xffff) !== options.mode) throw new ZipWriteError('bad file mode');
    this.attributes = (options.mode << 16) >>> 0;
    this.forceZip64 = options.forceZip64 ?? false;
  }

  /** Bytes written so far (the sum of every buffer returned, and of every piece given to update()). */
  get bytes(): number {
    return this.offset;
  }

  private localHeader(entry: Entry): Buffer {
    const header = Buffer.alloc(30 + entry.name.length);
    header.writeUInt32LE(SIG_LOCAL, 0);
    header.writeUInt16LE(VERSION_NEEDED, 4);
    header.writeUInt16LE(entry.streamed ? FLAG_UTF8 | FLAG_DESCRIPTOR : FLAG_UTF8, 6);
    header.writeUInt16LE(0, 8);
    header.writeUInt16LE(this.time, 10);
    header.writeUInt16LE(this.date, 12);
    if (!entry.streamed) {
      header.writeUInt32LE(entry.crc, 14);
      header.writeUInt32LE(entry.size, 18);
      header.writeUInt32LE(entry.size, 22);
    }
    header.writeUInt16LE(entry.name.length, 26);
    header.writeUInt16LE(0, 28);
    entry.name.copy(header, 30);
    return header;
  }

  private begin(name: string, size: number, streamed: boolean, crc: number): Entry {
    if (this.ended || this.open !== null) throw new ZipWriteError('an entry is still open or the archive has ended');
    const zip64 = this.forceZip64 || size > 0xfffffffe || this.offset > 0xfffffffe;
    const entry: Entry = { name: entryName(name), streamed, offset: this.offset, zip64, crc, size };
    this.entries.push(entry);
    return entry;
  }

  /** A whole entry: its local header and content, to be written in this order. */
  buffer(name: string, content: Buffer): Buffer[] {
    if (content.length > MAX_BUFFER_ENTRY) throw new ZipWriteError('buffer entry too large');
    const entry = this.begin(name, content.length, false, crc32(content) >>> 0);
    const header = this.localHeader(entry);
    this.offset += header.length + content.length;
    return [header, content];
  }

  /** Begins an entry of `size` bytes whose content follows in pieces: its local header. */
  beginStream(name: string, size: number): Buffer {
    if (!Number.isSafeInteger(size) || size < 0) throw new ZipWriteError('bad entry size');
    const entry = this.begin(name, size, true, 0);
    this.open = entry;
    this.written = 0;
    const header = this.localHeader(entry);
    this.offset += header.length;
    return header;
  }

  /** A piece of the open entry's content, as it is written. */
  update(piece: Buffer): void {
    const entry = this.open;
    if (entry === null) throw new ZipWriteError('no entry is open');
    // node:zlib's crc32 of an empty buffer without memory (as a decipher gives for an empty final
    // chunk) returns 0 whatever the running value: an empty piece changes nothing, so skip it.
    if (piece.length > 0) entry.crc = crc32(piece, entry.crc) >>> 0;
    this.written += piece.length;
    this.offset += piece.length;
  }

  /** Ends the open entry: its data descriptor. Throws when the content had another length than announced. */
  endStream(): Buffer {
    const entry = this.open;
    if (entry === null) throw new ZipWriteError('no entry is open');
    if (this.written !== entry.size) throw new ZipWriteError(`entry ${entry.name.toString()} has ${this.written} bytes, not the ${entry.size} announced`);
    this.open = null;
    const descriptor = Buffer.alloc(entry.zip64 ? 24 : 16);
    descriptor.writeUInt32LE(SIG_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(entry.crc, 4);
    if (entry.zip64) {
      u64(descriptor, entry.size, 8);
      u64(descriptor, entry.size, 16);
    } else {
      descriptor.writeUInt32LE(entry.size, 8);
      descriptor.writeUInt32LE(entry.size, 12);
    }
    this.offset += descriptor.length;
    return descriptor;
  }

  private centralRecord(entry: Entry): Buffer {
    const extra = entry.zip64 ? 28 : 0;
    const record = Buffer.alloc(46 + entry.name.length + extra);
    record.writeUInt32LE(SIG_CENTRAL, 0);
    record.writeUInt16LE(VERSION_MADE_BY, 4);
    record.writeUInt16LE(entry.zip64 ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED, 6);
    record.writeUInt16LE(entry.streamed ? FLAG_UTF8 | FLAG_DESCRIPTOR : FLAG_UTF8, 8);
    record.writeUInt16LE(0, 10);
    record.writeUInt16LE(this.time, 12);
    record.writeUInt16LE(this.date, 14);
    record.writeUInt32LE(entry.crc, 16);
    record.writeUInt32LE(entry.zip64 ? MAX32 : entry.size, 20);
    record.writeUInt32LE(entry.zip64 ? MAX32 : entry.size, 24);
    record.writeUInt16LE(entry.name.length, 28);
    record.writeUInt16LE(extra, 30);
    // File comment length, disk number start, internal attributes: 0.
    record.writeUInt32LE(this.attributes, 38);
    record.writeUInt32LE(entry.zip64 ? MAX32 : entry.offset, 42);
    entry.name.copy(record, 46);
    if (entry.zip64) {
      const at = 46 + entry.name.length;
      record.writeUInt16LE(0x0001, at);
      record.writeUInt16LE(24, at + 2);
      u64(record, entry.size, at + 4);
      u64(record, entry.size, at + 12);
      u64(record, entry.offset, at + 20);
    }
    return record;
  }

  /** Ends the archive: the central directory and the end records. */
  end(): Buffer {
    if (this.ended || this.open !== null) throw new ZipWriteError('an entry is still open or the archive has ended');
    this.ended = true;
    const cdOffset = this.offset;
    const parts = this.entries.map((e) => this.centralRecord(e));
    const cdSize = parts.reduce((n, p) => n + p.length, 0);
    const count = this.entries.length;
    const zip64Count = this.forceZip64 || count >= 0xffff;
    const zip64Size = this.forceZip64 || cdSize >= MAX32;
    const zip64Offset = this.forceZip64 || cdOffset >= MAX32;
    if (zip64Count || zip64Size || zip64Offset) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(SIG_ZIP64_EOCD, 0);
      u64(record, 44, 4);
      record.writeUInt16LE(VERSION_MADE_BY, 12);
      record.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
      u64(record, count, 24);
      u64(record, count, 32);
      u64(record, cdSize, 40);
      u64(record, cdOffset, 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
      u64(locator, cdOffset + cdSize, 8);
      locator.writeUInt32LE(1, 16);
      parts.push(record, locator);
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(SIG_EOCD, 0);
    eocd.writeUInt16LE(zip64Count ? 0xffff : count, 8);
    eocd.writeUInt16LE(zip64Count ? 0xffff : count, 10);
    eocd.writeUInt32LE(zip64Size ? MAX32 : cdSize, 12);
    eocd.writeUInt32LE(zip64Offset ? MAX32 : cdOffset, 16);
    parts.push(eocd);
    const tail = Buffer.concat(parts);
    this.offset += tail.length;
    return tail;
  }
}
