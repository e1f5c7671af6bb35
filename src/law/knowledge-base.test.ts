/**
 * Checks the loaded knowledge base (knowledge-base.ts over data/): every rule and element is
 * cited with a source URL and a verified flag, every measure has a provision, ids are consistent,
 * references resolve, and the EU acts bind only EU member States (never Denmark).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadKnowledgeBase } from './knowledge-base.js';
import { INSTRUMENT_IDS, MEASURES, type Citation, type Provision } from './model.js';

const kb = loadKnowledgeBase();

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function assertCited(citation: Citation | undefined, where: string): void {
  assert.ok(citation, `${where}: no citation`);
  assert.equal(typeof citation.source, 'string', `${where}: no source`);
  assert.ok(citation.source.trim() !== '', `${where}: empty source`);
  assert.ok(isHttpUrl(citation.source), `${where}: source ${JSON.stringify(citation.source)} is not an http(s) URL`);
  assert.equal(typeof citation.verified, 'boolean', `${where}: no verified flag`);
  assert.ok(String(citation.instrument).trim() !== '', `${where}: no instrument`);
  assert.ok(citation.article.trim() !== '', `${where}: no article`);
}

/** Every element of a provision that carries its own citation, with a label for messages. */
function elements(provision: Provision): { where: string; citation: Citation }[] {
  const at = (part: string, i: number, id?: string): string => `${provision.id} ${part}[${i}]${id === undefined ? '' : ` (${id})`}`;
  return [
    ...provision.requiredContents.map((e, i) => ({ where: at('requiredContents', i, e.id), citation: e.citation })),
    ...provision.deadlines.map((e, i) => ({ where: at('deadlines', i, e.id), citation: e.citation })),
    ...provision.refusalGrounds.map((e, i) => ({ where: at('refusalGrounds', i, e.ground), citation: e.citation })),
    ...provision.safeguards.map((e, i) => ({ where: at('safeguards', i, e.id), citation: e.citation })),
    ...provision.conditions.map((e, i) => ({ where: at('conditions', i, e.kind), citation: e.citation })),
    ...provision.reservationsPossible.map((e, i) => ({ where: at('reservationsPossible', i, e.id), citation: e.citation })),
    { where: `${provision.id} dualCriminality`, citation: provision.dualCriminality.citation },
  ];
}

describe('knowledge base: citations', () => {
  it('loads with provisions for several instruments', () => {
    assert.ok(kb.provisions.length > 0);
    assert.equal(kb.participationSource, 'built-in');
    assert.deepEqual([...kb.instruments.keys()].sort(), [...INSTRUMENT_IDS].sort());
  });

  it('every provision has a citation with a source URL and a verified flag', () => {
    for (const provision of kb.provisions) {
      assertCited(provision.citation, provision.id);
      assert.equal(provision.citation.instrument, provision.instrument, `${provision.id}: citation of another instrument`);
    }
  });

  it('every element (required contents, deadlines, refusal grounds, safeguards, conditions, dual criminality) is cited with a source', () => {
    let count = 0;
    for (const provision of kb.provisions) {
      for (const { where, citation } of elements(provision)) {
        assertCited(citation, where);
        count += 1;
      }
    }
    assert.ok(count > kb.provisions.length, 'elements were checked');
  });

  it('every instrument’s entry-into-force rule, general date, scope and period rule are cited', () => {
    for (const instrument of kb.instruments.values()) {
      const rule = instrument.entryIntoForceRule;
      assertCited(rule.citation, `${instrument.id} entryIntoForceRule`);
      if (rule.kind === 'first-day-of-month-after' || rule.kind === 'nth-day-after') {
        assertCited(rule.laterConsentCitation, `${instrument.id} laterConsentCitation`);
      }
      if (instrument.entryIntoForce) assertCited(instrument.entryIntoForce.citation, `${instrument.id} entryIntoForce`);
      if (instrument.signatureWindowCitation) assertCited(instrument.signatureWindowCitation, `${instrument.id} signature window`);
      assertCited(instrument.dayPeriodRule.citation, `${instrument.id} dayPeriodRule`);
      for (const n of instrument.scope?.notBound ?? []) assertCited(n.citation, `${instrument.id} notBound ${n.party}`);
      assert.ok(isHttpUrl(instrument.officialUrl), `${instrument.id} officialUrl`);
    }
  });

  it('reservations, memberships and offences are cited', () => {
    for (const r of kb.reservations) assertCited(r.citation, `reservation ${r.party} ${r.id}`);
    assertCited(kb.memberships.CoE.citation, 'CoE membership');
    assertCited(kb.memberships.EU.citation, 'EU membership');
    for (const offence of kb.offences.values()) {
      for (const p of offence.provisions) assertCited(p, `offence ${offence.id} ${p.instrument} Art. ${p.article}`);
      for (const l of offence.lists) assertCited(l.citation, `offence ${offence.id} list ${l.list}`);
    }
  });
});

