/**
 * Receipts and refusals in the transparency log (issue 12, LOG_LEDGER) on SQLite, PGlite and
 * PostgreSQL: authorities hosted on one node exchange through the same inbox (loopback), so the
 * node's log holds both sides — the receiver's `receipt-issued` and the sender's
 * `receipt-received` leaf of each message with the same receipt digest — for an accepted
 * message, a message the workflow rejects, and an envelope refused outright. Each leaf commits
 * with its inbox/outbox change (a rolled-back change leaves no leaf) and holds no content.
 * (Two nodes, SQLite and PostgreSQL, as processes: test/exchange/servers.test.ts.)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { requireNodeIdentity } from '../../src/exchange/index.js';
import { MessageRejected, type MessageHandler } from '../../src/exchange/inbox.js';
import { LOG_LEDGER } from '../../src/exchange/ledger-port.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { createExchangeRuntime, type MessageDraft } from '../../src/exchange/runtime.js';
import { integrate, verifyLog } from '../../src/ledger/index.js';
import { forEachDatabase } from '../db/dialects.js';
import { createTestNode } from './nodes.js';

const handler: MessageHandler = {
  async apply(_trx, opened) {
    if (opened.message.body.refuse === true) throw new MessageRejected('transition-not-allowed', 'the case is closed');
  },
};

function draft(body: Record<string, unknown>): MessageDraft {
  return { from: { authority: 'fr-ca' }, to: { authority: 'fr-parquet-paris' }, inReplyTo: null, conversation: '0190a000-0000-7000-8000-000000000002', type: 'request', instrument: 'ETS185', action: 'send', emergency: false, body };
}

interface ExchangeLeaf {
  v: number;
  log: string;
  id: string;
  kind: string;
  outcome: string | null;
  message_id: string | null;
  peer: string | null;
  digest: string;
  at: string;
}

forEachDatabase('exchange receipts in the log', (target) => {
  it('both sides of each receipt and every refusal are leaves with the same digests, committed with the change', async (t) => {
    const handle = await target.create(t);
    const node = await createTestNode('fr', handle);
    const runtime = createExchangeRuntime({ db: node.db, keys: node.keys, identity: await requireNodeIdentity(node.db), handler, ledger: LOG_LEDGER, relay: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 20 } });
    t.after(() => runtime.stop());
    const accepted = await runtime.send(draft({ text: 'SECRET-CONTENT preserve the account' }));
    const rejected = await runtime.send(draft({ refuse: true }));
    const until = Date.now() + 15_000;
    for (;;) {
      const states = (await deliveriesOf(node.db, {})).map((d) => d.state);
      if (states.length === 2 && states.every((s) => s === 'delivered' || s === 'rejected')) break;
      assert.ok(Date.now() < until, `deliveries did not settle: ${states.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const garbage = 'eyJhbGciOiJub25lIn0.not.an.envelope';
    const refused = await runtime.receive(garbage);
    assert.equal(refused.outcome, 'refused');

    const rows = await node.db.selectFrom('ledger_entries').select(['idx', 'leaf']).where('source', '=', 'record').orderBy('idx').execute();
    const leaves = rows.map((r) => JSON.parse(r.leaf ?? '{}') as ExchangeLeaf).filter((l) => l.log === 'exchange');
    const of = (messageId: string, kind: string) => leaves.filter((l) => l.message_id === messageId && l.kind === kind);
    const outbox = await node.db.selectFrom('exchange_outbox').select(['message_id', 'receipt']).execute();
    for (const [message, outcome] of [[accepted.message, 'accepted'], [rejected.message, 'rejected']] as const) {
      const issued = of(message.id, 'receipt-issued');
      const received = of(message.id, 'receipt-received');
      assert.equal(issued.length, 1, `one receipt-issued leaf for the ${outcome} message`);
      assert.equal(received.length, 1, `one receipt-received leaf for the ${outcome} message`);
      assert.equal(issued[0]?.digest, received[0]?.digest);
      assert.equal(issued[0]?.outcome, outcome);
      assert.equal(received[0]?.outcome, outcome);
      // The digest is that of the signed receipt the sender stored.
      const receipt = outbox.find((o) => o.message_id === message.id)?.receipt ?? '';
      assert.equal(received[0]?.digest, createHash('sha256').update(receipt).digest('hex'));
    }
    const refusal = leaves.filter((l) => l.kind === 'refusal');
    assert.equal(refusal.length, 1);
    assert.equal(refusal[0]?.outcome, 'refused');
    assert.equal(refusal[0]?.digest, createHash('sha256').update(garbage).digest('hex'));
    assert.equal(await node.db.selectFrom('exchange_refusals').select('id').execute().then((r) => r.length), 1);
    // Metadata and digests only.
    assert.ok(!rows.some((r) => (r.leaf ?? '').includes('SECRET-CONTENT')));
    for (const l of leaves) assert.deepEqual(Object.keys(l).sort(), ['at', 'digest', 'id', 'kind', 'log', 'message_id', 'outcome', 'peer', 'v']);
    // The log with these leaves verifies.
    await integrate(node.db);
    const report = await verifyLog(node.db, { verifiersFor: async () => [] });
    assert.equal(report.ok, true, report.problems.join('; '));
  });

  it('a leaf that cannot be written rolls back the inbox change with it', async (t) => {
    const handle = await target.create(t);
    const node = await createTestNode('fr', handle);
    const failing = { append: async () => Promise.reject(new Error('log unavailable')) };
    const runtime = createExchangeRuntime({ db: node.db, keys: node.keys, identity: await requireNodeIdentity(node.db), handler, ledger: failing, relay: { autostart: false } });
    t.after(() => runtime.stop());
    await assert.rejects(runtime.receive('not-an-envelope'), /log unavailable/);
    assert.equal((await node.db.selectFrom('exchange_refusals').select('id').execute()).length, 0);
  });
});
