import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSTRUMENT_IDS } from '../../law/model';
import en from '../i18n/en.json';
import { INSTRUMENTS, articleRef, isInstrumentId, periodOf, countByStatus, groupByStatus, indexByParty, legendEntries, partyNamer, STATUS_ORDER, STATUS_STYLE, statusFill, type ParticipationRow } from './participation';

function row(party: string, status: ParticipationRow['status'], name = party): ParticipationRow {
  return { party, name, kind: 'state', status, signature: null, consent: null, entryIntoForce: null, entryIntoForceDerived: false, verified: true, reservations: 0, notes: [] };
}

/** Relative luminance (WCAG), to check the ramp is ordered by lightness. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('instruments', () => {
  it('are the knowledge base’s, each with a translated name', () => {
    assert.deepEqual([...INSTRUMENTS], [...INSTRUMENT_IDS]);
    for (const id of INSTRUMENTS) assert.ok(id in en.treaty.instruments, `treaty.instruments.${id}`);
    assert.equal(isInstrumentId('UNCC'), true);
    assert.equal(isInstrumentId('uncc'), false);
    assert.equal(isInstrumentId(null), false);
  });
});

describe('participation legend', () => {
  it('every status has a label, an icon and a fill; fills get lighter with less engagement', () => {
    for (const status of [...STATUS_ORDER, 'no-data'] as const) {
      assert.ok(status in en.treaty.status, `treaty.status.${status}`);
      assert.ok(STATUS_STYLE[status].icon.length > 0);
    }
    const fills = STATUS_ORDER.map((s) => luminance(STATUS_STYLE[s].fill));
    for (let i = 1; i < fills.length - 1; i++) assert.ok((fills[i] as number) > (fills[i - 1] as number), `${STATUS_ORDER[i]} lighter than ${STATUS_ORDER[i - 1]}`);
    assert.equal(new Set(Object.values(STATUS_STYLE).map((s) => s.fill)).size, 5, 'five distinct fills');
    assert.equal(new Set(Object.values(STATUS_STYLE).map((s) => s.icon)).size, 5, 'five distinct icons');
  });

  it('legend entries with counts, in order, then "no data"', () => {
    const counts = countByStatus([row('FR', 'in-force'), row('DE', 'in-force'), row('IE', 'signed'), row('CN', 'none')]);
    assert.deepEqual(counts, { 'in-force': 2, consented: 0, signed: 1, none: 1 });
    const legend = legendEntries(counts);
    assert.deepEqual(legend.map((e) => [e.status, e.count, e.labelKey]), [
      ['in-force', 2, 'treaty.status.in-force'],
      ['consented', 0, 'treaty.status.consented'],
      ['signed', 1, 'treaty.status.signed'],
      ['none', 1, 'treaty.status.none'],
      ['no-data', null, 'treaty.status.no-data'],
    ]);
  });

  it('fills a territory without data as "no data"', () => {
    const rows = indexByParty([row('FR', 'in-force')]);
    assert.equal(statusFill(rows.get('FR')), STATUS_STYLE['in-force'].fill);
    assert.equal(statusFill(rows.get('XK')), STATUS_STYLE['no-data'].fill);
  });
});

describe('party names and grouping', () => {
  it('names parties in the reader’s language, the knowledge base’s name as fallback', () => {
    const fr = partyNamer('fr');
    assert.equal(fr('DE', 'Germany'), 'Allemagne');
    assert.equal(fr('EU', 'European Union'), 'Union européenne');
    assert.equal(partyNamer('en')('TR', 'Türkiye'), partyNamer('en')('TR'));
    assert.equal(fr('QQ', 'Nowhere'), 'Nowhere');
    assert.equal(partyNamer('not a locale!')('FR', 'France'), 'France');
  });

  it('groups by status, sorted by translated name', () => {
    const groups = groupByStatus([row('DE', 'in-force', 'Germany'), row('AT', 'in-force', 'Austria'), row('ES', 'in-force', 'Spain'), row('CN', 'none', 'China')], 'fr');
    assert.deepEqual(groups['in-force'].map((r) => r.label), ['Allemagne', 'Autriche', 'Espagne']);
    assert.deepEqual(groups.none.map((r) => r.party), ['CN']);
    assert.deepEqual(groups.signed, []);
  });
});

describe('reservation periods (party profile)', () => {
  it('since a date; withdrawn with its end; undated with its lower bound', () => {
    assert.deepEqual(periodOf({ from: '2012-10-01', until: null, notBefore: null }), { kind: 'since', from: '2012-10-01' });
    assert.deepEqual(periodOf({ from: '2013-12-01', until: '2019-07-05', notBefore: null }), { kind: 'withdrawn', from: '2013-12-01', notBefore: null, until: '2019-07-05' });
    assert.deepEqual(periodOf({ from: null, until: null, notBefore: '2023-08-10' }), { kind: 'unknown', notBefore: '2023-08-10' });
    assert.deepEqual([articleRef({ article: '7', paragraph: '9(a)' }), articleRef({ article: '29', paragraph: '4' }), articleRef({ article: '2' })], ['7(9)(a)', '29(4)', '2']);
    for (const key of ['periodSince', 'periodWithdrawn', 'dateUnknownNotBefore', 'notApplying']) assert.ok(key in en.treaty.profile, key);
  });
});
