/**
 * Stopping the checkpointing (a node shutting down) does not wait for a witness that does not
 * answer: the checkpoint being submitted is abandoned at once and the peers' views are not asked
 * for. Before, stop() waited for the witness request's time limit (10 s), then for another 10 s
 * per view asked of that peer — minutes with a few silent peers — and so did SIGTERM.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { openDatabase, uuidv7 } from '../../src/db/index.js';
import { addPeer, exportNode } from '../../src/exchange/index.js';
import { createWitnessing, witnessPeers } from '../../src/exchange/witnessing.js';
import { appendLeaf, createLedger, memoryInProcess } from '../../src/ledger/index.js';
import { startCheckpointing } from '../../src/ledger/service.js';
import { WITNESS_TIMEOUT_MS } from '../../src/ledger/witness.js';
import { firstRequest, silentPeer } from '../exchange/federated.js';
import { createTestNode } from '../exchange/nodes.js';

it('stopping the checkpointing abandons a submission to a witness that does not answer, and asks for no views', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-witness-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The witness's endpoint: takes each request and never answers.
  const { url: silentUrl, received } = await silentPeer(t);
  const a = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'a.db') }));
  t.after(() => a.handle.close());
  const w = await createTestNode('us', await openDatabase({ kind: 'sqlite', file: join(dir, 'w.db') }), silentUrl);
  t.after(() => w.handle.close());
  // A trusts W as a witness (W's agreement names its log and witness key).
  await addPeer(a.db, JSON.stringify(await exportNode(w.db, w.keys, new Date(), 'comity.w.test/log')), a.nodeId, new Date());
  const ledger = createLedger(a.db, a.keys, { origin: 'comity.a.test/log', memory: memoryInProcess(), now: () => new Date(), newId: () => uuidv7(Date.now()), witnesses: async () => (await witnessPeers(a.db)).flatMap((p) => (p.witness ? [p.witness] : [])) });
  await a.db.transaction().execute((trx) => appendLeaf(trx, { log: 'test', id: 'one', digest: 'd'.repeat(64) }));
  const witnessing = createWitnessing(a.db, a.keys, a.nodeId, ledger, { now: () => new Date(), newId: () => uuidv7(Date.now()) });

  const errors: unknown[] = [];
  const outcomes: unknown[] = [];
  const checkpointing = startCheckpointing(ledger, 3600, (e) => errors.push(e), async (signal) => outcomes.push(await witnessing.afterPublish(signal)));
  t.after(() => checkpointing.stop());
  await firstRequest(received);
  assert.equal(received.length, 1, 'the checkpoint was not submitted to the witness');
  assert.equal(received[0]?.url, '/api/witness/add-checkpoint');

  const started = Date.now();
  await checkpointing.stop();
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < WITNESS_TIMEOUT_MS / 1000 / 2, `stop() took ${seconds.toFixed(1)} s: it waited for the witness's time limit`);
  assert.equal(received.length, 1, 'after the stop, no view was asked for');
  // The pass ended without an outcome for the witness it stopped waiting for (none is reported as unreachable).
  assert.deepEqual(outcomes, [{ submitted: [], compared: { compared: 0, forks: 0 } }]);
  assert.deepEqual(errors, []);
});
