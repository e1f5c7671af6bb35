/**
 * @module http/stats
 * Statistics of an authority's cases, computed from the case tables it may see: counts by
 * state, by measure and counterpart party, the median time from sending to response, and
 * refusals by ground. Only cases of the given authorities count (tenant isolation). Computed
 * in the database (aggregates, JSON table functions, joins) on SQLite and PostgreSQL alike.
 */
import { sql, type Kysely } from 'kysely';
import type { CaseContext } from '../cases/index.js';
import { sqlFamily } from '../db/dialects/family.js';

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

type Family = 'sqlite' | 'postgres';

/** Rows of an aggregate, as the driver returns them (PostgreSQL counts are bigint strings). */
type Row = Record<string, unknown>;

const num = (value: unknown): number => Number(value);

/**
 * The statistics, computed in the database with aggregates and joins: time and memory do not grow
 * with the number of cases (no list of case ids ever leaves the database; before, every id went
 * into one `IN (…)`, which SQLite refuses beyond 32 766 variables).
 */
/** Issue 16: which cases count. Dates are of sending (or creation, for an unsent draft), UTC. */
export interface StatisticsFilter {
  /** From this instant (inclusive) / before this one. */
  from?: string;
  before?: string;
  /** Legal basis of this instrument (e.g. `ETS185`: bases `ETS185:…`). */
  instrument?: string;
  emergency?: boolean;
}

export async function caseStatistics(ctx: CaseContext, authorityIds: readonly string[], filter: StatisticsFilter = {}): Promise<CaseStatistics> {
  const empty: CaseStatistics = { total: 0, byState: {}, outgoing: [], incoming: [], medianResponseHours: null, responded: 0, refusalsByGround: [] };
  if (authorityIds.length === 0) return empty;
  const family: Family = sqlFamily(ctx.db as unknown as Kysely<unknown>);
  const ids = sql.join([...authorityIds]);
  // Tenant isolation: cases of these authorities, and cases addressed to them once sent.
  const narrow = sql.join(
    [
      sql`1 = 1`,
      ...(filter.from !== undefined ? [sql`coalesce(c.sent_at, c.created_at) >= ${filter.from}`] : []),
      ...(filter.before !== undefined ? [sql`coalesce(c.sent_at, c.created_at) < ${filter.before}`] : []),
      ...(filter.instrument !== undefined ? [sql`c.legal_basis like ${`${filter.instrument.replace(/[\\%_]/g, '')}:%`}`] : []),
      ...(filter.emergency !== undefined ? [sql`c.emergency = ${filter.emergency ? 1 : 0}`] : []),
    ],
    sql` and `,
  );
  const mine = sql`(c.requesting_authority_id in (${ids}) and ${narrow})`;
  // Outgoing requests are sent ones: an unsent draft is not a request to anyone.
  const outgoing = sql`(${mine} and c.sent_at is not null)`;
  const incoming = sql`(c.requesting_authority_id not in (${ids}) and c.addressee_id in (${ids}) and c.sent_at is not null and ${narrow})`;
  const visible = sql`(${mine} or ${incoming})`;
  const measures = family === 'sqlite' ? sql`json_each(c.measures) m` : sql`lateral jsonb_array_elements_text(c.measures::jsonb) as m(value)`;
  const grounds =
    family === 'sqlite'
      ? sql`json_each(c.assessment, '$.grounds') g where json_extract(c.assessment, '$.decision') = 'refuse' and json_extract(g.value, '$.applies') = 1`
      : sql`lateral jsonb_array_elements(c.assessment::jsonb -> 'grounds') as g(value) where c.assessment::jsonb ->> 'decision' = 'refuse' and (g.value ->> 'applies')::boolean`;
  const groundOf = family === 'sqlite' ? sql`json_extract(g.value, '$.ground')` : sql`g.value ->> 'ground'`;
  // Milliseconds from `send` to `respond`, as whole numbers so that both engines agree exactly.
  const elapsedMs =
    family === 'sqlite'
      ? sql`round((unixepoch(r.at, 'subsec') - unixepoch(s.at, 'subsec')) * 1000)`
      : sql`round(extract(epoch from (r.at::timestamptz - s.at::timestamptz)) * 1000)`;
  const responses = sql`cases c join case_events s on s.case_id = c.id and s.event = 'send' join case_events r on r.case_id = c.id and r.event = 'respond' where ${visible}`;

  const [states, out, inc, refusals, respondedRows] = await Promise.all([
    sql<Row>`select c.state as state, count(*) as n from cases c where ${visible} group by c.state`.execute(ctx.db),
    sql<Row>`select m.value as measure, c.requested_party as party, count(*) as n from cases c cross join ${measures} where ${outgoing} group by m.value, c.requested_party`.execute(ctx.db),
    sql<Row>`select m.value as measure, c.requesting_party as party, count(*) as n from cases c cross join ${measures} where ${incoming} group by m.value, c.requesting_party`.execute(ctx.db),
    sql<Row>`select ${groundOf} as ground, count(*) as n from cases c cross join ${grounds} and ${visible} group by 1`.execute(ctx.db),
    sql<Row>`select count(*) as n from ${responses}`.execute(ctx.db),
  ]);
  const responded = num(respondedRows.rows[0]?.n ?? 0);
  let medianResponseHours: number | null = null;
  if (responded > 0) {
    // The median without reading every duration: the middle one or two, by OFFSET in an ordered scan.
    const take = responded % 2 === 1 ? 1 : 2;
    const middle = await sql<Row>`select ${elapsedMs} as ms from ${responses} order by 1 limit ${take} offset ${Math.floor((responded - 1) / 2)}`.execute(ctx.db);
    const values = middle.rows.map((r) => num(r.ms) / 3_600_000);
    medianResponseHours = values.reduce((a, b) => a + b, 0) / values.length;
  }
  const byState: Record<string, number> = {};
  let total = 0;
  for (const r of states.rows) {
    byState[String(r.state)] = num(r.n);
    total += num(r.n);
  }
  const list = (rows: Row[]) =>
    rows.map((r) => ({ measure: String(r.measure), party: String(r.party), count: num(r.n) })).sort((a, b) => b.count - a.count || a.measure.localeCompare(b.measure) || a.party.localeCompare(b.party));
  return {
    total,
    byState,
    outgoing: list(out.rows),
    incoming: list(inc.rows),
    medianResponseHours,
    responded,
    refusalsByGround: refusals.rows.map((r) => ({ ground: String(r.ground), count: num(r.n) })).sort((a, b) => b.count - a.count || a.ground.localeCompare(b.ground)),
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
