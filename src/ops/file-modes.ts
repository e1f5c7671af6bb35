/**
 * @module ops/file-modes
 * Owner-only files and directories, whatever the umask. Everything Comity writes (database, WAL
 * and SHM files, key files, the demo logins, blobs, backups) is evidence metadata or a secret:
 * files are 0600 and directories 0700 (ISO/IEC 27001 A.8.3, access restriction; a court's records
 * system would not let another local account read them). `mode` given to `open`/`mkdir` is masked
 * by the umask, which can only take bits away: explicit modes plus `chmod` on what SQLite creates
 * with its own default (0644) give the same result under umask 000 and 077.
 */
import { chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, statSync, fchmodSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** A path that other local users can read or write: start-up refuses it. The message names it. */
export class FileModeError extends Error {
  override readonly name = 'FileModeError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const POSIX = process.platform !== 'win32';

/** Creates `dir` (and missing parents) owner-only; an existing directory is left as it is (see {@link assertPrivateDir}). */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // A umask such as 0277 would leave the owner without write access: set the mode exactly.
  if (POSIX) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates `file` empty if missing, and makes it 0600 (also an existing one written by an older version). */
export function ensurePrivateFile(file: string): void {
  const fd = openSync(file, 'a', PRIVATE_FILE_MODE);
  try {
    if (POSIX && (fstatSync(fd).mode & 0o777) !== PRIVATE_FILE_MODE) fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** Makes each existing file of `files` 0600 (SQLite's WAL and SHM files of an older install). */
export function tightenFiles(files: readonly string[]): void {
  if (!POSIX) return;
  for (const file of files) {
    try {
      if ((statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(file, PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/**
 * Refuses a directory that group or others can read, write or enter.
 * @throws {FileModeError} naming the directory and the command that fixes it.
 */
export function assertPrivateDir(dir: string, what: string): void {
  if (!POSIX || !existsSync(dir)) return;
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new FileModeError(dir, `the ${what} ${dir} is accessible by other users (mode ${mode.toString(8)}): run chmod 700 ${dir}`);
  }
}

/**
 * Refuses a key file that group or others can read or write.
 * @throws {FileModeError} naming the file and the command that fixes it.
 */
export function assertPrivateFile(file: string, what: string): void {
  if (!POSIX) return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new FileModeError(file, `the ${what} ${file} is accessible by other users (mode ${mode.toString(8)}): run chmod 600 ${file}`);
  }
}
