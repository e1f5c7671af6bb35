/**
 * @module ops/backup
 * `comity backup DEST`: a consistent copy of a running node (issue 18).
 *
 * - SQLite: SQLite's online backup API (better-sqlite3 `backup()`) copies the database page by page
 *   beside the running server; when the server writes during the copy SQLite starts the copy
 *   again, so after the first step everything left is copied in one step (which a writer cannot
 *   interrupt). The snapshot is `database.sqlite`; the tables are then dumped from the snapshot.
 * - PostgreSQL (and PGlite on disk, node stopped): every table is read in one `REPEATABLE READ,
 *   READ ONLY` transaction, so all tables show the same instant (PostgreSQL's snapshot isolation,
 *   as `pg_dump` does). `pg_dump` remains the tool for very large databases (README).
 * - Blobs: the data directory's blob stores ({@link registerBackupDir}) are copied into `data/`
 *   after the database snapshot. Blobs are written
 *   before the row that refers to them commits and never changed, so every blob the snapshot
 *   refers to is there.
 * - Parts collected by hooks from the same snapshot, e.g. the ledger's latest signed checkpoint
 *   ({@link registerBackupPart}).
 *
 * The backup holds no unsealed secret: the master key lives outside the data directory and is not
 * copied; TOTP secrets and private keys are in the database sealed under it; passwords and tokens
 * are hashes. The demo logins file (TOTP secrets in clear, demo only) is not copied.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { SqliteDatabase } from 'kysely';
import type { DbConfig } from '../db/config.js';
import { openDatabase } from '../db/index.js';
import type { Database } from '../db/schema.js';
import { describeTables, dumpTable, type DumpedTable } from './logical-dump.js';
import { BACKUP_FORMAT, DATA_COPY_DIR, describeFiles, listFiles, MANIFEST_FILE, sealManifest, SNAPSHOT_FILE, TABLES_DIR, BackupError, type Manifest } from './manifest.js';
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE } from './file-modes.js';

export const COMITY_VERSION = '0.1.0';

/**
 * Something besides the tables that a backup must carry, read from the same snapshot: its value is
 * written as `parts/<name>.json` and named in the manifest. The ledger registers its latest signed
 * checkpoint here (`registerBackupPart({ name: 'ledger-checkpoint', collect: latestCheckpoint })`);
 * `collect` returns null when there is nothing (no ledger yet).
 */
export interface BackupPart {
  readonly name: string;
  collect(db: Kysely<Database>): Promise<unknown>;
}

const parts: BackupPart[] = [];

/**
 * Folders of the data directory a backup copies, relative to it: blob stores (the evidence store
 * keeps `evidence/blobs/<case>/<digest>`; its `evidence/staging` holds unfinished uploads and is
 * left out). Another module adds its own with {@link registerBackupDir}.
 */
const dataDirs: string[] = ['blobs', 'evidence/blobs'];

/** Adds a folder of the data directory (relative, e.g. `documents/blobs`) to every later backup. */
export function registerBackupDir(relative: string): void {
  if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(relative)) throw new Error(`backup folder "${relative}": a relative path of lower-case names`);
  if (!dataDirs.includes(relative)) dataDirs.push(relative);
}

/** Adds a part to every later backup (module start-up; once per name). */
export function registerBackupPart(part: BackupPart): void {
  if (!/^[a-z0-9-]+$/.test(part.name)) throw new Error(`backup part name "${part.name}": lower-case letters, digits and hyphens`);
  const index = parts.findIndex((p) => p.name === part.name);
  if (index >= 0) parts.splice(index, 1, part);
  else parts.push(part);
}

/** Removes a registered part (tests). */
export function unregisterBackupPart(name: string): void {
  const index = parts.findIndex((p) => p.name === name);
  if (index >= 0) parts.splice(index, 1);
}

export interface BackupOptions {
  /** The node's database. */
  config: DbConfig;
  /** The node's data directory (for `blobs/`). */
  dataDir: string;
  /** Where to write the backup: a directory that must not exist yet. */
  dest: string;
  now?: Date;
}

interface BetterSqlite3 extends SqliteDatabase {
  backup(destination: string, options?: { progress?: (info: { totalPages: number; remainingPages: number }) => number }): Promise<unknown>;
  pragma(source: string, options?: { simple: true }): unknown;
}
type BetterSqlite3Constructor = new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => BetterSqlite3;
const require = createRequire(import.meta.url);

