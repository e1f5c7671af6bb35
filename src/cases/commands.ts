/**
 * @module cases/commands
 * Use cases that change a case: create it, edit its draft, and move it through the workflow. Each
 * writes the change together with its history event and its audit event, atomically — in one
 * transaction, or on PostgreSQL, where they are one statement, in that statement alone (see
 * {@link transitionCase}); bad input is rejected with a {@link CaseError} listing every issue,
 * and nothing is written.
 */
import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { calendarDateIn } from '../clock/index.js';
import { sqlFamily } from '../db/dialects/family.js';
import { columnsKey, preparedQueries, preparedQuery } from '../db/prepared.js';
import { writePathOn } from '../db/write-path-switches.js';
import { WriteCombiner, type WriteCombinerStats, type WriteKind } from '../db/write-combiner.js';
import type { AuditEventsTable, CaseEventsTable, CasesTable, Database } from '../db/index.js';
import { CASE_COLUMNS } from '../db/schema.js';
import type { Measure, Provision, RefusalGround } from '../law/index.js';
import { assessmentIssues, assessmentSchema, type Assessment } from './assessment.js';
import { checkEventPayload } from './event-payload.js';
import { findAuthority, presentAuthority, rememberAuthorities, type Authority } from './authorities.js';
import { channelMisfit } from './channel-fit.js';
import { auditRow, digest, insertAuditRow } from './audit.js';
import { applyEventToDeadlines, startDeadlines, STARTED_BY } from './clocks.js';
import { fileCase, resolveFollows } from './links.js';
import { applyEventToTargets } from './targets.js';
import type { Actor, CaseContext } from './context.js';
import { CaseError, zodIssues } from './errors.js';
import { presentSummary, type CaseSummary } from './presenter.js';
import { insertCases, refusedByServer, updateCases, type CaseChangeWrite, type NewCaseWrite } from './pg-batch.js';
import { requestSchema, reviewSchema, type Request, type Review } from './request.js';
import { basisIssues, missingContents, missingSafeguards } from './validate.js';
import { EDITABLE_STATES, isCaseEvent, nextState, TRANSITIONS, TransitionError, type CaseEvent, type CaseState } from './workflow.js';

function parseRequest(input: unknown): Request {
  const parsed = requestSchema.safeParse(input);
  if (!parsed.success) throw new CaseError('invalid-request', 'invalid request', zodIssues(parsed.error));
  return parsed.data;
}

/** See {@link findAuthority}: `ctx.db` outside a transaction; inside one, the transaction and its `uncommitted` list. */
async function requireAuthority(ctx: CaseContext, db: Kysely<Database>, id: string, field: string, uncommitted?: Authority[]): Promise<Authority> {
  const authority = await findAuthority(ctx, db, id, uncommitted);
  if (!authority) throw new CaseError('unknown-authority', `unknown authority ${JSON.stringify(id)}`, [{ field, message: 'no such authority' }]);
  return authority;
}

/**
 * Human-readable and unique: party, year, and the last 12 hex digits (48 bits) of the UUIDv7's
 * `rand_b` — 16 bits of its randomly seeded counter and its 32 random bits. `cases.reference` is
 * UNIQUE, so a collision fails the creation: with 32 bits one was likely after ~77,000 cases of a
 * party in a year (birthday bound, 50 %); with 48 bits the chance is about 1 in 56,000 at
 * 100,000 cases.
 */
function reference(party: string, at: Date, id: string): string {
  return `${party}-${at.getUTCFullYear()}-${id.slice(-12).toUpperCase()}`;
}

/** A new case as it will be written: the row, its history and audit events. */
interface PreparedCase {
  row: Selectable<CasesTable>;
  event: Insertable<CaseEventsTable>;
  audit: Insertable<AuditEventsTable>;
}

/** Creates a draft request. The requesting authority must be the actor's own (unless system). */
export async function createCase(ctx: CaseContext, actor: Actor, input: unknown): Promise<CaseSummary> {
  const { row, event, audit } = await newCase(ctx, actor, input);
  // PostgreSQL writes the three rows as one statement: atomic without a transaction around it.
  if (isPostgres(ctx.db)) {
    await writesOf(ctx.db).submit(writesOf(ctx.db).create, { c: row, e: event, a: audit });
  } else {
    await ctx.transaction((trx) => insertCase(trx, row, event, audit));
  }
  await afterDraftWritten(ctx, row, true);
  return presentSummary(row);
}

/** Most hours an idempotency key is remembered (after which the same key creates a new case). */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/** An idempotency key: 1 to 255 visible ASCII characters (e.g. a UUID). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** What {@link createCaseOnce} did: created the case now, or found the one the key created before. */
export interface CreatedOnce {
  case: CaseSummary;
  replayed: boolean;
}

