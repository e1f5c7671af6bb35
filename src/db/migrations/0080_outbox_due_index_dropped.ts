/**
 * @module db/migrations/0080_outbox_due_index_dropped
 * Drops `exchange_outbox_due_idx` (state, next_attempt_at), which no query uses since the relay
 * finds its work through the partial index of the pending rows (migration 0079), while every
 * message paid for it twice: one index page written when the row is queued and one when it
 * settles (its state changes), two of the ≈ 29 pages a message writes over both nodes' WALs.
 * The stuck-message list (exchange/outbox.ts) reads the pending rows through the partial index
 * too. `down` recreates it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('exchange_outbox_due_idx').ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('exchange_outbox_due_idx').on('exchange_outbox').columns(['state', 'next_attempt_at']).execute();
}