describe('knowledge base: coverage and identifiers', () => {
  it('every measure is covered by at least one provision', () => {
    const uncovered = MEASURES.filter((m) => !kb.provisions.some((p) => p.measures.includes(m)));
    assert.deepEqual(uncovered, []);
  });

  it('every instrument except EU-US has at least one provision; EU-US (under negotiation) has none', () => {
    for (const id of INSTRUMENT_IDS) {
      const count = kb.provisions.filter((p) => p.instrument === id).length;
      if (id === 'EU-US') assert.equal(count, 0, 'EU-US is not concluded');
      else assert.ok(count > 0, `${id} has no provision`);
    }
    assert.equal(kb.instruments.get('EU-US')?.entryIntoForceRule.kind, 'not-concluded');
  });

  it('provision ids are `${instrument}:${article}` and unique', () => {
    const ids = new Set<string>();
    for (const provision of kb.provisions) {
      assert.equal(provision.id, `${provision.instrument}:${provision.article}`);
      assert.ok(!ids.has(provision.id), `duplicate ${provision.id}`);
      ids.add(provision.id);
    }
  });

  it('provisions have distinct measures and a channel of the ranking', () => {
    const channels = new Set(kb.ranking.channelOrder.map((c) => c.channel));
    const emergencyChannels = new Set(kb.ranking.emergencyChannelOrder.map((c) => c.channel));
    for (const provision of kb.provisions) {
      assert.equal(new Set(provision.measures).size, provision.measures.length, `${provision.id}: repeated measure`);
      assert.ok(channels.has(provision.channel), `${provision.id}: channel ${provision.channel} not ranked`);
      assert.ok(emergencyChannels.has(provision.channel), `${provision.id}: channel ${provision.channel} not ranked for emergencies`);
    }
    const ranked = new Set(kb.ranking.instrumentOrder.map((i) => i.instrument));
    for (const id of INSTRUMENT_IDS) assert.ok(ranked.has(id), `${id} missing from ranking.instrumentOrder`);
  });

  it('deadline measures are measures of their provision', () => {
    for (const provision of kb.provisions) {
      for (const d of provision.deadlines) {
        for (const m of d.measures) assert.ok(provision.measures.includes(m), `${provision.id} deadline ${d.id}: ${m} is not a measure of the provision`);
      }
    }
  });
});

