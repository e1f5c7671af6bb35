/**
 * Integrity of the case workflow on every database engine: every change has exactly one audit
 * event and one history event and a rejected operation writes nothing; the history replays to
 * the stored state; legal clocks across daylight-saving changes; the overdue scheduler
 * escalates each deadline exactly once across concurrent and restarted schedulers; records of
 * access and a purge that really deletes; tenant filters.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { forEachDatabase, type TestTarget } from '../db/dialects.js';
import { PURGED } from '../../src/cases/retention.js';
import type { Database, DatabaseHandle, DbConfig } from '../../src/db/index.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import {
  accessRecords,
  allowedEvents,
  CASE_EVENTS,
  CaseError,
  createAuthority,
  createCase,
  createCaseContext,
  escalateOverdue,
  getCase,
  listCases,
  listDeadlines,
  purgeExpiredCases,
  replay,
  SYSTEM_ACTOR,
  TERMINAL_STATES,
  transitionCase,
  TRANSITIONS,
  type Actor,
  type CaseContext,
  type CaseEvent,
  type CaseState,
  type RequestInput,
  type TransitionInput,
} from '../../src/cases/index.js';
import { digest } from '../../src/cases/audit.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';

const kb = loadKnowledgeBase();
const admin: Actor = { id: 'admin', authorityId: null };
const fr: Actor = { id: 'alice@fr-ca', authorityId: 'fr-ca' };
const frp: Actor = { id: 'carol@fr-parquet-paris', authorityId: 'fr-parquet-paris' };
const us: Actor = { id: 'bob@us-doj-oia', authorityId: 'us-doj-oia' };
const de: Actor = { id: 'dan@de-provider', authorityId: 'de-provider' };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const REASON = 'Written reasons for this step of the case, as the law requires.';
const LONG_REASONS = 'Execution would prejudice the essential interests of the requested Party.';
/** The refusal grounds of Budapest Art. 29 between FR and US/JP for illegal access. */
const NO_GROUND = [
  { ground: 'political-offence', applies: false },
  { ground: 'essential-interests', applies: false },
];
const ESSENTIAL = [
  { ground: 'political-offence', applies: false },
  { ground: 'essential-interests', applies: true, note: 'critical infrastructure' },
];
// The EIO grounds for identifying a subscriber: Dir. 2014/41 Art. 11(2) excludes some of them for this
// measure (the data's `notForMeasures`), and the assessment must answer exactly the others.
const EIO_GROUNDS = (kb.provisions.find((p) => p.id === 'EU-2014-41:1')?.refusalGrounds ?? [])
  .filter((g) => g.requiresReservation === undefined && !(g.notForMeasures ?? []).includes('subscriber-info'))
  .map((g) => ({ ground: g.ground, applies: false }));

const EXTRA_AUTHORITIES = [
  { id: 'de-provider', party: 'DE', kind: 'service-provider', name: 'Beispiel Cloud GmbH', timeZone: 'Europe/Berlin', languages: ['de', 'en'] },
  // A German executing authority whose clocks run in New York time (a liaison office), to test DST at case level.
  { id: 'de-liaison-ny', party: 'DE', kind: 'eu-enforcing-authority', name: 'Germany — liaison office New York', timeZone: 'America/New_York', languages: ['de', 'en'] },
] as const;

function epocRequest(overrides: Partial<RequestInput> = {}): RequestInput {
  return preservationRequestFrToUs({
    requestingAuthority: 'fr-parquet-paris',
    addressee: 'de-provider',
    measures: ['subscriber-info'],
    legalBasis: 'EU-2023-1543:5(3)',
    contents: {},
    ...overrides,
  });
}

interface Env {
  handle: DatabaseHandle;
  ctx: CaseContext;
  now: () => Date;
  advance: (ms: number) => void;
  setNow: (iso: string) => void;
}

async function setupOn(handle: DatabaseHandle, start: string, seed = true): Promise<Env> {
  let now = new Date(start);
  const ctx = createCaseContext(handle.db, kb, { now: () => now });
  if (seed) {
    await handle.migrate();
    for (const a of [...DEMO_AUTHORITIES, ...EXTRA_AUTHORITIES]) await createAuthority(ctx, admin, a);
  }
  return {
    handle,
    ctx,
    now: () => now,
    advance: (ms) => (now = new Date(now.getTime() + ms)),
    setNow: (iso) => (now = new Date(iso)),
  };
}

async function setup(target: TestTarget, t: { after(fn: () => Promise<void>): void }, start = '2026-12-01T08:00:00Z'): Promise<Env> {
  return setupOn(await target.create(t), start);
}

