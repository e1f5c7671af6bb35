/**
 * The gate on the real case path: France's node sends two Reg. 2023/1543 orders to the Irish
 * provider's node over HTTP through the case workflow — the case bridge adds the order's facts and
 * the tlog-proof from France's own log. The prosecutor's subscriber-data order is verified and its
 * case exists on the provider's node; the same prosecutor's content-data order, without a judge's
 * validation, is quarantined: no case, and the French side sees the signed rejection.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createCase, createCaseContext, getCase, transitionCase, type Actor } from '../../src/cases/index.js';
import { openDatabase, uuidv7 } from '../../src/db/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { createCaseFederation, createCaseMessageHandler } from '../../src/exchange/case-bridge.js';
import { requireNodeIdentity } from '../../src/exchange/index.js';
import { initNode } from '../../src/exchange/node.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { createExchangeRuntime, type ExchangeRuntime } from '../../src/exchange/runtime.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { createLedger, logOriginOf, memoryInProcess } from '../../src/ledger/index.js';
import { createProviderGate, createProviderRefusalHook } from '../../src/provider/gate.js';
import { createTestNode, trustEachOther } from '../exchange/nodes.js';
import { closeServer, serve } from '../exchange/federated.js';

const kb = loadKnowledgeBase();
const parquet: Actor = { id: 'prosecutor@fr', authorityId: 'fr-parquet-paris' };
const agent: Actor = { id: 'agent@ie', authorityId: 'ie-provider' };

async function settled(db: Parameters<typeof deliveriesOf>[0], caseId: string): Promise<string[]> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const deliveries = await deliveriesOf(db, { caseId });
    if (deliveries.length > 0 && deliveries.every((d) => d.state === 'delivered' || d.state === 'rejected')) return deliveries.map((d) => d.state);
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail('messages not settled');
}

it('orders through the case workflow: verified and answerable, or quarantined with no case', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-provider-journey-'));
  const frNode = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
  const ieNode = await createTestNode('ie', await openDatabase({ kind: 'sqlite', file: join(dir, 'ie.db') }));
  t.after(async () => {
    await frNode.handle.close();
    await ieNode.handle.close();
  });
  const frCases = createCaseContext(frNode.db, kb);
  const ieCases = createCaseContext(ieNode.db, kb);
  const ledger = createLedger(frNode.db, frNode.keys, { origin: await logOriginOf(frNode.db, process.env), memory: memoryInProcess(), now: () => new Date(), newId: () => uuidv7(Date.now()) });
  const relay = { baseDelayMs: 10, maxDelayMs: 100, pollMs: 200 };
  const frRuntime = createExchangeRuntime({ db: frNode.db, keys: frNode.keys, identity: await requireNodeIdentity(frNode.db), handler: createCaseMessageHandler(frCases), relay });
  frCases.federation = createCaseFederation(frRuntime, { orderLog: { db: frNode.db, proofOf: (id) => ledger.proofOf(id) } });
  const holder: { runtime?: ExchangeRuntime } = {};
  const gateDeps = { kb, trust: () => (holder.runtime as ExchangeRuntime).trust() };
  const ieRuntime = createExchangeRuntime({ db: ieNode.db, keys: ieNode.keys, identity: await requireNodeIdentity(ieNode.db), handler: createProviderGate(createCaseMessageHandler(ieCases), gateDeps), onRefusal: createProviderRefusalHook(gateDeps), relay });
  holder.runtime = ieRuntime;
  ieCases.federation = createCaseFederation(ieRuntime);
  const frServer = await serve(() => frRuntime);
  const ieServer = await serve(() => ieRuntime);
  t.after(async () => {
    await frRuntime.stop();
    await ieRuntime.stop();
    await closeServer(frServer);
    await closeServer(ieServer);
  });
  const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await initNode(frNode.db, frNode.keys, { nodeId: frNode.nodeId, endpoint: url(frServer), hosted: ['fr-ca', 'fr-parquet-paris'] }, new Date());
  await initNode(ieNode.db, ieNode.keys, { nodeId: ieNode.nodeId, endpoint: url(ieServer), hosted: ['ie-provider'] }, new Date());
  await trustEachOther([frNode, ieNode]);
  frRuntime.invalidateTrust();
  ieRuntime.invalidateTrust();

  const order = (measures: string[], ref: string, basis = 'EU-2023-1543:5(3)') =>
    preservationRequestFrToUs({ requestingAuthority: 'fr-parquet-paris', addressee: 'ie-provider', measures: measures as never, legalBasis: basis, offences: [{ category: 'computer-related-fraud', nationalProvision: 'Code pénal, art. 323-3', maxPenaltyYears: 5 }], references: { requesting: ref }, contents: {} });

  const subscriber = await createCase(frCases, parquet, order(['subscriber-info'], 'PARQUET-2026-1'));
  await transitionCase(frCases, parquet, subscriber.id, 'approve', { review: DEMO_REVIEW });
  await transitionCase(frCases, parquet, subscriber.id, 'send');
  assert.deepEqual(await settled(frNode.db, subscriber.id), ['delivered']);
  const verified = await ieNode.db.selectFrom('provider_orders').selectAll().where('conversation_id', '=', subscriber.id).executeTakeFirstOrThrow();
  assert.equal(verified.status, 'verified', verified.reasons);
  assert.equal(JSON.parse(verified.checks).log.status, 'pass');
  // Answerable: the provider's record of the case exists and moves on.
  await transitionCase(ieCases, agent, subscriber.id, 'receive');
  assert.equal((await getCase(ieCases, agent, subscriber.id)).state, 'received');

  const content = await createCase(frCases, parquet, order(['content-data'], 'PARQUET-2026-2', 'EU-2023-1543:5(4)'));
  await transitionCase(frCases, parquet, content.id, 'approve', { review: DEMO_REVIEW });
  await transitionCase(frCases, parquet, content.id, 'send');
  assert.deepEqual(await settled(frNode.db, content.id), ['rejected']);
  const quarantined = await ieNode.db.selectFrom('provider_orders').selectAll().where('conversation_id', '=', content.id).executeTakeFirstOrThrow();
  assert.equal(quarantined.status, 'quarantined');
  assert.deepEqual(JSON.parse(quarantined.reasons), ['order-validation-missing']);
  await assert.rejects(getCase(ieCases, agent, content.id), 'no case to answer on the provider node');
});
