/**
 * Properties of the review of 2 December 2026 (issue 15):
 * - a withdrawn reservation never applies on or after its end date (Budapest Art. 43(1));
 * - an undated event never counts before its lower bound;
 * - every reservation in the data is cited in the answer it changes (and the ones that concern
 *   co-operation do change an answer, so the property is not vacuous).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  BasesFinder,
  MEASURES,
  loadKnowledgeBase,
  reservationApplies,
  type BasesQuery,
  type BasesResult,
  type KnowledgeBase,
  type Reservation,
} from '../../src/law/index.js';

const kb = loadKnowledgeBase();
const RUNS = { numRuns: 150, seed: 15 };

const dayMs = 86_400_000;
const dateArb = fc.integer({ min: Date.UTC(1995, 0, 1) / dayMs, max: Date.UTC(2035, 11, 31) / dayMs }).map((d) => new Date(d * dayMs).toISOString().slice(0, 10));

let scratch: string | null = null;
after(() => {
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
});

/** CETS 224 in force (France and Germany consent in 2026, hypothetically): Japan's and Serbia's reservations can then change answers. */
function cets224InForce(): KnowledgeBase {
  scratch ??= mkdtempSync(join(tmpdir(), 'comity-review-props-'));
  const csv = readFileSync(new URL('../../src/law/data/participation.csv', import.meta.url), 'utf8').replace(/\n$/, '');
  writeFileSync(
    join(scratch, 'participation.csv'),
    [csv, 'FR,France,CETS224,ratification,2026-03-01,https://example.org/h,hypothetical', 'DE,Germany,CETS224,ratification,2026-04-15,https://example.org/h,hypothetical'].join('\n') + '\n',
  );
  return loadKnowledgeBase({ dataDir: scratch });
}

describe('a withdrawn reservation never applies after its end', () => {
  it('reservationApplies is false on and after `until`, for data rows and generated periods', () => {
    const withdrawn = kb.reservations.filter((r) => r.until !== undefined);
    assert.ok(withdrawn.length > 0, 'the data hold a withdrawn reservation (Czechia)');
    fc.assert(
      fc.property(dateArb, dateArb, dateArb, (a, b, d) => {
        const [from, until] = a < b ? [a, b] : [b, a];
        if (from === until) return;
        const generated: Reservation = { ...(withdrawn[0] as Reservation), from, until };
        for (const r of [...withdrawn, generated]) {
          if (d >= (r.until as string)) assert.equal(reservationApplies(r, d), false, `${r.id} on ${d}`);
        }
        if (d >= from && d < until) assert.equal(reservationApplies(generated, d), true);
      }),
      RUNS,
    );
  });

  it('the finder and the party status never cite a withdrawn reservation after its end', () => {
    const finder = new BasesFinder(kb);
    const cz = kb.reservations.find((r) => r.party === 'CZ' && r.until !== undefined) as Reservation;
    fc.assert(
      fc.property(dateArb, fc.constantFrom(...MEASURES), (date, measure) => {
        const onOrAfter = date >= (cz.until as string);
        const status = finder.index.partyStatus('CZ', 'ETS185', date);
        if (onOrAfter) assert.ok(!status.reservations.some((r) => r.id === cz.id), date);
        const result = finder.find({ from: 'DE', to: 'CZ', measure, date, emergency: false, offence: 'any-offence' });
        if (onOrAfter) assert.ok(!citedIds(result).has(`CZ|${cz.id}`), `${measure} on ${date}`);
      }),
      RUNS,
    );
  });
});

