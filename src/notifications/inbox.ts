/**
 * @module notifications/inbox
 * A user's notifications in the workspace (their own only: every query is by user id) and their
 * choices per kind. Items carry the kind, the case and its reference (read from the case the
 * user may see: the notification was written for their authority's side of it).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './kinds.js';

export interface NotificationItem {
  id: string;
  kind: string;
  caseId: string;
  reference: string | null;
  emergency: boolean;
  createdAt: string;
  readAt: string | null;
}

export async function listNotifications(db: Kysely<Database>, userId: string, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<{ unread: number; items: NotificationItem[] }> {
  let query = db
    .selectFrom('user_notifications as n')
    .leftJoin('cases as c', 'c.id', 'n.case_id')
    .select(['n.id', 'n.kind', 'n.case_id', 'n.created_at', 'n.read_at', 'c.reference', 'c.emergency'])
    .where('n.user_id', '=', userId);
  if (options.unreadOnly) query = query.where('n.read_at', 'is', null);
  const rows = await query.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(Math.min(options.limit ?? 100, 500)).execute();
  return {
    unread: await unreadCount(db, userId),
    items: rows.map((r) => ({ id: r.id, kind: r.kind, caseId: r.case_id, reference: r.reference, emergency: r.emergency === 1, createdAt: r.created_at, readAt: r.read_at })),
  };
}

export async function unreadCount(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db.selectFrom('user_notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Marks the user's notifications read: the given ones, or all. Returns how many changed. */
export async function markRead(db: Kysely<Database>, userId: string, at: string, ids: readonly string[] | 'all'): Promise<number> {
  let query = db.updateTable('user_notifications').set({ read_at: at }).where('user_id', '=', userId).where('read_at', 'is', null);
  if (ids !== 'all') {
    if (ids.length === 0) return 0;
    query = query.where('id', 'in', [...ids]);
  }
  return Number((await query.executeTakeFirst()).numUpdatedRows);
}

export interface Preference {
  kind: NotificationKind;
  inApp: boolean;
  email: boolean;
}

export async function getPreferences(db: Kysely<Database>, userId: string): Promise<Preference[]> {
  const rows = await db.selectFrom('notification_preferences').selectAll().where('user_id', '=', userId).execute();
  const byKind = new Map(rows.map((r) => [r.kind, r]));
  return NOTIFICATION_KINDS.map((kind) => {
    const row = byKind.get(kind);
    return { kind, inApp: row ? row.in_app === 1 : true, email: row ? row.email === 1 : true };
  });
}

export async function setPreferences(db: Kysely<Database>, userId: string, prefs: readonly Preference[]): Promise<Preference[]> {
  await db.transaction().execute(async (trx) => {
    for (const p of prefs) {
      await trx.deleteFrom('notification_preferences').where('user_id', '=', userId).where('kind', '=', p.kind).execute();
      await trx.insertInto('notification_preferences').values({ user_id: userId, kind: p.kind, in_app: p.inApp ? 1 : 0, email: p.email ? 1 : 0 }).execute();
    }
  });
  return getPreferences(db, userId);
}
