/**
 * @module db/dialects/sqlite
 * The embedded default: Kysely's SqliteDialect over better-sqlite3, with these settings.
 *
 * - `journal_mode = WAL`: readers do not block the writer and vice versa.
 * - `synchronous = NORMAL` in WAL mode (the default here). Durability: a committed transaction
 *   survives a crash or kill of the application (the WAL is written before COMMIT returns), but an
 *   OS crash or power loss may roll back the last transactions committed before the next WAL
 *   checkpoint; the database is never corrupted. `COMITY_SQLITE_SYNC=full` selects
 *   `synchronous = FULL` (an fsync on every commit) where that window is not acceptable. When WAL
 *   cannot be enabled (e.g. `:memory:`), `FULL` is used.
 * - `foreign_keys = ON` (SQLite's default is off).
 * - `busy_timeout = 5000`: another process holding the write lock is waited for up to 5 s before
 *   SQLITE_BUSY. Write transactions start with `BEGIN IMMEDIATE`, so they take the write lock
 *   at the start and wait there; a deferred `BEGIN` that later upgrades from read to write fails
 *   at once with SQLITE_BUSY, without waiting, when another connection wrote in between.
 *
 * Prepared statements are cached per connection (an LRU of {@link SQLITE_STATEMENT_CACHE_SIZE}
 * statements keyed by SQL text, see {@link createStatementCache}): Kysely's SqliteDriver calls
 * `prepare` for every query, BEGIN and COMMIT included. Removed once after `npm run bench:cases`
 * measured +1.8 % (at load ≈ 8); back for the federation exchange, where a message runs about
 * twenty short statements in three transactions over two nodes and preparing them cost about as
 * much CPU as running them (`npm run bench:exchange`); bench:cases' switch table now measures it
 * too (README "Storage and write path" and "Benchmarks" have the figures).
 *
 * better-sqlite3 is synchronous and waits for a busy lock by blocking the thread. Within one
 * process Kysely serialises all access to the single connection, so there is no lock contention;
 * but do not open two handles on the same file in one thread and interleave their transactions:
 * the second would block the thread that must finish the first. Use one handle per process (or
 * worker thread).
 */
import { createRequire } from 'node:module';
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, DialectAdapter, Driver, SqliteDatabase, SqliteDialectConfig, SqliteStatement, TransactionSettings } from 'kysely';
import { wantsArrayRows } from '../array-rows.js';
import type { SqliteSynchronous } from '../config.js';
import { writePathOn } from '../write-path-switches.js';

/** Milliseconds to wait for another connection's write lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Most prepared statements kept per connection. */
export const SQLITE_STATEMENT_CACHE_SIZE = 500;

export interface SqliteOptions {
  /** Database file path, or `:memory:`. */
  file: string;
  /** `synchronous` level in WAL mode; default `normal`. */
  synchronous?: SqliteSynchronous;
}

/** The settings actually in effect after opening, as SQLite reports them. */
export interface SqliteSettings {
  journalMode: string;
  synchronous: 'off' | 'normal' | 'full' | 'extra';
  foreignKeys: boolean;
  busyTimeoutMs: number;
}

/** The part of better-sqlite3's API used here (no @types/better-sqlite3 is installed). */
export interface BetterSqlite3Statement extends SqliteStatement {
  /** True while an `iterate()` over this statement is open: it cannot run again until then. */
  readonly busy: boolean;
  /** Rows as arrays of values (see `db/array-rows.ts`). */
  raw(toggle: boolean): BetterSqlite3Statement;
}
export interface BetterSqlite3Database extends SqliteDatabase {
  prepare(sql: string): BetterSqlite3Statement;
  pragma(source: string, options: { simple: true }): unknown;
}
type BetterSqlite3Constructor = new (file: string, options?: { timeout?: number }) => BetterSqlite3Database;

const require = createRequire(import.meta.url);
const SYNCHRONOUS_NAMES = ['off', 'normal', 'full', 'extra'] as const;

