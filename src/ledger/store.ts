/**
 * @module ledger/store
 * The log in the database (tables of migration 0011): appending a record inside any
 * transaction, integrating sequenced entries into the Merkle tree (leaves, perfect-subtree
 * hashes, tree head), and reading proofs and tiles back. Sequence → integrate → publish, as
 * Trillian Tessera: sequencing happens in the writer's transaction (the `ledger_head` row lock),
 * integration afterwards in batches, in index order, by one integrator at a time.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { preparedQuery } from '../db/prepared.js';
import { LedgerError } from './errors.js';
import { leafText, recordLeafText, type LeafSource } from './leaf.js';
import { CompactRange, consistencyProof, EMPTY_ROOT, inclusionProof, leafHash, nodesRead, rangeHash, type NodeSource } from './merkle.js';
import { entryBundle, TILE_HEIGHT, TILE_WIDTH, type TileAddress } from './tiles.js';

/** The sources whose rows the migration's triggers sequence, and their tables. */
export const SOURCE_TABLES: Readonly<Record<LeafSource, 'audit_events' | 'login_events' | 'case_access'>> = {
  audit: 'audit_events',
  login: 'login_events',
  access: 'case_access',
};

const asBuffer = (value: Uint8Array): Buffer => Buffer.from(value.buffer, value.byteOffset, value.byteLength);

/**
 * Appends a record (a custody event, an exchanged message's digest…) to the log inside the
 * caller's transaction `trx` (SQLite or PostgreSQL): the index is taken under the `ledger_head`
 * row lock, held until that transaction ends. The record must hold no personal data.
 * Returns its index.
 *
 * @example await appendLeaf(trx, { log: 'custody', id: eventId, at, blob_digest })
 */
export async function appendLeaf(trx: Kysely<Database>, entry: Readonly<Record<string, unknown>>): Promise<number> {
  const leaf = recordLeafText(entry);
  const head = (await takeLedgerIndex.execute(trx, {})).rows[0];
  if (head === undefined) throw new Error('the ledger_head row is missing (migration 0011 not applied?)');
  const index = Number(head.size) - 1;
  await insertRecordEntry.execute(trx, { idx: index, source_id: String(entry.id), leaf });
  return index;
}

// Prepared (db/prepared.ts): every exchanged message and receipt appends a leaf.
const takeLedgerIndex = preparedQuery<{ size: number }>((db) => db.updateTable('ledger_head').set({ size: sql<number>`size + 1` }).where('id', '=', 1).returning('size'));
const insertRecordEntry = preparedQuery((db, p) => db.insertInto('ledger_entries').values({ idx: p.value<number>('idx'), source: 'record', source_id: p.value<string>('source_id'), leaf: p.value<string>('leaf') }));

export interface TreeHead {
  size: number;
  root: Buffer;
}

export async function treeHead(db: Kysely<Database>): Promise<TreeHead> {
  const row = await db.selectFrom('ledger_tree').select(['size', 'root']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { size: Number(row.size), root: asBuffer(row.root) };
}

/** How many entries are sequenced (committed), integrated or not. */
export async function sequencedSize(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('ledger_head').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.size);
}

/**
 * The leaf texts of sequenced entries, computed from their rows. With `range` (the entries are
 * exactly those with from ≤ idx < to), each source's rows are read in one query joined on the
 * log's range instead of lists of ids.
 */
export async function leavesOf(db: Kysely<Database>, entries: ReadonlyArray<{ idx: number; source: string; source_id: string; leaf: string | null }>, range?: { from: number; to: number }): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  const bySource = new Map<LeafSource, Array<{ idx: number; id: string }>>();
  for (const e of entries) {
    if (e.source === 'record') out.set(e.idx, e.leaf);
    else if (e.source in SOURCE_TABLES) {
      const list = bySource.get(e.source as LeafSource) ?? [];
      list.push({ idx: e.idx, id: e.source_id });
      bySource.set(e.source as LeafSource, list);
    } else out.set(e.idx, null);
  }
  for (const [source, list] of bySource) {
    const rows = new Map<string, Record<string, unknown>>();
    if (range !== undefined) {
      const found = (await db
        .selectFrom(SOURCE_TABLES[source])
        .selectAll()
        .where('id', 'in', (eb) => eb.selectFrom('ledger_entries').select('source_id').where('source', '=', source).where('idx', '>=', range.from).where('idx', '<', range.to))
        .execute()) as Array<Record<string, unknown>>;
      for (const row of found) rows.set(String(row.id), row);
    } else {
      for (let i = 0; i < list.length; i += 500) {
        const ids = list.slice(i, i + 500).map((e) => e.id);
        const found = (await db.selectFrom(SOURCE_TABLES[source]).selectAll().where('id', 'in', ids).execute()) as Array<Record<string, unknown>>;
        for (const row of found) rows.set(String(row.id), row);
      }
    }
    for (const e of list) {
      const row = rows.get(e.id);
      out.set(e.idx, row === undefined ? null : leafText(source, row));
    }
  }
  return out;
}

