/**
 * @module cases/event-payload
 * What each workflow event takes besides its reason: `review` for approval, `assessment` for a
 * decision, `response` for the answer — and nothing else. A payload an event does not take is
 * refused instead of being stored in its history (it was stored as given, at any depth, and
 * hashing it for the audit trail could recurse without end). Each payload has a strict schema
 * with bounded depth, lengths and sizes.
 */
import { z } from 'zod';
import { CaseError, zodIssues } from './errors.js';
import type { CaseEvent } from './workflow.js';

/** The answer of the requested side (`respond`): a summary; files travel as attachments. */
export const responseSchema = z.strictObject({
  summary: z.string().trim().min(1).max(20000),
});
export type CaseResponse = z.output<typeof responseSchema>;

export type PayloadField = 'review' | 'assessment' | 'response';

/** The payload field each event takes (events not listed take none). */
export const EVENT_PAYLOAD: Readonly<Partial<Record<CaseEvent, PayloadField>>> = {
  approve: 'review',
  accept: 'assessment',
  postpone: 'assessment',
  refuse: 'assessment',
  'execute-partially': 'assessment',
  respond: 'response',
};

/**
 * Refuses payload fields the event does not take, and parses the response (the review and the
 * assessment are parsed with the law's checks where the event is decided).
 *
 * @throws {CaseError} `invalid-request`.
 */
export function checkEventPayload<T extends { review?: unknown; assessment?: unknown; response?: unknown }>(event: CaseEvent, input: T): T {
  const takes = EVENT_PAYLOAD[event];
  for (const field of ['review', 'assessment', 'response'] as const) {
    if (input[field] !== undefined && field !== takes) {
      throw new CaseError('invalid-request', `${event} takes no ${field}`, [{ field, message: takes ? `${event} takes only ${takes}` : `${event} takes only a reason` }]);
    }
  }
  if (takes === 'response' && input.response !== undefined) {
    const parsed = responseSchema.safeParse(input.response);
    if (!parsed.success) throw new CaseError('invalid-request', 'invalid response', zodIssues(parsed.error).map((i) => ({ ...i, field: `response.${i.field}` })));
    return { ...input, response: parsed.data };
  }
  return input;
}
