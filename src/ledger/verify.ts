/**
 * @module ledger/verify
 * Full verification of the node's log against its database, as an auditor would do it:
 * recompute every leaf from the recorded rows, every tree node from the leaves, every signed
 * checkpoint's root from the tree, check every checkpoint's signature with the node's log keys
 * and that the recorded tables and the log match one to one. Checkpoints whose roots are each
 * recomputed from the same leaves are consistent with one another by construction. Reports the
 * first entry that does not match.
 */
import { sql, type Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../db/dialects/family.js';
import type { Database } from '../db/index.js';
import { openCheckpoint, checkpointOfNote } from './checkpoint.js';
import { LedgerError } from './errors.js';
import { BinaryCompactRange, CompactRange, EMPTY_ROOT, leafHashOfText, leafHashOfTextBinary } from './merkle.js';
import { openNote, parseNote, type NoteVerifier } from './note.js';
import type { CheckpointMemory } from './publisher.js';
import { leavesOf } from './store.js';
import { addTally, checkCounts, type SourceTally } from './verify-counts.js';
import { recomputedLeaves, sourceReads, type SourceReads } from './verify-reads.js';
import { compareNodes, type NodeRun, type Problem } from './verify-nodes.js';
import { startVerifyWorkers, usableThreads, type ChunkRequest, type ChunkResult, type ParallelVerification } from './verify-workers.js';

/**
 * Entries read per round trip: 1,024 rather than 2,048 — fewer rows alive at each young-generation
 * collection (10^6 entries, 2 threads, alternated: ≈ 3 % less CPU per entry, 2–3 % faster).
 */
const VERIFY_BATCH = 1024;
/** Entries per chunk of a parallel verification: 2^14 (small enough to share the work evenly between threads). */
const DEFAULT_CHUNK_LEVEL = 14;

export interface VerificationReport {
  ok: boolean;
  /** Entries sequenced. */
  size: number;
  /** Entries integrated into the tree (checked against leaves and nodes). */
  integrated: number;
  checkpoints: number;
  /** Origins of earlier logs of this node (ended after an incident): their signatures are checked, not their sizes. */
  retiredOrigins: string[];
  /** The first entry that does not match, if the problem is at an entry. */
  firstBadIndex: number | null;
  /** What is wrong, first problem first (at most 20). */
  problems: string[];
  /** Cosignatures peers returned for this log's checkpoints (c2sp.org/tlog-cosignature). */
  cosignatures: {
    /** Verified with the witness key of the peer's agreement, on a checkpoint whose root the leaves give. */
    verified: number;
    /** Of a witness no longer among the peers (its key is unknown): not checked. */
    unknownWitness: number;
    failed: number;
    /** Per witness: the largest checkpoint size it cosigned. */
    byWitness: Record<string, number>;
  };
  /** Split views detected (open): of this log (a problem) and of peers' logs (evidence against them). */
  forks: Array<{ origin: string; size: number; how: string; detectedAt: string; ownLog: boolean }>;
  /** Only when worker threads failed (the verification is still whole: their chunks were verified in this thread): why. */
  workerErrors?: string[];
}

export interface VerifyOptions {
  /** Verifiers of the log keys for an origin (every key the node has had). */
  verifiersFor: (origin: string) => Promise<readonly NoteVerifier[]>;
  memory?: CheckpointMemory;
  /** The node's current origin: checkpoints of other (retired) origins are checked for their signature only. */
  origin?: string;
  onProgress?: (done: number, total: number) => void;
  /** The cosigner keys of the node's peers (from their agreements), to check collected cosignatures. */
  witnesses?: () => Promise<readonly NoteVerifier[]>;
  /**
   * Verify over worker threads, each with its own connection to this database (SQLite files,
   * PostgreSQL; not PGlite nor `:memory:`), unless `db` is a transaction (the workers could not
   * see its changes).
   */
  parallel?: ParallelVerification;
}

const MAX_PROBLEMS = 20;

export async function verifyLog(db: Kysely<Database>, options: VerifyOptions): Promise<VerificationReport> {
  const unmap = await mapForReading(db, sqlFamily(db as unknown as Kysely<unknown>));
  try {
    return await verifyMapped(db, options);
  } finally {
    await unmap();
  }
}

/**
 * SQLite, outside a transaction: the database file memory-mapped (`mmap_size`, up to SQLite's
 * limit of ≈ 2 GiB) while verifying — pages read in place instead of copied by a read() call
 * each into a 2 MB page cache that a full scan overflows: ≈ 0.7 µs less CPU per entry read
 * (10^6 entries). Returns what restores the previous setting.
 */
export async function mapForReading(db: Kysely<Database>, family: SqlFamily): Promise<() => Promise<void>> {
  if (family !== 'sqlite' || db.isTransaction) return async () => {};
  const before = (await sql<{ mmap_size: number }>`pragma mmap_size`.execute(db)).rows[0]?.mmap_size ?? 0;
  await sql.raw(`pragma mmap_size = ${VERIFY_MMAP_BYTES}`).execute(db);
  return async () => {
    await sql.raw(`pragma mmap_size = ${Number(before)}`).execute(db);
  };
}

/** Bytes of the database file mapped while verifying (SQLite caps it at its compile-time limit, 0x7fff0000 by default). */
const VERIFY_MMAP_BYTES = 0x7fff0000;

async function verifyMapped(db: Kysely<Database>, options: VerifyOptions): Promise<VerificationReport> {
  const problems: string[] = [];
  let firstBadIndex: number | null = null;
  const problem = (text: string, index?: number): void => {
    if (index !== undefined && firstBadIndex === null) firstBadIndex = index;
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  const head = await db.selectFrom('ledger_head').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
  const size = Number(head.size);
  const tree = await db.selectFrom('ledger_tree').select(['size', 'root', 'range']).where('id', '=', 1).executeTakeFirstOrThrow();
  const integrated = Number(tree.size);
  if (integrated > size) problem(`the tree has ${integrated} entries but only ${size} were sequenced`);

  // Checkpoints: signatures, and roots checked as the tree is rebuilt.
  const checkpointRows = await db.selectFrom('ledger_checkpoints').select(['size', 'origin', 'root', 'note']).orderBy('size').orderBy('origin').execute();
  const retiredOrigins: string[] = [];
  const expectedRoots = new Map<number, Array<{ root: Buffer; what: string }>>();
  const expect = (at: number, root: Buffer, what: string): void => {
    expectedRoots.set(at, [...(expectedRoots.get(at) ?? []), { root, what }]);
  };
  for (const row of checkpointRows) {
    try {
      const verified = openCheckpoint(row.note, row.origin, ...(await verifierArgs(options, row.origin)));
      if (verified.size !== Number(row.size) || !verified.root.equals(Buffer.from(row.root))) throw new LedgerError('malformed-checkpoint', 'its columns differ from its note');
      if (options.origin !== undefined && row.origin !== options.origin) {
        if (!retiredOrigins.includes(row.origin)) retiredOrigins.push(row.origin);
        continue;
      }
      expect(verified.size, verified.root, `checkpoint ${verified.size}`);
      if (verified.size > integrated) problem(`checkpoint ${verified.size} is beyond the tree (${integrated} entries): the log was truncated`, integrated);
    } catch (error) {
      problem(`checkpoint ${row.size} does not verify: ${(error as Error).message}`);
    }
  }
  const remembered = options.memory?.read() ?? null;
  if (remembered !== null) {
    try {
      const checkpoint = checkpointOfNote(remembered);
      expect(checkpoint.size, checkpoint.root, `the checkpoint file (${checkpoint.size})`);
      if (checkpoint.size > integrated) problem(`the checkpoint file holds a checkpoint of size ${checkpoint.size}, beyond the tree (${integrated}): the database was restored from an older copy or truncated`, integrated);
    } catch (error) {
      problem(`the checkpoint file is unreadable: ${(error as Error).message}`);
    }
  }
  const checkRoot = (at: number, root: Buffer): void => {
    for (const e of expectedRoots.get(at) ?? []) if (!e.root.equals(root)) problem(`the first ${at} entries do not hash to the root of ${e.what}`, at === 0 ? 0 : at - 1);
  };
  checkRoot(0, EMPTY_ROOT);

  const family = sqlFamily(db as unknown as Kysely<unknown>);
  const reads = await sourceReads(db, family);
  // The tree rebuilt from the leaves, its hashes held as binary strings (see BinaryCompactRange).
  let rebuilt = new BinaryCompactRange();
  // Entries per source, counted as they are verified (every entry of [0, size) is read once).
  const tally: SourceTally = {};
  // Progress never goes back (a chunk verified again after a worker counted it).
  let shown = 0;
  const progress = (done: number): void => {
    shown = Math.min(size, Math.max(shown, done));
    options.onProgress?.(shown, size);
  };
  const onSize = (at: number, root: () => Buffer): void => {
    if (expectedRoots.has(at)) checkRoot(at, root());
  };
  /** Entries [from, to) verified in this thread, batch by batch, extending `rebuilt`. */
  const verifyHere = async (from: number, to: number): Promise<void> => {
    for (let start = from; start < to; start += VERIFY_BATCH) {
      const end = Math.min(to, start + VERIFY_BATCH);
      const integratedTo = Math.max(start, Math.min(end, integrated));
      // Fast path: every entry's leaf recomputed from its row and compared with the stored leaf
      // (one joined read per source), the tree nodes compared in one query per level; anything
      // amiss and the batch is checked entry by entry, which names the first entry that does not match.
      if (!(await verifyBatch(db, family, reads, { from: start, to: end, integratedTo }, rebuilt, 0, (at) => onSize(at, () => rebuilt.root()), problem, tally))) {
        const range = rebuilt.toCompactRange();
        await verifyBatchInDetail(db, family, { from: start, to: end, integratedTo }, range, problem, () => onSize(range.size, () => range.root()), tally);
        rebuilt = new BinaryCompactRange(range);
      }
      progress(end);
    }
  };
  let verified = 0;
  const workerErrors: string[] = [];
  const parallel = options.parallel;
  const chunkLevel = parallel?.chunkLevel ?? DEFAULT_CHUNK_LEVEL;
  const chunk = 2 ** chunkLevel;
  // Worker threads read through their own connections, which cannot see a transaction's changes.
  // PGlite and in-memory SQLite cannot be opened by a second connection: one thread there.
  if (parallel !== undefined && usableThreads(parallel.database, parallel.threads) > 1 && !db.isTransaction && integrated >= 2 * chunk) {
    // The integrated entries in whole chunks of 2^k over worker threads and this one: each
    // chunk's leaves, stored leaves, nodes and subtree root; the roots are combined here in order.
    verified = Math.floor(integrated / chunk) * chunk;
    const sizesIn = (s: number): number[] => [...expectedRoots.keys()].filter((at) => at > s && at < s + chunk);
    let done = 0;
    const onEntries = (n: number): void => progress((done += n));
    // No more threads than chunks: a worker with nothing to do costs its start (≈ 0.35 s of CPU).
    const pool = await startVerifyWorkers({ ...parallel, threads: Math.min(parallel.threads, verified / chunk) }, VERIFY_BATCH, onEntries, (request) => verifyChunk(db, family, reads, request, VERIFY_BATCH, onEntries));
    try {
      const chunks: Array<Promise<ChunkResult>> = [];
      for (let s = 0; s < verified; s += chunk) chunks.push(pool.verify({ from: s, to: s + chunk, sizes: sizesIn(s) }));
      for (let s = 0, i = 0; s < verified; s += chunk, i += 1) {
        const result = await (chunks[i] as Promise<ChunkResult>);
        if (result.root === null) {
          // Something differs in this chunk (or its worker failed): verified again here, which names what.
          await verifyHere(s, s + chunk);
          continue;
        }
        addTally(tally, result.counts);
        const before = rebuilt.binaryNodes.slice();
        for (const [at, nodes] of result.snapshots) onSize(at, () => new CompactRange(at, [...before, ...nodes].map((h) => Buffer.from(h, 'latin1'))).root());
        const levels: NodeRun[] = [];
        rebuilt.appendSubtree(chunkLevel, result.root, (level, index, hash) => {
          // The chunk's nodes up to its own root were compared by the thread that verified it.
          if (level > chunkLevel) levels[level] = { level, first: index, hashes: [hash] };
        });
        onSize(rebuilt.size, () => rebuilt.root());
        await compareNodes(db, family, levels, problem);
      }
    } finally {
      workerErrors.push(...pool.errors());
      await pool.close();
    }
  }
  await verifyHere(verified, size);
  const range = rebuilt.toCompactRange();
  if (size === 0) options.onProgress?.(0, 0);
  if (range.size === integrated && !range.root().equals(Buffer.from(tree.root))) problem('the stored tree head does not match the leaves', integrated - 1);
  if (range.size === integrated && range.nodes.map((h) => h.toString('base64')).join(' ') !== tree.range) problem('the stored compact range does not match the leaves', integrated - 1);
  await checkCounts(db, { size, integrated }, tally, problem);

  // Cosignatures: each line verifies with its witness's key over the checkpoint it cosigns, and
  // that checkpoint's root was checked above against the leaves.
  const cosignatures: VerificationReport['cosignatures'] = { verified: 0, unknownWitness: 0, failed: 0, byWitness: {} };
  const witnesses = (await options.witnesses?.()) ?? [];
  const cosigned = await db.selectFrom('ledger_cosignatures').select(['origin', 'size', 'witness', 'signature']).orderBy('size').execute();
  const notes = new Map(checkpointRows.map((r) => [`${r.origin} ${Number(r.size)}`, r.note]));
  for (const row of cosigned) {
    const witness = witnesses.find((w) => w.name === row.witness && w.kind === 'cosignature');
    if (witness === undefined) {
      cosignatures.unknownWitness += 1;
      continue;
    }
    const note = notes.get(`${row.origin} ${Number(row.size)}`);
    let ok = false;
    if (note !== undefined) {
      try {
        ok = openNote(`${parseNote(note).text}\n${row.signature}`, [witness]).verifiedBy.includes(witness.name);
      } catch {
        ok = false;
      }
    }
    if (ok) {
      cosignatures.verified += 1;
      cosignatures.byWitness[row.witness] = Math.max(cosignatures.byWitness[row.witness] ?? 0, Number(row.size));
    } else {
      cosignatures.failed += 1;
      problem(note === undefined ? `a cosignature of ${row.witness} is for a checkpoint of size ${row.size} this log does not hold` : `the cosignature of ${row.witness} on checkpoint ${row.size} does not verify with its key`);
    }
  }
  const forkRows = await db.selectFrom('ledger_forks').select(['origin', 'size', 'how', 'detected_at']).where('resolved_at', 'is', null).orderBy('detected_at').execute();
  const forks = forkRows.map((f) => ({ origin: f.origin, size: Number(f.size), how: f.how, detectedAt: f.detected_at, ownLog: options.origin === undefined || f.origin === options.origin }));
  for (const f of forks) if (f.ownLog) problem(`split view of this log at size ${f.size}: ${f.how}`);
  return { ok: problems.length === 0, size, integrated, checkpoints: checkpointRows.length, retiredOrigins, firstBadIndex, problems, cosignatures, forks, ...(workerErrors.length > 0 ? { workerErrors } : {}) };
}

async function verifierArgs(options: VerifyOptions, origin: string): Promise<[NoteVerifier, NoteVerifier[]]> {
  const verifiers = await options.verifiersFor(origin);
  if (verifiers.length === 0) throw new LedgerError('unverified-note', `no log key for ${origin}`);
  // openCheckpoint needs the log's verifier; any of the node's log keys may have signed it.
  return [verifiers[0] as NoteVerifier, verifiers.slice(1) as NoteVerifier[]];
}

/**
 * The fast check of entries [from, to) (integrated up to `integratedTo`): their leaves recomputed
 * from their rows and equal to the stored ones, appended to `rebuilt` (whose entry 0 is entry
 * `base` of the log, a multiple of a power of two at least the batch), the nodes they complete
 * equal to the stored ones; `onSize(size)` after each append. False, with `rebuilt` unchanged,
 * when a leaf does not match or an entry or row is missing (the detailed check says which).
 */
export async function verifyBatch(db: Kysely<Database>, family: SqlFamily, reads: SourceReads, { from, to, integratedTo }: { from: number; to: number; integratedTo: number }, rebuilt: BinaryCompactRange, base: number, onSize: (size: number) => void, problem: Problem, tally: SourceTally): Promise<boolean> {
  const leaves = await recomputedLeaves(db, reads, from, to, integratedTo, tally);
  if (leaves === null) return false;
  const levels: NodeRun[] = [];
  const completed = (level: number, index: number, hash: string): void => {
    const run = (levels[level] ??= { level, first: index + base / 2 ** level, hashes: [] });
    (run.hashes as string[]).push(hash);
  };
  for (let i = 0; i < integratedTo - from; i += 1) {
    rebuilt.append(leafHashOfTextBinary(leaves[i] as string), completed);
    onSize(base + rebuilt.size);
  }
  await compareNodes(db, family, levels, problem);
  return true;
}

/**
 * One chunk of a parallel verification (see `verify-workers.ts`), in whichever thread: entries
 * [from, to), all integrated, `from` a multiple of the chunk's size (a power of two); its subtree
 * root, or null when anything differs (the caller verifies it again, naming what).
 */
export async function verifyChunk(db: Kysely<Database>, family: SqlFamily, reads: SourceReads, request: ChunkRequest, batch: number, onEntries: (n: number) => void): Promise<ChunkResult> {
  const rebuilt = new BinaryCompactRange();
  const wanted = new Set(request.sizes);
  const snapshots: Array<[number, string[]]> = [];
  const counts: SourceTally = {};
  let differs = false;
  for (let from = request.from; from < request.to && !differs; from += batch) {
    const to = Math.min(request.to, from + batch);
    const ok = await verifyBatch(db, family, reads, { from, to, integratedTo: to }, rebuilt, request.from, (size) => {
      if (wanted.has(size)) snapshots.push([size, rebuilt.binaryNodes.slice()]);
    }, () => {
      differs = true;
    }, counts);
    if (!ok) differs = true;
    onEntries(to - from);
  }
  return { root: differs || rebuilt.binaryNodes.length !== 1 ? null : (rebuilt.binaryNodes[0] as string), snapshots, counts };
}

/**
 * The entry-by-entry check of entries [from, to) (integrated up to `integratedTo`): each entry
 * present, its row present and giving the stored leaf; the tree rebuilt from the stored leaves
 * (a missing one hashes as empty: its nodes then differ too). Names every entry that does not match.
 */
async function verifyBatchInDetail(db: Kysely<Database>, family: SqlFamily, { from, to, integratedTo }: { from: number; to: number; integratedTo: number }, range: CompactRange, problem: Problem, rootCheck: () => void, tally: SourceTally): Promise<void> {
  const batch = await db
    .selectFrom('ledger_entries as e')
    .leftJoin('ledger_leaves as l', 'l.idx', 'e.idx')
    .select(['e.idx', 'e.source', 'e.source_id', 'e.leaf', 'l.leaf as kept'])
    .where('e.idx', '>=', from)
    .where('e.idx', '<', to)
    .orderBy('e.idx')
    .execute();
  const computed = await leavesOf(db, batch, { from, to });
  const levels: NodeRun[] = [];
  let j = 0;
  for (let idx = from; idx < to; idx += 1) {
    const entry = batch[j];
    const present = entry !== undefined && Number(entry.idx) === idx;
    if (present) {
      j += 1;
      tally[entry.source] = (tally[entry.source] ?? 0) + 1;
    } else problem(`log entry ${idx} is missing`, idx);
    const leaf = present ? computed.get(idx) : undefined;
    if (present && (leaf === null || leaf === undefined)) problem(`log entry ${idx}: its recorded row is missing`, idx);
    if (idx >= integratedTo) continue;
    const kept = present ? entry.kept : null;
    if (present && kept === null) problem(`log entry ${idx}: its leaf is missing`, idx);
    else if (kept !== null && leaf !== null && leaf !== undefined && kept !== leaf) problem(`log entry ${idx}: the recorded row does not match the logged leaf`, idx);
    for (const n of range.append(leafHashOfText(kept ?? ''))) ((levels[n.level] ??= { level: n.level, first: n.index, hashes: [] }).hashes as string[]).push(n.hash.toString('latin1'));
    rootCheck();
  }
  await compareNodes(db, family, levels, problem);
}
