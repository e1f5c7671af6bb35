/**
 * /api/stats at scale: 100 000 cases of one authority, on SQLite and PostgreSQL. Before the
 * statistics were computed in the database, every case id went into one SQL `IN (…)` and SQLite
 * refused it beyond 32 766 variables (a 500). The rows are inserted in bulk with SQL (a recursive
 * CTE, generate_series) so that the test takes seconds; the expected figures are computed here
 * from the same formulas, not by the code under test.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { createCaseContext } from '../../src/cases/index.js';
import type { Database } from '../../src/db/index.js';
import { caseStatistics } from '../../src/http/stats.js';
import { testDatabases, type TestDbKind } from '../db/dialects.js';
import { knowledgeBase } from './harness.js';

const N = 100_000;
const REFUSAL = JSON.stringify({ decision: 'refuse', grounds: [{ ground: 'political-offence', applies: true }, { ground: 'essential-interests', applies: false }] });

/** Case i (1…N): responded if i % 3 = 0, sent if 1, draft if 2; two measures when even; refused on one ground when i % 10 = 0; answered i % 100 hours after sending. */
function expected() {
  const byState: Record<string, number> = {};
  const hours: number[] = [];
  let subscriber = 0;
  let refusals = 0;
  let sentOrLater = 0;
  let subscriberSent = 0;
  for (let i = 1; i <= N; i++) {
    const state = i % 3 === 0 ? 'responded' : i % 3 === 1 ? 'sent' : 'draft';
    byState[state] = (byState[state] ?? 0) + 1;
    if (state !== 'draft') sentOrLater += 1;
    if (i % 2 === 0) subscriber += 1;
    if (i % 2 === 0 && state !== 'draft') subscriberSent += 1;
    if (i % 10 === 0) refusals += 1;
    if (state === 'responded') hours.push(i % 100);
  }
  hours.sort((a, b) => a - b);
  const mid = Math.floor(hours.length / 2);
  const median = hours.length % 2 === 1 ? (hours[mid] as number) : ((hours[mid - 1] as number) + (hours[mid] as number)) / 2;
  return { byState, subscriber, subscriberSent, refusals, responded: hours.length, median, sentOrLater };
}

async function seed(db: Kysely<Database>, kind: TestDbKind): Promise<void> {
  const at = '2026-01-01T00:00:00.000Z';
  for (const [id, party, zone] of [['fr-ca', 'FR', 'Europe/Paris'], ['us-doj-oia', 'US', 'America/New_York']] as const) {
    await db.insertInto('authorities').values({ id, party, kind: 'central-authority', name: id, time_zone: zone, languages: '["en"]', contact: '{}', created_at: at }).execute();
  }
  const numbers = kind === 'sqlite' ? sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${sql.lit(N)})` : sql``;
  const from = kind === 'sqlite' ? sql`from n` : sql`from generate_series(1, ${sql.lit(N)}) as n(i)`;
  const text = (expr: ReturnType<typeof sql>) => (kind === 'sqlite' ? sql`cast(${expr} as text)` : sql`(${expr})::text`);
  const respondedAt =
    kind === 'sqlite'
      ? sql`strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01 00:00:00', '+' || (i % 100) || ' hours')`
      : sql`to_char(timestamp '2026-01-01 00:00:00' + (i % 100) * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  await sql`insert into cases (id, reference, requesting_authority_id, addressee_id, requesting_party, requested_party, state, legal_basis, measures, emergency, request, review, assessment, version, created_at, updated_at, sent_at, received_at, closed_at, purpose, retention_days, delete_after, purged_at)
    ${numbers}
    select 'case-' || ${text(sql`i`)}, 'REF-' || ${text(sql`i`)}, 'fr-ca', 'us-doj-oia', 'FR', 'US',
      case i % 3 when 0 then 'responded' when 1 then 'sent' else 'draft' end,
      'ETS185:29',
      case when i % 2 = 0 then '["preservation","subscriber-info"]' else '["preservation"]' end,
      0, null, null,
      case when i % 10 = 0 then ${REFUSAL} else null end,
      1, ${at}, ${at},
      case when i % 3 = 2 then null else ${at} end,
      null, null, 'criminal-investigation', 365, null, null
    ${from}`.execute(db);
  for (const [event, seq, atExpr] of [['send', 1, sql`${at}`], ['respond', 2, respondedAt]] as const) {
    await sql`insert into case_events (id, case_id, seq, event, from_state, to_state, actor, side, at, reason, payload)
      ${numbers}
      select ${event} || '-' || ${text(sql`i`)}, 'case-' || ${text(sql`i`)}, ${seq}, ${event}, null, 'x', 'user:test', 'requesting', ${atExpr}, null, null
      ${from} where i % 3 = 0`.execute(db);
  }
}

for await (const target of testDatabases()) {
  if (target.kind === 'pglite') {
    await target.cleanup();
    continue;
  }
  describe(`statistics of 100 000 cases [${target.kind}]`, () => {
    after(() => target.cleanup());
    it('are computed in the database: the requesting side and the addressee each see their own figures', async () => {
      const handle = await target.create();
      await handle.migrate();
      await seed(handle.db, target.kind);
      const ctx = createCaseContext(handle.db, knowledgeBase());
      const want = expected();
      const fr = await caseStatistics(ctx, ['fr-ca']);
      assert.equal(fr.total, N);
      assert.deepEqual(fr.byState, want.byState);
      // Outgoing requests are sent ones only: unsent drafts are not counted (issue 16).
      assert.deepEqual(fr.outgoing, [
        { measure: 'preservation', party: 'US', count: want.sentOrLater },
        { measure: 'subscriber-info', party: 'US', count: want.subscriberSent },
      ]);
      assert.deepEqual(fr.incoming, []);
      assert.equal(fr.responded, want.responded);
      assert.equal(fr.medianResponseHours, want.median);
      assert.deepEqual(fr.refusalsByGround, [{ ground: 'political-offence', count: want.refusals }]);
      // The addressee sees sent cases only, as incoming requests.
      const us = await caseStatistics(ctx, ['us-doj-oia']);
      assert.equal(us.total, want.sentOrLater);
      assert.deepEqual(us.outgoing, []);
      assert.equal(us.incoming.find((r) => r.measure === 'preservation')?.count, want.sentOrLater);
      assert.equal(us.responded, want.responded);
      // An authority with no case sees nothing.
      assert.deepEqual((await caseStatistics(ctx, ['nobody'])).total, 0);
    });
  });
}
