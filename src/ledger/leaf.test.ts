import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.js';
import { LEAF_COLUMNS, leafObject, leafOfRowJson, leafOfValues, leafText, rowJsonSqlite, type LeafSource } from './leaf.js';

const SOURCES: readonly LeafSource[] = ['audit', 'login', 'access'];

/** The part of better-sqlite3 used here (no @types/better-sqlite3 is installed). */
interface Sqlite {
  exec(sql: string): void;
  prepare(sql: string): { run(...values: unknown[]): unknown; raw(on: boolean): { get(): unknown } };
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => Sqlite;

/** Strings a row may hold: any UTF-16 (lone surrogates included), control characters, JSON's specials. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u001f', '\u007f', '\n', '\t', '"', '\\', '/', '\u2028', '\u2029', '\ud800', '\udfff', '\ud83d', '\ude00', 'é', '€', '\ufeff', 'a') }),
  fc.constantFrom('', '2026-12-03T15:00:00.000Z', '0192f0c4-3b1e-7cc0-9a4e-5f1d2c3b4a59', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
);
/** What a column may hold: mostly text or NULL; numbers and booleans must take the generic path and agree too. */
const value = fc.oneof({ weight: 8, arbitrary: text }, { weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()) });

/** The reference: the generic RFC 8785 walk over the leaf object, whose row digest is SHA-256 of the row's canonical JSON. */
function reference(source: LeafSource, row: Record<string, unknown>): string {
  const leaf = leafObject(source, row);
  assert.equal(leaf.row_digest, hash('sha256', canonicalJson(row), 'hex'));
  return canonicalJson(leaf);
}

test('property: leafOfValues (object literals in sorted order, per source) writes exactly the generic canonical JSON of every row, in any column order', () => {
  for (const source of SOURCES) {
    const columns = LEAF_COLUMNS[source];
    fc.assert(
      fc.property(fc.array(value, { minLength: columns.length, maxLength: columns.length }), fc.shuffledSubarray([...columns], { minLength: columns.length }), fc.nat(3), (values, order, pad) => {
        const row = Object.fromEntries(columns.map((c, i) => [c, values[i]]));
        // The values as a read returns them: other columns first (`idx`, the stored leaf…), then the row's in the read's order.
        const read = [...Array.from({ length: pad }, (_, i) => `pad${i}`), ...order.map((c) => row[c])];
        const expected = reference(source, row);
        assert.equal(leafOfValues(source, order)(read, pad), expected);
        assert.equal(leafText(source, row), expected);
      }),
      { numRuns: 1500 },
    );
  }
});

test('leafOfValues: edge-case rows and a column set it was not written for (the generic path)', () => {
  const edge = ['\ud800', '\udfff\ud800', '\u0000\u0001\u001f', '"\\/\b\f\n\r\t', '\u2028\u2029', '😀€é', ''];
  for (const source of SOURCES) {
    const columns = LEAF_COLUMNS[source];
    for (const e of edge) {
      for (let k = 0; k < columns.length; k += 1) {
        const row = Object.fromEntries(columns.map((c, i) => [c, i === k ? e : i % 3 === 0 ? null : `${c}-${e}`]));
        assert.equal(leafOfValues(source, columns)(columns.map((c) => row[c]), 0), reference(source, row), `${source} ${columns[k]} = ${JSON.stringify(e)}`);
      }
    }
    // A table that gained a column: its rows' digests cover it, as the generic path does.
    const wider = [...columns, 'added'];
    const row = Object.fromEntries(wider.map((c) => [c, `${c}\u0001`]));
    assert.equal(leafOfValues(source, wider)(wider.map((c) => row[c]), 0), reference(source, row));
    assert.notEqual(leafOfValues(source, wider)(wider.map((c) => row[c]), 0), reference(source, { ...row, added: 'other' }));
  }
});

test('property: the leaf derived from the canonical JSON SQLite writes of a row (json_object) is the reference leaf of the row as read back', () => {
  const db = new Database(':memory:');
  try {
    // The columns the derivations are written out for, and a table that gained a column (the general derivation).
    for (const [source, columns] of SOURCES.flatMap((s) => [[s, LEAF_COLUMNS[s]] as const, [s, [...LEAF_COLUMNS[s], 'added']] as const])) {
      const derive = leafOfRowJson(source, columns);
      assert.ok(derive !== null);
      fc.assert(
        fc.property(fc.array(fc.oneof({ weight: 8, arbitrary: text }, { weight: 2, arbitrary: fc.constant(null) }), { minLength: columns.length, maxLength: columns.length }), fc.shuffledSubarray([...columns], { minLength: columns.length }), (values, order) => {
          // A STRICT table with the columns in a random order, as a migration may have left them.
          db.exec(`drop table if exists t; create table t (${order.map((c) => `${c} text`).join(', ')}) strict`);
          db.prepare(`insert into t (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`).run(...values);
          const [json, ...read] = db.prepare(`select ${rowJsonSqlite(columns, 't')}, ${columns.join(', ')} from t`).raw(true).get() as [string, ...Array<string | null>];
          // Lone surrogates reach SQLite as U+FFFD: the reference is the row as stored.
          assert.equal(derive(json), reference(source, Object.fromEntries(columns.map((c, i) => [c, read[i]]))));
        }),
        { numRuns: 500 },
      );
    }
  } finally {
    db.close();
  }
});

test('leafOfRowJson: values that look like member names, texts not shaped as a row, and column sets it cannot derive from', () => {
  // Written out (the table's columns) and general (a column more).
  for (const columns of [LEAF_COLUMNS.access, [...LEAF_COLUMNS.access, 'added']]) {
    const derive = leafOfRowJson('access', columns);
    assert.ok(derive !== null);
    const row = { action: 'read,"actor":"x","at":"y"', actor: '","case_id":"', at: 'at', case_id: '{"id":"z"}', id: 'i', ...(columns.includes('added') ? { added: ',"at":"' } : {}) };
    assert.equal(derive(canonicalJson(row)), reference('access', row));
    for (const bad of ['', '{}', '[]', '{"action":"a"}', canonicalJson(row).slice(0, -1), `${canonicalJson(row)} `, canonicalJson({ ...row, actor: undefined })]) assert.equal(derive(bad), null, bad);
  }
  // Every source's written-out derivation, given a row's text with one member missing, never gives the full row's leaf:
  // it refuses the text (a member where the leaf's runs begin or end) or gives a leaf that differs from the stored one.
  for (const source of SOURCES) {
    const derive = leafOfRowJson(source, LEAF_COLUMNS[source]);
    const row = Object.fromEntries(LEAF_COLUMNS[source].map((c) => [c, c]));
    assert.equal(derive?.(canonicalJson(row)), reference(source, row));
    for (const column of LEAF_COLUMNS[source]) {
      const missing = derive?.(canonicalJson({ ...row, [column]: undefined }));
      assert.ok(missing === null || missing !== reference(source, row), `${source} without ${column}`);
    }
  }
  // A leaf member that is not a column, or a column name that is not plain: no derivation (the columns are read instead).
  assert.equal(leafOfRowJson('access', ['action', 'actor', 'at', 'id']), null);
  assert.equal(leafOfRowJson('access', [...LEAF_COLUMNS.access, 'odd name']), null);
  assert.throws(() => rowJsonSqlite(['id', 'x"; drop table t; --'], 's'), TypeError);
});
