/**
 * @module provider/report
 * What a provider's node shows about the orders it received: the inbox (every order with the
 * result of each check) and the transparency report — orders by issuing State, instrument, data
 * category and outcome, and the time to answer — as JSON and CSV, plus the figures Reg.
 * 2023/1543 Art. 28 asks the authorities to collect (`data/provider-path.json`, unverified).
 *
 * Outcome of an order: `quarantined` (failed a check: never answerable), else from its case's
 * history — `answered` (data produced or sent), `refused` (refused, impossibility or objection
 * reported), `pending`. Response time: from receipt to the first answering event.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { providerPathRules } from '../law/provider-path.js';
import type { Checks, QuarantineReason } from './reasons.js';

/** Case events that answer an order with data, and those that close it without data (eorder may add its own names). */
export const ANSWER_EVENTS = ['respond', 'execute', 'execute-partially', 'produce', 'preserve'] as const;
export const REFUSAL_EVENTS = ['refuse', 'report-impossibility', 'object', 'withdraw', 'lapse'] as const;
export const OUTCOMES = ['answered', 'refused', 'pending', 'quarantined'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ProviderOrder {
  id: string;
  messageId: string | null;
  orderRef: string | null;
  caseId: string | null;
  receivedAt: string;
  senderNode: string | null;
  issuingAuthority: string | null;
  issuingParty: string | null;
  provider: string;
  instrument: string | null;
  orderKind: string | null;
  category: string | null;
  emergency: boolean;
  issuedAt: string | null;
  status: 'verified' | 'quarantined';
  reasons: QuarantineReason[];
  checks: Checks;
  dueAt: string | null;
  outcome: Outcome;
  /** Hours from receipt to the first answer, when answered. */
  responseHours: number | null;
  /** Whether a case exists to answer it (only for verified orders). */
  answerable: boolean;
}

/** Every order received for `providers` (the caller's authorities), newest first. */
export async function listProviderOrders(db: Kysely<Database>, providers: readonly string[], options: { status?: 'verified' | 'quarantined'; limit?: number } = {}): Promise<ProviderOrder[]> {
  if (providers.length === 0) return [];
  let query = db.selectFrom('provider_orders').selectAll().where('provider_authority_id', 'in', [...providers]);
  if (options.status !== undefined) query = query.where('status', '=', options.status);
  const rows = await query.orderBy('received_at', 'desc').limit(options.limit ?? 1000).execute();
  const caseIds = rows.filter((r) => r.status === 'verified' && r.conversation_id !== null).map((r) => r.conversation_id as string);
  const events = caseIds.length === 0 ? [] : await db.selectFrom('case_events').select(['case_id', 'event', 'at']).where('case_id', 'in', caseIds).orderBy('at').execute();
  const cases = caseIds.length === 0 ? [] : await db.selectFrom('cases').select(['id', 'addressee_id']).where('id', 'in', caseIds).execute();
  const hasCase = new Set(cases.filter((c) => providers.includes(c.addressee_id)).map((c) => c.id));
  return rows.map((row) => {
    const history = events.filter((e) => e.case_id === row.conversation_id);
    const answer = history.find((e) => (ANSWER_EVENTS as readonly string[]).includes(e.event));
    const refusal = history.find((e) => (REFUSAL_EVENTS as readonly string[]).includes(e.event));
    const outcome: Outcome = row.status === 'quarantined' ? 'quarantined' : answer !== undefined ? 'answered' : refusal !== undefined ? 'refused' : 'pending';
    return {
      id: row.id,
      messageId: row.message_id,
      orderRef: row.order_ref,
      caseId: row.status === 'verified' ? row.conversation_id : null,
      receivedAt: row.received_at,
      senderNode: row.sender_node_id,
      issuingAuthority: row.issuing_authority_id,
      issuingParty: row.issuing_party,
      provider: row.provider_authority_id,
      instrument: row.instrument,
      orderKind: row.order_kind,
      category: row.data_category,
      emergency: row.emergency === 1,
      issuedAt: row.issued_at,
      status: row.status === 'verified' ? 'verified' : 'quarantined',
      reasons: JSON.parse(row.reasons) as QuarantineReason[],
      checks: JSON.parse(row.checks) as Checks,
      dueAt: row.due_at,
      outcome,
      responseHours: answer === undefined ? null : Math.max(0, (Date.parse(answer.at) - Date.parse(row.received_at)) / 3600_000),
      answerable: row.status === 'verified' && row.conversation_id !== null && hasCase.has(row.conversation_id),
    };
  });
}

export interface TransparencyReport {
  from: string | null;
  to: string | null;
  total: number;
  byOutcome: Record<Outcome, number>;
  byState: { key: string; total: number; answered: number; refused: number; pending: number; quarantined: number }[];
  byInstrument: { key: string; total: number; answered: number; refused: number; pending: number; quarantined: number }[];
  byCategory: { key: string; total: number; answered: number; refused: number; pending: number; quarantined: number }[];
  byReason: { key: string; count: number }[];
  /** Hours from receipt to answer: median and 90th percentile over answered orders (null when none). */
  responseHours: { count: number; median: number | null; p90: number | null };
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[index] as number) * 10) / 10;
}