/**
 * {@link createCase}, at most once per idempotency key of the actor (for
 * {@link IDEMPOTENCY_KEY_TTL_HOURS} hours): the key is written in the same transaction as the
 * case, so a retry after a lost answer — even one racing the first attempt — finds the case the
 * first created (`replayed: true`) instead of creating another. The same key with a different
 * request is refused (`idempotency-key-reused`), as is a malformed key (`invalid-request`).
 */
export async function createCaseOnce(ctx: CaseContext, actor: Actor, input: unknown, key: string): Promise<CreatedOnce> {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new CaseError('invalid-request', 'invalid idempotency key', [{ field: 'Idempotency-Key', message: '1 to 255 visible ASCII characters, e.g. a UUID' }]);
  }
  // A retry is recognised before the request is checked again: it gets the case created the
  // first time even if, say, an authority has been removed since.
  const request = parseRequest(input);
  const fingerprint = digest(request) as string;
  const cutoff = new Date(ctx.now().getTime() - IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000).toISOString();
  const earlier = await findKey(ctx.db, actor.id, key, cutoff);
  if (earlier !== undefined) return replay(ctx, earlier, fingerprint);
  const { row, event, audit } = await newCaseFrom(ctx, actor, request);
  try {
    await ctx.transaction(async (trx) => {
      await trx.deleteFrom('idempotency_keys').where('actor', '=', actor.id).where('key', '=', key).where('created_at', '<', cutoff).execute();
      await insertCase(trx, row, event, audit);
      await trx.insertInto('idempotency_keys').values({ actor: actor.id, key, fingerprint, case_id: row.id, created_at: row.created_at }).execute();
    });
  } catch (error) {
    // A concurrent attempt with the same key committed first (the key's primary key refused this one).
    const winner = await findKey(ctx.db, actor.id, key, cutoff);
    if (winner !== undefined) return replay(ctx, winner, fingerprint);
    // The key was taken by an attempt that then did not commit (e.g. its group commit failed).
    if (isUniqueViolation(error)) throw new CaseError('conflict', 'another request with this idempotency key did not complete: send it again');
    throw error;
  }
  await afterDraftWritten(ctx, row, true);
  return { case: presentSummary(row), replayed: false };
}

function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

async function findKey(db: Kysely<Database>, actor: string, key: string, cutoff: string): Promise<{ case_id: string; fingerprint: string } | undefined> {
  return db.selectFrom('idempotency_keys').select(['case_id', 'fingerprint']).where('actor', '=', actor).where('key', '=', key).where('created_at', '>=', cutoff).executeTakeFirst();
}

async function replay(ctx: CaseContext, earlier: { case_id: string; fingerprint: string }, fingerprint: string): Promise<CreatedOnce> {
  if (earlier.fingerprint !== fingerprint) {
    throw new CaseError('idempotency-key-reused', 'this idempotency key was used for a different request: use a new key for a new request', [{ field: 'Idempotency-Key', message: 'already used for another request' }]);
  }
  const row = await readCase(ctx.db, earlier.case_id);
  if (row === undefined) throw new CaseError('not-found', `no case ${earlier.case_id}`);
  return { case: presentSummary(row), replayed: true };
}

