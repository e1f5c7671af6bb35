/**
 * @module ops/manifest
 * The manifest of a backup: what it holds, each file's size and SHA-256, and a digest over the
 * manifest itself, so that `comity restore` can refuse a damaged or partial backup before it
 * touches anything, naming what is wrong (issue 18). A backup is written into a temporary
 * sibling directory and renamed into place only once the manifest is written: a directory
 * without `manifest.json` is an unfinished backup.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { DbKind } from '../db/config.js';
import type { DumpedTable } from './logical-dump.js';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 'comity-backup/1';
/** The SQLite snapshot made with SQLite's online backup API (SQLite nodes only). */
export const SNAPSHOT_FILE = 'database.sqlite';
export const TABLES_DIR = 'tables';
/** Folder of a backup mirroring the parts of the data directory it copies (blob stores). */
export const DATA_COPY_DIR = 'data';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  comityVersion: string;
  source: { kind: DbKind };
  /** Migrations applied to the database when it was copied, in order. */
  migrations: string[];
  /** Tables in load order. */
  tables: DumpedTable[];
  /** Extra parts collected by hooks (e.g. the ledger's latest signed checkpoint): name → file. */
  parts: Record<string, string>;
  files: ManifestFile[];
  /** SHA-256 over this manifest without this field, as written (JSON, two-space indent). */
  digest: string;
}

/** A backup that cannot be restored; `problems` says what is wrong, one item per file or check. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length === 0 ? message : `${message}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Every file under `dir`, as paths relative to it with `/` separators, sorted. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

export async function describeFiles(dir: string, paths: readonly string[]): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const path of paths) files.push({ path, size: statSync(join(dir, path)).size, sha256: await sha256File(join(dir, path)) });
  return files;
}

function digestOf(body: Omit<Manifest, 'digest'>): string {
  return createHash('sha256').update(JSON.stringify(body, null, 2)).digest('hex');
}

export function sealManifest(body: Omit<Manifest, 'digest'>): string {
  return `${JSON.stringify({ ...body, digest: digestOf(body) }, null, 2)}\n`;
}

/**
 * Reads and checks the backup in `dir`: the manifest is whole, every file it lists is there with
 * its size and digest, and nothing else is there.
 * @throws {BackupError} naming every problem found.
 */
export async function verifyBackup(dir: string): Promise<Manifest> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BackupError(`${dir} is not a directory`);
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new BackupError(`${dir} has no ${MANIFEST_FILE}: not a Comity backup, or one that did not finish`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch {
    throw new BackupError(`${path} is damaged (not JSON)`);
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== BACKUP_FORMAT) throw new BackupError(`${path} is not a ${BACKUP_FORMAT} manifest`);
  const { digest, ...body } = manifest;
  if (typeof digest !== 'string' || digestOf(body) !== digest) throw new BackupError(`${path} is damaged (its digest does not match its content)`);
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    const full = join(dir, ...file.path.split('/'));
    if (!existsSync(full)) {
      problems.push(`${file.path} is missing`);
      continue;
    }
    const size = statSync(full).size;
    if (size !== file.size) {
      problems.push(`${file.path} has ${size} bytes, the manifest says ${file.size}${size < file.size ? ' (truncated)' : ''}`);
      continue;
    }
    if ((await sha256File(full)) !== file.sha256) problems.push(`${file.path} is damaged (SHA-256 differs from the manifest)`);
  }
  for (const extra of listFiles(dir)) if (extra !== MANIFEST_FILE && !listed.has(extra)) problems.push(`${extra} is not in the manifest`);
  if (problems.length > 0) throw new BackupError(`the backup ${dir} is damaged or partial`, problems);
  return manifest;
}
