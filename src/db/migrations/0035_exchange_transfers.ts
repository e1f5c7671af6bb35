/**
 * @module db/migrations/0035_exchange_transfers
 * Evidence between nodes over the chunked transfer (exchange/evidence-transfer.ts):
 *
 * - `exchange_transfers_out`: on the sending (requested) node, each evidence item sealed for a
 *   peer with a per-transfer content key; its encrypted chunks wait on disk for the peer to fetch.
 * - `exchange_transfers_in`: on the receiving (requesting) node, each transfer announced in a
 *   signed response: the manifest (digest of every chunk), the content key, the item's
 *   metadata, and where it stands (pending, complete with the item it became, or failed).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const strict = <T extends { modifyEnd(s: ReturnType<typeof sql>): T }>(table: T): T => (sqlFamily(db) === 'sqlite' ? table.modifyEnd(sql`strict`) : table);
  await strict(
    db.schema
      .createTable('exchange_transfers_out')
      .addColumn('transfer_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('case_id', 'text', (col) => col.notNull())
      .addColumn('item_id', 'text', (col) => col.notNull())
      .addColumn('peer_node_id', 'text', (col) => col.notNull())
      .addColumn('chunks', 'integer', (col) => col.notNull())
      .addColumn('created_at', 'text', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('exchange_transfers_out_case').on('exchange_transfers_out').columns(['case_id']).execute();
  await strict(
    db.schema
      .createTable('exchange_transfers_in')
      .addColumn('transfer_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('case_id', 'text', (col) => col.notNull())
      .addColumn('message_id', 'text', (col) => col.notNull())
      .addColumn('peer_node_id', 'text', (col) => col.notNull())
      .addColumn('authority_id', 'text', (col) => col.notNull())
      // JSON: the manifest as signed (exchange/transfer.ts).
      .addColumn('manifest', 'text', (col) => col.notNull())
      .addColumn('content_key', 'text', (col) => col.notNull())
      // JSON: the item's metadata as the sender recorded it (name, category, producer, digest, …).
      .addColumn('item', 'text', (col) => col.notNull())
      .addColumn('state', 'text', (col) => col.notNull())
      .addColumn('chunks_received', 'integer', (col) => col.notNull())
      .addColumn('item_id', 'text')
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('exchange_transfers_in_state').on('exchange_transfers_in').columns(['state']).execute();
  await db.schema.createIndex('exchange_transfers_in_case').on('exchange_transfers_in').columns(['case_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('exchange_transfers_in').execute();
  await db.schema.dropTable('exchange_transfers_out').execute();
}
