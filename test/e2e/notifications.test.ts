/**
 * End to end (issue 16): a request sent by France reaches the US officer as a notification in the
 * workspace (unread count in the header, the list, the case opened from it, marked read) and as
 * an e-mail received by a real SMTP server started here: a link, no request content. The
 * settings page saves the user's choices. axe-core on both new pages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_REVIEW } from '../../src/demo/data.js';
import { startTestSmtp, textOf, type TestSmtp } from '../notifications/smtp.js';
import { chromiumSkipReason, E2E } from './harness.js';

const skip = chromiumSkipReason();

/** A call of the API from the signed-in page (session cookie and CSRF token of that user). */
async function apiFrom<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = /(?:^|;\s*)comity_csrf=([^;]+)/.exec((globalThis as unknown as { document: { cookie: string } }).document.cookie)?.[1];
      const response = await fetch(path, { method, headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': decodeURIComponent(csrf) } : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
    { method, path, body },
  );
}

describe('notifications in the workspace and by e-mail', { skip }, () => {
  const e2e = new E2E('notifications');
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startTestSmtp(9712);
    await e2e.start({ env: { COMITY_SMTP_URL: smtp.url, COMITY_MAIL_FROM: 'comity@comity.test.example' } });
  });
  after(async () => {
    await e2e.close();
    await smtp.close();
  });

  test('France sends; the US officer is told in the workspace and by e-mail, with a link and no content', async () => {
    const judge = await e2e.pageAs('judge@fr.demo', '/');
    const drafts = await apiFrom<{ cases: { id: string; reference: string }[] }>(judge, 'GET', '/api/cases?state=draft');
    const draft = drafts.cases[0];
    assert.ok(draft, 'the demo has a draft');
    await apiFrom(judge, 'POST', `/api/cases/${draft.id}/events/approve`, { review: DEMO_REVIEW });
    const officer = await e2e.pageAs('officer@fr.demo', '/');
    await apiFrom(officer, 'POST', `/api/cases/${draft.id}/events/send`, {});
    const detail = await apiFrom<{ request: { facts: string; references: { requesting?: string } } }>(officer, 'GET', `/api/cases/${draft.id}`);

    const us = await e2e.pageAs('officer@us.demo', '/');
    const count = us.getByTestId('unread-count');
    // Dispatched within seconds; the header polls every 30 s and on every page change.
    for (let i = 0; i < 20 && !(await count.isVisible()); i++) {
      await us.waitForTimeout(1000);
      await us.getByRole('link', { name: 'Cases', exact: true }).click();
    }
    assert.match(await count.innerText(), /^\d+/);
    const before = Number((await count.innerText()).match(/^\d+/)?.[0]);
    await us.getByTestId('notifications-link').click();
    const list = us.getByTestId('notification-list');
    await list.waitFor();
    const item = list.locator('li[data-kind="incoming-request"]', { hasText: draft.reference });
    await item.waitFor();
    assert.match(await item.innerText(), /Incoming request/);
    await e2e.shot(us, 'notifications-list');
    await e2e.axe(us, 'notifications page');
    await item.getByRole('link', { name: draft.reference }).click();
    await us.waitForURL(`**/cases/${draft.id}`);
    await us.getByRole('heading', { level: 1 }).waitFor();
    // Marked read: the header count went down.
    for (let i = 0; i < 20; i++) {
      const now = (await count.isVisible()) ? Number((await count.innerText()).match(/^\d+/)?.[0]) : 0;
      if (now < before) break;
      await us.waitForTimeout(250);
      if (i === 19) assert.fail(`the count stayed ${now}`);
    }
    // The history names people (of one's own authority) and roles, not ids.
    const timeline = await us.getByTestId('case-timeline').innerText();
    assert.ok(!/user:[0-9a-f]/.test(timeline), timeline);
    assert.match(timeline, /Central-authority officer/);

    // The e-mail: a link to the case, nothing of the request.
    // The demo's own events (dispatched at start) were e-mailed too: the one of this case.
    let mail: (typeof smtp.received)[number] | undefined;
    for (let i = 0; i < 80 && !mail; i++) {
      mail = smtp.received.find((m) => m.to.includes('officer@us.demo') && textOf(m.raw).includes(draft.id));
      if (!mail) await us.waitForTimeout(250);
    }
    const mails = smtp.received;
    assert.ok(mail, `an e-mail to the US officer (received: ${mails.map((m) => m.to.join(',')).join(' | ')})`);
    const text = textOf(mail.raw);
    assert.match(text, new RegExp(`/cases/${draft.id}`));
    assert.ok(!mail.raw.includes(draft.reference), 'no reference');
    assert.ok(!mail.raw.includes(detail.request.facts.slice(0, 30)), 'no facts');
    if (detail.request.references.requesting) assert.ok(!mail.raw.includes(detail.request.references.requesting), 'no own reference');
    await us.close();
  });

  test('settings: the user chooses per kind, saved', async () => {
    const page = await e2e.pageAs('drafter@fr.demo', '/settings/notifications');
    const table = page.getByTestId('notification-preferences');
    await table.waitFor();
    const emailBox = page.getByRole('checkbox', { name: 'Deadline overdue — By e-mail' });
    assert.equal(await emailBox.isChecked(), true);
    await emailBox.uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await e2e.shot(page, 'notification-settings');
    await e2e.axe(page, 'notification settings');
    await page.reload();
    await table.waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Deadline overdue — By e-mail' }).isChecked(), false);
    await page.close();
    assert.deepEqual(e2e.pageErrors, []);
  });
});
