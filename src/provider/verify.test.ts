/**
 * The legal checks of the provider's gate, on a trust list built in memory: Art. 4 of Reg.
 * 2023/1543 (who may issue, who must validate), the date the Regulation applies from, and the
 * CETS 224 Art. 7 path (subscriber information only, in force between both States, closed by a
 * reservation under Art. 7(9)(a)).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ExchangeMessage } from '../exchange/message.js';
import type { TrustedNode, TrustList } from '../exchange/trust.js';
import { loadKnowledgeBase } from '../law/index.js';
import type { OrderFacts } from './order.js';
import { verifyOrder } from './verify.js';

const kb = loadKnowledgeBase();
const FLOWS = { send: [], receive: [] };

function node(nodeId: string, authorities: { id: string; kind: string; party: string; issuingKind?: string }[], self = false): TrustedNode {
  return { nodeId, endpoint: 'http://127.0.0.1:1', authorities: new Map(authorities.map((a) => [a.id, a as never])), keys: new Map(), flows: FLOWS, self };
}

const provider = node('IE:example-mail.ie', [{ id: 'ie-provider', kind: 'service-provider', party: 'IE' }], true);
const peers = [
  node('FR:justice.gouv.fr', [
    { id: 'fr-judge', kind: 'prosecutor-or-judge', party: 'FR', issuingKind: 'investigating-judge' },
    { id: 'fr-parquet', kind: 'prosecutor-or-judge', party: 'FR' },
    // A node that declares a police unit a judge in its agreement (Art. 4 kind the unit cannot have).
    { id: 'fr-police', kind: 'police-unit', party: 'FR', issuingKind: 'judge' },
  ]),
  node('JP:npa.go.jp', [{ id: 'jp-247', kind: '24/7-point-of-contact', party: 'JP' }]),
];
const trust: TrustList = { self: provider, node: (id) => [provider, ...peers].find((n) => n.nodeId === id), nodeOfAuthority: () => undefined };

function check(from: { node: string; authority: string }, order: Partial<OrderFacts>, options: { emergency?: boolean; reviewers?: string[]; instrument?: string } = {}) {
  const facts: OrderFacts = { ref: `R-${randomUUID()}`, kind: 'EPOC', category: 'subscriber-data', issuedAt: '2026-12-03T09:00:00.000Z', issuingAuthority: from.authority, validatedBy: null, logProof: null, ...order };
  const message: ExchangeMessage = {
    v: 1,
    id: randomUUID(),
    from,
    to: { node: provider.nodeId, authority: 'ie-provider' },
    inReplyTo: null,
    conversation: randomUUID(),
    type: 'request',
    instrument: options.instrument ?? (facts.kind === 'CETS224-ART7' ? 'CETS224' : 'EU-2023-1543'),
    action: 'send',
    time: '2026-12-03T09:01:00.000Z',
    emergency: options.emergency ?? false,
    body: { order: facts },
  };
  const signatures = [{ authority: from.authority, kid: 'k1', role: 'sender' as const }, ...(options.reviewers ?? []).map((authority) => ({ authority, kid: `k-${authority}`, role: 'reviewer' as const }))];
  return verifyOrder({ message, signatures, trust, kb, now: new Date('2026-12-03T09:02:00Z'), seen: { messageId: false, ref: false }, heldCheckpoints: [] });
}

const FR_JUDGE = { node: 'FR:justice.gouv.fr', authority: 'fr-judge' };
const FR_PARQUET = { node: 'FR:justice.gouv.fr', authority: 'fr-parquet' };

describe('provider gate: the law', () => {
  it('Art. 4: a prosecutor issues subscriber-data orders alone, content-data orders only validated by a judge', () => {
    assert.equal(check(FR_PARQUET, {}).checks.authority.status, 'pass');
    const content = check(FR_PARQUET, { category: 'content-data' });
    assert.equal(content.checks.authority.code, 'order-validation-missing');
    assert.equal(content.checks.authority.citation?.paragraph, '2');
    // The validation is a reviewer signature of an authority of a validating kind, named in the order.
    assert.equal(check(FR_PARQUET, { category: 'content-data', validatedBy: 'fr-judge' }, { reviewers: ['fr-judge'] }).checks.authority.status, 'pass');
    assert.equal(check(FR_PARQUET, { category: 'content-data', validatedBy: 'fr-judge' }).checks.authority.code, 'order-validation-missing', 'named but not signed');
    assert.equal(check(FR_JUDGE, { category: 'content-data' }).checks.authority.status, 'pass');
  });

  it('the Regulation applies from 18 August 2026: an order dated before is refused', () => {
    const early = check(FR_JUDGE, { issuedAt: '2026-08-17T10:00:00.000Z' });
    assert.equal(early.checks.authority.code, 'order-instrument-not-in-force');
  });

  it('an emergency needs its second signature; the Art. 4(5) route is noted', () => {
    assert.equal(check(FR_PARQUET, {}, { emergency: true }).checks.emergency.code, 'order-emergency-unvalidated');
    const ok = check(FR_PARQUET, {}, { emergency: true, reviewers: ['fr-judge'] });
    assert.equal(ok.checks.emergency.status, 'pass');
    assert.equal(ok.deadline?.hours, 8);
    assert.equal(check(FR_PARQUET, {}).deadline?.hours, 240);
  });

  it('CETS 224 Art. 7: subscriber information only, in force for both States, closed by the Art. 7(9)(a) reservation', () => {
    const fr = check(FR_PARQUET, { kind: 'CETS224-ART7' });
    assert.equal(fr.checks.authority.code, 'order-instrument-not-in-force');
    assert.equal(fr.deadline?.hours, 720);
    assert.equal(fr.deadline?.citation.verified, false);
    assert.equal(check(FR_PARQUET, { kind: 'CETS224-ART7', category: 'traffic-data' }).checks.authority.code, 'order-category-not-allowed');
    const jp = check({ node: 'JP:npa.go.jp', authority: 'jp-247' }, { kind: 'CETS224-ART7' });
    assert.equal(jp.checks.authority.code, 'order-instrument-reserved');
    assert.equal(jp.checks.authority.citation?.paragraph, '9(a)');
    // The kind must travel under its instrument.
    assert.equal(check(FR_PARQUET, { kind: 'CETS224-ART7' }, { instrument: 'EU-2023-1543' }).checks.authority.code, 'order-malformed');
  });

  it('Art. 4 kind cross-checked: an agreement that declares a police unit a judge gives it no competence, as issuer or as validator', () => {
    const FR_POLICE = { node: 'FR:justice.gouv.fr', authority: 'fr-police' };
    const issued = check(FR_POLICE, { category: 'content-data' });
    assert.equal(issued.checks.authority.code, 'order-issuer-not-competent');
    assert.match(issued.checks.authority.detail, /fr-police is recorded as a judge, which a police-unit cannot be/);
    assert.equal(issued.checks.authority.citation?.article, '4');
    // Even for subscriber data, which another competent authority could issue once validated: the declared kind is void.
    assert.equal(check(FR_POLICE, {}).checks.authority.code, 'order-issuer-not-competent');
    const validated = check(FR_PARQUET, { category: 'content-data', validatedBy: 'fr-police' }, { reviewers: ['fr-police'] });
    assert.equal(validated.checks.authority.code, 'order-validation-missing');
    assert.match(validated.checks.authority.detail, /validator fr-police does not count/);
  });

  it('a sender that is not an issuing authority, and facts that do not name the signer', () => {
    assert.equal(check(FR_PARQUET, { issuingAuthority: 'fr-judge' }).checks.authority.code, 'order-malformed');
  });
});