describe('an undated event never counts before its lower bound', () => {
  const finder = new BasesFinder(kb);
  const undated = kb.participation.filter((row) => row.date === null);

  it('there are undated events, and each has a lower bound from the instrument or its source', () => {
    assert.ok(undated.length > 10);
    for (const row of undated) {
      const s = finder.index.partyStatus(row.iso2, row.instrument, '2100-01-01');
      const event = row.event === 'signature' ? s.signature : s.consent;
      assert.ok(event?.notBefore, `${row.iso2} ${row.instrument} ${row.event} has a lower bound`);
    }
  });

  it('before its bound the event is neither counted nor makes the party signed, consented or bound', () => {
    fc.assert(
      fc.property(fc.constantFrom(...undated), dateArb, (row, date) => {
        const status = finder.index.partyStatus(row.iso2, row.instrument, date);
        const event = row.event === 'signature' ? status.signature : status.consent;
        const from = event?.countedFrom ?? event?.notBefore;
        assert.ok(from);
        if (date >= from) return;
        const consents = finder.index.instrumentStatus(row.instrument, date).consents;
        if (row.event !== 'signature') {
          assert.ok(!consents.some((c) => c.party === row.iso2), `${row.iso2} counted under ${row.instrument} on ${date}, before ${from}`);
          const eif = kb.participation.find((r) => r.iso2 === row.iso2 && r.instrument === row.instrument && r.event === 'entry_into_force')?.date;
          // A recorded (dated) entry into force is its own fact; without it, the undated consent does not bind yet.
          if (eif === undefined || eif === null || eif > date) assert.ok(!['consented', 'in-force'].includes(status.status), `${row.iso2} ${status.status} on ${date}`);
        } else {
          assert.equal(status.status, 'none', `${row.iso2} signed ${row.instrument} before ${from}`);
        }
      }),
      { ...RUNS, numRuns: 400 },
    );
  });
});

/** `party|id` of every reservation the answer cites. */
function citedIds(result: BasesResult): Set<string> {
  const out = new Set<string>();
  for (const b of [...result.applicable, ...result.noRequestNeeded]) for (const r of b.reservations) out.add(`${r.party}|${r.id}`);
  for (const n of result.notApplicable) if (n.reservation) out.add(`${n.reservation.party}|${n.reservation.id}`);
  return out;
}

/** The answer without its citations of reservations: what a reservation can change. */
function substance(result: BasesResult): string {
  return JSON.stringify({
    applicable: result.applicable.map(({ reservations: _r, refusalGrounds, conditions, provision, dualCriminality }) => ({
      provision,
      grounds: refusalGrounds.map((g) => g.ground),
      conditions: conditions.map((c) => c.text),
      dual: dualCriminality.rule,
    })),
    notApplicable: result.notApplicable.map((n) => `${n.instrument}|${n.article ?? ''}`),
  });
}

describe('every reservation in the data is cited in the answer it changes', () => {
  const bases = [kb, cets224InForce()];
  const requesting = ['DE', 'FR', 'US'];
  const offences = [undefined, 'any-offence', 'illegal-access'];

  it('for each reservation, every query whose answer it changes cites it', () => {
    const changedSomething = new Set<string>();
    for (const base of bases) {
      const withAll = new BasesFinder(base);
      for (const r of base.reservations) {
        const without = new BasesFinder({ ...base, reservations: base.reservations.filter((x) => x !== r) });
        const dates = [r.from ?? r.notBefore ?? '2026-12-01', '2026-12-01', r.until ?? '2030-01-01'];
        for (const from of requesting) {
          if (from === r.party) continue;
          for (const date of dates) {
            for (const measure of MEASURES) {
              for (const emergency of [false, true]) {
                for (const offence of offences) {
                  const query: BasesQuery = { from, to: r.party, measure, date, emergency, ...(offence ? { offence } : {}) };
                  const a = withAll.find(query);
                  const b = without.find(query);
                  if (substance(a) === substance(b)) continue;
                  changedSomething.add(`${r.party}|${r.id}`);
                  assert.ok(citedIds(a).has(`${r.party}|${r.id}`), `${r.party} ${r.id} changes ${JSON.stringify(query)} but is not cited`);
                }
              }
            }
          }
        }
      }
    }
    // The reservations that concern co-operation do change answers (the check above is not vacuous).
    for (const key of ['AT|ETS185-29(4)', 'CZ|ETS185-29(4)', 'FI|ETS185-14(3)(a)', 'FI|ETS185-14(3)(b)', 'JP|CETS224-7(9)(a)', 'RS|CETS224-unspecified-RS']) {
      assert.ok(changedSomething.has(key), `${key} changes no answer`);
    }
  });
});