type CountedTable = 'audit_events' | 'case_events' | 'case_deadlines' | 'notifications' | 'case_access' | 'cases';
async function count(db: Kysely<Database>, table: CountedTable): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function caseRow(db: Kysely<Database>, id: string) {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Everything a rejected operation must leave untouched. */
async function snapshot(db: Kysely<Database>, id: string) {
  return {
    row: await caseRow(db, id),
    deadlines: await db.selectFrom('case_deadlines').selectAll().where('case_id', '=', id).orderBy('id').execute(),
    counts: await db
      .selectNoFrom((eb) => [
        eb.selectFrom('audit_events').select((e) => e.fn.countAll<number>().as('n')).as('audit'),
        eb.selectFrom('case_events').select((e) => e.fn.countAll<number>().as('n')).as('history'),
        eb.selectFrom('case_deadlines').select((e) => e.fn.countAll<number>().as('n')).as('deadlines'),
        eb.selectFrom('notifications').select((e) => e.fn.countAll<number>().as('n')).as('notifications'),
      ])
      .executeTakeFirstOrThrow(),
  };
}

function actorFor(event: CaseEvent): Actor {
  const side = TRANSITIONS[event].side;
  return side === 'requesting' ? fr : side === 'requested' ? us : SYSTEM_ACTOR;
}

/** Input that makes a valid event pass the law (Budapest Art. 29 between FR and US/JP). */
function validInput(event: CaseEvent, state: CaseState, reasonAsInput: boolean, pick: number): TransitionInput {
  const reason = reasonAsInput ? { reason: REASON } : {};
  switch (event) {
    case 'approve':
      return { review: DEMO_REVIEW };
    case 'request-clarification':
    case 'answer-clarification':
    case 'return':
    case 'reject':
    case 'withdraw':
    case 'lapse':
      return { reason: REASON };
    case 'accept':
      // From postponed, the earlier assessment may stand.
      return state === 'postponed' && pick % 2 === 0 ? {} : { assessment: { grounds: NO_GROUND, decision: 'accept' } };
    case 'postpone':
      return { ...reason, assessment: { grounds: NO_GROUND, decision: 'postpone', reasons: LONG_REASONS } };
    case 'refuse':
      return { ...reason, assessment: { grounds: ESSENTIAL, decision: 'refuse', reasons: LONG_REASONS } };
    case 'execute-partially':
      return { ...reason, assessment: { grounds: NO_GROUND, decision: 'execute-partially', reasons: LONG_REASONS, partialScope: 'Subscriber data only.' } };
    case 'respond':
      return { response: { summary: 'Data preserved until 2027-03-01.' } };
    default:
      return {};
  }
}

/** An operation the law rejects in this state, with the error code expected. */
function failingOperation(state: CaseState, pick: number): { event: string; input: TransitionInput; code: CaseError['code'] } {
  const choices: { event: string; input: TransitionInput; code: CaseError['code'] }[] = [];
  if (state === 'draft') {
    choices.push({ event: 'approve', input: {}, code: 'validation-failed' }); // coercive preservation: no independent review
    choices.push({ event: 'approve', input: { review: { ...DEMO_REVIEW, reviewer: '' } }, code: 'invalid-request' });
  }
  if (state === 'in-assessment' || state === 'postponed') {
    choices.push({ event: 'refuse', input: { assessment: { grounds: NO_GROUND, decision: 'refuse', reasons: LONG_REASONS } }, code: 'validation-failed' });
    choices.push({ event: 'refuse', input: { assessment: { grounds: ESSENTIAL, decision: 'refuse' } }, code: 'reason-required' });
    choices.push({ event: 'accept', input: { assessment: { grounds: NO_GROUND.slice(0, 1), decision: 'accept' } }, code: 'validation-failed' });
    choices.push({ event: 'accept', input: { assessment: { grounds: NO_GROUND, decision: 'refuse', reasons: LONG_REASONS } }, code: 'invalid-request' });
  }
  if (state === 'in-assessment' || state === 'accepted') {
    choices.push({ event: 'execute-partially', input: { reason: REASON, assessment: { grounds: NO_GROUND, decision: 'execute-partially', reasons: LONG_REASONS } }, code: 'validation-failed' });
  }
  if (!TERMINAL_STATES.has(state)) choices.push({ event: 'withdraw', input: { reason: '  ' }, code: 'reason-required' });
  choices.push({ event: 'create', input: {}, code: 'invalid-transition' });
  const invalid = CASE_EVENTS.filter((e) => !allowedEvents(state).includes(e));
  const other = invalid[pick % invalid.length];
  if (other !== undefined) choices.push({ event: other, input: { reason: REASON }, code: 'invalid-transition' });
  return choices[pick % choices.length] as (typeof choices)[number];
}

const opArb = fc.record({
  c: fc.nat({ max: 2 }),
  kind: fc.constantFrom('valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'invalid', 'law', 'stale', 'read'),
  pick: fc.nat({ max: 1000 }),
  reasonAsInput: fc.boolean(),
});

/** Random operations on three cases, each first moved 0-5 steps along the main path. */
const scenarioArb = fc.record({
  warmup: fc.array(fc.nat({ max: 5 }), { minLength: 3, maxLength: 3 }),
  ops: fc.array(opArb, { minLength: 5, maxLength: 30 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;
const MAIN_PATH: readonly CaseEvent[] = ['approve', 'send', 'receive', 'acknowledge', 'start-assessment'];

interface ModelCase {
  id: string;
  state: CaseState;
  version: number;
}

/** Runs random operations on three new cases and checks the model after each one. */
async function runOperations(env: Env, { ops, warmup }: Scenario, reasonsAlwaysAsInput: boolean): Promise<ModelCase[]> {
  const { ctx } = env;
  const cases: ModelCase[] = [];
  for (const [i, addressee] of (['us-doj-oia', 'us-doj-oia', 'jp-247'] as const).entries()) {
    // A request to a 24/7 point of contact goes through the 24/7 network (Art. 35(1)(b)): the channel must fit the addressee (issue 16).
    const created = await createCase(ctx, fr, preservationRequestFrToUs({ addressee, ...(addressee === 'jp-247' ? { legalBasis: 'ETS185:35(1)(b)' } : {}) }));
    const model: ModelCase = { id: created.id, state: 'draft', version: 1 };
    // A valid head start along the main path, so that the random operations also meet the decision states.
    for (const event of MAIN_PATH.slice(0, warmup[i] ?? 0)) {
      await transitionCase(ctx, actorFor(event), model.id, event, validInput(event, model.state, true, 1));
      model.state = TRANSITIONS[event].to;
      model.version += 1;
    }
    cases.push(model);
  }
  for (const op of ops) {
    env.advance(60_000);
    const model = cases[op.c] as ModelCase;
    if (op.kind === 'read') {
      const before = await count(ctx.db, 'case_access');
      const detail = await getCase(ctx, admin, model.id);
      assert.equal(detail.version, model.version);
      assert.equal(await count(ctx.db, 'case_access'), before + 1, 'each read is recorded');
      continue;
    }
    const allowed = allowedEvents(model.state);
    if (op.kind === 'valid' && allowed.length > 0) {
      // Mostly move forward, so that deep states are reached; withdraw or lapse one time in eight.
      const forward = allowed.filter((e) => e !== 'withdraw' && e !== 'lapse');
      const choices = forward.length > 0 && op.pick % 8 !== 0 ? forward : allowed;
      const event = choices[Math.floor(op.pick / 8) % choices.length] as CaseEvent;
      const input = validInput(event, model.state, reasonsAlwaysAsInput || op.reasonAsInput, op.pick);
      const expectedVersion = op.pick % 2 === 0 ? { expectedVersion: model.version } : {};
      const summary = await transitionCase(ctx, actorFor(event), model.id, event, { ...input, ...expectedVersion });
      model.state = TRANSITIONS[event].to;
      model.version += 1;
      assert.equal(summary.state, model.state);
      assert.equal(summary.version, model.version);
      continue;
    }
    // Rejected operations: an invalid transition, an unmet legal condition, or a stale version.
    let event: string;
    let input: TransitionInput;
    let code: CaseError['code'];
    if (op.kind === 'stale' && allowed.length > 0) {
      event = allowed[op.pick % allowed.length] as CaseEvent;
      input = { ...validInput(event as CaseEvent, model.state, true, op.pick), expectedVersion: model.version + (op.pick % 2 === 0 ? 1 : -1) };
      code = 'conflict';
    } else if (op.kind === 'invalid' || allowed.length === 0) {
      const invalid = CASE_EVENTS.filter((e) => !allowed.includes(e));
      event = invalid[op.pick % invalid.length] as CaseEvent;
      input = { reason: REASON };
      code = 'invalid-transition';
    } else {
      ({ event, input, code } = failingOperation(model.state, op.pick));
    }
    const before = await snapshot(ctx.db, model.id);
    await assert.rejects(transitionCase(ctx, actorFor(CASE_EVENTS.includes(event as CaseEvent) ? (event as CaseEvent) : 'approve'), model.id, event, input), (error: unknown) => {
      assert.ok(error instanceof CaseError, String(error));
      assert.equal(error.code, code, `${model.state} --${event}--> ${error.message}`);
      return true;
    });
    assert.deepEqual(await snapshot(ctx.db, model.id), before, `a rejected ${event} in ${model.state} wrote nothing`);
  }
  return cases;
}

/** (a) audit ↔ change ↔ history for one case. */
async function checkAuditTrail(db: Kysely<Database>, model: ModelCase): Promise<void> {
  const row = await caseRow(db, model.id);
  assert.equal(row.state, model.state);
  assert.equal(row.version, model.version);
  const audit = await db.selectFrom('audit_events').selectAll().where('object_type', '=', 'case').where('object_id', '=', model.id).orderBy('seq').execute();
  const history = await db.selectFrom('case_events').selectAll().where('case_id', '=', model.id).orderBy('seq').execute();
  const caseAudit = audit.filter((a) => a.action.startsWith('case.'));
  assert.equal(caseAudit.length, row.version, 'one case.* audit event per version');
  assert.equal(history.length, row.version, 'one history event per version');
  assert.deepEqual(history.map((h) => h.seq), history.map((_, i) => i + 1), 'history seq is 1..n');
  assert.deepEqual(caseAudit.map((a) => a.action), history.map((h) => `case.${h.event}`), 'audit actions follow the history');
  assert.equal(history[0]?.event, 'create');
  assert.equal(history[0]?.from_state, null);
  for (let i = 1; i < history.length; i++) assert.equal(history[i]?.from_state, history[i - 1]?.to_state, `history chain at seq ${i + 1}`);
  assert.equal(history.at(-1)?.to_state, row.state);
  // The digests chain: each event's before is the previous event's after; the last after is the stored row.
  assert.equal(caseAudit[0]?.before_digest, null);
  for (let i = 1; i < caseAudit.length; i++) assert.equal(caseAudit[i]?.before_digest, caseAudit[i - 1]?.after_digest, `digest chain at ${caseAudit[i]?.action}`);
  assert.equal(caseAudit.at(-1)?.after_digest, digest(row), 'the latest after_digest is the digest of the stored row');
}

async function historyOf(ctx: CaseContext, id: string) {
  const detail = await getCase(ctx, SYSTEM_ACTOR, id, 'integrity-check');
  return { detail, events: detail.history.map((e) => ({ event: e.event, reason: e.reason })) };
}

/** Drives a Budapest Art. 29 case from draft to in-assessment. */
async function toAssessment(ctx: CaseContext, id: string): Promise<void> {
  await transitionCase(ctx, fr, id, 'approve', { review: DEMO_REVIEW });
  await transitionCase(ctx, fr, id, 'send');
  await transitionCase(ctx, us, id, 'receive');
  await transitionCase(ctx, us, id, 'acknowledge');
  await transitionCase(ctx, us, id, 'start-assessment');
}

/** What one scheduler did: the deadlines it escalated, and how many escalation transactions it ran. */
interface Pass {
  escalated: string[];
  attempts: number;
}

/** A context whose transactions hold on for `holdMs` before committing, so that schedulers overlap. */
function slowContext(db: Kysely<Database>, now: string, holdMs: number): { ctx: CaseContext; attempts: () => number } {
  let attempts = 0;
  const ctx = createCaseContext(db, kb, {
    now: () => new Date(now),
    transaction: (work) =>
      db.transaction().execute(async (trx) => {
        attempts += 1;
        const result = await work(trx);
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        return result;
      }),
  });
  return { ctx, attempts: () => attempts };
}

// The worker-thread scheduler for SQLite: its own connection, as a second process would have.
const SCHEDULER_WORKER = [
  `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};`,
  'register();',
  "const { parentPort, workerData } = await import('node:worker_threads');",
  `const { openDatabase } = await import(${JSON.stringify(new URL('../../src/db/index.ts', import.meta.url).href)});`,
  `const { loadKnowledgeBase } = await import(${JSON.stringify(new URL('../../src/law/index.ts', import.meta.url).href)});`,
  `const { createCaseContext, escalateOverdue } = await import(${JSON.stringify(new URL('../../src/cases/index.ts', import.meta.url).href)});`,
  "const handle = await openDatabase({ kind: 'sqlite', file: workerData.file });",
  'let attempts = 0;',
  'const transaction = (work) => handle.db.transaction().execute(async (trx) => { attempts += 1; const result = await work(trx); await new Promise((r) => setTimeout(r, workerData.holdMs)); return result; });',
  'const ctx = createCaseContext(handle.db, loadKnowledgeBase(), { now: () => new Date(workerData.now), transaction });',
  "const go = new Promise((resolve) => parentPort.once('message', resolve));",
  '// Warm up (load, compile, first queries) on a clock at which nothing is due, then wait for the start.',
  "await escalateOverdue(createCaseContext(handle.db, loadKnowledgeBase(), { now: () => new Date('2000-01-01T00:00:00Z') }));",
  "parentPort.postMessage({ ready: true });",
  'await go;',
  'const escalated = [];',
  'for (let i = 0; i < workerData.rounds; i++) for (const e of await escalateOverdue(ctx, workerData.batch)) escalated.push(e.deadlineId);',
  'await handle.close();',
  'parentPort.postMessage({ escalated, attempts });',
].join('\n');

/** Starts the worker scheduler; resolves `ready` when it can start, `done` with what it escalated. */
function workerScheduler(file: string, now: string, rounds: number, batch: number, holdMs: number): { ready: Promise<void>; start: () => void; done: Promise<Pass> } {
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(SCHEDULER_WORKER)}`), { workerData: { file, now, rounds, batch, holdMs } });
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const done = new Promise<Pass>((resolve, reject) => {
    let result: Pass | undefined;
    worker.on('message', (message: { ready?: true; escalated?: string[]; attempts?: number }) => {
      if (message.ready) onReady();
      if (message.escalated) result = { escalated: message.escalated, attempts: message.attempts ?? 0 };
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`scheduler worker exited with ${code}`))));
  });
  return { ready, start: () => worker.postMessage('go'), done };
}

forEachDatabase('case integrity', (target) => {
  it('(a) audit ↔ change: after random valid and rejected operations, audit events = version = history events, digests chain to the stored row; a rejected operation writes nothing (property)', async (t) => {
    const env = await setup(target, t);
    const all: ModelCase[] = [];
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const cases = await runOperations(env, scenario, false);
        for (const c of cases) await checkAuditTrail(env.ctx.db, c);
        all.push(...cases);
      }),
      { numRuns: 15 },
    );
    // Nothing outside the cases: every case.* audit event and every history event belongs to a version.
    const versions = await env.ctx.db.selectFrom('cases').select(['version']).execute();
    const total = versions.reduce((n, r) => n + r.version, 0);
    const caseAudit = await env.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', 'like', 'case.%').executeTakeFirstOrThrow();
    assert.equal(Number(caseAudit.n), total);
    assert.equal(await count(env.ctx.db, 'case_events'), total);
    assert.ok(all.length >= 45);
  });

  it('(b) replay: the history without `create` replays to the stored state, when reasons are given as the event reason (property)', async (t) => {
    const env = await setup(target, t);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const cases = await runOperations(env, scenario, true);
        for (const c of cases) {
          const { detail, events } = await historyOf(env.ctx, c.id);
          assert.equal(replay(events), detail.state, JSON.stringify(events));
          assert.equal(detail.state, c.state);
        }
      }),
      { numRuns: 15 },
    );
  });

  it(
    '(b) replay: a refusal whose reasons are given only in the assessment still replays',
    async (t) => {
      const { ctx } = await setup(target, t);
      const c = await createCase(ctx, fr, preservationRequestFrToUs());
      await toAssessment(ctx, c.id);
      await transitionCase(ctx, us, c.id, 'refuse', { assessment: { grounds: ESSENTIAL, decision: 'refuse', reasons: LONG_REASONS } });
      const { detail, events } = await historyOf(ctx, c.id);
      assert.equal(detail.state, 'refused');
      assert.equal(replay(events), 'refused');
    },
  );

  it('(c) day deadlines end at local midnight after the US spring-forward; the preservation minimum too', async (t) => {
    const env = await setup(target, t, '2026-03-07T09:00:00Z');
    const { ctx } = env;
    const eio = await createCase(
      ctx,
      frp,
      preservationRequestFrToUs({
        requestingAuthority: 'fr-parquet-paris',
        addressee: 'de-liaison-ny',
        measures: ['subscriber-info'],
        legalBasis: 'EU-2014-41:1',
        contents: { 'person-concerned': 'Unknown holder of the account attacker@mail.demo.invalid.', 'measures-and-evidence': 'Production of subscriber information.' },
      }),
    );
    const budapest = await createCase(ctx, fr, preservationRequestFrToUs());
    for (const c of [eio, budapest]) {
      await transitionCase(ctx, admin, c.id, 'approve', { review: DEMO_REVIEW });
      await transitionCase(ctx, admin, c.id, 'send');
    }
    env.setNow('2026-03-07T12:00:00-05:00');
    for (const c of [eio, budapest]) await transitionCase(ctx, admin, c.id, 'receive');

    const ny = (iso: string) => Temporal.Instant.from(iso).toZonedDateTimeISO('America/New_York');
    const clocks = (await getCase(ctx, admin, eio.id)).deadlines;
    const byId = new Map(clocks.map((d) => [d.deadlineId, d]));
    assert.deepEqual([...byId.keys()].sort(), ['eio-acknowledgement', 'eio-recognition']);
    for (const d of clocks) {
      assert.equal(d.timeZone, 'America/New_York');
      assert.equal(d.startedAt, '2026-03-07T17:00:00.000Z');
      assert.equal(ny(d.startedAt).offset, '-05:00', 'received in EST');
      const due = ny(d.dueAt ?? '');
      assert.equal(due.offset, '-04:00', `${d.deadlineId} ends in EDT: ${d.dueAt}`);
      assert.equal(due.toPlainTime().toString(), '00:00:00', `${d.deadlineId} ends at local midnight`);
    }
    // 7 days: last day Saturday 14 March → Monday 16 March (Reg. 1182/71 Art. 3(4)); ends 17 March 00:00 EDT.
    assert.equal(byId.get('eio-acknowledgement')?.dueAt, '2026-03-17T04:00:00.000Z');
    // 30 days: last day Monday 6 April.
    assert.equal(byId.get('eio-recognition')?.dueAt, '2026-04-07T04:00:00.000Z');

    const preservation = (await getCase(ctx, admin, budapest.id)).deadlines;
    assert.equal(preservation.length, 1);
    // Budapest Art. 29(7): at least 60 days; last day 6 May, end of day in New York (EDT).
    assert.equal(preservation[0]?.dueAt, '2026-05-07T04:00:00.000Z');
    assert.equal(preservation[0]?.status, 'informational');

    // The decision starts the 90-day execution clock in the same zone.
    await transitionCase(ctx, admin, eio.id, 'acknowledge');
    await transitionCase(ctx, admin, eio.id, 'start-assessment');
    env.setNow('2026-03-20T11:00:00-04:00');
    await transitionCase(ctx, admin, eio.id, 'accept', { assessment: { grounds: EIO_GROUNDS, decision: 'accept' } });
    const after = new Map((await getCase(ctx, admin, eio.id)).deadlines.map((d) => [d.deadlineId, d]));
    assert.equal(after.get('eio-acknowledgement')?.status, 'met');
    assert.equal(after.get('eio-recognition')?.status, 'met');
    assert.equal(after.get('eio-execution')?.dueAt, '2026-06-19T04:00:00.000Z', '90 days: last day Thursday 18 June');
  });

  it('(c) an 8-hour emergency EPOC across the EU fall-back on 2026-10-25 is exactly 8 elapsed hours', async (t) => {
    const env = await setup(target, t, '2026-10-24T18:00:00Z');
    const { ctx } = env;
    const c = await createCase(ctx, frp, epocRequest({ emergency: { emergency: true, justification: 'Imminent threat to the life of a hospital patient whose records were altered.' } }));
    await transitionCase(ctx, frp, c.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(ctx, frp, c.id, 'send');
    env.setNow('2026-10-25T00:30:00+02:00'); // 00:30 CEST in Berlin, before the clocks go back at 03:00 CEST
    await transitionCase(ctx, de, c.id, 'receive');
    const deadlines = (await getCase(ctx, de, c.id)).deadlines;
    assert.deepEqual(deadlines.map((d) => d.deadlineId), ['epoc-emergency-production']);
    const [d] = deadlines;
    assert.ok(d?.dueAt);
    assert.equal(d.startedAt, '2026-10-24T22:30:00.000Z');
    assert.equal(d.dueAt, '2026-10-25T06:30:00.000Z');
    assert.equal(Date.parse(d.dueAt) - Date.parse(d.startedAt), 8 * HOUR, 'exactly 8 elapsed hours');
    const berlin = (iso: string) => Temporal.Instant.from(iso).toZonedDateTimeISO('Europe/Berlin');
    assert.equal(berlin(d.startedAt).offset, '+02:00');
    assert.equal(berlin(d.dueAt).offset, '+01:00');
    assert.equal(berlin(d.dueAt).toPlainTime().toString(), '07:30:00', '7 hours on the wall clock');
    // Overdue exactly at the due instant, not a millisecond before.
    env.setNow(new Date(Date.parse(d.dueAt) - 1).toISOString());
    assert.deepEqual(await escalateOverdue(ctx), []);
    env.setNow(d.dueAt);
    assert.equal((await escalateOverdue(ctx)).length, 1);
  });

  it('(d) two schedulers concurrently and repeatedly escalate each overdue deadline exactly once; a restarted one escalates nothing again', async (t) => {
    const config: DbConfig = await target.createConfig();
    const main = await target.open(config, t);
    const env = await setupOn(main, '2026-12-01T08:00:00Z');
    const { ctx } = env;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const c = await createCase(ctx, frp, epocRequest());
      await transitionCase(ctx, frp, c.id, 'approve', { review: DEMO_REVIEW });
      await transitionCase(ctx, frp, c.id, 'send');
      env.advance(HOUR);
      await transitionCase(ctx, de, c.id, 'receive');
      ids.push(c.id);
    }
    // Not overdue: met, cancelled, suspended; and an informational Budapest clock.
    const [met, cancelled, suspended] = ids.slice(-3) as [string, string, string];
    for (const e of ['acknowledge', 'start-assessment', 'accept', 'execute'] as const) await transitionCase(ctx, de, met, e, e === 'accept' ? { assessment: { grounds: [], decision: 'accept' } } : {});
    await transitionCase(ctx, frp, cancelled, 'withdraw', { reason: REASON });
    await transitionCase(ctx, de, suspended, 'acknowledge');
    await transitionCase(ctx, de, suspended, 'start-assessment');
    await transitionCase(ctx, de, suspended, 'request-clarification', { reason: REASON });
    const informational = await createCase(ctx, fr, preservationRequestFrToUs());
    await transitionCase(ctx, fr, informational.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(ctx, fr, informational.id, 'send');
    await transitionCase(ctx, us, informational.id, 'receive');

    env.advance(30 * DAY);
    const now = env.now().toISOString();
    const expected = (await ctx.db.selectFrom('case_deadlines').select(['id']).where('status', '=', 'running').where('due_at', '<=', now).execute()).map((r) => r.id).sort();
    assert.equal(expected.length, 7, 'seven EPOC clocks overdue');

    const rounds = expected.length + 2;
    const batch = 2;
    const holdMs = 10;
    const loop = async (c: CaseContext): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < rounds; i++) for (const e of await escalateOverdue(c, batch)) out.push(e.deadlineId);
      return out;
    };
    const first = slowContext(main.db, now, holdMs);
    let passes: Pass[];
    if (target.kind === 'sqlite') {
      // better-sqlite3 blocks its thread on a busy lock: the second scheduler runs in a worker thread.
      assert.equal(config.kind, 'sqlite');
      const worker = workerScheduler(config.kind === 'sqlite' ? config.file : '', now, rounds, batch, holdMs);
      await worker.ready;
      worker.start();
      const [a, b] = await Promise.all([loop(first.ctx), worker.done]);
      passes = [{ escalated: a, attempts: first.attempts() }, b];
    } else {
      // PostgreSQL: a second pool; PGlite: one connection shared by both schedulers.
      const second = slowContext(target.kind === 'postgres' ? (await target.open(config, t)).db : main.db, now, holdMs);
      const [a, b] = await Promise.all([loop(first.ctx), loop(second.ctx)]);
      passes = [
        { escalated: a, attempts: first.attempts() },
        { escalated: b, attempts: second.attempts() },
      ];
    }
    const escalated = passes.flatMap((p) => p.escalated);
    const attempts = passes.reduce((n, p) => n + p.attempts, 0);
    t.diagnostic(`escalations per scheduler: ${passes.map((p) => `${p.escalated.length}/${p.attempts} attempts`).join(', ')}`);
    assert.ok(attempts > expected.length, `the schedulers raced for the same deadlines (${attempts} attempts for ${expected.length})`);
    assert.equal(escalated.length, expected.length, `each escalated once: ${escalated.length} escalations of ${expected.length} deadlines`);
    assert.deepEqual([...escalated].sort(), expected);

    const audits = await ctx.db.selectFrom('audit_events').select(['object_id']).where('action', '=', 'deadline.overdue').execute();
    assert.deepEqual(audits.map((a) => a.object_id).sort(), expected, 'one deadline.overdue audit event per deadline');
    const notes = await ctx.db.selectFrom('notifications').select(['authority_id', 'case_id', 'kind']).execute();
    assert.equal(notes.length, 2 * expected.length, 'the provider and the requesting authority, once each');
    assert.equal(new Set(notes.map((n) => `${n.case_id}/${n.authority_id}`)).size, notes.length);
    assert.ok(notes.every((n) => n.kind === 'deadline-overdue'));
    const stillDue = await ctx.db.selectFrom('case_deadlines').select(['id']).where('status', '=', 'running').where('due_at', '<=', now).where('overdue_at', 'is', null).execute();
    assert.deepEqual(stillDue, []);
    const untouched = await ctx.db.selectFrom('case_deadlines').select(['status', 'overdue_at']).where('case_id', 'in', [met, cancelled, suspended, informational.id]).execute();
    assert.deepEqual(untouched.map((d) => d.status).sort(), ['cancelled', 'informational', 'met', 'suspended']);
    assert.ok(untouched.every((d) => d.overdue_at === null));

    // Restart: a new context (and connection) later on finds nothing to escalate.
    const restarted = target.kind === 'pglite' ? main : await target.open(config, t);
    const later = createCaseContext(restarted.db, kb, { now: () => new Date(Date.parse(now) + 5 * DAY) });
    assert.deepEqual(await escalateOverdue(later), []);
    assert.deepEqual(await escalateOverdue(later, 1), []);
    assert.equal(await count(ctx.db, 'notifications'), 2 * expected.length);
    const auditsAfter = await ctx.db.selectFrom('audit_events').select(['id']).where('action', '=', 'deadline.overdue').execute();
    assert.equal(auditsAfter.length, expected.length);
  });

  it('(e) every read is recorded; purge removes only ended cases past their deletion date, content and reasons, and keeps the audit trail', async (t) => {
    const config: DbConfig = await target.createConfig();
    const handle = await target.open(config, t);
    const env = await setupOn(handle, '2026-12-01T08:00:00Z');
    const { ctx } = env;
    const marker = `MARKER${randomBytes(12).toString('hex')}`;
    const mk = (input: RequestInput, retentionDays: number) => ({ ...input, dataProtection: { purpose: 'Criminal investigation PARQUET-PARIS-2026-04417.', retentionDays } });

    // A: closed with marked content, short retention; B: withdrawn draft; C: open; D: closed with long retention.
    const a = await createCase(ctx, fr, mk(preservationRequestFrToUs({ facts: `The intruder left the signature ${marker} in the server logs of the hospital.` }), 10));
    await transitionCase(ctx, fr, a.id, 'approve', { review: { ...DEMO_REVIEW, notes: `Reviewed ${marker}-review` } });
    await transitionCase(ctx, fr, a.id, 'send');
    await transitionCase(ctx, us, a.id, 'receive');
    await transitionCase(ctx, us, a.id, 'acknowledge');
    await transitionCase(ctx, us, a.id, 'start-assessment');
    await transitionCase(ctx, us, a.id, 'request-clarification', { reason: `Which account? ${marker}-reason` });
    await transitionCase(ctx, fr, a.id, 'answer-clarification', { reason: 'The account attacker@mail.demo.invalid.' });
    await transitionCase(ctx, us, a.id, 'accept', { assessment: { grounds: [{ ground: 'political-offence', applies: false, note: `${marker}-note` }, { ground: 'essential-interests', applies: false }], decision: 'accept' } });
    await transitionCase(ctx, us, a.id, 'execute');
    await transitionCase(ctx, us, a.id, 'respond', { response: { summary: `Preserved ${marker}-response` } });
    await transitionCase(ctx, fr, a.id, 'close');
    const b = await createCase(ctx, fr, mk(preservationRequestFrToUs(), 1));
    await transitionCase(ctx, fr, b.id, 'withdraw', { reason: 'The suspect was identified by other means.' });
    const c = await createCase(ctx, fr, mk(preservationRequestFrToUs(), 1));
    await transitionCase(ctx, fr, c.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(ctx, fr, c.id, 'send');
    const d = await createCase(ctx, fr, mk(preservationRequestFrToUs(), 3650));
    await toAssessment(ctx, d.id);
    await transitionCase(ctx, us, d.id, 'refuse', { reason: REASON, assessment: { grounds: ESSENTIAL, decision: 'refuse', reasons: LONG_REASONS } });
    await transitionCase(ctx, us, d.id, 'respond');
    await transitionCase(ctx, fr, d.id, 'close');

    // Records of access: one per read, with actor, purpose and time.
    const reads: { actor: string; action: string; at: string }[] = [];
    for (const [actor, purpose] of [[us, 'assessment'], [fr, 'read'], [admin, 'audit']] as const) {
      env.advance(60_000);
      await getCase(ctx, actor, a.id, purpose);
      reads.push({ actor: actor.id, action: purpose, at: env.now().toISOString() });
    }
    assert.deepEqual(await accessRecords(ctx, a.id), reads);
    await assert.rejects(getCase(ctx, admin, 'no-such-case'), (e: unknown) => e instanceof CaseError && e.code === 'not-found');
    assert.deepEqual(await accessRecords(ctx, 'no-such-case'), []);

    const deleteAfter = async (id: string) => (await caseRow(ctx.db, id)).delete_after;
    assert.equal(await deleteAfter(a.id), '2026-12-11');
    assert.equal(await deleteAfter(b.id), '2026-12-02');
    assert.equal(await deleteAfter(c.id), null, 'an open case has no deletion date');
    assert.equal(await deleteAfter(d.id), '2036-11-28');
    const auditBefore = await ctx.db.selectFrom('audit_events').select(['id', 'action', 'object_id', 'after_digest']).orderBy('seq').execute();

    // The same day: nothing; on B's deletion date: B only; on A's: A only; C and D never.
    assert.deepEqual(await purgeExpiredCases(ctx), []);
    env.setNow('2026-12-02T00:00:00Z');
    assert.deepEqual(await purgeExpiredCases(ctx), [b.id]);
    env.setNow('2026-12-10T23:59:59Z');
    assert.deepEqual(await purgeExpiredCases(ctx), []);
    env.setNow('2026-12-11T06:00:00Z');
    assert.deepEqual(await purgeExpiredCases(ctx), [a.id]);
    env.setNow('2030-01-01T00:00:00Z');
    assert.deepEqual(await purgeExpiredCases(ctx), [], 'nothing twice, nothing open, nothing before its date');

    for (const id of [a.id, b.id]) {
      const row = await caseRow(ctx.db, id);
      assert.equal(row.request, null);
      assert.equal(row.review, null);
      assert.equal(row.assessment, null);
      assert.ok(row.purged_at);
      const events = await ctx.db.selectFrom('case_events').select(['payload', 'reason']).where('case_id', '=', id).execute();
      assert.ok(events.length > 0);
      assert.ok(events.every((e) => e.payload === null && (e.reason === null || e.reason === PURGED)), 'history payloads are gone and reasons replaced by a placeholder (the history stays replayable)');
      const detail = await getCase(ctx, admin, id);
      assert.equal(detail.request, null);
      assert.ok(detail.history.length > 0, 'the skeleton stays');
    }
    for (const id of [c.id, d.id]) {
      const row = await caseRow(ctx.db, id);
      assert.ok(row.request !== null && row.purged_at === null, 'not purged');
    }
    const auditAfter = await ctx.db.selectFrom('audit_events').select(['id', 'action', 'object_id', 'after_digest']).orderBy('seq').execute();
    assert.deepEqual(auditAfter.slice(0, auditBefore.length), auditBefore, 'audit events remain unchanged');
    assert.deepEqual(auditAfter.slice(auditBefore.length).map((e) => [e.action, e.object_id]), [['case.purge', b.id], ['case.purge', a.id]]);

    if (target.kind === 'sqlite') {
      assert.equal(config.kind, 'sqlite');
      const file = config.kind === 'sqlite' ? config.file : '';
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(ctx.db);
      const bytes = async (path: string) => readFile(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? Buffer.alloc(0) : Promise.reject(error)));
      for (const path of [file, `${file}-wal`]) {
        const content = await bytes(path);
        assert.equal(content.indexOf(marker), -1, `${path} no longer holds the purged content`);
      }
    }
  });

  it('(e) sanity: before the purge the marker is in the SQLite files (so the byte check above is not vacuous)', { skip: target.kind !== 'sqlite' && 'SQLite only' }, async (t) => {
    const config: DbConfig = await target.createConfig();
    const handle = await target.open(config, t);
    const { ctx } = await setupOn(handle, '2026-12-01T08:00:00Z');
    const marker = `MARKER${randomBytes(12).toString('hex')}`;
    await createCase(ctx, fr, preservationRequestFrToUs({ facts: `The intruder left the signature ${marker} in the server logs.` }));
    const file = config.kind === 'sqlite' ? config.file : '';
    const [db, wal] = await Promise.all([readFile(file), readFile(`${file}-wal`).catch(() => Buffer.alloc(0))]);
    assert.ok(db.indexOf(marker) !== -1 || wal.indexOf(marker) !== -1);
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(ctx.db);
    assert.ok((await readFile(file)).indexOf(marker) !== -1);
  });

  it(
    '(e) the purge audit event records the row as stored (after_digest = digest of the purged row)',
    async (t) => {
      const env = await setup(target, t);
      const c = await createCase(env.ctx, fr, { ...preservationRequestFrToUs(), dataProtection: { purpose: 'Criminal investigation PARQUET-PARIS-2026-04417.', retentionDays: 1 } });
      await transitionCase(env.ctx, fr, c.id, 'withdraw', { reason: REASON });
      env.advance(2 * DAY);
      assert.deepEqual(await purgeExpiredCases(env.ctx), [c.id]);
      const last = await env.ctx.db.selectFrom('audit_events').select(['action', 'after_digest']).where('object_id', '=', c.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      assert.equal(last.action, 'case.purge');
      assert.equal(last.after_digest, digest(await caseRow(env.ctx.db, c.id)));
    },
  );

  it(
    '(e) after a purge the case still has one history event per version',
    async (t) => {
      const env = await setup(target, t);
      const c = await createCase(env.ctx, fr, { ...preservationRequestFrToUs(), dataProtection: { purpose: 'Criminal investigation PARQUET-PARIS-2026-04417.', retentionDays: 1 } });
      await transitionCase(env.ctx, fr, c.id, 'withdraw', { reason: REASON });
      env.advance(2 * DAY);
      await purgeExpiredCases(env.ctx);
      const row = await caseRow(env.ctx.db, c.id);
      const history = await env.ctx.db.selectFrom('case_events').select(['seq']).where('case_id', '=', c.id).execute();
      assert.equal(history.length, row.version);
    },
  );

  it('(f) tenant filter: cases and deadlines of other authorities are never listed', async (t) => {
    const env = await setup(target, t);
    const { ctx } = env;
    const involved = new Map<string, string[]>(); // case id → authorities
    const add = (id: string, ...authorities: string[]) => involved.set(id, authorities);
    for (let i = 0; i < 3; i++) {
      const c = await createCase(ctx, fr, preservationRequestFrToUs());
      await transitionCase(ctx, fr, c.id, 'approve', { review: DEMO_REVIEW });
      await transitionCase(ctx, fr, c.id, 'send');
      await transitionCase(ctx, us, c.id, 'receive');
      add(c.id, 'fr-ca', 'us-doj-oia');
    }
    // A draft addressed to Japan: the addressee sees it only once it is sent.
    const jpDraft = await createCase(ctx, fr, preservationRequestFrToUs({ addressee: 'jp-247', legalBasis: 'ETS185:35(1)(b)' }));
    add(jpDraft.id, 'fr-ca');
    assert.deepEqual((await listCases(ctx, { authorityIds: ['jp-247'] })).cases, [], 'no draft for the addressee');
    const jp = await createCase(ctx, fr, preservationRequestFrToUs({ addressee: 'jp-247', legalBasis: 'ETS185:35(1)(b)' }));
    await transitionCase(ctx, fr, jp.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(ctx, fr, jp.id, 'send');
    add(jp.id, 'fr-ca', 'jp-247');
    for (let i = 0; i < 2; i++) {
      const c = await createCase(ctx, frp, epocRequest());
      await transitionCase(ctx, frp, c.id, 'approve', { review: DEMO_REVIEW });
      await transitionCase(ctx, frp, c.id, 'send');
      await transitionCase(ctx, de, c.id, 'receive');
      add(c.id, 'fr-parquet-paris', 'de-provider');
    }
    const frUs = [...involved].filter(([, a]) => a.includes('us-doj-oia')).map(([id]) => id);

    const jpCases = await listCases(ctx, { authorityIds: ['jp-247'] });
    assert.deepEqual(jpCases.cases.map((c) => c.id), [jp.id]);
    assert.equal(jpCases.total, 1);
    assert.ok(jpCases.cases.every((c) => !frUs.includes(c.id)), 'none of the FR→US cases');
    assert.deepEqual(await listDeadlines(ctx, { authorityIds: ['jp-247'] }), []);

    const allDeadlines = await listDeadlines(ctx);
    assert.equal(allDeadlines.length, 2, 'the two running EPOC clocks');
    for (const ids of [['jp-247'], ['us-doj-oia'], ['fr-ca'], ['de-provider'], ['fr-parquet-paris'], ['jp-247', 'de-provider'], ['ie-provider'], []]) {
      const expectedCases = [...involved].filter(([, a]) => a.some((x) => ids.includes(x))).map(([id]) => id).sort();
      const listed = await listCases(ctx, { authorityIds: ids, limit: 500 });
      assert.deepEqual(listed.cases.map((c) => c.id).sort(), expectedCases, `cases of ${ids.join('+')}`);
      assert.equal(listed.total, expectedCases.length);
      const paged = await listCases(ctx, { authorityIds: ids, limit: 1 });
      assert.equal(paged.total, expectedCases.length, 'the total ignores paging');
      assert.ok(paged.cases.length <= 1);
      const deadlines = await listDeadlines(ctx, { authorityIds: ids });
      assert.deepEqual(deadlines.map((d) => d.caseId).sort(), allDeadlines.filter((d) => expectedCases.includes(d.caseId)).map((d) => d.caseId).sort(), `deadlines of ${ids.join('+')}`);
    }
  });
});
