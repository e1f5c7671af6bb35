/**
 * @module cases/scheduler
 * Marks overdue legal clocks and escalates them exactly once: the conditional update
 * `SET overdue_at = now WHERE overdue_at IS NULL` lets one scheduler win per deadline, and the
 * notification and audit event are written in the same transaction. State lives in the
 * database, so a restarted scheduler neither repeats nor misses an escalation.
 */
import type { CaseContext } from './context.js';
import { SYSTEM_ACTOR } from './context.js';
import { writeAudit } from './audit.js';
import { forgetExpiredIdempotencyKeys } from './commands.js';

export interface Escalation {
  deadlineId: string;
  caseId: string;
  authorityId: string;
  dueAt: string;
}

/** One pass: every running deadline due at or before now, not yet escalated, is escalated. */
export async function escalateOverdue(ctx: CaseContext, batch = 200): Promise<Escalation[]> {
  const now = ctx.now().toISOString();
  const due = await ctx.db
    .selectFrom('case_deadlines')
    .select(['id', 'case_id', 'authority_id', 'due_at', 'deadline_id', 'description'])
    .where('status', '=', 'running')
    .where('overdue_at', 'is', null)
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .limit(batch)
    .execute();
  const escalated: Escalation[] = [];
  for (const deadline of due) {
    const won = await ctx.transaction(async (trx) => {
      const result = await trx
        .updateTable('case_deadlines')
        .set({ overdue_at: now })
        .where('id', '=', deadline.id)
        .where('overdue_at', 'is', null)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      const c = await trx.selectFrom('cases').select(['reference', 'requesting_authority_id']).where('id', '=', deadline.case_id).executeTakeFirstOrThrow();
      const message = `${c.reference}: ${deadline.deadline_id} was due ${deadline.due_at} — ${deadline.description}`;
      // Both sides learn of it: the authority whose clock ran, and the requesting authority.
      for (const authorityId of new Set([deadline.authority_id, c.requesting_authority_id])) {
        await trx.insertInto('notifications').values({ id: ctx.newId(), authority_id: authorityId, case_id: deadline.case_id, kind: 'deadline-overdue', message, created_at: now, read_at: null }).execute();
      }
      // The people concerned are told (src/notifications), from the queue written here.
      await trx.insertInto('notification_queue').values({ id: ctx.newId(), source: 'deadline', case_id: deadline.case_id, event: 'deadline-overdue', authority_id: deadline.authority_id, created_at: now }).execute();
      await writeAudit(trx, {
        id: ctx.newId(),
        actor: SYSTEM_ACTOR.id,
        action: 'deadline.overdue',
        objectType: 'deadline',
        objectId: deadline.id,
        at: now,
        before: { overdue_at: null },
        after: { overdue_at: now },
        details: { caseId: deadline.case_id, deadline: deadline.deadline_id },
      });
      return true;
    });
    if (won) escalated.push({ deadlineId: deadline.id, caseId: deadline.case_id, authorityId: deadline.authority_id, dueAt: deadline.due_at ?? now });
  }
  return escalated;
}

/** Hours before its due date when a running clock is announced as due soon (once). */
export const DUE_SOON_HOURS = 48;

/**
 * One pass: every running clock due within {@link DUE_SOON_HOURS} and not yet announced is
 * marked (`due_soon_at`, once, by the same conditional update as escalation) and queued for the
 * people concerned in the same transaction. Returns how many were announced.
 */
export async function announceDueSoon(ctx: CaseContext, batch = 200): Promise<number> {
  const now = ctx.now().toISOString();
  const until = new Date(ctx.now().getTime() + DUE_SOON_HOURS * 3_600_000).toISOString();
  const due = await ctx.db
    .selectFrom('case_deadlines')
    .select(['id', 'case_id', 'authority_id'])
    .where('status', '=', 'running')
    .where('due_soon_at', 'is', null)
    .where('overdue_at', 'is', null)
    .where('due_at', '>', now)
    .where('due_at', '<=', until)
    .orderBy('due_at')
    .limit(batch)
    .execute();
  let announced = 0;
  for (const deadline of due) {
    const won = await ctx.transaction(async (trx) => {
      const result = await trx.updateTable('case_deadlines').set({ due_soon_at: now }).where('id', '=', deadline.id).where('due_soon_at', 'is', null).where('status', '=', 'running').executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.insertInto('notification_queue').values({ id: ctx.newId(), source: 'deadline', case_id: deadline.case_id, event: 'deadline-due-soon', authority_id: deadline.authority_id, created_at: now }).execute();
      return true;
    });
    if (won) announced += 1;
  }
  return announced;
}

/**
 * Runs {@link escalateOverdue} every `intervalMs` until stopped, and forgets expired idempotency
 * keys; errors are reported, not thrown.
 */
export function startScheduler(ctx: CaseContext, options: { intervalMs?: number; onError?: (error: unknown) => void; onEscalation?: (e: Escalation[]) => void } = {}): { stop: () => Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (stopped || running) return;
    running = Promise.all([
      escalateOverdue(ctx)
        .then((escalations) => {
          if (escalations.length > 0) options.onEscalation?.(escalations);
        })
        .catch((error: unknown) => options.onError?.(error)),
      announceDueSoon(ctx).catch((error: unknown) => options.onError?.(error)),
      // Independent of the escalation: a failing escalation must not keep expired keys forever.
      forgetExpiredIdempotencyKeys(ctx).catch((error: unknown) => options.onError?.(error)),
    ])
      .then(() => undefined)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs ?? 30_000);
  timer.unref();
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
