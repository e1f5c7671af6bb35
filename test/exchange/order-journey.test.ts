/**
 * Orders under Reg. 2023/1543 between three nodes over real HTTP on loopback: the French judge's
 * node (SQLite), the Irish legal representative of a US provider (every engine) and the Irish
 * enforcing authority (SQLite). Each node keeps its own record of the order under one id and
 * applies every step through the same state machine (src/eorders); the order passes the
 * provider's gate first; the clocks start at the `receivedAt` of the receiving node's signed
 * receipt — on the receiving node when it signs it, on the issuing node when it comes back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createCaseContext, type Actor, type CaseContext } from '../../src/cases/index.js';
import { openDatabase, uuidv7 } from '../../src/db/index.js';
import { createOrder, createProvider, getOrder, orderEvent, sweepOrders } from '../../src/eorders/index.js';
import { peerOrderOf, peerTransferOf } from '../../src/eorders/peer.js';
import { OrderError } from '../../src/eorders/errors.js';
import { createCaseMessageHandler } from '../../src/exchange/case-bridge.js';
import { requireNodeIdentity } from '../../src/exchange/index.js';
import { initNode } from '../../src/exchange/node.js';
import { createOrderFederation, createOrderMessageHandler, createOrderReceiptListener, routeOrderMessages } from '../../src/exchange/order-bridge.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { createExchangeRuntime, type ExchangeRuntime } from '../../src/exchange/runtime.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { createLedger, logOriginOf, memoryInProcess } from '../../src/ledger/index.js';
import { createProviderGate, createProviderRefusalHook } from '../../src/provider/gate.js';
import { forEachDatabase } from '../db/dialects.js';
import { createTestNode, trustEachOther, type TestNode } from './nodes.js';
import { closeServer, serve, testClock, type TestClock } from './federated.js';
import { epocCertificate } from '../eorders/certificate.js';

const kb = loadKnowledgeBase();
const judge: Actor = { id: 'juge@fr', authorityId: 'fr-tj-paris' };
const agent: Actor = { id: 'agent@ie', authorityId: 'ie-provider' };
const enforcer: Actor = { id: 'lawyer@ie', authorityId: 'ie-enforcing' };
const relay = { baseDelayMs: 10, maxDelayMs: 100, pollMs: 100 };

const certificate = epocCertificate;

interface Side {
  node: TestNode;
  cases: CaseContext;
  runtime: ExchangeRuntime;
  errors: unknown[];
  /** While closed, the node answers every message 503 trust-pending without reading it (the sender keeps it queued). */
  door: { open: boolean };
}

/**
 * The nodes trust each other (each imports the others' agreements). The node hosting the
 * provider's legal representative registers the demo provider first: the others learn it from
 * that node's agreement, as a drafter's node does in a deployment.
 */
async function connect(fr: Side, ...others: Side[]): Promise<void> {
  const sides = [fr, ...others];
  for (const s of sides) {
    if (!(await requireNodeIdentity(s.node.db)).hosted.includes('ie-provider')) continue;
    await createProvider(s.cases, { id: 'admin', authorityId: null }, { id: 'example-mail', name: 'Example Mail Inc.', establishedIn: 'US', representative: 'ie-provider', representativeKind: 'legal-representative' });
  }
  await trustEachOther(sides.map((s) => s.node));
  for (const s of sides) s.runtime.invalidateTrust();
}

/** A node whose handler routes order messages to the order state machine (behind the provider's gate when it hosts a provider). */
async function side(node: TestNode, hosted: string[], gate: boolean, t: { after(fn: () => Promise<void>): void }, clock?: TestClock): Promise<Side> {
  const now = clock?.now ?? (() => new Date());
  const cases = createCaseContext(node.db, kb, { now });
  const door = { open: true };
  const errors: unknown[] = [];
  const holder: { runtime?: ExchangeRuntime } = {};
  const deps = { kb, trust: () => (holder.runtime as ExchangeRuntime).trust() };
  const inner = routeOrderMessages(createOrderMessageHandler(cases), createCaseMessageHandler(cases));
  // The endpoint is known once the server listens; the identity (hosted authorities) before the runtime starts.
  const server = await serve({ receive: (envelope) => (door.open ? (holder.runtime as ExchangeRuntime).receive(envelope) : Promise.resolve({ outcome: 'deferred' as const, receipt: '' })) });
  await initNode(node.db, node.keys, { nodeId: node.nodeId, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hosted }, now());
  const runtime = createExchangeRuntime({
    db: node.db,
    keys: node.keys,
    identity: await requireNodeIdentity(node.db),
    handler: gate ? createProviderGate(inner, deps) : inner,
    ...(gate ? { onRefusal: createProviderRefusalHook(deps) } : {}),
    relay: { ...relay, onSettled: createOrderReceiptListener(cases, () => (holder.runtime as ExchangeRuntime).trust(), (e) => errors.push(e)) },
    now,
  });
  holder.runtime = runtime;
  const ledger = createLedger(node.db, node.keys, { origin: await logOriginOf(node.db, process.env), memory: memoryInProcess(), now, newId: () => uuidv7(now().getTime()) });
  cases.orderFederation = createOrderFederation(cases, runtime, { orderLog: { db: node.db, proofOf: (id) => ledger.proofOf(id) } });
  t.after(async () => {
    await runtime.stop();
    await closeServer(server);
  });
  return { node, cases, runtime, errors, door };
}