/**
 * Writes a backup of the node into `dest`.
 * @throws {BackupError} when `dest` exists or the database is not one this command can copy.
 */
export async function createBackup(options: BackupOptions): Promise<Manifest> {
  const dest = resolve(options.dest);
  if (existsSync(dest)) throw new BackupError(`${dest} already exists: name a new directory for the backup`);
  ensurePrivateDir(dirname(dest));
  // Written aside and renamed at the end: an interrupted backup never looks finished.
  const staging = join(dirname(dest), `.${basename(dest)}.partial-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    const snapshot = await copyDatabase(options.config, staging);
    mkdirSync(join(staging, TABLES_DIR), { mode: 0o700 });
    for (const [name, text] of snapshot.tableFiles) writeFileSync(join(staging, TABLES_DIR, `${name}.jsonl`), text, { mode: PRIVATE_FILE_MODE });
    const partFiles: Record<string, string> = {};
    if (snapshot.parts.size > 0) mkdirSync(join(staging, 'parts'), { mode: 0o700 });
    for (const [name, value] of snapshot.parts) {
      partFiles[name] = `parts/${name}.json`;
      writeFileSync(join(staging, 'parts', `${name}.json`), `${JSON.stringify(value, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
    }
    for (const dir of dataDirs) copyBlobs(join(options.dataDir, ...dir.split('/')), join(staging, DATA_COPY_DIR, ...dir.split('/')));
    const body: Omit<Manifest, 'digest'> = {
      format: BACKUP_FORMAT,
      createdAt: (options.now ?? new Date()).toISOString(),
      comityVersion: COMITY_VERSION,
      source: { kind: options.config.kind },
      migrations: snapshot.migrations,
      tables: snapshot.tables,
      parts: partFiles,
      files: await describeFiles(staging, listFiles(staging)),
    };
    writeFileSync(join(staging, MANIFEST_FILE), sealManifest(body), { mode: PRIVATE_FILE_MODE });
    renameSync(staging, dest);
    return { ...body, digest: '' };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

interface Snapshot {
  migrations: string[];
  tables: DumpedTable[];
  tableFiles: Map<string, string>;
  parts: Map<string, unknown>;
}

async function copyDatabase(config: DbConfig, staging: string): Promise<Snapshot> {
  if (config.kind === 'sqlite') {
    if (config.file === ':memory:' || !existsSync(config.file)) throw new BackupError(`no database at ${config.file}`);
    const Database = require('better-sqlite3') as BetterSqlite3Constructor;
    const target = join(staging, SNAPSHOT_FILE);
    ensurePrivateFile(target);
    const source = new Database(config.file, { fileMustExist: true, timeout: 5000 });
    try {
      // After the first step, copy everything left at once: a copy restarted by a write then
      // finishes in one step instead of restarting for ever under a steady write load.
      await source.backup(target, { progress: () => 1 << 30 });
    } finally {
      source.close();
    }
    const copy = new Database(target, { timeout: 5000 });
    // A self-contained file: no -wal/-shm beside it in the backup.
    copy.pragma('journal_mode = DELETE', { simple: true });
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: copy }) });
    try {
      return await readSnapshot(db);
    } finally {
      await db.destroy();
    }
  }
  const handle = await openDatabase(config);
  try {
    return await handle.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute((trx) => readSnapshot(trx));
  } finally {
    await handle.close();
  }
}

async function readSnapshot(db: Kysely<Database>): Promise<Snapshot> {
  const untyped = db as unknown as Kysely<unknown>;
  const migrations = (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(untyped)).rows.map((r) => r.name);
  const tables: DumpedTable[] = [];
  const tableFiles = new Map<string, string>();
  for (const table of await describeTables(untyped)) {
    const { text, rows } = await dumpTable(untyped, table.name, table.columns);
    tables.push({ name: table.name, columns: table.columns, rows });
    tableFiles.set(table.name, text);
  }
  const collected = new Map<string, unknown>();
  for (const part of parts) {
    const value = await part.collect(db);
    if (value !== null && value !== undefined) collected.set(part.name, value);
  }
  return { migrations, tables, tableFiles, parts: collected };
}

function copyBlobs(from: string, to: string): void {
  if (!existsSync(from)) return;
  for (const path of listFiles(from)) {
    const target = join(to, ...path.split('/'));
    ensurePrivateDir(dirname(target));
    copyFileSync(join(from, ...path.split('/')), target);
    ensurePrivateFile(target);
  }
}
