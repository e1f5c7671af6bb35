/**
 * @module test/db/dialects
 * Runs a suite once per database engine, as Kysely's own tests loop over every dialect:
 *
 * - `sqlite`: a fresh file in a new temporary directory;
 * - `pglite`: a fresh in-memory PGlite (started from a dump of one initialised instance, ~0.5 s
 *   instead of ~3 s for a new `initdb`);
 * - `postgres`: a fresh database `comity_test_<random>` on the server at `TEST_DATABASE_URL`, or
 *   at postgres://postgres@127.0.0.1:5432/postgres (1 s connect timeout), dropped afterwards.
 *   When the server does not answer the variant is skipped with the reason shown, except when
 *   `CI=true`: then it fails, because CI must test PostgreSQL.
 *
 * @example
 * forEachDatabase('audit events', (target) => {
 *   it('stores one', async () => {
 *     const { db, migrate } = await target.create();
 *     await migrate();
 *   });
 * });
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../src/db/index.js';
import type { DatabaseHandle, DbConfig, OpenDatabaseOptions } from '../../src/db/index.js';

export type TestDbKind = 'sqlite' | 'pglite' | 'postgres';

/** Where to register a handle's `close()`: a node:test `TestContext` (`t`), so it closes after the test. */
export interface CloseScope {
  after(fn: () => Promise<void>): void;
}

/** One engine under test, handing out fresh empty databases. */
export interface TestTarget {
  readonly kind: TestDbKind;
  /**
   * Open a fresh, empty database (not migrated). It is closed after the test when `scope` is
   * given, and in any case when the suite ends; its files or server database are then removed.
   */
  create(scope?: CloseScope): Promise<DatabaseHandle>;
  /** The config of a fresh, empty database without opening it, e.g. to open it from a worker. */
  createConfig(): Promise<DbConfig>;
  /** Open another handle on a config from {@link createConfig}; closed like {@link create}'s. */
  open(config: DbConfig, scope?: CloseScope): Promise<DatabaseHandle>;
}

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const CONNECT_TIMEOUT_MS = 1000;

interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
type PgClientConstructor = new (config: { connectionString: string; connectionTimeoutMillis: number }) => PgClient;
const require = createRequire(import.meta.url);
const { Client } = require('pg') as { Client: PgClientConstructor };

/** Whether PostgreSQL answered, probed once when this module loads. */
export interface PostgresProbe {
  url: string;
  /** The URL without its password, for messages. */
  shownUrl: string;
  reachable: boolean;
  reason: string;
}

