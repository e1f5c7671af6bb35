/**
 * @module db/migrations/0003_auth
 * Accounts and authentication: `users`, browser `sessions`, `api_tokens` and the
 * `login_events` log. No secret is stored in the clear: passwords as scrypt hashes, session and
 * API tokens as SHA-256 hashes (the token itself is shown to its holder once), TOTP secrets
 * sealed with AES-256-GCM under the master key (`src/auth/secrets.ts`). `login_events` holds no
 * e-mail address, only its SHA-256. Instants are ISO 8601 UTC text, booleans integers 0/1, role
 * and scope lists JSON text.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);

  await strict(family, db.schema.createTable('users'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    // Lowercased by the domain before it is stored, so UNIQUE is case-insensitive in effect.
    .addColumn('email', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    // NULL: a platform administrator, bound to no authority.
    .addColumn('authority_id', 'text', (col) => col.references('authorities.id'))
    .addColumn('roles', 'text', (col) => col.notNull())
    .addColumn('password_hash', 'text', (col) => col.notNull())
    // Sealed (`v1.<iv>.<ciphertext>.<tag>`), never the base32 secret itself.
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled', 'integer', (col) => col.notNull())
    // The last accepted TOTP time step: a code is accepted only for a later step (no replay).
    .addColumn('totp_last_step', 'integer')
    .addColumn('failed_logins', 'integer', (col) => col.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('disabled_at', 'text')
    .addCheckConstraint('users_totp_enabled_bool', sql`totp_enabled in (0, 1)`)
    .execute();
  await db.schema.createIndex('users_authority_idx').on('users').column('authority_id').execute();

  await strict(family, db.schema.createTable('sessions'))
    // SHA-256 (hex) of the session token: a copy of the table does not let anyone sign in.
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_hash', 'text', (col) => col.notNull())
    .addColumn('mfa_passed', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('last_seen_at', 'text', (col) => col.notNull())
    .addCheckConstraint('sessions_mfa_passed_bool', sql`mfa_passed in (0, 1)`)
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();

  await strict(family, db.schema.createTable('api_tokens'))
    // The short public id, the `<id>` of `cmt_<id>_<secret>`.
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    // SHA-256 (hex) of the secret part.
    .addColumn('token_hash', 'text', (col) => col.notNull())
    .addColumn('scopes', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').columns(['user_id', 'created_at']).execute();

  await strict(family, db.schema.createTable('login_events'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    // No foreign key: the log outlives the account.
    .addColumn('user_id', 'text')
    // SHA-256 (hex) of the lowercased e-mail as typed: no personal data in this log.
    .addColumn('email_hash', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('login_events_user_idx').on('login_events').columns(['user_id', 'at']).execute();
  await db.schema.createIndex('login_events_email_idx').on('login_events').columns(['email_hash', 'at']).execute();
  await db.schema.createIndex('login_events_at_idx').on('login_events').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['login_events', 'api_tokens', 'sessions', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
