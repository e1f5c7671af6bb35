/**
 * @module cases/clocks
 * Legal clocks applied to a case. The engine gives the deadlines of the chosen basis; they start
 * when the event they run from happens (receipt, the decision), in the time zone of the
 * authority whose clock runs; they stop while a clarification is awaited where the law says so;
 * the act they call for (acknowledgement, decision, service, production) meets them; the end of
 * the case cancels what still runs.
 */
import type { Selectable, Transaction } from 'kysely';
import { dueWithSuspensions } from '../clock/index.js';
import type { CaseDeadlinesTable, CasesTable, Database } from '../db/index.js';
import { computeDeadlines, type Deadline, type InstrumentId, type Measure } from '../law/index.js';
import type { CaseContext } from './context.js';
import type { CaseEvent } from './workflow.js';

/** The case events that perform each act a deadline calls for. */
const ACT_DONE_BY: Readonly<Record<Deadline['act'], readonly CaseEvent[]>> = {
  acknowledgement: ['acknowledge'],
  decision: ['accept', 'refuse', 'postpone', 'execute-partially'],
  service: ['execute', 'execute-partially'],
  production: ['execute', 'execute-partially', 'respond'],
  expiry: [],
};

/** The event that starts deadlines running from each trigger. */
export const STARTED_BY: Partial<Record<CaseEvent, readonly Deadline['runsFrom'][]>> = {
  receive: ['receipt', 'notification'],
  accept: ['decision'],
  // Issue 16: a preservation is effected when the requested side executes it (Budapest Art.
  // 29(7): at least 60 days from then — the window for the MLA request that follows).
  execute: ['preservation-effected'],
  'execute-partially': ['preservation-effected'],
};

const ENDS_CASE: ReadonlySet<CaseEvent> = new Set(['withdraw', 'lapse', 'close']);

function toUtc(iso: string): string {
  return new Date(iso).toISOString();
}

/** Starts the deadlines that run from `event`, for every measure of the case. */
export async function startDeadlines(
  ctx: CaseContext,
  trx: Transaction<Database>,
  row: Selectable<CasesTable>,
  event: CaseEvent,
  at: string,
  authority: { id: string; timeZone: string },
): Promise<void> {
  const runsFrom = STARTED_BY[event];
  if (!runsFrom) return;
  const provision = ctx.kb.provisions.find((p) => p.id === row.legal_basis);
  if (!provision) return;
  const seen = new Set<string>();
  for (const measure of JSON.parse(row.measures) as Measure[]) {
    const result = computeDeadlines(ctx.kb, {
      instrument: provision.instrument as InstrumentId,
      measure,
      received: at,
      emergency: row.emergency === 1,
      timeZone: authority.timeZone,
      runsFrom,
    });
    for (const d of result.deadlines) {
      // Only the chosen provision's clocks, once per case.
      if (d.provision !== provision.id || seen.has(d.id)) continue;
      seen.add(d.id);
      await trx
        .insertInto('case_deadlines')
        .values({
          id: ctx.newId(),
          case_id: row.id,
          authority_id: authority.id,
          deadline_id: d.id,
          provision: d.provision,
          description: d.description,
          kind: d.kind,
          runs_from: d.runsFrom,
          amount: d.period.amount,
          unit: d.period.unit,
          time_zone: authority.timeZone,
          started_at: toUtc(at),
          due_at: toUtc(d.due),
          status: d.kind === 'minimum' ? 'informational' : 'running',
          suspensions: '[]',
          met_at: null,
          overdue_at: null,
          citation: JSON.stringify(d.citation),
          verified: d.verified ? 1 : 0,
        })
        .onConflict((oc) => oc.columns(['case_id', 'deadline_id']).doNothing())
        .execute();
    }
  }
}

function deadlineDefinition(ctx: CaseContext, row: Selectable<CaseDeadlinesTable>): Deadline | undefined {
  return ctx.kb.provisions.find((p) => p.id === row.provision)?.deadlines.find((d) => d.id === row.deadline_id);
}

function recompute(ctx: CaseContext, row: Selectable<CaseDeadlinesTable>, suspensions: { from: string; to: string | null }[]): string | null {
  const provision = ctx.kb.provisions.find((p) => p.id === row.provision);
  const instrument = provision ? ctx.kb.instruments.get(provision.instrument) : undefined;
  const due = dueWithSuspensions(
    row.started_at,
    { amount: row.amount, unit: row.unit as 'hours' | 'days' },
    { timeZone: row.time_zone, dayRule: instrument?.dayPeriodRule.rule ?? 'end-of-last-day' },
    suspensions,
  );
  return due === null ? null : due.toInstant().toString();
}

/**
 * Applies an event to the case's running clocks: meet, suspend, resume or cancel them. `row` is
 * the case as read in this transaction, before the event.
 *
 * A case that was never received has no clocks, so nothing is read for it: deadlines are inserted
 * only by {@link startDeadlines}, for `receive` (which sets `received_at` in the same transaction)
 * and `accept` (reachable only after `receive`); `received_at` is never cleared. This skips the
 * query for every requesting-side event before receipt (approve, send, withdraw).
 */
export async function applyEventToDeadlines(ctx: CaseContext, trx: Transaction<Database>, row: Pick<Selectable<CasesTable>, 'id' | 'received_at'>, event: CaseEvent, at: string): Promise<void> {
  if (row.received_at === null) return;
  const rows = await trx.selectFrom('case_deadlines').selectAll().where('case_id', '=', row.id).where('status', 'in', ['running', 'suspended']).execute();
  for (const deadline of rows) {
    const definition = deadlineDefinition(ctx, deadline);
    const suspensions = JSON.parse(deadline.suspensions) as { from: string; to: string | null }[];
    let update: Partial<Selectable<CaseDeadlinesTable>> | null = null;
    if (definition && ACT_DONE_BY[definition.act].includes(event)) update = { status: 'met', met_at: at };
    else if (ENDS_CASE.has(event)) update = { status: 'cancelled' };
    else if (event === 'request-clarification' && deadline.status === 'running' && definition?.suspendedDuringClarification) {
      const next = [...suspensions, { from: at, to: null }];
      update = { status: 'suspended', suspensions: JSON.stringify(next), due_at: recompute(ctx, deadline, next) };
    } else if (event === 'answer-clarification' && deadline.status === 'suspended') {
      const next = suspensions.map((s) => (s.to === null ? { ...s, to: at } : s));
      update = { status: 'running', suspensions: JSON.stringify(next), due_at: recompute(ctx, deadline, next) };
    }
    if (update) await trx.updateTable('case_deadlines').set(update).where('id', '=', deadline.id).execute();
  }
}