async function probePostgres(env: NodeJS.ProcessEnv): Promise<PostgresProbe> {
  const url = env.TEST_DATABASE_URL?.trim() || DEFAULT_TEST_DATABASE_URL;
  const shownUrl = withoutPassword(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  const started = Date.now();
  try {
    await client.connect();
    const { rows } = await client.query('show server_version');
    return { url, shownUrl, reachable: true, reason: `PostgreSQL ${String(rows[0]?.server_version)}` };
  } catch (error) {
    const timedOut = Date.now() - started >= CONNECT_TIMEOUT_MS;
    const reason = timedOut ? `no answer within ${CONNECT_TIMEOUT_MS} ms` : error instanceof Error ? error.message : String(error);
    return { url, shownUrl, reachable: false, reason };
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresProbe: PostgresProbe = await probePostgres(process.env);

/**
 * Register `suite` once per engine, each inside `describe('<name> [<kind>]')`.
 */
export function forEachDatabase(name: string, suite: (target: TestTarget) => void): void {
  describe(`${name} [sqlite]`, () => {
    const target = sqliteTarget();
    after(() => target.cleanup());
    suite(target);
  });
  describe(`${name} [pglite]`, () => {
    const target = pgliteTarget();
    after(() => target.cleanup());
    suite(target);
  });
  if (postgresProbe.reachable) {
    describe(`${name} [postgres]`, () => {
      const target = postgresTarget(postgresProbe.url);
      after(() => target.cleanup());
      suite(target);
    });
  } else if (process.env.CI === 'true') {
    describe(`${name} [postgres]`, () => {
      it('PostgreSQL answers (required when CI=true)', () => {
        throw new Error(`PostgreSQL did not answer at ${postgresProbe.shownUrl}: ${postgresProbe.reason}; CI requires it (set TEST_DATABASE_URL)`);
      });
    });
  } else {
    const skip = `PostgreSQL did not answer at ${postgresProbe.shownUrl} (${postgresProbe.reason}); set TEST_DATABASE_URL to run this variant`;
    it(`${name} [postgres]`, { skip }, () => {});
  }
}

/**
 * The engines as an async sequence, for callers that prefer a loop to {@link forEachDatabase}.
 * Skipped engines are not yielded; call `cleanup()` on each when done.
 */
export async function* testDatabases(): AsyncGenerator<TestTarget & { cleanup(): Promise<void> }> {
  yield sqliteTarget();
  yield pgliteTarget();
  if (postgresProbe.reachable) yield postgresTarget(postgresProbe.url);
}

interface ManagedTarget extends TestTarget {
  cleanup(): Promise<void>;
}

function managed(
  kind: TestDbKind,
  createConfig: () => Promise<DbConfig>,
  options: () => Promise<OpenDatabaseOptions>,
  teardown: () => Promise<void>,
): ManagedTarget {
  const handles: DatabaseHandle[] = [];
  const open = async (config: DbConfig, scope?: CloseScope): Promise<DatabaseHandle> => {
    const handle = await openDatabase(config, await options());
    handles.push(handle);
    scope?.after(() => handle.close());
    return handle;
  };
  return {
    kind,
    createConfig,
    open,
    create: async (scope) => open(await createConfig(), scope),
    async cleanup() {
      await Promise.allSettled(handles.map((handle) => handle.close()));
      await teardown();
    },
  };
}

function sqliteTarget(): ManagedTarget {
  let dir: Promise<string> | undefined;
  let count = 0;
  return managed(
    'sqlite',
    async () => {
      dir ??= mkdtemp(join(tmpdir(), 'comity-db-test-'));
      count += 1;
      return { kind: 'sqlite', file: join(await dir, `test-${count}.sqlite`), synchronous: 'normal' };
    },
    async () => ({}),
    async () => {
      if (dir !== undefined) await rm(await dir, { recursive: true, force: true });
    },
  );
}

let pgliteTemplate: Promise<Blob> | undefined;

/** A dump of a freshly initialised PGlite data directory, made once per process. */
function pgliteTemplateDump(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    // Imported here: a process on SQLite only (bench:evidence's server) does not load PGlite.
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create();
    try {
      return await pglite.dumpDataDir('none');
    } finally {
      await pglite.close();
    }
  })();
  return pgliteTemplate;
}

function pgliteTarget(): ManagedTarget {
  return managed(
    'pglite',
    async () => ({ kind: 'pglite', dataDir: null }),
    async () => ({ pglite: { loadDataDir: await pgliteTemplateDump() } }),
    async () => {},
  );
}

function postgresTarget(adminUrl: string): ManagedTarget {
  const created: string[] = [];
  const admin = async <T>(fn: (client: PgClient) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS * 5 });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return managed(
    'postgres',
    async () => {
      const name = `comity_test_${randomBytes(6).toString('hex')}`;
      await admin((client) => client.query(`create database ${name}`));
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return { kind: 'postgres', url: url.toString(), poolMax: 10 };
    },
    async () => ({}),
    async () => {
      if (created.length === 0) return;
      // WITH (FORCE), PostgreSQL 13+: ends sessions a failed test may have left open.
      await admin(async (client) => {
        for (const name of created.splice(0)) await client.query(`drop database if exists ${name} with (force)`);
      });
    },
  );
}

function withoutPassword(url: string): string {
  if (!URL.canParse(url)) return '(unparsable URL)';
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
