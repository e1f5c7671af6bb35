/**
 * The relay's lookup of the messages ready for a peer (the first pending one of each conversation)
 * reads only the pending rows
 * (partial index `exchange_outbox_pending_idx`, migration 0079), not every message delivered to
 * that peer before: checked on each engine's query plan with an outbox of 3,000 delivered rows
 * and one queued. Without the index, SQLite (no ANALYZE statistics, as a node's database has
 * none) walks the (peer, seq) index through all the delivered rows to reach the first pending
 * one — a lookup that grows with the outbox; PostgreSQL (with statistics) reads the pending rows
 * of every peer and sorts them.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { pendingHeadQuery } from '../../src/exchange/relay.js';
import { forEachDatabase } from '../db/dialects.js';

forEachDatabase('exchange outbox pending index', (target) => {
  it('the next message to a peer is found through the index of pending rows', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const db = handle.db;
    const at = new Date().toISOString();
    const row = (seq: number, state: string) => ({ message_id: `m-${seq}`, peer_node_id: 'US:oia.justice.gov', from_authority: 'fr-ca', to_authority: 'us-doj-oia', seq, conversation_id: 'c', case_id: null, type: 'notice', emergency: 0, envelope: 'e', digest: 'd', state, attempts: 1, next_attempt_at: at, last_error: null, receipt: null, created_at: at, updated_at: at });
    for (let from = 1; from <= 3000; from += 500) await db.insertInto('exchange_outbox').values(Array.from({ length: 500 }, (_, i) => row(from + i, 'delivered'))).execute();
    await db.insertInto('exchange_outbox').values(row(3001, 'queued')).execute();
    if (target.kind !== 'sqlite') await sql`analyze`.execute(db);

    const head = await pendingHeadQuery(db, 'US:oia.justice.gov').executeTakeFirst();
    assert.equal(head?.message_id, 'm-3001');

    // The first message of each conversation, emergencies first, with how many of its conversation are pending.
    await db.insertInto('exchange_outbox').values([row(3002, 'outcome-unknown'), { ...row(3003, 'queued'), conversation_id: 'e', emergency: 1 }, { ...row(3004, 'queued'), conversation_id: 'e' }, { ...row(3005, 'queued'), conversation_id: 'f' }]).execute();
    const ready = await pendingHeadQuery(db, 'US:oia.justice.gov', 8).execute();
    assert.deepEqual(ready.map((r) => [r.message_id, Number(r.pending)]), [['m-3003', 2], ['m-3001', 2], ['m-3005', 1]]);
    assert.deepEqual((await pendingHeadQuery(db, 'US:oia.justice.gov', 2).execute()).map((r) => r.message_id), ['m-3003', 'm-3001']);

    const compiled = pendingHeadQuery(db, 'US:oia.justice.gov').compile();
    const explain = target.kind === 'sqlite' ? 'explain query plan ' : 'explain ';
    const plan = (await db.executeQuery<Record<string, unknown>>({ ...compiled, sql: `${explain}${compiled.sql}` })).rows.map((r) => String(r.detail ?? r['QUERY PLAN'])).join('\n');
    assert.match(plan, /exchange_outbox_pending_idx/, plan);
    // The ready message is then fetched by its key (peer, seq): a point lookup, not a walk through the peer's messages.
    assert.doesNotMatch(plan, target.kind === 'sqlite' ? /exchange_outbox_peer_seq_idx \(peer_node_id=\?\)/ : /exchange_outbox_peer_seq_idx/, plan);
  });
});