describe('knowledge base: references', () => {
  const possible = new Map<string, Set<string>>();
  for (const provision of kb.provisions) {
    for (const r of provision.reservationsPossible) {
      const set = possible.get(provision.instrument) ?? new Set<string>();
      set.add(r.id);
      possible.set(provision.instrument, set);
    }
  }

  it('reservations referenced by conditions exist (as a possible reservation of the same instrument)', () => {
    let referenced = 0;
    for (const provision of kb.provisions) {
      for (const condition of provision.conditions) {
        if (condition.kind !== 'reservation-excludes') continue;
        referenced += 1;
        assert.ok(possible.get(provision.instrument)?.has(condition.reservation), `${provision.id}: unknown reservation ${condition.reservation}`);
        for (const m of condition.measures) assert.ok(provision.measures.includes(m), `${provision.id}: condition on ${m}, not a measure of the provision`);
      }
    }
    assert.ok(referenced > 0, 'the data has reservation-excludes conditions');
  });

  it('reservations made by parties are known reservation ids of their instrument (or substantive-law or unspecified ones), by known parties', () => {
    // Reservations on substantive criminal law (Budapest Arts 2-13, First Protocol Arts 2-7) change no co-operation answer.
    const substantive = (r: (typeof kb.reservations)[number]): boolean =>
      (r.instrument === 'ETS185' || r.instrument === 'ETS189') && Number(r.citation.article) >= 2 && Number(r.citation.article) <= (r.instrument === 'ETS185' ? 13 : 7);
    for (const r of kb.reservations) {
      assert.ok(kb.parties.has(r.party), `unknown party ${r.party}`);
      const known = possible.get(r.instrument)?.has(r.id) === true || r.id.includes('-unspecified-') || substantive(r);
      assert.ok(known, `${r.party}: reservation ${r.id} is not a possible reservation of ${r.instrument}`);
    }
  });

  it('offence conditions point at known catalogues and lists', () => {
    const lists = new Set([...kb.offences.values()].flatMap((o) => o.lists.map((l) => l.list)));
    const established = new Set([...kb.offences.values()].flatMap((o) => o.provisions.map((p) => p.instrument)));
    for (const provision of kb.provisions) {
      for (const c of provision.conditions) {
        if (c.kind === 'offence-threshold') assert.ok(lists.has(c.listedCatalogue), `${provision.id}: ${c.listedCatalogue}`);
        if (c.kind === 'offence-in-catalogue') assert.ok(established.has(c.catalogue), `${provision.id}: ${c.catalogue}`);
      }
      const listed = provision.dualCriminality.listedCatalogue;
      if (listed !== undefined) assert.ok(lists.has(listed), `${provision.id}: ${listed}`);
    }
  });
});

describe('knowledge base: EU instruments', () => {
  const eu = new Set(kb.memberships.EU.members);
  const euActs = [...kb.instruments.values()].filter((i) => i.entryIntoForceRule.kind === 'eu-act');

  it('the EU acts are the Regulation and the Directive', () => {
    assert.deepEqual(euActs.map((i) => i.id).sort(), ['EU-2014-41', 'EU-2023-1543']);
  });

  for (const instrument of euActs) {
    it(`${instrument.id}: scope lists only EU members and excludes Denmark`, () => {
      const scope = instrument.scope;
      assert.ok(scope, `${instrument.id} has no scope`);
      assert.ok(scope.boundMemberStates.length > 0);
      for (const party of scope.boundMemberStates) assert.ok(eu.has(party), `${party} is not an EU member State`);
      assert.equal(new Set(scope.boundMemberStates).size, scope.boundMemberStates.length, 'duplicates');
      assert.ok(!scope.boundMemberStates.includes('DK'), 'Denmark is not bound (Protocol No 22)');
      assert.ok(
        scope.notBound.some((n) => n.party === 'DK'),
        'Denmark is listed as not bound, with its reason',
      );
      for (const n of scope.notBound) {
        assert.ok(eu.has(n.party), `notBound ${n.party} is not an EU member State`);
        assert.ok(!scope.boundMemberStates.includes(n.party), `${n.party} both bound and not bound`);
        assert.ok(n.reason.trim() !== '');
      }
      // Every member State is either bound or listed with a reason.
      const accounted = new Set([...scope.boundMemberStates, ...scope.notBound.map((n) => n.party)]);
      assert.deepEqual([...eu].filter((m) => !accounted.has(m)), []);
    });
  }

  it('Ireland takes part in the Regulation but not in the EIO Directive', () => {
    assert.ok(kb.instruments.get('EU-2023-1543')?.scope?.boundMemberStates.includes('IE'));
    assert.ok(!kb.instruments.get('EU-2014-41')?.scope?.boundMemberStates.includes('IE'));
  });
});
