import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalFlat, canonicalJson } from './canonical-json.js';

test('RFC 8785 examples: key order by UTF-16 code units, no whitespace', () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 0, y: -1.5 } }), '{"a":[true,null,"x"],"b":1,"c":{"y":-1.5,"z":0}}');
  // RFC 8785 §3.2.3: "\u20ac" (€) sorts after "\r" and before "\ud83d\ude00" (😀) by UTF-16 units.
  assert.equal(canonicalJson({ '😀': 3, '€': 2, '\r': 1 }), '{"\\r":1,"€":2,"😀":3}');
  assert.equal(canonicalJson({ n: 1e21, m: 0.000001, k: undefined }), '{"m":0.000001,"n":1e+21}');
});

test('property: canonical form is stable under key reordering and round-trips through JSON.parse', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = canonicalJson(value);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
      const shuffled = JSON.parse(JSON.stringify(value), function reviver(this: unknown, _key, v: unknown) {
        if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).reverse());
        return v;
      }) as unknown;
      assert.equal(canonicalJson(shuffled), text);
    }),
  );
});

test('rejects values JSON cannot carry', () => {
  assert.throws(() => canonicalJson(Number.NaN), /NaN/);
  assert.throws(() => canonicalJson(() => 1), /function/);
});

test('property: canonicalFlat (one JSON.stringify of the members in sorted order) writes exactly canonicalJson of flat records', () => {
  const scalar = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
  const key = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('0', '12', '__proto__', 'seq', 'a', 'é'));
  fc.assert(
    fc.property(fc.dictionary(key, scalar), (record) => {
      const keys = Object.keys(record).sort();
      const finite = keys.every((k) => typeof record[k] !== 'number' || Number.isFinite(record[k]));
      if (finite) assert.equal(canonicalFlat(record, keys), canonicalJson(record));
      else assert.throws(() => canonicalFlat(record, keys), /NaN or Infinity/);
    }),
    { numRuns: 2000 },
  );
  assert.equal(canonicalFlat({ b: 'x', a: { d: 1, c: [2] } }, ['a', 'b']), '{"a":{"c":[2],"d":1},"b":"x"}');
});
