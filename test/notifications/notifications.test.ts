/**
 * Notifications (issue 16): events queued in their own transaction, dispatched to the users of
 * the concerned authority with the right role, each user's choices, the e-mail through a real
 * SMTP server (link, no content), retries, and the API (own notifications only).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createCaseContext } from '../../src/cases/index.js';
import { announceDueSoon, escalateOverdue } from '../../src/cases/scheduler.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { dispatchNotifications, sendPendingMail, smtpMailer, MAX_ATTEMPTS, type NotificationItem } from '../../src/notifications/index.js';
import { postgresProbe } from '../db/dialects.js';
import { assertProblem, buildTestApp, type TestApp } from '../http/harness.js';
import { startTestSmtp, textOf, type TestSmtp } from './smtp.js';

const PUBLIC = 'https://comity.test.example';
const FACTS_MARK = 'attacker@mail.demo.invalid';

describe('notifications', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  before(async () => {
    t = await buildTestApp('sqlite');
    smtp = await startTestSmtp(9711);
    // The demo's own events: dispatched and set aside.
    await dispatchNotifications(t.cases, { publicUrl: PUBLIC, mail: false });
    await t.handle.db.deleteFrom('user_notifications').execute();
  });
  after(async () => {
    await smtp.close();
    await t.close();
  });

  const pass = () => dispatchNotifications(t.cases, { publicUrl: PUBLIC, mail: true });
  const inbox = async (email: string) => (await (await t.as(email)).get('/api/me/notifications')).json<{ unread: number; items: NotificationItem[] }>();

  it('an event is queued in its own transaction and reaches the right people only, once', async () => {
    const drafter = await t.as('drafter@fr.demo');
    const created = await drafter.post('/api/cases', preservationRequestFrToUs({ references: { requesting: `N-${randomUUID().slice(0, 8)}` } }));
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json<{ id: string }>().id;
    // Drafting is quiet.
    assert.equal((await t.handle.db.selectFrom('notification_queue').select('id').where('case_id', '=', id).execute()).length, 0);
    assert.equal((await (await t.as('judge@fr.demo')).post(`/api/cases/${id}/events/approve`, { review: DEMO_REVIEW })).statusCode, 200);
    assert.equal((await (await t.as('officer@fr.demo')).post(`/api/cases/${id}/events/send`, {})).statusCode, 200);
    const queued = await t.handle.db.selectFrom('notification_queue').select(['event']).where('case_id', '=', id).orderBy('created_at').execute();
    assert.deepEqual(queued.map((q) => q.event), ['approve', 'send']);
    const written = await pass();
    assert.ok(written >= 2, `in the workspace and by e-mail: ${written}`);
    assert.equal(await pass(), 0, 'each queued event is dispatched once');
    const us = await inbox('officer@us.demo');
    const incoming = us.items.filter((n) => n.caseId === id);
    assert.deepEqual(incoming.map((n) => n.kind), ['incoming-request']);
    assert.equal(incoming[0]?.readAt, null);
    assert.ok(us.unread >= 1);
    // Nobody of another authority, and not the French side for its own sending.
    for (const email of ['prosecutor@de.demo', 'agent@provider.demo', 'officer@fr.demo', 'drafter@fr.demo']) {
      assert.ok(!(await inbox(email)).items.some((n) => n.caseId === id), email);
    }
    // The US officer answers with a decision: the French drafting roles hear it, the auditor and judge do not.
    const usOfficer = await t.as('officer@us.demo');
    for (const event of ['receive', 'acknowledge', 'start-assessment']) assert.equal((await usOfficer.post(`/api/cases/${id}/events/${event}`, {})).statusCode, 200);
    const grounds = [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }];
    assert.equal((await usOfficer.post(`/api/cases/${id}/events/accept`, { assessment: { grounds, decision: 'accept' } })).statusCode, 200);
    await pass();
    for (const email of ['drafter@fr.demo', 'officer@fr.demo']) assert.ok((await inbox(email)).items.some((n) => n.caseId === id && n.kind === 'decision'), email);
    for (const email of ['judge@fr.demo', 'auditor@fr.demo', 'officer@us.demo']) assert.ok(!(await inbox(email)).items.some((n) => n.caseId === id && n.kind === 'decision'), email);
  });

  it('e-mails carry a link and no request content; failures are retried with backoff', async () => {
    const pending = await t.handle.db.selectFrom('mail_outbox').selectAll().where('sent_at', 'is', null).execute();
    assert.ok(pending.length >= 3);
    const mailer = smtpMailer(smtp.url, 'comity@comity.test.example');
    smtp.refuseNext(1);
    const first = await sendPendingMail(t.handle.db, mailer, t.clock.now);
    assert.equal(first, pending.length - 1, 'one refused, the others sent');
    const retried = await t.handle.db.selectFrom('mail_outbox').selectAll().where('sent_at', 'is', null).execute();
    assert.equal(retried.length, 1);
    assert.equal(retried[0]?.attempts, 1);
    assert.match(retried[0]?.last_error ?? '', /Try again later/);
    assert.ok((retried[0]?.next_attempt_at ?? '') > t.clock.now().toISOString(), 'not before its backoff');
    assert.equal(await sendPendingMail(t.handle.db, mailer, t.clock.now), 0);
    t.clock.advance(61_000);
    assert.equal(await sendPendingMail(t.handle.db, mailer, t.clock.now), 1);
    mailer.close();
    const mails = await smtp.waitFor(pending.length);
    const usMail = mails.find((m) => m.to.includes('officer@us.demo'));
    assert.ok(usMail, 'the US officer was e-mailed');
    const text = textOf(usMail.raw);
    assert.match(text, new RegExp(`${PUBLIC}/cases/[0-9a-f-]{36}`));
    const c = await t.handle.db.selectFrom('cases').select(['reference', 'request']).where('addressee_id', '=', 'us-doj-oia').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    for (const m of mails) {
      assert.ok(!m.raw.includes(FACTS_MARK), 'no request content');
      assert.ok(!m.raw.includes(c.reference), 'not even the reference');
      assert.ok(!m.raw.includes('PARQUET'), 'no own reference');
    }
  });

  it('gives up after the last attempt', async () => {
    const id = randomUUID();
    const at = t.clock.now().toISOString();
    await t.handle.db.insertInto('mail_outbox').values({ id, user_id: 'u', to_address: 'nobody@comity.test.example', subject: 's', body: 'b', created_at: at, attempts: MAX_ATTEMPTS - 1, next_attempt_at: at, sent_at: null, failed_at: null, last_error: null }).execute();
    const failing = { send: () => Promise.reject(new Error('550 no such mailbox\nsecond line')), close: () => undefined };
    await sendPendingMail(t.handle.db, failing, t.clock.now);
    const row = await t.handle.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(row.failed_at);
    assert.equal(row.last_error, '550 no such mailbox');
  });

  it('stops the pass when the server cannot be reached (the others are tried at the next pass, not each after its own time limit)', async () => {
    const at = t.clock.now().toISOString();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await t.handle.db.insertInto('mail_outbox').values({ id, user_id: 'u', to_address: 'nobody@comity.test.example', subject: 's', body: 'b', created_at: at, next_attempt_at: at, sent_at: null, failed_at: null, last_error: null }).execute();
    let calls = 0;
    const unreachable = { send: () => (calls++, Promise.reject(Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' }))), close: () => undefined };
    assert.equal(await sendPendingMail(t.handle.db, unreachable, t.clock.now), 0);
    assert.equal(calls, 1, 'one attempt in the pass');
    const rows = await t.handle.db.selectFrom('mail_outbox').select(['id', 'attempts', 'last_error']).where('id', 'in', ids).execute();
    assert.deepEqual(rows.map((r) => Number(r.attempts)).sort(), [0, 0, 1]);
    assert.ok(rows.some((r) => r.last_error === 'Greeting never received'));
    await t.handle.db.deleteFrom('mail_outbox').where('id', 'in', ids).execute();
  });

  it('each user chooses per kind; marking read is one’s own', async () => {
    const judge = await t.as('judge@de.demo');
    const prefs = await judge.get('/api/me/notification-preferences');
    assert.equal(prefs.statusCode, 200);
    assert.ok(prefs.json<{ preferences: { kind: string; inApp: boolean; email: boolean }[] }>().preferences.every((p) => p.inApp && p.email));
    const put = await judge.request('PUT', '/api/me/notification-preferences', { body: { preferences: [{ kind: 'deadline-overdue', inApp: false, email: false }] } });
    assert.equal(put.statusCode, 200, put.body);
    assertProblem(await judge.request('PUT', '/api/me/notification-preferences', { body: { preferences: [{ kind: 'gossip', inApp: true, email: true }] } }), 400, 'invalid-request');
    // Clocks: the German order's clock runs for the Irish provider; due soon, then overdue — both sides hear it.
    const clocks = await t.handle.db.selectFrom('case_deadlines').select(['due_at']).where('status', '=', 'running').where('authority_id', '=', 'ie-provider').execute();
    assert.ok(clocks.length >= 1, 'the provider has a running clock');
    const due = Math.min(...clocks.map((c) => Date.parse(c.due_at ?? '')).filter(Number.isFinite));
    const soon = createCaseContext(t.handle.db, t.kb, { now: () => new Date(due - 3_600_000) });
    assert.ok((await announceDueSoon(soon)) >= 1);
    assert.equal(await announceDueSoon(soon), 0, 'once per clock');
    const later = createCaseContext(t.handle.db, t.kb, { now: () => new Date(due + 60_000) });
    assert.ok((await escalateOverdue(later)).length >= 1);
    await pass();
    const prosecutor = await inbox('prosecutor@de.demo');
    const agent = await inbox('agent@provider.demo');
    for (const kind of ['deadline-due-soon', 'deadline-overdue']) {
      assert.ok(prosecutor.items.some((n) => n.kind === kind), `requesting side: ${kind}`);
      assert.ok(agent.items.some((n) => n.kind === kind), `clock's side: ${kind}`);
    }
    const judgeInbox = await inbox('judge@de.demo');
    assert.ok(judgeInbox.items.some((n) => n.kind === 'deadline-due-soon'), 'the judge keeps the default for due soon');
    assert.ok(!judgeInbox.items.some((n) => n.kind === 'deadline-overdue'), 'the judge chose not to see overdue clocks');
    assert.ok(!(await inbox('officer@fr.demo')).items.some((n) => n.kind.startsWith('deadline-') && n.reference?.startsWith('DE-')), 'tenant isolation');
    // Read: one, then all; never another's.
    const first = prosecutor.items[0];
    assert.ok(first);
    assert.equal((await judge.post('/api/me/notifications/read', { ids: [first.id] })).json<{ changed: number }>().changed, 0);
    const me = await t.as('prosecutor@de.demo');
    assert.equal((await me.post('/api/me/notifications/read', { ids: [first.id] })).json<{ changed: number }>().changed, 1);
    assert.equal((await inbox('prosecutor@de.demo')).unread, prosecutor.unread - 1);
    await me.post('/api/me/notifications/read', { all: true });
    assert.equal((await inbox('prosecutor@de.demo')).unread, 0);
    assertProblem(await me.post('/api/me/notifications/read', { ids: [] }), 400, 'invalid-request');
    assertProblem(await t.anonymous.get('/api/me/notifications'), 401, 'unauthenticated');
  });
});

// PostgreSQL writes a change as one statement (cases/commands.ts): the trigger queues it there too.
for (const kind of ['pglite', ...(postgresProbe.reachable ? ['postgres' as const] : [])] as const) {
  describe(`notifications queue [${kind}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(kind);
    });
    after(async () => {
      await t.close();
    });
    it('every write path queues the event with the change', async () => {
      const created = await (await t.as('drafter@fr.demo')).post('/api/cases', preservationRequestFrToUs({ references: { requesting: `PG-${randomUUID().slice(0, 8)}` } }));
      const id = created.json<{ id: string }>().id;
      assert.equal((await (await t.as('judge@fr.demo')).post(`/api/cases/${id}/events/approve`, { review: DEMO_REVIEW })).statusCode, 200);
      assert.equal((await (await t.as('officer@fr.demo')).post(`/api/cases/${id}/events/send`, {})).statusCode, 200);
      const queued = await t.handle.db.selectFrom('notification_queue').select(['event', 'source']).where('case_id', '=', id).orderBy('created_at').execute();
      assert.deepEqual(queued, [{ event: 'approve', source: 'case-event' }, { event: 'send', source: 'case-event' }]);
      await dispatchNotifications(t.cases, { publicUrl: PUBLIC, mail: false });
      const us = (await (await t.as('officer@us.demo')).get('/api/me/notifications')).json<{ items: NotificationItem[] }>();
      assert.ok(us.items.some((n) => n.caseId === id && n.kind === 'incoming-request'));
    });
  });
}
