/**
 * @module db/migrations/0066_people
 * Administration (issue 16): an account created or reset by an administrator chooses its own
 * password at its next sign-in (`users.must_change_password`, 0/1).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('must_change_password', 'integer', (col) => col.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('must_change_password').execute();
}
