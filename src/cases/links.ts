/**
 * @module cases/links
 * Issue 16: linked requests. Every request belongs to the investigation file of its requesting
 * authority's own reference (`references.requesting`): the file is created with its first
 * request, and a file holds as many requests as the investigation needs — a preservation, then
 * the production request that follows it; the same measure to several providers. A follow-up
 * names the earlier request's reference (`references.follows`); it must be a request of the same
 * authority. The Budapest Art. 29(7) clock of a preservation ("at least 60 days from when it is
 * effected") is shown on the follow-up, so the drafter sees by when the MLA request must arrive.
 *
 * Filing is written after the case (its own small transaction, idempotent): filing again — on
 * the next save, or on reading the file — repairs a case whose filing was interrupted.
 */
import type { Kysely, Selectable } from 'kysely';
import type { CasesTable, Database } from '../db/index.js';
import type { CaseContext } from './context.js';
import { CaseError } from './errors.js';
import type { Request } from './request.js';
import type { CaseState } from './workflow.js';

/** The earlier request a follow-up names: a request of the same requesting authority. */
export async function resolveFollows(db: Kysely<Database>, requestingAuthorityId: string, follows: string | undefined, selfId?: string): Promise<string | null> {
  if (follows === undefined) return null;
  const earlier = await db.selectFrom('cases').select(['id', 'requesting_authority_id']).where('reference', '=', follows).executeTakeFirst();
  // Another authority's request answers exactly like an unknown one (no tenant leak).
  if (earlier === undefined || earlier.requesting_authority_id !== requestingAuthorityId || earlier.id === selfId) {
    throw new CaseError('validation-failed', `no earlier request ${JSON.stringify(follows)} of your authority`, [{ field: 'references.follows', message: 'the reference of an earlier request of your authority (e.g. FR-2026-…)' }]);
  }
  return earlier.id;
}

/** Files the case under its own reference and records the request it follows (idempotent). */
export async function fileCase(ctx: CaseContext, row: Pick<Selectable<CasesTable>, 'id' | 'requesting_authority_id' | 'request'>): Promise<void> {
  if (row.request === null) return;
  const request = JSON.parse(row.request) as Request;
  const ownReference = request.references.requesting;
  const followsId = request.references.follows === undefined ? null : await resolveFollows(ctx.db, row.requesting_authority_id, request.references.follows, row.id).catch(() => null);
  const at = ctx.now().toISOString();
  await ctx.transaction(async (trx) => {
    await trx
      .insertInto('case_files')
      .values({ id: ctx.newId(), authority_id: row.requesting_authority_id, own_reference: ownReference, created_at: at })
      .onConflict((oc) => oc.columns(['authority_id', 'own_reference']).doNothing())
      .execute();
    const file = await trx.selectFrom('case_files').select('id').where('authority_id', '=', row.requesting_authority_id).where('own_reference', '=', ownReference).executeTakeFirstOrThrow();
    await trx
      .insertInto('case_links')
      .values({ case_id: row.id, file_id: file.id, follows_case_id: followsId, linked_at: at })
      .onConflict((oc) => oc.column('case_id').doUpdateSet({ file_id: file.id, follows_case_id: followsId }))
      .execute();
  });
}

export interface LinkedRequest {
  id: string;
  reference: string;
  state: CaseState;
  addresseeId: string;
  legalBasis: string;
  measures: string[];
  emergency: boolean;
  createdAt: string;
  sentAt: string | null;
  /** The id of the request this one follows, if any. */
  followsId: string | null;
}

export interface PreservationClock {
  caseId: string;
  reference: string;
  deadlineId: string;
  provision: string;
  startedAt: string;
  dueAt: string | null;
  description: string;
  citation: unknown;
  verified: boolean;
}

export interface CaseFile {
  ownReference: string;
  requests: LinkedRequest[];
  /** Art. 29(7)-style minimum preservation periods running on requests of the file, counted from when preservation was effected. */
  preservationClocks: PreservationClock[];
}

/** The investigation file of a case: its requests (oldest first) and the preservation clocks. */
export async function caseFile(ctx: CaseContext, row: Pick<Selectable<CasesTable>, 'id' | 'requesting_authority_id' | 'request'>): Promise<CaseFile | null> {
  let link = await ctx.db.selectFrom('case_links').select('file_id').where('case_id', '=', row.id).executeTakeFirst();
  if (link === undefined && row.request !== null) {
    await fileCase(ctx, row);
    link = await ctx.db.selectFrom('case_links').select('file_id').where('case_id', '=', row.id).executeTakeFirst();
  }
  if (link === undefined) return null;
  const file = await ctx.db.selectFrom('case_files').select(['own_reference', 'authority_id']).where('id', '=', link.file_id).executeTakeFirstOrThrow();
  const rows = await ctx.db
    .selectFrom('case_links')
    .innerJoin('cases', 'cases.id', 'case_links.case_id')
    .select(['cases.id', 'cases.reference', 'cases.state', 'cases.addressee_id', 'cases.legal_basis', 'cases.measures', 'cases.emergency', 'cases.created_at', 'cases.sent_at', 'case_links.follows_case_id'])
    .where('case_links.file_id', '=', link.file_id)
    .orderBy('cases.created_at')
    .orderBy('cases.id')
    .execute();
  const requests: LinkedRequest[] = rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    state: r.state as CaseState,
    addresseeId: r.addressee_id,
    legalBasis: r.legal_basis,
    measures: JSON.parse(r.measures) as string[],
    emergency: r.emergency === 1,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    followsId: r.follows_case_id,
  }));
  const ids = requests.map((r) => r.id);
  const clocks = ids.length === 0 ? [] : await ctx.db.selectFrom('case_deadlines').selectAll().where('case_id', 'in', ids).where('runs_from', '=', 'preservation-effected').execute();
  const preservationClocks = clocks.map((d) => ({
    caseId: d.case_id,
    reference: requests.find((r) => r.id === d.case_id)?.reference ?? '',
    deadlineId: d.deadline_id,
    provision: d.provision,
    startedAt: d.started_at,
    dueAt: d.due_at,
    description: d.description,
    citation: JSON.parse(d.citation) as unknown,
    verified: d.verified === 1,
  }));
  return { ownReference: file.own_reference, requests, preservationClocks };
}
