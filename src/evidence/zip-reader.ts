/**
 * @module evidence/zip-reader
 * A strict reader for evidence bundles (ZIP, APPNOTE 6.3.x), written for hostile input: it
 * accepts only the canonical form Comity writes, so that a bundle has one byte sequence per
 * content and any change to any byte is noticed. Refused, in bounded time and memory before
 * any content is read: a comment or trailing bytes; multi-disk fields; entries that overlap,
 * leave gaps or are out of order (the usual zip-bomb construction); local and central headers
 * that disagree (name, method, flags, times, CRC, sizes, data descriptor); ZIP64 fields that are
 * not exactly the ones the sizes require; extra fields of any other kind; non-UTF-8, absolute,
 * `..`, backslash or control-character names; duplicates (also after Unicode normalisation and
 * case folding); anything but a regular file mode (symlinks, directories); more than
 * {@link ZIP_LIMITS} entries or name bytes. Content is read later with CRC-32 checked and
 * inflation bounded by the declared size.
 */
import { crc32, inflateRawSync } from 'node:zlib';
// The fixed values Comity's writer (zip-writer.ts, the bytes yazl wrote: DOS timestamps) puts in every entry.
import { FLAG_DESCRIPTOR, FLAG_UTF8, MAX32, REGULAR_FILE_ATTRIBUTES, SIG_CENTRAL, SIG_DESCRIPTOR, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, VERSION_MADE_BY, VERSION_NEEDED, VERSION_NEEDED_ZIP64 } from './zip-format.js';

export class ZipError extends Error {
  override readonly name = 'ZipError';
}

export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export const ZIP_LIMITS = { entries: 100_000, nameBytes: 1024, centralDirectoryBytes: 64 * 1024 * 1024, inflatedBytes: 64 * 1024 * 1024 } as const;

export interface ZipEntry {
  readonly name: string;
  readonly method: 0 | 8;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly dataOffset: number;
}

function u64(buf: Buffer, at: number, what: string): number {
  const value = buf.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`${what} is out of range`);
  return Number(value);
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const SAFE_SEGMENT = /^[^\u0000-\u001f\u007f/\\]+$/;

/** A relative path of safe segments; throws otherwise. */
export function checkEntryName(name: string): void {
  if (name.length === 0 || name.startsWith('/') || name.endsWith('/')) throw new ZipError(`unsafe entry name ${JSON.stringify(name)}`);
  for (const segment of name.split('/')) {
    if (!SAFE_SEGMENT.test(segment) || segment === '.' || segment === '..' || segment.trim() !== segment) throw new ZipError(`unsafe entry name ${JSON.stringify(name)}`);
  }
  if (/^[A-Za-z]:/.test(name)) throw new ZipError(`unsafe entry name ${JSON.stringify(name)}`);
}

interface Central extends ZipEntry {
  readonly nameBytes: Buffer;
  readonly flags: number;
  readonly time: number;
  readonly date: number;
  readonly localOffset: number;
  readonly zip64: boolean;
}

