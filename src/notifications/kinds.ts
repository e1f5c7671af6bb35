/**
 * @module notifications/kinds
 * What people are told, as data: each kind of notification, and which case events (by name)
 * raise it, for which side of the case and which roles. An event not in {@link EVENT_KINDS}
 * notifies nobody; a workflow event added later (e.g. the review hand-off's `submit`, `return`,
 * `reject`) slots in with one line here — the database queues every event but drafting
 * (migration 0065).
 */
import type { Role } from '../auth/roles.js';

export const NOTIFICATION_KINDS = [
  'incoming-request',
  'clarification-requested',
  'clarification-answered',
  'decision',
  'answer',
  'review-requested',
  'returned-draft',
  'deadline-due-soon',
  'deadline-overdue',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

const DRAFTING: readonly Role[] = ['drafter', 'central-authority-officer', '24/7-officer'];
const EXECUTING: readonly Role[] = ['central-authority-officer', '24/7-officer', 'service-provider-agent'];
const WORKING: readonly Role[] = ['drafter', 'reviewer', 'central-authority-officer', '24/7-officer', 'service-provider-agent'];

/** Who is told of a case event: the kind, the side of the case whose users hear it, their roles. */
export interface EventNotice {
  kind: NotificationKind;
  side: 'requesting' | 'requested';
  roles: readonly Role[];
}

export const EVENT_KINDS: Readonly<Record<string, EventNotice>> = {
  send: { kind: 'incoming-request', side: 'requested', roles: EXECUTING },
  'request-clarification': { kind: 'clarification-requested', side: 'requesting', roles: DRAFTING },
  'answer-clarification': { kind: 'clarification-answered', side: 'requested', roles: EXECUTING },
  accept: { kind: 'decision', side: 'requesting', roles: DRAFTING },
  refuse: { kind: 'decision', side: 'requesting', roles: DRAFTING },
  postpone: { kind: 'decision', side: 'requesting', roles: DRAFTING },
  'execute-partially': { kind: 'decision', side: 'requesting', roles: DRAFTING },
  execute: { kind: 'answer', side: 'requesting', roles: DRAFTING },
  respond: { kind: 'answer', side: 'requesting', roles: DRAFTING },
  // Review hand-off (issue 16 part A): whichever of these names the workflow uses.
  submit: { kind: 'review-requested', side: 'requesting', roles: ['reviewer'] },
  'submit-for-review': { kind: 'review-requested', side: 'requesting', roles: ['reviewer'] },
  return: { kind: 'returned-draft', side: 'requesting', roles: DRAFTING },
  reject: { kind: 'returned-draft', side: 'requesting', roles: DRAFTING },
};

/** Clocks: the authority whose clock runs and the requesting authority, every working role. */
export const DEADLINE_ROLES: readonly Role[] = WORKING;

/** The e-mail subject of each kind: no reference, no content — only that something waits. */
export const MAIL_SUBJECTS: Readonly<Record<NotificationKind, { en: string; fr: string }>> = {
  'incoming-request': { en: 'Incoming request', fr: 'Demande reçue' },
  'clarification-requested': { en: 'Clarification requested', fr: 'Précisions demandées' },
  'clarification-answered': { en: 'Clarification answered', fr: 'Précisions apportées' },
  decision: { en: 'Decision on a request', fr: 'Décision sur une demande' },
  answer: { en: 'Answer to a request', fr: 'Réponse à une demande' },
  'review-requested': { en: 'Draft submitted for review', fr: 'Projet soumis à validation' },
  'returned-draft': { en: 'Draft returned', fr: 'Projet renvoyé' },
  'deadline-due-soon': { en: 'Deadline due soon', fr: 'Échéance proche' },
  'deadline-overdue': { en: 'Deadline overdue', fr: 'Échéance dépassée' },
};