/** Deletes idempotency keys older than {@link IDEMPOTENCY_KEY_TTL_HOURS}; returns how many. */
export async function forgetExpiredIdempotencyKeys(ctx: CaseContext): Promise<number> {
  const cutoff = new Date(ctx.now().getTime() - IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000).toISOString();
  const result = await ctx.db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Checks a new request and builds its rows (nothing written). */
async function newCase(ctx: CaseContext, actor: Actor, input: unknown): Promise<PreparedCase> {
  return newCaseFrom(ctx, actor, parseRequest(input));
}

/**
 * What creating and editing a draft both check: the actor drafts for their own authority, both
 * authorities exist, the legal basis is a provision of the knowledge base.
 */
async function checkDrafter(ctx: CaseContext, actor: Actor, request: Request, selfId?: string): Promise<{ requesting: Authority; addressee: Authority }> {
  if (actor.authorityId !== null && actor.authorityId !== request.requestingAuthority) {
    throw new CaseError('forbidden', 'a request can only be drafted for your own authority');
  }
  const requesting = await requireAuthority(ctx, ctx.db, request.requestingAuthority, 'requestingAuthority');
  const addressee = await requireAuthority(ctx, ctx.db, request.addressee, 'addressee');
  if (!ctx.kb.provisions.some((p) => p.id === request.legalBasis)) {
    throw new CaseError('invalid-request', `unknown legal basis ${JSON.stringify(request.legalBasis)}`, [{ field: 'legalBasis', message: 'a provision id from `comity law bases`, e.g. ETS185:29' }]);
  }
  // A follow-up names an earlier request of the same authority (issue 16, linked requests).
  await resolveFollows(ctx.db, requesting.id, request.references.follows, selfId);
  return { requesting, addressee };
}

async function newCaseFrom(ctx: CaseContext, actor: Actor, request: Request): Promise<PreparedCase> {
  const { requesting, addressee } = await checkDrafter(ctx, actor, request);
  const now = ctx.now();
  const at = now.toISOString();
  const id = ctx.newId();
  const row: Selectable<CasesTable> = {
    id,
    reference: reference(requesting.party, now, id),
    requesting_authority_id: requesting.id,
    addressee_id: addressee.id,
    requesting_party: requesting.party,
    requested_party: addressee.party,
    state: 'draft',
    legal_basis: request.legalBasis,
    measures: JSON.stringify(request.measures),
    emergency: request.emergency.emergency ? 1 : 0,
    request: JSON.stringify(request),
    review: null,
    assessment: null,
    version: 1,
    created_at: at,
    updated_at: at,
    sent_at: null,
    received_at: null,
    closed_at: null,
    purpose: request.dataProtection.purpose,
    retention_days: request.dataProtection.retentionDays,
    delete_after: null,
    purged_at: null,
  };
  const event: Insertable<CaseEventsTable> = { id: ctx.newId(), case_id: id, seq: 1, event: 'create', from_state: null, to_state: 'draft', actor: actor.id, side: 'requesting', at, reason: null, payload: null };
  const audit = auditRow({ id: ctx.newId(), actor: actor.id, action: 'case.create', objectType: 'case', objectId: id, at, before: null, after: row });
  return { row, event, audit };
}

export interface UpdateDraftOptions {
  /** Optimistic concurrency: the version the actor saw. */
  expectedVersion?: number;
}

/**
 * Saves a draft again with a whole new request (the same document as {@link createCase}): only in
 * state `draft`, only by the requesting authority (which cannot change). One transaction writes
 * the case (version + 1), an `edit` history event and a `case.edit` audit event.
 */
export async function updateDraft(ctx: CaseContext, actor: Actor, caseId: string, input: unknown, options: UpdateDraftOptions = {}): Promise<CaseSummary> {
  const request = parseRequest(input);
  const { requesting, addressee } = await checkDrafter(ctx, actor, request, caseId);
  const after = await ctx.transaction(async (trx) => {
    const row = await readCase(trx, caseId);
    if (!row) throw new CaseError('not-found', `no case ${caseId}`);
    if (actor.authorityId !== null && actor.authorityId !== row.requesting_authority_id) throw new CaseError('forbidden', 'only the requesting authority edits its draft');
    if (row.requesting_authority_id !== requesting.id) {
      throw new CaseError('invalid-request', 'the requesting authority of a case cannot change', [{ field: 'requestingAuthority', message: `must stay ${row.requesting_authority_id}` }]);
    }
    if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
      throw new CaseError('conflict', `the case changed (version ${row.version}, you saw ${options.expectedVersion}): reload it`);
    }
    if (!EDITABLE_STATES.has(row.state as CaseState)) throw new CaseError('invalid-transition', `cannot edit a case that is ${row.state}: only a draft (or one the reviewer returned) can be edited`);
    const at = ctx.now().toISOString();
    const changes = {
      addressee_id: addressee.id,
      requested_party: addressee.party,
      legal_basis: request.legalBasis,
      measures: JSON.stringify(request.measures),
      emergency: request.emergency.emergency ? 1 : 0,
      request: JSON.stringify(request),
      purpose: request.dataProtection.purpose,
      retention_days: request.dataProtection.retentionDays,
    };
    const after: Selectable<CasesTable> = { ...row, ...changes, version: row.version + 1, updated_at: at };
    const history: Insertable<CaseEventsTable> = {
      id: ctx.newId(),
      case_id: row.id,
      seq: after.version, // see historyEvent
      event: 'edit',
      from_state: row.state,
      to_state: row.state,
      actor: actor.id,
      side: 'requesting',
      at,
      reason: null,
      payload: null,
    };
    const audit = auditRow({ id: ctx.newId(), actor: actor.id, action: 'case.edit', objectType: 'case', objectId: row.id, at, before: row, after, details: { from: row.state, to: row.state } });
    if (!(await updateCase(trx, row.id, row.version, { ...changes, version: after.version, updated_at: at }, history, audit))) throw new CaseError('conflict', 'the case changed meanwhile: reload it');
    return after;
  });
  await afterDraftWritten(ctx, after, false);
  return presentSummary(after);
}

/**
 * Issue 16: after a draft is written, its filing (investigation file, the request it follows)
 * and, for an emergency, the internal target to send it. Idempotent, so a retry or the next save
 * completes an interrupted one.
 */
async function afterDraftWritten(ctx: CaseContext, row: Selectable<CasesTable>, created: boolean): Promise<void> {
  await fileCase(ctx, row);
  if (row.emergency === 1) await applyEventToTargets(ctx.db, row.id, true, 'create', created ? row.created_at : row.updated_at);
}

// ---------------------------------------------------------------------------------------------
// Writing a change with its history and audit events. On PostgreSQL the three writes are one
// statement (data-modifying CTEs, which PostgreSQL runs as one statement in the transaction): one
// round trip instead of three, which is what a pooled PostgreSQL spends its time on. SQLite's
// CTEs cannot modify, and a statement there costs no round trip: three statements.

