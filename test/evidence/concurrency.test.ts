/**
 * Concurrent custody events on one case (parallel downloads) on PostgreSQL, where transactions
 * really run in parallel: every event is recorded, the chain stays one unbroken sequence.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GENESIS_PREV, lineHash } from '../../src/evidence/custody-line.js';
import { listCustody } from '../../src/evidence/index.js';
import { postgresProbe } from '../db/dialects.js';
import { buildTestApp, type TestApp } from '../http/harness.js';
import { acceptedCase, upload } from './fixture.js';

const skip = postgresProbe.reachable ? false : `PostgreSQL did not answer (${postgresProbe.reason})`;

describe('custody under concurrency [postgres]', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('postgres');
  });
  after(() => t?.close());

  it('parallel downloads each get their accessed event, in one unbroken chain', async () => {
    const caseId = await acceptedCase(t, 'CONCURRENT-1');
    const us = await t.as('officer@us.demo');
    const item = await upload(us, caseId, 'log.txt', Buffer.from('x'.repeat(5000)));
    const fr = await t.as('officer@fr.demo');
    const answers = await Promise.all(Array.from({ length: 12 }, () => fr.get(`/api/cases/${caseId}/evidence/${item.id}/content`)));
    assert.deepEqual(answers.map((a) => a.statusCode), Array(12).fill(200));
    const chain = await listCustody(t.cases.db, caseId);
    assert.equal(chain.filter((c) => c.event === 'accessed').length, 12);
    let prev = GENESIS_PREV;
    for (const [i, record] of chain.entries()) {
      const s = JSON.parse(record.line) as { seq: number; prev: string };
      assert.equal(s.seq, i + 1);
      assert.equal(s.prev, prev);
      prev = lineHash(record.line);
    }
  });
});
