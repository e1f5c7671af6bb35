/**
 * @module db/migrations/0055_provider_orders
 * The service provider's node (issue 14 part B): every order that reaches a provider authority
 * hosted here, verified or quarantined, with the result of each check; the issuing logs'
 * checkpoints the provider has seen (to detect a log that forks); and, on the issuing side, the
 * Art. 4 kind of an authority (judge, court, investigating judge, public prosecutor, other
 * competent authority), which its node publishes in its peer agreement.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  await db.schema.alterTable('authorities').addColumn('issuing_kind', 'text').execute();
  await strict(family, db.schema.createTable('provider_orders'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    // The message id as claimed (a replayed or refused message may repeat one already stored).
    .addColumn('message_id', 'text')
    // The order's own reference (body.order.ref): a replay under a new message id is caught on it.
    .addColumn('order_ref', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('sender_node_id', 'text')
    .addColumn('issuing_authority_id', 'text')
    .addColumn('issuing_party', 'text')
    .addColumn('provider_authority_id', 'text', (col) => col.notNull())
    .addColumn('instrument', 'text')
    .addColumn('order_kind', 'text')
    .addColumn('data_category', 'text')
    .addColumn('emergency', 'integer', (col) => col.notNull())
    .addColumn('issued_at', 'text')
    // 'verified' (answerable through its case) or 'quarantined' (never answerable).
    .addColumn('status', 'text', (col) => col.notNull())
    // JSON array of reason codes (empty when verified).
    .addColumn('reasons', 'text', (col) => col.notNull())
    // JSON: one result per check (signature, authority, log, emergency, replay, instrument).
    .addColumn('checks', 'text', (col) => col.notNull())
    // JSON: the order's facts as received (for quarantined orders: as claimed, unverified).
    .addColumn('summary', 'text', (col) => col.notNull())
    .addColumn('digest', 'text', (col) => col.notNull())
    // The deadline the provider's path gives the order (ISO), when known.
    .addColumn('due_at', 'text')
    // Set by the transparency report's sources: outcome and when it was reached.
    .addColumn('outcome', 'text')
    .addColumn('outcome_at', 'text')
    .execute();
  await db.schema.createIndex('provider_orders_received_idx').on('provider_orders').columns(['provider_authority_id', 'received_at']).execute();
  await db.schema.createIndex('provider_orders_message_idx').on('provider_orders').column('message_id').execute();
  await db.schema.createIndex('provider_orders_ref_idx').on('provider_orders').columns(['sender_node_id', 'order_ref']).execute();
  await strict(family, db.schema.createTable('provider_log_checkpoints'))
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('root', 'text', (col) => col.notNull())
    .addColumn('note', 'text', (col) => col.notNull())
    .addColumn('seen_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('provider_log_checkpoints_pk', ['origin', 'size'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('provider_log_checkpoints').execute();
  await db.schema.dropTable('provider_orders').execute();
  await db.schema.alterTable('authorities').dropColumn('issuing_kind').execute();
}
