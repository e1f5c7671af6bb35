import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { alpha2OfFeature, ISO_NUMERIC_TO_ALPHA2, NOT_ON_MAP } from './iso-numeric';

const require = createRequire(import.meta.url);
const parties = JSON.parse(readFileSync(new URL('../../law/data/parties.json', import.meta.url), 'utf8')) as { id: string; name: string; kind: string }[];
const atlas = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8')) as { objects: { countries: { geometries: { id?: string; properties: { name: string } }[] } } };
const geometries = atlas.objects.countries.geometries;
const states = parties.filter((p) => p.kind === 'state');

describe('ISO numeric → alpha-2 mapping', () => {
  it('is one-to-one and covers every state of parties.json', () => {
    const values = Object.values(ISO_NUMERIC_TO_ALPHA2);
    assert.equal(new Set(values).size, values.length, 'no alpha-2 code twice');
    for (const key of Object.keys(ISO_NUMERIC_TO_ALPHA2)) assert.match(key, /^\d{3}$/);
    assert.deepEqual(new Set(values), new Set(states.map((p) => p.id)));
  });

  it('maps every id of the 50m topology to a party (features without an id are not in the ISO list)', () => {
    const ids = new Set(parties.map((p) => p.id));
    const noId: string[] = [];
    for (const g of geometries) {
      if (g.id === undefined) {
        noId.push(g.properties.name);
        continue;
      }
      const alpha2 = alpha2OfFeature(g.id);
      assert.ok(alpha2 && ids.has(alpha2), `${g.id} ${g.properties.name}`);
    }
    assert.deepEqual(noId.sort(), ['Indian Ocean Ter.', 'Kosovo', 'N. Cyprus', 'Siachen Glacier', 'Somaliland']);
  });

  it('every party world-atlas has is on the map; the others are listed in NOT_ON_MAP', () => {
    const drawn = new Set(geometries.map((g) => alpha2OfFeature(g.id)).filter((x): x is string => x !== null));
    for (const p of states) assert.ok(drawn.has(p.id) !== NOT_ON_MAP.includes(p.id), `${p.id} ${p.name}: ${drawn.has(p.id) ? 'drawn but listed as not on the map' : 'neither drawn nor listed'}`);
    assert.equal(drawn.size + NOT_ON_MAP.length, states.length);
  });

  it('small states are there', () => {
    const drawn = new Map(geometries.map((g) => [alpha2OfFeature(g.id), g.properties.name]));
    const small: [string, string][] = [
      ['MT', 'Malta'],
      ['AD', 'Andorra'],
      ['MC', 'Monaco'],
      ['LI', 'Liechtenstein'],
      ['SM', 'San Marino'],
      ['SG', 'Singapore'],
      ['VA', 'Vatican'],
      ['LU', 'Luxembourg'],
      ['BH', 'Bahrain'],
    ];
    for (const [code, name] of small) {
      assert.equal(drawn.get(code), name, code);
    }
  });

  it('the names agree (a sample of look-alike codes)', () => {
    // First feature of each code (Australia's "036" also names the Ashmore and Cartier Islands).
    const byCode = new Map<string | null, string>();
    for (const g of geometries) if (!byCode.has(alpha2OfFeature(g.id))) byCode.set(alpha2OfFeature(g.id), g.properties.name);
    const expected: Record<string, string> = { AT: 'Austria', AU: 'Australia', AM: 'Armenia', AW: 'Aruba', CG: 'Congo', CD: 'Dem. Rep. Congo', NE: 'Niger', NG: 'Nigeria', SK: 'Slovakia', SI: 'Slovenia', KR: 'South Korea', KP: 'North Korea', GB: 'United Kingdom', GE: 'Georgia', MK: 'Macedonia', SZ: 'eSwatini', PS: 'Palestine', TW: 'Taiwan' };
    for (const [code, name] of Object.entries(expected)) assert.equal(byCode.get(code), name, code);
  });

  it('reads ids as strings or numbers', () => {
    assert.equal(alpha2OfFeature('250'), 'FR');
    assert.equal(alpha2OfFeature('020'), 'AD');
    assert.equal(alpha2OfFeature(20), 'AD');
    assert.equal(alpha2OfFeature('20'), 'AD');
    assert.equal(alpha2OfFeature(undefined), null);
    assert.equal(alpha2OfFeature('999'), null);
  });
});
