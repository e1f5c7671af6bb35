/** Art. 8 notification (with the residence test of Art. 8(2)) and the order workflow's transition table. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { notificationFor, orderRules } from './rules.js';
import { allowedOrderEvents, nextOrderState, OrderTransitionError } from './workflow.js';

describe('Art. 8 notification', () => {
  const rules = orderRules();
  const base = { kind: 'EPOC' as const, emergency: false, offenceInIssuingState: false, personResidesInIssuingState: false };
  test('content and traffic data are notified, with suspensive effect outside an emergency', () => {
    for (const categories of [['content-data'], ['traffic-data'], ['subscriber-data', 'content-data']]) {
      const n = notificationFor(rules, { ...base, categories });
      assert.equal(n.required, true, categories.join());
      assert.equal(n.suspensive, true);
    }
    const emergency = notificationFor(rules, { ...base, categories: ['content-data'], emergency: true });
    assert.equal(emergency.required, true);
    assert.equal(emergency.suspensive, false, 'Art. 8(4): no suspensive effect in an emergency');
  });
  test('subscriber and identification data, and preservation orders, are not notified', () => {
    assert.equal(notificationFor(rules, { ...base, categories: ['subscriber-data', 'identification-data'] }).required, false);
    assert.equal(notificationFor(rules, { ...base, kind: 'EPOC-PR', categories: ['content-data'] }).required, false);
  });
  test('the residence test needs both limbs (Art. 8(2))', () => {
    assert.equal(notificationFor(rules, { ...base, categories: ['content-data'], offenceInIssuingState: true }).required, true);
    assert.equal(notificationFor(rules, { ...base, categories: ['content-data'], personResidesInIssuingState: true }).required, true);
    const both = notificationFor(rules, { ...base, categories: ['content-data'], offenceInIssuingState: true, personResidesInIssuingState: true });
    assert.equal(both.required, false);
    assert.ok(both.citations.some((c) => c.article === '8' && c.paragraph === '2'));
  });
  test('every rule is cited; the facts law.md leaves unconfirmed are flagged', () => {
    assert.ok(rules.clocks.every((c) => c.citation.source.startsWith('https://')));
    assert.ok(rules.impossibility.reasons.every((r) => r.citation.verified === false));
    assert.equal(rules.notification.transmissionWindow.citation.verified, false);
  });
});

describe('order workflow', () => {
  test('the addressee is never offered a mutual-assistance step', () => {
    const provider = allowedOrderEvents('EPOC', 'delivered');
    for (const mla of ['postpone', 'refuse', 'accept', 'receive', 'start-assessment']) assert.ok(!provider.includes(mla as never), mla);
    assert.ok(provider.includes('produce') && provider.includes('report-impossibility') && provider.includes('object'));
  });
  test('production is for an EPOC, preservation for an EPOC-PR', () => {
    assert.throws(() => nextOrderState('EPOC-PR', 'delivered', 'produce'), OrderTransitionError);
    assert.throws(() => nextOrderState('EPOC', 'delivered', 'preserve'), OrderTransitionError);
    assert.equal(nextOrderState('EPOC-PR', 'delivered', 'preserve'), 'preserved');
    assert.equal(nextOrderState('EPOC-PR', 'preserved', 'extend'), 'preserved');
  });
  test('withdrawal and Art. 16 need reasons; a closed order takes nothing', () => {
    assert.throws(() => nextOrderState('EPOC', 'acknowledged', 'withdraw'), (e: OrderTransitionError) => e.code === 'reason-required');
    assert.equal(nextOrderState('EPOC', 'impossible', 'start-enforcement', 'Reasons not accepted.'), 'enforcement');
    assert.deepEqual(allowedOrderEvents('EPOC', 'closed'), []);
  });
});
