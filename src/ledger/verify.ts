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
import { leafText, type LeafSource } from './leaf.js';
import { CompactRange, EMPTY_ROOT, HASH_SIZE, leafHashOfText, type CompletedNode } from './merkle.js';
import { openNote, parseNote, type NoteVerifier } from './note.js';
import type { CheckpointMemory } from './publisher.js';
import { leavesOf, SOURCE_TABLES } from './store.js';

/** Entries read per round trip (larger than integration's: reads only). */
const VERIFY_BATCH = 8192;

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
}

const MAX_PROBLEMS = 20;

export async function verifyLog(db: Kysely<Database>, options: VerifyOptions): Promise<VerificationReport> {
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

  // The recorded tables and the log match one to one.
  const counts = await db.selectFrom('ledger_entries').select(['source', db.fn.countAll<string>().as('n')]).groupBy('source').execute();
  const bySource = new Map(counts.map((c) => [c.source, Number(c.n)]));
  let entries = 0;
  for (const n of bySource.values()) entries += n;
  if (entries !== size) problem(`the log head says ${size} entries, the log holds ${entries}`);
  for (const [source, table] of Object.entries(SOURCE_TABLES)) {
    const row = await db.selectFrom(table).select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    if (Number(row.n) !== (bySource.get(source) ?? 0)) problem(`${table} holds ${row.n} rows but the log records ${bySource.get(source) ?? 0}`);
  }

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
  const range = new CompactRange();
  const rootCheck = (): void => {
    if (expectedRoots.has(range.size)) checkRoot(range.size, range.root());
  };
  for (let from = 0; from < size; from += VERIFY_BATCH) {
    const to = Math.min(size, from + VERIFY_BATCH);
    const integratedTo = Math.max(from, Math.min(to, integrated));
    // Fast path: every entry's leaf recomputed from its row (one joined read per source), the
    // stored leaves compared in one aggregate; anything amiss and the batch is checked entry by
    // entry, which names the first entry that does not match.
    const leaves = await recomputedLeaves(db, from, to);
    if (leaves !== null && (await storedLeavesMatch(db, family, from, leaves.slice(0, integratedTo - from)))) {
      const completed: CompletedNode[][] = [];
      for (let i = 0; i < integratedTo - from; i += 1) {
        for (const n of range.append(leafHashOfText(leaves[i] as string))) (completed[n.level] ??= []).push(n);
        rootCheck();
      }
      await compareNodes(db, family, completed, problem);
    } else {
      await verifyBatchInDetail(db, family, { from, to, integratedTo }, range, problem, rootCheck);
    }
    options.onProgress?.(to, size);
  }
  if (size === 0) options.onProgress?.(0, 0);
  if (range.size === integrated && !range.root().equals(Buffer.from(tree.root))) problem('the stored tree head does not match the leaves', integrated - 1);
  if (range.size === integrated && range.nodes.map((h) => h.toString('base64')).join(' ') !== tree.range) problem('the stored compact range does not match the leaves', integrated - 1);
  const nodeCount = await db.selectFrom('ledger_nodes').select(db.fn.countAll<string>().as('n')).where('level', '=', 0).executeTakeFirstOrThrow();
  if (Number(nodeCount.n) !== integrated) problem(`the tree stores ${nodeCount.n} leaf hashes for ${integrated} entries`);

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
  return { ok: problems.length === 0, size, integrated, checkpoints: checkpointRows.length, retiredOrigins, firstBadIndex, problems, cosignatures, forks };
}

async function verifierArgs(options: VerifyOptions, origin: string): Promise<[NoteVerifier, NoteVerifier[]]> {
  const verifiers = await options.verifiersFor(origin);
  if (verifiers.length === 0) throw new LedgerError('unverified-note', `no log key for ${origin}`);
  // openCheckpoint needs the log's verifier; any of the node's log keys may have signed it.
  return [verifiers[0] as NoteVerifier, verifiers.slice(1) as NoteVerifier[]];
}

type Problem = (text: string, index?: number) => void;

/** The name under which joined reads return the entry's index beside the recorded row's columns. */
const IDX = 'ledger_idx_';

/**
 * The leaf texts of entries [from, to), recomputed from their recorded rows: one read per source
 * table joined with the log's range (and the leaves of records appended directly), or null when
 * an entry is missing, names an unknown source or its row is missing (the detailed check says which).
 */
async function recomputedLeaves(db: Kysely<Database>, from: number, to: number): Promise<string[] | null> {
  const leaves = new Array<string | undefined>(to - from);
  let filled = 0;
  for (const [source, table] of Object.entries(SOURCE_TABLES) as Array<[LeafSource, string]>) {
    const { rows } = await sql<Record<string, unknown>>`select e.idx as ${sql.ref(IDX)}, s.* from ledger_entries e join ${sql.table(table)} s on s.id = e.source_id where e.source = ${source} and e.idx >= ${from} and e.idx < ${to}`.execute(db);
    for (const { [IDX]: idx, ...row } of rows) {
      leaves[Number(idx) - from] = leafText(source, row);
      filled += 1;
    }
  }
  const records = await db.selectFrom('ledger_entries').select(['idx', 'leaf']).where('source', '=', 'record').where('idx', '>=', from).where('idx', '<', to).execute();
  for (const r of records) {
    if (r.leaf === null) return null;
    leaves[Number(r.idx) - from] = r.leaf;
    filled += 1;
  }
  return filled === to - from ? (leaves as string[]) : null;
}

/**
 * Whether the stored leaves of entries [from, from + leaves.length) are exactly `leaves`: their
 * count and their concatenation in index order, read as one aggregate. Canonical JSON holds no
 * line feed, so with n leaves joined by n − 1 of them each stored leaf equals its own.
 */
