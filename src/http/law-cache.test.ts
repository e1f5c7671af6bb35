/**
 * The matrix cache: the same answer as the legal engine's `cooperationMatrix`, computed once per
 * knowledge-base version and date, without holding the event loop for the whole computation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BasesFinder, cooperationMatrix, loadKnowledgeBase } from '../law/index.js';
import { cooperationMatrixSliced, createMatrixCache, knowledgeBaseVersion } from './law-cache.js';

const kb = loadKnowledgeBase();
const finder = new BasesFinder(kb);

test('the sliced matrix is exactly the engine’s matrix', async () => {
  for (const instrument of ['CETS224', 'EU-2023-1543'] as const) {
    assert.deepEqual(await cooperationMatrixSliced(finder, instrument, '2026-12-01'), cooperationMatrix(finder, instrument, '2026-12-01'));
  }
});

test('a miss yields to the event loop while it computes; a hit is the same text; concurrent misses share one computation', async () => {
  const cache = createMatrixCache(kb, finder);
  let ticks = 0;
  let running = true;
  const tick = (): void => {
    ticks += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const [a, b] = await Promise.all([cache.get('ETS185', '2026-12-01'), cache.get('ETS185', '2026-12-01')]);
  running = false;
  assert.ok(ticks > 10, `other work ran ${ticks} times during the computation`);
  assert.equal(a, b, 'one computation for both');
  assert.equal(cache.size, 1);
  const again = await cache.get('ETS185', '2026-12-01');
  assert.equal(again, a);
  assert.deepEqual(JSON.parse(a.json), cooperationMatrix(finder, 'ETS185', '2026-12-01'));
});

test('the version changes with the knowledge base’s data (--data DIR): no answer crosses versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-kb-'));
  const csv = readFileSync(new URL('../law/data/participation.csv', import.meta.url), 'utf8').split('\n');
  // Drop one participation row: another knowledge base.
  writeFileSync(join(dir, 'participation.csv'), [...csv.slice(0, 2), ...csv.slice(3)].join('\n'));
  const other = loadKnowledgeBase({ dataDir: dir });
  assert.equal(knowledgeBaseVersion(kb), knowledgeBaseVersion(loadKnowledgeBase()), 'the same data: the same version');
  assert.notEqual(knowledgeBaseVersion(other), knowledgeBaseVersion(kb));
});
