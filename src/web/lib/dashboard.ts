/**
 * The dashboard's derived data, pure (tested in dashboard.test.ts): which states to fetch for the
 * queue and the incoming list, the queue itself, and the clocks split into overdue / due soon.
 */
import type { CaseDeadline, CaseState, CaseStatistics, CaseSummary } from '../types';
import { actionableStates, INCOMING_STATES, isIncoming, myNextEvents, type Reader } from './queue';
import { DUE_SOON_HOURS, timeLeft } from './time-left';
import type { CaseEvent } from '../../cases/workflow';

/** How many cases per state the dashboard fetches. */
export const PER_STATE_LIMIT = 50;

/**
 * The states worth fetching: where a case could wait for the reader, or be an open incoming
 * request, and where the statistics say the authority has at least one case.
 */
export function statesToFetch(byState: CaseStatistics['byState'], reader: Reader): CaseState[] {
  const wanted = new Set<CaseState>([...actionableStates(reader), ...(reader.authorityId ? INCOMING_STATES : [])]);
  return [...wanted].filter((state) => (byState[state] ?? 0) > 0);
}

export interface StatePage {
  state: CaseState;
  total: number;
  cases: CaseSummary[];
}

export interface QueueItem {
  case: CaseSummary;
  next: CaseEvent[];
}

export interface DashboardLists {
  queue: QueueItem[];
  incoming: CaseSummary[];
  /** States whose list was cut at {@link PER_STATE_LIMIT}: the dashboard links to the full list. */
  truncated: { state: CaseState; shown: number; total: number }[];
}

const newestFirst = (a: CaseSummary, b: CaseSummary) => b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id);

export function dashboardLists(pages: readonly StatePage[], reader: Reader): DashboardLists {
  const seen = new Set<string>();
  const all: CaseSummary[] = [];
  for (const page of pages) {
    for (const c of page.cases) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      all.push(c);
    }
  }
  all.sort(newestFirst);
  const queue: QueueItem[] = [];
  for (const c of all) {
    const next = myNextEvents(c, reader);
    if (next.length > 0) queue.push({ case: c, next });
  }
  return {
    queue,
    incoming: all.filter((c) => isIncoming(c, reader)),
    truncated: pages.filter((p) => p.total > p.cases.length).map((p) => ({ state: p.state, shown: p.cases.length, total: p.total })),
  };
}

export interface ClockLists {
  overdue: CaseDeadline[];
  dueSoon: CaseDeadline[];
  /** Running clocks due later, then clocks without a due date (suspended). */
  later: CaseDeadline[];
}

/** Running clocks split by urgency, soonest first (the API already sorts by due date). */
export function splitClocks(deadlines: readonly CaseDeadline[], now: number | Date, dueSoonHours = DUE_SOON_HOURS): ClockLists {
  const overdue: CaseDeadline[] = [];
  const dueSoon: CaseDeadline[] = [];
  const later: CaseDeadline[] = [];
  const stopped: CaseDeadline[] = [];
  for (const d of deadlines) {
    if (d.dueAt === null) {
      stopped.push(d);
      continue;
    }
    const left = timeLeft(d.dueAt, now);
    if (left.overdue) overdue.push(d);
    else if (left.ms <= dueSoonHours * 3_600_000) dueSoon.push(d);
    else later.push(d);
  }
  const byDue = (a: CaseDeadline, b: CaseDeadline) => Date.parse(a.dueAt ?? '') - Date.parse(b.dueAt ?? '');
  return { overdue: overdue.sort(byDue), dueSoon: dueSoon.sort(byDue), later: [...later.sort(byDue), ...stopped] };
}
