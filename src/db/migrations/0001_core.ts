/**
 * @module db/migrations/0001_core
 * The storage foundation: `schema_info` and the `audit_events` table. One migration for SQLite
 * and PostgreSQL; the dialect-specific lines are in {@link auditIdentity} and {@link strict}.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';
import type { SqlFamily } from '../dialects/family.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);

  await strict(family, db.schema.createTable('schema_info'))
    // NOT NULL explicitly: a SQLite non-integer PRIMARY KEY otherwise admits NULL.
    .addColumn('key', 'text', (col) => col.primaryKey().notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute();

  await strict(family, auditIdentity(family, db.schema.createTable('audit_events')))
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('object_type', 'text', (col) => col.notNull())
    .addColumn('object_id', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('before_digest', 'text')
    .addColumn('after_digest', 'text')
    .addColumn('details', 'text')
    .execute();

  await db.schema.createIndex('audit_events_object_idx').on('audit_events').columns(['object_type', 'object_id']).execute();
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('schema_info').execute();
}

/**
 * `id` (UUIDv7 text, unique) and `seq` (assigned by the database, increasing).
 *
 * PostgreSQL: `id text PRIMARY KEY`, `seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE`.
 * SQLite assigns numbers on insert only to the rowid, and a column is the rowid only when it is
 * the `INTEGER PRIMARY KEY`; a trigger could fill another column, but its value would not be
 * visible to `RETURNING`. So on SQLite `seq` is `INTEGER PRIMARY KEY AUTOINCREMENT` (never
 * reused, even after the newest row is deleted) and `id` is `text NOT NULL UNIQUE`: the same
 * constraints, and the table is stored in append order.
 */
function auditIdentity<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  if (family === 'sqlite') {
    return table
      .addColumn('id', 'text', (col) => col.notNull().unique())
      .addColumn('seq', 'integer', (col) => col.primaryKey().autoIncrement());
  }
  return table
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('seq', 'bigint', (col) => col.generatedAlwaysAsIdentity().notNull().unique());
}

/** SQLite STRICT tables reject values of the wrong type instead of storing them, as PostgreSQL does. */
function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}