/** The case `id` as stored, read in `db` (a transaction or the database). */
export async function readCase(db: Kysely<Database>, id: string): Promise<Selectable<CasesTable> | undefined> {
  const { rows } = await selectCase.execute(db, { id });
  return rows[0];
}

// The columns by name, not `*`: see CASE_COLUMNS.
const selectCase = preparedQuery<Selectable<CasesTable>>((db, p) => db.selectFrom('cases').select(CASE_COLUMNS).where('id', '=', p.value<string>('id')));

const insertCaseRow = preparedQueries(columnsKey, (row: object) => (db, p) => db.insertInto('cases').values(p.row<Insertable<CasesTable>>(Object.keys(row))));
const insertEventRow = preparedQueries(columnsKey, (row: object) => (db, p) => db.insertInto('case_events').values(p.row<Insertable<CaseEventsTable>>(Object.keys(row))));

/** PostgreSQL: the case, its history event and its audit event in one statement. */
const insertCaseWithEvents = preparedQueries(
  ({ c, e, a }: NewCaseWrite) => `${columnsKey(c)}|${columnsKey(e)}|${columnsKey(a)}`,
  ({ c, e, a }: NewCaseWrite) =>
    (db, p) =>
      db
        .with('new_case', (db) => db.insertInto('cases').values(p.row<Insertable<CasesTable>>(Object.keys(c), 'c')).returning('id'))
        .with('new_event', (db) => db.insertInto('case_events').values(p.row<Insertable<CaseEventsTable>>(Object.keys(e), 'e')).returning('id'))
        .insertInto('audit_events')
        .values(p.row<Insertable<AuditEventsTable>>(Object.keys(a), 'a')),
);

/** Inserts a new case with its history and audit events. */
async function insertCase(trx: Kysely<Database>, c: Insertable<CasesTable>, e: Insertable<CaseEventsTable>, a: Insertable<AuditEventsTable>): Promise<void> {
  if (isPostgres(trx)) {
    await insertCaseWithEvents({ c, e, a }).execute(trx, { c, e, a });
    return;
  }
  await insertCaseRow(c).execute(trx, c);
  await insertEventRow(e).execute(trx, e);
  await insertAuditRow(trx, a);
}

interface CombinedWrites {
  combiner: WriteCombiner;
  submit: WriteCombiner['submit'];
  create: WriteKind<NewCaseWrite, void>;
  change: WriteKind<CaseChangeWrite, boolean>;
}

const combiners = new WeakMap<Kysely<Database>, CombinedWrites>();

/**
 * The write combiner of a PostgreSQL database (`db/write-combiner.ts`): a new case, or a change
 * of a case made outside a transaction, is one statement; concurrent ones of the same shape run
 * as one multi-row statement (`pg-batch.ts`).
 */
function writesOf(db: Kysely<Database>): CombinedWrites {
  let writes = combiners.get(db);
  if (writes === undefined) {
    const combiner = new WriteCombiner();
    writes = {
      combiner,
      submit: (kind, write) => (writePathOn('write-combiner') ? combiner.submit(kind, write) : kind.one(write)),
      create: {
        key: ({ c, e, a }) => `${columnsKey(c)}|${columnsKey(e)}|${columnsKey(a)}`,
        conflictKey: ({ c }) => c.id,
        one: ({ c, e, a }) => insertCase(db, c, e, a),
        many: async (batch) => {
          await insertCases(db, batch);
          return batch.map(() => undefined);
        },
        retryAlone: refusedByServer,
      },
      change: {
        key: ({ s, e, a }) => `${columnsKey(s)}|${columnsKey(e)}|${columnsKey(a)}`,
        conflictKey: ({ w }) => w.id,
        one: ({ s, w, e, a }) => updateCase(db, w.id, w.version, s, e, a),
        many: (batch) => updateCases(db, batch),
        retryAlone: refusedByServer,
      },
    };
    combiners.set(db, writes);
  }
  return writes;
}

/** Counters of the write combiner of `db` (PostgreSQL), if it has written anything. */
export function combinedWriteStats(db: Kysely<Database>): Readonly<WriteCombinerStats> | undefined {
  return combiners.get(db)?.combiner.stats;
}

function isPostgres(db: Kysely<Database>): boolean {
  return sqlFamily(db as unknown as Kysely<unknown>) === 'postgres';
}

/** A change without its version check (the shape of the statement does not depend on it). */
type CaseChange = Omit<CaseChangeWrite, 'w'>;

/** The version-checked UPDATE of a case; `w` holds the id and the version it must still have. */
const updateCaseRow = preparedQueries(columnsKey, (set: Updateable<CasesTable>) => (db, p) =>
  db
    .updateTable('cases')
    .set(p.row<Updateable<CasesTable>>(Object.keys(set), 's'))
    .where('id', '=', p.value<string>('id', 'w'))
    .where('version', '=', p.value<number>('version', 'w')),
);

