import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RefusalGround } from './bases';
import { assessmentFormIssues, emptyAssessment, toAssessment, type AssessmentForm, type Decision } from './assessment-form';

const cite = (paragraph: string) => ({ instrument: 'ETS185', article: '29', paragraph, verified: true });
const GROUNDS: RefusalGround[] = [
  { ground: 'political-offence', text: 'A political offence.', effect: 'refuse', citation: cite('5(a)') },
  { ground: 'essential-interests', text: 'Essential interests.', effect: 'refuse', citation: cite('5(b)') },
  { ground: 'prejudice-to-own-investigation', text: 'Only a ground to postpone.', effect: 'postpone', citation: cite('x') },
];

interface Server {
  assessmentIssues(grounds: readonly unknown[], assessment: unknown): { field: string }[];
  assessmentSchema: { parse(v: unknown): unknown };
}

async function server(): Promise<Server> {
  return (await import(new URL('../../cases/assessment.ts', import.meta.url).href)) as Server;
}

const REASONS = 'Execution would prejudice an ongoing domestic investigation of the same servers.';

function answered(applies: Record<string, boolean> = {}): AssessmentForm {
  const form = emptyAssessment(GROUNDS);
  return { ...form, grounds: form.grounds.map((g) => ({ ...g, applies: applies[g.ground] ?? false })) };
}

describe('the assessment form', () => {
  it('asks one question per ground, each once', () => {
    const form = emptyAssessment([...GROUNDS, GROUNDS[0] as RefusalGround]);
    assert.deepEqual(form.grounds.map((g) => [g.ground, g.applies]), [
      ['political-offence', null],
      ['essential-interests', null],
      ['prejudice-to-own-investigation', null],
    ]);
  });

  it('client checks: unanswered grounds and a missing decision', () => {
    const issues = assessmentFormIssues(emptyAssessment(GROUNDS), GROUNDS);
    assert.deepEqual(issues.map((i) => [i.field, i.message]), [
      ['grounds.political-offence', 'answerGround'],
      ['grounds.essential-interests', 'answerGround'],
      ['grounds.prejudice-to-own-investigation', 'answerGround'],
      ['decision', 'chooseDecision'],
    ]);
  });

  it('client checks: a refusal or a postponement needs written reasons; a refusal an applying ground; a partial execution its scope', () => {
    const fields = (form: AssessmentForm) => assessmentFormIssues(form, GROUNDS).map((i) => `${i.field}:${i.message}`);
    assert.deepEqual(fields({ ...answered(), decision: 'accept' }), []);
    assert.deepEqual(fields({ ...answered(), decision: 'refuse', reasons: 'No.' }), ['reasons:reasonsRefusal', 'decision:refusalNeedsGround']);
    assert.deepEqual(fields({ ...answered({ 'prejudice-to-own-investigation': true }), decision: 'refuse', reasons: REASONS }), ['decision:refusalNeedsGround'], 'a postponement ground does not found a refusal');
    assert.deepEqual(fields({ ...answered({ 'essential-interests': true }), decision: 'refuse', reasons: REASONS }), []);
    assert.deepEqual(fields({ ...answered(), decision: 'postpone', reasons: '  short  ' }), ['reasons:reasonsPostponement']);
    assert.deepEqual(fields({ ...answered(), decision: 'postpone', reasons: REASONS }), []);
    assert.deepEqual(fields({ ...answered(), decision: 'execute-partially', reasons: REASONS }), ['partialScope:partialScope']);
    assert.deepEqual(fields({ ...answered(), decision: 'execute-partially', reasons: REASONS, partialScope: 'Subscriber data only.' }), []);
    assert.deepEqual(fields({ ...answered(), decision: 'accept', conditions: 'ok condition\nx' }), ['conditions:conditionLength']);
  });

  it('agree with the server’s assessmentIssues', async () => {
    const s = await server();
    const forms: AssessmentForm[] = [];
    for (const decision of ['accept', 'postpone', 'refuse', 'execute-partially'] as Decision[]) {
      for (const applies of [{}, { 'essential-interests': true }, { 'prejudice-to-own-investigation': true }] as Record<string, boolean>[]) {
        for (const reasons of ['', 'Too short.', REASONS]) {
          for (const partialScope of ['', 'Subscriber data only.']) forms.push({ ...answered(applies), decision, reasons, partialScope });
        }
      }
    }
    const mapped = (field: string, message: string) => (message === 'refusalNeedsGround' ? 'grounds' : field);
    for (const form of forms) {
      const { assessment } = toAssessment(form);
      const server = new Set(s.assessmentIssues(GROUNDS, s.assessmentSchema.parse(assessment)).map((i) => i.field));
      const client = new Set(assessmentFormIssues(form, GROUNDS).map((i) => mapped(i.field, i.message)));
      assert.deepEqual([...client].sort(), [...server].sort(), JSON.stringify(form));
    }
  });

  it('builds the event body: the decision’s event, the assessment, the reasons as the event reason', () => {
    const body = toAssessment({ ...answered({ 'essential-interests': true }), decision: 'refuse', reasons: ` ${REASONS} `, conditions: ' a condition \n\n', partialScope: 'ignored' });
    assert.equal(body.event, 'refuse');
    assert.equal(body.reason, REASONS);
    assert.deepEqual(body.assessment, {
      grounds: [
        { ground: 'political-offence', applies: false },
        { ground: 'essential-interests', applies: true },
        { ground: 'prejudice-to-own-investigation', applies: false },
      ],
      decision: 'refuse',
      reasons: REASONS,
      conditions: ['a condition'],
    });
    assert.equal(toAssessment({ ...answered(), decision: 'execute-partially', reasons: REASONS, partialScope: 'Part.' }).event, 'execute-partially');
    assert.deepEqual(toAssessment({ ...answered(), decision: 'accept' }).reason, undefined);
  });
});
