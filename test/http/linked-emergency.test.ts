/**
 * Issue 16 through the API: linked requests in one investigation file (a preservation, then the
 * production request that follows it, carrying its reference), the Budapest Art. 29(7) clock
 * started when preservation is effected, a basis whose channel does not reach the addressee
 * refused before sending (`channel-mismatch`, naming the authority that fits), and the internal
 * target of an emergency. On SQLite and the PostgreSQL family.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CaseFile, CaseSummary, CaseTarget } from '../../src/cases/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { postgresProbe } from '../db/dialects.js';
import { assertProblem, buildTestApp, type TestApp } from './harness.js';

const GROUNDS = [
  { ground: 'political-offence', applies: false },
  { ground: 'essential-interests', applies: false },
];

for (const kind of ['sqlite', ...(postgresProbe.reachable ? ['postgres' as const] : ['pglite' as const])] as const) {
  describe(`linked and emergency requests [${kind}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(kind);
    });
    after(() => t?.close());

    const step = async (who: string, id: string, event: string, body: unknown = {}) => {
      const c = await t.as(who);
      const res = await c.post(`/api/cases/${id}/events/${event}`, body);
      assert.equal(res.statusCode, 200, `${event}: ${res.body}`);
      return res.json<CaseSummary>();
    };

    it('a follow-up carries the earlier reference; both are in one file; the 60-day clock starts when preservation is effected', async () => {
      const officer = await t.as('officer@fr.demo');
      const own = `LINK-${kind}-1`;
      let res = await officer.post('/api/cases', preservationRequestFrToUs({ references: { requesting: own } }));
      assert.equal(res.statusCode, 201, res.body);
      const preservation = res.json<CaseSummary>();
      // An unknown earlier reference is refused, as is another authority's (indistinguishable).
      assertProblem(await officer.post('/api/cases', preservationRequestFrToUs({ references: { requesting: own, follows: 'FR-2026-NOSUCHREF000' } })), 422, 'validation-failed');
      const foreign = (await t.handle.db.selectFrom('cases').select('reference').where('requesting_authority_id', '=', 'de-sta-koeln').executeTakeFirstOrThrow()).reference;
      assertProblem(await officer.post('/api/cases', preservationRequestFrToUs({ references: { requesting: own, follows: foreign } })), 422, 'validation-failed');
      res = await officer.post('/api/cases', preservationRequestFrToUs({ references: { requesting: own, follows: preservation.reference } }));
      assert.equal(res.statusCode, 201, res.body);
      const followUp = res.json<CaseSummary>();
      res = await officer.get(`/api/cases/${followUp.id}/linked`);
      assert.equal(res.statusCode, 200, res.body);
      const file = res.json<{ file: CaseFile }>().file;
      assert.equal(file.ownReference, own);
      assert.deepEqual(
        file.requests.map((r) => [r.reference, r.followsId]),
        [
          [preservation.reference, null],
          [followUp.reference, preservation.id],
        ],
      );
      assert.deepEqual(file.preservationClocks, []);
      // The requested side never reads the requesting side's file.
      assertProblem(await (await t.as('officer@us.demo')).get(`/api/cases/${preservation.id}/linked`), 404, 'not-found');

      // The preservation goes through; executing it effects the preservation: the Art. 29(7) clock starts.
      await step('judge@fr.demo', preservation.id, 'approve', { review: DEMO_REVIEW });
      await step('officer@fr.demo', preservation.id, 'send');
      for (const e of ['receive', 'acknowledge', 'start-assessment']) await step('officer@us.demo', preservation.id, e);
      await step('officer@us.demo', preservation.id, 'accept', { assessment: { grounds: GROUNDS, decision: 'accept' } });
      const executed = await step('officer@us.demo', preservation.id, 'execute');
      const clocks = (await officer.get(`/api/cases/${followUp.id}/linked`)).json<{ file: CaseFile }>().file.preservationClocks;
      assert.equal(clocks.length, 1, 'the 60-day clock of the preservation is on the file');
      const clock = clocks[0]!;
      assert.equal(clock.deadlineId, 'preservation-minimum-effected');
      assert.equal(clock.caseId, preservation.id);
      assert.equal(clock.startedAt, new Date(executed.updatedAt).toISOString());
      const days = (Date.parse(clock.dueAt!) - Date.parse(clock.startedAt)) / 86_400_000;
      assert.ok(days >= 59 && days <= 61, `about 60 days: ${days}`);
    });

    it('a basis whose channel does not reach the addressee is refused before it leaves, naming the addressee that fits', async () => {
      const officer = await t.as('officer@fr.demo');
      // Budapest Art. 35(1)(b) (24/7 network) to the US central authority (office hours).
      let res = await officer.post('/api/cases', preservationRequestFrToUs({ legalBasis: 'ETS185:35(1)(b)', references: { requesting: `MISFIT-${kind}` } }));
      assert.equal(res.statusCode, 201, res.body);
      const misfit = res.json<CaseSummary>();
      for (const [who, event, body] of [
        ['officer@fr.demo', 'submit', {}],
        ['judge@fr.demo', 'approve', { review: DEMO_REVIEW }],
      ] as const) {
        const p = assertProblem(await (await t.as(who)).post(`/api/cases/${misfit.id}/events/${event}`, body), 422, 'channel-mismatch');
        assert.equal(p.issues?.[0]?.field, 'addressee');
        assert.match(p.issues?.[0]?.message ?? '', /24\/7-network/);
        assert.match(p.issues?.[0]?.message ?? '', /us-247/, 'proposes the US 24/7 point of contact');
      }
      const row = await t.handle.db.selectFrom('cases').select(['state', 'version']).where('id', '=', misfit.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { state: 'draft', version: 1 }, 'nothing written');
      // Addressed to the 24/7 point of contact, it goes.
      res = await officer.request('PUT', `/api/cases/${misfit.id}`, { body: preservationRequestFrToUs({ addressee: 'us-247', legalBasis: 'ETS185:35(1)(b)', references: { requesting: `MISFIT-${kind}` } }) });
      assert.equal(res.statusCode, 200, res.body);
      await step('judge@fr.demo', misfit.id, 'approve', { review: DEMO_REVIEW });
      const sent = await step('officer@fr.demo', misfit.id, 'send');
      assert.equal(sent.state, 'sent');
    });

    it('an emergency request carries internal targets: sending within 24 h, answering within 72 h', async () => {
      const officer = await t.as('officer@fr.demo');
      const res = await officer.post(
        '/api/cases',
        preservationRequestFrToUs({ addressee: 'us-247', legalBasis: 'ETS185:35(1)(b)', emergency: { emergency: true, justification: 'A hospital is being extorted now; the attacker’s account may be deleted within hours.' }, references: { requesting: `URGENT-${kind}` } }),
      );
      assert.equal(res.statusCode, 201, res.body);
      const c = res.json<CaseSummary>();
      let targets = (await officer.get(`/api/cases/${c.id}/targets`)).json<{ targets: CaseTarget[] }>().targets;
      assert.equal(targets.length, 1);
      assert.equal(targets[0]?.act, 'send');
      assert.equal(targets[0]?.hours, 24);
      assert.equal(targets[0]?.metAt, null);
      await step('judge@fr.demo', c.id, 'approve', { review: DEMO_REVIEW });
      await step('officer@fr.demo', c.id, 'send');
      await step('poc@us.demo', c.id, 'receive');
      targets = (await officer.get(`/api/cases/${c.id}/targets`)).json<{ targets: CaseTarget[] }>().targets;
      assert.deepEqual(
        targets.map((x) => [x.side, x.act, x.hours, x.metAt !== null]),
        [
          ['requesting', 'send', 24, true],
          ['requested', 'respond', 72, false],
        ],
      );
      // A non-emergency request has none.
      const plain = (await officer.post('/api/cases', preservationRequestFrToUs({ references: { requesting: `PLAIN-${kind}` } }))).json<CaseSummary>();
      assert.deepEqual((await officer.get(`/api/cases/${plain.id}/targets`)).json<{ targets: CaseTarget[] }>().targets, []);
    });
  });
}
