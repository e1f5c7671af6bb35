/**
 * @module db/migrations/0061_case_targets
 * Issue 16: internal target clocks (not legal deadlines): an emergency request carries a target
 * for its side's next act — the requesting side to send it, the requested side to answer it —
 * shown and highlighted in lists and on the case page. One row per case and side.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_targets')
    .addColumn('case_id', 'text', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('side', 'text', (col) => col.notNull())
    .addColumn('act', 'text', (col) => col.notNull())
    .addColumn('hours', 'integer', (col) => col.notNull())
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('due_at', 'text', (col) => col.notNull())
    .addColumn('met_at', 'text')
    .addPrimaryKeyConstraint('case_targets_pkey', ['case_id', 'side'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('case_targets').execute();
}