/** Open a SQLite database file with the settings above and a Kysely dialect over it. */
export function createSqliteDialect(options: SqliteOptions): { dialect: SqliteDialect; settings: SqliteSettings } {
  const Database = require('better-sqlite3') as BetterSqlite3Constructor;
  const database = new Database(options.file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    const settings = applySettings(database, options.synchronous ?? 'normal');
    return { dialect: new ComitySqliteDialect({ database: createStatementCache(database) }), settings };
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * The database as Kysely's SqliteDriver sees it, with `prepare` answered from an LRU cache of
 * statements keyed by SQL text (at most `size`). The driver then does what it does with a fresh
 * statement: `all()` when `stmt.reader`, else `run()`, with the query's parameters — a
 * better-sqlite3 statement is reusable, binding the new parameters on each call, and SQLite
 * re-prepares it by itself when the schema changes (a migration). Queries registered for array
 * rows (db/array-rows.ts) get their own statement in raw mode. A cached statement still open in an
 * `iterate()` (a stream not yet finished) is `busy`: a fresh, uncached statement is returned then.
 * Statements belong to this connection and are finalised when it closes. Off (every query
 * prepared afresh) when the write-path switch `sqlite-statement-cache` is off (benchmarks).
 */
export function createStatementCache(database: BetterSqlite3Database, size = SQLITE_STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3Statement>();
  const fresh = (sql: string, raw: boolean) => (raw ? database.prepare(sql).raw(true) : database.prepare(sql));
  return {
    prepare(sql: string): BetterSqlite3Statement {
      const raw = wantsArrayRows(sql);
      if (!writePathOn('sqlite-statement-cache')) return fresh(sql, raw);
      const key = raw ? `raw\u0000${sql}` : sql;
      const cached = statements.get(key);
      if (cached !== undefined) {
        if (cached.busy) return fresh(sql, raw);
        // Most recently used last: Map iteration order is insertion order.
        statements.delete(key);
        statements.set(key, cached);
        return cached;
      }
      const statement = fresh(sql, raw);
      statements.set(key, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value as string);
      return statement;
    },
    close(): void {
      statements.clear();
      database.close();
    },
  };
}

function applySettings(database: BetterSqlite3Database, synchronous: SqliteSynchronous): SqliteSettings {
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`, { simple: true });
  const journalMode = String(database.pragma('journal_mode = WAL', { simple: true }));
  const wal = journalMode.toLowerCase() === 'wal';
  database.pragma(`synchronous = ${wal && synchronous === 'normal' ? 'NORMAL' : 'FULL'}`, { simple: true });
  database.pragma('foreign_keys = ON', { simple: true });
  // Deleted case data is overwritten, not just unlinked: a purge must really delete (CETS 224 Art. 14(5)).
  database.pragma('secure_delete = ON', { simple: true });
  const level = Number(database.pragma('synchronous', { simple: true }));
  return {
    journalMode,
    synchronous: SYNCHRONOUS_NAMES[level] ?? 'full',
    foreignKeys: Number(database.pragma('foreign_keys', { simple: true })) === 1,
    busyTimeoutMs: Number(database.pragma('busy_timeout', { simple: true })),
  };
}

/** SqliteDialect whose driver begins write transactions with `BEGIN IMMEDIATE`. */
class ComitySqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * SQLite runs DDL inside transactions (only a few PRAGMAs and VACUUM cannot, and no migration
 * uses them), but Kysely's adapter says it does not, so its Migrator would run each migration
 * statement by statement: a failure half-way would leave a half-migrated database. Saying yes
 * makes an upgrade (all pending migrations) one `BEGIN IMMEDIATE … COMMIT`, all or nothing, as on
 * PostgreSQL (issue 18), which also makes a second process wait for the first one's upgrade.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    // A read-only transaction needs no write lock: a deferred BEGIN lets it run beside a writer.
    const begin = settings?.accessMode === 'read only' ? 'begin deferred' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}
