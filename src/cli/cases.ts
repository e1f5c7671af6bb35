/**
 * @module cli/cases
 * `comity cases …` and `comity authorities …`: the case workflow from the command line, on the
 * embedded SQLite database (or PostgreSQL with DATABASE_URL). The CLI acts as the operating-system
 * user with an operator's rights only, or as a real user through their API token (`--token`,
 * COMITY_TOKEN), with the same policy as the API (`identity.ts`).
 */
import { readFileSync } from 'node:fs';
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
  type CaseContext,
  type CaseState,
  type TransitionInput,
} from '../cases/index.js';
import { openDatabase, resolveDbConfig } from '../db/index.js';
import { cliSecretBox } from './exchange.js';
import { createCaseFederation } from '../exchange/case-bridge.js';
import { loadNodeIdentity } from '../exchange/index.js';
import { createExchangeRuntime } from '../exchange/runtime.js';
import { createDbKeyStore } from '../keys/index.js';
import { loadKnowledgeBase } from '../law/index.js';
import { UsageError } from './errors.js';
import { authorizeCommand, resolveIdentity, tokenOf, visibleAuthorities, type CliIdentity } from './identity.js';
import type { Io } from './io.js';
import { table } from './table.js';

interface CaseOptions {
  json?: boolean;
  token?: string;
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

const TOKEN_HELP = 'API token of the user to act as (default: COMITY_TOKEN; without one, the operating-system user with an operator’s rights)';

async function cliExchange(ctx: CaseContext) {
  const identity = await loadNodeIdentity(ctx.db);
  if (identity === null) return null;
  const keys = createDbKeyStore(ctx.db, await cliSecretBox(ctx.db));
  const runtime = createExchangeRuntime({ db: ctx.db, keys, identity, relay: { autostart: false } });
  ctx.federation = createCaseFederation(runtime);
  return runtime;
}

/**
 * Opens (and migrates) the configured database, resolves who runs `command` and checks the policy,
 * runs `work`, and always closes the database.
 */
async function withCases<T>(command: string, options: CaseOptions, work: (ctx: CaseContext, identity: CliIdentity) => Promise<T>, params: { id?: string; event?: string } = {}): Promise<T> {
  const handle = await openDatabase(resolveDbConfig(process.env));
  try {
    await handle.migrate();
    const ctx = createCaseContext(handle.db, loadKnowledgeBase());
    const identity = await resolveIdentity(handle.db, tokenOf(options));
    await authorizeCommand(ctx, identity, command, params);
    // On a federation node, a step whose other side is on a peer is queued in the outbox with the
    // change (the server's relay delivers it), as through the API.
    const runtime = await cliExchange(ctx);
    try {
      return await work(ctx, identity);
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
    .option('--token <token>', TOKEN_HELP)
    .option('--idempotency-key <key>', 'create at most once per key (24 h): a retry with the same key and file prints the case created the first time')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: CaseOptions & { idempotencyKey?: string }) => {
      const input = readJsonFile(file);
      const key = options.idempotencyKey;
      const { case: created, replayed } = await withCases('cases create', options, async (ctx, who) =>
        key === undefined ? { case: await createCase(ctx, who.actor, input), replayed: false } : createCaseOnce(ctx, who.actor, input, key),
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
    .option('--token <token>', TOKEN_HELP)
    .option('--json', 'machine-readable output')
    .action(async (options: CaseOptions & { state?: string; authority?: string; limit: string; offset: string }) => {
      if (options.state !== undefined && !(CASE_STATES as readonly string[]).includes(options.state)) {
        throw new UsageError(`unknown state ${JSON.stringify(options.state)}: allowed ${CASE_STATES.join(', ')}`);
      }
      const limit = positiveInt(options.limit, '--limit');
      const offset = options.offset === '0' ? 0 : positiveInt(options.offset, '--offset');
      const result = await withCases('cases list', options, (ctx, who) => {
        const authorityIds = visibleAuthorities(who, options.authority);
        return listCases(ctx, { limit, offset, ...(options.state ? { states: [options.state as CaseState] } : {}), ...(authorityIds ? { authorityIds } : {}) });
      });
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
    .option('--token <token>', TOKEN_HELP)
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: CaseOptions) => {
      const detail = await withCases('cases show', options, (ctx, who) => getCase(ctx, who.actor, id), { id });
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
    .option('--token <token>', TOKEN_HELP)
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
      const result = await withCases('cases transition', options, (ctx, who) => transitionCase(ctx, who.actor, id, event, input), { id, event });
      if (options.json) print(result);
      else io.out(`${result.reference}: ${event} → ${result.state} (version ${result.version})`);
    });

  cases
    .command('deadlines')
    .description('running legal clocks, soonest first')
    .option('--overdue', 'only clocks already past')
    .option('--due-within <hours>', 'only clocks due within this many hours')
    .option('--authority <id>', 'only clocks of cases of this authority')
    .option('--token <token>', TOKEN_HELP)
    .option('--json', 'machine-readable output')
    .action(async (options: CaseOptions & { overdue?: boolean; dueWithin?: string; authority?: string }) => {
      const hours = options.dueWithin === undefined ? undefined : positiveInt(options.dueWithin, '--due-within');
      const rows = await withCases('cases deadlines', options, (ctx, who) => {
        const authorityIds = visibleAuthorities(who, options.authority);
        return listDeadlines(ctx, { overdue: options.overdue ?? false, ...(hours !== undefined ? { dueWithinHours: hours } : {}), ...(authorityIds ? { authorityIds } : {}) });
      });
      if (options.json) return print(rows);
      if (rows.length === 0) return io.out(options.overdue ? 'No overdue clock.' : 'No running clock.');
      io.out(table(['Case', 'Clock', 'Due', 'Zone', 'Authority', 'Overdue since'], rows.map((d) => [d.reference, d.deadlineId, d.dueAt ?? '-', d.timeZone, d.authorityId, d.overdueAt ?? '-'])));
    });

  const authorities = program.command('authorities').description('authorities that send and receive requests');
  authorities
    .command('create')
    .description('register an authority from a JSON file')
    .argument('<file>', 'authority JSON: id, party, kind, name, timeZone, languages, contact')
    .option('--token <token>', TOKEN_HELP)
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: CaseOptions) => {
      const input = readJsonFile(file);
      const created = await withCases('authorities create', options, (ctx, who) => createAuthority(ctx, who.actor, input));
      if (options.json) print(created);
      else io.out(`created authority ${created.id} (${created.party}, ${created.kind})`);
    });
  authorities
    .command('list')
    .description('every registered authority')
    .option('--token <token>', TOKEN_HELP)
    .option('--json', 'machine-readable output')
    .action(async (options: CaseOptions) => {
      const rows = await withCases('authorities list', options, (ctx) => listAuthorities(ctx));
      if (options.json) return print(rows);
      io.out(table(['Id', 'Party', 'Kind', 'Time zone', 'Name'], rows.map((a) => [a.id, a.party, a.kind, a.timeZone, a.name])));
    });
}
