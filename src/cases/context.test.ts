import { it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../db/index.js';
import { serverTransactionRunner } from './context.js';

it('a server groups commits on SQLite only when each commit costs an fsync (synchronous = FULL)', async (t) => {
  const handle = await openDatabase({ kind: 'sqlite', file: ':memory:' });
  t.after(() => handle.close());
  await handle.migrate();
  const full = serverTransactionRunner(handle.db, { kind: 'sqlite', file: ':memory:', synchronous: 'full' });
  const normal = serverTransactionRunner(handle.db, { kind: 'sqlite', file: ':memory:', synchronous: 'normal' });
  const postgres = serverTransactionRunner(handle.db, { kind: 'postgres', url: 'postgres://unused' });
  assert.ok('stats' in full, 'group committer');
  assert.ok(!('stats' in normal) && !('stats' in postgres), 'a transaction each');
  // Both run work in a transaction and give its result.
  for (const runner of [full, normal]) assert.equal(await runner(async (trx) => (await trx.selectFrom('schema_info').selectAll().execute()).length), 0);
});
