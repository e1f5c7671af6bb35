/**
 * @module test/cases/crash
 * Crash test: a child process (`crash-writer.ts`) writes cases in a burst and is killed with
 * SIGKILL at a random moment, for many rounds on the same database. After each kill the database
 * is opened again, as a restarted server would, and checked:
 *
 * 1. every acknowledged write is there: each acknowledged case exists with at least the
 *    acknowledged version, and its state matches its version (1 draft, 2 approved, 3 sent);
 * 2. nothing is half-written: every case has exactly `version` history events, seq 1..version,
 *    and replaying them gives its state; no history event without its case;
 * 3. the audit trail matches the cases: per case exactly case.create, case.approve, case.send in
 *    order, one per version, chained by digests (each event's before-digest is the previous
 *    after-digest, the last after-digest is the digest of the stored row) and at the instants of
 *    the history; no audit event for a case that does not exist;
 * 4. SQLite: `PRAGMA integrity_check` is ok and no foreign key is violated.
 *
 * SQLite: `CRASH_ROUNDS` rounds (default 25). PostgreSQL (when it answers, see
 * `test/db/dialects.ts`): `CRASH_PG_ROUNDS` rounds (default 4) on a fresh server database; the
 * client process is killed, the server must hold every acknowledged write.
 *
 * The kill delays come from a seeded PRNG; the seed is printed and `CRASH_SEED` replays it. (Only
 * the delays are reproducible: how far the writer gets in that time depends on the machine.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { sql, type Kysely, type Selectable } from 'kysely';
import { openDatabase } from '../../src/db/index.js';
import type { CasesTable, Database, DatabaseHandle } from '../../src/db/index.js';
import { replay, type HistoryEventName } from '../../src/cases/index.js';
import { digest } from '../../src/cases/audit.js';
import { DEMO_AUTHORITIES } from '../../src/demo/data.js';
import { postgresProbe, testDatabases } from '../db/dialects.js';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SQLITE_ROUNDS = positiveInt('CRASH_ROUNDS', 25);
const PG_ROUNDS = positiveInt('CRASH_PG_ROUNDS', 4);
const SEED = process.env.CRASH_SEED?.trim() ? Number(process.env.CRASH_SEED) >>> 0 : randomInt(2 ** 32);
const MIN_DELAY_MS = 50;
const MAX_DELAY_MS = 400;
/** A writer that has not acknowledged anything after this long is stuck. */
const FIRST_ACK_TIMEOUT_MS = 30_000;

/** The only operations the writer performs, in order: operation n gives version n. */
const OPERATIONS = ['create', 'approve', 'send'] as const;
type Operation = (typeof OPERATIONS)[number];
const STATE_OF_VERSION = ['draft', 'approved', 'sent'] as const;

console.log(`crash test: seed ${SEED} (CRASH_SEED=${SEED} replays the kill delays), ${SQLITE_ROUNDS} SQLite rounds, ${PG_ROUNDS} PostgreSQL rounds`);

function positiveInt(name: string, fallback: number): number {
  const text = process.env[name]?.trim();
  if (!text) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/** mulberry32: a small seeded PRNG, floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ack {
  operation: Operation;
  caseId: string;
  version: number;
}

interface RoundResult {
  acks: Ack[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Bytes after the last newline when the pipe closed: a line cut by the kill (not acknowledged). */
  partial: string;
  /** From spawn to the first acknowledgement. */
  startupMs: number;
}

/** Spawn the writer on `target`, kill it with SIGKILL `delayMs` after its first ack, collect the acks. */
function runWriter(target: string, delayMs: number): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, target], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buffer = '';
    let stderr = '';
    let startupMs = -1;
    let killTimer: NodeJS.Timeout | undefined;
    const stuckTimer = setTimeout(() => child.kill('SIGKILL'), FIRST_ACK_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('ready ')) continue;
        const match = /^ack (create|approve|send) ([0-9a-f-]{36}) (\d+)$/.exec(line);
        if (!match) {
          child.kill('SIGKILL');
          reject(new Error(`unexpected line from the writer: ${JSON.stringify(line)}`));
          return;
        }
        acks.push({ operation: match[1] as Operation, caseId: match[2] as string, version: Number(match[3]) });
        if (startupMs < 0) {
          startupMs = Date.now() - started;
          clearTimeout(stuckTimer);
          killTimer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('error', reject);
    // 'close': the process has ended and its pipes are drained, so every line it wrote is here.
    child.on('close', (code, signal) => {
      clearTimeout(stuckTimer);
      clearTimeout(killTimer);
      resolve({ acks, code, signal, stderr, partial: buffer, startupMs });
    });
  });
}

