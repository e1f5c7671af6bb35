import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import { columnsKey, preparedQueries, preparedQuery } from '../../src/db/prepared.js';
import type { AuditEventsTable } from '../../src/db/index.js';
import { forEachDatabase } from './dialects.js';

const row = (id: string, overrides: Partial<Insertable<AuditEventsTable>> = {}): Insertable<AuditEventsTable> => ({
  id,
  actor: 'officer',
  action: 'case.create',
  object_type: 'case',
  object_id: 'c-1',
  at: '2026-12-01T08:00:00.000Z',
  before_digest: null,
  after_digest: 'd'.repeat(64),
  details: null,
  ...overrides,
});

const insertAudit = preparedQueries(columnsKey, (shape: object) => (db, p) => db.insertInto('audit_events').values(p.row<Insertable<AuditEventsTable>>(Object.keys(shape))));
const byObject = preparedQuery<{ id: string; action: string }>((db, p) =>
  db
    .selectFrom('audit_events')
    .select(['id', 'action'])
    .where('object_type', '=', 'case') // a constant: stays as compiled
    .where('object_id', '=', p.value<string>('object'))
    .where('action', '!=', p.value<string>('action', 'not'))
    .orderBy('id'),
);

forEachDatabase('prepared queries', (target) => {
  it('compile the builder once and bind new values by name, constants kept, in any transaction', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const first = row('a1');
    // The SQL is what Kysely compiles; the parameters are the row's values in column order.
    const compiled = insertAudit(first).compile(handle.db, first);
    assert.equal(compiled.sql, handle.db.insertInto('audit_events').values(first).compile().sql);
    assert.deepEqual(compiled.parameters, Object.values(first));

    await handle.db.transaction().execute(async (trx) => {
      await insertAudit(first).execute(trx, first);
      await insertAudit(first).execute(trx, row('a2', { action: 'case.send', object_id: 'c-1' }));
      await insertAudit(first).execute(trx, row('a3', { object_id: 'c-2' }));
    });
    const found = await byObject.execute(handle.db, { object: 'c-1', not: { action: 'case.create' } });
    assert.deepEqual(found.rows, [{ id: 'a2', action: 'case.send' }]);
    const selectSql = byObject.compile(handle.db, { object: 'x', not: { action: 'y' } });
    assert.deepEqual(selectSql.parameters, ['case', 'x', 'y']);
  });

  it('a missing value is an error before anything runs; a rolled-back transaction keeps nothing', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    await assert.rejects(byObject.execute(handle.db, { object: 'c-1' }), /no value for not\.action/);
    await assert.rejects(
      handle.db.transaction().execute(async (trx) => {
        await insertAudit(row('b1')).execute(trx, row('b1'));
        await insertAudit(row('b1')).execute(trx, { ...row('b2'), actor: undefined });
      }),
      /no value for actor/,
    );
    const { rows } = await sql<{ n: number | bigint }>`select count(*) as n from audit_events`.execute(handle.db);
    assert.equal(Number(rows[0]?.n), 0);
  });
});

it('rows with different columns get different statements', () => {
  const a = row('x');
  const { details: _, ...withoutDetails } = a;
  assert.notEqual(columnsKey(a), columnsKey(withoutDetails));
  assert.notEqual(insertAudit(a), insertAudit(withoutDetails));
  assert.equal(insertAudit(a), insertAudit(row('y')));
});
