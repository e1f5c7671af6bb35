import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Insertable } from 'kysely';
import { forEachDatabase } from '../db/dialects.js';
import { createAuthority, createCaseContext } from '../../src/cases/index.js';
import { insertCases, refusedByServer, updateCases, type CaseChangeWrite, type NewCaseWrite } from '../../src/cases/pg-batch.js';
import type { CasesTable } from '../../src/db/index.js';
import { DEMO_AUTHORITIES } from '../../src/demo/data.js';
import { loadKnowledgeBase } from '../../src/law/index.js';

const kb = loadKnowledgeBase();
const AT = '2026-12-01T08:00:00.000Z';

function newCase(id: string, reference = `FR-2026-${id.toUpperCase()}`): NewCaseWrite {
  const c: Insertable<CasesTable> = {
    id, reference, requesting_authority_id: 'fr-ca', addressee_id: 'us-doj-oia', requesting_party: 'FR', requested_party: 'US', state: 'draft',
    legal_basis: 'ETS185:29', measures: '["preservation"]', emergency: 0, request: '{"n":1}', review: null, assessment: null, version: 1,
    created_at: AT, updated_at: AT, sent_at: null, received_at: null, closed_at: null, purpose: 'investigation', retention_days: 365,
    delete_after: null, purged_at: null,
  };
  return {
    c,
    e: { id: `${id}-e1`, case_id: id, seq: 1, event: 'create', from_state: null, to_state: 'draft', actor: 'alice', side: 'requesting', at: AT, reason: null, payload: null },
    a: { id: `${id}-a1`, actor: 'alice', action: 'case.create', object_type: 'case', object_id: id, at: AT, before_digest: null, after_digest: 'd1', details: null },
  };
}

function approve(id: string, version: number): CaseChangeWrite {
  return {
    s: { review: '{"by":"judge"}', state: 'approved', version: version + 1, updated_at: AT },
    w: { id, version },
    e: { id: `${id}-e${version + 1}`, case_id: id, seq: version + 1, event: 'approve', from_state: 'draft', to_state: 'approved', actor: 'alice', side: 'requesting', at: AT, reason: null, payload: null },
    a: { id: `${id}-a${version + 1}`, actor: 'alice', action: 'case.approve', object_type: 'case', object_id: id, at: AT, before_digest: 'd1', after_digest: 'd2', details: null },
  };
}

forEachDatabase('multi-row case writes (PostgreSQL)', (target) => {
  async function setup(t: { after(fn: () => Promise<void>): void }) {
    const handle = await target.create(t);
    await handle.migrate();
    const ctx = createCaseContext(handle.db, kb);
    for (const a of DEMO_AUTHORITIES) await createAuthority(ctx, { id: 'admin', authorityId: null }, a);
    return handle.db;
  }

  it('insert several cases with their events, and change them version-checked: only matching versions change', async (t) => {
    if (target.kind === 'sqlite') return t.skip('PostgreSQL SQL: SQLite runs its writes in a transaction instead');
    const db = await setup(t);
    await insertCases(db, ['c1', 'c2', 'c3'].map((id) => newCase(id)));
    assert.deepEqual((await db.selectFrom('cases').select(['id', 'version']).orderBy('id').execute()).map((r) => [r.id, r.version]), [['c1', 1], ['c2', 1], ['c3', 1]]);
    // c2 is stated at a version it does not have: it alone is left unchanged, with no events.
    const outcomes = await updateCases(db, [approve('c1', 1), approve('c2', 7), approve('c3', 1)]);
    assert.deepEqual(outcomes, [true, false, true]);
    const rows = await db.selectFrom('cases').select(['id', 'state', 'version', 'review']).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => [r.id, r.state, r.version]), [['c1', 'approved', 2], ['c2', 'draft', 1], ['c3', 'approved', 2]]);
    assert.equal(rows[0]?.review, '{"by":"judge"}');
    const events = await db.selectFrom('case_events').select(['case_id', 'seq', 'event']).orderBy('case_id').orderBy('seq').execute();
    assert.deepEqual(events.map((e) => `${e.case_id}:${e.seq}:${e.event}`), ['c1:1:create', 'c1:2:approve', 'c2:1:create', 'c3:1:create', 'c3:2:approve']);
    const audit = await db.selectFrom('audit_events').select(['object_id', 'action']).orderBy('seq').execute();
    assert.deepEqual(audit.filter((a) => a.action === 'case.approve').map((a) => a.object_id).sort(), ['c1', 'c3']);
    // Outcomes follow the order given, whatever order the statement writes the cases in.
    await insertCases(db, ['c4', 'c5'].map((id) => newCase(id)));
    assert.deepEqual(await updateCases(db, [approve('c5', 1), approve('c2', 9), approve('c4', 1)]), [true, false, true]);
  });

  it('a statement that breaks a constraint writes none of its rows', async (t) => {
    if (target.kind === 'sqlite') return t.skip('PostgreSQL SQL');
    const db = await setup(t);
    const refused = await insertCases(db, [newCase('d1', 'SAME'), newCase('d2', 'SAME')]).then(
      () => assert.fail('a duplicate reference must be refused'),
      (error: unknown) => error,
    );
    assert.equal(refusedByServer(refused), true, 'a unique violation is the server refusing the statement');
    assert.equal(refusedByServer(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), false);
    assert.equal((await db.selectFrom('cases').select('id').execute()).length, 0);
    assert.equal((await db.selectFrom('case_events').select('id').execute()).length, 0);
    assert.equal((await db.selectFrom('audit_events').select('id').where('object_type', '=', 'case').execute()).length, 0);
    await assert.rejects(updateCases(db, [{ ...approve('x', 1), a: { ...approve('x', 1).a, object_id: 'y' } }]), /name another case/);
  });
});
