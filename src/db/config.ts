/**
 * @module db/config
 * Which database to open, from the environment. Pure: reads only the `env` it is given and
 * touches no file; the data directory is created when the database is opened.
 *
 * - `DATABASE_URL` unset or empty: embedded SQLite at `<data dir>/comity.sqlite`, where the data
 *   dir is `COMITY_DATA_DIR` (relative paths against `options.cwd`) or `./.comity`.
 * - `postgres://…` or `postgresql://…`: PostgreSQL; pool size `DATABASE_POOL_MAX` (default 10).
 * - `pglite://memory`: PGlite in memory; `pglite:///absolute/path`: PGlite on disk.
 * - `COMITY_SQLITE_SYNC=full` makes SQLite fsync on every commit (see `dialects/sqlite.ts`).
 */
import { isAbsolute, join, resolve } from 'node:path';
import { DbConfigError } from './errors.js';

/** SQLite `synchronous` level in WAL mode: `normal` (default) or `full`. */
export type SqliteSynchronous = 'normal' | 'full';

/** A resolved database configuration, one variant per supported engine. */
export type DbConfig =
  | { kind: 'sqlite'; file: string; synchronous?: SqliteSynchronous }
  | { kind: 'postgres'; url: string; poolMax?: number }
  | { kind: 'pglite'; dataDir: string | null };

/** The engine behind a {@link DbConfig}. */
export type DbKind = DbConfig['kind'];

/** The environment variables read by {@link resolveDbConfig}. */
export type DbEnv = Readonly<Record<string, string | undefined>>;

export interface ResolveDbConfigOptions {
  /** Directory against which relative paths are resolved; default `process.cwd()`. */
  cwd?: string;
}

/** File name of the embedded database inside the data directory. */
export const SQLITE_FILE_NAME = 'comity.sqlite';
/** Default data directory, relative to the working directory. */
export const DEFAULT_DATA_DIR = '.comity';
/** Default maximum number of pooled PostgreSQL connections. */
export const DEFAULT_POOL_MAX = 10;
const MAX_POOL_MAX = 1000;

const ACCEPTED_URLS = 'postgres://…, postgresql://…, pglite://memory or pglite:///absolute/path';

/**
 * The absolute data directory: `COMITY_DATA_DIR` or `./.comity`.
 *
 * @example
 * resolveDataDir({ COMITY_DATA_DIR: 'var' }, { cwd: '/srv/comity' }); // '/srv/comity/var'
 */
export function resolveDataDir(env: DbEnv, options: ResolveDbConfigOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const configured = env.COMITY_DATA_DIR?.trim();
  return resolve(cwd, configured ? configured : DEFAULT_DATA_DIR);
}

/**
 * Resolve the database configuration from the environment.
 *
 * @throws {DbConfigError} on an unparsable or unsupported `DATABASE_URL` or a bad setting.
 * @example
 * resolveDbConfig({}, { cwd: '/srv' }); // { kind: 'sqlite', file: '/srv/.comity/comity.sqlite', synchronous: 'normal' }
 * resolveDbConfig({ DATABASE_URL: 'pglite://memory' }); // { kind: 'pglite', dataDir: null }
 */
export function resolveDbConfig(env: DbEnv = process.env, options: ResolveDbConfigOptions = {}): DbConfig {
  const url = env.DATABASE_URL?.trim() ?? '';
  if (url === '') {
    return {
      kind: 'sqlite',
      file: join(resolveDataDir(env, options), SQLITE_FILE_NAME),
      synchronous: parseSynchronous(env.COMITY_SQLITE_SYNC),
    };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new DbConfigError('invalid-url', `DATABASE_URL is not a URL; expected ${ACCEPTED_URLS}`);
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (!URL.canParse(url)) {
      throw new DbConfigError('invalid-url', `DATABASE_URL (${scheme}://…) is not a valid URL`);
    }
    return { kind: 'postgres', url, poolMax: parsePoolMax(env.DATABASE_POOL_MAX) };
  }
  if (scheme === 'pglite') return { kind: 'pglite', dataDir: parsePgliteUrl(url) };
  throw new DbConfigError(
    'unsupported-scheme',
    `DATABASE_URL scheme ${JSON.stringify(`${scheme}:`)} is not supported; expected ${ACCEPTED_URLS}`,
  );
}

function parsePgliteUrl(url: string): string | null {
  if (/^pglite:\/\/memory\/?$/i.test(url)) return null;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || parsed.host !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new DbConfigError('invalid-url', 'DATABASE_URL pglite://… must be pglite://memory or pglite:///absolute/path');
  }
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch (cause) {
    throw new DbConfigError('invalid-url', 'DATABASE_URL pglite:///… has a badly percent-encoded path', { cause });
  }
  if (!isAbsolute(path) || path === '/') {
    throw new DbConfigError('invalid-url', 'DATABASE_URL pglite:///… must name an absolute directory');
  }
  return path;
}

function parseSynchronous(value: string | undefined): SqliteSynchronous {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'normal') return 'normal';
  if (text === 'full') return 'full';
  throw new DbConfigError('invalid-setting', `COMITY_SQLITE_SYNC must be "normal" or "full", got ${JSON.stringify(value)}`);
}

function parsePoolMax(value: string | undefined): number {
  const text = value?.trim() ?? '';
  if (text === '') return DEFAULT_POOL_MAX;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_POOL_MAX) {
    throw new DbConfigError(
      'invalid-setting',
      `DATABASE_POOL_MAX must be an integer from 1 to ${MAX_POOL_MAX}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}
