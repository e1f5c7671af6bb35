/**
 * Migration 0081 (SQLite): `ledger_nodes` rebuilt WITHOUT ROWID, clustered on (level, idx). A
 * log integrated before the migration keeps every node byte for byte and still verifies after
 * it; the migration down gives back the rowid table with the same rows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase, uuidv7, type Database } from '../../src/db/index.js';
import { integrate, verifyLog } from '../../src/ledger/index.js';
import { migrateTo } from '../db/migrate-to.js';

async function nodes(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('ledger_nodes').select(['level', 'idx', 'hash']).orderBy('level').orderBy('idx').execute();
  return rows.map((r) => `${r.level}/${r.idx}/${Buffer.from(r.hash).toString('hex')}`);
}

async function withoutRowid(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ wr: number }>`select wr from pragma_table_list where name = 'ledger_nodes'`.execute(db);
  return Number(rows[0]?.wr) === 1;
}

it('SQLite: ledger_nodes clustered on its key, every node kept, the log still verifying; and back down', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'comity-0081-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const handle = await openDatabase({ kind: 'sqlite', file: join(dir, 'node.sqlite') });
  t.after(() => handle.close());
  const db = handle.db;
  const to = migrateTo(db);
  await to('0079_outbox_pending_index');
  const hex = (): string => randomBytes(32).toString('hex');
  const rows = Array.from({ length: 777 }, (_, i) => ({ id: uuidv7(1_780_000_000_000 + i), actor: 'user:a', action: 'case.approve', object_type: 'case', object_id: uuidv7(1_779_000_000_000 + i), at: new Date(1_780_000_000_000 + i).toISOString(), before_digest: hex(), after_digest: hex(), details: '{"review":"approved"}' }));
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('audit_events').values(rows.slice(i, i + 200)).execute();
  assert.equal((await integrate(db)).size, 777);
  const before = await nodes(db);
  assert.ok(before.length > 777 * 1.9, `${before.length} nodes`);
  assert.equal(await withoutRowid(db), false);

  await handle.migrate();
  assert.equal(await withoutRowid(db), true);
  assert.deepEqual(await nodes(db), before);
  const report = await verifyLog(db, { verifiersFor: async () => [] });
  assert.deepEqual(report.problems, []);
  assert.equal(report.integrated, 777);
  // The key still refuses a second node at the same place.
  await assert.rejects(db.insertInto('ledger_nodes').values({ level: 0, idx: 0, hash: Buffer.alloc(32) }).execute(), /UNIQUE|PRIMARY KEY/);

  await to('0079_outbox_pending_index');
  assert.equal(await withoutRowid(db), false);
  assert.deepEqual(await nodes(db), before);
});
