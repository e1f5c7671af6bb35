/**
 * @module notifications
 * Telling people what happened in their cases (issue 16): in the workspace and by e-mail.
 * Events are queued in the transaction that records them (migration 0065 and the clock
 * scheduler); {@link startNotifications} dispatches them to the users concerned and sends the
 * e-mails (only a link, never request content) when an SMTP server is configured.
 */
import type { CaseContext } from '../cases/context.js';
import { dispatchNotifications } from './dispatch.js';
import { sendPendingMail, smtpMailer, type Mailer } from './mailer.js';

export * from './kinds.js';
export { caseLink, dispatchNotifications, mailFor } from './dispatch.js';
export type { DispatchOptions } from './dispatch.js';
export { backoffMs, MAX_ATTEMPTS, sendPendingMail, smtpMailer } from './mailer.js';
export type { Mailer } from './mailer.js';
export { getPreferences, listNotifications, markRead, setPreferences, unreadCount } from './inbox.js';
export type { NotificationItem, Preference } from './inbox.js';

export interface NotificationsRuntime {
  /** Dispatch now (e.g. right after a change): the next pass starts at once. */
  kick(): void;
  /** One full pass (dispatch, then mail): tests and the CLI. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
  readonly mail: boolean;
}

export interface NotificationsOptions {
  publicUrl: string;
  /** COMITY_SMTP_URL; absent: notifications in the workspace only. */
  smtpUrl?: string | undefined;
  /** COMITY_MAIL_FROM; default comity@<host of the public URL>. */
  from?: string | undefined;
  intervalMs?: number;
  onError?: (error: unknown) => void;
  /** Tests: a mailer of their own. */
  mailer?: Mailer;
}

export function startNotifications(ctx: CaseContext, options: NotificationsOptions): NotificationsRuntime {
  const from = options.from ?? `comity@${new URL(options.publicUrl).hostname}`;
  const mailer = options.mailer ?? (options.smtpUrl ? smtpMailer(options.smtpUrl, from) : null);
  const dispatch = { publicUrl: options.publicUrl, mail: mailer !== null };
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  // Aborted by stop(): an e-mail being sent to a slow SMTP server is abandoned (sent by a later pass).
  const stopping = new AbortController();
  const pass = async (): Promise<void> => {
    await dispatchNotifications(ctx, dispatch).catch((error: unknown) => options.onError?.(error));
    if (mailer) await sendPendingMail(ctx.db, mailer, ctx.now, undefined, stopping.signal).catch((error: unknown) => options.onError?.(error));
  };
  const tick = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass().finally(() => {
      running = null;
      if (again) {
        again = false;
        tick();
      }
    });
  };
  const timer = setInterval(tick, options.intervalMs ?? 5_000);
  timer.unref();
  tick();
  return {
    kick: tick,
    runOnce: async () => {
      await running;
      await pass();
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      stopping.abort();
      await running;
      mailer?.close();
    },
    mail: mailer !== null,
  };
}
