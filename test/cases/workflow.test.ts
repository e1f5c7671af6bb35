import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase } from '../db/dialects.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import {
  CaseError,
  createAuthority,
  createCase,
  createCaseContext,
  getCase,
  listCases,
  listDeadlines,
  replay,
  transitionCase,
  type Actor,
} from '../../src/cases/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { digest } from '../../src/cases/audit.js';
import { combinedWriteStats } from '../../src/cases/commands.js';

const kb = loadKnowledgeBase();
const fr: Actor = { id: 'alice@fr-ca', authorityId: 'fr-ca' };
const us: Actor = { id: 'bob@us-doj-oia', authorityId: 'us-doj-oia' };
const admin: Actor = { id: 'admin', authorityId: null };

forEachDatabase('case workflow', (target) => {
  async function setup(t: { after(fn: () => Promise<void>): void }, start = '2026-12-01T08:00:00Z') {
    const handle = await target.create(t);
    await handle.migrate();
    let now = new Date(start);
    const ctx = createCaseContext(handle.db, kb, { now: () => now });
    for (const a of DEMO_AUTHORITIES) await createAuthority(ctx, admin, a);
    return { handle, ctx, advance: (ms: number) => (now = new Date(now.getTime() + ms)), setNow: (iso: string) => (now = new Date(iso)) };
  }

  it('a French preservation request to the United States, from draft to closed, with clocks and history', async (t) => {
    const { ctx, advance } = await setup(t);
    const created = await createCase(ctx, fr, preservationRequestFrToUs());
    assert.equal(created.state, 'draft');
    assert.equal(created.requestedParty, 'US');
    await transitionCase(ctx, fr, created.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(ctx, fr, created.id, 'send');
    advance(3_600_000);
    await transitionCase(ctx, us, created.id, 'receive');
    const received = await getCase(ctx, us, created.id);
    const clock = received.deadlines.find((d) => d.deadlineId === 'preservation-minimum');
    assert.ok(clock, 'Budapest Art. 29(7) clock started on receipt');
    assert.equal(clock.timeZone, 'America/New_York');
    assert.equal(clock.status, 'informational');
    await transitionCase(ctx, us, created.id, 'acknowledge');
    await transitionCase(ctx, us, created.id, 'start-assessment');
    await transitionCase(ctx, us, created.id, 'accept', {
      assessment: { grounds: [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }], decision: 'accept' },
    });
    await transitionCase(ctx, us, created.id, 'execute');
    await transitionCase(ctx, us, created.id, 'respond', { response: { summary: 'Data preserved under 18 U.S.C. § 2703(f) until 2027-02-28.' } });
    const closed = await transitionCase(ctx, fr, created.id, 'close');
    assert.equal(closed.state, 'closed');
    const detail = await getCase(ctx, fr, created.id);
    assert.equal(replay(detail.history), detail.state);
    assert.deepEqual(detail.history.map((e) => e.seq), detail.history.map((_, i) => i + 1));
    assert.ok(detail.deleteAfter, 'a deletion date is set when the case ends');
    const audit = await ctx.db.selectFrom('audit_events').select(['action']).where('object_id', '=', created.id).orderBy('seq').execute();
    assert.deepEqual(audit.map((a) => a.action), ['case.create', 'case.approve', 'case.send', 'case.receive', 'case.acknowledge', 'case.start-assessment', 'case.accept', 'case.execute', 'case.respond', 'case.close']);
  });

  it('racing transitions of one case: exactly one wins, the others change nothing', async (t) => {
    const { ctx } = await setup(t);
    const created = await createCase(ctx, fr, preservationRequestFrToUs());
    // On PostgreSQL each approve reads version 1 and then writes one version-checked statement;
    // on SQLite the transactions run one after the other. Either way one commits; the others
    // find the case changed (conflict) or already approved (invalid transition).
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => transitionCase(ctx, fr, created.id, 'approve', { review: DEMO_REVIEW })));
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        assert.ok(outcome.reason instanceof CaseError, String(outcome.reason));
        assert.ok(['conflict', 'invalid-transition'].includes(outcome.reason.code), outcome.reason.code);
      }
    }
    const detail = await getCase(ctx, fr, created.id);
    assert.equal(detail.state, 'approved');
    assert.equal(detail.version, 2);
    assert.deepEqual(detail.history.map((e) => e.event), ['create', 'approve']);
    const audit = await ctx.db.selectFrom('audit_events').select(['action']).where('object_id', '=', created.id).orderBy('seq').execute();
    assert.deepEqual(audit.map((a) => a.action), ['case.create', 'case.approve']);
  });

  it('two processes on one database: a case changed by the other is decided on the stored row', async (t) => {
    if (target.kind === 'pglite') return t.skip('PGlite has one connection: no second process');
    const config = await target.createConfig();
    const [one, other] = [await target.open(config, t), await target.open(config, t)];
    await one.migrate();
    const now = new Date('2026-12-01T08:00:00Z');
    const a = createCaseContext(one.db, kb, { now: () => now });
    const b = createCaseContext(other.db, kb, { now: () => now });
    for (const authority of DEMO_AUTHORITIES) await createAuthority(a, admin, authority);
    // A creates (and, on PostgreSQL, remembers the row it wrote); B approves behind A's back.
    const first = await createCase(a, fr, preservationRequestFrToUs());
    await transitionCase(b, fr, first.id, 'approve', { review: DEMO_REVIEW });
    // A sends: its remembered row still says draft, the stored one approved — the send goes through.
    const sent = await transitionCase(a, fr, first.id, 'send');
    assert.equal(sent.state, 'sent');
    assert.equal(sent.version, 3);
    // A approves a case B approved meanwhile: refused on the stored state, nothing written.
    const second = await createCase(a, fr, preservationRequestFrToUs());
    await transitionCase(b, fr, second.id, 'approve', { review: DEMO_REVIEW });
    await assert.rejects(transitionCase(a, fr, second.id, 'approve', { review: DEMO_REVIEW }), (error: unknown) => error instanceof CaseError && error.code === 'invalid-transition');
    for (const id of [first.id, second.id]) {
      const events = await one.db.selectFrom('case_events').select(['event', 'seq']).where('case_id', '=', id).orderBy('seq').execute();
      const audit = await one.db.selectFrom('audit_events').select(['action', 'before_digest', 'after_digest']).where('object_id', '=', id).orderBy('seq').execute();
      assert.equal(audit.length, events.length);
      for (let i = 1; i < audit.length; i += 1) assert.equal(audit[i]?.before_digest, audit[i - 1]?.after_digest, `digest chain of ${id} at ${audit[i]?.action}`);
    }
    const history = await one.db.selectFrom('case_events').select('event').where('case_id', '=', first.id).orderBy('seq').execute();
    assert.deepEqual(history.map((e) => e.event), ['create', 'approve', 'send']);
  });

  it('many requests at once (combined into multi-row statements on PostgreSQL): every case, event and digest as if alone', async (t) => {
    const { ctx } = await setup(t);
    const ids = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const created = await createCase(ctx, fr, preservationRequestFrToUs());
        await transitionCase(ctx, fr, created.id, 'approve', { review: DEMO_REVIEW });
        const sent = await transitionCase(ctx, fr, created.id, 'send');
        assert.equal(sent.state, 'sent');
        return created.id;
      }),
    );
    for (const id of ids) {
      const row = await ctx.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.version, 3);
      const history = await ctx.db.selectFrom('case_events').select(['event', 'seq']).where('case_id', '=', id).orderBy('seq').execute();
      assert.deepEqual(history.map((e) => `${e.seq}:${e.event}`), ['1:create', '2:approve', '3:send']);
      const audit = await ctx.db.selectFrom('audit_events').select(['action', 'before_digest', 'after_digest']).where('object_id', '=', id).orderBy('seq').execute();
      assert.deepEqual(audit.map((a) => a.action), ['case.create', 'case.approve', 'case.send']);
      assert.equal(audit[1]?.before_digest, audit[0]?.after_digest);
      assert.equal(audit[2]?.before_digest, audit[1]?.after_digest);
      assert.equal(audit[2]?.after_digest, digest(row), 'the last after-digest is the stored row');
    }
    const combined = combinedWriteStats(ctx.db);
    if (target.kind === 'sqlite') assert.equal(combined, undefined);
    else assert.ok(combined !== undefined && combined.combined > 0 && combined.maxBatchSize > 1, JSON.stringify(combined));
  });

  it('cannot leave the draft without safeguards and review; the missing element is named with its citation', async (t) => {
    const { ctx } = await setup(t);
    const req = preservationRequestFrToUs({ safeguards: {}, contents: {} });
    const c = await createCase(ctx, fr, req);
    await assert.rejects(transitionCase(ctx, fr, c.id, 'approve'), (error: unknown) => {
      assert.ok(error instanceof CaseError);
      assert.equal(error.code, 'validation-failed');
      const messages = error.issues.map((i) => i.message).join('\n');
      assert.match(messages, /missing necessity: .*\(ETS185 Art\. 29\(2\)\(e\)\)/);
      assert.match(messages, /grounds justifying the measure \(ETS185 Art\. 15\(2\)\)/);
      assert.match(messages, /independent review/);
      return true;
    });
    const after = await getCase(ctx, fr, c.id);
    assert.equal(after.state, 'draft');
    assert.equal(after.version, 1);
  });

  it('sending validates the basis against the engine at that moment', async (t) => {
    const { ctx } = await setup(t);
    // CETS 224 Art. 7 is not in force on 2026-12-01: the case can be drafted and approved, not sent.
    const contents = { ...preservationRequestFrToUs().contents, 'supporting-information': 'Domestic grounds: Code de procédure pénale art. 60-1; penalties: 3 years; the provider hosts the account.' };
    const c = await createCase(ctx, fr, preservationRequestFrToUs({ legalBasis: 'CETS224:8', measures: ['subscriber-info'], contents }));
    await assert.rejects(transitionCase(ctx, fr, c.id, 'approve', { review: DEMO_REVIEW }).then(() => transitionCase(ctx, fr, c.id, 'send')), (error: unknown) => {
      assert.ok(error instanceof CaseError);
      assert.match(error.issues.map((i) => i.message).join('\n'), /CETS224:8 is not an applicable basis for subscriber-info from FR to US on 2026-12-01: CETS224: not in force/);
      return true;
    });
    assert.equal((await getCase(ctx, fr, c.id)).state, 'approved');
  });

  it('an invalid transition is rejected and changes nothing; a refusal needs reasons and an applicable ground', async (t) => {
    const { ctx } = await setup(t);
    const c = await createCase(ctx, fr, preservationRequestFrToUs());
    await assert.rejects(transitionCase(ctx, us, c.id, 'receive'), /cannot receive a case that is draft/);
    await transitionCase(ctx, fr, c.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(ctx, fr, c.id, 'send');
    await transitionCase(ctx, us, c.id, 'receive');
    await transitionCase(ctx, us, c.id, 'acknowledge');
    await transitionCase(ctx, us, c.id, 'start-assessment');
    const grounds = [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }];
    await assert.rejects(transitionCase(ctx, us, c.id, 'refuse', { assessment: { grounds, decision: 'refuse' } }), /needs written reasons/);
    await assert.rejects(
      transitionCase(ctx, us, c.id, 'refuse', { assessment: { grounds, decision: 'refuse', reasons: 'We simply do not want to help with this investigation.' } }),
      (error: unknown) => error instanceof CaseError && /must rest on a refusal ground/.test(error.issues.map((i) => i.message).join()),
    );
    await assert.rejects(transitionCase(ctx, us, c.id, 'accept', { assessment: { grounds: grounds.slice(0, 1), decision: 'accept' } }), (error: unknown) => error instanceof CaseError && /answer the refusal ground essential-interests/.test(error.issues.map((i) => i.message).join()));
    const refused = await transitionCase(ctx, us, c.id, 'refuse', {
      assessment: { grounds: [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: true, note: 'critical infrastructure' }], decision: 'refuse', reasons: 'Execution would prejudice essential interests: the server belongs to a critical infrastructure operator.' },
    });
    assert.equal(refused.state, 'refused');
    const all = await listCases(ctx, { authorityIds: ['us-doj-oia'] });
    assert.equal(all.total, 1);
  });

  it('EPOC deadlines: 10 days in the provider’s zone, suspended during clarification, escalated once when overdue', async (t) => {
    const { ctx, advance } = await setup(t, '2026-12-01T08:00:00Z');
    await createAuthority(ctx, admin, { id: 'de-provider', party: 'DE', kind: 'service-provider', name: 'Beispiel Cloud GmbH', timeZone: 'Europe/Berlin', languages: ['de', 'en'] });
    const req = preservationRequestFrToUs({
      requestingAuthority: 'fr-parquet-paris',
      addressee: 'de-provider',
      measures: ['subscriber-info'],
      legalBasis: 'EU-2023-1543:5(3)',
      contents: {},
    });
    const frp: Actor = { id: 'carol@fr-parquet-paris', authorityId: 'fr-parquet-paris' };
    const de: Actor = { id: 'dan@de-provider', authorityId: 'de-provider' };
    const c = await createCase(ctx, frp, req);
    await transitionCase(ctx, frp, c.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(ctx, frp, c.id, 'send');
    await transitionCase(ctx, de, c.id, 'receive');
    let [epoc] = (await getCase(ctx, de, c.id)).deadlines;
    assert.equal(epoc?.deadlineId, 'epoc-production');
    assert.equal(epoc?.dueAt, '2026-12-11T23:00:00.000Z', 'end of 11 December in Berlin');
    await transitionCase(ctx, de, c.id, 'acknowledge');
    await transitionCase(ctx, de, c.id, 'start-assessment');
    await transitionCase(ctx, de, c.id, 'request-clarification', { reason: 'The account identifier is ambiguous.' });
    [epoc] = (await getCase(ctx, de, c.id)).deadlines;
    assert.equal(epoc?.status, 'suspended');
    advance(3 * 86_400_000);
    await transitionCase(ctx, frp, c.id, 'answer-clarification', { reason: 'The account is attacker@mail.demo.invalid.' });
    [epoc] = (await getCase(ctx, de, c.id)).deadlines;
    assert.equal(epoc?.status, 'running');
    assert.ok((epoc?.dueAt ?? '') > '2026-12-11T23:00:00.000Z', `suspension extends the deadline: ${epoc?.dueAt}`);
    advance(20 * 86_400_000);
    assert.equal((await listDeadlines(ctx, { overdue: true })).length, 1);
    const { escalateOverdue } = await import('../../src/cases/index.js');
    assert.equal((await escalateOverdue(ctx)).length, 1);
    assert.equal((await escalateOverdue(ctx)).length, 0, 'exactly once');
    const notes = await ctx.db.selectFrom('notifications').select(['authority_id']).execute();
    assert.deepEqual(notes.map((n) => n.authority_id).sort(), ['de-provider', 'fr-parquet-paris']);
  });
});
