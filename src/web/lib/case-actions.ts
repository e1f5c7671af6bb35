/**
 * What the reader may do on a case page now: the events the case allows in its state
 * (`allowedEvents`) that the reader's roles and side may perform (lib/queue.ts EVENT_ROLES, the
 * copy of src/http/policies.ts), which form each needs, whether they may edit the draft, attach
 * files to the response or read the audit trail. Pure.
 */
import { EDITABLE_STATES, type CaseEvent, type CaseState } from '../../cases/workflow';
import type { Role } from '../types';
import { EVENT_ROLES, offeredInWorkspace, sidesOf, type CaseSides, type Reader } from './queue';

/** The form an action needs. */
export type ActionKind =
  /** The record of the independent review (approve). */
  | 'review'
  /** The assessment checklist and decision (accept, postpone, refuse, execute partially). */
  | 'assessment'
  /** Written text is required (clarification, withdrawal, lapse). */
  | 'text'
  /** The answer to the requesting side: a summary and attachments. */
  | 'response'
  /** A confirmation is enough. */
  | 'confirm';

export const ACTION_KIND: Readonly<Record<CaseEvent, ActionKind>> = {
  submit: 'confirm',
  return: 'text',
  reject: 'text',
  approve: 'review',
  send: 'confirm',
  receive: 'confirm',
  acknowledge: 'confirm',
  'start-assessment': 'confirm',
  'request-clarification': 'text',
  'answer-clarification': 'text',
  accept: 'assessment',
  postpone: 'assessment',
  resume: 'confirm',
  refuse: 'assessment',
  'execute-partially': 'assessment',
  execute: 'confirm',
  respond: 'response',
  close: 'confirm',
  withdraw: 'text',
  lapse: 'text',
};

/** Roles that draft requests (src/http/policies.ts DRAFTERS) and that execute them (EXECUTORS). */
export const DRAFTER_ROLES: readonly Role[] = ['drafter', 'central-authority-officer', '24/7-officer'];
export const EXECUTOR_ROLES: readonly Role[] = ['central-authority-officer', '24/7-officer', 'service-provider-agent'];

/** States in which the requested side attaches files to its response (src/cases/attachments.ts). */
export const ATTACHMENT_STATES: readonly CaseState[] = ['accepted', 'partially-executed', 'executed'];

export interface CaseForActions extends CaseSides {
  allowedEvents: readonly CaseEvent[];
}

const hasRole = (reader: Reader, roles: readonly Role[]) => roles.some((r) => reader.roles.includes(r));

/** The events the reader may perform on the case now, in the workflow's order. */
export function myActions(c: CaseForActions, reader: Reader): CaseEvent[] {
  const sides = sidesOf(c, reader);
  return c.allowedEvents.filter((event) => offeredInWorkspace(event, c.state) && sides.includes(EVENT_ROLES[event].side) && hasRole(reader, EVENT_ROLES[event].roles));
}

/** The assessment decisions among the reader's actions (one form offers them together). */
export function myDecisions(actions: readonly CaseEvent[]): CaseEvent[] {
  return actions.filter((e) => ACTION_KIND[e] === 'assessment');
}

/** The requesting authority's drafters may edit a draft (PUT /api/cases/:id). */
export function canEditDraft(c: CaseSides, reader: Reader): boolean {
  return EDITABLE_STATES.has(c.state) && sidesOf(c, reader).includes('requesting') && hasRole(reader, DRAFTER_ROLES);
}

/** The addressee's executors may attach files while the case is accepted or being executed. */
export function canAttach(c: CaseSides, reader: Reader): boolean {
  return ATTACHMENT_STATES.includes(c.state) && sidesOf(c, reader).includes('requested') && hasRole(reader, EXECUTOR_ROLES);
}

/** The audit trail is for auditors and administrators (GET /api/cases/:id/audit). */
export function canReadAudit(reader: Reader): boolean {
  return hasRole(reader, ['auditor', 'administrator']);
}
