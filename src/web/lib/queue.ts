/**
 * Whose move is it? The dashboard's "my queue" and "incoming requests", derived from a case's
 * state and the side the reader's authority is on, with the workflow's transition table
 * (src/cases/workflow.ts, shared with the server) and the roles per event (a copy of
 * CASE_EVENT_ROLES in src/http/policies.ts; queue.test.ts checks they agree). Pure.
 */
import { CASE_STATES, TERMINAL_STATES, TRANSITIONS, type CaseEvent, type CaseState } from '../../cases/workflow';
import type { Role } from '../types';

export type CaseSide = 'requesting' | 'requested';

/** Which roles may perform each case event, and for which side (mirror of src/http/policies.ts). */
export const EVENT_ROLES: Readonly<Record<CaseEvent, { side: CaseSide; roles: readonly Role[] }>> = {
  submit: { side: 'requesting', roles: ['drafter', 'central-authority-officer', '24/7-officer'] },
  return: { side: 'requesting', roles: ['reviewer'] },
  reject: { side: 'requesting', roles: ['reviewer'] },
  approve: { side: 'requesting', roles: ['reviewer'] },
  send: { side: 'requesting', roles: ['central-authority-officer', '24/7-officer'] },
  'answer-clarification': { side: 'requesting', roles: ['drafter', 'central-authority-officer', '24/7-officer'] },
  withdraw: { side: 'requesting', roles: ['central-authority-officer', '24/7-officer'] },
  close: { side: 'requesting', roles: ['drafter', 'central-authority-officer', '24/7-officer'] },
  receive: { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  acknowledge: { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  'start-assessment': { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  'request-clarification': { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  accept: { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  postpone: { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  resume: { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  refuse: { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  'execute-partially': { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  execute: { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  respond: { side: 'requested', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'] },
  lapse: { side: 'requested', roles: ['administrator'] },
};

/**
 * Events that are always possible but never "the next step": withdrawing a request, and the
 * clock's lapse. A case is in someone's queue for the events that move it forward.
 */
export const NOT_A_NEXT_STEP: ReadonlySet<CaseEvent> = new Set<CaseEvent>(['withdraw', 'lapse']);

/**
 * The workspace's review hand-off: a reviewer approves, returns or rejects a *submitted* draft
 * only. (The server also accepts `approve` straight from `draft`, for API clients whose review
 * happens outside the node; the workspace never offers it, so unfinished drafts stay out of the
 * reviewer's queue.)
 */
export function offeredInWorkspace(event: CaseEvent, state: CaseState): boolean {
  return !(event === 'approve' && state === 'draft');
}

/** States of a request that reached the addressee and still waits for its answer. */
export const INCOMING_STATES: readonly CaseState[] = [
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
];

export const OPEN_STATES: readonly CaseState[] = CASE_STATES.filter((s) => !TERMINAL_STATES.has(s));

export interface Reader {
  authorityId: string | null;
  roles: readonly Role[];
}

export interface CaseSides {
  state: CaseState;
  requestingAuthorityId: string;
  addresseeId: string;
}

/** The sides of the case the reader's authority is on (both when it asks itself). */
export function sidesOf(c: Pick<CaseSides, 'requestingAuthorityId' | 'addresseeId'>, reader: Reader): CaseSide[] {
  if (reader.authorityId === null) return [];
  const sides: CaseSide[] = [];
  if (c.requestingAuthorityId === reader.authorityId) sides.push('requesting');
  if (c.addresseeId === reader.authorityId) sides.push('requested');
  return sides;
}

function mayPerform(event: CaseEvent, sides: readonly CaseSide[], reader: Reader): boolean {
  const rule = EVENT_ROLES[event];
  return sides.includes(rule.side) && rule.roles.some((r) => reader.roles.includes(r));
}

/** The next steps of the case that the reader may take (empty: not the reader's move). */
export function myNextEvents(c: CaseSides, reader: Reader): CaseEvent[] {
  const sides = sidesOf(c, reader);
  if (sides.length === 0) return [];
  return (Object.keys(TRANSITIONS) as CaseEvent[]).filter((event) => !NOT_A_NEXT_STEP.has(event) && TRANSITIONS[event].from.includes(c.state) && offeredInWorkspace(event, c.state) && mayPerform(event, sides, reader));
}

export function needsMyAction(c: CaseSides, reader: Reader): boolean {
  return myNextEvents(c, reader).length > 0;
}

/** States in which some case could be waiting for the reader (to fetch the queue state by state). */
export function actionableStates(reader: Reader): CaseState[] {
  const states = new Set<CaseState>();
  for (const event of Object.keys(TRANSITIONS) as CaseEvent[]) {
    if (NOT_A_NEXT_STEP.has(event)) continue;
    if (!EVENT_ROLES[event].roles.some((r) => reader.roles.includes(r))) continue;
    for (const state of TRANSITIONS[event].from) if (offeredInWorkspace(event, state)) states.add(state);
  }
  return CASE_STATES.filter((s) => states.has(s));
}

/** A request addressed to the reader's authority (by another one) that is still being handled. */
export function isIncoming(c: CaseSides, reader: Reader): boolean {
  return reader.authorityId !== null && c.addresseeId === reader.authorityId && c.requestingAuthorityId !== reader.authorityId && INCOMING_STATES.includes(c.state);
}
