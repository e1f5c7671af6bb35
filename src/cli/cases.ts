/**
 * @module cli/cases
 * `comity cases …` and `comity authorities …`: the case workflow from the command line, on the
 * embedded SQLite database (or PostgreSQL with DATABASE_URL). The CLI acts as the local operator
 * (`--as` names the actor recorded in history and audit); the HTTP API enforces roles.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  CASE_STATES,
  createAuthority,
  createCase,
  createCaseContext,
  createCaseOnce,
  getCase,
  listAuthorities,
  listCases,
  listDeadlines,
  transitionCase,
  type Actor,
  type CaseContext,
  type CaseState,
  type TransitionInput,
} from '../cases/index.js';
import { createSecretBox, loadMasterKey } from '../auth/index.js';
import { openDatabase, resolveDataDir, resolveDbConfig } from '../db/index.js';
import { createCaseFederation } from '../exchange/case-bridge.js';
import { loadNodeIdentity } from '../exchange/index.js';
import { createExchangeRuntime } from '../exchange/runtime.js';
import { createDbKeyStore } from '../keys/index.js';
import { loadKnowledgeBase } from '../law/index.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { table } from './table.js';

interface CaseOptions {
  json?: boolean;
  as?: string;
}

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function actorOf(options: CaseOptions): Actor {
  return { id: options.as ?? `cli:${userInfo().username}`, authorityId: null };
}

async function cliExchange(ctx: CaseContext) {
  const identity = await loadNodeIdentity(ctx.db);
  if (identity === null) return null;
  const keys = createDbKeyStore(ctx.db, createSecretBox(loadMasterKey(process.env, resolveDataDir(process.env))));
  const runtime = createExchangeRuntime({ db: ctx.db, keys, identity, relay: { autostart: false } });
  ctx.federation = createCaseFederation(runtime);
  return runtime;
}

/** Opens (and migrates) the configured database, runs `work`, and always closes it. */
async function withCases<T>(work: (ctx: CaseContext) => Promise<T>): Promise<T> {
  const handle = await openDatabase(resolveDbConfig(process.env));
  try {
    await handle.migrate();
    const ctx = createCaseContext(handle.db, loadKnowledgeBase());
    // On a federation node, a step whose other side is on a peer is queued in the outbox with the
    // change (the server's relay delivers it), as through the API.
    const runtime = await cliExchange(ctx);
    try {
      return await work(ctx);
    } finally {
      await runtime?.stop();
    }
  } finally {
    await handle.close();
  }
}

function positiveInt(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`invalid ${name} ${JSON.stringify(value)}: expected a positive integer`);
  return Number(value);
}

