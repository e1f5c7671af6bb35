/**
 * @module test/db/migrate-to
 * Migration tests: move a database up or down to a named migration of this version.
 *
 * @example
 * const to = migrateTo(handle.db);
 * await to('0081_ledger_nodes_clustered');
 */
import { Migrator, type Kysely } from 'kysely';
import { MIGRATION_TABLE } from '../../src/db/index.js';
import { migrationProvider } from '../../src/db/migrations/index.js';

/** A function migrating `db` to the named migration (up or down), throwing the migration's error. */
export function migrateTo<T>(db: Kysely<T>): (name: string) => Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableName: MIGRATION_TABLE });
  return async (name) => {
    const { error } = await migrator.migrateTo(name);
    if (error !== undefined) throw error;
  };
}
