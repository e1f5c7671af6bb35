/**
 * Stopping the notifications (a node shutting down) does not wait for an SMTP server that does not
 * answer: the e-mail being sent is abandoned — not counted as a failed attempt; its claim runs out
 * and a later pass sends it. Before, stop() waited for nodemailer's greeting time limit (30 s; up
 * to 10 min for a server gone silent after its greeting), and so did SIGTERM.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { startNotifications } from '../../src/notifications/index.js';
import { SMTP_TIMEOUTS } from '../../src/notifications/mailer.js';
import { buildTestApp } from '../http/harness.js';

it('stopping the notifications abandons an e-mail to an SMTP server that never greets; it stays to send, no attempt counted', async (t) => {
  const app = await buildTestApp('sqlite');
  t.after(() => app.close());
  // An SMTP server that takes the connection and never says a word.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const user = await app.handle.db.selectFrom('users').select('id').limit(1).executeTakeFirstOrThrow();
  const id = randomUUID();
  const at = new Date(Date.now() - 1000).toISOString();
  await app.handle.db.insertInto('mail_outbox').values({ id, user_id: user.id, to_address: 'officer@us.demo', subject: 'A request arrived', body: 'https://comity.test.example/cases/x', created_at: at, next_attempt_at: at, sent_at: null, failed_at: null, last_error: null }).execute();

  const errors: unknown[] = [];
  const notifications = startNotifications(app.cases, { publicUrl: 'https://comity.test.example', smtpUrl: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, intervalMs: 60_000, onError: (e) => errors.push(e) });
  t.after(() => notifications.stop());
  const until = Date.now() + 15_000;
  while (sockets.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sockets.length, 1, 'the mailer did not connect to the SMTP server');

  const started = Date.now();
  await notifications.stop();
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < SMTP_TIMEOUTS.greetingTimeout / 1000 / 3, `stop() took ${seconds.toFixed(1)} s: it waited for the SMTP greeting's time limit`);
  const row = await app.handle.db.selectFrom('mail_outbox').select(['attempts', 'sent_at', 'failed_at', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual({ ...row, attempts: Number(row.attempts) }, { attempts: 0, sent_at: null, failed_at: null, last_error: null });
  assert.deepEqual(errors, []);
});
