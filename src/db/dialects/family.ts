/**
 * @module db/dialects/family
 * Which SQL family a Kysely instance speaks. PGlite is PostgreSQL compiled to WASM and shares the
 * PostgreSQL adapter, so it belongs to the `postgres` family. Migrations use this to keep their
 * few dialect-specific lines in one visible place.
 */
import { PostgresAdapter, SqliteAdapter } from 'kysely';
import type { Kysely } from 'kysely';

/** The SQL dialect family: what the SQL text must be written for. */
export type SqlFamily = 'sqlite' | 'postgres';

/** The family of `db`, from its dialect adapter. */
export function sqlFamily(db: Kysely<unknown>): SqlFamily {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  throw new Error(`unsupported Kysely adapter ${adapter.constructor.name}`);
}