/** Reads and checks the structure of the whole archive (headers only). */
export async function readZipStructure(source: RandomAccess): Promise<ZipEntry[]> {
  if (source.size < 22) throw new ZipError('not a ZIP archive (too short)');
  const eocd = await source.read(source.size - 22, 22);
  if (eocd.readUInt32LE(0) !== SIG_EOCD) throw new ZipError('no end-of-central-directory record at the end (a comment or trailing bytes)');
  if (eocd.readUInt16LE(20) !== 0) throw new ZipError('archive comments are refused');
  if (eocd.readUInt16LE(4) !== 0 || eocd.readUInt16LE(6) !== 0) throw new ZipError('multi-disk archives are refused');
  let count = eocd.readUInt16LE(10);
  if (eocd.readUInt16LE(8) !== count) throw new ZipError('entry counts disagree');
  let cdSize = eocd.readUInt32LE(12);
  let cdOffset = eocd.readUInt32LE(16);
  let cdEnd = source.size - 22;
  if (count === 0xffff || cdSize === MAX32 || cdOffset === MAX32) {
    if (source.size < 22 + 20 + 56) throw new ZipError('truncated ZIP64 end records');
    const locator = await source.read(source.size - 22 - 20, 20);
    if (locator.readUInt32LE(0) !== SIG_ZIP64_LOCATOR || locator.readUInt32LE(4) !== 0 || locator.readUInt32LE(16) !== 1) throw new ZipError('bad ZIP64 end-of-central-directory locator');
    const recordOffset = u64(locator, 8, 'ZIP64 record offset');
    if (recordOffset !== source.size - 22 - 20 - 56) throw new ZipError('the ZIP64 end record is not where the locator says');
    const record = await source.read(recordOffset, 56);
    if (record.readUInt32LE(0) !== SIG_ZIP64_EOCD || u64(record, 4, 'size') !== 44) throw new ZipError('bad ZIP64 end-of-central-directory record');
    if (record.readUInt16LE(12) !== VERSION_MADE_BY || record.readUInt16LE(14) !== VERSION_NEEDED_ZIP64 || record.readUInt32LE(16) !== 0 || record.readUInt32LE(20) !== 0) throw new ZipError('bad ZIP64 end record fields');
    const total = u64(record, 32, 'count');
    if (u64(record, 24, 'count') !== total) throw new ZipError('entry counts disagree');
    // The 32-bit fields must be saturated exactly when the values need ZIP64, or equal otherwise.
    if ((count !== 0xffff && count !== total) || (cdSize !== MAX32 && cdSize !== u64(record, 40, 'size')) || (cdOffset !== MAX32 && cdOffset !== u64(record, 48, 'offset'))) throw new ZipError('end records disagree');
    count = total;
    cdSize = u64(record, 40, 'central directory size');
    cdOffset = u64(record, 48, 'central directory offset');
    cdEnd = recordOffset;
  }
  if (count > ZIP_LIMITS.entries) throw new ZipError(`more than ${ZIP_LIMITS.entries} entries`);
  if (cdSize > ZIP_LIMITS.centralDirectoryBytes) throw new ZipError('central directory too large');
  if (cdOffset + cdSize !== cdEnd) throw new ZipError('the central directory does not end where the end record starts');
  const cd = await source.read(cdOffset, cdSize);
  const entries: Central[] = [];
  const seen = new Set<string>();
  let at = 0;
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== SIG_CENTRAL) throw new ZipError(`central directory entry ${i} is malformed`);
    const madeBy = cd.readUInt16LE(at + 4);
    const needed = cd.readUInt16LE(at + 6);
    const flags = cd.readUInt16LE(at + 8);
    const method = cd.readUInt16LE(at + 10);
    const time = cd.readUInt16LE(at + 12);
    const date = cd.readUInt16LE(at + 14);
    const crc = cd.readUInt32LE(at + 16);
    let compressedSize = cd.readUInt32LE(at + 20);
    let size = cd.readUInt32LE(at + 24);
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    let localOffset = cd.readUInt32LE(at + 42);
    if (madeBy !== VERSION_MADE_BY) throw new ZipError(`entry ${i}: unexpected "version made by"`);
    if (flags !== FLAG_UTF8 && flags !== (FLAG_UTF8 | FLAG_DESCRIPTOR)) throw new ZipError(`entry ${i}: unexpected flags (encryption, or a non-UTF-8 name)`);
    if (method !== 0 && method !== 8) throw new ZipError(`entry ${i}: compression method ${method} is refused`);
    if (commentLength !== 0 || cd.readUInt16LE(at + 34) !== 0 || cd.readUInt16LE(at + 36) !== 0) throw new ZipError(`entry ${i}: comment, disk or internal attributes set`);
    if (cd.readUInt32LE(at + 38) !== REGULAR_FILE_ATTRIBUTES) throw new ZipError(`entry ${i}: not a regular file (symlink, directory or unusual mode)`);
    if (nameLength === 0 || nameLength > ZIP_LIMITS.nameBytes) throw new ZipError(`entry ${i}: name length ${nameLength} is refused`);
    if (at + 46 + nameLength + extraLength > cd.length) throw new ZipError(`central directory entry ${i} overruns`);
    const nameBytes = Buffer.from(cd.subarray(at + 46, at + 46 + nameLength));
    let name: string;
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(nameBytes);
    } catch {
      throw new ZipError(`entry ${i}: name is not UTF-8`);
    }
    checkEntryName(name);
    const folded = name.normalize('NFC').toLowerCase();
    if (seen.has(folded)) throw new ZipError(`duplicate entry name ${JSON.stringify(name)}`);
    seen.add(folded);
    const zip64 = compressedSize === MAX32 || size === MAX32 || localOffset === MAX32;
    if (zip64) {
      // Exactly one ZIP64 field with exactly the three saturated values, as the writer makes it.
      if (compressedSize !== MAX32 || size !== MAX32 || localOffset !== MAX32 || needed !== VERSION_NEEDED_ZIP64 || extraLength !== 28) throw new ZipError(`entry ${i}: malformed ZIP64 fields`);
      const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + 28);
      if (extra.readUInt16LE(0) !== 1 || extra.readUInt16LE(2) !== 24) throw new ZipError(`entry ${i}: malformed ZIP64 extra field`);
      size = u64(extra, 4, 'size');
      compressedSize = u64(extra, 12, 'compressed size');
      localOffset = u64(extra, 20, 'offset');
      if (size <= 0xfffffffe && compressedSize <= 0xfffffffe && localOffset <= 0xfffffffe) throw new ZipError(`entry ${i}: ZIP64 without need`);
    } else if (extraLength !== 0 || needed !== VERSION_NEEDED) {
      throw new ZipError(`entry ${i}: unexpected extra field or version`);
    }
    if (method === 0 && compressedSize !== size) throw new ZipError(`entry ${i}: stored with two different sizes`);
    entries.push({ name, nameBytes, flags, method: method as 0 | 8, time, date, crc, compressedSize, size, localOffset, zip64, dataOffset: 0 });
    at += 46 + nameLength + extraLength;
  }
  if (at !== cd.length) throw new ZipError('bytes left over in the central directory');
  // Local headers: contiguous, in central-directory order, agreeing field by field.
  let position = 0;
  const result: ZipEntry[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.localOffset !== position) throw new ZipError(`entry ${JSON.stringify(entry.name)}: local header at ${entry.localOffset}, expected ${position} (overlap, gap or reordering)`);
    const local = await source.read(position, 30 + entry.nameBytes.length);
    if (local.length < 30 || local.readUInt32LE(0) !== SIG_LOCAL) throw new ZipError(`entry ${i}: no local header`);
    const descriptor = (entry.flags & FLAG_DESCRIPTOR) !== 0;
    const same =
      local.readUInt16LE(4) === VERSION_NEEDED &&
      local.readUInt16LE(6) === entry.flags &&
      local.readUInt16LE(8) === entry.method &&
      local.readUInt16LE(10) === entry.time &&
      local.readUInt16LE(12) === entry.date &&
      local.readUInt16LE(26) === entry.nameBytes.length &&
      local.readUInt16LE(28) === 0 &&
      local.subarray(30).equals(entry.nameBytes) &&
      (descriptor
        ? local.readUInt32LE(14) === 0 && local.readUInt32LE(18) === 0 && local.readUInt32LE(22) === 0
        : // No descriptor: the CRC and sizes in the local header (its ZIP64 central record, if any, is for the offset: a tag file after a payload past 4 GiB).
          local.readUInt32LE(14) === entry.crc && local.readUInt32LE(18) === entry.compressedSize && local.readUInt32LE(22) === entry.size);
    if (!same) throw new ZipError(`entry ${JSON.stringify(entry.name)}: local and central headers disagree`);
    const dataOffset = position + 30 + entry.nameBytes.length;
    position = dataOffset + entry.compressedSize;
    if (descriptor) {
      const length = entry.zip64 ? 24 : 16;
      if (position + length > cdOffset) throw new ZipError(`entry ${JSON.stringify(entry.name)}: data runs into the central directory`);
      const d = await source.read(position, length);
      const agrees = d.readUInt32LE(0) === SIG_DESCRIPTOR && d.readUInt32LE(4) === entry.crc && (entry.zip64 ? u64(d, 8, 'size') === entry.compressedSize && u64(d, 16, 'size') === entry.size : d.readUInt32LE(8) === entry.compressedSize && d.readUInt32LE(12) === entry.size);
      if (!agrees) throw new ZipError(`entry ${JSON.stringify(entry.name)}: data descriptor and central header disagree`);
      position += length;
    }
    if (position > cdOffset) throw new ZipError(`entry ${JSON.stringify(entry.name)}: data runs into the central directory`);
    if (entry.method === 8 && entry.size > ZIP_LIMITS.inflatedBytes) throw new ZipError(`entry ${JSON.stringify(entry.name)}: compressed entries may hold at most ${ZIP_LIMITS.inflatedBytes} bytes`);
    result.push({ name: entry.name, method: entry.method, crc: entry.crc, compressedSize: entry.compressedSize, size: entry.size, dataOffset });
  }
  if (position !== cdOffset) throw new ZipError('bytes between the last entry and the central directory');
  return result;
}

