/**
 * The requested side re-checks an incoming request with its own legal engine (issue 12): its
 * engine must find the cited provision an applicable basis between the two States — the States
 * of the authorities in the signed agreements, not those the request claims — for every measure,
 * on the day it was sent. Otherwise the message is answered with a signed, reasoned rejection,
 * nothing is applied, and both sides see why: the sender in its delivery state, the receiver in
 * its list of refused incoming messages. A sound request goes through (control).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type { Selectable } from 'kysely';
import { createCase, getCase, transitionCase, type Actor } from '../../src/cases/index.js';
import { openDatabase, type CasesTable } from '../../src/db/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { sha256Hex } from '../../src/exchange/envelope.js';
import { incomingRejections } from '../../src/exchange/inbox.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { verifyReceipt } from '../../src/exchange/receipt.js';
import { forEachDatabase } from '../db/dialects.js';
import { federatedNode } from './federated.js';
import { trustEachOther } from './nodes.js';

const fr: Actor = { id: 'officer@fr', authorityId: 'fr-ca' };
const us: Actor = { id: 'officer@us', authorityId: 'us-doj-oia' };

forEachDatabase('legal re-check of incoming requests', (target) => {
  it('a request the requested side’s engine finds without an applicable basis is rejected, signed and reasoned, and nothing is applied', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-recheck-'));
    const frSide = await federatedNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }), t);
    const usSide = await federatedNode('us', await target.create(t), t);
    const [frNode, usNode] = [frSide.node, usSide.node];
    await trustEachOther([frNode, usNode]);
    frSide.runtime.invalidateTrust();
    usSide.runtime.invalidateTrust();

    // An approved French request, as the French node's own engine accepted it.
    const approved = async (reference: string) => {
      const created = await createCase(frSide.cases, fr, preservationRequestFrToUs({ references: { requesting: reference } }));
      await transitionCase(frSide.cases, fr, created.id, 'approve', { review: DEMO_REVIEW });
      return frNode.db.selectFrom('cases').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    };
    // What a requesting node with other (outdated or altered) legal data would send: the signed
    // request as `send` carries it, with the case changed.
    const sendAltered = async (row: Selectable<CasesTable>, change: (row: Selectable<CasesTable>, request: Record<string, unknown>) => void) => {
      const request = JSON.parse(row.request ?? '{}') as Record<string, unknown>;
      const altered = { ...row, state: 'sent' };
      change(altered, request);
      altered.request = JSON.stringify(request);
      const { message } = await frSide.runtime.send(
        { from: { authority: 'fr-ca' }, to: { authority: 'us-doj-oia' }, inReplyTo: null, conversation: row.id, type: 'request', instrument: altered.legal_basis.split(':')[0] ?? null, action: 'send', emergency: false, body: JSON.parse(JSON.stringify({ caseVersion: row.version, input: {}, case: altered })) as Record<string, unknown> },
        { caseId: row.id },
      );
      return message.id;
    };
    const answered = async (messageId: string) => {
      const until = Date.now() + 15_000;
      for (;;) {
        const row = await frNode.db.selectFrom('exchange_outbox').select(['state', 'last_error', 'receipt', 'envelope']).where('message_id', '=', messageId).executeTakeFirstOrThrow();
        if (row.state === 'delivered' || row.state === 'rejected') return row;
        assert.ok(Date.now() < until, 'no answer');
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    const cases = [
      {
        why: 'the European Investigation Order does not bind the United States',
        change: (row: Selectable<CasesTable>, request: Record<string, unknown>) => {
          row.legal_basis = 'EU-2014-41:1';
          request.legalBasis = 'EU-2014-41:1';
        },
        code: 'basis-not-applicable',
        reason: /EU-2014-41:1 is not an applicable basis for preservation from FR to US on \d{4}-\d{2}-\d{2}: .*US is not a member State bound by it/,
      },
      {
        why: 'Budapest Art. 25(3) (expedited means) only in an emergency',
        change: (row: Selectable<CasesTable>, request: Record<string, unknown>) => {
          row.legal_basis = 'ETS185:25(3)';
          row.measures = JSON.stringify(['subscriber-info']);
          request.legalBasis = 'ETS185:25(3)';
          request.measures = ['subscriber-info'];
        },
        code: 'basis-not-applicable',
        reason: /only in an emergency/,
      },
      {
        why: 'a request claiming other States than those of its authorities',
        change: (row: Selectable<CasesTable>) => {
          row.requesting_party = 'DE';
        },
        code: 'wrong-party',
        reason: /claims DE → US, but its authorities are of FR → US/,
      },
      {
        why: 'a legal basis the engine does not know',
        change: (row: Selectable<CasesTable>, request: Record<string, unknown>) => {
          row.legal_basis = 'ETS185:99';
          request.legalBasis = 'ETS185:99';
        },
        code: 'unknown-basis',
        reason: /unknown legal basis "ETS185:99"/,
      },
    ];
    const frTrust = await frSide.runtime.trust();
    const usJwks = frTrust.node(usNode.nodeId);
    assert.ok(usJwks);
    for (const [index, c] of cases.entries()) {
      const row = await approved(`RECHECK-${index}`);
      const id = await sendAltered(row, c.change);
      const outcome = await answered(id);
      assert.equal(outcome.state, 'rejected', c.why);
      assert.ok(outcome.last_error?.startsWith(`${c.code}: `), `${c.why}: ${outcome.last_error}`);
      assert.match(outcome.last_error ?? '', c.reason, c.why);
      // The rejection is signed by the US node, and carries the reason.
      const receipt = await verifyReceipt(outcome.receipt ?? '', usJwks, { messageId: id, envelopeDigest: sha256Hex(outcome.envelope) });
      assert.equal(receipt.outcome, 'rejected');
      assert.equal(receipt.reason?.code, c.code);
      // Nothing applied on the US node; the rejection is listed there with the same reason.
      await assert.rejects(getCase(usSide.cases, us, row.id), /no case|not-found|not found/i, c.why);
      const refused = await incomingRejections(usNode.db, { authorityId: 'us-doj-oia' });
      assert.equal(refused[0]?.messageId, id, c.why);
      assert.equal(refused[0]?.reason, outcome.last_error, 'both sides see the same reason');
    }
    assert.equal((await incomingRejections(usNode.db, { authorityId: 'fr-ca' })).length, 0, 'listed only for the authority it was addressed to');
    assert.equal((await usNode.db.selectFrom('cases').select('id').execute()).length, 0);

    // Control: the same request, sound, goes through the workflow and is recorded.
    const sound = await approved('RECHECK-OK');
    await transitionCase(frSide.cases, fr, sound.id, 'send');
    const until = Date.now() + 15_000;
    while ((await deliveriesOf(frNode.db, { caseId: sound.id })).some((d) => d.state !== 'delivered' && d.state !== 'rejected')) {
      assert.ok(Date.now() < until);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual((await deliveriesOf(frNode.db, { caseId: sound.id })).map((d) => d.state), ['delivered']);
    assert.equal((await getCase(usSide.cases, us, sound.id)).state, 'sent');
  });
});
