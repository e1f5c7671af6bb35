/**
 * @module db/dialects/pglite
 * A Kysely dialect for PGlite (PostgreSQL compiled to WASM, in process): PostgreSQL's adapter,
 * introspector and query compiler, with a driver over the single PGlite connection. Every Kysely
 * connection is that one connection, so the driver hands it out under a mutex: a transaction
 * holds it from BEGIN to COMMIT/ROLLBACK and nothing else can interleave.
 *
 * Used for tests and small single-process deployments (`pglite://memory`, `pglite:///path`).
 * Timestamps and dates are returned as strings and int8 as a number when safe, as in
 * `postgres.ts`.
 */
import { PGlite } from '@electric-sql/pglite';
import type { PGliteOptions } from '@electric-sql/pglite';
import {
  AbortedTransactionError,
  CompiledQuery,
  IdentifierNode,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  RawNode,
  createQueryId,
} from 'kysely';
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { wantsArrayRows } from '../array-rows.js';
import { Mutex } from './mutex.js';

export interface PgliteDialectConfig {
  /** The PGlite instance, or a factory called once when Kysely first needs it. */
  pglite: PGlite | (() => Promise<PGlite>);
  /** Close the instance when Kysely is destroyed; default true. */
  closeOnDestroy?: boolean;
}

// PostgreSQL type OIDs (pg_type.oid).
const PG_DATE_OID = 1082;
const PG_TIMESTAMP_OID = 1114;
const PG_TIMESTAMPTZ_OID = 1184;
const keepText = (value: string): string => value;

/** PGlite options that make it return values like `postgres.ts` does. */
export const PGLITE_PARSERS: NonNullable<PGliteOptions['parsers']> = {
  [PG_DATE_OID]: keepText,
  [PG_TIMESTAMP_OID]: keepText,
  [PG_TIMESTAMPTZ_OID]: keepText,
};

/**
 * A dialect over a new PGlite instance: in memory when `dataDir` is null, else on disk.
 * `options` are passed to PGlite (e.g. `loadDataDir` to start from a dump).
 */
export function createPgliteDialect(dataDir: string | null, options: PGliteOptions = {}): PgliteDialect {
  const settings: PGliteOptions = { ...options, parsers: { ...PGLITE_PARSERS, ...options.parsers } };
  if (dataDir !== null) settings.dataDir = dataDir;
  return new PgliteDialect({ pglite: () => PGlite.create(settings) });
}

export class PgliteDialect implements Dialect {
  readonly #config: PgliteDialectConfig;

  constructor(config: PgliteDialectConfig) {
    this.#config = config;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#config);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PgliteDriver implements Driver {
  readonly #config: PgliteDialectConfig;
  readonly #mutex = new Mutex();
  #pglite: PGlite | undefined;
  #connection: PgliteConnection | undefined;

  constructor(config: PgliteDialectConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    const source = this.#config.pglite;
    this.#pglite = typeof source === 'function' ? await source() : source;
    this.#connection = new PgliteConnection(this.#pglite);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    if (this.#connection === undefined) {
      this.#mutex.unlock();
      throw new Error('PGlite driver is not initialised or has been destroyed');
    }
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let begin = 'begin';
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      begin = 'start transaction';
      if (settings.isolationLevel !== undefined) begin += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode !== undefined) begin += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const { rows } = await connection.executeQuery<{ command?: string }>(CompiledQuery.raw('commit'));
    // PostgreSQL answers COMMIT with ROLLBACK when an earlier error aborted the transaction.
    if (rows[0]?.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(savepointCommand('savepoint', name), createQueryId()));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(compile(savepointCommand('rollback to', name), createQueryId()));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(savepointCommand('release', name), createQueryId()));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    const pglite = this.#pglite;
    this.#pglite = undefined;
    this.#connection = undefined;
    if (pglite !== undefined && this.#config.closeOnDestroy !== false && !pglite.closed) await pglite.close();
  }
}

/** `<command> "<name>"`, the name escaped by the compiler (as Kysely's own drivers do). */
function savepointCommand(command: string, name: string): RawNode {
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)]);
}

const ROW_COUNT_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PgliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], { rowMode: wantsArrayRows(compiledQuery.sql) ? 'array' : 'object' });
    const command = result.command?.toUpperCase();
    if (command === 'COMMIT' || command === 'ROLLBACK') return { rows: [{ command } as R] };
    if (command !== undefined && ROW_COUNT_COMMANDS.has(command)) {
      return { numAffectedRows: BigInt(result.rowCount ?? result.affectedRows ?? 0), rows: result.rows };
    }
    return { rows: result.rows };
  }

  /** PGlite has no cursors here: the whole result is read, then yielded in chunks. */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new Error('chunkSize must be a positive integer');
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}
