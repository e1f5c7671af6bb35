/**
 * @module db/migrations/0005_idempotency
 * Idempotency keys for creating cases: a client that did not get the answer to its request
 * (a lost connection, a timeout) sends it again with the same `Idempotency-Key` and gets the case
 * created the first time instead of a second one. A key belongs to the actor who sent it; the
 * fingerprint (SHA-256 of the canonical request) tells a retry from a different request under a
 * reused key. Kept for a day (see `createCaseOnce` in `cases/commands.ts`).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const table = db.schema
    .createTable('idempotency_keys')
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('fingerprint', 'text', (col) => col.notNull())
    .addColumn('case_id', 'text', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['actor', 'key']);
  await (sqlFamily(db) === 'sqlite' ? table.modifyEnd(sql`strict`) : table).execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
