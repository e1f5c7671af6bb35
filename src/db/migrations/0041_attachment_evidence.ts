/**
 * @module db/migrations/0041_attachment_evidence
 * Attachments of release 0.1 (base64 JSON, at most 5 MB, kept in `case_attachments`) move into
 * the evidence store (`comity evidence migrate-attachments`, `evidence/attachments-migration.ts`):
 * `evidence_item_id` names the evidence item an attachment became, so the move runs once per
 * attachment however often it is started.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('case_attachments').addColumn('evidence_item_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('case_attachments').dropColumn('evidence_item_id').execute();
}
