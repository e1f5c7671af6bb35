import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { buildWorldMap, type CountriesTopology } from './world-map';

const require = createRequire(import.meta.url);
const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8')) as CountriesTopology;

describe('world map', () => {
  const map = buildWorldMap(topology);

  it('fits the width, Equal Earth proportions, without Antarctica', () => {
    assert.equal(map.width, 960);
    // Equal Earth's world is about 2.05 times as wide as tall; without Antarctica a little less tall.
    assert.ok(map.height > 380 && map.height < 470, `height ${map.height}`);
    assert.ok(!map.shapes.some((s) => s.party === 'AQ'));
    assert.ok(map.shapes.every((s) => s.d.startsWith('M')));
  });

  it('draws every party of the topology once or more, and the features outside the ISO list', () => {
    const parties = new Set(map.shapes.map((s) => s.party));
    for (const code of ['FR', 'US', 'JP', 'BR', 'ZA', 'AU', 'RU', 'CN', 'IN']) assert.ok(parties.has(code), code);
    assert.ok(map.shapes.some((s) => s.party === null && s.name === 'Kosovo'));
  });

  it('small states get a visible marker inside the drawing', () => {
    for (const code of ['MT', 'MC', 'LI', 'SM', 'AD', 'SG', 'VA']) {
      const shape = map.shapes.find((s) => s.party === code);
      assert.ok(shape, `${code} is drawn`);
      assert.ok(shape.marker, `${code} has a marker (area ${shape.area.toFixed(2)} px²)`);
      assert.ok(shape.marker.x > 0 && shape.marker.x < map.width && shape.marker.y > 0 && shape.marker.y < map.height, code);
    }
    // Monaco sits east of Andorra and west of San Marino.
    const x = (code: string) => map.shapes.find((s) => s.party === code)?.marker?.x ?? NaN;
    assert.ok(x('AD') < x('MC') && x('MC') < x('SM'));
    for (const code of ['FR', 'DE', 'US']) assert.equal(map.shapes.find((s) => s.party === code)?.marker, null, `${code} is big enough`);
  });

  it('draws markers after shapes, so that no neighbour hides a dot', () => {
    const firstMarker = map.shapes.findIndex((s) => s.marker !== null);
    assert.ok(firstMarker > 0);
    assert.ok(map.shapes.slice(firstMarker).every((s) => s.marker !== null));
  });

  it('scales with the width', () => {
    const small = buildWorldMap(topology, { width: 480 });
    assert.equal(small.width, 480);
    assert.ok(Math.abs(small.height * 2 - map.height) <= 6, `${small.height} vs ${map.height}`);
  });
});

describe('Europe map', () => {
  const europe = buildWorldMap(topology, { view: 'europe' });

  it('is landscape, no globe outline, and only nearby countries', () => {
    assert.equal(europe.view, 'europe');
    assert.equal(europe.sphere, null);
    assert.ok(europe.height > 450 && europe.height < 900, `height ${europe.height}`);
    const parties = new Set(europe.shapes.map((s) => s.party));
    for (const code of ['FR', 'DE', 'IS', 'PT', 'FI', 'TR', 'UA', 'GE', 'CY']) assert.ok(parties.has(code), code);
    for (const code of ['US', 'JP', 'AU', 'BR', 'ZA']) assert.ok(!parties.has(code), code);
  });

  it('small states still get a marker, within the frame', () => {
    for (const code of ['MT', 'MC', 'LI', 'SM', 'AD', 'VA']) {
      const shape = europe.shapes.find((s) => s.party === code);
      assert.ok(shape?.marker, code);
      assert.ok(shape.marker.x > 0 && shape.marker.x < europe.width && shape.marker.y > 0 && shape.marker.y < europe.height, code);
    }
    assert.equal(europe.shapes.find((s) => s.party === 'LU')?.marker, null, 'Luxembourg is visible in the Europe view');
  });
});
