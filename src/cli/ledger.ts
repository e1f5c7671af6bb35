/**
 * @module cli/ledger
 * `comity ledger …`: the node's transparency log from the command line. `checkpoint` prints the
 * latest signed checkpoint (signing one if the tree grew), `verify` checks the whole log against
 * the database, `proof EVENT-ID` writes a c2sp.org/tlog-proof file, `verify-proof FILE --key
 * VKEY` checks one offline (no database, no server), `status` and `resolve` are for operators.
 * `--json` everywhere. A failed verification names the first entry that does not match and
 * exits 1; bad input exits 2.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { openDatabase, resolveDataDir, resolveDbConfig, uuidv7 } from '../db/index.js';
import { createDbKeyStore } from '../keys/index.js';
import { demoKeyDir, MASTER_KEY_FILE_NAME, openMasterKey } from '../keys/master-key.js';
import { checkpointFile, createLedger, fileMemory, LedgerError, logOriginOf, parseVerifierKey, treeHead, defaultVerifyThreads, usableThreads, verifyTlogProof, type Ledger } from '../ledger/index.js';
import { registerBackupPart } from '../ops/backup.js';
import { latestCheckpoint } from '../ledger/index.js';
import { UsageError } from './errors.js';
import { witnessPeers } from '../exchange/witnessing.js';
import type { Io } from './io.js';

interface JsonOption {
  json?: boolean;
}

/** A failed check: one line on stderr, exit 1 (not a usage error). */
export class LedgerCheckFailed extends Error {
  override name = 'LedgerCheckFailed';
}

