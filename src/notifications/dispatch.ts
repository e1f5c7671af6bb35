/**
 * @module notifications/dispatch
 * Turns queued events (`notification_queue`, written in the transaction of the event: migration
 * 0065 for case events, the scheduler for clocks) into the notifications of the people
 * concerned, in one transaction per queued row that also deletes it — so each is delivered once,
 * even with several processes. Who is concerned: enabled users of the authority on the side the
 * kind names (tenant isolation: never another authority's users), with one of its roles, minus
 * the one who acted; each user's choices decide in the workspace and/or by e-mail. An e-mail is
 * queued in `mail_outbox` (sent by `mailer.ts`) and carries no request content, only a link.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { CaseContext } from '../cases/context.js';
import { parseRoles } from '../auth/account-rows.js';
import type { Role } from '../auth/roles.js';
import { DEADLINE_ROLES, EVENT_KINDS, MAIL_SUBJECTS, type NotificationKind } from './kinds.js';

export interface DispatchOptions {
  /** Links in e-mails start with it (COMITY_PUBLIC_URL). */
  publicUrl: string;
  /** Whether e-mails are queued (an SMTP server is configured). */
  mail: boolean;
}

interface Target {
  kind: NotificationKind;
  authorityIds: string[];
  roles: readonly Role[];
  /** `user:<id>` or `token:<id>` of the one who acted, who is not told of their own act. */
  actor: string | null;
}

/** The link an e-mail carries: the case in the workspace. */
export function caseLink(publicUrl: string, caseId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/cases/${encodeURIComponent(caseId)}`;
}

/** The e-mail for a notification: its kind and a link; no reference, no content of the request. */
export function mailFor(kind: NotificationKind, link: string, settings: string): { subject: string; body: string } {
  const subject = MAIL_SUBJECTS[kind];
  return {
    subject: `Comity: ${subject.en} / ${subject.fr}`,
    body:
      `${subject.en}. Open it in Comity (sign-in required):\n${link}\n\n` +
      `${subject.fr}. Ouvrez-la dans Comity (connexion requise) :\n${link}\n\n` +
      `— Your notification settings / Vos préférences de notification : ${settings}\n`,
  };
}

async function targetOf(trx: Kysely<Database>, row: { source: string; id: string; case_id: string; event: string; authority_id: string | null }): Promise<Target | null> {
  const c = await trx.selectFrom('cases').select(['requesting_authority_id', 'addressee_id']).where('id', '=', row.case_id).executeTakeFirst();
  if (!c) return null;
  if (row.source === 'deadline') {
    if (row.event !== 'deadline-due-soon' && row.event !== 'deadline-overdue') return null;
    const ids = new Set([c.requesting_authority_id]);
    if (row.authority_id !== null) ids.add(row.authority_id);
    return { kind: row.event, authorityIds: [...ids], roles: DEADLINE_ROLES, actor: null };
  }
  const notice = EVENT_KINDS[row.event];
  if (notice === undefined) return null;
  const event = await trx.selectFrom('case_events').select('actor').where('id', '=', row.id).executeTakeFirst();
  return {
    kind: notice.kind,
    authorityIds: [notice.side === 'requesting' ? c.requesting_authority_id : c.addressee_id],
    roles: notice.roles,
    actor: event?.actor ?? null,
  };
}

/**
 * One pass over the queue: at most `batch` queued events, oldest first. Returns how many
 * notifications (in the workspace and e-mails) it wrote.
 */
export async function dispatchNotifications(ctx: CaseContext, options: DispatchOptions, batch = 200): Promise<number> {
  const queued = await ctx.db.selectFrom('notification_queue').selectAll().orderBy('created_at').orderBy('id').limit(batch).execute();
  let written = 0;
  for (const row of queued) {
    written += await ctx.transaction(async (trx) => {
      const claimed = await trx.deleteFrom('notification_queue').where('id', '=', row.id).executeTakeFirst();
      if (Number(claimed.numDeletedRows) !== 1) return 0; // another process took it
      const target = await targetOf(trx, row);
      if (target === null) return 0;
      const users = await trx
        .selectFrom('users')
        .select(['id', 'email', 'roles', 'authority_id'])
        .where('authority_id', 'in', target.authorityIds)
        .where('disabled_at', 'is', null)
        .execute();
      const concerned = users.filter((u) => parseRoles(u.roles).some((r) => target.roles.includes(r)) && `user:${u.id}` !== target.actor);
      if (concerned.length === 0) return 0;
      const prefs = await trx
        .selectFrom('notification_preferences')
        .select(['user_id', 'in_app', 'email'])
        .where('kind', '=', target.kind)
        .where('user_id', 'in', concerned.map((u) => u.id))
        .execute();
      const byUser = new Map(prefs.map((p) => [p.user_id, p]));
      const at = ctx.now().toISOString();
      const link = caseLink(options.publicUrl, row.case_id);
      const mail = mailFor(target.kind, link, `${options.publicUrl.replace(/\/+$/, '')}/settings/notifications`);
      let n = 0;
      for (const user of concerned) {
        const pref = byUser.get(user.id);
        if (pref === undefined || pref.in_app === 1) {
          await trx.insertInto('user_notifications').values({ id: ctx.newId(), user_id: user.id, authority_id: user.authority_id as string, case_id: row.case_id, kind: target.kind, created_at: at, read_at: null }).execute();
          n += 1;
        }
        if (options.mail && (pref === undefined || pref.email === 1)) {
          await trx.insertInto('mail_outbox').values({ id: ctx.newId(), user_id: user.id, to_address: user.email, subject: mail.subject, body: mail.body, created_at: at, next_attempt_at: at, sent_at: null, failed_at: null, last_error: null }).execute();
          n += 1;
        }
      }
      return n;
    });
  }
  return written;
}