/**
 * PostgreSQL: the UPDATE and, selecting their values FROM its RETURNING, the history and audit
 * inserts — one statement that inserts the events exactly when it updated the case.
 */
const updateCaseWithEvents = preparedQueries(
  ({ s, e, a }: CaseChange) => `${columnsKey(s)}|${columnsKey(e)}|${columnsKey(a)}`,
  ({ s, e, a }: CaseChange) =>
    (db, p) =>
      db
        .with('changed', (db) =>
          db
            .updateTable('cases')
            .set(p.row<Updateable<CasesTable>>(Object.keys(s), 's'))
            .where('id', '=', p.value<string>('id', 'w'))
            .where('version', '=', p.value<number>('version', 'w'))
            .returning('id'),
        )
        .with('new_event', (db) =>
          db
            .insertInto('case_events')
            .columns(Object.keys(e) as (keyof CaseEventsTable & string)[])
            .expression((eb) => eb.selectFrom('changed').select(selectList(p.row(Object.keys(e), 'e'))))
            .returning('id'),
        )
        .insertInto('audit_events')
        .columns(Object.keys(a) as (keyof AuditEventsTable & string)[])
        .expression((eb) => eb.selectFrom('changed').select(selectList(p.row(Object.keys(a), 'a')))),
);

/**
 * Updates the case `id` from `version` with `set` and, only if that version was still the
 * stored one, inserts its history and audit events. Returns false, having written nothing, when
 * the case changed meanwhile. On PostgreSQL the three writes are one statement (data-modifying
 * CTEs, which PostgreSQL runs as one statement in the transaction): one round trip instead of
 * three, which is what a pooled PostgreSQL spends its time on. SQLite's CTEs cannot modify, and
 * a statement there costs no round trip: three statements.
 */
async function updateCase(
  trx: Kysely<Database>,
  id: string,
  version: number,
  s: Updateable<CasesTable>,
  e: Insertable<CaseEventsTable>,
  a: Insertable<AuditEventsTable>,
): Promise<boolean> {
  const w = { id, version };
  if (isPostgres(trx)) {
    const inserted = await updateCaseWithEvents({ s, e, a }).execute(trx, { s, w, e, a });
    return Number(inserted.numAffectedRows ?? 0) === 1;
  }
  const updated = await updateCaseRow(s).execute(trx, { s, w });
  if (Number(updated.numAffectedRows ?? 0) !== 1) return false;
  await insertEventRow(e).execute(trx, e);
  await insertAuditRow(trx, a);
  return true;
}

/**
 * `$1 as id, $2 as case_id, …`: a row's values as a select list. PostgreSQL types the
 * parameters from the insert's columns.
 */
function selectList(row: Record<string, unknown>) {
  return Object.entries(row).map(([column, value]) => sql`${value}`.as(column));
}

export interface TransitionInput {
  reason?: string;
  /** Event-specific data: `review` for approve, `assessment` for a decision, `response` for respond. */
  review?: unknown;
  assessment?: unknown;
  response?: unknown;
  /** Optimistic concurrency: the version the actor saw. */
  expectedVersion?: number;
}

function provisionOf(ctx: CaseContext, row: Selectable<CasesTable>): Provision {
  const provision = ctx.kb.provisions.find((p) => p.id === row.legal_basis);
  if (!provision) throw new CaseError('validation-failed', `the legal basis ${row.legal_basis} is no longer in the knowledge base`, [{ field: 'legalBasis', message: 'choose a current basis' }]);
  return provision;
}

/**
 * The refusal grounds open to the requested side in this case: the basis's grounds as the engine
 * filters them for the requested party's reservations and the offence (e.g. Budapest Art. 29(4)
 * only with the reservation, never for an Arts 2-11 offence).
 */
function refusalGroundsFor(ctx: CaseContext, row: Selectable<CasesTable>): RefusalGround[] {
  const provision = provisionOf(ctx, row);
  const request = row.request === null ? null : (JSON.parse(row.request) as Request);
  const offence = request?.offences.map((o) => o.category).find((c) => ctx.kb.offences.has(c));
  const measure = (JSON.parse(row.measures) as Measure[])[0];
  const date = (row.received_at ?? row.sent_at ?? row.created_at).slice(0, 10);
  if (measure !== undefined) {
    const result = ctx.finder.find({ from: row.requesting_party, to: row.requested_party, measure, date, emergency: row.emergency === 1, ...(offence ? { offence } : {}) });
    const basis = result.applicable.find((b) => b.provision === provision.id);
    if (basis) return basis.refusalGrounds;
  }
  return provision.refusalGrounds.filter((g) => g.requiresReservation === undefined);
}

const DECISIONS: Partial<Record<CaseEvent, Assessment['decision']>> = {
  accept: 'accept',
  postpone: 'postpone',
  refuse: 'refuse',
  'execute-partially': 'execute-partially',
};