async function withLedger<T>(work: (ledger: Ledger, db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>, verifyThreads?: number): Promise<T> {
  const env = process.env;
  const config = resolveDbConfig(env);
  const handle = await openDatabase(config);
  try {
    await handle.migrate();
    const dataDir = resolveDataDir(env);
    // The master key as `comity keys` opens it (beside a demo node, its demo key).
    const demo = env.COMITY_DEMO === 'true' || existsSync(join(demoKeyDir(dataDir), MASTER_KEY_FILE_NAME));
    const keys = createDbKeyStore(handle.db, (await openMasterKey(env, dataDir, handle.db, { demo })).box);
    const ledger = createLedger(handle.db, keys, {
      origin: await logOriginOf(handle.db, env),
      memory: fileMemory(checkpointFile(dataDir)),
      now: () => new Date(),
      newId: () => uuidv7(Date.now()),
      // The peers' witness keys (their agreements) check the cosignatures collected.
      witnesses: async () => (await witnessPeers(handle.db)).flatMap((p) => (p.witness ? [p.witness] : [])),
      // Threads for `verify`: each worker opens its own connection with the same configuration.
      verifyParallel: { database: config, threads: usableThreads(config, verifyThreads ?? defaultVerifyThreads(config)) },
    });
    return await work(ledger, handle.db);
  } finally {
    await handle.close();
  }
}

/** A progress bar on stderr when it is a terminal (long verifications). */
function progressBar(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (percent === last && done !== total) return;
    last = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${total} entries${done === total ? '\n' : ''}`);
  };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

export function registerLedger(program: Command, io: Io): void {
  // A backup carries the latest signed checkpoint of its snapshot (README, "Operating a node").
  registerBackupPart({
    name: 'ledger-checkpoint',
    collect: async (db) => {
      const c = await latestCheckpoint(db);
      return c === undefined ? null : { origin: c.origin, size: c.size, root: c.root.toString('base64'), signedAt: c.signedAt, note: c.note };
    },
  });
  const ledger = program.command('ledger').description('the node’s tamper-evident transparency log (RFC 6962, C2SP checkpoints and proofs)');

  ledger
    .command('checkpoint')
    .description('print the latest signed checkpoint, signing one first if the log grew')
    .option('--json', 'JSON output')
    .action(async (options: JsonOption) => {
      await withLedger(async (l) => {
        const published = await l.publish();
        const c = published.checkpoint;
        if (options.json) io.out(JSON.stringify({ origin: c.origin, size: c.size, root: c.root.toString('base64'), signedAt: c.signedAt, signed: published.signed, note: c.note }));
        else io.out(c.note.replace(/\n$/, ''));
      });
    });

  ledger
    .command('verify')
    .description('recompute every leaf, tree node and checkpoint from the database; exit 1 at the first mismatch')
    .option('--json', 'JSON output')
    .option('--threads <n>', 'threads verifying in parallel, each with its own connection (default: one per core, at most 4; 2 on an idle 2-core machine ≈ 1.5× faster than 1, no slower on a busy one; always 1 on PGlite)')
    .action(async (options: JsonOption & { threads?: string }) => {
      let threads: number | undefined;
      if (options.threads !== undefined) {
        threads = Number(options.threads);
        if (!/^[0-9]{1,2}$/.test(options.threads) || threads < 1 || threads > 64) throw new UsageError('--threads is a whole number from 1 to 64');
      }
      const young = smallYoungGeneration();
      if (young !== null) io.err(`note: --max-semi-space-size=${young} (NODE_OPTIONS or the node command line) makes the verification about twice as slow; for this command run it with NODE_OPTIONS= (see README, "Verifying")`);
      await withLedger(async (l) => {
        const report = await l.verify(progressBar());
        if (options.json) io.out(JSON.stringify(report));
        else {
          if (report.ok) io.out(`log verified: ${report.size} entries, ${report.checkpoints} signed checkpoints, all consistent`);
          const c = report.cosignatures;
          const witnesses = Object.entries(c.byWitness).map(([name, size]) => `${name} up to ${size}`);
          io.out(`cosignatures: ${c.verified} verified${witnesses.length > 0 ? ` (${witnesses.join(', ')})` : ''}, ${c.failed} failed, ${c.unknownWitness} of witnesses no longer trusted (not checked)`);
          for (const f of report.forks) io.out(`SPLIT VIEW of ${f.ownLog ? 'THIS LOG' : f.origin} at size ${f.size}, detected ${f.detectedAt}: ${f.how}`);
          if (report.workerErrors) io.out(`note: ${report.workerErrors.length} worker thread(s) failed (${report.workerErrors[0] ?? ''}); their entries were verified in this thread instead`);
        }
        if (!report.ok) {
          const at = report.firstBadIndex === null ? '' : ` (first entry that does not match: ${report.firstBadIndex})`;
          throw new LedgerCheckFailed(`ledger verification FAILED${at}: ${report.problems[0] ?? ''}${report.problems.length > 1 ? ` (+${report.problems.length - 1} more)` : ''}`);
        }
      }, threads);
    });

  ledger
    .command('proof')
    .description('write the c2sp.org/tlog-proof of an audit event, login event or access record (verifies offline)')
    .argument('<event-id>', 'the id of the recorded event')
    .option('--out <file>', 'write the proof to this file instead of stdout')
    .option('--json', 'JSON output')
    .action(async (eventId: string, options: JsonOption & { out?: string }) => {
      if (!/^[\x21-\x7e]{1,64}$/.test(eventId)) throw new UsageError('an event id is 1 to 64 printable characters');
      await withLedger(async (l) => {
        const proof = await l.proofOf(eventId);
        const identity = await l.identity();
        if (options.out !== undefined) writeFileSync(options.out, proof.tlogProof);
        if (options.json) io.out(JSON.stringify({ eventId, index: proof.index, treeSize: proof.size, leaf: proof.leaf, proof: proof.proof.map((h) => h.toString('base64')), checkpoint: proof.checkpoint, tlogProof: proof.tlogProof, verifierKey: identity.vkey }));
        else if (options.out !== undefined) io.out(`wrote ${options.out}: entry ${proof.index} in the checkpoint of size ${proof.size}; verify with: comity ledger verify-proof ${options.out} --key ${identity.vkey}`);
        else io.out(proof.tlogProof.replace(/\n$/, ''));
      });
    });

  ledger
    .command('verify-proof')
    .description('check a .tlog-proof file offline against the log’s verifier key (no database, no server)')
    .argument('<file>', 'the .tlog-proof file')
    .requiredOption('--key <vkey>', 'the log’s verifier key (signed-note vkey text, or a file holding it)')
    .option('--origin <origin>', 'the log origin (default: the key’s name)')
    .option('--json', 'JSON output')
    .action(async (file: string, options: JsonOption & { key: string; origin?: string }) => {
      const keyText = existsSync(options.key) ? readText(options.key, 'key file').trim() : options.key;
      const text = readText(file, 'proof');
      let verifier;
      try {
        verifier = parseVerifierKey(keyText);
      } catch (error) {
        throw new UsageError(`--key: ${(error as Error).message}`);
      }
      let verified;
      try {
        verified = verifyTlogProof(text, options.origin ?? verifier.name, verifier);
      } catch (error) {
        if (error instanceof LedgerError) throw new LedgerCheckFailed(`proof REJECTED: ${error.code}: ${error.message}`);
        throw error;
      }
      const entry = verified.entry.toString('utf8');
      if (options.json) io.out(JSON.stringify({ ok: true, origin: verified.checkpoint.origin, index: verified.index, treeSize: verified.checkpoint.size, root: verified.checkpoint.root.toString('base64'), entry: JSON.parse(entry) as unknown }));
      else {
        io.out(`proof OK: entry ${verified.index} is in the checkpoint of size ${verified.checkpoint.size} signed by ${verified.checkpoint.origin}`);
        io.out(entry);
      }
    });

  ledger
    .command('status')
    .description('the log’s origin, verifier key, size, latest checkpoint, open incidents and last verification')
    .option('--json', 'JSON output')
    .action(async (options: JsonOption) => {
      await withLedger(async (l, db) => {
        const [identity, latest, incidents, last, head] = await Promise.all([l.identity(), l.latest(), l.incidents(), l.lastVerification(), treeHead(db)]);
        const status = {
          origin: l.origin,
          verifierKey: identity.vkey,
          treeSize: head.size,
          checkpoint: latest === undefined ? null : { size: latest.size, signedAt: latest.signedAt },
          incidents,
          lastVerification: last === undefined ? null : { finishedAt: last.finishedAt, ok: last.ok, size: last.report.size },
        };
        if (options.json) {
          io.out(JSON.stringify(status));
          return;
        }
        io.out(`origin        ${status.origin}`);
        io.out(`verifier key  ${status.verifierKey}`);
        io.out(`tree size     ${status.treeSize}`);
        io.out(`checkpoint    ${latest === undefined ? 'none yet' : `${latest.size} entries, signed ${latest.signedAt}`}`);
        io.out(`verification  ${last === undefined ? 'never run (comity ledger verify)' : `${last.ok ? 'OK' : 'FAILED'} at ${last.finishedAt} (${last.report.size} entries)`}`);
        for (const incident of incidents) io.out(`INCIDENT      ${incident.raisedAt}: ${incident.reason}`);
      });
    });

  ledger
    .command('resolve')
    .description('close open incidents once the log is consistent again (latest backup restored, or a new origin configured)')
    .requiredOption('--reason <text>', 'what was found and done, kept with the incident')
    .option('--json', 'JSON output')
    .action(async (options: JsonOption & { reason: string }) => {
      if (options.reason.trim().length < 10) throw new UsageError('--reason: say what was found and done (at least 10 characters)');
      await withLedger(async (l) => {
        let resolved;
        try {
          resolved = await l.resolve(options.reason.trim());
        } catch (error) {
          if (error instanceof LedgerError) throw new LedgerCheckFailed(`not resolved: ${error.message}`);
          throw error;
        }
        if (options.json) io.out(JSON.stringify({ resolved }));
        else io.out(resolved === 0 ? 'no open incident' : `${resolved} incident(s) resolved; the node signs checkpoints again`);
      });
    });
}

/**
 * The semi-space size (MiB) V8 was told to keep below 8 — `--max-semi-space-size`, which the
 * server's unit sets to 2 to save memory — or null. With a young generation that small each
 * batch's rows outlive several collections: `ledger verify` took 14–16 µs of CPU per entry at 2 MiB
 * against 7–7.5 µs with Node's default (2×10^5 entries, one thread).
 */
export function smallYoungGeneration(flags: string = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`): number | null {
  let found: number | null = null;
  for (const m of flags.matchAll(/--max-semi-space-size[= ](\d+)/g)) found = Number(m[1]);
  return found !== null && found < 8 ? found : null;
}
