/**
 * A retry is made when its backoff is over, not at the next poll: the relay sleeps until the
 * earliest retry it scheduled when that comes before the poll interval (relay.ts). Here the poll
 * interval is a minute and the backoff after the second failure 10–20 ms: the message refused
 * twice (peer down; the first retry is immediate) is delivered at its third attempt, seconds
 * before any poll — without the change it waited the minute.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { openDatabase } from '../../src/db/index.js';
import { requireNodeIdentity } from '../../src/exchange/index.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { backoffMs } from '../../src/exchange/relay.js';
import { createExchangeRuntime } from '../../src/exchange/runtime.js';
import type { Transport } from '../../src/exchange/transport.js';
import { createTestNode, frAndUs, trustEachOther } from './nodes.js';

it('a failed attempt is retried when its backoff ends, not at the next poll', async (t) => {
  const { fr, usRuntime } = await frAndUs(t, 'relay-retry');
  let attempts = 0;
  // The peer is down at the first attempt (surely not sent), then answers.
  const flaky: Transport = {
    async deliver(_peer, envelope) {
      attempts++;
      if (attempts <= 2) return { kind: 'not-sent', error: 'ECONNREFUSED' };
      return { kind: 'answered', receipt: (await usRuntime.receive(envelope)).receipt };
    },
  };
  const frRuntime = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity: await requireNodeIdentity(fr.db), remote: flaky, relay: { baseDelayMs: 20, maxDelayMs: 40, pollMs: 60_000 } });
  t.after(() => frRuntime.stop());
  const { message } = await frRuntime.send({ from: { authority: 'fr-ca' }, to: { authority: 'us-doj-oia' }, inReplyTo: null, conversation: '0190a000-0000-7000-8000-00000000a001', type: 'notice', instrument: null, action: 'note', emergency: false, body: {} });

  // Well within the minute of the poll interval (the retry is due after 20–40 ms).
  const until = Date.now() + 20_000;
  let state = '';
  while (Date.now() < until) {
    state = (await deliveriesOf(fr.db, { conversationId: message.conversation }))[0]?.state ?? '';
    if (state === 'delivered') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(state, 'delivered', 'the retry was not made when its backoff ended');
  assert.equal(attempts, 3);
});

/**
 * The first retry is immediate (a cut or refused connection is most often gone at once), the
 * next ones wait their backoff: here a base of a minute, so after two failures the message waits.
 */
it('the first retry is immediate, the second waits its backoff', async (t) => {
  const { fr } = await frAndUs(t, 'relay-first-retry');
  const failures: number[] = [];
  const down: Transport = {
    async deliver() {
      failures.push(Date.now());
      return { kind: 'unknown', error: 'socket hang up' };
    },
  };
  const frRuntime = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity: await requireNodeIdentity(fr.db), remote: down, relay: { baseDelayMs: 60_000, maxDelayMs: 120_000, pollMs: 60_000 } });
  t.after(() => frRuntime.stop());
  const { message } = await frRuntime.send({ from: { authority: 'fr-ca' }, to: { authority: 'us-doj-oia' }, inReplyTo: null, conversation: '0190a000-0000-7000-8000-00000000a002', type: 'notice', instrument: null, action: 'note', emergency: false, body: {} });
  const until = Date.now() + 20_000;
  while (failures.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  assert.equal(failures.length, 2, 'the first retry was not immediate');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(failures.length, 2, 'the second retry did not wait its backoff');
  const [delivery] = await deliveriesOf(fr.db, { conversationId: message.conversation });
  assert.equal(delivery?.state, 'outcome-unknown');
  assert.ok(Date.parse(delivery?.nextAttemptAt ?? '') - Date.now() >= 25_000, `next attempt at ${delivery?.nextAttemptAt}`);
});

it('backoffMs: none after the first failure, then base, 2 × base, … capped, half of it random', () => {
  assert.equal(backoffMs(0, 250, 300_000, () => 0.5), 0);
  assert.deepEqual([1, 2, 3].map((n) => backoffMs(n, 250, 300_000, () => 0)), [125, 250, 500]);
  assert.deepEqual([1, 2, 3].map((n) => backoffMs(n, 250, 300_000, () => 1)), [250, 500, 1000]);
  assert.equal(backoffMs(40, 250, 300_000, () => 1), 300_000);
});

/**
 * Steady local sending to one peer wakes every relay pass with that peer announced; a full pass
 * (every peer with pending messages) must still come within `pollMs`. Here another runtime on the
 * same database (as another process would) queues a message to a second peer while this node
 * keeps sending to the first: it is delivered while the sending goes on — without the full pass
 * it waited until the traffic stopped.
 */
it('a message to another peer, queued by another process, is not starved by steady sending to one peer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-relay-starve-'));
  const fr = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
  const us = await createTestNode('us', await openDatabase({ kind: 'sqlite', file: join(dir, 'us.db') }));
  const jp = await createTestNode('jp', await openDatabase({ kind: 'sqlite', file: join(dir, 'jp.db') }));
  for (const n of [fr, us, jp]) t.after(() => n.handle.close());
  await trustEachOther([fr, us, jp]);
  const receivers = new Map<string, ReturnType<typeof createExchangeRuntime>>();
  for (const n of [us, jp]) {
    const runtime = createExchangeRuntime({ db: n.db, keys: n.keys, identity: await requireNodeIdentity(n.db), relay: { autostart: false } });
    t.after(() => runtime.stop());
    receivers.set(n.nodeId, runtime);
  }
  const loopback: Transport = {
    async deliver(peer, envelope) {
      const receiver = receivers.get(peer.nodeId);
      if (!receiver) return { kind: 'not-sent', error: `no node ${peer.nodeId}` };
      return { kind: 'answered', receipt: (await receiver.receive(envelope)).receipt };
    },
  };
  const identity = await requireNodeIdentity(fr.db);
  const frRuntime = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity, remote: loopback, relay: { baseDelayMs: 20, maxDelayMs: 40, pollMs: 200 } });
  t.after(() => frRuntime.stop());
  // "Another process": a runtime on the same database whose relay does not run.
  const other = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity, remote: loopback, relay: { autostart: false } });
  t.after(() => other.stop());
  const note = (to: string, conversation: string) => ({ from: { authority: 'fr-ca' }, to: { authority: to }, inReplyTo: null, conversation, type: 'notice' as const, instrument: null, action: 'note', emergency: false, body: {} });

  // The traffic to the US starts, then the other process queues its message to Japan.
  const first = await frRuntime.send(note('us-doj-oia', '0190a000-0000-7000-8000-00000000b001'));
  const queued = await other.send(note('jp-247', '0190a000-0000-7000-8000-00000000b002'));
  let sent = 1;
  let jpState = '';
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    await frRuntime.send(note('us-doj-oia', first.message.conversation));
    sent += 1;
    jpState = (await deliveriesOf(fr.db, { conversationId: queued.message.conversation }))[0]?.state ?? '';
    if (jpState === 'delivered') break;
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.equal(jpState, 'delivered', `the message to Japan was still ${jpState || 'missing'} after ${sent} messages to the US`);
});
