/**
 * @module ledger/verify-reads
 * How `ledger verify` reads the log's entries with their recorded rows (see `verify.ts`): one
 * query per source table and batch — the log's range joined with the table's rows and the stored
 * leaves, rows as arrays — and the leaves recomputed from those rows.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { arrayRows } from '../db/array-rows.js';
import type { SqlFamily } from '../db/dialects/family.js';
import type { Database } from '../db/index.js';
import { leafOfRowJson, leafOfValues, rowJsonSqlite, type LeafSource } from './leaf.js';
import { SOURCE_TABLES } from './store.js';
import { addTally, type SourceTally } from './verify-counts.js';

/** How the rows of each source table, and records, are read for verification. */
export interface SourceReads {
  sources: SourceRead[];
  records: (from: number, to: number) => CompiledQuery;
}

/** How the rows of one source table are read for verification: the SQL of a batch and the leaf of a row. */
interface SourceRead {
  source: LeafSource;
  /** Entries [from, to) of this source: their index, stored leaf, then the row's columns (SQLite: the row's canonical JSON). */
  batch: (from: number, to: number) => CompiledQuery;
  /** The leaf of a row read so, from its values at `at`; null when it cannot be recomputed so (the entry-by-entry check decides). */
  leafOf: (values: readonly unknown[], at: number) => string | null;
}

/**
 * The reads of each source table, with its columns as the database has them now (every column
 * but `seq`, as the row digest takes them), and the reads of records appended directly.
 */
export async function sourceReads(db: Kysely<Database>, family: SqlFamily): Promise<SourceReads> {
  const sources: SourceRead[] = [];
  for (const [source, table] of Object.entries(SOURCE_TABLES) as Array<[LeafSource, string]>) {
    const { rows } = family === 'sqlite' ? await sql<{ name: string }>`select name from pragma_table_info(${table}) order by cid`.execute(db) : await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
    const columns = rows.map((r) => r.name).filter((c) => c !== 'seq');
    // SQLite writes each row's canonical JSON itself (one value per row instead of one per column).
    const rowJson = family === 'sqlite' ? leafOfRowJson(source, columns) : null;
    const selected = rowJson !== null ? sql.raw(rowJsonSqlite(columns, 's')) : sql.join(columns.map((c) => sql.ref(`s.${c}`)));
    sources.push({
      source,
      // Audit events through `source_seq` (migration 0082: on SQLite one B-tree lookup instead of two); the leaf names the event's id either way.
      batch: rangeQuery(sql`select e.idx, l.leaf, ${selected} from ledger_entries e join ${sql.table(table)} s on ${source === 'audit' ? sql`s.seq = e.source_seq` : sql`s.id = e.source_id`} left join ledger_leaves l on l.idx = e.idx where e.source = ${source} and e.idx >= ${0} and e.idx < ${0}`.compile(db)),
      leafOf: rowJson !== null ? (values, at) => (typeof values[at] === 'string' ? rowJson(values[at]) : null) : leafOfValues(source, columns),
    });
  }
  const records = rangeQuery(sql`select e.idx, e.leaf, l.leaf from ledger_entries e left join ledger_leaves l on l.idx = e.idx where e.source = 'record' and e.idx >= ${0} and e.idx < ${0}`.compile(db));
  return { sources, records };
}

/** A query compiled once whose last two parameters are the range [from, to): the batch's query without building and compiling it again. */
function rangeQuery(compiled: CompiledQuery): (from: number, to: number) => CompiledQuery {
  const fixed = compiled.parameters.slice(0, -2);
  return (from, to) => CompiledQuery.raw(compiled.sql, [...fixed, from, to]);
}

/**
 * The leaf texts of entries [from, to), recomputed from their recorded rows (one read per source
 * table joined with the log's range and the stored leaves, rows as arrays), each of the first
 * `integratedTo − from` equal to its stored leaf — or null when an entry is missing, names an
 * unknown source, its row is missing or a stored leaf differs (the detailed check says which).
 */
export async function recomputedLeaves(db: Kysely<Database>, reads: SourceReads, from: number, to: number, integratedTo: number, tally: SourceTally): Promise<string[] | null> {
  const leaves = new Array<string | undefined>(to - from);
  const kept = integratedTo - from;
  const counts: SourceTally = {};
  let filled = 0;
  // Each index is one entry: once every index of the batch is filled (each once), no other source has an entry here.
  for (const { source, batch, leafOf } of reads.sources) {
    if (filled === to - from) break;
    const rows = await arrayRows(db as unknown as Kysely<unknown>, batch(from, to));
    for (const row of rows) {
      const at = Number(row[0]) - from;
      const leaf = leafOf(row, 2);
      if (leaf === null || leaves[at] !== undefined || (at < kept && row[1] !== leaf)) return null;
      leaves[at] = leaf;
    }
    filled += rows.length;
    counts[source] = rows.length;
  }
  if (filled !== to - from) {
    const records = await arrayRows(db as unknown as Kysely<unknown>, reads.records(from, to));
    for (const [idx, leaf, stored] of records) {
      const at = Number(idx) - from;
      if (typeof leaf !== 'string' || leaves[at] !== undefined || (at < kept && stored !== leaf)) return null;
      leaves[at] = leaf;
    }
    filled += records.length;
    counts.record = records.length;
  }
  if (filled !== to - from) return null;
  addTally(tally, counts);
  return leaves as string[];
}
