/**
 * @module db/migrations/0040_evidence_signatures
 * The CAdES signatures of evidence bundles (`evidence/asic.ts`), one per signed ASiC manifest:
 * an ECDSA signature differs at every signing, so the signature of a manifest is made once and
 * kept, and the same case state exports to the same bytes, signature included.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  const table = db.schema
    .createTable('evidence_signatures')
    // SHA-256 (hex) of META-INF/ASiCManifest.xml.
    .addColumn('manifest_sha256', 'text', (col) => col.primaryKey().notNull())
    .addColumn('case_id', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    // base64 of the DER CMS SignedData (META-INF/signature.p7s).
    .addColumn('signature', 'text', (col) => col.notNull())
    .addColumn('signed_at', 'text', (col) => col.notNull());
  await (family === 'sqlite' ? table.modifyEnd(sql`strict`) : table).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('evidence_signatures').execute();
}