/** Refuses (`channel-mismatch`) a basis whose channel does not reach the addressee's kind, naming the authorities that fit. */
async function checkChannelFit(ctx: CaseContext, db: Kysely<Database>, row: Selectable<CasesTable>, authorities: Authority[]): Promise<void> {
  const addressee = await requireAuthority(ctx, db, row.addressee_id, 'addressee', authorities);
  const directory = (await db.selectFrom('authorities').selectAll().where('party', '=', addressee.party).execute()).map(presentAuthority);
  const misfit = channelMisfit(ctx.kb, row.legal_basis, addressee, directory);
  if (misfit) throw new CaseError('channel-mismatch', misfit.message, [{ field: 'addressee', message: misfit.message }]);
}

/** Checks the law for an event and returns the columns it changes besides the state. */
async function checkEvent(
  ctx: CaseContext,
  trx: Kysely<Database>,
  row: Selectable<CasesTable>,
  event: CaseEvent,
  input: TransitionInput,
  at: string,
  authorities: Authority[],
): Promise<Partial<Selectable<CasesTable>>> {
  const request = row.request === null ? null : (JSON.parse(row.request) as Request);
  if (request === null && (event === 'approve' || event === 'send' || event === 'submit')) throw new CaseError('validation-failed', 'the request content was purged');
  // Issue 16: the basis's channel must reach the addressee, before the request can leave.
  if (event === 'submit' || event === 'approve' || event === 'send') await checkChannelFit(ctx, trx, row, authorities);
  switch (event) {
    case 'submit': {
      // What the law needs in the request is checked now, so the reviewer gets a complete draft.
      const issues = missingContents(provisionOf(ctx, row), request as Request);
      if (issues.length > 0) throw new CaseError('validation-failed', `the request cannot be submitted: ${issues.length} issue(s)`, issues);
      return {};
    }
    case 'approve': {
      const req = request as Request;
      let review: Review | null = null;
      if (input.review !== undefined) {
        const parsed = reviewSchema.safeParse(input.review);
        if (!parsed.success) throw new CaseError('invalid-request', 'invalid review record', zodIssues(parsed.error));
        review = parsed.data;
      }
      const issues = [...missingContents(provisionOf(ctx, row), req), ...missingSafeguards(ctx.kb, req, review)];
      if (issues.length > 0) throw new CaseError('validation-failed', `the request cannot be approved: ${issues.length} issue(s)`, issues);
      return { review: review === null ? null : JSON.stringify(review) };
    }
    case 'send': {
      const req = request as Request;
      const requesting = await requireAuthority(ctx, trx, row.requesting_authority_id, 'requestingAuthority', authorities);
      // The basis is validated against the engine at the moment of sending, on the sender's date.
      const date = calendarDateIn(Date.parse(at), requesting.timeZone);
      const review = row.review === null ? null : (JSON.parse(row.review) as Review);
      const issues = [
        ...basisIssues(ctx.finder, ctx.kb, req, row.requesting_party, row.requested_party, date),
        ...missingSafeguards(ctx.kb, req, review),
      ];
      if (issues.length > 0) throw new CaseError('validation-failed', `the request cannot be sent: ${issues.length} issue(s)`, issues);
      return { sent_at: at };
    }
    case 'receive':
      return { received_at: at };
    case 'accept':
    case 'postpone':
    case 'refuse':
    case 'execute-partially': {
      if (event === 'accept' && input.assessment === undefined && row.state === 'postponed' && row.assessment !== null) return {};
      const parsed = assessmentSchema.safeParse(input.assessment);
      if (!parsed.success) throw new CaseError('invalid-request', 'invalid assessment', zodIssues(parsed.error));
      if (parsed.data.decision !== DECISIONS[event]) {
        throw new CaseError('invalid-request', `the assessment decides ${parsed.data.decision}, not ${DECISIONS[event]}`, [{ field: 'assessment.decision', message: `must be ${DECISIONS[event]}` }]);
      }
      const withReasons = { ...parsed.data, reasons: parsed.data.reasons ?? input.reason };
      const issues = assessmentIssues(refusalGroundsFor(ctx, row), withReasons);
      if (issues.length > 0) throw new CaseError('validation-failed', `the assessment is incomplete: ${issues.length} issue(s)`, issues);
      return { assessment: JSON.stringify(withReasons) };
    }
    case 'close':
    case 'withdraw':
    case 'lapse': {
      // Data protection: received personal data are kept for the case's retention period, then purged.
      const deleteAfter = new Date(Date.parse(at) + row.retention_days * 86_400_000).toISOString().slice(0, 10);
      return { closed_at: at, delete_after: deleteAfter };
    }
    default:
      return {};
  }
}

