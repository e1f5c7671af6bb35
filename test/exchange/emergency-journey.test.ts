/**
 * An emergency request across nodes (Budapest Art. 35(1)(b), France's central authority to the US
 * 24/7 point of contact), France on SQLite, the United States on every engine, over real HTTP on
 * loopback. The request is the emergency message, with the second signature of another French
 * authority; every later step of the case — the US answers, whose node hosts no second authority
 * to co-sign — travels unmarked but relayed as urgently (the outbox's emergency flag), and each is
 * applied on the other node (none refused for a missing second signature).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createCase, getCase, transitionCase, type Actor } from '../../src/cases/index.js';
import { openDatabase } from '../../src/db/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { forEachDatabase } from '../db/dialects.js';
import { federatedNode, settled } from './federated.js';
import { trustEachOther } from './nodes.js';

const fr: Actor = { id: 'officer@fr', authorityId: 'fr-ca' };
const poc: Actor = { id: 'poc@us', authorityId: 'us-247' };

forEachDatabase('emergency request across nodes', (target) => {
  it('the request carries the second signature; the answers travel unmarked but urgent, and every step is applied on the other node', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-emergency-'));
    const frSide = await federatedNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }), t);
    const usSide = await federatedNode('us', await target.create(t), t, ['us-doj-oia', 'us-247']);
    await trustEachOther([frSide.node, usSide.node]);
    frSide.runtime.invalidateTrust();
    usSide.runtime.invalidateTrust();

    const created = await createCase(
      frSide.cases,
      fr,
      preservationRequestFrToUs({ addressee: 'us-247', legalBasis: 'ETS185:35(1)(b)', emergency: { emergency: true, justification: 'A hospital is being extorted now; the attacker’s account may be deleted within hours.' }, references: { requesting: 'URGENT-NODES-1' } }),
    );
    await transitionCase(frSide.cases, fr, created.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(frSide.cases, fr, created.id, 'send');
    await settled(frSide.cases, created.id);
    assert.equal((await getCase(usSide.cases, poc, created.id)).state, 'sent');

    for (const [event, input] of [
      ['receive', {}],
      ['acknowledge', {}],
      ['start-assessment', {}],
      ['accept', { assessment: { grounds: [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }], decision: 'accept' } }],
      ['execute', {}],
      ['respond', { response: { summary: 'Data preserved under 18 U.S.C. § 2703(f).' } }],
    ] as const) {
      await transitionCase(usSide.cases, poc, created.id, event, input);
    }
    await settled(usSide.cases, created.id);
    assert.equal((await getCase(frSide.cases, fr, created.id)).state, 'responded');
    await transitionCase(frSide.cases, fr, created.id, 'close');
    await settled(frSide.cases, created.id);
    assert.equal((await getCase(usSide.cases, poc, created.id)).state, 'closed');

    // Every message was delivered, none rejected; all are relayed as emergencies.
    const frOut = await deliveriesOf(frSide.node.db, { caseId: created.id });
    const usOut = await deliveriesOf(usSide.node.db, { caseId: created.id });
    assert.deepEqual(frOut.map((d) => [d.type, d.state, d.emergency]), [['request', 'delivered', true], ['closing', 'delivered', true]]);
    assert.ok(usOut.length >= 5);
    for (const d of usOut) assert.deepEqual([d.type, d.state, d.emergency], [d.type, 'delivered', true]);

    // Only the request is marked emergency in what is signed (the US node accepted it, so it bore
    // the reviewer's signature: an emergency message without one is refused).
    const inbox = await usSide.node.db.selectFrom('exchange_inbox').select(['type', 'payload']).where('conversation_id', '=', created.id).execute();
    const marked = inbox.map((r) => [r.type, (JSON.parse(r.payload) as { emergency: boolean }).emergency]);
    assert.deepEqual(marked, [['request', true], ['closing', false]]);
    const usInboxAtFr = await frSide.node.db.selectFrom('exchange_inbox').select('payload').where('conversation_id', '=', created.id).execute();
    assert.ok(usInboxAtFr.every((r) => (JSON.parse(r.payload) as { emergency: boolean }).emergency === false));
  });
});
