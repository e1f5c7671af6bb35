/**
 * SQLite's per-connection statement cache (src/db/dialects/sqlite.ts): one prepared statement per
 * SQL text, reused with new parameters; correct after a schema change, for array-row queries, and
 * while a statement is busy in an iterate(); bounded; off with its write-path switch.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { arrayRows } from '../../src/db/array-rows.js';
import { createStatementCache, type BetterSqlite3Database, type BetterSqlite3Statement } from '../../src/db/dialects/sqlite.js';
import { openDatabase } from '../../src/db/index.js';
import { setWritePathOff } from '../../src/db/write-path-switches.js';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as new (file: string) => BetterSqlite3Database & { exec(sql: string): void };

/** A database whose `prepare` calls are counted. */
function counted(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'comity-stmt-cache-'));
  const database = new Database(join(dir, 'x.db'));
  t.after(() => {
    try {
      database.close();
    } catch {
      // closed by the test
    }
    rmSync(dir, { recursive: true, force: true });
  });
  database.exec('create table t (id integer primary key, name text not null)');
  const prepared: string[] = [];
  const spy = Object.create(database) as BetterSqlite3Database;
  spy.prepare = (text: string): BetterSqlite3Statement => {
    prepared.push(text);
    return database.prepare(text);
  };
  spy.close = () => database.close();
  return { database, spy, prepared };
}

it('prepares each SQL text once and runs it again with new parameters', (t) => {
  const { spy, prepared } = counted(t);
  const cache = createStatementCache(spy);
  for (let i = 1; i <= 5; i++) cache.prepare('insert into t (id, name) values (?, ?)').run([i, `n${i}`]);
  const select = 'select name from t where id = ?';
  assert.deepEqual(cache.prepare(select).all([2]), [{ name: 'n2' }]);
  assert.deepEqual(cache.prepare(select).all([4]), [{ name: 'n4' }]);
  assert.deepEqual(prepared, ['insert into t (id, name) values (?, ?)', select]);
});

it('sees a schema change made after a statement was cached', (t) => {
  const { database, spy } = counted(t);
  const cache = createStatementCache(spy);
  cache.prepare('insert into t (id, name) values (?, ?)').run([1, 'a']);
  assert.deepEqual(cache.prepare('select * from t').all([]), [{ id: 1, name: 'a' }]);
  database.exec("alter table t add column extra text not null default 'x'");
  assert.deepEqual(cache.prepare('select * from t').all([]), [{ id: 1, name: 'a', extra: 'x' }]);
});

it('gives a fresh statement while the cached one is busy in an iterate()', (t) => {
  const { spy, prepared } = counted(t);
  const cache = createStatementCache(spy);
  for (let i = 1; i <= 3; i++) cache.prepare('insert into t (id, name) values (?, ?)').run([i, `n${i}`]);
  const text = 'select id from t where id >= ? order by id';
  const first = cache.prepare(text) as BetterSqlite3Statement & { iterate(p: unknown[]): IterableIterator<{ id: number }> };
  const outer: number[] = [];
  for (const row of first.iterate([1]) as Iterable<{ id: number }>) {
    outer.push(row.id);
    // The same text while the cached statement is open: another statement, which runs.
    const inner = cache.prepare(text);
    assert.notEqual(inner, first);
    assert.deepEqual(inner.all([3]), [{ id: 3 }]);
  }
  assert.deepEqual(outer, [1, 2, 3]);
  assert.equal(cache.prepare(text), first, 'the cached statement is used again once free');
  assert.equal(prepared.filter((p) => p === text).length, 4);
});

it('keeps at most `size` statements, the least recently used leaving first', (t) => {
  const { spy, prepared } = counted(t);
  const cache = createStatementCache(spy, 2);
  const a = 'select 1 as a';
  const b = 'select 2 as b';
  const c = 'select 3 as c';
  cache.prepare(a);
  cache.prepare(b);
  cache.prepare(a); // a is now the most recently used
  cache.prepare(c); // evicts b
  cache.prepare(a);
  cache.prepare(b); // prepared again
  assert.deepEqual(prepared, [a, b, c, b]);
});

it('is off, every query prepared afresh, with the write-path switch off', (t) => {
  const { spy, prepared } = counted(t);
  const cache = createStatementCache(spy);
  setWritePathOff(['sqlite-statement-cache']);
  try {
    cache.prepare('select 1 as one').all([]);
    cache.prepare('select 1 as one').all([]);
  } finally {
    setWritePathOff([]);
  }
  assert.equal(prepared.length, 2);
});

it('through Kysely: object rows and array rows of the same SQL, transactions, a migration', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-stmt-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const handle = await openDatabase({ kind: 'sqlite', file: join(dir, 'c.db') });
  t.after(() => handle.close());
  await handle.migrate();
  const { db } = handle;
  await sql`create table pairs (k text primary key, v integer not null)`.execute(db);
  for (let i = 0; i < 3; i++) await db.transaction().execute((trx) => sql`insert into pairs (k, v) values (${`k${i}`}, ${i})`.execute(trx));
  const query = CompiledQuery.raw('select k, v from pairs where v >= ? order by v', [1]);
  assert.deepEqual((await db.executeQuery(query)).rows, [{ k: 'k1', v: 1 }, { k: 'k2', v: 2 }]);
  assert.deepEqual(await arrayRows(db as unknown as Kysely<unknown>, query), [['k1', 1], ['k2', 2]]);
  // Registered for array rows after it ran as objects: from then on the driver answers it in raw
  // mode (its own statement), not with the object-row statement cached first.
  assert.deepEqual((await db.executeQuery(query)).rows, [['k1', 1], ['k2', 2]]);
  // A rolled-back transaction leaves nothing, and the cached BEGIN/COMMIT/ROLLBACK keep working.
  await assert.rejects(db.transaction().execute(async (trx) => {
    await sql`insert into pairs (k, v) values ('gone', 9)`.execute(trx);
    throw new Error('roll back');
  }));
  await sql`alter table pairs add column w integer not null default 7`.execute(db);
  assert.deepEqual((await sql<Record<string, unknown>>`select * from pairs order by v`.execute(db)).rows, [{ k: 'k0', v: 0, w: 7 }, { k: 'k1', v: 1, w: 7 }, { k: 'k2', v: 2, w: 7 }]);
});