/**
 * Moves a case through the workflow. Invalid transitions and unmet legal conditions change nothing.
 *
 * Usually one transaction reads the case, checks the event and writes the change with its
 * history and audit events (and the case's clocks). On PostgreSQL, an event that touches no
 * clock — every event before the requested side receives the case, except `receive` itself —
 * writes exactly one statement (see {@link updateCase}), whose version check makes it correct
 * without a surrounding transaction: the case is read, the event checked against that version,
 * and the statement changes the case only if it is still at that version (else `conflict`, as
 * when two transactions race): two round trips instead of four (BEGIN, read, write, COMMIT).
 * (A cache of the rows this process wrote last, to skip the read, was removed: bench:cases
 * measured +2.7 %, under the 20 % a write-path cache must gain to stay, issue 12.)
 */
export async function transitionCase(ctx: CaseContext, actor: Actor, caseId: string, eventName: string, input: TransitionInput = {}): Promise<CaseSummary> {
  if (!isCaseEvent(eventName)) throw new CaseError('invalid-transition', `unknown event ${JSON.stringify(eventName)}: allowed ${Object.keys(TRANSITIONS).join(', ')}`);
  const event = eventName;
  input = checkEventPayload(event, input);
  // Authorities read inside a transaction: cached once it has committed.
  const authorities: Authority[] = [];
  if (ctx.federation !== undefined) {
    // Issue 12: an event whose other side is on a peer node travels as a message, queued in the
    // transaction of the change (never the one-statement path below).
    const seen = await readCase(ctx.db, caseId);
    const outbound = seen === undefined ? null : await ctx.federation.prepare(seen, actor, event, input);
    if (seen !== undefined && outbound !== null) {
      const committed = await ctx.transaction(async (trx) => {
        authorities.length = 0;
        const row = await readCase(trx, caseId);
        if (row === undefined || row.version !== seen.version) throw new CaseError('conflict', 'the case changed meanwhile: reload it');
        const after = await applyEventInTransaction(ctx, trx, row, actor, event, input, authorities);
        await outbound.enqueue(trx);
        return after;
      });
      outbound.committed();
      rememberAuthorities(ctx, authorities);
      return presentSummary(committed);
    }
  }
  if (isPostgres(ctx.db) && event !== 'receive') {
    for (let attempt = 1; ; attempt += 1) {
      const row = await readCase(ctx.db, caseId);
      if (row === undefined || row.received_at !== null) break;
      try {
        return presentSummary(await singleStatementTransition(ctx, caseId, row, actor, event, input, authorities));
      } catch (error) {
        // Another change came between the read and the write: decide once more on the stored row,
        // as a transaction that waited for the other one would — unless the caller said which
        // version it saw (then the conflict is the answer).
        if (attempt === 1 && error instanceof CaseError && error.code === 'conflict' && input.expectedVersion === undefined) continue;
        throw error;
      }
    }
  }
  const committed = await ctx.transaction(async (trx) => {
    authorities.length = 0; // a runner may retry the work
    return applyEventInTransaction(ctx, trx, await readCase(trx, caseId), actor, event, input, authorities);
  });
  rememberAuthorities(ctx, authorities);
  return presentSummary(committed);
}

/** A transition inside a transaction, with its clocks: the workflow rules, whoever asks (a user, or a peer's message). */
async function applyEventInTransaction(
  ctx: CaseContext,
  trx: Transaction<Database>,
  row: Selectable<CasesTable> | undefined,
  actor: Actor,
  event: CaseEvent,
  input: TransitionInput,
  authorities: Authority[],
): Promise<Selectable<CasesTable>> {
  const { before, after } = await applyTransition(ctx, trx, row?.id ?? '', row, actor, event, input, authorities);
  await applyEventToDeadlines(ctx, trx, before, event, after.updated_at);
  await applyEventToTargets(trx, after.id, after.emergency === 1, event, after.updated_at);
  if (STARTED_BY[event] !== undefined) {
    const addressee = await requireAuthority(ctx, trx, after.addressee_id, 'addressee', authorities);
    await startDeadlines(ctx, trx, after, event, after.updated_at, addressee);
  }
  return after;
}

/**
 * Issue 12: applies an event a peer node sent (its side's step of a case both nodes record) to
 * this node's copy, inside the inbox transaction, through the same workflow rules.
 * @throws {CaseError} when the rules refuse it (the inbox answers with a signed rejection).
 */
export async function applyPeerEvent(ctx: CaseContext, trx: Transaction<Database>, caseId: string, actor: Actor, event: CaseEvent, input: TransitionInput): Promise<Selectable<CasesTable>> {
  const row = await readCase(trx, caseId);
  if (row === undefined) throw new CaseError('not-found', `no case ${caseId}`);
  const after = await applyEventInTransaction(ctx, trx, row, actor, event, input, []);
  return after;
}

/**
 * Issue 12: records, on the requested node, a request a peer sent: the sender's case as it was
 * sent (same id: the conversation), now in state `sent` on this node's side, with its history
 * and audit events.
 */
