/**
 * @module cases/targets
 * Issue 16: internal target clocks of emergency requests. They are not legal deadlines (those
 * come from the knowledge base, src/cases/clocks.ts) but the node's own service targets, shown
 * and highlighted wherever the case appears: the requesting side sends an emergency request
 * within {@link EMERGENCY_TARGET_HOURS}.send hours of drafting it; the requested side answers
 * within {@link EMERGENCY_TARGET_HOURS}.respond hours of receiving it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { CaseTargetsTable, Database } from '../db/index.js';
import type { CaseEvent } from './workflow.js';

/** Hours of the internal targets (24/7 network practice: hours, not weeks). */
export const EMERGENCY_TARGET_HOURS = { send: 24, respond: 72 } as const;

/** What starts and what meets each side's target. */
const STARTS: Partial<Record<CaseEvent | 'create', { side: CaseTargetsTable['side']; act: CaseTargetsTable['act'] }>> = {
  create: { side: 'requesting', act: 'send' },
  receive: { side: 'requested', act: 'respond' },
};
const MEETS: Partial<Record<CaseEvent, CaseTargetsTable['side']>> = {
  send: 'requesting',
  respond: 'requested',
  refuse: 'requested',
};

/** Starts or meets the internal targets of an emergency case for `event`; nothing for other cases. */
export async function applyEventToTargets(db: Kysely<Database> | Transaction<Database>, caseId: string, emergency: boolean, event: CaseEvent | 'create', at: string): Promise<void> {
  if (!emergency) return;
  const start = STARTS[event];
  if (start) {
    const hours = EMERGENCY_TARGET_HOURS[start.act];
    const due = new Date(Date.parse(at) + hours * 3_600_000).toISOString();
    await db
      .insertInto('case_targets')
      .values({ case_id: caseId, side: start.side, act: start.act, hours, started_at: at, due_at: due, met_at: null })
      .onConflict((oc) => oc.columns(['case_id', 'side']).doNothing())
      .execute();
  }
  const met = event === 'create' ? undefined : MEETS[event];
  if (met) await db.updateTable('case_targets').set({ met_at: at }).where('case_id', '=', caseId).where('side', '=', met).where('met_at', 'is', null).execute();
}

export interface CaseTarget {
  side: CaseTargetsTable['side'];
  act: CaseTargetsTable['act'];
  hours: number;
  startedAt: string;
  dueAt: string;
  metAt: string | null;
}

export async function caseTargets(db: Kysely<Database>, caseId: string): Promise<CaseTarget[]> {
  const rows = await db.selectFrom('case_targets').selectAll().where('case_id', '=', caseId).orderBy('started_at').execute();
  return rows.map((r) => ({ side: r.side, act: r.act, hours: r.hours, startedAt: r.started_at, dueAt: r.due_at, metAt: r.met_at }));
}
