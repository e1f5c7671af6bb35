/**
 * Benchmark: the case pipeline — N requests each created, approved (with the judicial review)
 * and sent, every step writing the case with its history and audit events — submitted with
 * concurrency C, on durable storage:
 *
 * - SQLite in a temporary file with `COMITY_SQLITE_SYNC=full` (an fsync on every commit), through
 *   the group-commit runner (`src/db/group-commit.ts`), and once through plain transactions for
 *   comparison;
 * - PostgreSQL in a fresh database (default durability: `synchronous_commit = on`) over a pool
 *   of 10 connections. There each of these steps is ONE statement (data-modifying CTEs) run on
 *   its own, without a transaction (see `transitionCase`); concurrent ones of the same shape are
 *   combined into one multi-row statement (`src/db/write-combiner.ts`), PostgreSQL's
 *   counterpart of the group commit. Skipped (`"postgres": null`) when no server answers at
 *   TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres.
 *
 * Baseline measured in the same run on the same database: sequential durable single-row
 * INSERTs, each its own transaction (autocommit), into a table created for the bench — the rate
 * at which that storage acknowledges durable writes one at a time — for 2.5 s before and after
 * the pipeline; the higher is used. The pipeline is warmed up, its statements are counted on a
 * short probe (from the database's query log; a statement of data-modifying CTEs counts once: it
 * is one round trip), then it is measured twice and the better run is used.
 *
 * SQLite's floor (`floor.ts`), also in the same run on the same database: the same rows, reads
 * and commits by hand-written SQL straight through better-sqlite3, without any of Comity's code
 * — what the storage engine itself allows on this machine; `floorRatio` is its rate over the
 * baseline, the highest ratio any application code could reach there.
 *
 * Targets (rate/baseline): ≥ 1.0 on SQLite, ≥ 0.5 on PostgreSQL; a miss is reported, never an
 * exit code. The last line printed is one JSON object:
 * {"name":"cases","sqlite":{"rate","baseline","ratio","floorRatio"},"postgres":{"rate","baseline","ratio","mode"} | null}
 *
 * Write-path switches (issue 12: keep only the caches and combiners that gain ≥ 20 %): after the
 * main measurement, the pipeline is run with every part on, then with each part of that engine's
 * write path off in turn (`db/write-path-switches.ts`; on SQLite the group commit is switched off
 * by running plain transactions), each configuration twice in alternating order, the better run
 * kept; gain = rate with the part / rate without − 1. `--no-switches` skips this.
 * JSON: "switches": {"sqlite": {part: gain}, "postgres": {part: gain}}.
 *
 *   npm run bench:cases [-- --n 4000 --concurrency 64 --only sqlite|postgres --no-switches]   (N: requests per run, default 4000)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Kysely, LogEvent } from 'kysely';
import { createAuthority, createCase, createCaseContext, transitionCase, type Actor, type CaseContext, type TransactionRunner } from '../src/cases/index.js';
import { combinedWriteStats } from '../src/cases/commands.js';
import { createGroupCommitRunner, type GroupCommitRunner } from '../src/db/group-commit.js';
import { openDatabase, resolveDbConfig, type Database, type DatabaseHandle } from '../src/db/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../src/demo/data.js';
import { loadKnowledgeBase } from '../src/law/index.js';
import { sqliteFloor } from './floor.js';
import { setWritePathOff, type WritePathPart } from '../src/db/write-path-switches.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positive = (name: string): number | undefined => {
  const raw = flag(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
};
const nOverride = positive('--n');
const concurrency = positive('--concurrency') ?? positive('--c') ?? 64;
const only = flag('--only');
const withSwitches = !args.includes('--no-switches');
if (only !== undefined && only !== 'sqlite' && only !== 'postgres') throw new Error(`--only must be sqlite or postgres, got ${only}`);
const BASELINE_SECONDS = 2.5;
const MEASURED_RUNS = 2;
const TARGET = { sqlite: 1.0, postgres: 0.5 };

const kb = loadKnowledgeBase();
const fr: Actor = { id: 'alice@fr-ca', authorityId: 'fr-ca' };
const admin: Actor = { id: 'admin', authorityId: null };
const request = preservationRequestFrToUs();
// The law is evaluated at the sending date: run on a fixed day, with time advancing in real time.
const CLOCK_BASE = Date.parse('2026-12-01T08:00:00Z');
const clockStart = performance.now();
const now = (): Date => new Date(CLOCK_BASE + Math.floor(performance.now() - clockStart));

// ---------------------------------------------------------------------------------------------
// Statement counter (profiling): counts the statements the database runs, by their first
// keyword, while `counting` is on (Kysely's query log, given to openDatabase).

class StatementCounter {
  counts = new Map<string, number>();
  counting = false;
  readonly log = (event: LogEvent): void => {
    if (!this.counting) return;
    const kind = /^\s*(\w+)/.exec(event.query.sql)?.[1]?.toLowerCase() ?? '?';
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  };
  reset(): void {
    this.counts.clear();
  }
  /** Statements other than transaction control (begin, commit, savepoint, release, rollback). */
  total(): number {
    return [...this.counts.entries()].filter(([kind]) => !CONTROL.has(kind)).reduce((a, [, b]) => a + b, 0);
  }
}
const CONTROL = new Set(['begin', 'commit', 'savepoint', 'release', 'rollback']);
const counter = new StatementCounter();

