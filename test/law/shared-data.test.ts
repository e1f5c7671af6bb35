/**
 * The knowledge base stays in step with the project's research data in shared/data/:
 * - src/law/data/participation.csv is treaty-status.csv, row for row (issue 15);
 * - every row of reservations.csv is loaded, with the same party, instrument, article, kind,
 *   period, source and verified flag (only the user-facing summary may be reworded: research
 *   notes never reach a user).
 * shared/ lies beside the repository (CI copies it there); the test looks for it upward from the
 * repository and skips, saying so, on a machine that has none.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKnowledgeBase, reservationApplies } from '../../src/law/index.js';
import { parseCsv } from '../../src/law/participation.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function findShared(): string | null {
  const fromEnv = process.env.COMITY_SHARED_DIR;
  if (fromEnv && existsSync(join(fromEnv, 'data', 'treaty-status.csv'))) return join(fromEnv, 'data');
  for (let dir = repo; ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'data');
    if (existsSync(join(candidate, 'treaty-status.csv'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

const shared = findShared();
const skip = shared === null ? 'shared/data not found beside the repository (set COMITY_SHARED_DIR)' : false;
const lines = (text: string): string[] => text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');

describe('in step with shared/data', { skip }, () => {
  it('participation.csv equals treaty-status.csv', () => {
    const ours = lines(readFileSync(join(repo, 'src/law/data/participation.csv'), 'utf8'));
    const theirs = lines(readFileSync(join(shared as string, 'treaty-status.csv'), 'utf8'));
    const missing = theirs.filter((l) => !ours.includes(l));
    const extra = ours.filter((l) => !theirs.includes(l));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    assert.equal(ours.length, theirs.length);
  });

  it('every row of reservations.csv is loaded with its party, article, kind, period, source and verified flag', () => {
    const kb = loadKnowledgeBase();
    const [header, ...rows] = parseCsv(readFileSync(join(shared as string, 'reservations.csv'), 'utf8'), 'reservations.csv');
    assert.deepEqual(header?.fields.slice(0, 9), ['iso2', 'instrument', 'article', 'kind', 'from', 'until', 'summary', 'source_url', 'verified']);
    assert.ok(rows.length >= 10);
    for (const { fields, line } of rows) {
      const [iso2, instrument, article, kind, from, until, , source, verified] = fields as string[];
      const match = kb.reservations.find(
        (r) =>
          r.party === iso2 &&
          r.instrument === instrument &&
          r.kind === kind &&
          (r.from ?? '') === from &&
          (r.until ?? '') === until &&
          r.citation.source === source &&
          String(r.citation.verified) === verified &&
          (article === '' ? r.id.endsWith(`-unspecified-${iso2}`) : r.id === `${instrument}-${article}`),
      );
      assert.ok(match, `reservations.csv line ${line} (${iso2} ${instrument} ${article}) is not loaded as such`);
    }
    assert.equal(kb.reservations.length, rows.length);
    // Austria's Art. 29(4) reservation applies today; Czechia's was withdrawn on 2019-07-05.
    const at = kb.reservations.find((r) => r.party === 'AT');
    const cz = kb.reservations.find((r) => r.party === 'CZ');
    assert.ok(at && cz && reservationApplies(at, '2026-12-01') && !reservationApplies(cz, '2026-12-01'));
  });
});
