/**
 * @module http/stats
 * Statistics of an authority's cases, computed from the case tables it may see: counts by
 * state, by measure and counterpart party, the median time from sending to response, and
 * refusals by ground. Only cases of the given authorities count (tenant isolation).
 */
import type { Assessment, CaseContext } from '../cases/index.js';

export interface CaseStatistics {
  total: number;
  byState: Record<string, number>;
  /** Outgoing requests by measure and requested party; incoming by measure and requesting party. */
  outgoing: { measure: string; party: string; count: number }[];
  incoming: { measure: string; party: string; count: number }[];
  /** Median hours from `send` to `respond`, over responded cases; null with none. */
  medianResponseHours: number | null;
  responded: number;
  refusalsByGround: { ground: string; count: number }[];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function caseStatistics(ctx: CaseContext, authorityIds: readonly string[]): Promise<CaseStatistics> {
  const empty: CaseStatistics = { total: 0, byState: {}, outgoing: [], incoming: [], medianResponseHours: null, responded: 0, refusalsByGround: [] };
  if (authorityIds.length === 0) return empty;
  const ids = [...authorityIds];
  const rows = await ctx.db
    .selectFrom('cases')
    .select(['id', 'state', 'measures', 'requesting_authority_id', 'addressee_id', 'requesting_party', 'requested_party', 'assessment'])
    .where((eb) => eb.or([eb('requesting_authority_id', 'in', ids), eb.and([eb('addressee_id', 'in', ids), eb('sent_at', 'is not', null)])]))
    .execute();
  const byState: Record<string, number> = {};
  const outgoing = new Map<string, number>();
  const incoming = new Map<string, number>();
  const refusals = new Map<string, number>();
  for (const row of rows) {
    byState[row.state] = (byState[row.state] ?? 0) + 1;
    const mine = ids.includes(row.requesting_authority_id);
    for (const measure of JSON.parse(row.measures) as string[]) {
      const map = mine ? outgoing : incoming;
      const key = `${measure}|${mine ? row.requested_party : row.requesting_party}`;
      map.set(key, (map.get(key) ?? 0) + 1);
    }
    if (row.assessment) {
      const assessment = JSON.parse(row.assessment) as Assessment;
      if (assessment.decision === 'refuse') for (const g of assessment.grounds) if (g.applies) refusals.set(g.ground, (refusals.get(g.ground) ?? 0) + 1);
    }
  }
  const caseIds = rows.map((r) => r.id);
  const durations: number[] = [];
  if (caseIds.length > 0) {
    const events = await ctx.db.selectFrom('case_events').select(['case_id', 'event', 'at']).where('event', 'in', ['send', 'respond']).where('case_id', 'in', caseIds).execute();
    const sent = new Map<string, string>();
    const responded = new Map<string, string>();
    for (const e of events) (e.event === 'send' ? sent : responded).set(e.case_id, e.at);
    for (const [id, at] of responded) {
      const from = sent.get(id);
      if (from) durations.push((Date.parse(at) - Date.parse(from)) / 3_600_000);
    }
  }
  const list = (map: Map<string, number>) =>
    [...map.entries()].map(([key, count]) => ({ measure: key.split('|')[0] as string, party: key.split('|')[1] as string, count })).sort((a, b) => b.count - a.count || a.measure.localeCompare(b.measure) || a.party.localeCompare(b.party));
  return {
    total: rows.length,
    byState,
    outgoing: list(outgoing),
    incoming: list(incoming),
    medianResponseHours: median(durations),
    responded: durations.length,
    refusalsByGround: [...refusals.entries()].map(([ground, count]) => ({ ground, count })).sort((a, b) => b.count - a.count || a.ground.localeCompare(b.ground)),
  };
}

/** Column names of {@link statisticsCsv}. */
export const STATISTICS_CSV_COLUMNS = ['section', 'key', 'party', 'value'] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a double quote, CR or LF, with inner
 * quotes doubled. Text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, CR
 * first) is prefixed with `'` (OWASP "CSV injection"); numbers are written as they are.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The statistics as CSV (RFC 4180: CRLF line ends, a header row), in one long table
 * `section,key,party,value`, one row per figure:
 *
 * | section | key | party | value |
 * |---|---|---|---|
 * | `total` | | | cases counted |
 * | `responded` | | | cases with a response |
 * | `median-response-hours` | | | median hours from sending to response (empty with none) |
 * | `state` | case state | | cases in that state |
 * | `outgoing` | measure | requested party | outgoing requests |
 * | `incoming` | measure | requesting party | incoming requests |
 * | `refusal-ground` | ground | | refusals on that ground |
 */
export function statisticsCsv(stats: CaseStatistics, stateOrder: readonly string[] = []): string {
  const rows: (string | number | null)[][] = [[...STATISTICS_CSV_COLUMNS]];
  rows.push(['total', '', '', stats.total]);
  rows.push(['responded', '', '', stats.responded]);
  rows.push(['median-response-hours', '', '', stats.medianResponseHours === null ? null : Math.round(stats.medianResponseHours * 100) / 100]);
  const states = [...stateOrder.filter((s) => s in stats.byState), ...Object.keys(stats.byState).filter((s) => !stateOrder.includes(s)).sort()];
  for (const state of states) rows.push(['state', state, '', stats.byState[state] ?? 0]);
  for (const r of stats.outgoing) rows.push(['outgoing', r.measure, r.party, r.count]);
  for (const r of stats.incoming) rows.push(['incoming', r.measure, r.party, r.count]);
  for (const r of stats.refusalsByGround) rows.push(['refusal-ground', r.ground, '', r.count]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
