/**
 * @module db/migrations/0060_linked_requests
 * Issue 16: linked requests. An investigation file (`case_files`) is the requesting authority's
 * own reference (its case number), one row per authority and reference; every request drafted
 * under that reference belongs to it (`case_links.file_id`), so a file holds several requests —
 * a preservation then the production request, or the same measure to several providers. A
 * follow-up names the earlier request it follows (`case_links.follows_case_id`, and the earlier
 * reference travels in the request document as `references.follows`).
 *
 * Kept beside `cases` rather than as columns of it: the case row is the document both nodes
 * exchange (src/exchange), while the file is the requesting authority's own filing.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_files')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('authority_id', 'text', (col) => col.notNull().references('authorities.id'))
    .addColumn('own_reference', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('case_files_authority_reference_key', ['authority_id', 'own_reference'])
    .execute();
  await db.schema
    .createTable('case_links')
    .addColumn('case_id', 'text', (col) => col.primaryKey().references('cases.id').onDelete('cascade'))
    .addColumn('file_id', 'text', (col) => col.notNull().references('case_files.id'))
    .addColumn('follows_case_id', 'text', (col) => col.references('cases.id').onDelete('set null'))
    .addColumn('linked_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('case_links_file_idx').on('case_links').column('file_id').execute();
  await db.schema.createIndex('case_links_follows_idx').on('case_links').column('follows_case_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('case_links').execute();
  await db.schema.dropTable('case_files').execute();
}
