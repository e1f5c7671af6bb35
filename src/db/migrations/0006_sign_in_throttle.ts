/**
 * @module db/migrations/0006_sign_in_throttle
 * Progressive sign-in delays instead of a lockout (`src/auth/sign-in-throttle.ts`):
 * `trusted_devices` holds the devices that completed a sign-in to an account (the SHA-256 of the
 * device cookie, never the cookie), each with its own failure count and next-attempt time;
 * `sessions.device_id` remembers through which device a session was opened (its bucket), and
 * `sessions.mfa_failures` counts wrong second-factor codes in the session. `users.locked_until`
 * keeps its name and now means "the next attempt from an unknown device is heard after".
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const table = db.schema
    .createTable('trusted_devices')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('last_used_at', 'text', (col) => col.notNull())
    .addColumn('failed_logins', 'integer', (col) => col.notNull())
    .addColumn('next_attempt_at', 'text');
  await (sqlFamily(db) === 'sqlite' ? table.modifyEnd(sql`strict`) : table).execute();
  await db.schema.createIndex('trusted_devices_user_idx').on('trusted_devices').column('user_id').execute();
  await db.schema.alterTable('sessions').addColumn('device_id', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('mfa_failures', 'integer', (col) => col.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('mfa_failures').execute();
  await db.schema.alterTable('sessions').dropColumn('device_id').execute();
  await db.schema.dropTable('trusted_devices').execute();
}
