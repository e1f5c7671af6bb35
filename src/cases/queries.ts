/**
 * @module cases/queries
 * Reading cases: one case in full (each read is recorded — who read what, when; CETS 224
 * Art. 14(8) is the model), lists of summaries with filters and paging, and legal clocks that
 * are overdue or due soon.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../db/index.js';
import type { CaseContext, Actor } from './context.js';
import { CaseError } from './errors.js';
import { presentDeadline, presentDetail, presentSummary, type CaseDetail, type CaseSummary, type DeadlineView } from './presenter.js';
import type { CaseState } from './workflow.js';

/** A case in full, with history and clocks. The read is recorded in the same transaction. */
export async function getCase(ctx: CaseContext, actor: Actor, caseId: string, purpose = 'read'): Promise<CaseDetail> {
  return ctx.transaction(async (trx) => {
    const row = await trx.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirst();
    if (!row) throw new CaseError('not-found', `no case ${caseId}`);
    const events = await trx.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
    const deadlines = await trx.selectFrom('case_deadlines').selectAll().where('case_id', '=', caseId).orderBy('due_at').execute();
    await trx.insertInto('case_access').values({ id: ctx.newId(), case_id: caseId, actor: actor.id, action: purpose, at: ctx.now().toISOString() }).execute();
    return presentDetail(row, events, deadlines);
  });
}

const SUMMARY_COLUMNS = [
  'id',
  'reference',
  'state',
  'requesting_authority_id',
  'addressee_id',
  'requesting_party',
  'requested_party',
  'legal_basis',
  'measures',
  'emergency',
  'version',
  'created_at',
  'updated_at',
  'sent_at',
  'received_at',
  'closed_at',
] as const;

export interface ListFilter {
  /** Only cases of these authorities (as requester or addressee). */
  authorityIds?: readonly string[];
  states?: readonly CaseState[];
  limit?: number;
  offset?: number;
  /**
   * Keyset pagination: the `nextCursor` of the previous page. The page holds the cases after that
   * one in the list's order (newest change first, then id), read from the index instead of
   * skipping `offset` rows: a deep page costs what the first one does. Ignores `offset`.
   */
  after?: string;
  /**
   * Issue 16: text searched in the reference (prefix, any case) and in the request (the own
   * reference, identifiers of targets, addressee references — a substring of the stored request).
   */
  search?: string;
  /** Only cases addressed to this authority. */
  addresseeId?: string;
  emergency?: boolean;
  /** Created on or after / before this instant (ISO 8601; a date means its start, UTC). */
  createdFrom?: string;
  createdBefore?: string;
}

/** `%` and `_` taken literally in a LIKE pattern (escape character `\`). */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The position of a case in the list order, as an opaque cursor (base64url of `[updated_at, id]`). */
export function caseCursor(row: { updated_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.updated_at, row.id])).toString('base64url');
}