async function storedLeavesMatch(db: Kysely<Database>, family: SqlFamily, from: number, leaves: readonly string[]): Promise<boolean> {
  if (leaves.length === 0) return true;
  const expected = leaves.join('\n');
  let lineFeeds = 0;
  for (let at = expected.indexOf('\n'); at >= 0; at = expected.indexOf('\n', at + 1)) lineFeeds += 1;
  if (lineFeeds !== leaves.length - 1) return false;
  const joined = family === 'sqlite' ? sql<string>`group_concat(leaf, ${'\n'} order by idx)` : sql<string>`string_agg(leaf, ${'\n'} order by idx)`;
  const row = await db
    .selectFrom('ledger_leaves')
    .select([db.fn.countAll<string>().as('n'), joined.as('joined')])
    .where('idx', '>=', from)
    .where('idx', '<', from + leaves.length)
    .executeTakeFirstOrThrow();
  return Number(row.n) === leaves.length && row.joined === expected;
}

/**
 * The entry-by-entry check of entries [from, to) (integrated up to `integratedTo`): each entry
 * present, its row present and giving the stored leaf; the tree rebuilt from the stored leaves
 * (a missing one hashes as empty: its nodes then differ too). Names every entry that does not match.
 */
async function verifyBatchInDetail(db: Kysely<Database>, family: SqlFamily, { from, to, integratedTo }: { from: number; to: number; integratedTo: number }, range: CompactRange, problem: Problem, rootCheck: () => void): Promise<void> {
  const batch = await db
    .selectFrom('ledger_entries as e')
    .leftJoin('ledger_leaves as l', 'l.idx', 'e.idx')
    .select(['e.idx', 'e.source', 'e.source_id', 'e.leaf', 'l.leaf as kept'])
    .where('e.idx', '>=', from)
    .where('e.idx', '<', to)
    .orderBy('e.idx')
    .execute();
  const computed = await leavesOf(db, batch, { from, to });
  const completed: CompletedNode[][] = [];
  let j = 0;
  for (let idx = from; idx < to; idx += 1) {
    const entry = batch[j];
    const present = entry !== undefined && Number(entry.idx) === idx;
    if (present) j += 1;
    else problem(`log entry ${idx} is missing`, idx);
    const leaf = present ? computed.get(idx) : undefined;
    if (present && (leaf === null || leaf === undefined)) problem(`log entry ${idx}: its recorded row is missing`, idx);
    if (idx >= integratedTo) continue;
    const kept = present ? entry.kept : null;
    if (present && kept === null) problem(`log entry ${idx}: its leaf is missing`, idx);
    else if (kept !== null && leaf !== null && leaf !== undefined && kept !== leaf) problem(`log entry ${idx}: the recorded row does not match the logged leaf`, idx);
    for (const n of range.append(leafHashOfText(kept ?? ''))) (completed[n.level] ??= []).push(n);
    rootCheck();
  }
  await compareNodes(db, family, completed, problem);
}

/**
 * Compares the nodes completed while rebuilding (per level, in index order, contiguous) with the
 * stored ones: per level, their count, sizes and hex concatenation in one aggregate; a level that
 * differs is compared row by row to name the node.
 */
async function compareNodes(db: Kysely<Database>, family: SqlFamily, completed: ReadonlyArray<readonly CompletedNode[] | undefined>, problem: Problem): Promise<void> {
  const hexes = family === 'sqlite' ? sql<string>`group_concat(lower(hex(hash)), '' order by idx)` : sql<string>`string_agg(encode(hash, 'hex'), '' order by idx)`;
  for (let level = 0; level < completed.length; level += 1) {
    const nodes = completed[level];
    if (nodes === undefined || nodes.length === 0) continue;
    const min = (nodes[0] as CompletedNode).index;
    const max = (nodes[nodes.length - 1] as CompletedNode).index;
    const row = await db
      .selectFrom('ledger_nodes')
      .select([db.fn.countAll<string>().as('n'), sql<number>`min(length(hash))`.as('shortest'), sql<number>`max(length(hash))`.as('longest'), hexes.as('hexes')])
      .where('level', '=', level)
      .where('idx', '>=', min)
      .where('idx', '<=', max)
      .executeTakeFirstOrThrow();
    const expected = Buffer.concat(nodes.map((n) => n.hash)).toString('hex');
    if (max - min + 1 === nodes.length && Number(row.n) === nodes.length && Number(row.shortest) === HASH_SIZE && Number(row.longest) === HASH_SIZE && row.hexes === expected) continue;
    await compareLevel(db, level, nodes, problem);
  }
}

/** Compares the completed nodes of one level with the stored ones row by row. */
async function compareLevel(db: Kysely<Database>, level: number, nodes: readonly CompletedNode[], problem: Problem): Promise<void> {
  const min = (nodes[0] as CompletedNode).index;
  const max = (nodes[nodes.length - 1] as CompletedNode).index;
  const rows = await db.selectFrom('ledger_nodes').select(['idx', 'hash']).where('level', '=', level).where('idx', '>=', min).where('idx', '<=', max).orderBy('idx').execute();
  let k = 0;
  for (const n of nodes) {
    while (k < rows.length && Number((rows[k] as { idx: number }).idx) < n.index) k += 1;
    const row = rows[k];
    if (row === undefined || Number(row.idx) !== n.index || !Buffer.from(row.hash.buffer, row.hash.byteOffset, row.hash.byteLength).equals(n.hash)) {
      problem(`tree node ${level}/${n.index} does not match the leaves`, n.index * 2 ** level);
    }
  }
}
