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
  /** `signal`: abort the sending (the node stops); the message may or may not have reached the server. */
  send(message: { to: string; subject: string; text: string }, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * Time limits of an SMTP exchange (nodemailer's defaults are 2 min to connect and 10 min of
 * silence): a server that does not answer fails the attempt, retried with backoff.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 } as const;

/** A mailer for an `smtp:`/`smtps:` URL; `from` is the sender address. */
export function smtpMailer(url: string, from: string): Mailer {
  const parsed = new URL(url);
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error(`COMITY_SMTP_URL: expected smtp:// or smtps://, got ${parsed.protocol}`);
  // nodemailer is loaded with the first message, not with the server.
  let transport: Promise<Transporter> | null = null;
  return {
    async send(message, signal) {
      transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport({ url, ...SMTP_TIMEOUTS }));
      const ready = await transport;
      await ready.sendMail({ from, to: message.to, subject: message.subject, text: message.text, ...(signal ? { signal } : {}) });
    },
    close: () => void transport?.then((t) => t.close()),
  };
}

export function backoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(attempts - 1, 0), 3_600_000);
}

/**
 * One pass: sends the e-mails due now. Returns how many were sent. `stop` ends the pass (the node
 * stops): no further e-mail is sent, and one being sent is abandoned — not counted as a failed
 * attempt; its claim runs out and a later pass sends it (perhaps again, if it did reach the server).
 */
export async function sendPendingMail(db: Kysely<Database>, mailer: Mailer, now: () => Date, batch = 50, stop?: AbortSignal): Promise<number> {
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
    if (stop?.aborted) break;
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
      await mailer.send({ to: mail.to_address, subject: mail.subject, text: mail.body }, stop);
      await db.updateTable('mail_outbox').set({ sent_at: now().toISOString(), attempts, last_error: null }).where('id', '=', mail.id).execute();
      sent += 1;
    } catch (error) {
      if (stop?.aborted) break;
      const reply = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 300) ?? 'error' : 'error';
      const giveUp = attempts >= MAX_ATTEMPTS;
      await db
        .updateTable('mail_outbox')
        .set({ attempts, last_error: reply, next_attempt_at: new Date(now().getTime() + backoffMs(attempts)).toISOString(), failed_at: giveUp ? now().toISOString() : null })
        .where('id', '=', mail.id)
        .execute();
      // The server could not be reached or stopped answering: the others would wait as long for the
      // same, one after another (a batch of 50 × 30 s) — they are tried at the next pass.
      if (SERVER_UNREACHABLE.has(String((error as { code?: unknown }).code))) break;
    }
  }
  return sent;
}

/** nodemailer's error codes for a server not reached, or gone silent: the pass stops there. */
const SERVER_UNREACHABLE = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED']);