function groupBy(orders: readonly ProviderOrder[], key: (o: ProviderOrder) => string): TransparencyReport['byState'] {
  const groups = new Map<string, TransparencyReport['byState'][number]>();
  for (const o of orders) {
    const k = key(o);
    const g = groups.get(k) ?? { key: k, total: 0, answered: 0, refused: 0, pending: 0, quarantined: 0 };
    g.total += 1;
    g[o.outcome] += 1;
    groups.set(k, g);
  }
  return [...groups.values()].sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
}

/** The transparency report over orders received between `from` and `to` (ISO dates, inclusive; null: unbounded). */
export function transparencyReport(all: readonly ProviderOrder[], from: string | null = null, to: string | null = null): TransparencyReport {
  const orders = all.filter((o) => (from === null || o.receivedAt.slice(0, 10) >= from) && (to === null || o.receivedAt.slice(0, 10) <= to));
  const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, orders.filter((x) => x.outcome === o).length])) as Record<Outcome, number>;
  const reasons = new Map<string, number>();
  for (const o of orders) for (const r of o.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const times = orders.flatMap((o) => (o.responseHours === null ? [] : [o.responseHours])).sort((a, b) => a - b);
  return {
    from,
    to,
    total: orders.length,
    byOutcome,
    byState: groupBy(orders, (o) => o.issuingParty ?? 'unknown'),
    byInstrument: groupBy(orders, (o) => o.instrument ?? 'unknown'),
    byCategory: groupBy(orders, (o) => o.category ?? 'unknown'),
    byReason: [...reasons.entries()].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
    responseHours: { count: times.length, median: quantile(times, 0.5), p90: quantile(times, 0.9) },
  };
}

function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as one long CSV table (RFC 4180, header row): section,key,outcome,value. */
export function transparencyCsv(report: TransparencyReport): string {
  const lines: (string | number | null)[][] = [['section', 'key', 'outcome', 'value']];
  lines.push(['total', '', '', report.total]);
  for (const outcome of OUTCOMES) lines.push(['outcome', outcome, outcome, report.byOutcome[outcome]]);
  for (const [section, groups] of [['state', report.byState], ['instrument', report.byInstrument], ['category', report.byCategory]] as const) {
    for (const g of groups) {
      lines.push([section, g.key, 'total', g.total]);
      for (const outcome of OUTCOMES) lines.push([section, g.key, outcome, g[outcome]]);
    }
  }
  for (const r of report.byReason) lines.push(['quarantine-reason', r.key, 'quarantined', r.count]);
  lines.push(['response-hours', 'count', 'answered', report.responseHours.count]);
  lines.push(['response-hours', 'median', 'answered', report.responseHours.median]);
  lines.push(['response-hours', 'p90', 'answered', report.responseHours.p90]);
  return `${lines.map((l) => l.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export interface Art28Figure {
  id: string;
  text: string;
  /** The figure from this node's records, or null when this node does not record it. */
  value: Record<string, number> | number | null;
  note: string | null;
}

/** Reg. 2023/1543 Art. 28 figures, from the orders of that Regulation received here. */
export function art28Statistics(all: readonly ProviderOrder[], year: number): { year: number; citation: ReturnType<typeof providerPathRules>['art28']['citation']; text: string; figures: Art28Figure[] } {
  const rules = providerPathRules().art28;
  const orders = all.filter((o) => o.instrument === 'EU-2023-1543' && o.receivedAt.startsWith(String(year)));
  const count = (pick: (o: ProviderOrder) => string) => {
    const out: Record<string, number> = {};
    for (const o of orders) out[pick(o)] = (out[pick(o)] ?? 0) + 1;
    return out;
  };
  const situation = (o: ProviderOrder) => (o.emergency ? 'emergency' : 'ordinary');
  const answered = orders.filter((o) => o.outcome === 'answered' && o.responseHours !== null);
  const averages: Record<string, number> = {};
  for (const key of new Set(answered.map((o) => `${o.category ?? 'unknown'}/${situation(o)}`))) {
    const times = answered.filter((o) => `${o.category ?? 'unknown'}/${situation(o)}` === key).map((o) => o.responseHours as number);
    averages[key] = Math.round((times.reduce((a, b) => a + b, 0) / times.length) * 10) / 10;
  }
  const values: Record<string, Pick<Art28Figure, 'value' | 'note'>> = {
    'orders-by-kind-and-category': { value: count((o) => `${o.orderKind ?? 'unknown'}/${o.category ?? 'unknown'}/${situation(o)}`), note: 'orders received by this node (the issuing authorities count the orders they issued)' },
    'emergency-orders': { value: orders.filter((o) => o.emergency).length, note: null },
    fulfilled: { value: count((o) => `${o.outcome === 'answered' ? 'fulfilled' : o.outcome === 'pending' ? 'pending' : 'not-fulfilled'}/${o.category ?? 'unknown'}/${situation(o)}`), note: 'quarantined orders count as not fulfilled' },
    'response-time': { value: averages, note: 'average hours from receipt on this node (the Regulation counts from the issuing of the order)' },
    notifications: { value: null, note: 'not recorded on a provider node: the enforcing authority keeps these' },
    enforcement: { value: null, note: 'not recorded on a provider node' },
    remedies: { value: null, note: 'not recorded on a provider node' },
  };
  return { year, citation: rules.citation, text: rules.text, figures: rules.figures.map((f) => ({ ...f, ...(values[f.id] ?? { value: null, note: null }) })) };
}
