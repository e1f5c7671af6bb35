/**
 * @module db/migrations/0050_eorders
 * Regulation (EU) 2023/1543 orders (see `eorders/`): service providers as entities (State of
 * establishment, and the authority account of their designated establishment or legal
 * representative under Directive (EU) 2023/1544), EPOC / EPOC-PR orders with their own state
 * machine, their history, and their clocks (addressee, enforcing authority, ex-post validation).
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  await strict(family, db.schema.createTable('service_providers'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('established_in', 'text', (col) => col.notNull())
    // The authority account that receives orders: the designated establishment or legal representative.
    .addColumn('representative_authority_id', 'text', (col) => col.notNull().references('authorities.id'))
    .addColumn('representative_kind', 'text', (col) => col.notNull())
    .addColumn('representative_state', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await strict(family, db.schema.createTable('eorders'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('reference', 'text', (col) => col.notNull().unique())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('emergency', 'integer', (col) => col.notNull())
    .addColumn('issuing_authority_id', 'text', (col) => col.notNull().references('authorities.id'))
    .addColumn('addressee_id', 'text', (col) => col.notNull().references('authorities.id'))
    .addColumn('provider_id', 'text', (col) => col.notNull().references('service_providers.id'))
    .addColumn('enforcing_authority_id', 'text', (col) => col.references('authorities.id'))
    // not-notified | notified | no-ground | ground-raised
    .addColumn('enforcing_status', 'text', (col) => col.notNull())
    // pending | validated | ex-post-pending | not-needed | refused
    .addColumn('validation_status', 'text', (col) => col.notNull())
    .addColumn('certificate', 'text', (col) => col.notNull())
    .addColumn('validation', 'text')
    .addColumn('preceded_by', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('enforcing_delivered_at', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('eorders_issuing_idx').on('eorders').columns(['issuing_authority_id', 'updated_at']).execute();
  await db.schema.createIndex('eorders_addressee_idx').on('eorders').columns(['addressee_id', 'updated_at']).execute();
  await db.schema.createIndex('eorders_enforcing_idx').on('eorders').columns(['enforcing_authority_id', 'updated_at']).execute();
  await strict(family, db.schema.createTable('eorder_events'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('order_id', 'text', (col) => col.notNull().references('eorders.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('event', 'text', (col) => col.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('party', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('payload', 'text')
    .addUniqueConstraint('eorder_events_seq_unique', ['order_id', 'seq'])
    .execute();
  await strict(family, db.schema.createTable('eorder_clocks'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('order_id', 'text', (col) => col.notNull().references('eorders.id').onDelete('cascade'))
    .addColumn('clock', 'text', (col) => col.notNull())
    .addColumn('party', 'text', (col) => col.notNull())
    .addColumn('authority_id', 'text', (col) => col.notNull())
    .addColumn('text', 'text', (col) => col.notNull())
    .addColumn('amount', 'integer', (col) => col.notNull())
    .addColumn('unit', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('due_at', 'text', (col) => col.notNull())
    // running | met | overdue | cancelled
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('met_at', 'text')
    .addColumn('citation', 'text', (col) => col.notNull())
    .addColumn('verified', 'integer', (col) => col.notNull())
    .addUniqueConstraint('eorder_clocks_unique', ['order_id', 'clock'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('eorder_clocks').execute();
  await db.schema.dropTable('eorder_events').execute();
  await db.schema.dropTable('eorders').execute();
  await db.schema.dropTable('service_providers').execute();
}
