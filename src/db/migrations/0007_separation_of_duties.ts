/**
 * @module db/migrations/0007_separation_of_duties
 * Separation of duties per authority: `authorities.separation_of_duties` (0/1, default 1) — when
 * on, the reviewer who approves a request (judicial validation) must be another person than the
 * one who drafted or edited it (src/http/policies.ts). Existing authorities get the rule.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('authorities').addColumn('separation_of_duties', 'integer', (col) => col.notNull().defaultTo(1)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('authorities').dropColumn('separation_of_duties').execute();
}
