/**
 * Keyset pagination of GET /api/cases: paging with `after` = the previous page's `nextCursor`
 * gives the same cases in the same order as paging with `offset` (issue 10: deep offsets cost a
 * full scan; the cursor reads from the index).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { preservationRequestFrToUs } from '../../src/demo/data.js';
import { assertProblem, buildTestApp, type TestApp } from './harness.js';

describe('GET /api/cases: cursor pages equal offset pages [sqlite]', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(async () => {
    await t?.close();
  });

  it('walks every case once, in the offset order, for the requesting and the requested side', async () => {
    const fr = await t.as('officer@fr.demo');
    for (let i = 0; i < 9; i++) assert.equal((await fr.post('/api/cases', preservationRequestFrToUs({ references: { requesting: `CURSOR-${i}` } }))).statusCode, 201);
    for (const who of ['officer@fr.demo', 'officer@us.demo']) {
      const c = await t.as(who);
      const all = c.get('/api/cases', { query: { limit: '500' } });
      const everything = (await all).json<{ total: number; cases: { id: string }[] }>();
      const byOffset: string[] = [];
      for (let offset = 0; offset < everything.total; offset += 2) byOffset.push(...(await c.get('/api/cases', { query: { limit: '2', offset: String(offset) } })).json<{ cases: { id: string }[] }>().cases.map((x) => x.id));
      const byCursor: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { cases: { id: string }[]; nextCursor: string | null } = (await c.get('/api/cases', { query: { limit: '2', ...(cursor ? { after: cursor } : {}) } })).json();
        byCursor.push(...page.cases.map((x) => x.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(byCursor, byOffset, who);
      assert.deepEqual(byCursor, everything.cases.map((x) => x.id));
    }
    assertProblem(await fr.get('/api/cases', { query: { after: 'bm90LWEtY3Vyc29y' } }), 400, 'invalid-request');
  });
});
