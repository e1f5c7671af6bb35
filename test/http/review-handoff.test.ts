/**
 * Issue 16: the review hand-off through the API. A drafter submits a draft; only the reviewer
 * of the requesting authority returns it with comments, rejects it with reasons or approves it
 * with the review record; a submitted draft cannot be edited, a returned one can, and is
 * submitted again; a rejected one is final. On SQLite and the PostgreSQL family.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { replay, type CaseDetail, type CaseSummary } from '../../src/cases/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { postgresProbe } from '../db/dialects.js';
import { assertProblem, buildTestApp, type TestApp } from './harness.js';

for (const kind of ['sqlite', 'pglite', ...(postgresProbe.reachable ? ['postgres' as const] : [])] as const) {
  describe(`review hand-off [${kind}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(kind);
    });
    after(() => t?.close());

    async function draft(reference: string): Promise<CaseSummary> {
      const drafter = await t.as('drafter@fr.demo');
      const res = await drafter.post('/api/cases', preservationRequestFrToUs({ references: { requesting: reference } }));
      assert.equal(res.statusCode, 201, res.body);
      return res.json<CaseSummary>();
    }

    it('submit → return with comments → edit → submit → approve with the review record; history replays', async () => {
      const c = await draft('HANDOFF-1');
      const drafter = await t.as('drafter@fr.demo');
      const judge = await t.as('judge@fr.demo');
      // The reviewer cannot act on a draft that was not submitted… except approve (API clients); return/reject need a submitted draft.
      assertProblem(await judge.post(`/api/cases/${c.id}/events/return`, { reason: 'Too early.' }), 409, 'invalid-transition');
      let res = await drafter.post(`/api/cases/${c.id}/events/submit`, {});
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<CaseSummary>().state, 'submitted');
      // A submitted draft is locked while it is with the reviewer.
      assertProblem(await drafter.request('PUT', `/api/cases/${c.id}`, { body: preservationRequestFrToUs({ references: { requesting: 'HANDOFF-1' } }) }), 409, 'invalid-transition');
      // The drafter is not the reviewer.
      assertProblem(await drafter.post(`/api/cases/${c.id}/events/return`, { reason: 'Self review.' }), 403, 'forbidden');
      // Comments are required to return.
      assertProblem(await judge.post(`/api/cases/${c.id}/events/return`, {}), 422, 'reason-required');
      res = await judge.post(`/api/cases/${c.id}/events/return`, { reason: 'State the date of the investigating judge’s order.' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<CaseSummary>().state, 'returned');
      // Returned: the drafter edits and submits again.
      res = await drafter.request('PUT', `/api/cases/${c.id}`, { body: preservationRequestFrToUs({ references: { requesting: 'HANDOFF-1-B' } }) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<CaseSummary>().state, 'returned');
      assert.equal((await drafter.post(`/api/cases/${c.id}/events/submit`, {})).statusCode, 200);
      res = await judge.post(`/api/cases/${c.id}/events/approve`, { review: { ...DEMO_REVIEW, notes: 'Date added; approved.' } });
      assert.equal(res.statusCode, 200, res.body);
      const detail = (await drafter.get(`/api/cases/${c.id}`)).json<CaseDetail>();
      assert.equal(detail.state, 'approved');
      assert.deepEqual(
        detail.history.map((e) => [e.event, e.fromState, e.toState]),
        [
          ['create', null, 'draft'],
          ['submit', 'draft', 'submitted'],
          ['return', 'submitted', 'returned'],
          ['edit', 'returned', 'returned'],
          ['submit', 'returned', 'submitted'],
          ['approve', 'submitted', 'approved'],
        ],
      );
      const returned = detail.history.find((e) => e.event === 'return');
      assert.equal(returned?.reason, 'State the date of the investigating judge’s order.');
      const approved = detail.history.find((e) => e.event === 'approve');
      assert.ok(approved && approved.actor.length > 0 && approved.at.length > 0, 'who and when');
      assert.equal((approved?.payload as { notes?: string }).notes, 'Date added; approved.');
      assert.equal(replay(detail.history), 'approved');
    });

    it('reject with reasons is final: no edit, no submit, no send', async () => {
      const c = await draft('HANDOFF-2');
      const drafter = await t.as('drafter@fr.demo');
      const judge = await t.as('judge@fr.demo');
      const officer = await t.as('officer@fr.demo');
      assert.equal((await drafter.post(`/api/cases/${c.id}/events/submit`, {})).statusCode, 200);
      assertProblem(await judge.post(`/api/cases/${c.id}/events/reject`, { reason: ' ' }), 422, 'reason-required');
      // An officer (not a reviewer) cannot reject.
      assertProblem(await officer.post(`/api/cases/${c.id}/events/reject`, { reason: 'Not mine to reject.' }), 403, 'forbidden');
      const res = await judge.post(`/api/cases/${c.id}/events/reject`, { reason: 'No coercive measure is justified by these facts.' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<CaseSummary>().state, 'rejected');
      assertProblem(await drafter.post(`/api/cases/${c.id}/events/submit`, {}), 409, 'invalid-transition');
      assertProblem(await drafter.request('PUT', `/api/cases/${c.id}`, { body: preservationRequestFrToUs({ references: { requesting: 'HANDOFF-2' } }) }), 409, 'invalid-transition');
      assertProblem(await officer.post(`/api/cases/${c.id}/events/send`, {}), 409, 'invalid-transition');
    });

    it('the reviewer of another authority sees nothing; the queue query by state lists only submitted drafts', async () => {
      const c = await draft('HANDOFF-3');
      const drafter = await t.as('drafter@fr.demo');
      assert.equal((await drafter.post(`/api/cases/${c.id}/events/submit`, {})).statusCode, 200);
      const judge = await t.as('judge@fr.demo');
      const res = await judge.get('/api/cases', { query: { state: 'submitted' } });
      assert.equal(res.statusCode, 200, res.body);
      const listed = res.json<{ cases: CaseSummary[] }>().cases;
      assert.ok(listed.some((x) => x.id === c.id));
      assert.ok(listed.every((x) => x.state === 'submitted'));
    });
  });
}
