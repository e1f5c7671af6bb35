/**
 * Property tests of the legal-basis finder (bases.ts) over the real knowledge base: random
 * requesting and requested parties, measure, date (2000-2030), emergency flag and offence.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BasesFinder, type BasesQuery, type BasesResult } from './bases.js';
import { loadKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';
import { MEASURES, type Channel, type InstrumentId, type Provision } from './model.js';

const kb = loadKnowledgeBase();
const finder = new BasesFinder(kb);
const partyIds = [...kb.parties.keys()].sort();
const offenceIds = [...kb.offences.keys()].sort();
const provisionsById = new Map(kb.provisions.map((p) => [p.id, p]));

const DAY_MS = 86_400_000;
const MIN_DAY = Date.UTC(2000, 0, 1) / DAY_MS;
const MAX_DAY = Date.UTC(2030, 11, 31) / DAY_MS;
const dayToDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * Most of the 250 ids are party to nothing, so five draws in six come from the parties bound by
 * some instrument on 2030-12-31 (Budapest Parties, EU member States, ...) or from the EU members.
 */
const boundParties = partyIds.filter((party) =>
  [...kb.instruments.keys()].some((id) => finder.index.partyStatus(party, id, '2030-12-31').status === 'in-force'),
);
const partyArb = fc.oneof(
  { arbitrary: fc.constantFrom(...partyIds), weight: 1 },
  { arbitrary: fc.constantFrom(...boundParties), weight: 3 },
  { arbitrary: fc.constantFrom(...kb.memberships.EU.members), weight: 2 },
);

/** Dates 2000-2030; half of them on or after 2017-05-22 (EIO), a quarter on or after 2026-08-18 (e-Evidence Regulation). */
const dateArb = fc.oneof(
  { arbitrary: fc.integer({ min: MIN_DAY, max: MAX_DAY }).map(dayToDate), weight: 2 },
  { arbitrary: fc.integer({ min: Date.UTC(2017, 4, 22) / DAY_MS, max: MAX_DAY }).map(dayToDate), weight: 1 },
  { arbitrary: fc.integer({ min: Date.UTC(2026, 7, 18) / DAY_MS, max: MAX_DAY }).map(dayToDate), weight: 1 },
);

const queryArb: fc.Arbitrary<BasesQuery> = fc
  .record({
    from: partyArb,
    to: partyArb,
    measure: fc.constantFrom(...MEASURES),
    date: dateArb,
    emergency: fc.boolean(),
    offence: fc.option(fc.constantFrom(...offenceIds), { nil: undefined }),
  })
  .map(({ offence, ...rest }): BasesQuery => (offence === undefined ? rest : { ...rest, offence }));

const RUNS = { numRuns: 300 };

function isEmergencyOnly(provision: Provision): boolean {
  return provision.conditions.some((c) => c.kind === 'emergency-only');
}

function provisionOf(id: string): Provision {
  const provision = provisionsById.get(id);
  assert.ok(provision, `unknown provision ${id}`);
  return provision;
}

function applicableIds(result: BasesResult): string[] {
  return result.applicable.map((a) => a.provision);
}

