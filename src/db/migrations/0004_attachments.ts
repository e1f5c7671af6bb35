/**
 * @module db/migrations/0004_attachments
 * Files the requested side attaches to its response (the evidence produced, a certificate, a
 * covering letter): stored in the database with the case, as bytes (SQLite BLOB, PostgreSQL
 * bytea) with their size and SHA-256, so that the requesting side can check what it received.
 * Deleted with the case (cascade) and by the retention purge.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  await strict(family, db.schema.createTable('case_attachments'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('case_id', 'text', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('media_type', 'text', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    // Lowercase hex SHA-256 of the content.
    .addColumn('sha256', 'text', (col) => col.notNull())
    .addColumn('content', family === 'sqlite' ? 'blob' : 'bytea', (col) => col.notNull())
    .addColumn('uploaded_by', 'text', (col) => col.notNull())
    .addColumn('uploaded_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('case_attachments_case_idx').on('case_attachments').columns(['case_id', 'uploaded_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('case_attachments').execute();
}
