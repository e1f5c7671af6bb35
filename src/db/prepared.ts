/**
 * @module db/prepared
 * Hot queries compiled once per SQL family and run with new parameters.
 *
 * Building and compiling a Kysely query costs tens of microseconds for a wide insert — more than
 * SQLite takes to run it. A prepared query is written with the query builder, as any other, but
 * over named placeholders instead of values: the first run compiles it (type-checked by Kysely
 * like every query) and records which parameter is which placeholder; later runs only bind the
 * new values to that SQL text and execute it (`Kysely#executeQuery`), in whatever transaction or
 * connection they are given. Parameters the builder produced from constants stay as compiled.
 *
 * Limits: the SQL is fixed at the first compilation, so a builder must not branch on values
 * (use one prepared query per shape, see {@link preparedQueries}); Kysely plugins'
 * `transformQuery` does not run for the later executions (none is used in production); every
 * placeholder needs a value — `undefined` is an error, not "omit the column" as in `values()`.
 *
 * @example
 * const byId = preparedQuery((db, p) => db.selectFrom('cases').selectAll().where('id', '=', p.value<string>('id')));
 * const { rows } = await byId.execute(trx, { id });
 */
import { writePathOn } from './write-path-switches.js';
import { CompiledQuery } from 'kysely';
import type { Compilable, Kysely, QueryResult } from 'kysely';
import { sqlFamily, type SqlFamily } from './dialects/family.js';
import type { Database } from './schema.js';

/** Marks a parameter as a placeholder; NUL never occurs in Comity's SQL constants. */
const MARK = '\u0000comity-placeholder:';

/**
 * SQL texts of prepared queries and a name for each, for drivers that can keep a statement
 * parsed on the server (PostgreSQL named statements, see `dialects/postgres.ts`). Bounded by the
 * number of query shapes in the code, unlike arbitrary builder queries (lists of varying length).
 */
const STATEMENT_NAMES = new Map<string, string>();

/** Gives `sql` a server-side statement name: for SQL written by hand, in a bounded number of shapes. */
export function registerStatementName(sql: string): void {
  if (!STATEMENT_NAMES.has(sql)) STATEMENT_NAMES.set(sql, `comity_${STATEMENT_NAMES.size + 1}`);
}

/** The server-side statement name for `sql` when it is the text of a prepared query. */
export function preparedStatementName(sql: string): string | undefined {
  return STATEMENT_NAMES.get(sql);
}

type Slot = { group: string | null; key: string } | { constant: unknown };

interface Compiled {
  sql: string;
  /** Per parameter: the value it stands for, or the constant the builder compiled. */
  slots: Slot[];
}

/**
 * What a builder writes instead of values. A placeholder is named by a key of the values object,
 * or by a group and a key (`values[group][key]`) when one statement takes several rows, e.g. a
 * case, its history event and its audit event, whose column names overlap.
 */
export interface Placeholders {
  /** The placeholder for `values[key]`, or `values[group][key]`, typed as the caller says. */
  value<T = unknown>(key: string, group?: string): T;
  /** `{ key: placeholder }` for each of `keys`: a row for `values()` or `set()`. */
  row<T>(keys: readonly string[], group?: string): T;
}

const PLACEHOLDERS: Placeholders = {
  value: <T>(key: string, group?: string) => `${MARK}${group === undefined ? '' : `${group}.`}${key}` as T,
  row: <T>(keys: readonly string[], group?: string) => Object.fromEntries(keys.map((key) => [key, PLACEHOLDERS.value(key, group)])) as T,
};

function slotOf(parameter: unknown): Slot {
  if (typeof parameter !== 'string' || !parameter.startsWith(MARK)) return { constant: parameter };
  const name = parameter.slice(MARK.length);
  const dot = name.indexOf('.');
  return dot < 0 ? { group: null, key: name } : { group: name.slice(0, dot), key: name.slice(dot + 1) };
}

export interface PreparedQuery<R = unknown> {
  /** Runs the query with `values` on `db` (a Kysely instance or a transaction). */
  execute(db: Kysely<Database>, values: object): Promise<QueryResult<R>>;
  /** The SQL text and parameters a run with `values` would execute (tests, explanations). */
  compile(db: Kysely<Database>, values: object): CompiledQuery<R>;
}

/** A prepared query: `build` writes it with the placeholders of {@link Placeholders}. */
export function preparedQuery<R = unknown>(build: (db: Kysely<Database>, p: Placeholders) => Compilable<R>): PreparedQuery<R> {
  const byFamily = new Map<SqlFamily, Compiled>();

  function compiled(db: Kysely<Database>): Compiled {
    const family = sqlFamily(db as unknown as Kysely<unknown>);
    let entry = writePathOn('prepared-queries') ? byFamily.get(family) : undefined;
    if (entry === undefined) {
      const query = build(db, PLACEHOLDERS).compile();
      entry = { sql: query.sql, slots: query.parameters.map(slotOf) };
      registerStatementName(query.sql);
      byFamily.set(family, entry);
    }
    return entry;
  }

  function bind(db: Kysely<Database>, values: object): CompiledQuery<R> {
    const { sql, slots } = compiled(db);
    const record = values as Record<string, unknown>;
    const parameters = slots.map((slot) => {
      if ('constant' in slot) return slot.constant;
      const source = slot.group === null ? record : (record[slot.group] as Record<string, unknown> | undefined);
      const value = source?.[slot.key];
      if (value === undefined) throw new TypeError(`prepared query: no value for ${slot.group === null ? '' : `${slot.group}.`}${slot.key}`);
      return value;
    });
    return CompiledQuery.raw(sql, parameters) as CompiledQuery<R>;
  }

  return {
    execute: async (db, values) => db.executeQuery(bind(db, values)),
    compile: bind,
  };
}

/**
 * Prepared queries of one family of shapes, e.g. an UPDATE whose SET list depends on the event:
 * one {@link preparedQuery} per distinct `key(shape)`, built by `build(shape)` when first asked for.
 */
export function preparedQueries<S, R = unknown>(
  key: (shape: S) => string,
  build: (shape: S) => (db: Kysely<Database>, p: Placeholders) => Compilable<R>,
): (shape: S) => PreparedQuery<R> {
  const queries = new Map<string, PreparedQuery<R>>();
  return (shape) => {
    const k = key(shape);
    let query = queries.get(k);
    if (query === undefined) {
      query = preparedQuery(build(shape));
      queries.set(k, query);
    }
    return query;
  };
}

/** The columns of a row, as a shape key: rows with the same keys in the same order share a statement. */
export function columnsKey(row: object): string {
  return Object.keys(row).join(',');
}
