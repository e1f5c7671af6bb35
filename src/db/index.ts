/**
 * @module db
 * The storage layer: one Kysely query code base over embedded SQLite (default), PostgreSQL, or
 * PGlite; migrations; readiness. Resolve a config from the environment, open it, migrate:
 *
 * @example
 * const handle = await openDatabase(resolveDbConfig(process.env));
 * await handle.migrate();
 * await handle.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
 * await handle.close();
 */
import { dirname } from 'node:path';
import { Kysely, Migrator, sql } from 'kysely';
import type { Dialect, LogEvent } from 'kysely';
import type { PGliteOptions } from '@electric-sql/pglite';
import type { DbConfig, DbKind } from './config.js';
import { DbMigrationError, oneLine } from './errors.js';
import { migrationNames, migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { ensurePrivateDir, ensurePrivateFile, tightenFiles } from '../ops/file-modes.js';

export { resolveDbConfig, resolveDataDir, DEFAULT_DATA_DIR, DEFAULT_POOL_MAX, SQLITE_FILE_NAME } from './config.js';
export type { DbConfig, DbEnv, DbKind, ResolveDbConfigOptions, SqliteSynchronous } from './config.js';
export { DbConfigError, DbMigrationError } from './errors.js';
export type { DbConfigErrorCode } from './errors.js';
export { migrationNames } from './migrations/index.js';
export { createUuidv7Generator, isUuidv7, uuidv7, uuidv7Timestamp } from './ids.js';
export type { RandomSource, Uuidv7Generator } from './ids.js';
export type * from './schema.js';

/** Result of {@link DatabaseHandle.ready}. */
export interface Readiness {
  /** The database answered and every known migration has run (and no unknown one has). */
  ok: boolean;
  /** Migrations of this version not yet applied, in order (empty when the database did not answer). */
  pending: string[];
  /** Why `ok` is false when it is not only because of `pending`; one line. */
  error?: string;
}

/** An open database. */
export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DbKind;
  /** Destroy the pool/connection. Idempotent. */
  close(): Promise<void>;
  /**
   * Apply pending migrations (each in a transaction, under Kysely's migration lock, so several
   * processes may call it at once). Resolves to the names applied, none when up to date.
   * @throws {DbMigrationError}
   */
  migrate(): Promise<string[]>;
  /** For `/readyz`: does the database answer, and is the schema current? Never throws. */
  ready(options?: { timeoutMs?: number }): Promise<Readiness>;
}

export interface OpenDatabaseOptions {
  /** Extra PGlite options for `kind: 'pglite'` (e.g. `loadDataDir` to start from a dump). */
  pglite?: PGliteOptions;
  /**
   * Called for every query the database runs, with its SQL and duration (Kysely's `log`), e.g. to
   * count statements in a benchmark. Never log the parameters: they hold case data.
   */
  log?: (event: LogEvent) => void;
}

/** Table where Kysely's Migrator records applied migrations (its default). */
export const MIGRATION_TABLE = 'kysely_migration';
const DEFAULT_READY_TIMEOUT_MS = 5000;

/**
 * Open the configured database and check that it answers. For SQLite the file's directory is
 * created first if missing (mode 0700: evidence metadata is not for other local users).
 *
 * @example
 * const { db, close } = await openDatabase({ kind: 'pglite', dataDir: null });
 */
export async function openDatabase(config: DbConfig, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  const db = new Kysely<Database>({ dialect: await createDialect(config, options), ...(options.log === undefined ? {} : { log: options.log }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  }
  return createHandle(db, config.kind);
}

async function createDialect(config: DbConfig, options: OpenDatabaseOptions): Promise<Dialect> {
  switch (config.kind) {
    case 'sqlite': {
      if (config.file !== ':memory:') {
        ensurePrivateDir(dirname(config.file));
        // SQLite creates its files 0644 & ~umask, and the WAL and SHM files with the database
        // file's mode: a database file made 0600 first keeps all three owner-only (issue 18).
        ensurePrivateFile(config.file);
        tightenFiles([`${config.file}-wal`, `${config.file}-shm`, `${config.file}-journal`]);
      }
      const { createSqliteDialect } = await import('./dialects/sqlite.js');
      return createSqliteDialect({ file: config.file, synchronous: config.synchronous ?? 'normal' }).dialect;
    }
    case 'postgres': {
      const { createPostgresDialect } = await import('./dialects/postgres.js');
      return createPostgresDialect({ url: config.url, ...(config.poolMax === undefined ? {} : { poolMax: config.poolMax }) });
    }
    case 'pglite': {
      if (config.dataDir !== null) ensurePrivateDir(config.dataDir);
      const { createPgliteDialect } = await import('./dialects/pglite.js');
      return createPgliteDialect(config.dataDir, options.pglite);
    }
  }
}

function createHandle(db: Kysely<Database>, kind: DbKind): DatabaseHandle {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableName: MIGRATION_TABLE });
  let closed: Promise<void> | undefined;
  return {
    db,
    kind,
    close: () => (closed ??= db.destroy()),
    async migrate() {
      const { error, results = [] } = await migrator.migrateToLatest();
      if (error !== undefined) {
        const failed = results.find((result) => result.status === 'Error')?.migrationName;
        const where = failed === undefined ? '' : ` in ${failed}`;
        throw new DbMigrationError(`migration failed${where}: ${oneLine(error)}`, failed, { cause: error });
      }
      return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
    },
    ready: ({ timeoutMs = DEFAULT_READY_TIMEOUT_MS } = {}) => withTimeout(checkReady(db), timeoutMs),
  };
}

async function checkReady(db: Kysely<Database>): Promise<Readiness> {
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    return { ok: false, pending: [], error: `database did not answer: ${oneLine(error)}` };
  }
  let applied: string[];
  try {
    const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
    applied = rows.rows.map((row) => row.name);
  } catch {
    applied = []; // no migration table yet: nothing applied
  }
  const pending = migrationNames.filter((name) => !applied.includes(name));
  const unknown = applied.filter((name) => !migrationNames.includes(name)).sort();
  if (unknown.length > 0) {
    return { ok: false, pending, error: `database has migrations unknown to this version: ${unknown.join(', ')}` };
  }
  return { ok: pending.length === 0, pending };
}

function withTimeout(check: Promise<Readiness>, timeoutMs: number): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, pending: [], error: `database did not answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    timer.unref();
  });
  return Promise.race([check, timeout]).finally(() => clearTimeout(timer));
}
