/**
 * @module ledger/canonical-json
 * RFC 8785 JSON Canonicalization Scheme for the values Comity hashes: object keys sorted by
 * UTF-16 code units, no whitespace, strings and numbers serialised as ECMAScript's
 * JSON.stringify does (which is what RFC 8785 §3.2.2 prescribes). `undefined` members are
 * dropped, as in JSON.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no representation for NaN or Infinity');
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i += 1) {
          const item: unknown = value[i];
          out += (i === 0 ? '' : ',') + (item === undefined ? 'null' : canonicalJson(item));
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
      const keys = Object.keys(record).sort();
      let out = '{';
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
  }
}

const quotedKeys = new Map<string, string>();

/** Whether JSON.stringify of an object built with these keys in this order writes them in this order (no array-index keys, no __proto__). */
const keysInInsertionOrder = new WeakMap<readonly string[], boolean>();

function insertionOrdered(sortedKeys: readonly string[]): boolean {
  let ok = keysInInsertionOrder.get(sortedKeys);
  if (ok === undefined) {
    ok = sortedKeys.every((key) => key !== '__proto__' && !/^(0|[1-9][0-9]*)$/.test(key));
    keysInInsertionOrder.set(sortedKeys, ok);
  }
  return ok;
}

/**
 * {@link canonicalJson} of a flat object whose member names are given already sorted (UTF-16
 * order) — the same text, without sorting keys per object or recursing into scalars. When every
 * member is a string, finite number, boolean or null (a database row), the members are copied in
 * that order into a fresh object serialised by one JSON.stringify call (~4× faster than
 * concatenating them: V8's serialiser writes a plain object's members in insertion order, and
 * its strings and numbers exactly as RFC 8785 §3.2.2 prescribes). Otherwise each member is
 * serialised by {@link canonicalJson}. `sortedKeys` must be every member of `record` (callers
 * check the key set).
 */
export function canonicalFlat(record: Readonly<Record<string, unknown>>, sortedKeys: readonly string[]): string {
  if (insertionOrdered(sortedKeys)) {
    const ordered: Record<string, unknown> = {};
    let plain = true;
    for (const key of sortedKeys) {
      const item = record[key];
      if (item === null || item === undefined || typeof item === 'string' || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))) ordered[key] = item;
      else {
        plain = false;
        break;
      }
    }
    if (plain) return JSON.stringify(ordered);
  }
  return canonicalFlatMembers(record, sortedKeys);
}

function canonicalFlatMembers(record: Readonly<Record<string, unknown>>, sortedKeys: readonly string[]): string {
  let out = '{';
  for (const key of sortedKeys) {
    const item = record[key];
    if (item === undefined) continue;
    let quoted = quotedKeys.get(key);
    if (quoted === undefined) {
      quoted = `${JSON.stringify(key)}:`;
      quotedKeys.set(key, quoted);
    }
    const text = typeof item === 'string' ? JSON.stringify(item) : item === null ? 'null' : canonicalJson(item);
    out += out.length === 1 ? quoted + text : `,${quoted}${text}`;
  }
  return `${out}}`;
}
