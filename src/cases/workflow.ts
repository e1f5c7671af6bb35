/**
 * @module cases/workflow
 * The request workflow of both sides as a pure transition table. A state changes only through
 * an event allowed in that state; the history of events is append-only, and replaying it from
 * `draft` gives the current state.
 *
 * Requesting side: draft → submitted (for review) → approved (independent review recorded) → sent;
 * the reviewer may instead return the draft with comments (submitted → returned, which the drafter
 * edits and submits again) or reject it with reasons (submitted → rejected, final). `approve` is
 * also allowed straight from `draft` for API clients whose review happens outside the node (the
 * workspace's reviewer queue holds only submitted drafts).
 * Requested side: received → acknowledged → in-assessment (⇄ clarification-requested) →
 * accepted | postponed | refused | partially-executed → executed → responded → closed.
 * `withdrawn` (by the requesting side) and `lapsed` (by the clock) end any open case.
 */

export const CASE_STATES = [
  'draft',
  'submitted',
  'returned',
  'rejected',
  'approved',
  'sent',
  'received',
  'acknowledged',
  'in-assessment',
  'clarification-requested',
  'accepted',
  'postponed',
  'refused',
  'partially-executed',
  'executed',
  'responded',
  'closed',
  'withdrawn',
  'lapsed',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_EVENTS = [
  'submit',
  'return',
  'reject',
  'approve',
  'send',
  'receive',
  'acknowledge',
  'start-assessment',
  'request-clarification',
  'answer-clarification',
  'accept',
  'postpone',
  'resume',
  'refuse',
  'execute-partially',
  'execute',
  'respond',
  'close',
  'withdraw',
  'lapse',
] as const;
export type CaseEvent = (typeof CASE_EVENTS)[number];

/** Which side acts on an event. */
export type Side = 'requesting' | 'requested' | 'system';

export const TERMINAL_STATES: ReadonlySet<CaseState> = new Set(['closed', 'withdrawn', 'lapsed', 'rejected']);

interface Transition {
  from: readonly CaseState[];
  to: CaseState;
  side: Side;
  /** A written reason is required (Budapest Art. 27(7): reasons for refusal or postponement). */
  reasonRequired: boolean;
}

const OPEN_STATES = CASE_STATES.filter((s) => !TERMINAL_STATES.has(s));

export const TRANSITIONS: Readonly<Record<CaseEvent, Transition>> = {
  submit: { from: ['draft', 'returned'], to: 'submitted', side: 'requesting', reasonRequired: false },
  /** The reviewer's comments are the reason: what to change before submitting again. */
  return: { from: ['submitted'], to: 'returned', side: 'requesting', reasonRequired: true },
  reject: { from: ['submitted'], to: 'rejected', side: 'requesting', reasonRequired: true },
  approve: { from: ['draft', 'submitted'], to: 'approved', side: 'requesting', reasonRequired: false },
  send: { from: ['approved'], to: 'sent', side: 'requesting', reasonRequired: false },
  receive: { from: ['sent'], to: 'received', side: 'requested', reasonRequired: false },
  acknowledge: { from: ['received'], to: 'acknowledged', side: 'requested', reasonRequired: false },
  'start-assessment': { from: ['acknowledged'], to: 'in-assessment', side: 'requested', reasonRequired: false },
  'request-clarification': { from: ['in-assessment'], to: 'clarification-requested', side: 'requested', reasonRequired: true },
  'answer-clarification': { from: ['clarification-requested'], to: 'in-assessment', side: 'requesting', reasonRequired: true },
  accept: { from: ['in-assessment', 'postponed'], to: 'accepted', side: 'requested', reasonRequired: false },
  postpone: { from: ['in-assessment'], to: 'postponed', side: 'requested', reasonRequired: true },
  resume: { from: ['postponed'], to: 'in-assessment', side: 'requested', reasonRequired: false },
  refuse: { from: ['in-assessment', 'postponed'], to: 'refused', side: 'requested', reasonRequired: true },
  'execute-partially': { from: ['in-assessment', 'accepted'], to: 'partially-executed', side: 'requested', reasonRequired: true },
  execute: { from: ['accepted', 'partially-executed'], to: 'executed', side: 'requested', reasonRequired: false },
  respond: { from: ['executed', 'partially-executed', 'refused'], to: 'responded', side: 'requested', reasonRequired: false },
  close: { from: ['responded'], to: 'closed', side: 'requesting', reasonRequired: false },
  withdraw: { from: OPEN_STATES, to: 'withdrawn', side: 'requesting', reasonRequired: true },
  lapse: { from: OPEN_STATES, to: 'lapsed', side: 'system', reasonRequired: true },
};

export class TransitionError extends Error {
  constructor(
    readonly code: 'invalid-transition' | 'reason-required' | 'unknown-event',
    message: string,
  ) {
    super(message);
    this.name = 'TransitionError';
  }
}

export function isCaseEvent(value: string): value is CaseEvent {
  return (CASE_EVENTS as readonly string[]).includes(value);
}

/** Events allowed in a state. */
export function allowedEvents(state: CaseState): CaseEvent[] {
  return CASE_EVENTS.filter((event) => TRANSITIONS[event].from.includes(state));
}

/** The state after `event`, or a {@link TransitionError}; pure. */
export function nextState(state: CaseState, event: CaseEvent, reason?: string): CaseState {
  // History rows are read back from storage: never trust their event name blindly.
  if (!isCaseEvent(event)) throw new TransitionError('unknown-event', `unknown event ${JSON.stringify(event)}: allowed ${CASE_EVENTS.join(', ')}`);
  const transition = TRANSITIONS[event];
  if (!transition.from.includes(state)) {
    const allowed = allowedEvents(state);
    throw new TransitionError('invalid-transition', `cannot ${event} a case that is ${state}: allowed ${allowed.length ? allowed.join(', ') : 'nothing (the case is closed)'}`);
  }
  if (transition.reasonRequired && (reason === undefined || reason.trim().length < 3)) {
    throw new TransitionError('reason-required', `${event} needs written reasons`);
  }
  return transition.to;
}

/** States in which the requesting side may still edit its request (a draft, or one returned by the reviewer). */
export const EDITABLE_STATES: ReadonlySet<CaseState> = new Set(['draft', 'returned']);

/**
 * History events that record no transition: `create` (the draft is written) and `edit` (the
 * draft is saved again). They appear in a case's history but change no state.
 */
export const RECORD_EVENTS = ['create', 'edit'] as const;
export type RecordEvent = (typeof RECORD_EVENTS)[number];
/** What a history row's `event` may be: a workflow event or a record event. */
export type HistoryEventName = CaseEvent | RecordEvent;

export function isRecordEvent(value: string): value is RecordEvent {
  return (RECORD_EVENTS as readonly string[]).includes(value);
}

/**
 * Replays a history of events from `draft`; throws on the first invalid event. `create` and
 * `edit` rows are skipped (an `edit` outside the draft is invalid), so a case's whole history can
 * be passed as it is stored.
 */
export function replay(events: readonly { event: HistoryEventName; reason?: string | null }[]): CaseState {
  let state: CaseState = 'draft';
  for (const e of events) {
    if (e.event === 'create') continue;
    if (e.event === 'edit') {
      if (!EDITABLE_STATES.has(state)) throw new TransitionError('invalid-transition', `cannot edit a case that is ${state}: only a draft can be edited`);
      continue;
    }
    state = nextState(state, e.event, e.reason ?? undefined);
  }
  return state;
}
