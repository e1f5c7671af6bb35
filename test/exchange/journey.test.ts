/**
 * Cases across nodes: the French preservation request to the United States, each side on its own
 * node and database (France on SQLite, the United States on every engine), over real HTTP on
 * loopback. Every border-crossing step is a message the other node applies to its own record
 * through the same workflow rules; a step those rules refuse comes back as a signed rejection.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createCase, getCase, transitionCase, type Actor, type CaseContext } from '../../src/cases/index.js';
import { openDatabase } from '../../src/db/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { forEachDatabase } from '../db/dialects.js';
import { federatedNode, settled } from './federated.js';
import { trustEachOther } from './nodes.js';

const fr: Actor = { id: 'officer@fr', authorityId: 'fr-ca' };
const us: Actor = { id: 'officer@us', authorityId: 'us-doj-oia' };

forEachDatabase('cases across nodes', (target) => {
  it('France → United States preservation then production, and an order to the Irish provider: each node keeps its own record, every step crosses as a message', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-journey-'));
    // Endpoints are known only once the servers listen: nodes are set up with placeholders, then re-initialised.
    const frSide = await federatedNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }), t);
    const usSide = await federatedNode('us', await target.create(t), t);
    const [frNode, usNode] = [frSide.node, usSide.node];
    await trustEachOther([frNode, usNode]);
    frSide.runtime.invalidateTrust();
    usSide.runtime.invalidateTrust();

    const created = await createCase(frSide.cases, fr, preservationRequestFrToUs());
    await transitionCase(frSide.cases, fr, created.id, 'approve', { review: DEMO_REVIEW });
    assert.deepEqual(await deliveriesOf(frNode.db, { caseId: created.id }), [], 'approval stays on the French node');
    await transitionCase(frSide.cases, fr, created.id, 'send');
    await settled(frSide.cases, created.id);
    // The US node has its own record, under the same id (the conversation).
    const incoming = await getCase(usSide.cases, us, created.id);
    assert.equal(incoming.state, 'sent');
    assert.equal(incoming.requestingAuthorityId, 'fr-ca');

    await transitionCase(usSide.cases, us, created.id, 'receive');
    await transitionCase(usSide.cases, us, created.id, 'acknowledge');
    await transitionCase(usSide.cases, us, created.id, 'start-assessment');
    await transitionCase(usSide.cases, us, created.id, 'accept', { assessment: { grounds: [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }], decision: 'accept' } });
    await transitionCase(usSide.cases, us, created.id, 'execute');
    await transitionCase(usSide.cases, us, created.id, 'respond', { response: { summary: 'Data preserved under 18 U.S.C. § 2703(f) until 2027-02-28.' } });
    await settled(usSide.cases, created.id);
    const outgoing = await getCase(frSide.cases, fr, created.id);
    assert.equal(outgoing.state, 'responded');
    await transitionCase(frSide.cases, fr, created.id, 'close');
    await settled(frSide.cases, created.id);
    assert.equal((await getCase(usSide.cases, us, created.id)).state, 'closed');

    const frMessages = await deliveriesOf(frNode.db, { caseId: created.id });
    const usMessages = await deliveriesOf(usNode.db, { caseId: created.id });
    assert.deepEqual(frMessages.map((m) => [m.type, m.state]), [['request', 'delivered'], ['closing', 'delivered']]);
    assert.deepEqual(usMessages.map((m) => m.type), ['acknowledgement', 'acknowledgement', 'notice', 'decision', 'execution', 'response']);
    // Both records have the same history of states.
    const history = async (ctx: CaseContext, actor: Actor) => (await getCase(ctx, actor, created.id)).history.map((h: { event: string }) => h.event);
    assert.deepEqual((await history(usSide.cases, us)).slice(-8), ['send', 'receive', 'acknowledge', 'start-assessment', 'accept', 'execute', 'respond', 'close']);
    assert.deepEqual((await history(frSide.cases, fr)).slice(-8), ['send', 'receive', 'acknowledge', 'start-assessment', 'accept', 'execute', 'respond', 'close']);

    // Then the production of the preserved data (Budapest Art. 31), and an order to the Irish
    // provider (Reg. 2023/1543) on a third node.
    const ieSide = await federatedNode('ie', await openDatabase({ kind: 'sqlite', file: join(dir, 'ie.db') }), t);
    const ieNode = ieSide.node;
    await trustEachOther([frNode, usNode, ieNode]); // FR and US take each other's newer agreement
    frSide.runtime.invalidateTrust();
    ieSide.runtime.invalidateTrust();

    const production = await createCase(frSide.cases, fr, preservationRequestFrToUs({ measures: ['content-data'], legalBasis: 'ETS185:31', references: { requesting: 'PARQUET-PARIS-2026-04417-B' } }));
    await transitionCase(frSide.cases, fr, production.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(frSide.cases, fr, production.id, 'send');
    await settled(frSide.cases, production.id);
    assert.equal((await getCase(usSide.cases, us, production.id)).state, 'sent');

    const ie: Actor = { id: 'agent@ie', authorityId: 'ie-provider' };
    const order = await createCase(
      frSide.cases,
      fr,
      preservationRequestFrToUs({ addressee: 'ie-provider', measures: ['subscriber-info'], legalBasis: 'EU-2023-1543:5(3)', offences: [{ category: 'computer-related-fraud', nationalProvision: 'Code pénal, art. 323-3', maxPenaltyYears: 5 }], references: { requesting: 'PARQUET-PARIS-2026-04417-C' }, contents: {} }),
    );
    await transitionCase(frSide.cases, fr, order.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(frSide.cases, fr, order.id, 'send');
    await settled(frSide.cases, order.id);
    for (const event of ['receive', 'acknowledge', 'start-assessment'] as const) await transitionCase(ieSide.cases, ie, order.id, event);
    await transitionCase(ieSide.cases, ie, order.id, 'accept', { assessment: { grounds: [], decision: 'accept' } });
    await transitionCase(ieSide.cases, ie, order.id, 'execute');
    await transitionCase(ieSide.cases, ie, order.id, 'respond', { response: { summary: 'Subscriber data of the account attached.' } });
    await settled(ieSide.cases, order.id);
    assert.equal((await getCase(frSide.cases, fr, order.id)).state, 'responded');
    assert.equal((await deliveriesOf(usNode.db, { caseId: order.id })).length, 0, 'the US node saw nothing of the order to Ireland');
    await assert.rejects(getCase(usSide.cases, us, order.id));
  });
});