/** Batch size of integration and verification. */
export const INTEGRATE_BATCH = 2048;

async function readRange(db: Kysely<Database>): Promise<CompactRange> {
  const row = await db.selectFrom('ledger_tree').select(['size', 'range']).where('id', '=', 1).executeTakeFirstOrThrow();
  return new CompactRange(Number(row.size), row.range === '' ? [] : row.range.split(' ').map((h) => Buffer.from(h, 'base64')));
}

/**
 * Integrates sequenced entries into the tree, up to `limit` of them: computes each leaf from its
 * row, stores leaves, every completed perfect-subtree hash and the new tree head, in one
 * transaction per batch. Returns the tree head. Entries must be contiguous from the tree's size:
 * a gap (which the head lock makes impossible) stops integration with an error.
 */
export async function integrate(db: Kysely<Database>, limit = Number.MAX_SAFE_INTEGER): Promise<TreeHead> {
  // Up to the entries sequenced now: under a steady stream of writes integration must end.
  const target = await sequencedSize(db);
  limit = Math.min(limit, Math.max(0, target - (await treeHead(db)).size));
  let done = 0;
  for (;;) {
    const run = <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> => (db.isTransaction ? work(db) : db.transaction().execute(work));
    const step = await run(async (trx) => {
      // One integrator at a time (PostgreSQL: the tree row lock; SQLite: one writer).
      await trx.updateTable('ledger_tree').set({ id: 1 }).where('id', '=', 1).execute();
      const range = await readRange(trx);
      const entries = await trx
        .selectFrom('ledger_entries')
        .select(['idx', 'source', 'source_id', 'leaf'])
        .where('idx', '>=', range.size)
        .orderBy('idx')
        .limit(Math.min(INTEGRATE_BATCH, limit - done))
        .execute();
      if (entries.length === 0 || done >= limit) return { count: 0, head: { size: range.size, root: range.root() } };
      const leaves = await leavesOf(trx, entries);
      const leafRows: Array<{ idx: number; leaf: string }> = [];
      const nodes: Array<{ level: number; idx: number; hash: Buffer }> = [];
      for (const e of entries) {
        if (Number(e.idx) !== range.size) throw new LedgerError('unknown-entry', `log entry ${range.size} is missing (found ${e.idx})`);
        const leaf = leaves.get(Number(e.idx));
        if (leaf === null || leaf === undefined) throw new LedgerError('unknown-entry', `log entry ${e.idx}: the recorded ${e.source} row ${e.source_id} is missing`);
        leafRows.push({ idx: Number(e.idx), leaf });
        for (const n of range.append(leafHash(Buffer.from(leaf)))) nodes.push({ level: n.level, idx: n.index, hash: n.hash });
      }
      for (let i = 0; i < leafRows.length; i += 400) await trx.insertInto('ledger_leaves').values(leafRows.slice(i, i + 400)).execute();
      for (let i = 0; i < nodes.length; i += 300) await trx.insertInto('ledger_nodes').values(nodes.slice(i, i + 300)).execute();
      const root = range.root();
      await trx
        .updateTable('ledger_tree')
        .set({ size: range.size, root, range: range.nodes.map((h) => h.toString('base64')).join(' ') })
        .where('id', '=', 1)
        .execute();
      return { count: entries.length, head: { size: range.size, root } };
    });
    done += step.count;
    if (step.count === 0 || done >= limit) return step.head;
  }
}

