/**
 * @module ledger/verify-counts
 * The recorded tables and the log match one to one (see `verify.ts`): the entries of [0, size)
 * are counted per source while they are verified — every one of them is read once — and what
 * lies outside the log's range is read through the key, so that no count scans the log (a count
 * grouped by source sorted 10^6 entries: ≈ 0.4 s; a count of every leaf hash read the whole level).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { SOURCE_TABLES } from './store.js';
import type { Problem } from './verify-nodes.js';

/** Entries counted per source (`audit`, `login`, `access`, `record`, or whatever a tampered entry names). */
export type SourceTally = Record<string, number>;

export function addTally(into: SourceTally, counts: Readonly<SourceTally>): void {
  for (const [source, n] of Object.entries(counts)) into[source] = (into[source] ?? 0) + n;
}

/**
 * After every entry of [0, size) was verified and counted in `tally`, and every leaf hash of
 * [0, integrated) compared with the one computed: no leaf hash, no entry outside those ranges,
 * and as many rows in each source table as the log records of it.
 */
export async function checkCounts(db: Kysely<Database>, { size, integrated }: { size: number; integrated: number }, tally: SourceTally, problem: Problem): Promise<void> {
  // Two range reads of the key (level, idx): SQLite reads `idx < 0 or idx >= n` under `level = 0` as a scan of the level.
  const leafHashesBeside = async (op: '<' | '>=', bound: number): Promise<number> => Number((await db.selectFrom('ledger_nodes').select(db.fn.countAll<string>().as('n')).where('level', '=', 0).where('idx', op, bound).executeTakeFirstOrThrow()).n);
  const extraNodes = (await leafHashesBeside('<', 0)) + (await leafHashesBeside('>=', integrated));
  if (extraNodes !== 0) problem(`the tree stores ${integrated + extraNodes} leaf hashes for ${integrated} entries`);

  const counted: SourceTally = { ...tally };
  const outside = await db.selectFrom('ledger_entries').select(['source', db.fn.countAll<string>().as('n')]).where((w) => w.or([w('idx', '<', 0), w('idx', '>=', size)])).groupBy('source').execute();
  for (const row of outside) addTally(counted, { [row.source]: Number(row.n) });
  const entries = Object.values(counted).reduce((a, b) => a + b, 0);
  if (entries !== size) problem(`the log head says ${size} entries, the log holds ${entries}`);
  for (const [source, table] of Object.entries(SOURCE_TABLES)) {
    const row = await db.selectFrom(table).select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    if (Number(row.n) !== (counted[source] ?? 0)) problem(`${table} holds ${row.n} rows but the log records ${counted[source] ?? 0}`);
  }
}
