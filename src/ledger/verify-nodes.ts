/**
 * @module ledger/verify-nodes
 * The tree nodes completed while `ledger verify` rebuilds the tree, compared with the stored
 * ones inside the database (see `verify.ts`).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { arrayRows } from '../db/array-rows.js';
import type { SqlFamily } from '../db/dialects/family.js';
import type { Database } from '../db/index.js';
import { HASH_SIZE } from './merkle.js';

/** Reports a problem, and the entry it is at if any. */
export type Problem = (text: string, index?: number) => void;

/** The nodes of one level completed while rebuilding a batch: contiguous from index `first`, hashes as binary strings. */
export interface NodeRun {
  level: number;
  first: number;
  hashes: readonly string[];
}

/**
 * Compares the nodes completed while rebuilding with the stored ones: per level, the database
 * counts the stored nodes equal to their slice of the expected hashes, passed as one blob — no
 * stored hash crosses into JavaScript. A level that differs is compared row by row to name the node.
 */
export async function compareNodes(db: Kysely<Database>, family: SqlFamily, levels: ReadonlyArray<NodeRun | undefined>, problem: Problem): Promise<void> {
  for (const run of levels) {
    if (run === undefined || run.hashes.length === 0) continue;
    const { level, first } = run;
    const expected = Buffer.from(run.hashes.join(''), 'latin1');
    // (level, idx) is the key: as many matching rows as nodes means every node is stored as computed.
    const [row] = await arrayRows(db as unknown as Kysely<unknown>, CompiledQuery.raw(family === 'sqlite' ? COUNT_EQUAL_NODES_SQLITE : COUNT_EQUAL_NODES_POSTGRES, [level, first, first + run.hashes.length - 1, expected, first]));
    if (Number(row?.[0]) !== run.hashes.length) await compareLevel(db, level, first, expected, problem);
  }
}

/**
 * The stored nodes of level $1 from index $2 to $3 equal to their slice of the expected hashes
 * ($4, from index $5), counted. Written out once, without the query builder: it runs for every
 * level of every batch (≈ 0.5 µs per entry built and compiled each time).
 */
const COUNT_EQUAL_NODES_SQLITE = `select count(*) from ledger_nodes where level = ? and idx >= ? and idx <= ? and hash = substr(cast(? as blob), (idx - ?) * ${HASH_SIZE} + 1, ${HASH_SIZE})`;
const COUNT_EQUAL_NODES_POSTGRES = `select count(*) from ledger_nodes where level = $1 and idx >= $2 and idx <= $3 and hash = substr(cast($4 as bytea), (idx - $5) * ${HASH_SIZE} + 1, ${HASH_SIZE})`;

/** Compares the nodes of one level from index `first` (hashes concatenated in `expected`) with the stored ones row by row. */
async function compareLevel(db: Kysely<Database>, level: number, first: number, expected: Buffer, problem: Problem): Promise<void> {
  const count = expected.length / HASH_SIZE;
  const rows = await db.selectFrom('ledger_nodes').select(['idx', 'hash']).where('level', '=', level).where('idx', '>=', first).where('idx', '<', first + count).orderBy('idx').execute();
  const stored = new Map(rows.map((r) => [Number(r.idx), Buffer.from(r.hash.buffer, r.hash.byteOffset, r.hash.byteLength)]));
  for (let i = 0; i < count; i += 1) {
    if (!stored.get(first + i)?.equals(expected.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) problem(`tree node ${level}/${first + i} does not match the leaves`, (first + i) * 2 ** level);
  }
}