export function registerCases(program: Command, io: Io): void {
  const cases = program.command('cases').description('requests for electronic evidence: create, list, show, move through the workflow, clocks');
  const print = (value: unknown): void => io.out(JSON.stringify(value, null, 2));

  cases
    .command('create')
    .description('create a draft request from a JSON file (see README: request format)')
    .argument('<file>', 'request JSON')
    .option('--as <actor>', 'actor recorded in history and audit (default cli:<user>)')
    .option('--idempotency-key <key>', 'create at most once per key (24 h): a retry with the same key and file prints the case created the first time')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: CaseOptions & { idempotencyKey?: string }) => {
      const input = readJsonFile(file);
      const key = options.idempotencyKey;
      const { case: created, replayed } = await withCases(async (ctx) =>
        key === undefined ? { case: await createCase(ctx, actorOf(options), input), replayed: false } : createCaseOnce(ctx, actorOf(options), input, key),
      );
      if (options.json) print(created);
      else io.out(`${replayed ? 'already created' : 'created'} ${created.reference} (${created.id}), state ${created.state}`);
    });

  cases
    .command('list')
    .description('case summaries, newest change first')
    .option('--state <state>', `only this state: ${CASE_STATES.join(', ')}`)
    .option('--authority <id>', 'only cases of this authority (requesting or addressed)')
    .option('--limit <n>', 'at most n cases', '50')
    .option('--offset <n>', 'skip n cases', '0')
    .option('--json', 'machine-readable output')
    .action(async (options: CaseOptions & { state?: string; authority?: string; limit: string; offset: string }) => {
      if (options.state !== undefined && !(CASE_STATES as readonly string[]).includes(options.state)) {
        throw new UsageError(`unknown state ${JSON.stringify(options.state)}: allowed ${CASE_STATES.join(', ')}`);
      }
      const limit = positiveInt(options.limit, '--limit');
      const offset = options.offset === '0' ? 0 : positiveInt(options.offset, '--offset');
      const result = await withCases((ctx) =>
        listCases(ctx, { limit, offset, ...(options.state ? { states: [options.state as CaseState] } : {}), ...(options.authority ? { authorityIds: [options.authority] } : {}) }),
      );
      if (options.json) return print(result);
      io.out(`${result.total} case(s)`);
      io.out(
        table(
          ['Reference', 'State', 'From', 'To', 'Basis', 'Measures', 'Updated', 'Id'],
          result.cases.map((c) => [c.reference, c.state, c.requestingAuthorityId, c.addresseeId, c.legalBasis, c.measures.join(','), c.updatedAt, c.id]),
        ),
      );
    });

  cases
    .command('show')
    .description('one case in full: request, history, clocks (the read is recorded)')
    .argument('<id>', 'case id')
    .option('--as <actor>', 'actor recorded as reader')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: CaseOptions) => {
      const detail = await withCases((ctx) => getCase(ctx, actorOf(options), id));
      if (options.json) return print(detail);
      io.out(`${detail.reference} — ${detail.state} (version ${detail.version})`);
      io.out(`${detail.requestingAuthorityId} (${detail.requestingParty}) → ${detail.addresseeId} (${detail.requestedParty}), basis ${detail.legalBasis}, measures ${detail.measures.join(', ')}${detail.emergency ? ', EMERGENCY' : ''}`);
      io.out(`Next: ${detail.allowedEvents.join(', ') || '-'}`);
      io.out('');
      io.out(table(['#', 'Event', 'From', 'To', 'Actor', 'At', 'Reason'], detail.history.map((e) => [String(e.seq), e.event, e.fromState ?? '-', e.toState, e.actor, e.at, e.reason ?? ''])));
      if (detail.deadlines.length > 0) {
        io.out('');
        io.out(table(['Clock', 'Status', 'Due', 'Zone', 'Citation'], detail.deadlines.map((d) => [d.deadlineId, d.status, d.dueAt ?? 'suspended', d.timeZone, `${d.citation.instrument} Art. ${d.citation.article}${d.verified ? '' : ' [unverified]'}`])));
      }
    });

  cases
    .command('transition')
    .description('apply a workflow event (approve, send, receive, acknowledge, start-assessment, accept, refuse, …)')
    .argument('<id>', 'case id')
    .argument('<event>', 'workflow event')
    .option('--reason <text>', 'written reasons (required for refusal, postponement, clarification, withdrawal)')
    .option('--data <file>', 'JSON with "review", "assessment" or "response" for the event')
    .option('--expect-version <n>', 'fail if the case is no longer at this version')
    .option('--as <actor>', 'actor recorded in history and audit')
    .option('--json', 'machine-readable output')
    .action(async (id: string, event: string, options: CaseOptions & { reason?: string; data?: string; expectVersion?: string }) => {
      const data = options.data === undefined ? {} : readJsonFile(options.data);
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError('--data must hold a JSON object with "review", "assessment" or "response"');
      const allowed = new Set(['review', 'assessment', 'response']);
      const unknown = Object.keys(data).filter((k) => !allowed.has(k));
      if (unknown.length > 0) throw new UsageError(`--data has unknown key ${JSON.stringify(unknown[0])}: allowed review, assessment, response`);
      const input: TransitionInput = { ...(data as TransitionInput) };
      if (options.reason !== undefined) input.reason = options.reason;
      if (options.expectVersion !== undefined) input.expectedVersion = positiveInt(options.expectVersion, '--expect-version');
      const result = await withCases((ctx) => transitionCase(ctx, actorOf(options), id, event, input));
      if (options.json) print(result);
      else io.out(`${result.reference}: ${event} → ${result.state} (version ${result.version})`);
    });

  cases
    .command('deadlines')
    .description('running legal clocks, soonest first')
    .option('--overdue', 'only clocks already past')
    .option('--due-within <hours>', 'only clocks due within this many hours')
    .option('--authority <id>', 'only clocks of cases of this authority')
    .option('--json', 'machine-readable output')
    .action(async (options: CaseOptions & { overdue?: boolean; dueWithin?: string; authority?: string }) => {
      const hours = options.dueWithin === undefined ? undefined : positiveInt(options.dueWithin, '--due-within');
      const rows = await withCases((ctx) =>
        listDeadlines(ctx, { overdue: options.overdue ?? false, ...(hours !== undefined ? { dueWithinHours: hours } : {}), ...(options.authority ? { authorityIds: [options.authority] } : {}) }),
      );
      if (options.json) return print(rows);
      if (rows.length === 0) return io.out(options.overdue ? 'No overdue clock.' : 'No running clock.');
      io.out(table(['Case', 'Clock', 'Due', 'Zone', 'Authority', 'Overdue since'], rows.map((d) => [d.reference, d.deadlineId, d.dueAt ?? '-', d.timeZone, d.authorityId, d.overdueAt ?? '-'])));
    });

  const authorities = program.command('authorities').description('authorities that send and receive requests');
  authorities
    .command('create')
    .description('register an authority from a JSON file')
    .argument('<file>', 'authority JSON: id, party, kind, name, timeZone, languages, contact')
    .option('--as <actor>', 'actor recorded in audit')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: CaseOptions) => {
      const input = readJsonFile(file);
      const created = await withCases((ctx) => createAuthority(ctx, actorOf(options), input));
      if (options.json) print(created);
      else io.out(`created authority ${created.id} (${created.party}, ${created.kind})`);
    });
  authorities
    .command('list')
    .description('every registered authority')
    .option('--json', 'machine-readable output')
    .action(async (options: CaseOptions) => {
      const rows = await withCases((ctx) => listAuthorities(ctx));
      if (options.json) return print(rows);
      io.out(table(['Id', 'Party', 'Kind', 'Time zone', 'Name'], rows.map((a) => [a.id, a.party, a.kind, a.timeZone, a.name])));
    });
}