/** Waits until every message of the order has its final receipt on `from`, and `check` holds. */
async function until<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  let last: T = await probe();
  while (!check(last)) {
    if (Date.now() > deadline) assert.fail(`${what}: not reached (last: ${JSON.stringify(last).slice(0, 400)})`);
    await new Promise((r) => setTimeout(r, 25));
    last = await probe();
  }
  return last;
}

async function settled(s: Side, orderId: string): Promise<string[]> {
  return (
    await until(
      `messages of ${orderId} from ${s.node.nodeId}`,
      () => deliveriesOf(s.node.db, { conversationId: orderId }),
      (d) => d.every((m) => m.state === 'delivered' || m.state === 'rejected'),
    )
  ).map((m) => m.state);
}

async function inboxTime(s: Side, orderId: string, action: string): Promise<string> {
  const rows = await s.node.db.selectFrom('exchange_inbox').select(['payload', 'received_at', 'outcome']).where('conversation_id', '=', orderId).execute();
  const row = rows.find((r) => (JSON.parse(r.payload) as { action: string }).action === action && r.outcome === 'accepted');
  assert.ok(row, `no accepted ${action} in the inbox of ${s.node.nodeId}`);
  return row.received_at;
}


forEachDatabase('Reg. 2023/1543 orders between nodes', (target) => {
  it('issuing, provider and enforcing nodes: one order, three records, clocks from the delivery receipts', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-orders-'));
    const frNode = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
    const ieNode = await createTestNode('ie', await target.create(t));
    const ieeNode = await createTestNode('iee', await openDatabase({ kind: 'sqlite', file: join(dir, 'iee.db') }));
    t.after(async () => {
      await frNode.handle.close();
      await ieeNode.handle.close();
    });
    const fr = await side(frNode, ['fr-ca', 'fr-tj-paris'], false, t);
    const ie = await side(ieNode, ['ie-provider'], true, t);
    const iee = await side(ieeNode, ['ie-enforcing'], false, t);
    await connect(fr, ie, iee);

    // 1. Transmission: the content-data EPOC goes to the provider's node and, notified (Art. 8(1)), to the enforcing authority's.
    const drafted = await createOrder(fr.cases, judge, { issuingAuthority: 'fr-tj-paris', certificate: certificate() });
    await orderEvent(fr.cases, judge, drafted.id, 'approve');
    const sent = await orderEvent(fr.cases, judge, drafted.id, 'send');
    assert.equal(sent.state, 'sent', 'on the issuing node the order is sent, not yet delivered: no click starts a clock');
    assert.deepEqual(sent.clocks, []);
    assert.deepEqual(await settled(fr, drafted.id), ['delivered', 'delivered']);
    const providerReceipt = await inboxTime(ie, drafted.id, 'send');
    const enforcingReceipt = await inboxTime(iee, drafted.id, 'send');

    // The gate verified it (signature, Art. 4 against the agreement, issuing log, replay).
    const gated = await ie.node.db.selectFrom('provider_orders').selectAll().where('conversation_id', '=', drafted.id).executeTakeFirstOrThrow();
    assert.equal(gated.status, 'verified', gated.reasons);
    assert.equal(JSON.parse(gated.checks).log.status, 'pass');

    // The provider's node: delivered at its own receipt's time; the 10 days and the suspensive effect run from it.
    const atProvider = await getOrder(ie.cases, agent, drafted.id);
    assert.equal(atProvider.state, 'delivered');
    assert.equal(atProvider.deliveredAt, providerReceipt);
    assert.equal(atProvider.clocks.find((c) => c.clock === 'production')?.startedAt, providerReceipt);
    assert.ok(atProvider.actions.includes('acknowledge'));
    // The enforcing authority's node: its 10 days (Art. 12(1)) from its own receipt.
    const atEnforcing = await getOrder(iee.cases, enforcer, drafted.id);
    assert.deepEqual(atEnforcing.yourParties, ['enforcing']);
    assert.equal(atEnforcing.enforcing?.status, 'notified');
    assert.equal(atEnforcing.clocks.find((c) => c.clock === 'enforcing-review')?.startedAt, enforcingReceipt);
    assert.ok(atEnforcing.actions.includes('confirm-no-ground'));
    // The issuing node: each party's delivery at the receipt that party's node signed.
    const delivered = await until('delivery on the issuing node', () => getOrder(fr.cases, judge, drafted.id), (o) => o.state === 'delivered' && o.enforcing?.notifiedAt !== null);
    assert.equal(delivered.deliveredAt, providerReceipt);
    assert.equal(delivered.enforcing?.notifiedAt, enforcingReceipt);
    const review = delivered.clocks.find((c) => c.clock === 'enforcing-review');
    assert.equal(review?.startedAt, enforcingReceipt);
    assert.equal(delivered.clocks.find((c) => c.clock === 'production')?.startedAt, providerReceipt);
    assert.equal(delivered.transmitNotBefore, review?.dueAt);
    // Which node each party is on, from the trust list.
    assert.deepEqual([delivered.issuingAuthority.node?.id, delivered.issuingAuthority.node?.self], [fr.node.nodeId, true]);
    assert.deepEqual([delivered.addressee.node?.id, delivered.addressee.node?.self], [ie.node.nodeId, false]);
    assert.deepEqual([delivered.enforcing?.node?.id, delivered.enforcing?.node?.self], [iee.node.nodeId, false]);
    assert.deepEqual([atProvider.issuingAuthority.node?.id, atProvider.enforcing?.node?.id, atProvider.addressee.node?.self], [fr.node.nodeId, iee.node.nodeId, true]);

    // 2. Acknowledgement, then production held back by the enforcing authority's period (Art. 8(4), 10(2)).
    await orderEvent(ie.cases, agent, drafted.id, 'acknowledge');
    await assert.rejects(orderEvent(ie.cases, agent, drafted.id, 'produce', { form: { items: [{ description: 'Mailbox export (MBOX)', category: 'content-data', sha256: 'a'.repeat(64) }] } }), (e: unknown) => e instanceof OrderError && e.code === 'order-suspended');
    assert.deepEqual(await settled(ie, drafted.id), ['delivered', 'delivered']);
    assert.equal((await until('acknowledged on FR', () => getOrder(fr.cases, judge, drafted.id), (o) => o.state === 'acknowledged')).state, 'acknowledged');
    assert.equal((await getOrder(iee.cases, enforcer, drafted.id)).state, 'acknowledged');

    // 3. The enforcing authority confirms early that it raises no ground (Art. 10(2)): both other nodes learn it.
    await orderEvent(iee.cases, enforcer, drafted.id, 'confirm-no-ground');
    await settled(iee, drafted.id);
    assert.equal((await getOrder(ie.cases, agent, drafted.id)).enforcing?.status, 'no-ground');
    assert.equal((await getOrder(fr.cases, judge, drafted.id)).enforcing?.status, 'no-ground');

    // 4. Production: the issuing node gets the items; the enforcing node the fact only (Art. 8).
    const items = [{ description: 'Mailbox export of attacker@mail.demo.invalid (MBOX)', category: 'content-data', sha256: 'b'.repeat(64), size: 2048 }];
    const produced = await orderEvent(ie.cases, agent, drafted.id, 'produce', { form: { items } });
    assert.equal(produced.clocks.find((c) => c.clock === 'production')?.status, 'met');
    await settled(ie, drafted.id);
    const atFr = await getOrder(fr.cases, judge, drafted.id);
    assert.equal(atFr.state, 'produced');
    const production = atFr.events.find((e) => e.event === 'produce');
    assert.deepEqual((production?.payload as { items: unknown }).items, items);
    assert.equal(production?.at, await inboxTime(fr, drafted.id, 'produce'), 'recorded at the receipt time');
    assert.equal(atFr.clocks.find((c) => c.clock === 'production')?.status, 'met');
    const enforcingView = await getOrder(iee.cases, enforcer, drafted.id);
    assert.equal(enforcingView.state, 'produced');
    assert.equal(
      (await iee.node.db.selectFrom('exchange_inbox').select('payload').where('conversation_id', '=', drafted.id).execute()).some((r) => r.payload.includes('b'.repeat(64))),
      false,
      'the data produced are not described to the enforcing authority',
    );

    // 5. The issuing authority closes: every record is closed, with the same history of steps.
    await orderEvent(fr.cases, judge, drafted.id, 'close');
    await settled(fr, drafted.id);
    assert.equal((await getOrder(ie.cases, agent, drafted.id)).state, 'closed');
    assert.equal((await getOrder(iee.cases, enforcer, drafted.id)).state, 'closed');
    const steps = async (s: Side, actor: Actor) => (await getOrder(s.cases, actor, drafted.id)).events.map((e) => e.event).filter((e) => e !== 'create' && e !== 'approve' && e !== 'deliver');
    const frSteps = await steps(fr, judge);
    assert.deepEqual(frSteps, ['send', 'acknowledge', 'confirm-no-ground', 'produce', 'close']);
    assert.deepEqual(await steps(ie, agent), frSteps);
    assert.deepEqual(await steps(iee, enforcer), frSteps.filter((e) => e !== 'produce'), 'the enforcing authority is not shown the production (as on one node)');
    assert.deepEqual([...fr.errors, ...ie.errors, ...iee.errors], []);
  });

  it('Annex III and the Art. 17 objection travel back; a withdrawal travels out; a certificate that claims a kind its agreement denies is refused; a node hosting the provider and the enforcing authority gets one message', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-orders-'));
    const frNode = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
    const ieNode = await createTestNode('ie', await target.create(t));
    t.after(() => frNode.handle.close());
    const fr = await side(frNode, ['fr-ca', 'fr-tj-paris'], false, t);
    // Ireland's node hosts the provider's representative and the enforcing authority.
    const ie = await side(ieNode, ['ie-provider', 'ie-enforcing'], true, t);
    await connect(fr, ie);
    // Subscriber data: no enforcing authority is notified (Art. 8(1)).
    const issue = async (identifier: string) => {
      const o = await createOrder(fr.cases, judge, { issuingAuthority: 'fr-tj-paris', certificate: certificate({ categories: ['subscriber-data'], identifiers: [{ type: 'email', value: identifier }] }) });
      await orderEvent(fr.cases, judge, o.id, 'approve');
      await orderEvent(fr.cases, judge, o.id, 'send');
      assert.deepEqual(await settled(fr, o.id), ['delivered']);
      await until('delivered on FR', () => getOrder(fr.cases, judge, o.id), (x) => x.state === 'delivered');
      return o.id;
    };

    const gone = await issue('gone@mail.demo.invalid');
    const annexIII = { reason: 'data-not-stored', details: 'The account was deleted by its user on 2 October 2026; no backup remains after 30 days.', dataPreserved: false };
    await orderEvent(ie.cases, agent, gone, 'report-impossibility', { form: annexIII });
    await settled(ie, gone);
    const impossible = await getOrder(fr.cases, judge, gone);
    assert.equal(impossible.state, 'impossible');
    assert.deepEqual(impossible.events.find((e) => e.event === 'report-impossibility')?.payload, annexIII);
    assert.ok(impossible.actions.includes('close'));

    const conflicted = await issue('us-person@mail.demo.invalid');
    const objection = { thirdCountry: 'US', law: '18 U.S.C. § 2702 (Stored Communications Act)', applicability: 'The account holder is a US person; the data are stored in the United States.', conflict: 'Disclosure of content to a foreign government is prohibited absent an exception.' };
    await orderEvent(ie.cases, agent, conflicted, 'object', { form: objection });
    await settled(ie, conflicted);
    assert.equal((await getOrder(fr.cases, judge, conflicted)).state, 'objected');

    const withdrawn = await issue('mistake@mail.demo.invalid');
    await orderEvent(fr.cases, judge, withdrawn, 'withdraw', { reason: 'The identifier was mistyped in the certificate.' });
    await settled(fr, withdrawn);
    const atProvider = await getOrder(ie.cases, agent, withdrawn);
    assert.equal(atProvider.state, 'withdrawn');
    assert.deepEqual(atProvider.actions, []);

    // A peer's event from an authority that does not play its party is refused, signed, and changes nothing.
    const other = await issue('other@mail.demo.invalid');
    const forged = await ie.runtime.send({ from: { authority: 'ie-provider' }, to: { authority: 'fr-tj-paris' }, inReplyTo: null, conversation: other, type: 'closing', instrument: 'EU-2023-1543', action: 'close', emergency: false, body: { eorder: { v: 1, event: 'close', input: {} } } });
    await settled(ie, other);
    assert.equal((await ie.node.db.selectFrom('exchange_outbox').select('state').where('message_id', '=', forged.message.id).executeTakeFirstOrThrow()).state, 'rejected');
    assert.equal((await getOrder(fr.cases, judge, other)).state, 'delivered');

    // Art. 4 on the provider's node: the certificate claims "judge", the French agreement says investigating judge.
    const claimed = await createOrder(fr.cases, judge, { issuingAuthority: 'fr-tj-paris', certificate: certificate({ categories: ['subscriber-data'], identifiers: [{ type: 'email', value: 'claimed@mail.demo.invalid' }] }) });
    await orderEvent(fr.cases, judge, claimed.id, 'approve');
    const cert = certificate({ categories: ['subscriber-data'], identifiers: [{ type: 'email', value: 'claimed@mail.demo.invalid' }], issuer: { kind: 'judge', name: 'Tribunal judiciaire de Paris', fileReference: 'JI-CYBER-2026-0042' }, language: 'en' });
    await frNode.db.updateTable('eorders').set({ certificate: JSON.stringify(cert) }).where('id', '=', claimed.id).execute();
    await orderEvent(fr.cases, judge, claimed.id, 'send');
    assert.deepEqual(await settled(fr, claimed.id), ['rejected']);
    const refused = await until('refusal recorded on FR', () => getOrder(fr.cases, judge, claimed.id), (o) => o.events.some((e) => e.event === 'delivery-refused'));
    assert.equal(refused.state, 'sent');
    assert.match(refused.events.find((e) => e.event === 'delivery-refused')?.reason ?? '', /order-issuer-not-competent.*cannot act as a judge/);
    await assert.rejects(getOrder(ie.cases, agent, claimed.id), 'no order on the provider node');

    // Content data: the provider and the notified enforcing authority share the Irish node — one
    // message, both delivered at its receipt, on both nodes.
    const shared = await createOrder(fr.cases, judge, { issuingAuthority: 'fr-tj-paris', certificate: certificate({ identifiers: [{ type: 'email', value: 'shared@mail.demo.invalid' }] }) });
    await orderEvent(fr.cases, judge, shared.id, 'approve');
    await orderEvent(fr.cases, judge, shared.id, 'send');
    assert.deepEqual(await settled(fr, shared.id), ['delivered']);
    const receipt = await inboxTime(ie, shared.id, 'send');
    const atFr = await until('delivered and notified on FR', () => getOrder(fr.cases, judge, shared.id), (o) => o.state === 'delivered');
    assert.equal(atFr.deliveredAt, receipt);
    assert.equal(atFr.enforcing?.notifiedAt, receipt);
    assert.equal(atFr.enforcing?.status, 'notified');
    const seenByEnforcing = await getOrder(ie.cases, enforcer, shared.id);
    assert.deepEqual(seenByEnforcing.yourParties, ['enforcing']);
    assert.equal(seenByEnforcing.clocks.find((c) => c.clock === 'enforcing-review')?.startedAt, receipt);
    await orderEvent(ie.cases, enforcer, shared.id, 'confirm-no-ground');
    await orderEvent(ie.cases, agent, shared.id, 'produce', { form: { items: [{ description: 'Mailbox export (MBOX)', category: 'content-data', sha256: 'c'.repeat(64) }] } });
    assert.deepEqual(await settled(ie, shared.id), ['delivered', 'delivered']);
    const done = await getOrder(fr.cases, judge, shared.id);
    assert.equal(done.enforcing?.status, 'no-ground');
    assert.equal(done.state, 'produced');
    assert.deepEqual([...fr.errors, ...ie.errors], []);
  });

  it('Art. 16 across nodes: a subscriber-data EPOC the enforcing node never received travels with the enforcement, checked there and enforced through the same state machine from its receipt', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-orders-'));
    const frNode = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
    const ieNode = await createTestNode('ie', await openDatabase({ kind: 'sqlite', file: join(dir, 'ie.db') }));
    const ieeNode = await createTestNode('iee', await target.create(t));
    t.after(async () => {
      await frNode.handle.close();
      await ieNode.handle.close();
    });
    const fr = await side(frNode, ['fr-ca', 'fr-tj-paris'], false, t);
    const ie = await side(ieNode, ['ie-provider'], true, t);
    const iee = await side(ieeNode, ['ie-enforcing'], false, t);
    await connect(fr, ie, iee);
    const issue = async (identifier: string) => {
      const o = await createOrder(fr.cases, judge, { issuingAuthority: 'fr-tj-paris', certificate: certificate({ categories: ['subscriber-data'], identifiers: [{ type: 'email', value: identifier }] }) });
      await orderEvent(fr.cases, judge, o.id, 'approve');
      await orderEvent(fr.cases, judge, o.id, 'send');
      assert.deepEqual(await settled(fr, o.id), ['delivered'], 'subscriber data: to the provider only (no Art. 8 notification)');
      await until('delivered on FR', () => getOrder(fr.cases, judge, o.id), (x) => x.state === 'delivered');
      return o.id;
    };

    // The provider reports that it cannot comply (Annex III); the issuing authority does not accept it.
    const id = await issue('enforced@mail.demo.invalid');
    await assert.rejects(getOrder(iee.cases, enforcer, id), (e: unknown) => e instanceof OrderError && e.code === 'not-found', 'the enforcing node never received the order');
    const annexIII = { reason: 'insufficient-information', details: 'The certificate does not say which of two accounts with this address is meant.', dataPreserved: true };
    await orderEvent(ie.cases, agent, id, 'report-impossibility', { form: annexIII });
    await settled(ie, id);
    await until('impossible on FR', () => getOrder(fr.cases, judge, id), (o) => o.state === 'impossible');
    const deliveredAtFr = (await getOrder(fr.cases, judge, id)).deliveredAt;

    // Art. 16(1): the issuing authority transfers the order to the Irish enforcing authority.
    const started = await orderEvent(fr.cases, judge, id, 'start-enforcement', { reason: 'Only one account uses this address: the order is complete.' });
    assert.equal(started.state, 'enforcement');
    assert.ok((await settled(fr, id)).every((state) => state === 'delivered'), 'the enforcement reached the provider’s and the enforcing authority’s nodes');
    const receipt = await inboxTime(iee, id, 'start-enforcement');
    const atEnforcing = await getOrder(iee.cases, enforcer, id);
    assert.equal(atEnforcing.state, 'enforcement');
    assert.deepEqual(atEnforcing.yourParties, ['enforcing']);
    assert.equal(atEnforcing.enforcing?.notifiedAt, receipt, 'the enforcing authority has the order from its own receipt');
    assert.equal(atEnforcing.deliveredAt, deliveredAtFr, 'the addressee’s delivery as the issuing node recorded it');
    assert.equal(atEnforcing.reference, started.reference);
    assert.deepEqual(atEnforcing.events.map((e) => e.event), ['send', 'transferred', 'start-enforcement']);
    const enforcement = atEnforcing.events.find((e) => e.event === 'start-enforcement');
    assert.equal(enforcement?.at, receipt, 'applied at the receipt time');
    assert.deepEqual((enforcement?.payload as { annexIII: unknown }).annexIII, annexIII, 'Art. 16(1): with the Annex III form as completed by the addressee');
    assert.equal(enforcement?.reason, 'Only one account uses this address: the order is complete.');
    assert.equal((await getOrder(ie.cases, agent, id)).state, 'enforcement');

    // The enforcing authority now takes part: the closing reaches its node.
    await orderEvent(fr.cases, judge, id, 'close');
    await settled(fr, id);
    assert.equal((await getOrder(iee.cases, enforcer, id)).state, 'closed');

    // The enforcing node's own Art. 4 check: a transferred certificate claiming a kind the French
    // agreement denies (a judge, not an investigating judge) is refused and creates nothing there.
    const other = await issue('claimed@mail.demo.invalid');
    await orderEvent(ie.cases, agent, other, 'object', { form: { thirdCountry: 'US', law: '18 U.S.C. § 2702', applicability: 'US person.', conflict: 'Disclosure prohibited.' } });
    await settled(ie, other);
    await until('objected on FR', () => getOrder(fr.cases, judge, other), (o) => o.state === 'objected');
    const row = await frNode.db.selectFrom('eorders').selectAll().where('id', '=', other).executeTakeFirstOrThrow();
    const order = await peerOrderOf(fr.cases, frNode.db, row, row.sent_at ?? new Date().toISOString());
    const claimed = { ...order, certificate: { ...(order.certificate as Record<string, unknown>), issuer: { kind: 'judge', name: 'Tribunal judiciaire de Paris', fileReference: 'JI-CYBER-2026-0042' } } };
    const forged = await fr.runtime.send({ from: { authority: 'fr-tj-paris' }, to: { authority: 'ie-enforcing' }, inReplyTo: null, conversation: other, type: 'notice', instrument: 'EU-2023-1543', action: 'start-enforcement', emergency: false, body: { eorder: { v: 1, event: 'start-enforcement', input: { reason: 'Not accepted.' }, order: claimed, transfer: await peerTransferOf(frNode.db, row) } } });
    await settled(fr, other);
    const outbox = await frNode.db.selectFrom('exchange_outbox').select(['state', 'last_error']).where('message_id', '=', forged.message.id).executeTakeFirstOrThrow();
    assert.equal(outbox.state, 'rejected');
    assert.match(outbox.last_error ?? '', /order-issuer-not-competent/);
    await assert.rejects(getOrder(iee.cases, enforcer, other), 'no order on the enforcing node');
    assert.deepEqual([...fr.errors, ...ie.errors, ...iee.errors], []);
  });

  it('Art. 16 after the provider lets the 10 days pass (a test clock moved past the deadline on every node): refused before, started after; the enforcing authority takes part from its node’s receipt', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-orders-'));
    // The issuing node on every engine: the deadline, the sweep and the receipts are decided there.
    const frNode = await createTestNode('fr', await target.create(t));
    const ieNode = await createTestNode('ie', await openDatabase({ kind: 'sqlite', file: join(dir, 'ie.db') }));
    const ieeNode = await createTestNode('iee', await openDatabase({ kind: 'sqlite', file: join(dir, 'iee.db') }));
    t.after(async () => {
      await ieNode.handle.close();
      await ieeNode.handle.close();
    });
    // One clock for the three nodes: time passes for everyone (messages carry their time, and a
    // node refuses one from more than 5 minutes in its future).
    const clock = testClock();
    const fr = await side(frNode, ['fr-ca', 'fr-tj-paris'], false, t, clock);
    const ie = await side(ieNode, ['ie-provider'], true, t, clock);
    const iee = await side(ieeNode, ['ie-enforcing'], false, t, clock);
    await connect(fr, ie, iee);
    const issue = async (categories: string[], identifier: string, to: number) => {
      const o = await createOrder(fr.cases, judge, { issuingAuthority: 'fr-tj-paris', certificate: certificate({ categories, identifiers: [{ type: 'email', value: identifier }] }) });
      await orderEvent(fr.cases, judge, o.id, 'approve');
      await orderEvent(fr.cases, judge, o.id, 'send');
      assert.equal((await settled(fr, o.id)).length, to);
      return until('delivered on FR', () => getOrder(fr.cases, judge, o.id), (x) => x.state === 'delivered' && (x.enforcing?.status !== 'notified' || x.enforcing.notifiedAt !== null));
    };
    // A: content data, the Irish enforcing authority notified (Art. 8(1)); B: subscriber data, not notified.
    const a = await issue(['content-data'], 'silent@mail.demo.invalid', 2);
    const b = await issue(['subscriber-data'], 'quiet@mail.demo.invalid', 1);
    // The provider acknowledges B and then does nothing; it does not even acknowledge A. The
    // enforcing authority lets its own period on A pass too.
    await orderEvent(ie.cases, agent, b.id, 'acknowledge');
    await settled(ie, b.id);
    await until('acknowledged on FR', () => getOrder(fr.cases, judge, b.id), (o) => o.state === 'acknowledged');

    // Within the 10 days, Art. 16(1) does not apply yet: not offered, and refused if asked.
    for (const o of [a, b]) {
      assert.equal((await getOrder(fr.cases, judge, o.id)).actions.includes('start-enforcement'), false);
      await assert.rejects(orderEvent(fr.cases, judge, o.id, 'start-enforcement', { reason: 'Too early.' }), (e: unknown) => e instanceof OrderError && e.code === 'invalid-transition' && /Art\. 16\(1\)/.test(e.message));
    }

    // Past the later deadline by a minute (A's production waits for the enforcing authority's
    // period, Art. 10(2), so it ends later than B's).
    const due = (o: typeof a) => Date.parse(o.clocks.find((c) => c.clock === 'production')?.dueAt ?? '');
    assert.ok(due(a) > due(b));
    clock.advance(due(a) - clock.now().getTime() + 60_000);
    for (const s of [fr, ie, iee]) await sweepOrders(s.cases);
    const lapsedA = await getOrder(fr.cases, judge, a.id);
    assert.equal(lapsedA.clocks.find((c) => c.clock === 'production')?.status, 'overdue');
    assert.equal(lapsedA.clocks.find((c) => c.clock === 'enforcing-review')?.status, 'overdue', 'the enforcing authority raised no ground within its period either');
    assert.equal((await getOrder(ie.cases, agent, b.id)).clocks.find((c) => c.clock === 'production')?.status, 'overdue', 'the provider’s node sees its own deadline passed');
    assert.ok(lapsedA.actions.includes('start-enforcement'));

    // The enforcing node is unreachable for an hour: the enforcement waits in the outbox, and the
    // issuing node records no involvement of the enforcing authority on the click.
    iee.door.open = false;
    const reason = 'The provider neither produced the data nor gave a reason within the 10 days.';
    const clicked: Record<string, string> = {};
    for (const o of [a, b]) {
      const started = await orderEvent(fr.cases, judge, o.id, 'start-enforcement', { reason });
      assert.equal(started.state, 'enforcement');
      clicked[o.id] = started.events.find((e) => e.event === 'start-enforcement')?.at ?? '';
    }
    await until('the enforcement delivered to the provider’s node', () => deliveriesOf(fr.node.db, { conversationId: b.id }), (d) => d.filter((m) => m.state === 'delivered').length === 2);
    const waiting = await getOrder(fr.cases, judge, b.id);
    assert.equal(waiting.enforcing?.notifiedAt, null, 'not involved at the click: its node has not received it');
    assert.equal(waiting.events.some((e) => e.event === 'enforcement-delivered'), false);
    assert.equal((await getOrder(fr.cases, judge, a.id)).enforcing?.notifiedAt, a.enforcing?.notifiedAt, 'A: still notified at its Art. 8 receipt');
    clock.advance(3_600_000);
    iee.door.open = true;
    for (const o of [a, b]) assert.ok((await settled(fr, o.id)).every((state) => state === 'delivered'));

    // The enforcing authority's node: each order in enforcement from its own receipt.
    const receiptB = await inboxTime(iee, b.id, 'start-enforcement');
    const receiptA = await inboxTime(iee, a.id, 'start-enforcement');
    assert.ok(Date.parse(receiptB) >= Date.parse(clicked[b.id] ?? '') + 3_600_000);
    const atEnforcingB = await getOrder(iee.cases, enforcer, b.id);
    assert.equal(atEnforcingB.state, 'enforcement');
    assert.deepEqual(atEnforcingB.events.map((e) => e.event), ['send', 'transferred', 'start-enforcement']);
    assert.equal(atEnforcingB.enforcing?.notifiedAt, receiptB);
    assert.equal(atEnforcingB.deliveredAt, b.deliveredAt, 'the addressee’s delivery as the issuing node recorded it');
    assert.equal(atEnforcingB.events.find((e) => e.event === 'start-enforcement')?.at, receiptB);
    assert.equal((atEnforcingB.events.find((e) => e.event === 'start-enforcement')?.payload as { annexIII: unknown }).annexIII, null, 'no Annex III: the provider did not answer');
    const atEnforcingA = await getOrder(iee.cases, enforcer, a.id);
    assert.equal(atEnforcingA.state, 'enforcement');
    assert.equal(atEnforcingA.events.find((e) => e.event === 'start-enforcement')?.at, receiptA);
    assert.equal(atEnforcingA.enforcing?.status, 'notified', 'it raised no ground and confirmed none');

    // The provider's node: both in enforcement, at its own receipts of the enforcement.
    for (const o of [a, b]) {
      const atProvider = await getOrder(ie.cases, agent, o.id);
      assert.equal(atProvider.state, 'enforcement');
      assert.equal(atProvider.events.find((e) => e.event === 'start-enforcement')?.at, await inboxTime(ie, o.id, 'start-enforcement'));
      assert.equal(atProvider.actions.length, 0, 'nothing left to answer on this path');
    }

    // The issuing node: the enforcing authority's involvement at its node's receipt, in the history.
    const enforcedB = await until('enforcement receipt recorded on FR', () => getOrder(fr.cases, judge, b.id), (o) => o.enforcing?.notifiedAt !== null);
    assert.equal(enforcedB.enforcing?.notifiedAt, receiptB, 'from the enforcing node’s signed receipt, not from the click');
    assert.notEqual(enforcedB.enforcing?.notifiedAt, clicked[b.id]);
    const deliveredB = enforcedB.events.filter((e) => e.event === 'enforcement-delivered');
    assert.equal(deliveredB.length, 1);
    assert.equal(deliveredB[0]?.at, receiptB);
    const enforcedA = await until('enforcement receipt recorded on FR (A)', () => getOrder(fr.cases, judge, a.id), (o) => o.events.some((e) => e.event === 'enforcement-delivered'));
    assert.equal(enforcedA.events.find((e) => e.event === 'enforcement-delivered')?.at, receiptA);
    assert.equal(enforcedA.enforcing?.notifiedAt, a.enforcing?.notifiedAt, 'the Art. 8 notification time stays');
    assert.deepEqual(enforcedA.events.map((e) => e.event).slice(-2), ['start-enforcement', 'enforcement-delivered']);
    assert.equal(enforcedA.clocks.find((c) => c.clock === 'production')?.status, 'overdue');

    // Later steps reach the enforcing node; nothing was recorded twice.
    await orderEvent(fr.cases, judge, b.id, 'close');
    await settled(fr, b.id);
    assert.equal((await getOrder(iee.cases, enforcer, b.id)).state, 'closed');
    assert.equal((await getOrder(fr.cases, judge, b.id)).events.filter((e) => e.event === 'enforcement-delivered').length, 1);
    assert.deepEqual([...fr.errors, ...ie.errors, ...iee.errors], []);
  });

  it('an emergency identification-data EPOC between nodes: second signature, gate, 8 hours from the provider node’s receipt, ex-post validation (Art. 4(5)) travelling out, the answers travelling back', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-orders-'));
    const frNode = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
    const ieNode = await createTestNode('ie', await target.create(t));
    t.after(() => frNode.handle.close());
    // The OFAC (a police unit, "other competent authority" under Art. 4) issues; the central
    // authority hosted on the same node co-signs the emergency order (the second signature).
    const fr = await side(frNode, ['fr-ca', 'fr-247'], false, t);
    const ie = await side(ieNode, ['ie-provider'], true, t);
    await connect(fr, ie);
    const ofac: Actor = { id: 'ofac-chef@fr', authorityId: 'fr-247' };
    const drafted = await createOrder(fr.cases, ofac, {
      issuingAuthority: 'fr-247',
      certificate: certificate({
        issuer: { kind: 'other-competent-authority', name: 'Office anti-cybercriminalité (OFAC)', fileReference: 'OFAC-URG-9' },
        emergency: { emergency: true, reasons: 'A message announces an attack on a hospital’s intensive care unit within hours.' },
        categories: ['identification-data'],
        identifiers: [{ type: 'ip-address', value: '198.51.100.23' }],
      }),
    });
    const approved = await orderEvent(fr.cases, ofac, drafted.id, 'approve');
    assert.equal(approved.validationStatus, 'ex-post-pending', 'Art. 4(5): issued without prior validation');
    await orderEvent(fr.cases, ofac, drafted.id, 'send');
    assert.deepEqual(await settled(fr, drafted.id), ['delivered']);
    const receipt = await inboxTime(ie, drafted.id, 'send');

    // The provider's gate: the emergency bears its second signature, the validation must follow.
    const gated = await ie.node.db.selectFrom('provider_orders').selectAll().where('conversation_id', '=', drafted.id).executeTakeFirstOrThrow();
    assert.equal(gated.status, 'verified', gated.reasons);
    const emergencyCheck = JSON.parse(gated.checks).emergency as { status: string; detail: string };
    assert.equal(emergencyCheck.status, 'pass');
    assert.match(emergencyCheck.detail, /second signature by fr-ca; Art\. 4\(5\): validation by .* within 48 hours/);

    // The provider's node: 8 hours from its own receipt; the validation awaited.
    const atProvider = await getOrder(ie.cases, agent, drafted.id);
    assert.equal(atProvider.emergency, true);
    assert.equal(atProvider.state, 'delivered');
    assert.equal(atProvider.validationStatus, 'ex-post-pending');
    const production = atProvider.clocks.find((c) => c.clock === 'production');
    assert.equal(production?.startedAt, receipt);
    assert.equal(production?.amount, 8);
    assert.equal(production?.unit, 'hours');
    assert.equal(Date.parse(production?.dueAt ?? '') - Date.parse(receipt), 8 * 3_600_000);
    assert.equal(atProvider.clocks.find((c) => c.clock === 'validation')?.amount, 48);
    // The issuing node: the same 8 hours, from the same receipt.
    const atFr = await until('delivered on FR', () => getOrder(fr.cases, ofac, drafted.id), (o) => o.state === 'delivered');
    assert.equal(atFr.clocks.find((c) => c.clock === 'production')?.dueAt, production?.dueAt);

    // The answers travel back (the provider's node has no second authority to co-sign them).
    await orderEvent(ie.cases, agent, drafted.id, 'acknowledge');
    const items = [{ description: 'Subscriber of 198.51.100.23 at the time given', category: 'identification-data', sha256: 'd'.repeat(64) }];
    await orderEvent(ie.cases, agent, drafted.id, 'produce', { form: { items } });
    assert.deepEqual(await settled(ie, drafted.id), ['delivered', 'delivered']);
    const answers = await ie.node.db.selectFrom('exchange_outbox').select('emergency').where('conversation_id', '=', drafted.id).execute();
    assert.deepEqual(answers.map((a) => Number(a.emergency)), [1, 1], 'relayed as urgently as the order');
    const produced = await until('produced on FR', () => getOrder(fr.cases, ofac, drafted.id), (o) => o.state === 'produced');
    assert.equal(produced.clocks.find((c) => c.clock === 'production')?.status, 'met');
    assert.deepEqual((produced.events.find((e) => e.event === 'produce')?.payload as { items: unknown }).items, items);

    // Art. 4(5): the validation afterwards travels to the provider's node, co-signed as the order was.
    await orderEvent(fr.cases, ofac, drafted.id, 'validate', { validation: { kind: 'investigating-judge', name: 'Juge d’instruction Claire Dubois', reference: 'VAL-EXPOST-1' } });
    assert.ok((await settled(fr, drafted.id)).every((state) => state === 'delivered'));
    const validated = await getOrder(ie.cases, agent, drafted.id);
    assert.equal(validated.validationStatus, 'validated');
    assert.equal(validated.clocks.find((c) => c.clock === 'validation')?.status, 'met');
    assert.deepEqual([...fr.errors, ...ie.errors], []);
  });
});
