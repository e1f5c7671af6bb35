import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CASE_STATES } from '../../cases/workflow';
import { MEASURES, REFUSAL_GROUND_IDS } from '../../law/model';
import en from '../i18n/en.json';
import { groundRows, MEASURE_ORDER, measureColour, partyChart, partyTableRows, REFUSAL_GROUNDS, splitHours, stateRows } from './statistics';

describe('statistics figures', () => {
  it('knows the knowledge base’s measures and refusal grounds, each with a label', () => {
    assert.deepEqual([...MEASURE_ORDER], [...MEASURES]);
    assert.deepEqual([...REFUSAL_GROUNDS], [...REFUSAL_GROUND_IDS]);
    for (const g of REFUSAL_GROUNDS) assert.ok(g in en.stats.grounds, `stats.grounds.${g}`);
    for (const m of MEASURE_ORDER) assert.ok(m in en.measures, `measures.${m}`);
    assert.equal(new Set(MEASURE_ORDER.map(measureColour)).size, MEASURE_ORDER.length, 'one colour per measure');
  });

  it('stacks requests by party, most requests first, measures in knowledge-base order', () => {
    const chart = partyChart([
      { measure: 'subscriber-info', party: 'US', count: 2 },
      { measure: 'preservation', party: 'US', count: 3 },
      { measure: 'preservation', party: 'IE', count: 1 },
      { measure: 'content-data', party: 'JP', count: 1 },
      { measure: 'content-data', party: 'IE', count: 4 },
    ]);
    assert.deepEqual(chart.measures, ['preservation', 'subscriber-info', 'content-data']);
    assert.deepEqual(chart.data, [
      { party: 'US', total: 5, preservation: 3, 'subscriber-info': 2 },
      { party: 'IE', total: 5, preservation: 1, 'content-data': 4 },
      { party: 'JP', total: 1, 'content-data': 1 },
    ].sort((a, b) => b.total - a.total || a.party.localeCompare(b.party)));
    assert.equal(chart.total, 11);
    assert.deepEqual(partyChart([]), { measures: [], data: [], total: 0 });
  });

  it('orders table rows by measure, then count', () => {
    const rows = partyTableRows([
      { measure: 'content-data', party: 'IE', count: 1 },
      { measure: 'preservation', party: 'IE', count: 1 },
      { measure: 'preservation', party: 'US', count: 3 },
    ]);
    assert.deepEqual(rows.map((r) => `${r.measure}/${r.party}`), ['preservation/US', 'preservation/IE', 'content-data/IE']);
  });

  it('cases by state in workflow order, empty states left out', () => {
    assert.deepEqual(stateRows({ sent: 2, draft: 1, closed: 0 }, CASE_STATES), [
      { state: 'draft', count: 1 },
      { state: 'sent', count: 2 },
    ]);
  });

  it('refusals most frequent first', () => {
    assert.deepEqual(groundRows([{ ground: 'b', count: 1 }, { ground: 'a', count: 1 }, { ground: 'c', count: 3 }, { ground: 'd', count: 0 }]), [
      { ground: 'c', count: 3 },
      { ground: 'a', count: 1 },
      { ground: 'b', count: 1 },
    ]);
  });

  it('splits hours into days and hours', () => {
    assert.deepEqual(splitHours(50.4), { days: 2, hours: 2, minutes: 0, totalHours: 50 });
    assert.deepEqual(splitHours(24.2), { days: 1, hours: 0, minutes: 0, totalHours: 24 });
    assert.deepEqual(splitHours(23.99), { days: 0, hours: 23, minutes: 59, totalHours: 24 });
    assert.deepEqual(splitHours(23.9999), { days: 1, hours: 0, minutes: 0, totalHours: 24 });
    assert.deepEqual(splitHours(1.5), { days: 0, hours: 1, minutes: 30, totalHours: 2 });
    assert.deepEqual(splitHours(0.004), { days: 0, hours: 0, minutes: 0, totalHours: 0 });
    assert.deepEqual(splitHours(-1), { days: 0, hours: 0, minutes: 0, totalHours: 0 });
  });
});
