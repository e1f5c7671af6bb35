/**
 * Stopping the relay (a node shutting down) does not wait for a slow peer: the attempt in flight
 * is aborted at once and recorded as outcome unknown — the next relay sends it again and the peer,
 * had it applied it, answers the repeat with its original receipt. Before, stop() waited for the
 * HTTP transport's timeout (10 s by default; a minute here), and so did SIGTERM.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { openDatabase } from '../../src/db/index.js';
import { requireNodeIdentity } from '../../src/exchange/index.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { createExchangeRuntime } from '../../src/exchange/runtime.js';
import { createHttpTransport } from '../../src/exchange/transport.js';
import { firstRequest, silentPeer } from './federated.js';
import { createTestNode, trustEachOther } from './nodes.js';

it('stopping the relay aborts a delivery waiting for a peer that does not answer; the message stays to send, outcome unknown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-relay-stop-'));
  // The peer's endpoint: takes the request and never answers.
  const { url: silentUrl, received } = await silentPeer(t);
  const fr = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
  const us = await createTestNode('us', await openDatabase({ kind: 'sqlite', file: join(dir, 'us.db') }), silentUrl);
  t.after(() => us.handle.close());
  await trustEachOther([fr, us]);
  const frRuntime = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity: await requireNodeIdentity(fr.db), remote: createHttpTransport({ timeoutMs: 60_000 }), relay: { pollMs: 60_000 } });
  // Also when an assertion fails before the stop below (a second stop() returns at once).
  t.after(async () => {
    await frRuntime.stop();
    await fr.handle.close();
  });
  const { message } = await frRuntime.send({ from: { authority: 'fr-ca' }, to: { authority: 'us-doj-oia' }, inReplyTo: null, conversation: '0190a000-0000-7000-8000-00000000a051', type: 'notice', instrument: null, action: 'note', emergency: false, body: {} });
  await firstRequest(received);
  assert.equal(received.length, 1, 'the delivery did not reach the peer');

  const started = Date.now();
  await frRuntime.stop();
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 10, `stop() took ${seconds.toFixed(1)} s: it waited for the transport's timeout`);
  const [delivery] = await deliveriesOf(fr.db, { conversationId: message.conversation });
  assert.equal(delivery?.state, 'outcome-unknown');
  assert.match(delivery?.lastError ?? '', /the relay stopped while waiting for the answer/);
});
