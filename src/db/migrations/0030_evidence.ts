/**
 * @module db/migrations/0030_evidence
 * Evidence of any size (see `evidence/`): per-case content keys (wrapped by the node's
 * content-wrapping key), resumable uploads in progress, evidence items (metadata and digest;
 * the sealed bytes live in the blob store) and the chain of custody (signed event lines, one
 * hash chain per case). Sizes are 64-bit (`bigint` on PostgreSQL): evidence exceeds 2 GiB.
 * Custody rows have no foreign key to cases: they outlive the evidence they describe.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  const big = family === 'sqlite' ? 'integer' : 'bigint';
  await strict(family, db.schema.createTable('evidence_case_keys'))
    .addColumn('case_id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('wrapping_key_id', 'text', (col) => col.notNull())
    // base64url(iv ‖ ciphertext ‖ tag) of the 32-byte case key under the wrapping key.
    .addColumn('wrapped', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    // Set when retention destroys the key (crypto-shredding besides deleting the blobs).
    .addColumn('destroyed_at', 'text')
    .execute();
  await strict(family, db.schema.createTable('evidence_uploads'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('case_id', 'text', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('authority_id', 'text')
    .addColumn('length', big, (col) => col.notNull())
    // Plaintext bytes sealed into whole chunks on disk: where a resumed upload continues.
    .addColumn('received', big, (col) => col.notNull())
    .addColumn('header', 'text', (col) => col.notNull())
    // The item's metadata as given at creation (JSON).
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await strict(family, db.schema.createTable('evidence_items'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('case_id', 'text', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('sha256', 'text', (col) => col.notNull())
    .addColumn('size', big, (col) => col.notNull())
    .addColumn('media_type', 'text', (col) => col.notNull())
    .addColumn('original_name', 'text')
    .addColumn('description', 'text')
    .addColumn('data_category', 'text', (col) => col.notNull())
    .addColumn('producer', 'text', (col) => col.notNull())
    .addColumn('produced_at', 'text')
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('received_by', 'text', (col) => col.notNull())
    .addColumn('blob_key', 'text', (col) => col.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('evidence_items_case_idx').on('evidence_items').columns(['case_id', 'received_at']).execute();
  await strict(family, db.schema.createTable('evidence_custody'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('case_id', 'text', (col) => col.notNull())
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('item_id', 'text')
    .addColumn('event', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('authority_id', 'text')
    .addColumn('at', 'text', (col) => col.notNull())
    // The signed statement: RFC 8785 canonical JSON, carrying the previous line's hash.
    .addColumn('line', 'text', (col) => col.notNull())
    .addColumn('signature', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    // Index of the line in the transparency log, once the ledger holds it.
    .addColumn('ledger_index', big)
    .execute();
  await db.schema.createIndex('evidence_custody_seq_idx').on('evidence_custody').columns(['case_id', 'seq']).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('evidence_custody').execute();
  await db.schema.dropTable('evidence_items').execute();
  await db.schema.dropTable('evidence_uploads').execute();
  await db.schema.dropTable('evidence_case_keys').execute();
}
