/**
 * Migration 0082: log entries of audit events record the event's `seq` (`source_seq`), filled for
 * the entries sequenced before it and by the sequencing trigger after it; `ledger verify` reads
 * audit events through it. A pointer that goes astray is not a commitment: the verification still
 * passes, reading the event by its id. Down again: the column and the trigger as before.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { uuidv7, type Database } from '../../src/db/index.js';
import { integrate, verifyLog } from '../../src/ledger/index.js';
import { forEachDatabase } from '../db/dialects.js';
import { migrateTo } from '../db/migrate-to.js';

const hex = (i: number): string => i.toString(16).padStart(64, '0');
const auditRows = (from: number, count: number) =>
  Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { id: uuidv7(1_780_000_000_000 + i), actor: 'user:a', action: 'case.approve', object_type: 'case', object_id: uuidv7(1_779_000_000_000 + i), at: new Date(1_780_000_000_000 + i).toISOString(), before_digest: hex(i), after_digest: hex(i + 1), details: i % 3 === 0 ? null : `{"note":"row ${i}, \\"quoted\\" é\\n"}` };
  });

/** Every audit entry's `source_seq` against its event's `seq`: how many equal, how many not. */
async function pointers(db: Kysely<Database>): Promise<{ equal: number; other: number }> {
  const { rows } = await sql<{ equal: number | string; other: number | string }>`select sum(case when e.source_seq = a.seq then 1 else 0 end) as equal, sum(case when e.source_seq = a.seq then 0 else 1 end) as other from ledger_entries e join audit_events a on a.id = e.source_id where e.source = 'audit'`.execute(db);
  return { equal: Number(rows[0]?.equal ?? 0), other: Number(rows[0]?.other ?? 0) };
}

forEachDatabase('migration 0082: ledger_entries.source_seq', (target) => {
  it('filled for earlier entries and by the trigger; verification reads through it, and by id when it is wrong; down again', async (t) => {
    const handle = await target.create(t);
    const db = handle.db;
    const to = migrateTo(db);
    await to('0081_ledger_nodes_clustered');
    await db.insertInto('audit_events').values(auditRows(0, 300)).execute();
    await db.insertInto('login_events').values({ id: uuidv7(1_780_000_000_500), user_id: null, email_hash: 'ab'.repeat(32), outcome: 'success', at: '2026-12-01T09:00:00.000Z' }).execute();

    await handle.migrate();
    assert.deepEqual(await pointers(db), { equal: 300, other: 0 });
    // The trigger fills it for new events; other sources leave it NULL.
    await db.insertInto('audit_events').values(auditRows(300, 200)).execute();
    assert.deepEqual(await pointers(db), { equal: 500, other: 0 });
    const login = await db.selectFrom('ledger_entries').select('source_seq').where('source', '=', 'login').executeTakeFirstOrThrow();
    assert.equal(login.source_seq, null);
    assert.equal((await integrate(db)).size, 501);
    assert.deepEqual((await verifyLog(db, { verifiersFor: async () => [] })).problems, []);

    // Pointers gone astray (swapped between two events, then cleared): the rows are read by id, nothing is reported.
    const [a, b] = await db.selectFrom('ledger_entries').select(['idx', 'source_seq']).where('source', '=', 'audit').orderBy('idx').limit(2).execute();
    await db.updateTable('ledger_entries').set({ source_seq: b?.source_seq ?? null }).where('idx', '=', Number(a?.idx)).execute();
    await db.updateTable('ledger_entries').set({ source_seq: a?.source_seq ?? null }).where('idx', '=', Number(b?.idx)).execute();
    await db.updateTable('ledger_entries').set({ source_seq: null }).where('idx', '=', 400).execute();
    const astray = await verifyLog(db, { verifiersFor: async () => [] });
    assert.deepEqual(astray.problems, []);
    assert.equal(astray.integrated, 501);
    // A changed event is still found, through either path.
    const changed = await db.selectFrom('ledger_entries').select('source_id').where('idx', '=', 451).executeTakeFirstOrThrow();
    await db.updateTable('audit_events').set({ action: 'case.reject' }).where('id', '=', changed.source_id).execute();
    const tampered = await verifyLog(db, { verifiersFor: async () => [] });
    assert.equal(tampered.ok, false);
    assert.match(tampered.problems.join('\n'), /log entry 451: the recorded row does not match the logged leaf/);

    await to('0081_ledger_nodes_clustered');
    const columns = await sql<{ name: string }>`select ${sql.raw(target.kind === 'sqlite' ? 'name' : 'column_name as name')} from ${sql.raw(target.kind === 'sqlite' ? "pragma_table_info('ledger_entries')" : "information_schema.columns where table_schema = current_schema() and table_name = 'ledger_entries'")}`.execute(db);
    assert.deepEqual(columns.rows.map((r) => r.name).sort(), ['idx', 'leaf', 'source', 'source_id']);
    await db.insertInto('audit_events').values(auditRows(500, 3)).execute();
    assert.equal(Number((await db.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow()).size), 504);
  });
});
