/**
 * @module notifications/mailer
 * Sends the e-mails of `mail_outbox` through SMTP (nodemailer; COMITY_SMTP_URL, e.g.
 * `smtp://mail.example.org:587` or `smtps://user:pass@host:465`). A failed send is retried with
 * capped exponential backoff (1 min, 2, 4 … 1 h) and given up after {@link MAX_ATTEMPTS}; the
 * error kept is the server's reply line, never the message. Each row is claimed by moving its
 * next attempt forward before sending, so two processes do not send it twice in the same pass.
 */
import type { Transporter } from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

export const MAX_ATTEMPTS = 10;
const CLAIM_MS = 5 * 60_000;

export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

/** A mailer for an `smtp:`/`smtps:` URL; `from` is the sender address. */
export function smtpMailer(url: string, from: string): Mailer {
  const parsed = new URL(url);
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error(`COMITY_SMTP_URL: expected smtp:// or smtps://, got ${parsed.protocol}`);
  // nodemailer is loaded with the first message, not with the server.
  let transport: Promise<Transporter> | null = null;
  return {
    async send(message) {
      transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(url));
      const ready = await transport;
      await ready.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => void transport?.then((t) => t.close()),
  };
}

export function backoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(attempts - 1, 0), 3_600_000);
}

/** One pass: sends the e-mails due now. Returns how many were sent. */
export async function sendPendingMail(db: Kysely<Database>, mailer: Mailer, now: () => Date, batch = 50): Promise<number> {
  const at = now().toISOString();
  const due = await db
    .selectFrom('mail_outbox')
    .select(['id', 'to_address', 'subject', 'body', 'attempts', 'next_attempt_at'])
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('next_attempt_at', '<=', at)
    .orderBy('next_attempt_at')
    .limit(batch)
    .execute();
  let sent = 0;
  for (const mail of due) {
    const claimed = await db
      .updateTable('mail_outbox')
      .set({ next_attempt_at: new Date(now().getTime() + CLAIM_MS).toISOString() })
      .where('id', '=', mail.id)
      .where('next_attempt_at', '=', mail.next_attempt_at)
      .where('sent_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const attempts = mail.attempts + 1;
    try {
      await mailer.send({ to: mail.to_address, subject: mail.subject, text: mail.body });
      await db.updateTable('mail_outbox').set({ sent_at: now().toISOString(), attempts, last_error: null }).where('id', '=', mail.id).execute();
      sent += 1;
    } catch (error) {
      const reply = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 300) ?? 'error' : 'error';
      const giveUp = attempts >= MAX_ATTEMPTS;
      await db
        .updateTable('mail_outbox')
        .set({ attempts, last_error: reply, next_attempt_at: new Date(now().getTime() + backoffMs(attempts)).toISOString(), failed_at: giveUp ? now().toISOString() : null })
        .where('id', '=', mail.id)
        .execute();
    }
  }
  return sent;
}
