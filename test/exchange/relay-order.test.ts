/**
 * Order where it matters, and only there (relay.ts): messages of one conversation (a case, an
 * order) reach a peer in commit order, one at a time; a message the peer keeps failing holds back
 * its own conversation only — not the other cases' messages to that peer, and not an emergency.
 * Before, the relay kept one order per peer: a single message the peer could not take (an
 * authority whose key the peer had not imported yet, a body over the peer's limit, an error of its
 * own) held every later message to that peer behind it, retried with backoff up to five minutes.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { requireNodeIdentity } from '../../src/exchange/index.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { createExchangeRuntime } from '../../src/exchange/runtime.js';
import type { Transport } from '../../src/exchange/transport.js';
import { frAndUs, type TestNode } from './nodes.js';
import { until } from './sessions.js';

const note = (conversation: string, n: number) => ({ from: { authority: 'fr-ca' }, to: { authority: 'us-doj-oia' }, inReplyTo: null, conversation, type: 'notice' as const, instrument: null, action: 'note', emergency: false, body: { n } });
const conversation = (k: number): string => `0190a000-0000-7000-8000-0000000c${String(k).padStart(4, '0')}`;

/** The message id of an envelope, from the sender's outbox. */
async function idOf(fr: TestNode, envelope: string): Promise<string> {
  return (await fr.db.selectFrom('exchange_outbox').select('message_id').where('envelope', '=', envelope).executeTakeFirstOrThrow()).message_id;
}

it('a message the peer keeps failing holds back its own conversation only', async (t) => {
  const { fr, usRuntime } = await frAndUs(t, 'relay-poison');
  let failing: string | null = null;
  const attempted: string[] = [];
  const applied: string[] = [];
  // The peer answers HTTP 500 to one message (its outcome is unknown: retried), and takes the others.
  const transport: Transport = {
    async deliver(_peer, envelope) {
      const id = await idOf(fr, envelope);
      attempted.push(id);
      if (id === failing) return { kind: 'unknown', error: 'HTTP 500' };
      const answer = await usRuntime.receive(envelope);
      if (answer.outcome === 'accepted') applied.push(id);
      return { kind: 'answered', receipt: answer.receipt };
    },
  };
  // Backoff of a minute after the first retry: a message held behind it would wait that long.
  const frRuntime = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity: await requireNodeIdentity(fr.db), remote: transport, relay: { baseDelayMs: 60_000, maxDelayMs: 120_000, pollMs: 100 } });
  t.after(() => frRuntime.stop());

  const a1 = await frRuntime.prepare(note(conversation(1), 1));
  failing = a1.message.id;
  await fr.db.transaction().execute((trx) => a1.enqueue(trx));
  frRuntime.relay.wake();
  const a2 = await frRuntime.send(note(conversation(1), 2));
  const b1 = await frRuntime.send(note(conversation(2), 3));
  const c1 = await frRuntime.send(note(conversation(3), 4));

  await until(
    async () => [...(await deliveriesOf(fr.db, { conversationId: conversation(2) })), ...(await deliveriesOf(fr.db, { conversationId: conversation(3) }))].map((d) => d.state),
    (states) => states.length === 2 && states.every((s) => s === 'delivered'),
    'the other conversations delivered',
  );
  const [first, second] = await deliveriesOf(fr.db, { conversationId: conversation(1) });
  assert.equal(first?.state, 'outcome-unknown');
  assert.equal(first?.attempts, 2, 'tried, retried at once, then waiting its backoff');
  assert.equal(second?.state, 'queued', 'the later message of that conversation waits for it');
  assert.equal(second?.attempts, 0);
  assert.ok(!attempted.includes(a2.message.id), 'never sent ahead of the earlier message of its conversation');
  assert.deepEqual(applied, [b1.message.id, c1.message.id]);

  // The peer takes it again: the conversation goes on, in its order.
  failing = null;
  await fr.db.updateTable('exchange_outbox').set({ next_attempt_at: new Date().toISOString() }).where('message_id', '=', a1.message.id).execute();
  frRuntime.relay.wake();
  await until(() => deliveriesOf(fr.db, { conversationId: conversation(1) }), (ds) => ds.every((d) => d.state === 'delivered'), 'the held conversation delivered');
  assert.deepEqual(applied, [b1.message.id, c1.message.id, a1.message.id, a2.message.id]);
});

it('messages of different conversations travel side by side, up to the concurrency; one conversation one at a time', async (t) => {
  const { fr, usRuntime } = await frAndUs(t, 'relay-concurrency');
  let inFlight = 0;
  let most = 0;
  const conversationsInFlight = new Map<string, number>();
  let mostOfOneConversation = 0;
  const applied: string[] = [];
  const conversationOf = new Map<string, string>();
  const transport: Transport = {
    async deliver(_peer, envelope) {
      const id = await idOf(fr, envelope);
      const c = conversationOf.get(id) ?? '';
      inFlight += 1;
      conversationsInFlight.set(c, (conversationsInFlight.get(c) ?? 0) + 1);
      most = Math.max(most, inFlight);
      mostOfOneConversation = Math.max(mostOfOneConversation, conversationsInFlight.get(c) ?? 0);
      try {
        // A slow peer: the others' deliveries overlap this one's when they run side by side.
        await new Promise((r) => setTimeout(r, 40));
        const answer = await usRuntime.receive(envelope);
        if (answer.outcome === 'accepted') applied.push(id);
        return { kind: 'answered', receipt: answer.receipt };
      } finally {
        inFlight -= 1;
        conversationsInFlight.set(c, (conversationsInFlight.get(c) ?? 1) - 1);
      }
    },
  };
  // The relay starts only once everything is queued, so that the first pass sees it all.
  const frRuntime = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity: await requireNodeIdentity(fr.db), remote: transport, relay: { concurrency: 3, pollMs: 100, autostart: false } });
  t.after(() => frRuntime.stop());
  const sent: Array<{ id: string; conversation: string }> = [];
  for (let i = 0; i < 12; i += 1) {
    // Conversation 0 gets every third message; the others one each.
    const c = conversation(i % 3 === 0 ? 0 : 100 + i);
    const { message } = await frRuntime.send(note(c, i));
    conversationOf.set(message.id, c);
    sent.push({ id: message.id, conversation: c });
  }
  while ((await frRuntime.relay.runOnce()) > 0);
  assert.equal(applied.length, 12, `delivered ${applied.length} of 12`);
  assert.equal(most, 3, 'three in flight at most, and three at some point');
  assert.equal(mostOfOneConversation, 1);
  const order = (c: string) => applied.filter((id) => conversationOf.get(id) === c);
  assert.deepEqual(order(conversation(0)), sent.filter((s) => s.conversation === conversation(0)).map((s) => s.id), 'one conversation in commit order');
});
