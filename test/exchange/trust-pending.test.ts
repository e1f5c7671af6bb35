/**
 * Trust between nodes is set up asynchronously: each node imports the other's agreement when its
 * operator or the peer-folder scan does. A message that arrives before the receiver knows its
 * sender must not be refused for good. The US node runs the real server (`startServer`, its
 * `POST /api/exchange/messages` route); the French node is a test node whose relay delivers over
 * HTTP. Until the US node imports the French agreement it answers 503 `trust-pending` with
 * `Retry-After`, records the refusal once, and the French delivery stays queued; once the
 * agreement is in its peer folder, the same envelope is examined afresh and applied, once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { freePort } from '../../bench/exchange-cluster.js';
import { createCase, transitionCase, type Actor } from '../../src/cases/index.js';
import { openDatabase, resolveDbConfig } from '../../src/db/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { addPeer, exportNode } from '../../src/exchange/index.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { EXCHANGE_MEDIA_TYPE } from '../../src/exchange/transport.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { federatedNode } from './federated.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-trust-pending-'));
let server: RunningServer | null = null;
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    assert.ok(Date.now() < until, `timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('a message from a node the receiver does not know yet is deferred (503 trust-pending), then applied once the agreement is imported', { timeout: 120_000 }, async (t) => {
  const peers = join(dir, 'us-peers');
  mkdirSync(peers, { mode: 0o700 });
  const usData = join(dir, 'us');
  const port = await freePort();
  server = await startServer(
    { COMITY_DATA_DIR: usData, COMITY_PORT: String(port), COMITY_NODE_ENDPOINT: `http://127.0.0.1:${port}`, COMITY_HOST: '127.0.0.1', COMITY_DEMO: 'true', COMITY_LOG_LEVEL: 'silent', COMITY_NODE_ID: 'US:oia.justice.gov', COMITY_NODE_HOST: 'us-doj-oia', COMITY_PEER_DIR: peers },
    { print: () => undefined, logger: false },
  );
  const usUrl = server.url;

  // France knows the US node (it imported the US agreement); the US node does not know France.
  const frSide = await federatedNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }), t);
  const frNode = frSide.node;
  await addPeer(frNode.db, await (await fetch(`${usUrl}/api/exchange/agreement`)).text(), frNode.nodeId, new Date());
  frSide.runtime.invalidateTrust();

  const officer: Actor = { id: 'officer@fr', authorityId: 'fr-ca' };
  const created = await createCase(frSide.cases, officer, preservationRequestFrToUs({ references: { requesting: 'TRUST-PENDING-1' } }));
  await transitionCase(frSide.cases, officer, created.id, 'approve', { review: DEMO_REVIEW });
  await transitionCase(frSide.cases, officer, created.id, 'send');

  // The relay tries, is told to retry, and keeps the message queued (not rejected, not unknown).
  const pending = await eventually(
    () => deliveriesOf(frNode.db, { caseId: created.id }),
    (d) => d.length === 1 && d[0]!.attempts >= 3,
    'several attempts at the US node',
  );
  assert.equal(pending[0]!.state, 'queued');
  assert.match(pending[0]!.lastError ?? '', /trust-pending/);

  // The route's answer itself: 503 problem+json, code trust-pending, Retry-After; nothing applied.
  const envelope = (await frNode.db.selectFrom('exchange_outbox').select('envelope').where('message_id', '=', pending[0]!.messageId).executeTakeFirstOrThrow()).envelope;
  const answer = await fetch(`${usUrl}/api/exchange/messages`, { method: 'POST', headers: { 'content-type': EXCHANGE_MEDIA_TYPE }, body: envelope });
  assert.equal(answer.status, 503);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(answer.headers.get('retry-after'), '5');
  const problem = (await answer.json()) as { code: string; detail: string };
  assert.equal(problem.code, 'trust-pending');

  // Recorded once for the operator, however often the sender retried; no inbox row, no case.
  const us = await openDatabase(resolveDbConfig({ COMITY_DATA_DIR: usData }));
  t.after(() => us.close());
  const refusals = await us.db.selectFrom('exchange_refusals').select(['code', 'receipt', 'claimed_sender']).execute();
  assert.deepEqual(refusals, [{ code: 'unknown-sender', receipt: '', claimed_sender: 'FR:justice.gouv.fr' }]);
  assert.equal((await us.db.selectFrom('exchange_inbox').select('message_id').execute()).length, 0);

  // The French agreement reaches the US node's peer folder: at its next scan the same bytes are accepted.
  writeFileSync(join(peers, 'fr.json'), JSON.stringify(await exportNode(frNode.db, frNode.keys, new Date())), { mode: 0o600 });
  const delivered = await eventually(() => deliveriesOf(frNode.db, { caseId: created.id }), (d) => d[0]?.state === 'delivered', 'delivery once the US node trusts France');
  assert.equal(delivered[0]!.lastError, null);
  const inbox = await us.db.selectFrom('exchange_inbox').select(['message_id', 'outcome']).execute();
  assert.deepEqual(inbox, [{ message_id: pending[0]!.messageId, outcome: 'accepted' }]);
  const incoming = await us.db.selectFrom('cases').select(['id', 'state', 'requesting_authority_id']).where('id', '=', created.id).executeTakeFirstOrThrow();
  assert.deepEqual(incoming, { id: created.id, state: 'sent', requesting_authority_id: 'fr-ca' });
  // The deferral stays on record (no final receipt was ever given for it).
  assert.equal((await us.db.selectFrom('exchange_refusals').select('id').execute()).length, 1);
});
