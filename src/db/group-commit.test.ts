import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { forEachDatabase } from '../../test/db/dialects.js';
import type { CloseScope, TestTarget } from '../../test/db/dialects.js';
import { createAuthority, createCase, createCaseContext, transitionCase, type Actor } from '../cases/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../demo/data.js';
import { loadKnowledgeBase } from '../law/index.js';
import { createGroupCommitRunner, GroupCommitError } from './group-commit.js';
import type { Database } from './index.js';

async function count(db: Kysely<Database>, table: string, where = sql`1 = 1`): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(db);
  return Number(rows[0]?.n);
}

forEachDatabase('group commit', (target: TestTarget) => {
  /** A fresh database with a scratch table, and a second handle on it to observe commits (not for in-memory PGlite). */
  async function setup(t: CloseScope) {
    const config = await target.createConfig();
    const handle = await target.open(config, t);
    await sql`create table gc_items (id integer primary key, label text not null)`.execute(handle.db);
    const observer = target.kind === 'pglite' ? null : await target.open(config, t);
    return { db: handle.db, handle, observer };
  }

  const insert = (db: Kysely<Database>, id: number, label = `item ${id}`) => sql`insert into gc_items (id, label) values (${id}, ${label})`.execute(db);

  it('runs many concurrent items in few transactions, in order, and acknowledges each only after its commit', async (t) => {
    const { db, observer } = await setup(t);
    const runner = createGroupCommitRunner(db, { maxBatch: 64 });
    const executed: number[] = [];
    const visibleAtResolution: Promise<boolean>[] = [];
    const commitsAtResolution: number[] = [];
    const items = Array.from({ length: 100 }, (_, i) =>
      runner(async (trx) => {
        executed.push(i);
        await insert(trx, i);
        return { i, label: `item ${i}` };
      }).then((result) => {
        commitsAtResolution.push(runner.stats.commits);
        // Seen from another connection the moment the promise resolves: the row is committed.
        if (observer) visibleAtResolution.push(count(observer.db, 'gc_items', sql`id = ${i}`).then((n) => n === 1));
        return result;
      }),
    );
    const results = await Promise.all(items);
    assert.deepEqual(results.map((r) => r.i), Array.from({ length: 100 }, (_, i) => i), 'each caller gets its own result');
    assert.deepEqual(executed, Array.from({ length: 100 }, (_, i) => i), 'items run sequentially in submission order');
    assert.equal(await count(db, 'gc_items'), 100);
    const stats = runner.stats;
    assert.equal(stats.commits, 2, 'submitted together: one batch of 64, then the 36 that did not fit');
    assert.equal(stats.maxBatchSize, 64);
    assert.equal(stats.committedItems, 100);
    assert.ok(commitsAtResolution.every((n) => n >= 1), 'no promise resolved before a commit');
    assert.deepEqual(commitsAtResolution.slice(0, 64), Array(64).fill(1));
    if (observer) assert.ok((await Promise.all(visibleAtResolution)).every(Boolean), 'every acknowledged row was visible to another connection');
  });

  it('items submitted while a batch runs join the next batch', async (t) => {
    const { db } = await setup(t);
    const runner = createGroupCommitRunner(db);
    const late: Promise<number>[] = [];
    const first = runner(async (trx) => {
      await insert(trx, 0);
      // Submitted from outside while this batch is open (not awaited here: that would wait for itself).
      for (let i = 1; i <= 5; i += 1) late.push(runner(async (inner) => (await insert(inner, i), i)));
      return 0;
    });
    assert.equal(await first, 0);
    assert.equal(runner.stats.commits, 1);
    assert.deepEqual(await Promise.all(late), [1, 2, 3, 4, 5]);
    assert.equal(runner.stats.commits, 2);
    assert.equal(await count(db, 'gc_items'), 6);
    await runner.idle();
  });

  it('a throwing item is rolled back alone; only its promise rejects', async (t) => {
    const { db } = await setup(t);
    const runner = createGroupCommitRunner(db);
    const boom = new Error('item 3 failed');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        runner(async (trx) => {
          await insert(trx, i);
          if (i === 3) {
            await insert(trx, 100 + i); // two writes of its own, both undone
            throw boom;
          }
          // A database error inside an item (duplicate key aborts a PostgreSQL transaction) is contained too.
          if (i === 5) await insert(trx, 0);
          return i;
        }),
      ),
    );
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.equal((outcomes[3] as PromiseRejectedResult).reason, boom, 'the item gets its own error, unwrapped');
    assert.ok(!((outcomes[5] as PromiseRejectedResult).reason instanceof GroupCommitError));
    const ids = (await sql<{ id: number }>`select id from gc_items order by id`.execute(db)).rows.map((r) => Number(r.id));
    assert.deepEqual(ids, [0, 1, 2, 4, 6, 7]);
    assert.equal(runner.stats.commits, 1);
    assert.equal(runner.stats.failedItems, 2);
  });

  it('a failing commit rejects every item of the batch and commits none; the runner goes on', async (t) => {
    const { db } = await setup(t);
    // A deferred foreign key is checked at COMMIT: the statement passes, the commit fails.
    await sql`create table gc_parents (id integer primary key)`.execute(db);
    await sql`create table gc_children (id integer primary key, parent_id integer not null references gc_parents (id) deferrable initially deferred)`.execute(db);
    const runner = createGroupCommitRunner(db);
    const outcomes = await Promise.allSettled([
      runner(async (trx) => (await insert(trx, 1), 'a')),
      runner(async (trx) => (await sql`insert into gc_children (id, parent_id) values (1, 42)`.execute(trx), 'orphan')),
      runner(async (trx) => (await sql`insert into gc_parents (id) values (7)`.execute(trx), 'c')),
    ]);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.ok(outcome.reason instanceof GroupCommitError, String(outcome.reason));
      assert.match(outcome.reason.message, /commit failed/);
      assert.ok(outcome.reason.cause !== undefined);
    }
    assert.equal(await count(db, 'gc_items'), 0);
    assert.equal(await count(db, 'gc_parents'), 0);
    assert.equal(await count(db, 'gc_children'), 0);
    assert.equal(runner.stats.failedBatches, 1);
    assert.equal(runner.stats.commits, 0);
    // The connection was given back and the next batch commits.
    assert.equal(await runner(async (trx) => (await insert(trx, 2), 'again')), 'again');
    assert.equal(await count(db, 'gc_items'), 1);
  });

  it('maxWaitMs lets an idle runner wait for company; maxBatch starts it early', async (t) => {
    const { db } = await setup(t);
    const runner = createGroupCommitRunner(db, { maxBatch: 3, maxWaitMs: 10_000 });
    const started = Date.now();
    const first = runner(async (trx) => (await insert(trx, 1), 1));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runner.stats.commits, 0, 'still waiting');
    const rest = [runner(async (trx) => (await insert(trx, 2), 2)), runner(async (trx) => (await insert(trx, 3), 3))];
    assert.deepEqual(await Promise.all([first, ...rest]), [1, 2, 3]);
    assert.ok(Date.now() - started < 5000, 'the full batch began without waiting out maxWaitMs');
    assert.equal(runner.stats.commits, 1);
    assert.throws(() => createGroupCommitRunner(db, { maxBatch: 0 }), RangeError);
    assert.throws(() => createGroupCommitRunner(db, { maxWaitMs: -1 }), RangeError);
  });

  it('serves as the CaseContext transaction runner: concurrent requests created, approved and sent', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const kb = loadKnowledgeBase();
    const transaction = createGroupCommitRunner(handle.db);
    const ctx = createCaseContext(handle.db, kb, { now: () => new Date('2026-12-01T08:00:00Z'), transaction });
    for (const authority of DEMO_AUTHORITIES) await createAuthority(ctx, { id: 'admin', authorityId: null }, authority);
    const fr: Actor = { id: 'alice@fr-ca', authorityId: 'fr-ca' };
    const sent = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const created = await createCase(ctx, fr, preservationRequestFrToUs());
        await transitionCase(ctx, fr, created.id, 'approve', { review: DEMO_REVIEW });
        return transitionCase(ctx, fr, created.id, 'send');
      }),
    );
    assert.ok(sent.every((c) => c.state === 'sent'));
    assert.equal(await count(handle.db, 'cases', sql`state = 'sent'`), 20);
    assert.equal(await count(handle.db, 'audit_events', sql`action in ('case.create', 'case.approve', 'case.send')`), 60);
    assert.ok(transaction.stats.commits < 60 + DEMO_AUTHORITIES.length, `${transaction.stats.commits} commits for ${transaction.stats.committedItems} transactions`);
  });
});