/** What the database must hold: the highest acknowledged version of each case, over all rounds. */
class Acknowledged {
  readonly versions = new Map<string, number>();
  total = 0;

  add(acks: readonly Ack[]): void {
    for (const ack of acks) {
      const previous = this.versions.get(ack.caseId) ?? 0;
      // The writer acknowledges create (1), approve (2), send (3) of one case, in that order.
      assert.equal(ack.version, previous + 1, `ack ${ack.operation} ${ack.caseId} ${ack.version} follows version ${previous}`);
      assert.equal(ack.operation, OPERATIONS[ack.version - 1], `operation of version ${ack.version}`);
      this.versions.set(ack.caseId, ack.version);
      this.total += 1;
    }
  }
}

interface CheckStats {
  cases: number;
  /** Committed operations whose acknowledgement never reached the parent (allowed). */
  unacknowledged: number;
}

/**
 * Checks invariants 1-3 (and 4 on SQLite) in one read-only snapshot, so that a PostgreSQL commit
 * still landing from the killed client cannot show a case without its events, or the reverse.
 */
async function checkDatabase(handle: DatabaseHandle, acknowledged: Acknowledged): Promise<CheckStats> {
  const readiness = await handle.ready();
  assert.ok(readiness.ok, `database ready after the kill: ${JSON.stringify(readiness)}`);
  let builder = handle.db.transaction().setAccessMode('read only');
  if (handle.kind === 'postgres') builder = builder.setIsolationLevel('repeatable read');
  return builder.execute(async (trx) => {
    const db = trx as Kysely<Database>;
    const cases = await db.selectFrom('cases').selectAll().orderBy('id').execute();
    const events = await db.selectFrom('case_events').select(['case_id', 'seq', 'event', 'from_state', 'to_state', 'reason', 'at']).orderBy('case_id').orderBy('seq').execute();
    const audit = await db
      .selectFrom('audit_events')
      .select(['seq', 'action', 'object_type', 'object_id', 'at', 'before_digest', 'after_digest'])
      .orderBy('seq')
      .execute();
    const authorities = await db.selectFrom('authorities').select('id').orderBy('id').execute();

    // The seed ran once, completely, before the first ack.
    assert.deepEqual(authorities.map((a) => a.id), DEMO_AUTHORITIES.map((a) => a.id).sort(), 'the demo authorities');
    const authorityAudit = audit.filter((a) => a.object_type === 'authority');
    assert.deepEqual(authorityAudit.map((a) => `${a.action} ${a.object_id}`).sort(), DEMO_AUTHORITIES.map((a) => `authority.create ${a.id}`).sort(), 'one audit event per authority');

    const byId = new Map<string, Selectable<CasesTable>>(cases.map((c) => [c.id, c]));
    const eventsOf = groupBy(events, (e) => e.case_id);
    const caseAudit = audit.filter((a) => a.object_type !== 'authority');
    const auditOf = groupBy(caseAudit, (a) => a.object_id);

    // 1. Every acknowledged write is present.
    for (const [caseId, version] of acknowledged.versions) {
      const row = byId.get(caseId);
      assert.ok(row, `acknowledged case ${caseId} (version ${version}) is missing`);
      assert.ok(row.version >= version, `case ${caseId}: acknowledged version ${version}, stored version ${row.version}`);
    }

    // 2. Nothing half-written; 3. the audit trail matches.
    let unacknowledged = 0;
    for (const row of cases) {
      const label = `case ${row.id} (version ${row.version}, ${row.state})`;
      assert.ok(row.version >= 1 && row.version <= OPERATIONS.length, `${label}: version in 1..${OPERATIONS.length}`);
      assert.equal(row.state, STATE_OF_VERSION[row.version - 1], `${label}: state of its version`);
      assert.equal(row.sent_at !== null, row.state === 'sent', `${label}: sent_at set exactly when sent`);
      assert.equal(row.review !== null, row.version >= 2, `${label}: review recorded exactly when approved`);
      unacknowledged += row.version - (acknowledged.versions.get(row.id) ?? 0);

      const history = eventsOf.get(row.id) ?? [];
      assert.deepEqual(history.map((e) => e.seq), range(row.version), `${label}: history seq 1..version`);
      const [first] = history;
      assert.equal(first?.event, 'create', `${label}: history starts with create`);
      assert.equal(first?.to_state, 'draft', `${label}: create makes a draft`);
      assert.equal(replay(history.map((e) => ({ event: e.event as HistoryEventName, reason: e.reason }))), row.state, `${label}: replaying the history gives the state`);
      assert.equal(history.at(-1)?.at, row.updated_at, `${label}: last history event at updated_at`);

      const trail = auditOf.get(row.id) ?? [];
      assert.deepEqual(trail.map((a) => a.action), OPERATIONS.slice(0, row.version).map((op) => `case.${op}`), `${label}: audit actions`);
      assert.deepEqual(trail.map((a) => a.object_type), trail.map(() => 'case'), `${label}: audit object type`);
      assert.deepEqual(trail.map((a) => a.at), history.map((e) => e.at), `${label}: audit instants are the history's`);
      trail.forEach((a, i) => assert.equal(a.before_digest, i === 0 ? null : trail[i - 1]?.after_digest, `${label}: audit event ${i + 1} before-digest chains`));
      assert.equal(trail.at(-1)?.after_digest, digest(row), `${label}: last audit after-digest is the stored row`);
    }
    for (const caseId of eventsOf.keys()) assert.ok(byId.has(caseId), `history events for a case that does not exist: ${caseId}`);
    for (const caseId of auditOf.keys()) assert.ok(byId.has(caseId), `audit events for a case that does not exist: ${caseId}`);

    // 4. The file itself.
    if (handle.kind === 'sqlite') {
      const integrity = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
      assert.deepEqual(integrity.rows.map((r) => r.integrity_check), ['ok'], 'PRAGMA integrity_check');
      const foreignKeys = await sql`pragma foreign_key_check`.execute(db);
      assert.deepEqual(foreignKeys.rows, [], 'PRAGMA foreign_key_check');
    }
    return { cases: cases.length, unacknowledged };
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

interface RoundLog {
  round: number;
  delayMs: number;
  acks: number;
  startupMs: number;
  cases: number;
  /** Committed in this round, acknowledgement lost. */
  unacknowledged: number;
  unacknowledgedTotal: number;
  partial: boolean;
}

interface CrashRunOptions {
  /** The writer's argument: SQLite file or PostgreSQL URL. */
  target: string;
  rounds: number;
  random: () => number;
  /** Open the database in this process, after a kill. */
  open(): Promise<DatabaseHandle>;
  /** Wait until the server has let go of the killed client, if it is a server. */
  settle?(handle: DatabaseHandle): Promise<void>;
  log(message: string): void;
}

async function crashRounds(options: CrashRunOptions): Promise<RoundLog[]> {
  const acknowledged = new Acknowledged();
  const logs: RoundLog[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const delayMs = MIN_DELAY_MS + Math.floor(options.random() * (MAX_DELAY_MS - MIN_DELAY_MS + 1));
    const result = await runWriter(options.target, delayMs);
    // The writer never stops by itself: anything but SIGKILL is a failure (or a stuck writer).
    assert.equal(result.signal, 'SIGKILL', `round ${round}: the writer ended by SIGKILL (code ${result.code}, stderr: ${result.stderr.trim() || '(none)'})`);
    assert.ok(result.acks.length > 0, `round ${round}: the writer acknowledged something before the kill (stderr: ${result.stderr.trim() || '(none)'})`);
    acknowledged.add(result.acks);
    const handle = await options.open();
    let stats: CheckStats;
    try {
      await options.settle?.(handle);
      stats = await checkDatabase(handle, acknowledged);
    } catch (error) {
      if (error instanceof Error) error.message = `round ${round} (kill ${delayMs} ms after the first ack, seed ${SEED}): ${error.message}`;
      throw error;
    } finally {
      await handle.close();
    }
    // Operations committed in this round whose ack was lost with the kill (allowed; the count over
    // all cases only grows, since the next writer starts a new case).
    const unacknowledged = stats.unacknowledged - (logs.at(-1)?.unacknowledgedTotal ?? 0);
    const log: RoundLog = {
      round,
      delayMs,
      acks: result.acks.length,
      startupMs: result.startupMs,
      cases: stats.cases,
      unacknowledged,
      unacknowledgedTotal: stats.unacknowledged,
      partial: result.partial !== '',
    };
    logs.push(log);
    options.log(
      `round ${round}: killed ${delayMs} ms after the first ack (startup ${result.startupMs} ms), ${log.acks} acks, ${log.cases} cases in total, ` +
        `${log.unacknowledged} committed but not acknowledged${log.partial ? `, cut line ${JSON.stringify(result.partial)}` : ''}`,
    );
  }
  // Not vacuous: writes were acknowledged, and the writer was killed while writing (every round
  // ended by SIGKILL after at least one ack, in the middle of its endless burst).
  assert.ok(acknowledged.total > 0, 'some writes were acknowledged');
  assert.ok(acknowledged.versions.size > 0, 'some cases were acknowledged');
  const total = logs.reduce((sum, l) => sum + l.acks, 0);
  options.log(
    `${logs.length} rounds, ${total} acks (${Math.min(...logs.map((l) => l.acks))}-${Math.max(...logs.map((l) => l.acks))} per round), ` +
      `${acknowledged.versions.size} acknowledged cases, ${logs.filter((l) => l.unacknowledged > 0).length} rounds with a commit whose ack was lost, ` +
      `${logs.filter((l) => l.partial).length} rounds with a cut line`,
  );
  return logs;
}

describe('crash: a writer killed with SIGKILL mid-burst loses no acknowledged write', () => {
  it(`SQLite: ${SQLITE_ROUNDS} rounds on one database file`, { timeout: 60_000 + SQLITE_ROUNDS * 10_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'comity-crash-'));
    const file = join(dir, 'crash.sqlite');
    let passed = false;
    try {
      await crashRounds({
        target: file,
        rounds: SQLITE_ROUNDS,
        random: prng(SEED),
        open: () => openDatabase({ kind: 'sqlite', file }),
        log: (message) => t.diagnostic(message),
      });
      passed = true;
    } finally {
      // On failure the database is kept for inspection.
      if (passed) await rm(dir, { recursive: true, force: true });
      else t.diagnostic(`database kept for inspection: ${file}`);
    }
  });

  if (postgresProbe.reachable) {
    it(`PostgreSQL: ${PG_ROUNDS} rounds, the client killed mid-burst`, { timeout: 60_000 + PG_ROUNDS * 15_000 }, async (t) => {
      const target = await postgres();
      t.after(() => target.cleanup());
      const config = await target.createConfig();
      assert.equal(config.kind, 'postgres');
      await crashRounds({
        target: config.url,
        rounds: PG_ROUNDS,
        random: prng(SEED ^ 0x5eed),
        open: () => target.open(config),
        settle: waitForOtherSessions,
        log: (message) => t.diagnostic(message),
      });
    });
  } else if (process.env.CI === 'true') {
    it('PostgreSQL answers (required when CI=true)', () => {
      throw new Error(`PostgreSQL did not answer at ${postgresProbe.shownUrl}: ${postgresProbe.reason}; CI requires it (set TEST_DATABASE_URL)`);
    });
  } else {
    const skip = `PostgreSQL did not answer at ${postgresProbe.shownUrl} (${postgresProbe.reason}); set TEST_DATABASE_URL to run this variant`;
    console.log(`crash test: ${skip}`);
    it('PostgreSQL: the client killed mid-burst', { skip }, () => {});
  }
});

async function postgres() {
  for await (const target of testDatabases()) {
    if (target.kind === 'postgres') return target;
    await target.cleanup();
  }
  throw new Error('PostgreSQL answered the probe but no target was offered');
}

/**
 * Wait until the killed client's sessions have ended on the server, so that a COMMIT it sent
 * just before dying has been either applied or rolled back before the checks read.
 */
async function waitForOtherSessions(handle: DatabaseHandle): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(handle.db);
    if (Number(rows[0]?.n) === 0) return;
    assert.ok(Date.now() < deadline, `the killed client still has ${rows[0]?.n} session(s) on the server after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
