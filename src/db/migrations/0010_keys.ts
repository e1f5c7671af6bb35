/**
 * @module db/migrations/0010_keys
 * The node's key pairs and symmetric keys (transparency-log key, authorities' signing keys, the
 * node's encryption key, document-signing keys, content-wrapping keys), one row a key. Private
 * parts are sealed under the master key (see `auth/secrets.ts`), bound to the key's id; public
 * parts are kept in clear (SPKI DER, base64url) so that old signatures stay verifiable after a
 * rotation. At most one key is `active` per owner and purpose (a partial unique index).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const table = db.schema
    .createTable('node_keys')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    // 'node' for keys of the node itself, else the id of the authority that holds the key.
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('purpose', 'text', (col) => col.notNull())
    .addColumn('algorithm', 'text', (col) => col.notNull())
    // SPKI DER, base64url; null for a symmetric key.
    .addColumn('public_key', 'text')
    // `v1.…` sealed PKCS#8 DER (key pairs) or the raw secret (symmetric keys).
    .addColumn('sealed_private', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('not_before', 'text', (col) => col.notNull())
    .addColumn('not_after', 'text')
    .addColumn('retired_at', 'text')
    .addColumn('revoked_at', 'text');
  await (sqlFamily(db) === 'sqlite' ? table.modifyEnd(sql`strict`) : table).execute();
  await db.schema
    .createIndex('node_keys_one_active_idx')
    .on('node_keys')
    .columns(['owner', 'purpose'])
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();
  await db.schema.createIndex('node_keys_owner_idx').on('node_keys').columns(['owner', 'purpose', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('node_keys').execute();
}
