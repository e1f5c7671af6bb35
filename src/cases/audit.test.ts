import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson } from '../ledger/canonical-json.js';
import { digest } from './audit.js';

const direct = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

describe('digest', () => {
  it('is the SHA-256 of the canonical JSON, for rows seen before or not', () => {
    const column = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean());
    fc.assert(
      fc.property(fc.constantFrom('c-1', 'c-2', 'c-3'), fc.dictionary(fc.constantFrom('state', 'version', 'request', 'review'), column), (id, rest) => {
        const row = { id, ...rest };
        assert.equal(digest(row), direct(row));
        assert.equal(digest({ ...row }), direct(row)); // the same content again, as a new object
      }),
      { numRuns: 2000 },
    );
  });

  it('a row changed after it was hashed, or missing or gaining a column, is hashed again', () => {
    const row: Record<string, unknown> = { id: 'c-9', state: 'draft', version: 1, review: null };
    const first = digest(row);
    row.state = 'approved'; // the caller's object changed: the remembered copy did not
    assert.notEqual(digest(row), first);
    assert.equal(digest(row), direct(row));
    assert.equal(digest({ id: 'c-9', state: 'approved', version: 1 }), direct({ id: 'c-9', state: 'approved', version: 1 }));
    assert.equal(digest({ id: 'c-9', state: 'approved', version: 1, review: null, extra: 'x' }), direct({ id: 'c-9', state: 'approved', version: 1, review: null, extra: 'x' }));
  });

  it('nested values and values without an id are hashed directly; null and undefined have no digest', () => {
    assert.equal(digest({ id: 'n', nested: { b: 1, a: 2 } }), direct({ id: 'n', nested: { a: 2, b: 1 } }));
    assert.equal(digest([1, 'a']), direct([1, 'a']));
    assert.equal(digest(null), null);
    assert.equal(digest(undefined), null);
  });
});