describe('BasesFinder.find: properties', () => {
  it('is deterministic: two calls, a fresh finder and calls interleaved with other dates agree', () => {
    fc.assert(
      fc.property(queryArb, queryArb, (query, other) => {
        const first = finder.find(query);
        const second = finder.find(query);
        assert.deepEqual(second, first);
        assert.deepEqual(new BasesFinder(kb).find(query), first);
        finder.find(other); // moves the finder's per-date cache elsewhere
        assert.deepEqual(finder.find(query), first);
      }),
      { numRuns: 100 },
    );
  });

  it('ranks are 1..n in order', () => {
    fc.assert(
      fc.property(queryArb, (query) => {
        const { applicable } = finder.find(query);
        assert.deepEqual(
          applicable.map((a) => a.rank),
          applicable.map((_, i) => i + 1),
        );
      }),
      RUNS,
    );
  });

  it('the ranking follows ranking.json: emergency-specific first (in an emergency), then instrument, then channel', () => {
    const instrumentOrder = new Map<InstrumentId, number>(kb.ranking.instrumentOrder.map((e, i) => [e.instrument, i]));
    fc.assert(
      fc.property(queryArb, (query) => {
        const channelOrder = new Map<Channel, number>(
          (query.emergency ? kb.ranking.emergencyChannelOrder : kb.ranking.channelOrder).map((e, i) => [e.channel, i]),
        );
        const key = (id: string): number[] => {
          const p = provisionOf(id);
          // Issue 16: in an emergency the 24/7 routes rank with the emergency-specific provisions.
          const specific = isEmergencyOnly(p) || p.deadlines.some((d) => d.emergency === 'only') || p.channel === '24/7-network';
          return [query.emergency && specific ? 0 : 1, instrumentOrder.get(p.instrument) ?? 99, channelOrder.get(p.channel) ?? 99];
        };
        const ids = applicableIds(finder.find(query));
        for (let i = 1; i < ids.length; i++) {
          const a = key(ids[i - 1] as string);
          const b = key(ids[i] as string);
          const cmp = a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
          assert.ok(cmp <= 0, `${ids[i - 1]} ranked before ${ids[i]}`);
        }
      }),
      RUNS,
    );
  });

  it('an applicable basis’s instrument is never rejected at instrument level', () => {
    fc.assert(
      fc.property(queryArb, (query) => {
        const { applicable, notApplicable } = finder.find(query);
        const rejected = new Set(notApplicable.filter((n) => n.article === undefined).map((n) => n.instrument));
        for (const a of applicable) assert.ok(!rejected.has(a.instrument), `${a.provision} applicable but ${a.instrument} rejected as a whole`);
      }),
      RUNS,
    );
  });

  it('every instrument of the knowledge base appears in applicable or notApplicable', () => {
    fc.assert(
      fc.property(queryArb, (query) => {
        const { applicable, notApplicable } = finder.find(query);
        const seen = new Set<string>([...applicable.map((a) => a.instrument), ...notApplicable.map((n) => n.instrument)]);
        for (const id of kb.instruments.keys()) assert.ok(seen.has(id), `${id} missing from the answer`);
      }),
      RUNS,
    );
  });

  it('every applicable basis has both parties in force, distinct, and a provision for the measure', () => {
    fc.assert(
      fc.property(queryArb, (query) => {
        const { applicable } = finder.find(query);
        if (query.from === query.to) assert.deepEqual(applicable, []);
        for (const a of applicable) {
          assert.equal(a.requesting.status, 'in-force', `${a.provision}: requesting ${a.requesting.party}`);
          assert.equal(a.requested.status, 'in-force', `${a.provision}: requested ${a.requested.party}`);
          assert.equal(a.requesting.party, query.from);
          assert.equal(a.requested.party, query.to);
          assert.ok(a.requesting.entryIntoForce === null || a.requesting.entryIntoForce <= query.date);
          assert.ok(a.requested.entryIntoForce === null || a.requested.entryIntoForce <= query.date);
          const p = provisionOf(a.provision);
          assert.equal(p.instrument, a.instrument);
          assert.ok(p.measures.includes(query.measure), `${a.provision} does not cover ${query.measure}`);
        }
      }),
      RUNS,
    );
  });

  it('no emergency-only provision appears when emergency is false; no emergency-only deadline either', () => {
    fc.assert(
      fc.property(
        queryArb.map((q) => ({ ...q, emergency: false })),
        (query) => {
          for (const a of finder.find(query).applicable) {
            assert.ok(!isEmergencyOnly(provisionOf(a.provision)), `${a.provision} is emergency-only`);
            assert.ok(!a.deadlines.some((d) => d.emergency === 'only'), `${a.provision}: emergency deadline shown`);
          }
        },
      ),
      RUNS,
    );
  });

  it('every applicable basis and every notApplicable item cites something', () => {
    fc.assert(
      fc.property(queryArb, (query) => {
        const { applicable, notApplicable } = finder.find(query);
        for (const a of applicable) {
          assert.ok(a.citation.source.trim() !== '', `${a.provision}: no source`);
          assert.ok(a.dualCriminality.citation.source.trim() !== '', `${a.provision}: dual criminality without source`);
          for (const c of a.conditions) assert.ok(c.citation.source.trim() !== '', `${a.provision}: condition without source`);
          for (const d of a.deadlines) assert.ok(d.citation.source.trim() !== '', `${a.provision}: deadline without source`);
        }
        for (const n of notApplicable) assert.ok(n.reason.trim() !== '', `${n.instrument}: empty reason`);
      }),
      RUNS,
    );
  });

  it('the order of the knowledge base’s provision array does not change the ranking', () => {
    const reversedFinder = new BasesFinder({ ...kb, provisions: [...kb.provisions].reverse() } satisfies KnowledgeBase);
    fc.assert(
      fc.property(queryArb, (query) => {
        assert.deepEqual(applicableIds(reversedFinder.find(query)), applicableIds(finder.find(query)));
      }),
      RUNS,
    );
  });
});

describe('BasesFinder.find: examples', () => {
  it('FR → DE subscriber information on 2027-01-01: the e-Evidence Regulation ranks first', () => {
    const result = finder.find({ from: 'FR', to: 'DE', measure: 'subscriber-info', date: '2027-01-01', emergency: false });
    assert.equal(result.applicable[0]?.provision, 'EU-2023-1543:5(3)');
    assert.ok(result.notApplicable.some((n) => n.instrument === 'EU-US'));
    assert.ok(result.notApplicable.some((n) => n.instrument === 'CETS224' && n.article === undefined));
  });

  it('FR → US preservation on 2026-12-01: Budapest Art. 29 and the 24/7 network, then the bilateral MLA treaty and the EU–US agreement', () => {
    const ids = applicableIds(finder.find({ from: 'FR', to: 'US', measure: 'preservation', date: '2026-12-01', emergency: false }));
    assert.deepEqual([...ids].sort(), ['ETS185:29', 'ETS185:35(1)(b)', 'EU-US-MLA:7', 'FR-US-MLAT:1']);
  });

  it('same requesting and requested party: nothing applies', () => {
    const result = finder.find({ from: 'FR', to: 'FR', measure: 'preservation', date: '2027-01-01', emergency: true });
    assert.deepEqual(result.applicable, []);
    assert.equal(result.notApplicable.length, kb.instruments.size);
  });
});
