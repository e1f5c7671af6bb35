/**
 * The requested side's assessment against the refusal grounds of real bases from the knowledge
 * base: every ground answered, none unknown, a refusal resting on an applying ground with
 * written reasons, postponement and partial execution with what they need.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadKnowledgeBase, REFUSAL_GROUND_IDS, type RefusalGround, type RefusalGroundId } from '../law/index.js';
import { assessmentIssues, assessmentSchema, PARTIAL_CITATION, REASONS_CITATION, type Assessment } from './assessment.js';

const kb = loadKnowledgeBase();
const REASONS = 'Execution would prejudice the essential interests of the requested Party.';

function groundsOf(provisionId: string): RefusalGround[] {
  const provision = kb.provisions.find((p) => p.id === provisionId);
  assert.ok(provision, `provision ${provisionId} in the knowledge base`);
  return provision.refusalGrounds;
}

/** Parses like the command does, so defaults (conditions) are applied. */
function assessment(input: Record<string, unknown>): Assessment {
  return assessmentSchema.parse(input);
}

function answers(grounds: readonly RefusalGround[], applying: readonly string[] = []) {
  return [...new Set(grounds.map((g) => g.ground))].map((ground) => ({ ground, applies: applying.includes(ground) }));
}

const fields = (issues: readonly { field: string }[]) => issues.map((i) => i.field).sort();

const BASES_WITH_GROUNDS = ['ETS185:29', 'ETS185:31', 'EU-2023-1543:5(4)', 'CETS224:7', 'CETS224:8', 'EU-2014-41:1'];

