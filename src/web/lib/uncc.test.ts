import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from './dates';
import type { CountedConsent } from './participation';
import { signatureWindow, thresholdProgress } from './uncc';

const RULE = { threshold: 40, days: 90 };

/** `n` dated ratifications, one a day from `first`, parties P00, P01, … */
function dated(n: number, first = '2026-01-01'): CountedConsent[] {
  return Array.from({ length: n }, (_, i) => ({ party: `P${String(i).padStart(2, '0')}`, event: 'ratification', date: addDays(first, i), verified: true }));
}

const UNCONFIRMED: CountedConsent[] = [
  { party: 'VN', event: 'ratification', date: null, verified: false },
  { party: 'AZ', event: 'ratification', date: null, verified: false },
  { party: 'QA', event: 'ratification', date: null, verified: false },
];

describe('UNCC: progress toward forty instruments', () => {
  it('counts only dated instruments deposited by the date; unconfirmed ones are marked, not counted', () => {
    const p = thresholdProgress([...dated(10), ...UNCONFIRMED], RULE, '2026-06-01');
    assert.equal(p.counted.length, 10);
    assert.deepEqual(p.unconfirmed.map((c) => c.party), ['AZ', 'QA', 'VN']);
    assert.equal(p.remaining, 30);
    assert.equal(p.percent, 25);
    assert.equal(p.reachedOn, null);
    assert.equal(p.projectedEntryIntoForce, null, 'not yet projected');
    assert.equal(p.inForce, false);
  });

  it('today’s data: nothing counted yet, three unconfirmed', () => {
    const p = thresholdProgress(UNCONFIRMED, RULE, '2026-06-01');
    assert.equal(p.counted.length, 0);
    assert.equal(p.unconfirmed.length, 3);
    assert.equal(p.remaining, 40);
    assert.equal(p.percent, 0);
    assert.equal(p.projectedEntryIntoForce, null);
  });

  it('ignores instruments deposited after the date', () => {
    const p = thresholdProgress(dated(45), RULE, '2026-01-10');
    assert.equal(p.counted.length, 10);
    assert.equal(p.projectedEntryIntoForce, null);
  });

  it('projects the 90th day after the 40th instrument, in force from that day', () => {
    // The 40th instrument: 1 January 2026 + 39 days = 9 February 2026.
    const consents = dated(45);
    const atFortieth = thresholdProgress(consents, RULE, '2026-02-09');
    assert.equal(atFortieth.reachedOn, '2026-02-09');
    assert.equal(atFortieth.projectedEntryIntoForce, '2026-05-10');
    assert.equal(atFortieth.remaining, 0);
    assert.equal(atFortieth.percent, 100);
    assert.equal(atFortieth.inForce, false);
    assert.equal(thresholdProgress(consents, RULE, '2026-05-09').inForce, false);
    assert.equal(thresholdProgress(consents, RULE, '2026-05-10').inForce, true);
    assert.equal(thresholdProgress(consents, RULE, '2026-12-31').percent, 100, 'capped');
    assert.equal(thresholdProgress(consents, RULE, '2026-12-31').counted.length, 45);
  });

  it('the day before the 40th: 39 counted, not yet projected', () => {
    const p = thresholdProgress(dated(40), RULE, '2026-02-08');
    assert.equal(p.counted.length, 39);
    assert.equal(p.remaining, 1);
    assert.equal(p.projectedEntryIntoForce, null);
  });

  it('orders counted instruments by date, whatever the input order', () => {
    const p = thresholdProgress([...dated(3)].reverse(), RULE, '2026-12-31');
    assert.deepEqual(p.counted.map((c) => c.party), ['P00', 'P01', 'P02']);
  });
});

describe('UNCC: the signature window (open until 31 December 2026)', () => {
  const opens = '2025-10-25';
  const closes = '2026-12-31';

  it('counts the days left from the chosen date', () => {
    assert.deepEqual(signatureWindow('2026-06-01', opens, closes), { state: 'open', closes, daysLeft: 213, lastDay: false });
    assert.deepEqual(signatureWindow('2026-12-30', opens, closes), { state: 'open', closes, daysLeft: 1, lastDay: false });
    assert.deepEqual(signatureWindow('2025-10-25', opens, closes), { state: 'open', closes, daysLeft: 432, lastDay: false });
  });

  it('the last day, then closed', () => {
    assert.deepEqual(signatureWindow('2026-12-31', opens, closes), { state: 'open', closes, daysLeft: 0, lastDay: true });
    assert.deepEqual(signatureWindow('2027-01-01', opens, closes), { state: 'closed', closes, daysSince: 1 });
  });

  it('before it opens, and without a closing date', () => {
    assert.deepEqual(signatureWindow('2025-10-01', opens, closes), { state: 'not-open', opens, daysUntilOpen: 24 });
    assert.deepEqual(signatureWindow('2026-06-01', '2001-11-23', null), { state: 'unlimited' });
    assert.deepEqual(signatureWindow('2026-06-01', null, null), { state: 'unlimited' });
  });
});
