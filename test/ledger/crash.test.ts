/**
 * Ledger crash test: a child (`crash-writer.ts`) writes bursts of case changes while integrating
 * and signing checkpoints, and is killed with SIGKILL at a random moment, several rounds on one
 * database. After each kill, as a restarted node: the log and the recorded rows match one to one
 * with contiguous indexes (full verification), every acknowledged case's events are logged, and
 * the next checkpoint is signed and consistent with the last one signed (database and file).
 * SQLite `LEDGER_CRASH_ROUNDS` (default 4); PostgreSQL, when it answers, `LEDGER_CRASH_PG_ROUNDS` (default 2).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createSecretBox } from '../../src/auth/index.js';
import { openDatabase, uuidv7, type DbConfig } from '../../src/db/index.js';
import { createDbKeyStore } from '../../src/keys/index.js';
import { checkpointFile, checkpointOfNote, createLedger, fileMemory, verifyConsistency } from '../../src/ledger/index.js';
import { postgresProbe, testDatabases } from '../db/dialects.js';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const rounds = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const SECRET = randomBytes(32).toString('hex');

function runWriter(target: string, dataDir: string, delayMs: number): Promise<{ acks: string[]; checkpoints: number; stderr: string; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, target, dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, COMITY_SECRET_KEY: SECRET } });
    const acks: string[] = [];
    let checkpoints = 0;
    let buffer = '';
    let stderr = '';
    const stuck = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('ready ')) {
          clearTimeout(stuck);
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        } else if (line.startsWith('ack ')) acks.push(line.slice(4));
        else if (line.startsWith('checkpoint ')) checkpoints += 1;
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ acks, checkpoints, stderr, signal }));
  });
}

async function crashRounds(config: DbConfig, target: string, count: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'comity-ledger-crash-'));
  let acked = 0;
  let signed = 0;
  try {
    let lastNote: string | null = null;
    for (let round = 0; round < count; round += 1) {
      const result = await runWriter(target, dataDir, 300 + randomInt(900));
      assert.equal(result.signal, 'SIGKILL', `the writer ended by itself: ${result.stderr}`);
      acked += result.acks.length;
      signed += result.checkpoints;
      const handle = await openDatabase(config);
      try {
        const keys = createDbKeyStore(handle.db, createSecretBox(Buffer.from(SECRET, 'hex')));
        const memory = fileMemory(checkpointFile(dataDir));
        const ledger = createLedger(handle.db, keys, { origin: 'comity.crash.example/log', memory, now: () => new Date(), newId: () => uuidv7(Date.now()) });
        // Every acknowledged case's audit events are in the log.
        for (const id of result.acks) {
          const logged = await handle.db.selectFrom('audit_events').innerJoin('ledger_entries', 'ledger_entries.source_id', 'audit_events.id').select('idx').where('object_id', '=', id).execute();
          assert.equal(logged.length, 2, `case ${id}: create and approve logged`);
        }
        // The next checkpoint is signed and consistent with the last one signed before the kill.
        const published = await ledger.publish();
        if (lastNote !== null) {
          const previous = checkpointOfNote(lastNote);
          const proof = previous.size === 0 || previous.size === published.checkpoint.size ? [] : await ledger.consistency(previous.size, published.checkpoint.size);
          assert.ok(previous.size === 0 || verifyConsistency(previous.size, published.checkpoint.size, proof, previous.root, published.checkpoint.root));
        }
        lastNote = published.checkpoint.note;
        // One to one, contiguous, every leaf, node and checkpoint recomputed.
        const report = await ledger.verify();
        assert.deepEqual(report.problems, []);
      } finally {
        await handle.close();
      }
    }
    console.log(`# ledger crash test (${config.kind}): ${count} SIGKILLs, ${acked} acknowledged cases, ${signed} checkpoints signed by the writer, all consistent after restart`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('ledger crash test', () => {
  it('SQLite: SIGKILL during bursts; log and events match, indexes contiguous, next checkpoint consistent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'comity-ledger-crash-db-'));
    try {
      const file = join(dir, 'crash.sqlite');
      await crashRounds({ kind: 'sqlite', file }, file, rounds('LEDGER_CRASH_ROUNDS', 4));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: the same with the client killed', { skip: postgresProbe.reachable ? false : `PostgreSQL did not answer (${postgresProbe.reason})` }, async (t) => {
    let target;
    for await (const candidate of testDatabases()) {
      if (candidate.kind === 'postgres') {
        target = candidate;
        break;
      }
      await candidate.cleanup();
    }
    assert.ok(target, 'PostgreSQL answered the probe but no target was offered');
    const found = target;
    t.after(() => found.cleanup());
    const config = await found.createConfig();
    assert.equal(config.kind, 'postgres');
    await crashRounds(config, config.kind === 'postgres' ? config.url : '', rounds('LEDGER_CRASH_PG_ROUNDS', 2));
  });
});
