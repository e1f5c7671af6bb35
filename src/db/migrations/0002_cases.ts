/**
 * @module db/migrations/0002_cases
 * Authorities, cases (requests for electronic evidence), their append-only history, legal
 * clocks, records of access to case data, and notifications. Instants are ISO 8601 UTC text
 * (`2026-12-01T08:00:00.000Z`), which sorts correctly as text on both SQLite and PostgreSQL;
 * booleans are integers 0/1; structured documents are JSON text validated by the domain.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);

  await strict(family, db.schema.createTable('authorities'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('party', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('time_zone', 'text', (col) => col.notNull())
    .addColumn('languages', 'text', (col) => col.notNull())
    .addColumn('contact', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();

  await strict(family, db.schema.createTable('cases'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('reference', 'text', (col) => col.notNull().unique())
    .addColumn('requesting_authority_id', 'text', (col) => col.notNull().references('authorities.id'))
    .addColumn('addressee_id', 'text', (col) => col.notNull().references('authorities.id'))
    .addColumn('requesting_party', 'text', (col) => col.notNull())
    .addColumn('requested_party', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('legal_basis', 'text', (col) => col.notNull())
    .addColumn('measures', 'text', (col) => col.notNull())
    .addColumn('emergency', 'integer', (col) => col.notNull())
    .addColumn('request', 'text')
    .addColumn('review', 'text')
    .addColumn('assessment', 'text')
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('received_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('purpose', 'text', (col) => col.notNull())
    .addColumn('retention_days', 'integer', (col) => col.notNull())
    .addColumn('delete_after', 'text')
    .addColumn('purged_at', 'text')
    .execute();
  await db.schema.createIndex('cases_requesting_idx').on('cases').columns(['requesting_authority_id', 'updated_at']).execute();
  await db.schema.createIndex('cases_addressee_idx').on('cases').columns(['addressee_id', 'updated_at']).execute();
  await db.schema.createIndex('cases_state_idx').on('cases').column('state').execute();
  await db.schema.createIndex('cases_delete_after_idx').on('cases').column('delete_after').execute();

  await strict(family, db.schema.createTable('case_events'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('case_id', 'text', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('event', 'text', (col) => col.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('side', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('payload', 'text')
    .addUniqueConstraint('case_events_case_seq_unique', ['case_id', 'seq'])
    .execute();

  await strict(family, db.schema.createTable('case_deadlines'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('case_id', 'text', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('authority_id', 'text', (col) => col.notNull())
    .addColumn('deadline_id', 'text', (col) => col.notNull())
    .addColumn('provision', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('runs_from', 'text', (col) => col.notNull())
    .addColumn('amount', 'integer', (col) => col.notNull())
    .addColumn('unit', 'text', (col) => col.notNull())
    .addColumn('time_zone', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('due_at', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('suspensions', 'text', (col) => col.notNull())
    .addColumn('met_at', 'text')
    .addColumn('overdue_at', 'text')
    .addColumn('citation', 'text', (col) => col.notNull())
    .addColumn('verified', 'integer', (col) => col.notNull())
    .addUniqueConstraint('case_deadlines_case_deadline_unique', ['case_id', 'deadline_id'])
    .execute();
  await db.schema.createIndex('case_deadlines_due_idx').on('case_deadlines').columns(['status', 'due_at']).execute();

  await strict(family, db.schema.createTable('case_access'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('case_id', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('case_access_case_idx').on('case_access').columns(['case_id', 'at']).execute();

  await strict(family, db.schema.createTable('notifications'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('authority_id', 'text', (col) => col.notNull())
    .addColumn('case_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema.createIndex('notifications_authority_idx').on('notifications').columns(['authority_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['notifications', 'case_access', 'case_deadlines', 'case_events', 'cases', 'authorities']) {
    await db.schema.dropTable(table).execute();
  }
}
