/**
 * @module db/dialects/postgres
 * PostgreSQL through Kysely's PostgresDialect over a `pg.Pool`.
 *
 * Type parsing is set on this pool only (pg's `types` option), never on pg's global registry:
 * - `int8`/BIGINT (`seq`, `count(*)`) becomes a JS number when it is a safe integer and a
 *   `bigint` otherwise (pg's default is a string), as PGlite does;
 * - `timestamp`, `timestamptz` and `date` stay strings as PostgreSQL prints them (pg's default is
 *   a `Date`, which loses microseconds and depends on the process time zone).
 */
import { createRequire } from 'node:module';
import { PostgresDialect } from 'kysely';
import type { PostgresPool } from 'kysely';
import { wantsArrayRows } from '../array-rows.js';
import { preparedStatementName } from '../prepared.js';
import { writePathOn } from '../write-path-switches.js';

export interface PostgresOptions {
  /** `postgres://` or `postgresql://` connection URL. */
  url: string;
  /** Maximum pooled connections; default 10. */
  poolMax?: number;
  /** How long to wait for a connection (new or from the pool) before failing; default 10 s. */
  connectionTimeoutMs?: number;
}

// PostgreSQL type OIDs (pg_type.oid), from src/include/catalog/pg_type.dat.
const PG_INT8_OID = 20;
const PG_DATE_OID = 1082;
const PG_TIMESTAMP_OID = 1114;
const PG_TIMESTAMPTZ_OID = 1184;

type TypeParser = (value: string) => unknown;
interface PgTypes {
  getTypeParser(oid: number, format?: 'text' | 'binary'): TypeParser;
}
/** The part of pg's API used here (no @types/pg is installed). */
interface PgModule {
  Pool: new (config: Record<string, unknown>) => PostgresPool & {
    on(event: 'error', listener: (error: Error) => void): unknown;
  };
  types: PgTypes;
}

const require = createRequire(import.meta.url);

/** Parse an int8 text value: a number when safe, otherwise a bigint (never silently rounded). */
export function parseInt8(value: string): number | bigint {
  const big = BigInt(value);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

const keepText: TypeParser = (value) => value;

/** A Kysely dialect over a new pg pool with the type parsers above. */
export function createPostgresDialect(options: PostgresOptions): PostgresDialect {
  const pg = require('pg') as PgModule;
  const types: PgTypes = {
    getTypeParser(oid, format = 'text') {
      if (format === 'text') {
        if (oid === PG_INT8_OID) return parseInt8;
        if (oid === PG_DATE_OID || oid === PG_TIMESTAMP_OID || oid === PG_TIMESTAMPTZ_OID) return keepText;
      }
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    application_name: 'comity',
    types,
  });
  // An idle client that loses its connection (server restart, network) is dropped from the pool;
  // without a listener the 'error' event would crash the process. The next query reconnects.
  pool.on('error', () => {});
  return new PostgresDialect({ pool: namingPool(pool) });
}

interface PgQueryable {
  query(textOrConfig: unknown, values?: unknown[]): unknown;
  release(destroy?: boolean): void;
}

/**
 * The pool as Kysely's driver sees it, whose clients run the SQL of prepared queries
 * (`db/prepared.ts`) as named statements: each connection parses and analyses such a statement
 * once and then only binds and executes it (pg keeps the names it prepared per connection).
 * Every other query runs as before, unnamed.
 */
function namingPool(pool: PostgresPool): PostgresPool {
  type PoolClient = Awaited<ReturnType<PostgresPool['connect']>>;
  // One wrapper per connection, so that Kysely sees the same client object each time it is lent.
  const wrappers = new WeakMap<object, PoolClient>();
  return {
    connect: async () => {
      const client = (await pool.connect()) as unknown as PgQueryable;
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = {
          query: (textOrConfig: unknown, values?: unknown[]) => {
            const name = typeof textOrConfig === 'string' && writePathOn('pg-named-statements') ? preparedStatementName(textOrConfig) : undefined;
            // Rows as arrays for the queries registered so (db/array-rows.ts).
            if (typeof textOrConfig === 'string' && wantsArrayRows(textOrConfig)) return client.query({ text: textOrConfig, values, rowMode: 'array' });
            return name === undefined ? client.query(textOrConfig, values) : client.query({ name, text: textOrConfig, values });
          },
          release: (destroy?: boolean) => client.release(destroy),
        } as unknown as PoolClient;
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