// ---------------------------------------------------------------------------------------------
// The measured work.

async function oneRequest(ctx: CaseContext): Promise<void> {
  const created = await createCase(ctx, fr, request);
  await transitionCase(ctx, fr, created.id, 'approve', { review: DEMO_REVIEW });
  const sent = await transitionCase(ctx, fr, created.id, 'send');
  if (sent.state !== 'sent') throw new Error(`case ${created.id} is ${sent.state}, not sent`);
}

interface PipelineResult {
  requests: number;
  failed: number;
  seconds: number;
  rate: number;
  firstError?: string;
}

async function pipeline(ctx: CaseContext, n: number, c: number): Promise<PipelineResult> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      try {
        await oneRequest(ctx);
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(c, n) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const requests = n - failed;
  return { requests, failed, seconds, rate: requests / seconds, ...(firstError === undefined ? {} : { firstError }) };
}

const BASELINE_PAYLOAD = 'x'.repeat(200);
let baselineId = 0;

/** Sequential durable single-row inserts, each its own transaction, for `seconds`. */
async function baseline(db: Kysely<Database>, seconds: number): Promise<number> {
  let count = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    baselineId += 1;
    await sql`insert into bench_baseline (id, payload) values (${baselineId}, ${BASELINE_PAYLOAD})`.execute(db);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

async function prepare(handle: DatabaseHandle): Promise<void> {
  await handle.migrate();
  const ctx = createCaseContext(handle.db, kb, { now });
  for (const authority of DEMO_AUTHORITIES) await createAuthority(ctx, admin, authority);
  await sql`create table bench_baseline (id integer primary key, payload text not null)`.execute(handle.db);
}

interface Measured {
  rate: number;
  baseline: number;
  ratio: number;
}

const REQUEST_JSON = JSON.stringify(request);
const REVIEW_JSON = JSON.stringify(DEMO_REVIEW);

function floorLine(rate: number, base: number): string {
  return `  floor: ${Math.round(rate)} requests/s = ratio ${(rate / base).toFixed(2)} (the same rows, reads and commits by hand-written SQL through better-sqlite3, no application code: the most this storage allows here)`;
}

interface ModeResult extends PipelineResult {
  mode: string;
}

/** Warm up, count statements on a short probe, then measure the pipeline with the runner `makeRunner` gives. */
async function measureMode(
  label: string,
  db: Kysely<Database>,
  makeRunner: (db: Kysely<Database>) => TransactionRunner,
  n: number,
  { runs: measuredRuns = MEASURED_RUNS, probe: countStatements = true } = {},
): Promise<ModeResult> {
  const probeCtx = createCaseContext(db, kb, { now, transaction: makeRunner(db) });
  const warmup = Math.min(200, Math.max(20, Math.floor(n / 10)));
  await pipeline(probeCtx, warmup, concurrency); // warm-up: JIT, caches, pool connections
  if (countStatements) {
    counter.reset();
    counter.counting = true;
    const probe = 50;
    await pipeline(probeCtx, probe, concurrency);
    counter.counting = false;
    const per = [...counter.counts.entries()].map(([kind, count]) => `${kind} ${(count / probe).toFixed(1)}`).join(', ');
    console.log(`  ${label}: ${(counter.total() / probe).toFixed(1)} statements per request besides transaction control (${per})`);
  }

  // Measured twice (other load on the machine adds noise); the better run is kept, as for the baseline.
  const runs: ModeResult[] = [];
  for (let run = 1; run <= measuredRuns; run += 1) {
    const runner = makeRunner(db);
    const ctx = createCaseContext(db, kb, { now, transaction: runner });
    const result = await pipeline(ctx, n, concurrency);
    const stats = (runner as Partial<GroupCommitRunner>).stats;
    const batchInfo = stats === undefined ? '' : `, ${stats.commits} commits (${(stats.committedItems / Math.max(1, stats.commits)).toFixed(1)} transactions per commit, max ${stats.maxBatchSize})`;
    console.log(
      `  ${label} run ${run}: ${result.requests} requests in ${result.seconds.toFixed(2)} s = ${Math.round(result.rate)} requests/s${batchInfo}` +
        (result.failed > 0 ? `; ${result.failed} FAILED (first: ${result.firstError})` : ''),
    );
    runs.push({ ...result, mode: label });
  }
  return runs.reduce((a, b) => (b.failed < a.failed || (b.failed === a.failed && b.rate > a.rate) ? b : a));
}

type Switchable = WritePathPart | 'group-commit';

/**
 * The gain of each part of the write path: the pipeline with all on, then with each part off, in
 * two rounds (the second in reverse order), the better rate of each configuration kept.
 */
async function switchTable(label: string, db: Kysely<Database>, parts: readonly Switchable[], runnerOf: (off: Switchable | null) => (db: Kysely<Database>) => TransactionRunner, n: number): Promise<Record<string, number>> {
  const configs: (Switchable | null)[] = [null, ...parts];
  const best = new Map<Switchable | null, number>();
  for (const round of [configs, [...configs].reverse()]) {
    for (const off of round) {
      setWritePathOff(off === null || off === 'group-commit' ? [] : [off]);
      try {
        const ctx = createCaseContext(db, kb, { now, transaction: runnerOf(off)(db) });
        await pipeline(ctx, Math.min(100, n), concurrency); // warm-up in this configuration
        const result = await pipeline(ctx, n, concurrency);
        if (result.failed > 0) throw new Error(`${label} with ${off ?? 'all on'}: ${result.failed} failed (first: ${result.firstError})`);
        best.set(off, Math.max(best.get(off) ?? 0, result.rate));
      } finally {
        setWritePathOff([]);
      }
    }
  }
  const on = best.get(null)!;
  console.log(`  ${label} write path, ${n} requests per configuration, better of 2: all on ${Math.round(on)} requests/s`);
  const gains: Record<string, number> = {};
  for (const part of parts) {
    const without = best.get(part)!;
    gains[part] = Number((on / without - 1).toFixed(3));
    console.log(`    ${part.padEnd(24)} off: ${String(Math.round(without)).padStart(6)} requests/s → gain ${(100 * (on / without - 1)).toFixed(1)} % (${on / without - 1 >= 0.2 ? 'keep' : 'below 20 %'})`);
  }
  return gains;
}

const switches: Record<string, Record<string, number>> = {};

function summarise(rate: number, baselineRate: number): Measured {
  return { rate: Math.round(rate), baseline: Math.round(baselineRate), ratio: Number((rate / baselineRate).toFixed(2)) };
}

const groupCommit = (db: Kysely<Database>): TransactionRunner => createGroupCommitRunner(db, { maxBatch: 64 });
const plainTransactions = (db: Kysely<Database>): TransactionRunner => (work) => db.transaction().execute(work);

// ---------------------------------------------------------------------------------------------
// SQLite

async function benchSqlite(n: number): Promise<Measured & { floorRatio: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'comity-bench-'));
  let handle: DatabaseHandle | undefined;
  try {
    const config = resolveDbConfig({ COMITY_DATA_DIR: dir, COMITY_SQLITE_SYNC: 'full' });
    handle = await openDatabase(config, { log: counter.log });
    const { rows } = await sql<{ synchronous: number; journal_mode?: string }>`pragma synchronous`.execute(handle.db);
    const level = Number(rows[0]?.synchronous);
    console.log(`SQLite: ${config.kind === 'sqlite' ? config.file : ''} (WAL, synchronous=${level === 2 ? 'FULL' : level}), N=${n}, concurrency ${concurrency}`);
    if (level !== 2) throw new Error('SQLite is not in synchronous=FULL: commits would not be durable');
    await prepare(handle);
    await baseline(handle.db, 0.3); // warm-up
    const before = await baseline(handle.db, BASELINE_SECONDS);
    const result = await measureMode('group commit', handle.db, groupCommit, n);
    // For comparison only (not in the JSON): one commit, so one fsync, per transaction.
    const plain = await measureMode('plain transactions (for comparison)', handle.db, plainTransactions, Math.max(50, Math.floor(n / 4)), { runs: 1, probe: false });
    const file = config.kind === 'sqlite' ? config.file : '';
    const floor = Math.max(...Array.from({ length: MEASURED_RUNS }, () => sqliteFloor(file, n, 64, REQUEST_JSON, REVIEW_JSON)));
    const bareFile = join(dir, 'bare.sqlite');
    const bare = Math.max(...Array.from({ length: MEASURED_RUNS }, () => sqliteFloor(bareFile, n, 64, REQUEST_JSON, REVIEW_JSON, { bare: true })));
    const after = await baseline(handle.db, BASELINE_SECONDS);
    const base = Math.max(before, after);
    if (withSwitches) switches.sqlite = await switchTable('SQLite', handle.db, ['group-commit', 'prepared-queries', 'authority-cache', 'sqlite-statement-cache'], (off) => (off === 'group-commit' ? plainTransactions : groupCommit), n);
    console.log(`  baseline: ${Math.round(before)} / ${Math.round(after)} durable single-row inserts/s (before / after; the higher is used)`);
    console.log(floorLine(floor, base));
    console.log(`  bare floor: ${Math.round(bare)} requests/s = ratio ${(bare / base).toFixed(2)} (the same, on tables with primary keys only: no indexes, constraints or secure_delete)`);
    console.log(`  per request: pipeline ${(1000 / result.rate).toFixed(3)} ms, floor ${(1000 / floor).toFixed(3)} ms, bare floor ${(1000 / bare).toFixed(3)} ms, one durable insert ${(1000 / base).toFixed(3)} ms`);
    console.log(`  group commit vs plain transactions: ×${(result.rate / plain.rate).toFixed(2)}`);
    // The floor's rate over the baseline (see floor.ts): the most the pipeline's ratio could be.
    return { ...summarise(result.rate, base), floorRatio: Number((floor / base).toFixed(2)) };
  } finally {
    await handle?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
const require = createRequire(import.meta.url);
const { Client } = require('pg') as { Client: new (config: { connectionString: string; connectionTimeoutMillis: number }) => PgClient };

async function withAdmin<T>(url: string, timeoutMs: number, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function shown(url: string): string {
  if (!URL.canParse(url)) return '(unparsable URL)';
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

async function benchPostgres(n: number): Promise<(Measured & { mode: string }) | null> {
  const POOL = 10;
  const adminUrl = process.env.TEST_DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';
  let version: string;
  try {
    version = await withAdmin(adminUrl, 1000, async (client) => String((await client.query('show server_version')).rows[0]?.server_version));
  } catch (error) {
    console.log(`PostgreSQL: skipped, no answer at ${shown(adminUrl)} (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
  const name = `comity_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, 5000, (client) => client.query(`create database ${name}`));
  let handle: DatabaseHandle | undefined;
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: POOL }, { log: counter.log });
    const settings = await sql<{ sc: string; fsync: string }>`select current_setting('synchronous_commit') as sc, current_setting('fsync') as fsync`.execute(handle.db);
    console.log(`PostgreSQL ${version}: database ${name} (synchronous_commit=${settings.rows[0]?.sc}, fsync=${settings.rows[0]?.fsync}), N=${n}, concurrency ${concurrency}, pool ${POOL}`);
    await prepare(handle);
    await baseline(handle.db, 0.3);
    const before = await baseline(handle.db, BASELINE_SECONDS);
    const pooled = await measureMode('pooled', handle.db, plainTransactions, n);
    const combined = combinedWriteStats(handle.db);
    if (combined) console.log(`  write combiner (all runs): ${combined.writes} writes in ${combined.statements} statements (${(combined.writes / Math.max(1, combined.statements)).toFixed(1)} per statement, max ${combined.maxBatchSize}), ${combined.fallbacks} fallbacks`);
    const after = await baseline(handle.db, BASELINE_SECONDS);
    const base = Math.max(before, after);
    if (withSwitches) switches.postgres = await switchTable('PostgreSQL', handle.db, ['write-combiner', 'prepared-queries', 'pg-named-statements', 'authority-cache'], () => plainTransactions, n);
    console.log(`  baseline: ${Math.round(before)} / ${Math.round(after)} durable single-row inserts/s (before / after; the higher is used)`);
    return { ...summarise(pooled.rate, base), mode: 'single statements, combined, over a pool of 10' };
  } finally {
    await handle?.close();
    await withAdmin(adminUrl, 5000, (client) => client.query(`drop database if exists ${name} with (force)`)).catch((error: unknown) => {
      console.error(`could not drop database ${name}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

// ---------------------------------------------------------------------------------------------

const started = performance.now();
const sqlite = only === 'postgres' ? null : await benchSqlite(nOverride ?? 4000);
const postgres = only === 'sqlite' ? null : await benchPostgres(nOverride ?? 4000);

const verdict = (ratio: number, target: number): string => `${ratio.toFixed(2)} (target ≥ ${target.toFixed(1)}: ${ratio >= target ? 'met' : 'NOT met'})`;
if (sqlite) console.log(`SQLite:     ${sqlite.rate} requests/s vs ${sqlite.baseline} durable inserts/s — ratio ${verdict(sqlite.ratio, TARGET.sqlite)}`);
else console.log('SQLite: not measured (--only postgres)');
if (postgres) console.log(`PostgreSQL: ${postgres.rate} requests/s (${postgres.mode}) vs ${postgres.baseline} durable inserts/s — ratio ${verdict(postgres.ratio, TARGET.postgres)}`);
else console.log('PostgreSQL: not measured');
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s; a request = create + approve + send (3 transactions)`);
console.log(JSON.stringify({ name: 'cases', sqlite, postgres, ...(withSwitches ? { switches } : {}) }));
