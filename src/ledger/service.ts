/**
 * @module ledger/service
 * The node's log as one object for the server, the CLI and the HTTP routes: its identity
 * (origin and key), where the last checkpoint is kept outside the database, publishing, proofs,
 * verification and the incident state that readiness reports.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { KeyStore } from '../keys/index.js';
import { validOrigin } from './checkpoint.js';
import { LedgerError } from './errors.js';
import { fileMemory, latestCheckpoint, logIdentity, logVerifiers, openIncidents, publishCheckpoint, resolveIncidents, type CheckpointMemory, type LogIdentity, type OpenIncident, type Published, type StoredCheckpoint } from './publisher.js';
import { consistencyProofAt, findEntry, inclusionProofAt, leafAt } from './store.js';
import { formatTlogProof } from './tlog-proof.js';
import { verifyLog, type VerificationReport } from './verify.js';
import type { ParallelVerification } from './verify-workers.js';
import type { NoteVerifier } from './note.js';

/**
 * The log's origin: COMITY_LOG_ORIGIN, else `comity.<node id>/log` on a federation node started
 * with COMITY_NODE_ID (origins must differ between nodes: peers witness each log by its origin),
 * else `comity.<host name>/log`.
 */
export function resolveLogOrigin(env: Readonly<Record<string, string | undefined>>): string {
  const configured = env.COMITY_LOG_ORIGIN?.trim();
  const node = env.COMITY_NODE_ID?.trim();
  const label = (text: string): string => text.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  const origin = configured !== undefined && configured !== '' ? configured : node !== undefined && node !== '' ? `comity.${label(node)}/log` : `comity.${label(hostname())}/log`;
  if (!validOrigin(origin)) throw new LedgerError('wrong-origin', `COMITY_LOG_ORIGIN: an origin is printable ASCII without spaces (got ${JSON.stringify(origin)})`);
  return origin;
}

/**
 * The origin of this database's log, as the server and every command must use it: COMITY_LOG_ORIGIN
 * when set (also how a log that cannot go on is ended and a new one begun, README "Transparency
 * log"); else the origin the log already signs under (its latest checkpoint) — a log keeps its name
 * whatever the environment of the process, e.g. a `comity ledger` command run from a shell without
 * the server's COMITY_NODE_ID, or a container whose host name changes at each start; else
 * `comity.<node id>/log` for a federation node (the id in the database, or COMITY_NODE_ID for a
 * node being set up); else `comity.<host name>/log`.
 */
export async function logOriginOf(db: Kysely<Database>, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const configured = env.COMITY_LOG_ORIGIN?.trim();
  if (configured !== undefined && configured !== '') return resolveLogOrigin(env);
  const latest = await db.selectFrom('ledger_checkpoints').select('origin').orderBy('signed_at', 'desc').orderBy('size', 'desc').limit(1).executeTakeFirst();
  if (latest !== undefined) return latest.origin;
  const node = await db.selectFrom('exchange_node').select('node_id').limit(1).executeTakeFirst();
  return resolveLogOrigin(node === undefined ? env : { ...env, COMITY_NODE_ID: node.node_id });
}

/** Seconds between periodic checkpoints: COMITY_LEDGER_CHECKPOINT_SECONDS (1 to 86,400), default 60. */
export function resolveCheckpointSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const configured = env.COMITY_LEDGER_CHECKPOINT_SECONDS?.trim();
  if (configured === undefined || configured === '') return 60;
  const seconds = Number(configured);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) throw new LedgerError('malformed-checkpoint', `COMITY_LEDGER_CHECKPOINT_SECONDS must be a whole number of seconds from 1 to 86400 (got ${JSON.stringify(configured)})`);
  return seconds;
}

/**
 * Signs a checkpoint now and every `seconds` (tlog-checkpoint; witnesses expect fresh ones when
 * the tree grows), then runs `afterPublish` (witnessing). A refusal is reported through
 * `onError` each time, loudly, until resolved; a refused checkpoint is not submitted. `stop()`
 * aborts the signal given to `afterPublish` and waits for the pass in progress to end.
 */
export function startCheckpointing(ledger: Ledger, seconds: number, onError: (error: unknown) => void, afterPublish?: (signal: AbortSignal) => Promise<unknown>): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  // Aborted by stop(): witnessing in progress ends at once (a shutdown does not wait for slow witnesses).
  const stopping = new AbortController();
  const tick = (): void => {
    // After each checkpoint (new or not): witnessing — submit it to the peers, compare their views.
    running = running.then(() => ledger.publish().then(async () => void (await afterPublish?.(stopping.signal)), onError));
  };
  tick();
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}

