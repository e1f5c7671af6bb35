/**
 * @module ledger/tiles
 * c2sp.org/tlog-tiles paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, where N is
 * written in 3-digit groups, all but the last prefixed with `x` (1234067 → x001/x234/067). A
 * tile at level L holds up to 256 hashes of tree height 8·L; an entry bundle holds the entries
 * as big-endian uint16-length-prefixed byte strings.
 */
import { LedgerError } from './errors.js';

export const TILE_WIDTH = 256;
export const TILE_HEIGHT = 8;

export interface TileAddress {
  /** Tile level, or 'entries' for an entry bundle. */
  level: number | 'entries';
  index: number;
  /** 256 for a full tile, 1..255 for a partial one. */
  width: number;
}

export function encodeTileIndex(index: number): string {
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export function tilePath(t: TileAddress): string {
  return `tile/${t.level}/${encodeTileIndex(t.index)}${t.width === TILE_WIDTH ? '' : `.p/${t.width}`}`;
}

/** Parses the part of a URL after the prefix (`tile/0/x001/234.p/7`). */
export function parseTilePath(path: string): TileAddress {
  const match = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (match === null) throw new LedgerError('malformed-proof', 'not a tile path');
  const level = match[1] === 'entries' ? 'entries' : Number(match[1]);
  if (level !== 'entries' && level > 63) throw new LedgerError('malformed-proof', 'tile level above 63');
  const groups = [...(match[2] as string).split('/').filter(Boolean).map((g) => g.slice(1)), match[3] as string];
  if (groups.length > 6) throw new LedgerError('malformed-proof', 'tile index too large');
  const index = Number(groups.join(''));
  const width = match[4] === undefined ? TILE_WIDTH : Number(match[4]);
  if (match[4] !== undefined && width >= TILE_WIDTH) throw new LedgerError('malformed-proof', 'a partial tile has 1 to 255 hashes');
  if (encodeTileIndex(index) !== groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/')) throw new LedgerError('malformed-proof', 'tile index not in canonical form');
  return { level, index, width };
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function entryBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.length > 0xffff) throw new LedgerError('malformed-proof', 'an entry is at most 65,535 bytes');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, Buffer.from(entry));
  }
  return Buffer.concat(parts);
}

export function parseEntryBundle(bundle: Uint8Array): Buffer[] {
  const data = Buffer.from(bundle);
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 2 > data.length) throw new LedgerError('malformed-proof', 'truncated entry bundle');
    const length = data.readUInt16BE(at);
    if (at + 2 + length > data.length) throw new LedgerError('malformed-proof', 'truncated entry bundle');
    out.push(data.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return out;
}
