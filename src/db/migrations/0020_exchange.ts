/**
 * @module db/migrations/0020_exchange
 * Federation between nodes (see `exchange/`):
 *
 * - `exchange_node`: this node's identity (one row, id `self`): node id as in ETSI TS 103 120
 *   (country code + unique identifier), endpoint, and the authorities it hosts.
 * - `exchange_peers`: peers trusted by importing their signed peer agreement (kept verbatim, so
 *   what was trusted can be shown and checked again later).
 * - `exchange_sequences`, `exchange_leases`: per-peer order, and the relay's single holder.
 * - `exchange_outbox`: messages to send, written in the transaction of the change they carry;
 *   `seq` orders them per peer (assigned under the per-peer row lock, never by a sequence).
 * - `exchange_inbox`: messages received, keyed by message id, with the digest of the bytes and
 *   the signed receipt (or rejection) sent back — byte-identical for a duplicate.
 * - `exchange_refusals`: every message refused before it could be trusted (forged, replayed,
 *   addressed elsewhere, …): when, from where, why, and the digest of the bytes.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const strict = <T extends { modifyEnd(s: ReturnType<typeof sql>): T }>(table: T): T => (sqlFamily(db) === 'sqlite' ? table.modifyEnd(sql`strict`) : table);
  await strict(
    db.schema
      .createTable('exchange_node')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('node_id', 'text', (col) => col.notNull())
      .addColumn('endpoint', 'text', (col) => col.notNull())
      // JSON array of hosted authority ids.
      .addColumn('hosted', 'text', (col) => col.notNull())
      // JSON object: message types this node accepts from peers and sends to them.
      .addColumn('flows', 'text', (col) => col.notNull())
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull()),
  ).execute();
  await strict(
    db.schema
      .createTable('exchange_peers')
      .addColumn('node_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('endpoint', 'text', (col) => col.notNull())
      .addColumn('agreement', 'text', (col) => col.notNull())
      .addColumn('fingerprint', 'text', (col) => col.notNull())
      .addColumn('issued_at', 'text', (col) => col.notNull())
      .addColumn('added_at', 'text', (col) => col.notNull()),
  ).execute();
  // Per-peer outbox order: the next `seq`, taken under this row's lock inside the transaction of
  // the change (so `seq` order is commit order per peer; never a database sequence).
  await strict(
    db.schema
      .createTable('exchange_sequences')
      .addColumn('peer_node_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('next_seq', 'integer', (col) => col.notNull()),
  ).execute();
  // Leases: work that one process at a time does (the relay), taken over when the holder stops renewing.
  await strict(
    db.schema
      .createTable('exchange_leases')
      .addColumn('name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('holder', 'text', (col) => col.notNull())
      .addColumn('expires_at', 'text', (col) => col.notNull()),
  ).execute();
  await strict(
    db.schema
      .createTable('exchange_outbox')
      .addColumn('message_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('peer_node_id', 'text', (col) => col.notNull())
      .addColumn('from_authority', 'text', (col) => col.notNull())
      .addColumn('to_authority', 'text', (col) => col.notNull())
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('conversation_id', 'text', (col) => col.notNull())
      .addColumn('case_id', 'text')
      .addColumn('type', 'text', (col) => col.notNull())
      .addColumn('emergency', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('envelope', 'text', (col) => col.notNull())
      .addColumn('digest', 'text', (col) => col.notNull())
      // queued | relayed | delivered | read | rejected | outcome-unknown
      .addColumn('state', 'text', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text', (col) => col.notNull())
      .addColumn('last_error', 'text')
      .addColumn('receipt', 'text')
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('exchange_outbox_due_idx').on('exchange_outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('exchange_outbox_peer_seq_idx').on('exchange_outbox').columns(['peer_node_id', 'seq']).unique().execute();
  await db.schema.createIndex('exchange_outbox_conversation_idx').on('exchange_outbox').columns(['conversation_id']).execute();
  await strict(
    db.schema
      .createTable('exchange_inbox')
      .addColumn('message_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('sender_node_id', 'text', (col) => col.notNull())
      .addColumn('conversation_id', 'text', (col) => col.notNull())
      .addColumn('type', 'text', (col) => col.notNull())
      .addColumn('digest', 'text', (col) => col.notNull())
      // accepted | rejected
      .addColumn('outcome', 'text', (col) => col.notNull())
      .addColumn('reason', 'text')
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('receipt', 'text', (col) => col.notNull())
      .addColumn('received_at', 'text', (col) => col.notNull())
      .addColumn('read_at', 'text'),
  ).execute();
  // A duplicate is recognised by its bytes before anything is decrypted.
  await db.schema.createIndex('exchange_inbox_digest_idx').on('exchange_inbox').columns(['digest']).execute();
  await db.schema.createIndex('exchange_inbox_conversation_idx').on('exchange_inbox').columns(['conversation_id']).execute();
  await strict(
    db.schema
      .createTable('exchange_refusals')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('received_at', 'text', (col) => col.notNull())
      // What the message claimed (unverified): sender node and message id, when readable.
      .addColumn('claimed_sender', 'text')
      .addColumn('claimed_message_id', 'text')
      .addColumn('code', 'text', (col) => col.notNull())
      .addColumn('reason', 'text', (col) => col.notNull())
      .addColumn('digest', 'text', (col) => col.notNull())
      .addColumn('size', 'integer', (col) => col.notNull())
      // The signed rejection sent back: the same bytes sent again get it again.
      .addColumn('receipt', 'text', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('exchange_refusals_digest_idx').on('exchange_refusals').columns(['digest']).execute();
  await db.schema.createIndex('exchange_refusals_received_idx').on('exchange_refusals').columns(['received_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['exchange_refusals', 'exchange_inbox', 'exchange_outbox', 'exchange_leases', 'exchange_sequences', 'exchange_peers', 'exchange_node']) await db.schema.dropTable(table).execute();
}