/** The file beside the master key that keeps the last signed checkpoint. */
export function checkpointFile(dataDir: string): string {
  return join(dataDir, 'ledger-checkpoint');
}

export interface EventProof {
  index: number;
  size: number;
  leaf: string;
  proof: Buffer[];
  checkpoint: string;
  /** The c2sp.org/tlog-proof@v1 file. */
  tlogProof: string;
}

export interface Ledger {
  readonly origin: string;
  identity(): Promise<LogIdentity>;
  publish(): Promise<Published>;
  latest(): Promise<StoredCheckpoint | undefined>;
  incidents(): Promise<OpenIncident[]>;
  resolve(resolution: string): Promise<number>;
  /** The proof of the entry recording `sourceId`, against the latest checkpoint (signed on demand when it does not cover the entry). */
  proofOf(sourceId: string): Promise<EventProof>;
  consistency(size1: number, size2: number): Promise<Buffer[]>;
  verify(onProgress?: (done: number, total: number) => void): Promise<VerificationReport>;
  lastVerification(): Promise<{ finishedAt: string; ok: boolean; report: VerificationReport } | undefined>;
}

export interface LedgerOptions {
  origin: string;
  memory: CheckpointMemory;
  now: () => Date;
  newId: () => string;
  onRefusal?: (reason: string) => void;
  /** The cosigner keys of the node's peers (from their agreements): `verify` checks collected cosignatures with them. */
  witnesses?: () => Promise<readonly NoteVerifier[]>;
  /** `verify` over worker threads, each with its own connection to this database (see `verify-workers.ts`); without it, or with 1 thread, in the calling thread only. */
  verifyParallel?: ParallelVerification;
}

export function createLedger(db: Kysely<Database>, keys: KeyStore, options: LedgerOptions): Ledger {
  let identity: Promise<LogIdentity> | null = null;
  const getIdentity = (): Promise<LogIdentity> => {
    identity ??= logIdentity(keys, options.origin, options.now()).catch((error: unknown) => {
      identity = null;
      throw error;
    });
    return identity;
  };
  const publish = async (): Promise<Published> =>
    publishCheckpoint(db, await getIdentity(), { now: options.now(), newId: options.newId, memory: options.memory, ...(options.onRefusal ? { onRefusal: options.onRefusal } : {}) });
  return {
    origin: options.origin,
    identity: getIdentity,
    publish,
    latest: () => latestCheckpoint(db, options.origin),
    incidents: () => openIncidents(db),
    resolve: async (resolution) => resolveIncidents(db, await getIdentity(), { now: options.now(), memory: options.memory, resolution }),
    async proofOf(sourceId) {
      const entry = await findEntry(db, sourceId);
      if (entry === undefined) throw new LedgerError('unknown-entry', `no log entry records ${sourceId}`);
      let checkpoint = await latestCheckpoint(db, options.origin);
      if (checkpoint === undefined || checkpoint.size <= entry.index) checkpoint = (await publish()).checkpoint;
      if (checkpoint.size <= entry.index) throw new LedgerError('not-in-checkpoint', `entry ${entry.index} is not yet in a checkpoint`);
      const leaf = await leafAt(db, entry.index);
      if (leaf === undefined) throw new LedgerError('unknown-entry', `entry ${entry.index} is not integrated`);
      const proof = await inclusionProofAt(db, entry.index, checkpoint.size);
      const tlogProof = formatTlogProof({ extra: Buffer.from(leaf), index: entry.index, proof, checkpoint: checkpoint.note });
      return { index: entry.index, size: checkpoint.size, leaf, proof, checkpoint: checkpoint.note, tlogProof };
    },
    consistency: (size1, size2) => consistencyProofAt(db, size1, size2),
    async verify(onProgress) {
      const startedAt = options.now().toISOString();
      const report = await verifyLog(db, { verifiersFor: (origin) => logVerifiers(keys, origin), memory: options.memory, origin: options.origin, ...(onProgress ? { onProgress } : {}), ...(options.witnesses ? { witnesses: options.witnesses } : {}), ...(options.verifyParallel ? { parallel: options.verifyParallel } : {}) });
      await db
        .insertInto('ledger_verifications')
        .values({ id: options.newId(), started_at: startedAt, finished_at: options.now().toISOString(), size: report.size, ok: report.ok ? 1 : 0, report: JSON.stringify(report) })
        .execute();
      return report;
    },
    async lastVerification() {
      const row = await db.selectFrom('ledger_verifications').select(['finished_at', 'ok', 'report']).orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
      return row === undefined ? undefined : { finishedAt: row.finished_at, ok: row.ok === 1, report: JSON.parse(row.report) as VerificationReport };
    },
  };
}

export { fileMemory };