describe('assessment against the refusal grounds of the basis', () => {
  for (const id of BASES_WITH_GROUNDS) {
    it(`${id}: every refusal ground must be answered; each unanswered one is named with its citation`, () => {
      const grounds = groundsOf(id);
      assert.ok(grounds.length > 0);
      assert.deepEqual(assessmentIssues(grounds, assessment({ grounds: answers(grounds), decision: 'accept' })), [], 'all answered: sound');
      for (const omitted of grounds) {
        const partial = answers(grounds).filter((a) => a.ground !== omitted.ground);
        const issues = assessmentIssues(grounds, assessment({ grounds: partial, decision: 'accept' }));
        assert.equal(issues.length, 1, `${omitted.ground}: ${JSON.stringify(issues)}`);
        const [issue] = issues;
        assert.equal(issue?.field, `grounds.${omitted.ground}`);
        assert.match(issue?.message ?? '', new RegExp(`answer the refusal ground ${omitted.ground}`));
        assert.deepEqual(issue?.citation, grounds.find((g) => g.ground === omitted.ground)?.citation);
      }
      const none = assessmentIssues(grounds, assessment({ grounds: [], decision: 'accept' }));
      assert.deepEqual(fields(none), [...new Set(grounds.map((g) => `grounds.${g.ground}`))].sort());
    });

    it(`${id}: a ground the basis does not allow is rejected, as is a ground answered twice`, () => {
      const grounds = groundsOf(id);
      const allowed = new Set(grounds.map((g) => g.ground));
      for (const other of REFUSAL_GROUND_IDS.filter((g) => !allowed.has(g))) {
        const issues = assessmentIssues(grounds, assessment({ grounds: [...answers(grounds), { ground: other, applies: false }], decision: 'accept' }));
        assert.deepEqual(fields(issues), [`grounds.${other}`]);
        assert.match(issues[0]?.message ?? '', /is not a ground the legal basis allows: allowed /);
      }
      const first = answers(grounds)[0];
      assert.ok(first);
      const twice = assessmentIssues(grounds, assessment({ grounds: [...answers(grounds), first], decision: 'accept' }));
      assert.deepEqual(fields(twice), [`grounds.${first.ground}`]);
      assert.match(twice[0]?.message ?? '', /answered twice/);
    });
  }

  it('the schema rejects a ground id outside the catalogue and unknown fields', () => {
    assert.equal(assessmentSchema.safeParse({ grounds: [{ ground: 'not-a-ground', applies: true }], decision: 'refuse' }).success, false);
    assert.equal(assessmentSchema.safeParse({ grounds: [], decision: 'accept', unknown: 1 }).success, false);
    assert.equal(assessmentSchema.safeParse({ grounds: [{ ground: 'political-offence', applies: true, extra: 1 }], decision: 'accept' }).success, false);
    assert.equal(assessmentSchema.safeParse({ grounds: [], decision: 'approve' }).success, false);
    assert.deepEqual(assessment({ grounds: [], decision: 'accept' }).conditions, []);
  });

  it('refuse needs written reasons and an applying refusal ground of the basis', () => {
    const grounds = groundsOf('ETS185:29');
    const ok = assessmentIssues(grounds, assessment({ grounds: answers(grounds, ['essential-interests']), decision: 'refuse', reasons: REASONS }));
    assert.deepEqual(ok, []);

    const noReasons = assessmentIssues(grounds, assessment({ grounds: answers(grounds, ['essential-interests']), decision: 'refuse' }));
    assert.deepEqual(fields(noReasons), ['reasons']);
    assert.deepEqual(noReasons[0]?.citation, REASONS_CITATION);
    for (const reasons of ['', ' '.repeat(40), 'No.', '\n\t too short \t\n']) {
      assert.deepEqual(fields(assessmentIssues(grounds, assessment({ grounds: answers(grounds, ['essential-interests']), decision: 'refuse', reasons }))), ['reasons'], JSON.stringify(reasons));
    }

    const noGround = assessmentIssues(grounds, assessment({ grounds: answers(grounds), decision: 'refuse', reasons: REASONS }));
    assert.deepEqual(fields(noGround), ['grounds']);
    assert.match(noGround[0]?.message ?? '', /must rest on a refusal ground/);

    const neither = assessmentIssues(grounds, assessment({ grounds: answers(grounds), decision: 'refuse' }));
    assert.deepEqual(fields(neither), ['grounds', 'reasons']);
  });

  it('refuse cannot rest on a ground the basis does not allow, nor on a ground that only permits postponement', () => {
    const grounds = groundsOf('ETS185:29');
    const foreign = assessmentIssues(grounds, assessment({ grounds: [...answers(grounds), { ground: 'human-rights', applies: true }], decision: 'refuse', reasons: REASONS }));
    assert.deepEqual(fields(foreign), ['grounds', 'grounds.human-rights']);

    const mla = groundsOf('ETS185:31');
    assert.equal(mla.find((g) => g.ground === 'prejudice-to-own-investigation')?.effect, 'postpone');
    const postponeOnly = assessmentIssues(mla, assessment({ grounds: answers(mla, ['prejudice-to-own-investigation']), decision: 'refuse', reasons: REASONS }));
    assert.deepEqual(fields(postponeOnly), ['grounds']);
    assert.deepEqual(assessmentIssues(mla, assessment({ grounds: answers(mla, ['prejudice-to-own-investigation']), decision: 'postpone', reasons: REASONS })), []);
  });

  it('a basis without refusal grounds (EU-2023-1543 Art. 5(3), Budapest Art. 26) accepts an empty checklist and can never refuse', () => {
    for (const id of ['EU-2023-1543:5(3)', 'ETS185:26']) {
      const grounds = groundsOf(id);
      assert.deepEqual(grounds, []);
      assert.deepEqual(assessmentIssues(grounds, assessment({ grounds: [], decision: 'accept' })), []);
      const refusal = assessmentIssues(grounds, assessment({ grounds: [], decision: 'refuse', reasons: REASONS }));
      assert.deepEqual(fields(refusal), ['grounds']);
      const foreign = assessmentIssues(grounds, assessment({ grounds: [{ ground: 'political-offence', applies: false }], decision: 'accept' }));
      assert.match(foreign[0]?.message ?? '', /allowed none/);
    }
  });

  it('postpone needs written reasons, no ground', () => {
    const grounds = groundsOf('EU-2014-41:1');
    assert.deepEqual(fields(assessmentIssues(grounds, assessment({ grounds: answers(grounds), decision: 'postpone' }))), ['reasons']);
    assert.deepEqual(fields(assessmentIssues(grounds, assessment({ grounds: answers(grounds), decision: 'postpone', reasons: '   ' }))), ['reasons']);
    assert.deepEqual(assessmentIssues(grounds, assessment({ grounds: answers(grounds), decision: 'postpone', reasons: REASONS })), []);
  });

  it('partial execution needs written reasons and the scope executed', () => {
    const grounds = groundsOf('EU-2023-1543:5(4)');
    const base = { grounds: answers(grounds), decision: 'execute-partially' };
    assert.deepEqual(fields(assessmentIssues(grounds, assessment(base))), ['partialScope', 'reasons']);
    const noScope = assessmentIssues(grounds, assessment({ ...base, reasons: REASONS }));
    assert.deepEqual(fields(noScope), ['partialScope']);
    assert.deepEqual(noScope[0]?.citation, PARTIAL_CITATION);
    assert.deepEqual(fields(assessmentIssues(grounds, assessment({ ...base, partialScope: 'Subscriber data only.' }))), ['reasons']);
    assert.deepEqual(assessmentIssues(grounds, assessment({ ...base, reasons: REASONS, partialScope: 'Subscriber data only.' })), []);
  });

  it('partial execution with a blank scope is not a stated scope', () => {
    const grounds = groundsOf('EU-2023-1543:5(4)');
    const issues = assessmentIssues(grounds, assessment({ grounds: answers(grounds), decision: 'execute-partially', reasons: REASONS, partialScope: '   ' }));
    assert.deepEqual(fields(issues), ['partialScope']);
  });

  it('accept needs neither reasons nor an applying ground', () => {
    const grounds = groundsOf('CETS224:7');
    assert.deepEqual(assessmentIssues(grounds, assessment({ grounds: answers(grounds), decision: 'accept' })), []);
    assert.deepEqual(assessmentIssues(grounds, assessment({ grounds: answers(grounds, ['essential-interests']), decision: 'accept', conditions: ['Use only for the investigation named.'] })), []);
  });

  it('issues are empty exactly when the model says the assessment is sound (property)', () => {
    const arb = fc.record({
      basis: fc.constantFrom(...BASES_WITH_GROUNDS, 'EU-2023-1543:5(3)'),
      picks: fc.array(fc.record({ ground: fc.constantFrom(...REFUSAL_GROUND_IDS), applies: fc.boolean() }), { maxLength: 12 }),
      decision: fc.constantFrom('accept', 'postpone', 'refuse', 'execute-partially') as fc.Arbitrary<Assessment['decision']>,
      reasons: fc.option(fc.constantFrom(REASONS, '', '   ', 'Too short.', `  ${REASONS}  `), { nil: undefined }),
      partialScope: fc.option(fc.constantFrom('Subscriber data only.', 'abc'), { nil: undefined }),
      fillAll: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ basis, picks, decision, reasons, partialScope, fillAll }) => {
        const grounds = groundsOf(basis);
        const allowed = new Map(grounds.map((g) => [g.ground as RefusalGroundId, g]));
        // Half the time answer every allowed ground first, so sound assessments are generated too.
        // The schema takes at most one answer per ground id in the catalogue.
        const answered = [...(fillAll ? answers(grounds) : []), ...picks].slice(0, REFUSAL_GROUND_IDS.length);
        const input = assessment({ grounds: answered, decision, ...(reasons === undefined ? {} : { reasons }), ...(partialScope === undefined ? {} : { partialScope }) });
        const issues = assessmentIssues(grounds, input);

        const ids = answered.map((a) => a.ground);
        const duplicates = ids.some((g, i) => ids.indexOf(g) !== i);
        const unknown = ids.some((g) => !allowed.has(g as RefusalGroundId));
        const unanswered = [...allowed.keys()].some((g) => !ids.includes(g));
        const written = reasons !== undefined && reasons.trim().length >= 20;
        const refuseGround = answered.some((a) => a.applies && allowed.get(a.ground as RefusalGroundId)?.effect === 'refuse');
        const decisionOk =
          decision === 'accept' ||
          (decision === 'postpone' && written) ||
          (decision === 'refuse' && written && refuseGround) ||
          (decision === 'execute-partially' && written && partialScope !== undefined);
        const sound = !duplicates && !unknown && !unanswered && decisionOk;
        assert.equal(issues.length === 0, sound, JSON.stringify({ basis, answered, decision, reasons, partialScope, issues }));
        for (const issue of issues) assert.match(issue.field, /^(grounds(\.[a-z-]+)?|reasons|partialScope)$/);
      }),
      { numRuns: 1000 },
    );
  });
});