/** Streams an entry's content in pieces (stored) or whole (deflated, bounded), checking its CRC-32. */
export async function* entryContent(source: RandomAccess, entry: ZipEntry, pieceBytes = 4 * 1024 * 1024): AsyncGenerator<Buffer> {
  if (entry.method === 8) {
    const compressed = await source.read(entry.dataOffset, entry.compressedSize);
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.size) });
    } catch {
      throw new ZipError(`entry ${JSON.stringify(entry.name)}: does not inflate to its declared size`);
    }
    if (inflated.length !== entry.size || crc32(inflated) !== entry.crc) throw new ZipError(`entry ${JSON.stringify(entry.name)}: CRC-32 or size mismatch`);
    yield inflated;
    return;
  }
  let crc = 0;
  for (let done = 0; done < entry.size; ) {
    const piece = await source.read(entry.dataOffset + done, Math.min(pieceBytes, entry.size - done));
    crc = crc32(piece, crc);
    done += piece.length;
    yield piece;
  }
  if (crc !== entry.crc) throw new ZipError(`entry ${JSON.stringify(entry.name)}: CRC-32 mismatch`);
}

export async function entryBuffer(source: RandomAccess, entry: ZipEntry, limit = ZIP_LIMITS.inflatedBytes): Promise<Buffer> {
  if (entry.size > limit) throw new ZipError(`entry ${JSON.stringify(entry.name)} is larger than ${limit} bytes`);
  const pieces: Buffer[] = [];
  for await (const piece of entryContent(source, entry)) pieces.push(piece);
  return Buffer.concat(pieces);
}
