/**
 * @module cases/assessment
 * The requested side's assessment: a checklist of every refusal ground the chosen basis allows
 * (from the knowledge base), each answered, and a decision with written reasons. A refusal or a
 * postponement without reasons is rejected (Budapest Art. 27(7)); a refusal must rest on a ground
 * the basis allows; partial and conditional execution are recorded (Art. 27(6)).
 */
import { z } from 'zod';
import { REFUSAL_GROUND_IDS, type Citation, type RefusalGround } from '../law/index.js';

export const assessmentSchema = z.strictObject({
  grounds: z
    .array(
      z.strictObject({
        ground: z.enum(REFUSAL_GROUND_IDS),
        applies: z.boolean(),
        note: z.string().max(5000).optional(),
      }),
    )
    .max(REFUSAL_GROUND_IDS.length),
  decision: z.enum(['accept', 'postpone', 'refuse', 'execute-partially']),
  reasons: z.string().max(20000).optional(),
  /** Conditions on execution or use (Budapest Arts 27(6), 28(2)). */
  conditions: z.array(z.string().min(3).max(2000)).max(20).default([]),
  /** What is executed when execution is partial. */
  partialScope: z.string().min(3).max(5000).optional(),
});
export type Assessment = z.output<typeof assessmentSchema>;

export interface AssessmentIssue {
  field: string;
  message: string;
  citation?: Citation;
}

/** Budapest Art. 27(7): reasons for any refusal or postponement; the model Comity applies to every basis. */
export const REASONS_CITATION: Citation = { instrument: 'ETS185', article: '27', paragraph: '7', source: 'https://rm.coe.int/1680081561', verified: true };
/** Budapest Art. 27(6): consider partial or conditional execution before refusing or postponing. */
export const PARTIAL_CITATION: Citation = { instrument: 'ETS185', article: '27', paragraph: '6', source: 'https://rm.coe.int/1680081561', verified: true };

const written = (text: string | undefined): boolean => text !== undefined && text.trim().length >= 20;

/** Every problem with an assessment against the refusal grounds of the basis; empty when sound. */
export function assessmentIssues(grounds: readonly RefusalGround[], assessment: Assessment): AssessmentIssue[] {
  const issues: AssessmentIssue[] = [];
  const allowed = new Map<string, RefusalGround[]>();
  for (const ground of grounds) allowed.set(ground.ground, [...(allowed.get(ground.ground) ?? []), ground]);
  const answered = new Set<string>();
  for (const answer of assessment.grounds) {
    if (answered.has(answer.ground)) issues.push({ field: `grounds.${answer.ground}`, message: `ground ${answer.ground} answered twice` });
    answered.add(answer.ground);
    if (!allowed.has(answer.ground)) {
      issues.push({ field: `grounds.${answer.ground}`, message: `ground ${answer.ground} is not a ground the legal basis allows: allowed ${[...allowed.keys()].join(', ') || 'none'}` });
    }
  }
  for (const [ground, sources] of allowed) {
    if (!answered.has(ground)) issues.push({ field: `grounds.${ground}`, message: `answer the refusal ground ${ground}: ${sources[0]?.text ?? ''}`, ...(sources[0] ? { citation: sources[0].citation } : {}) });
  }
  const applying = assessment.grounds.filter((g) => g.applies).map((g) => allowed.get(g.ground) ?? []).flat();
  switch (assessment.decision) {
    case 'refuse':
      if (!written(assessment.reasons)) issues.push({ field: 'reasons', message: 'a refusal needs written reasons (at least a sentence)', citation: REASONS_CITATION });
      if (!applying.some((g) => g.effect === 'refuse')) issues.push({ field: 'grounds', message: 'a refusal must rest on a refusal ground of the legal basis that applies' });
      break;
    case 'postpone':
      if (!written(assessment.reasons)) issues.push({ field: 'reasons', message: 'a postponement needs written reasons (at least a sentence)', citation: REASONS_CITATION });
      break;
    case 'execute-partially':
      if (!written(assessment.reasons)) issues.push({ field: 'reasons', message: 'partial execution needs written reasons for what is not executed', citation: REASONS_CITATION });
      if ((assessment.partialScope ?? '').trim().length < 3) issues.push({ field: 'partialScope', message: 'state what is executed', citation: PARTIAL_CITATION });
      break;
    case 'accept':
      break;
  }
  return issues;
}