export async function importSentCase(ctx: CaseContext, trx: Kysely<Database>, sent: Selectable<CasesTable>, actor: Actor): Promise<void> {
  if ((await readCase(trx, sent.id)) !== undefined) throw new CaseError('conflict', `case ${sent.id} already exists on this node`);
  const at = ctx.now().toISOString();
  const row: Selectable<CasesTable> = { ...sent, state: 'sent', version: 1, created_at: at, updated_at: at, sent_at: sent.sent_at ?? at, received_at: null, closed_at: null, delete_after: null, purged_at: null };
  const history = { ...historyEvent(ctx, { ...row, state: 'approved', version: 0 }, 'send', 'sent', actor, at, {}) };
  const audit = auditRow({ id: ctx.newId(), actor: actor.id, action: 'case.send', objectType: 'case', objectId: row.id, at, before: null, after: row, details: { from: 'approved', to: 'sent', via: 'exchange' } });
  await insertCase(trx, row, history, audit);
}

/** A transition of a case without clocks on PostgreSQL: one statement, no transaction (see transitionCase). */
async function singleStatementTransition(
  ctx: CaseContext,
  caseId: string,
  row: Selectable<CasesTable>,
  actor: Actor,
  event: CaseEvent,
  input: TransitionInput,
  authorities: Authority[],
): Promise<Selectable<CasesTable>> {
  const { after } = await applyTransition(ctx, ctx.db, caseId, row, actor, event, input, authorities);
  // The internal target of an emergency (met by `send`) is written after the one statement.
  await applyEventToTargets(ctx.db, after.id, after.emergency === 1, event, after.updated_at);
  rememberAuthorities(ctx, authorities);
  return after;
}

/** Checks `event` on the case as read (`row`) and writes the change with its history and audit events; not the clocks. */
async function applyTransition(
  ctx: CaseContext,
  db: Kysely<Database>,
  caseId: string,
  row: Selectable<CasesTable> | undefined,
  actor: Actor,
  event: CaseEvent,
  input: TransitionInput,
  authorities: Authority[],
): Promise<{ before: Selectable<CasesTable>; after: Selectable<CasesTable> }> {
  if (!row) throw new CaseError('not-found', `no case ${caseId}`);
  if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
    throw new CaseError('conflict', `the case changed (version ${row.version}, you saw ${input.expectedVersion}): reload it`);
  }
  // A decision's reasons may come in the assessment: they are the event's reasons, in the
  // history too, so that replaying it passes the same check.
  const reason = input.reason ?? (event === 'refuse' || event === 'postpone' || event === 'execute-partially' ? readReasons(input.assessment) : undefined);
  let to: CaseState;
  try {
    to = nextState(row.state as CaseState, event, reason);
  } catch (error) {
    if (error instanceof TransitionError) throw new CaseError(error.code === 'reason-required' ? 'reason-required' : 'invalid-transition', error.message);
    throw error;
  }
  const at = ctx.now().toISOString();
  const changes = await checkEvent(ctx, db, row, event, input, at, authorities);
  const after: Selectable<CasesTable> = { ...row, ...changes, state: to, version: row.version + 1, updated_at: at };
  const history = historyEvent(ctx, row, event, to, actor, at, { ...input, ...(reason !== undefined ? { reason } : {}) });
  const audit = auditRow({ id: ctx.newId(), actor: actor.id, action: `case.${event}`, objectType: 'case', objectId: row.id, at, before: row, after, details: { from: row.state, to } });
  const set = { ...changes, state: to, version: after.version, updated_at: at };
  // Outside a transaction (PostgreSQL, see transitionCase) the one statement may be combined with others.
  const changed = db === ctx.db && isPostgres(db) ? await writesOf(db).submit(writesOf(db).change, { s: set, w: { id: row.id, version: row.version }, e: history, a: audit }) : await updateCase(db, row.id, row.version, set, history, audit);
  if (!changed) throw new CaseError('conflict', 'the case changed meanwhile: reload it');
  return { before: row, after };
}

function readReasons(assessment: unknown): string | undefined {
  if (assessment && typeof assessment === 'object' && 'reasons' in assessment && typeof assessment.reasons === 'string') return assessment.reasons;
  return undefined;
}

/** The history event of a transition; its `seq` is the case's next version. */
function historyEvent(
  ctx: CaseContext,
  row: Selectable<CasesTable>,
  event: CaseEvent,
  to: CaseState,
  actor: Actor,
  at: string,
  input: TransitionInput,
): Insertable<CaseEventsTable> {
  const payload = input.review ?? input.assessment ?? input.response;
  return {
    id: ctx.newId(),
    case_id: row.id,
    // Every change that writes a history event bumps the version by one and writes exactly one
    // event (creation: version 1, event 1), so the event's number is the case's new version — no
    // read of the history. It is inserted only when the version-checked UPDATE of the case
    // matched (see updateCase); the unique (case_id, seq) constraint stays the backstop.
    seq: row.version + 1,
    event,
    from_state: row.state,
    to_state: to,
    actor: actor.id,
    side: TRANSITIONS[event].side,
    at,
    reason: input.reason ?? null,
    payload: payload === undefined ? null : JSON.stringify(payload),
  };
}
