/**
 * @module ledger/leaf
 * What a log entry holds: the RFC 8785 canonical JSON of a recorded row's metadata and digests.
 * Never request content or personal data — the actor of an audit event, the account and e-mail
 * hash of a login event, the reader of a case are committed to only through `row_digest`, the
 * SHA-256 of the row's canonical JSON. Purging a case changes none of these rows (they hold no
 * content), so the log stays verifiable after a purge.
 */
import { hash } from 'node:crypto';
import { canonicalFlat, canonicalJson } from './canonical-json.js';

/** Leaf format version, the first member of every entry. */
export const LEAF_VERSION = 1;

export type LeafSource = 'audit' | 'login' | 'access';

function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Sorted member names of rows by their key set (rows of one table share one), most recent first. */
const sortedKeysBySet: Array<{ keys: string[]; sorted: string[] }> = [];

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** SHA-256 (hex) of the canonical JSON of a row as stored (the database's `seq` left out). */
export function rowDigest(row: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(row);
  let found = sortedKeysBySet.find((e) => sameKeys(e.keys, keys));
  if (found === undefined) {
    found = { keys, sorted: keys.filter((k) => k !== 'seq').sort() };
    sortedKeysBySet.unshift(found);
    if (sortedKeysBySet.length > 16) sortedKeysBySet.pop();
  }
  return sha256Hex(canonicalFlat(row, found.sorted));
}

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** The entry of a recorded row of `source`, as a JavaScript object (before canonicalisation). */
export function leafObject(source: LeafSource, row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const digest = rowDigest(row);
  switch (source) {
    case 'audit':
      return { v: LEAF_VERSION, log: source, id: text(row.id), at: text(row.at), row_digest: digest, action: text(row.action), object_type: text(row.object_type), object_id: text(row.object_id), before_digest: text(row.before_digest), after_digest: text(row.after_digest) };
    case 'login':
      return { v: LEAF_VERSION, log: source, id: text(row.id), at: text(row.at), row_digest: digest, outcome: text(row.outcome) };
    case 'access':
      return { v: LEAF_VERSION, log: source, id: text(row.id), at: text(row.at), row_digest: digest, action: text(row.action), case_id: text(row.case_id) };
  }
}

/** The sorted member names of each source's leaf object (every member is always present). */
const LEAF_KEYS: Readonly<Record<LeafSource, readonly string[]>> = {
  audit: Object.keys(leafObject('audit', {})).sort(),
  login: Object.keys(leafObject('login', {})).sort(),
  access: Object.keys(leafObject('access', {})).sort(),
};

/** The leaf bytes' text of a recorded row: RFC 8785 canonical JSON of {@link leafObject}. */
export function leafText(source: LeafSource, row: Readonly<Record<string, unknown>>): string {
  return canonicalFlat(leafObject(source, row), LEAF_KEYS[source]);
}

/** The leaf of a record appended directly (`appendLeaf`): it must name itself (`log`, `id`). */
export function recordLeafText(entry: Readonly<Record<string, unknown>>): string {
  if (typeof entry.log !== 'string' || typeof entry.id !== 'string') throw new TypeError('a ledger record has string members log and id');
  return canonicalJson({ v: LEAF_VERSION, ...entry });
}
