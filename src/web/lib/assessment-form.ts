/**
 * The requested side's assessment form, without the DOM: one question per refusal ground the
 * legal basis allows (as /api/law/bases filters them for the case), each answered yes/no with a
 * note, and a decision with written reasons, conditions and the scope of a partial execution.
 * The checks are the server's (src/cases/assessment.ts assessmentIssues; assessment-form.test.ts
 * compares them): every ground answered, reasons of at least a sentence for a refusal, a
 * postponement or a partial execution (Budapest Art. 27(7)), a refusal resting on a ground that
 * applies, the scope of a partial execution stated. Pure.
 */
import type { CaseEvent } from '../../cases/workflow';
import type { RefusalGround } from './bases';

export const DECISIONS = ['accept', 'postpone', 'refuse', 'execute-partially'] as const;
export type Decision = (typeof DECISIONS)[number];

/** The workflow event that records each decision. */
export const DECISION_EVENT: Readonly<Record<Decision, CaseEvent>> = {
  accept: 'accept',
  postpone: 'postpone',
  refuse: 'refuse',
  'execute-partially': 'execute-partially',
};

export interface GroundAnswer {
  ground: string;
  /** null: not answered yet. */
  applies: boolean | null;
  note: string;
}

export interface AssessmentForm {
  grounds: GroundAnswer[];
  decision: Decision | '';
  reasons: string;
  /** One condition per line. */
  conditions: string;
  partialScope: string;
}

/** A problem with one field of the form; `message` is an i18n key under `assessment.errors`. */
export interface AssessmentIssue {
  field: string;
  message: string;
}

/** Reasons must be at least a sentence (the server's threshold). */
export const MIN_REASONS = 20;

/** A blank form with one unanswered question per ground (each ground once). */
export function emptyAssessment(grounds: readonly RefusalGround[]): AssessmentForm {
  const ids = [...new Set(grounds.map((g) => g.ground))];
  return { grounds: ids.map((ground) => ({ ground, applies: null, note: '' })), decision: '', reasons: '', conditions: '', partialScope: '' };
}

export function conditionLines(form: Pick<AssessmentForm, 'conditions'>): string[] {
  return form.conditions
    .split('\n')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

const written = (text: string) => text.trim().length >= MIN_REASONS;

/** Every problem with the form against the grounds of the basis; empty when it may be sent. */
export function assessmentFormIssues(form: AssessmentForm, grounds: readonly RefusalGround[]): AssessmentIssue[] {
  const issues: AssessmentIssue[] = [];
  for (const answer of form.grounds) {
    if (answer.applies === null) issues.push({ field: `grounds.${answer.ground}`, message: 'answerGround' });
    if (answer.note.length > 5000) issues.push({ field: `grounds.${answer.ground}.note`, message: 'tooLong' });
  }
  for (const id of new Set(grounds.map((g) => g.ground))) {
    if (!form.grounds.some((a) => a.ground === id)) issues.push({ field: `grounds.${id}`, message: 'answerGround' });
  }
  if (form.decision === '') {
    issues.push({ field: 'decision', message: 'chooseDecision' });
    return issues;
  }
  const applying = new Set(form.grounds.filter((a) => a.applies === true).map((a) => a.ground));
  switch (form.decision) {
    case 'refuse':
      if (!written(form.reasons)) issues.push({ field: 'reasons', message: 'reasonsRefusal' });
      if (!grounds.some((g) => applying.has(g.ground) && (g.effect ?? 'refuse') === 'refuse')) issues.push({ field: 'decision', message: 'refusalNeedsGround' });
      break;
    case 'postpone':
      if (!written(form.reasons)) issues.push({ field: 'reasons', message: 'reasonsPostponement' });
      break;
    case 'execute-partially':
      if (!written(form.reasons)) issues.push({ field: 'reasons', message: 'reasonsPartial' });
      if (form.partialScope.trim().length < 3) issues.push({ field: 'partialScope', message: 'partialScope' });
      break;
    case 'accept':
      break;
  }
  if (form.reasons.length > 20000) issues.push({ field: 'reasons', message: 'tooLong' });
  const conditions = conditionLines(form);
  if (conditions.length > 20) issues.push({ field: 'conditions', message: 'tooManyConditions' });
  if (conditions.some((c) => c.length < 3 || c.length > 2000)) issues.push({ field: 'conditions', message: 'conditionLength' });
  return issues;
}

/** The assessment as the API takes it (src/cases/assessment.ts assessmentSchema). */
export interface AssessmentDocument {
  grounds: { ground: string; applies: boolean; note?: string }[];
  decision: Decision;
  reasons?: string;
  conditions: string[];
  partialScope?: string;
}

/** The body of the decision's event: the assessment, and its reasons also as the event's reason (kept in the history). */
export function toAssessment(form: AssessmentForm): { event: CaseEvent; assessment: AssessmentDocument; reason?: string } {
  if (form.decision === '') throw new Error('toAssessment: no decision');
  const reasons = form.reasons.trim();
  const scope = form.partialScope.trim();
  const assessment: AssessmentDocument = {
    grounds: form.grounds.map((a) => ({ ground: a.ground, applies: a.applies === true, ...(a.note.trim() ? { note: a.note.trim() } : {}) })),
    decision: form.decision,
    ...(reasons ? { reasons } : {}),
    conditions: conditionLines(form),
    ...(form.decision === 'execute-partially' && scope ? { partialScope: scope } : {}),
  };
  return { event: DECISION_EVENT[form.decision], assessment, ...(reasons ? { reason: reasons } : {}) };
}
