import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKnowledgeBase } from './knowledge-base.js';
import { DataError } from './participation.js';
import { parseReservationsCsv, RESERVATIONS_HEADER, reservationApplies, reservationPeriod, splitArticle } from './reservations.js';

const parties = new Set(['AT', 'CZ', 'JP', 'RS']);
const HEADER = RESERVATIONS_HEADER.join(',');
const AT = 'AT,ETS185,29(4),reservation,2012-10-01,,"Austria refuses preservation without dual criminality.",https://example.org/at,true,note';

function expectError(row: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    parseReservationsCsv([HEADER, AT, row].join('\n') + '\n', 'reservations.csv', parties);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DataError, `expected a DataError for ${row}`);
  assert.equal(caught.line, 3);
  for (const f of fragments) assert.ok(caught.message.includes(f), `${caught.message} should mention ${f}`);
}

describe('parseReservationsCsv', () => {
  it('reads a row: id from instrument and article, citation split into article and paragraph, period', () => {
    const [r] = parseReservationsCsv([HEADER, AT].join('\n'), 'reservations.csv', parties);
    assert.ok(r);
    assert.equal(r.id, 'ETS185-29(4)');
    assert.deepEqual([r.citation.article, r.citation.paragraph, r.citation.verified], ['29', '4', true]);
    assert.equal(r.from, '2012-10-01');
    assert.equal(r.until, undefined);
    assert.equal(reservationPeriod(r), 'since 2012-10-01');
  });

  it('splits articles as the citations expect', () => {
    assert.deepEqual(splitArticle('7(9)(a)'), { article: '7', paragraph: '9(a)' });
    assert.deepEqual(splitArticle('14(3)(b)'), { article: '14', paragraph: '3(b)' });
    assert.deepEqual(splitArticle('2'), { article: '2' });
  });

  it('rejects a bad row naming the line and the value', () => {
    expectError('XX,ETS185,29(4),reservation,,,x,https://example.org,true,', 'unknown party', 'XX');
    expectError('CZ,ETS999,29(4),reservation,,,x,https://example.org,true,', 'unknown instrument');
    expectError('CZ,ETS185,29(4),objection,,,x,https://example.org,true,', 'unknown kind');
    expectError('CZ,ETS185,29(4),reservation,2019-02-30,,x,https://example.org,true,', 'invalid from date');
    expectError('CZ,ETS185,29(4),reservation,2019-07-05,2013-12-01,x,https://example.org,true,', 'until 2013-12-01 is not after');
    expectError('CZ,ETS185,29(4),reservation,,,,https://example.org,true,', 'empty summary');
    expectError('CZ,ETS185,29(4),reservation,,,x,ftp://example.org,true,', 'invalid source_url');
    expectError('CZ,ETS185,29(4),reservation,,,x,https://example.org,yes,', 'verified "yes"');
    expectError('AT,ETS185,29(4),reservation,,,x,https://example.org,true,', 'duplicate reservation');
    expectError('CZ,ETS185,article 29,reservation,,,x,https://example.org,true,', 'invalid article');
  });

  it('applies from its start to the day before its withdrawal (Budapest Art. 43(1))', () => {
    const [cz] = parseReservationsCsv([HEADER, 'CZ,ETS185,29(4),reservation,2013-12-01,2019-07-05,x,https://example.org,true,'].join('\n'), 'r.csv', parties);
    assert.ok(cz);
    assert.deepEqual(['2013-11-30', '2013-12-01', '2019-07-04', '2019-07-05'].map((d) => reservationApplies(cz, d)), [false, true, true, false]);
    assert.equal(reservationPeriod(cz), '2013-12-01 – 2019-07-05 (withdrawn)');
  });
});

describe('--data DIR with reservations.csv', () => {
  it('replaces the built-in reservations; a bad file is rejected with its line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-reservations-'));
    try {
      writeFileSync(join(dir, 'participation.csv'), readFileSync(new URL('./data/participation.csv', import.meta.url)));
      writeFileSync(join(dir, 'reservations.csv'), [HEADER, 'CZ,ETS185,29(4),reservation,2013-12-01,,"Czechia keeps it (hypothetical).",https://example.org/cz,false,'].join('\n') + '\n');
      const kb = loadKnowledgeBase({ dataDir: dir });
      assert.equal(kb.reservations.length, 1);
      assert.equal(kb.reservationsSource, join(dir, 'reservations.csv'));
      writeFileSync(join(dir, 'reservations.csv'), [HEADER, 'CZ,ETS185,29(4),reservation,2013-12-01,,x,https://example.org/cz,maybe,'].join('\n') + '\n');
      assert.throws(() => loadKnowledgeBase({ dataDir: dir }), (err: unknown) => err instanceof DataError && err.line === 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
