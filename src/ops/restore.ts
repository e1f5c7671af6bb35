/**
 * @module ops/restore
 * `comity restore SRC`: checks the backup's manifest first (every file, its size and SHA-256;
 * nothing missing, nothing added) and refuses a damaged or partial backup naming what is wrong,
 * before anything is written. Then restores into an empty target only:
 *
 * - a SQLite target from a SQLite backup: the snapshot file is copied into place (0600) after
 *   SQLite's own `integrity_check`;
 * - any other pair (SQLite backup into PostgreSQL, PostgreSQL into SQLite or PostgreSQL): the
 *   target is migrated to exactly the backup's migrations, the tables are loaded in one
 *   transaction, and the row counts are checked against the manifest.
 *
 * Either way the database is then migrated to this version's schema (the same forward-only
 * migrations as at start-up), and the blobs are copied into the data directory. The master key
 * is not in the backup: the node needs the key it had (a wrong key is refused at start-up).
 */
import { copyFileSync, existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Migrator, sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DbConfig } from '../db/config.js';
import { migrationNames, migrations } from '../db/migrations/index.js';
import { MIGRATION_TABLE, openDatabase, type DatabaseHandle } from '../db/index.js';
import { loadTables, parseTable } from './logical-dump.js';
import { DATA_COPY_DIR, BackupError, SNAPSHOT_FILE, TABLES_DIR, verifyBackup, type Manifest } from './manifest.js';
import { ensurePrivateDir, ensurePrivateFile } from './file-modes.js';

export interface RestoreOptions {
  /** The backup directory. */
  src: string;
  /** The target database; must be empty. */
  config: DbConfig;
  /** The target data directory (for `blobs/`). */
  dataDir: string;
}

export interface RestoreResult {
  manifest: Manifest;
  /** How the database was restored. */
  method: 'snapshot' | 'tables';
  /** Migrations this version applied after the restore (an upgrade). */
  upgraded: string[];
  /** Parts the backup carries (e.g. `ledger-checkpoint`) and their values. */
  parts: Record<string, unknown>;
}

interface BetterSqlite3 {
  pragma(source: string, options?: { simple: true }): unknown;
  close(): void;
}
type BetterSqlite3Constructor = new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => BetterSqlite3;
const require = createRequire(import.meta.url);

/**
 * Restores the backup in `src` into an empty target.
 * @throws {BackupError} for a damaged, partial or too new backup, or a target that is not empty.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const manifest = await verifyBackup(options.src);
  const unknown = manifest.migrations.filter((name) => !migrationNames.includes(name));
  if (unknown.length > 0) throw new BackupError(`the backup was made by a newer Comity (migrations ${unknown.join(', ')} are unknown here): restore it with that version or later`);
  const copied = manifest.files.map((f) => f.path).filter((p) => p.startsWith(`${DATA_COPY_DIR}/`)).map((p) => p.slice(DATA_COPY_DIR.length + 1));
  for (const top of new Set(copied.map((p) => p.split('/')[0] ?? ''))) {
    const target = join(options.dataDir, top);
    if (existsSync(target) && readdirSync(target).length > 0) throw new BackupError(`${target} is not empty: restore into a fresh data directory`);
  }

  let method: RestoreResult['method'];
  let handle: DatabaseHandle;
  if (options.config.kind === 'sqlite' && manifest.source.kind === 'sqlite' && options.config.file !== ':memory:') {
    method = 'snapshot';
    handle = await restoreSnapshot(options.src, options.config.file);
  } else {
    method = 'tables';
    handle = await openDatabase(options.config);
    try {
      await restoreTables(options.src, manifest, handle.db as unknown as Kysely<unknown>);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  let upgraded: string[];
  try {
    upgraded = await handle.migrate();
  } finally {
    await handle.close();
  }
  for (const path of copied) {
    const target = join(options.dataDir, ...path.split('/'));
    ensurePrivateDir(dirname(target));
    copyFileSync(join(options.src, DATA_COPY_DIR, ...path.split('/')), target);
    ensurePrivateFile(target);
  }
  const parts: Record<string, unknown> = {};
  for (const [name, file] of Object.entries(manifest.parts)) parts[name] = JSON.parse(readFileSync(join(options.src, file), 'utf8'));
  return { manifest, method, upgraded, parts };
}

async function restoreSnapshot(src: string, file: string): Promise<DatabaseHandle> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (existsSync(`${file}${suffix}`)) throw new BackupError(`${file}${suffix} exists: restore into a fresh data directory (or move the old database away first)`);
  }
  ensurePrivateDir(dirname(file));
  const aside = `${file}.restoring`;
  ensurePrivateFile(aside);
  copyFileSync(join(src, SNAPSHOT_FILE), aside);
  const Database = require('better-sqlite3') as BetterSqlite3Constructor;
  const check = new Database(aside, { fileMustExist: true });
  let result: unknown;
  try {
    result = check.pragma('integrity_check', { simple: true });
  } finally {
    check.close();
  }
  if (result !== 'ok') {
    rmSync(aside, { force: true });
    throw new BackupError(`the snapshot ${SNAPSHOT_FILE} fails SQLite's integrity check: ${String(result)}`);
  }
  renameSync(aside, file);
  return openDatabase({ kind: 'sqlite', file });
}

async function restoreTables(src: string, manifest: Manifest, db: Kysely<unknown>): Promise<void> {
  const existing = await sql<{ n: number }>`select count(*) as n from ${sql.table(MIGRATION_TABLE)}`.execute(db).then(
    (r) => Number(r.rows[0]?.n ?? 0),
    () => 0,
  );
  if (existing > 0) throw new BackupError('the target database is not empty (it has migrations applied): restore into a fresh database');
  const wanted = new Set(manifest.migrations);
  const migrator = new Migrator({
    db,
    migrationTableName: MIGRATION_TABLE,
    provider: { getMigrations: async () => Object.fromEntries(Object.entries(migrations).filter(([name]) => wanted.has(name))) },
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  const tables = manifest.tables.map((table) => ({
    name: table.name,
    columns: table.columns,
    rows: parseTable(readFileSync(join(src, TABLES_DIR, `${table.name}.jsonl`), 'utf8'), table.columns.length, `${TABLES_DIR}/${table.name}.jsonl`),
  }));
  await loadTables(db, tables);
  const problems: string[] = [];
  for (const table of manifest.tables) {
    const count = Number((await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table.name)}`.execute(db)).rows[0]?.n ?? -1);
    if (count !== table.rows) problems.push(`${table.name} has ${count} rows after loading, the manifest says ${table.rows}`);
  }
  if (problems.length > 0) throw new BackupError('the restored tables do not match the manifest', problems);
}

