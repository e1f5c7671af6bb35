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

/** A row's values as read in array mode: `values[at + i]` is column `columns[i]`. */
export type LeafOfValues = (values: readonly unknown[], at: number) => string;

/** A recorded row as the database returns it: text or NULL in every column. */
const plain = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** The columns of each source table (without `seq`) that the specialised serialisers below are written for. */
export const LEAF_COLUMNS: Readonly<Record<LeafSource, readonly string[]>> = {
  audit: ['id', 'actor', 'action', 'object_type', 'object_id', 'at', 'before_digest', 'after_digest', 'details'],
  login: ['id', 'user_id', 'email_hash', 'outcome', 'at'],
  access: ['id', 'case_id', 'actor', 'action', 'at'],
};

/** Strings JSON.stringify writes as they are between quotes: no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const VERBATIM = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** The JSON text of a column value (text or NULL), as JSON.stringify writes it (RFC 8785 §3.2.2.2). */
function quote(value: string | null): string {
  return value === null ? 'null' : VERBATIM.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * {@link leafText} of rows of `source` read as arrays of the values of `columns` (every column
 * of the table but `seq`), for verifying many rows. When the columns are exactly
 * {@link LEAF_COLUMNS} and a row's values are all text or NULL, each value is quoted once and
 * the row's and the leaf's canonical JSON are written from the quoted values with their member
 * names in sorted order, as text — the text {@link canonicalFlat} writes (a property test
 * compares them over random rows), ≈ 1 µs less per row than building the row and leaf objects
 * and serialising each. Any other row or column set goes through {@link leafText} itself, which
 * stays the reference.
 */
export function leafOfValues(source: LeafSource, columns: readonly string[]): LeafOfValues {
  const generic: LeafOfValues = (values, at) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i += 1) row[columns[i] as string] = values[at + i];
    return leafText(source, row);
  };
  const expected = LEAF_COLUMNS[source];
  if (columns.length !== expected.length || !expected.every((c) => columns.includes(c))) return generic;
  const p = (name: string): number => columns.indexOf(name);
  switch (source) {
    case 'audit': {
      const [id, actor, action, objectType, objectId, at_, before, after, details] = expected.map(p) as [number, number, number, number, number, number, number, number, number];
      return (v, o) => {
        const [a, b, c, d, e, f, g, h, i] = [v[o + action], v[o + actor], v[o + after], v[o + at_], v[o + before], v[o + details], v[o + id], v[o + objectId], v[o + objectType]];
        if (!(plain(a) && plain(b) && plain(c) && plain(d) && plain(e) && plain(f) && plain(g) && plain(h) && plain(i))) return generic(v, o);
        const [qa, qb, qc, qd, qe, qf, qg, qh, qi] = [quote(a), quote(b), quote(c), quote(d), quote(e), quote(f), quote(g), quote(h), quote(i)];
        const digest = sha256Hex(`{"action":${qa},"actor":${qb},"after_digest":${qc},"at":${qd},"before_digest":${qe},"details":${qf},"id":${qg},"object_id":${qh},"object_type":${qi}}`);
        return `{"action":${qa},"after_digest":${qc},"at":${qd},"before_digest":${qe},"id":${qg},"log":"audit","object_id":${qh},"object_type":${qi},"row_digest":"${digest}","v":${LEAF_VERSION}}`;
      };
    }
    case 'login': {
      const [id, userId, emailHash, outcome, at_] = expected.map(p) as [number, number, number, number, number];
      return (v, o) => {
        const [a, b, c, d, e] = [v[o + at_], v[o + emailHash], v[o + id], v[o + outcome], v[o + userId]];
        if (!(plain(a) && plain(b) && plain(c) && plain(d) && plain(e))) return generic(v, o);
        const [qa, qb, qc, qd, qe] = [quote(a), quote(b), quote(c), quote(d), quote(e)];
        const digest = sha256Hex(`{"at":${qa},"email_hash":${qb},"id":${qc},"outcome":${qd},"user_id":${qe}}`);
        return `{"at":${qa},"id":${qc},"log":"login","outcome":${qd},"row_digest":"${digest}","v":${LEAF_VERSION}}`;
      };
    }
    case 'access': {
      const [id, caseId, actor, action, at_] = expected.map(p) as [number, number, number, number, number];
      return (v, o) => {
        const [a, b, c, d, e] = [v[o + action], v[o + actor], v[o + at_], v[o + caseId], v[o + id]];
        if (!(plain(a) && plain(b) && plain(c) && plain(d) && plain(e))) return generic(v, o);
        const [qa, qb, qc, qd, qe] = [quote(a), quote(b), quote(c), quote(d), quote(e)];
        const digest = sha256Hex(`{"action":${qa},"actor":${qb},"at":${qc},"case_id":${qd},"id":${qe}}`);
        return `{"action":${qa},"at":${qc},"case_id":${qd},"id":${qe},"log":"access","row_digest":"${digest}","v":${LEAF_VERSION}}`;
      };
    }
  }
}
