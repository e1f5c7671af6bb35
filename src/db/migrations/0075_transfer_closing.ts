/**
 * @module db/migrations/0075_transfer_closing
 * The sender's encrypted chunks of a transfer are deleted once the receiver has confirmed it
 * (a signed `transfer-received` notice) or after an expiry (exchange/evidence-transfer.ts):
 * `exchange_transfers_out` records the sending authority (for the custody event of the
 * deletion), the state (`sent`, `confirmed` — notice received, chunks not yet deleted —,
 * `closed`), when and why (`confirmed` or `expired`) the chunks were deleted.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('exchange_transfers_out').addColumn('authority_id', 'text').execute();
  await db.schema.alterTable('exchange_transfers_out').addColumn('state', 'text', (col) => col.notNull().defaultTo('sent')).execute();
  await db.schema.alterTable('exchange_transfers_out').addColumn('closed_at', 'text').execute();
  await db.schema.alterTable('exchange_transfers_out').addColumn('close_reason', 'text').execute();
  await db.schema.createIndex('exchange_transfers_out_state').on('exchange_transfers_out').columns(['state']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('exchange_transfers_out_state').execute();
  for (const column of ['close_reason', 'closed_at', 'state', 'authority_id']) await db.schema.alterTable('exchange_transfers_out').dropColumn(column).execute();
}