/** The position a cursor names; `invalid-request` when it is not one. */
export function parseCaseCursor(cursor: string): { updatedAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && value[0].length <= 40 && value[1].length <= 64) {
      return { updatedAt: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new CaseError('invalid-request', 'invalid cursor: pass the nextCursor of the previous page', [{ field: 'after', message: 'a nextCursor value' }]);
}

/** Case summaries, newest change first; `nextCursor` names the last one when more may follow. */
export async function listCases(ctx: CaseContext, filter: ListFilter = {}): Promise<{ total: number; cases: CaseSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const after = filter.after === undefined ? null : parseCaseCursor(filter.after);
  const offset = after ? 0 : Math.max(filter.offset ?? 0, 0);
  const states = filter.states && filter.states.length > 0 ? [...filter.states] : null;
  const search = filter.search?.trim() ?? '';
  const narrow = <Q extends SelectQueryBuilder<Database, 'cases', object>>(query: Q): Q => {
    let q = query;
    if (states) q = q.where('state', 'in', states) as Q;
    if (search !== '') {
      const escaped = likeEscape(search);
      q = q.where((eb) => eb.or([eb('reference', 'like', sql<string>`${`${escaped.toUpperCase()}%`} escape '\\'`), eb('request', 'like', sql<string>`${`%${escaped}%`} escape '\\'`)])) as Q;
    }
    if (filter.addresseeId !== undefined) q = q.where('addressee_id', '=', filter.addresseeId) as Q;
    if (filter.emergency !== undefined) q = q.where('emergency', '=', filter.emergency ? 1 : 0) as Q;
    if (filter.createdFrom !== undefined) q = q.where('created_at', '>=', filter.createdFrom) as Q;
    if (filter.createdBefore !== undefined) q = q.where('created_at', '<', filter.createdBefore) as Q;
    return q;
  };
  const base = () => {
    let query = narrow(ctx.db.selectFrom('cases'));
    // Strictly after the cursor in (updated_at desc, id desc) order.
    if (after) query = query.where((eb) => eb.or([eb('updated_at', '<', after.updatedAt), eb.and([eb('updated_at', '=', after.updatedAt), eb('id', '<', after.id)])]));
    return query;
  };
  const countBase = () => narrow(ctx.db.selectFrom('cases'));
  const withCursor = (total: number, rows: Parameters<typeof presentSummary>[0][]) => {
    const last = rows.at(-1);
    return { total, cases: rows.map(presentSummary), nextCursor: rows.length === limit && last ? caseCursor(last) : null };
  };
  if (!filter.authorityIds) {
    const count = await countBase().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await base().select(SUMMARY_COLUMNS).orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
    return withCursor(Number(count?.n ?? 0), rows);
  }
  const ids = [...filter.authorityIds];
  if (ids.length === 0) return { total: 0, cases: [], nextCursor: null };
  // Two disjoint parts, each read in the order of its own index (authority, updated_at), so a page
  // costs offset + limit rows per part instead of sorting every case of the authority:
  // requested by the authority; or addressed to it once sent (drafts belong to the requesting side).
  const requested = () => base().where('requesting_authority_id', 'in', ids);
  const addressed = () => base().where('addressee_id', 'in', ids).where('sent_at', 'is not', null).where('requesting_authority_id', 'not in', ids);
  const page = (part: typeof requested) => part().select(SUMMARY_COLUMNS).orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(offset + limit).execute();
  const requestedCount = () => countBase().where('requesting_authority_id', 'in', ids);
  const addressedCount = () => countBase().where('addressee_id', 'in', ids).where('sent_at', 'is not', null).where('requesting_authority_id', 'not in', ids);
  const count = async (part: typeof requestedCount) => Number((await part().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
  const [a, b, na, nb] = [await page(requested), await page(addressed), await count(requestedCount), await count(addressedCount)];
  const merged = [...a, ...b].sort((x, y) => (x.updated_at < y.updated_at ? 1 : x.updated_at > y.updated_at ? -1 : x.id < y.id ? 1 : x.id > y.id ? -1 : 0));
  return withCursor(na + nb, merged.slice(offset, offset + limit));
}

export interface DeadlineFilter {
  authorityIds?: readonly string[];
  /** Only deadlines already past (running and due before now). */
  overdue?: boolean;
  /** Only running deadlines due within this many hours from now. */
  dueWithinHours?: number;
}

export interface CaseDeadline extends DeadlineView {
  caseId: string;
  reference: string;
  state: string;
}

/** Running legal clocks, soonest first. */
export async function listDeadlines(ctx: CaseContext, filter: DeadlineFilter = {}): Promise<CaseDeadline[]> {
  const now = ctx.now().toISOString();
  let query = ctx.db
    .selectFrom('case_deadlines')
    .innerJoin('cases', 'cases.id', 'case_deadlines.case_id')
    .selectAll('case_deadlines')
    .select(['cases.reference as reference', 'cases.state as case_state'])
    .where('case_deadlines.status', '=', 'running');
  if (filter.authorityIds) {
    const ids = [...filter.authorityIds];
    if (ids.length === 0) return [];
    query = query.where((eb) => eb.or([eb('cases.requesting_authority_id', 'in', ids), eb('cases.addressee_id', 'in', ids)]));
  }
  if (filter.overdue) query = query.where('case_deadlines.due_at', '<=', now);
  if (filter.dueWithinHours !== undefined) {
    const until = new Date(Date.parse(now) + filter.dueWithinHours * 3_600_000).toISOString();
    query = query.where('case_deadlines.due_at', '>', now).where('case_deadlines.due_at', '<=', until);
  }
  const rows = await query.orderBy('case_deadlines.due_at').orderBy('case_deadlines.id').limit(1000).execute();
  return rows.map((row) => ({ ...presentDeadline(row), caseId: row.case_id, reference: row.reference, state: row.case_state }));
}
