/**
 * @module ops/logical-dump
 * Every table of a Comity database as rows of JSON, independent of the engine, so that a backup
 * of a SQLite node restores into PostgreSQL and back (the same command for both, issue 18).
 *
 * A table file `tables/<name>.jsonl` holds one JSON array per row, values in the order of the
 * manifest's `columns`. Values: `null`, numbers, strings, and `{"$b64": "…"}` for bytes (SQLite
 * BLOB, PostgreSQL bytea); PostgreSQL's 64-bit integers arrive as strings and are loaded as such
 * (both engines convert them back, SQLite STRICT tables included); a JSON column's value is kept
 * as its text.
 *
 * Tables are read in an order where a table comes after those its foreign keys point to, and
 * loaded in that order; Kysely's migration tables are left out (the manifest names the
 * migrations, and the target is migrated to exactly those before loading).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../db/dialects/family.js';

/** A table in a dump: its name, columns and row count. */
export interface DumpedTable {
  name: string;
  columns: string[];
  rows: number;
}

const SKIPPED = new Set(['kysely_migration', 'kysely_migration_lock']);
/** Rows per INSERT when loading: keeps parameters far below SQLite's 32 766 and PostgreSQL's 65 535. */
const PARAMETERS_PER_INSERT = 5000;

type AnyDb = Kysely<unknown>;
type Value = null | number | string | { $b64: string };

/** Table names in load order (referenced tables first), and each table's columns. */
export async function describeTables(db: AnyDb): Promise<{ name: string; columns: string[] }[]> {
  const family = sqlFamily(db);
  let names: string[];
  const edges: [string, string][] = [];
  const columns = new Map<string, string[]>();
  if (family === 'sqlite') {
    names = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)).rows.map((r) => r.name);
    for (const name of names) {
      const fks = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${name})`.execute(db);
      for (const fk of fks.rows) edges.push([name, fk.table]);
      const cols = await sql<{ name: string }>`select name from pragma_table_info(${name}) order by cid`.execute(db);
      columns.set(name, cols.rows.map((c) => c.name));
    }
  } else {
    names = (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db)).rows.map((r) => r.name);
    const fks = await sql<{ child: string; parent: string }>`
      select cl.relname as child, pr.relname as parent from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid join pg_class pr on pr.oid = c.confrelid
      join pg_namespace n on n.oid = cl.relnamespace
      where c.contype = 'f' and n.nspname = current_schema()`.execute(db);
    for (const fk of fks.rows) edges.push([fk.child, fk.parent]);
    const cols = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns where table_schema = current_schema() order by table_name, ordinal_position`.execute(db);
    for (const col of cols.rows) columns.set(col.table_name, [...(columns.get(col.table_name) ?? []), col.column_name]);
  }
  const ordered = topological(names.filter((n) => !SKIPPED.has(n)), edges);
  return ordered.map((name) => ({ name, columns: columns.get(name) ?? [] }));
}

/** Kahn's algorithm; a self-reference is ignored (rows are then loaded in primary-key order). */
function topological(names: string[], edges: [string, string][]): string[] {
  const pending = new Set(names);
  const out: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter((name) => !edges.some(([child, parent]) => child === name && parent !== name && pending.has(parent)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${[...pending].join(', ')}`);
    for (const name of ready.sort()) {
      pending.delete(name);
      out.push(name);
    }
  }
  return out;
}

function encode(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array) return { $b64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function decode(value: Value): unknown {
  if (value !== null && typeof value === 'object') return Buffer.from(value.$b64, 'base64');
  return value;
}

/** The rows of `table` as JSON lines (one array per row, values in `columns` order). */
export async function dumpTable(db: AnyDb, table: string, columns: readonly string[]): Promise<{ text: string; rows: number }> {
  const result = await sql<Record<string, unknown>>`select ${sql.join(columns.map((c) => sql.ref(c)))} from ${sql.table(table)} order by 1`.execute(db);
  const lines = result.rows.map((row) => JSON.stringify(columns.map((c) => encode(row[c]))));
  return { text: lines.length === 0 ? '' : `${lines.join('\n')}\n`, rows: lines.length };
}

/** Parses a table file written by {@link dumpTable}. @throws {Error} on a line that is not a row of `width` values. */
export function parseTable(text: string, width: number, name: string): unknown[][] {
  const rows: unknown[][] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    const row = JSON.parse(line) as Value[];
    if (!Array.isArray(row) || row.length !== width) throw new Error(`${name} line ${index + 1} is not a row of ${width} values`);
    rows.push(row.map(decode));
  });
  return rows;
}

/**
 * Loads `tables` (in load order) into `db`, whose schema is at the dump's migration: rows a
 * migration seeded are replaced by the dump's. Runs in one transaction: all or nothing.
 */
export async function loadTables(db: AnyDb, tables: readonly { name: string; columns: string[]; rows: unknown[][] }[]): Promise<void> {
  const family = sqlFamily(db);
  await db.transaction().execute(async (trx) => {
    for (const table of [...tables].reverse()) await sql`delete from ${sql.table(table.name)}`.execute(trx);
    for (const table of tables) {
      const identity = family === 'postgres' ? await identityColumns(trx, table.name) : [];
      const overriding = identity.length > 0 ? sql` overriding system value` : sql``;
      const perInsert = Math.max(1, Math.floor(PARAMETERS_PER_INSERT / Math.max(1, table.columns.length)));
      for (let i = 0; i < table.rows.length; i += perInsert) {
        const batch = table.rows.slice(i, i + perInsert);
        const values = sql.join(batch.map((row) => sql`(${sql.join(row.map((v) => sql`${v}`))})`));
        await sql`insert into ${sql.table(table.name)} (${sql.join(table.columns.map((c) => sql.ref(c)))})${overriding} values ${values}`.execute(trx);
      }
      // An identity column continues after the highest restored value.
      for (const column of identity) {
        await sql`select setval(pg_get_serial_sequence(${table.name}, ${column}), coalesce((select max(${sql.ref(column)}) from ${sql.table(table.name)}), 0) + 1, false)`.execute(trx);
      }
    }
  });
}

async function identityColumns(db: AnyDb, table: string): Promise<string[]> {
  const rows = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table} and is_identity = 'YES'`.execute(db);
  return rows.rows.map((r) => r.column_name);
}
