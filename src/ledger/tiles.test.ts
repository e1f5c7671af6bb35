import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LedgerError } from './errors.js';
import { encodeTileIndex, entryBundle, parseEntryBundle, parseTilePath, tilePath } from './tiles.js';

test('tlog-tiles paths: the spec examples, round trips, non-canonical forms refused', () => {
  assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
  assert.equal(encodeTileIndex(0), '000');
  assert.equal(tilePath({ level: 0, index: 273, width: 112 }), 'tile/0/273.p/112');
  assert.equal(tilePath({ level: 'entries', index: 1234067, width: 256 }), 'tile/entries/x001/x234/067');
  assert.deepEqual(parseTilePath('tile/2/000.p/1'), { level: 2, index: 0, width: 1 });
  fc.assert(
    fc.property(fc.oneof(fc.constant('entries' as const), fc.integer({ min: 0, max: 63 })), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 256 }), (level, index, width) => {
      assert.deepEqual(parseTilePath(tilePath({ level, index, width })), { level, index, width });
    }),
  );
  for (const bad of ['tile/0/1', 'tile/0/x000/001', 'tile/64/000', 'tile/0/000.p/256', 'tile/0/000.p/0', 'tile/01/000', 'tile/0/001/002', '../tile/0/000']) {
    assert.throws(() => parseTilePath(bad), LedgerError, bad);
  }
});

test('entry bundles: uint16 length-prefixed, round trip', () => {
  const entries = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(300, 1)];
  const bundle = entryBundle(entries);
  assert.equal(bundle.length, 2 * 3 + 1 + 300);
  assert.deepEqual(parseEntryBundle(bundle), entries);
  assert.throws(() => parseEntryBundle(bundle.subarray(0, bundle.length - 1)), LedgerError);
});
