/**
 * @module db/migrations/0065_notifications
 * Notifications to people (issue 16):
 * - `notification_queue`: what happened that someone may need to know of. A trigger on
 *   `case_events` queues every workflow event but the drafting ones (`create`, `edit`) in the
 *   transaction that records it — whatever the write path (one-statement PostgreSQL change,
 *   batched changes, a peer's message) — and the clock scheduler queues clocks due soon or
 *   overdue in its own transaction. `notifications/dispatch.ts` turns each queued row into the
 *   notifications of the users concerned (their authority, their role, their choices).
 * - `user_notifications`: one user's notification, linked to a case, read or unread. No content
 *   of the request, only the kind, the case and when.
 * - `notification_preferences`: per user and kind, in the workspace and/or by e-mail (no row:
 *   both on).
 * - `mail_outbox`: e-mails to send (a link, never request content), retried with backoff.
 * - `case_deadlines.due_soon_at`: set once, when the "due soon" notice was queued.
 * A restore (ops/logical-dump.ts) copies the queue verbatim: the trigger stays quiet then, as the
 * ledger's do (migration 0011).
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

/** Events that never notify anyone: drafting. Every other event (including ones added later) is queued. */
const QUIET_EVENTS = "('create', 'edit')";

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  await strict(family, db.schema.createTable('notification_queue'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    // 'case-event' (id = the case event's id) or 'deadline' (queued by the scheduler).
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('case_id', 'text', (col) => col.notNull())
    // The case event's name, or deadline-due-soon / deadline-overdue.
    .addColumn('event', 'text', (col) => col.notNull())
    // For a deadline: the authority whose clock runs; null for a case event.
    .addColumn('authority_id', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await strict(family, db.schema.createTable('user_notifications'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('authority_id', 'text', (col) => col.notNull())
    .addColumn('case_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema.createIndex('user_notifications_user_idx').on('user_notifications').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('user_notifications_unread_idx').on('user_notifications').columns(['user_id', 'read_at']).execute();
  await strict(family, db.schema.createTable('notification_preferences'))
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('in_app', 'integer', (col) => col.notNull())
    .addColumn('email', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('notification_preferences_pk', ['user_id', 'kind'])
    .execute();
  await strict(family, db.schema.createTable('mail_outbox'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('to_address', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (col) => col.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('failed_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('mail_outbox_pending_idx').on('mail_outbox').columns(['sent_at', 'failed_at', 'next_attempt_at']).execute();
  await db.schema.alterTable('case_deadlines').addColumn('due_soon_at', 'text').execute();

  if (family === 'sqlite') {
    await sql
      .raw(
        `create trigger notification_queue_case_events after insert on case_events when new.event not in ${QUIET_EVENTS} and not exists (select 1 from schema_info where key = 'ledger-restoring') begin ` +
          `insert into notification_queue (id, source, case_id, event, authority_id, created_at) values (new.id, 'case-event', new.case_id, new.event, null, new.at); end`,
      )
      .execute(db);
  } else {
    await sql
      .raw(
        `create function notification_enqueue() returns trigger language plpgsql as $$ begin ` +
          `if current_setting('comity.restoring', true) = 'on' then return null; end if; ` +
          `if new.event not in ${QUIET_EVENTS} then insert into notification_queue (id, source, case_id, event, authority_id, created_at) values (new.id, 'case-event', new.case_id, new.event, null, new.at); end if; return null; end $$`,
      )
      .execute(db);
    await sql.raw('create trigger notification_queue_case_events after insert on case_events for each row execute function notification_enqueue()').execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  await sql.raw(`drop trigger if exists notification_queue_case_events${family === 'postgres' ? ' on case_events' : ''}`).execute(db);
  if (family === 'postgres') await sql.raw('drop function if exists notification_enqueue()').execute(db);
  await db.schema.alterTable('case_deadlines').dropColumn('due_soon_at').execute();
  for (const table of ['mail_outbox', 'notification_preferences', 'user_notifications', 'notification_queue']) await db.schema.dropTable(table).execute();
}