/** A {@link NodeSource} over the stored nodes a computation needs, fetched in one query per level. */
export async function storedNodes(db: Kysely<Database>, compute: (node: NodeSource) => unknown): Promise<NodeSource> {
  const needed = nodesRead(compute);
  const byLevel = new Map<number, number[]>();
  for (const [level, idx] of needed) byLevel.set(level, [...(byLevel.get(level) ?? []), idx]);
  const found = new Map<string, Buffer>();
  if (byLevel.size > 0) {
    // One round trip: (level = l and idx in (…)) or … for every level.
    const rows = await db
      .selectFrom('ledger_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) => eb.or([...byLevel].map(([level, idxs]) => eb.and([eb('level', '=', level), eb('idx', 'in', idxs)]))))
      .execute();
    for (const row of rows) found.set(`${row.level}/${row.idx}`, asBuffer(row.hash));
  }
  return (level, idx) => {
    const hash = found.get(`${level}/${idx}`);
    if (hash === undefined) throw new LedgerError('unknown-entry', `tree node ${level}/${idx} is missing`);
    return hash;
  };
}

/** The inclusion proof of entry `index` in the tree of `size` entries (integrated). */
export async function inclusionProofAt(db: Kysely<Database>, index: number, size: number): Promise<Buffer[]> {
  const compute = (node: NodeSource): Buffer[] => inclusionProof(node, index, size);
  return compute(await storedNodes(db, compute));
}

/** The consistency proof from `size1` to `size2` (0 < size1 ≤ size2 ≤ integrated size). */
export async function consistencyProofAt(db: Kysely<Database>, size1: number, size2: number): Promise<Buffer[]> {
  const compute = (node: NodeSource): Buffer[] => consistencyProof(node, size1, size2);
  return compute(await storedNodes(db, compute));
}

/** MTH of the first `size` integrated entries, from the stored nodes. */
export async function rootAt(db: Kysely<Database>, size: number): Promise<Buffer> {
  if (size === 0) return EMPTY_ROOT;
  const compute = (node: NodeSource): Buffer => rangeHash(node, 0, size);
  return compute(await storedNodes(db, compute));
}

/** The log entry recording row `sourceId` (an audit event, login event or access record id). */
export async function findEntry(db: Kysely<Database>, sourceId: string): Promise<{ index: number; source: string } | undefined> {
  const row = await db.selectFrom('ledger_entries').select(['idx', 'source']).where('source_id', '=', sourceId).executeTakeFirst();
  return row === undefined ? undefined : { index: Number(row.idx), source: row.source };
}

/** The integrated leaf at `index`. */
export async function leafAt(db: Kysely<Database>, index: number): Promise<string | undefined> {
  const row = await db.selectFrom('ledger_leaves').select('leaf').where('idx', '=', index).executeTakeFirst();
  return row?.leaf;
}

/**
 * A tile (c2sp.org/tlog-tiles) of the integrated tree, or undefined when it does not exist in
 * a tree of `size` entries (a partial tile only at the width the tree has).
 */
export async function readTile(db: Kysely<Database>, address: TileAddress, size: number): Promise<Buffer | undefined> {
  const level = address.level === 'entries' ? 0 : address.level;
  const span = TILE_WIDTH ** level; // entries under one hash of this tile level
  const hashesAtLevel = Math.floor(size / span);
  const start = address.index * TILE_WIDTH;
  const available = Math.min(TILE_WIDTH, hashesAtLevel - start);
  if (available <= 0 || (address.width === TILE_WIDTH ? available < TILE_WIDTH : available !== address.width)) return undefined;
  if (address.level === 'entries') {
    const rows = await db.selectFrom('ledger_leaves').select(['idx', 'leaf']).where('idx', '>=', start).where('idx', '<', start + address.width).orderBy('idx').execute();
    if (rows.length !== address.width) return undefined;
    return entryBundle(rows.map((r) => Buffer.from(r.leaf)));
  }
  const rows = await db
    .selectFrom('ledger_nodes')
    .select(['idx', 'hash'])
    .where('level', '=', level * TILE_HEIGHT)
    .where('idx', '>=', start)
    .where('idx', '<', start + address.width)
    .orderBy('idx')
    .execute();
  if (rows.length !== address.width) return undefined;
  return Buffer.concat(rows.map((r) => asBuffer(r.hash)));
}
