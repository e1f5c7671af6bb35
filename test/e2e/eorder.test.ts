/**
 * End to end, in Chromium: a French investigating judge's EPOC for content data to a US
 * provider (Example Mail Inc.) through its legal representative in Ireland. The clerk drafts the
 * certificate (Annex I) in the workspace, the judge approves (Art. 4 checked) and sends; the order
 * is delivered at once (loopback) and the Irish enforcing authority is notified (Art. 8) with its
 * own 10-day clock; it raises no ground. The provider acknowledges, is refused an early
 * transmission (Art. 8(4), 10(2): `order-suspended`), and produces at the end of the period; the
 * judge sees the production and closes the order. Screenshots under artifacts/e2e/eorder/.
 *
 * Time: the server runs on the real clock (sessions and one-time codes follow it), so the end of
 * the enforcing authority's period is reached by moving this order's delivery and clocks back in
 * the server's SQLite database by the length of the period — the order then stands exactly where
 * it would ten days later.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, E2E, journeySteps } from './harness.js';
import { fillContentDataEpoc } from './eorder-form.js';

const skip = chromiumSkipReason();

/** The part of better-sqlite3 used here (no @types/better-sqlite3 is installed, as in src/db/dialects/sqlite.ts). */
interface Sqlite {
  prepare(sql: string): { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string, options?: { timeout?: number }) => Sqlite;

async function expectState(page: Page, state: string): Promise<void> {
  await page.locator(`[data-testid=order-state][data-state="${state}"]`).waitFor();
}

async function act(page: Page, event: string, label: string, next: string): Promise<void> {
  const form = page.getByTestId(`order-action-${event}`);
  await form.waitFor();
  await form.getByRole('button', { name: label, exact: true }).click();
  await expectState(page, next);
}

/** Drafts an order through the certificate form as the clerk; returns the order page's path. */
async function draftOrder(e2e: E2E, o: { issuerKind: string; emergency?: string; categories: string[]; identifierType: string; identifier: string; offenceHere: boolean; kind?: string; precededBy?: string; who?: string }): Promise<string> {
  const page = await e2e.pageAs(o.who ?? 'greffe@fr.demo', '/orders/new');
  await page.getByTestId('order-form').waitFor();
  if (o.kind) await page.getByLabel('Order', { exact: true }).selectOption(o.kind);
  if (o.precededBy) await page.getByLabel('Follows the European Preservation Order').selectOption({ label: o.precededBy });
  await page.getByLabel('Service provider', { exact: true }).selectOption('example-mail');
  // Only the Art. 4 kinds the account's authority may have are offered (GET /api/orders/form).
  const offered = await page.getByLabel('Kind of issuing authority').locator('option').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('value')));
  // Each demo authority has its Art. 4 kind recorded (src/demo/data.ts): the only one offered.
  assert.deepEqual(offered, o.who === 'ofac@fr.demo' ? ['other-competent-authority'] : ['investigating-judge']);
  await page.getByLabel('Kind of issuing authority').selectOption(o.issuerKind);
  await page.getByLabel('Issuing authority', { exact: true }).fill('Office anti-cybercriminalité (OFAC), sur instruction du juge');
  await page.getByLabel('File reference').fill(`E2E-${Date.now()}`);
  if (o.emergency) {
    await page.getByRole('checkbox', { name: 'Emergency case (Art. 3(18))' }).check();
    await page.getByLabel('Reasons for the emergency').fill(o.emergency);
  }
  for (const c of o.categories) await page.getByRole('checkbox', { name: c, exact: true }).check();
  await page.getByLabel('Identifier type').selectOption(o.identifierType);
  await page.getByLabel('Identifier', { exact: true }).fill(o.identifier);
  await page.getByLabel('From', { exact: true }).fill('2026-11-30');
  await page.getByLabel('To', { exact: true }).fill('2026-12-01');
  await page.getByLabel('Offence', { exact: true }).fill('Threats of an attack on a hospital’s intensive care unit posted from an Example Mail account.');
  await page.getByLabel('Legal provision').fill('Code pénal, art. 222-17');
  await page.getByLabel('Maximum penalty (years)').fill('3');
  await page.getByLabel('Necessity and proportionality (Art. 5(2))').fill('Only the subscriber behind the IP address can lead to the author of the threats; a similar domestic order exists.');
  if (o.offenceHere) await page.getByRole('checkbox', { name: /committed in the issuing State/ }).check();
  await page.getByRole('button', { name: 'Save the draft' }).click();
  await expectState(page, 'draft');
  return new URL(page.url()).pathname;
}

async function fillIn(page: Page, event: string, fields: Record<string, string>): Promise<void> {
  const form = page.getByTestId(`order-action-${event}`);
  await form.waitFor();
  for (const [label, value] of Object.entries(fields)) {
    const field = form.getByLabel(label, { exact: true });
    if ((await field.evaluate((n) => n.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
}

describe('journey: EPOC for content data, FR → US provider’s representative in IE, enforcing authority notified', { skip }, () => {
  const e2e = new E2E('eorder');
  let orderPath = '';
  let orderId = '';
  const step = journeySteps();

  before(async () => {
    await e2e.start();
  });
  after(async () => {
    await e2e.close();
  });

  step('the clerk drafts the EPOC certificate for Example Mail’s legal representative in Ireland', async () => {
    const page = await e2e.pageAs('greffe@fr.demo');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'e-Evidence orders' }).click();
    await page.getByRole('heading', { level: 1, name: 'e-Evidence orders' }).waitFor();
    await page.getByTestId('orders-new').click();
    await page.getByTestId('order-form').waitFor();
    await page.getByLabel('Order', { exact: true }).selectOption('EPOC');
    await page.getByLabel('Service provider', { exact: true }).selectOption('example-mail');
    const details = await page.getByTestId('order-provider-details').innerText();
    assert.match(details, /established in US/);
    assert.match(details, /legal representative/);
    assert.match(details, /\(IE\)/);
    // This demo server is not a federation node: the representative is on this server.
    assert.equal(await page.getByTestId('order-provider-node').getAttribute('data-self'), 'server');
    // The Paris court, recorded as an investigating judge (demo data), is offered that kind only.
    const kinds = await page.getByLabel('Kind of issuing authority').locator('option').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('value')));
    assert.deepEqual(kinds, ['investigating-judge']);
    assert.match(await page.getByTestId('order-issuer-kinds').innerText(), /may act as: Investigating judge/);
    await fillContentDataEpoc(page, 'JI-CYBER-2026-0042', { annexIV: true });
    await e2e.axe(page, 'new order form');
    await e2e.shot(page, 'clerk-certificate');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await expectState(page, 'draft');
    orderPath = new URL(page.url()).pathname;
    orderId = orderPath.split('/').pop() ?? '';
    assert.match(await page.getByTestId('order-enforcing').innerText(), /Art\. 8\(1\)/);
    await e2e.shot(page, 'clerk-draft');
  });

  step('the investigating judge approves (Art. 4) and sends: delivered, the Irish enforcing authority notified', async () => {
    const page = await e2e.pageAs('juge@fr.demo', orderPath);
    await expectState(page, 'draft');
    assert.match(await page.getByTestId('order-art4').innerText(), /investigating-judge may issue/);
    await act(page, 'approve', 'Approve', 'issued');
    await act(page, 'send', 'Send', 'delivered');
    const enforcing = page.getByTestId('order-enforcing');
    assert.equal(await enforcing.getAttribute('data-status'), 'notified');
    const clocks = await page.getByTestId('order-clock').evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-clock')}=${n.getAttribute('data-status')}`));
    assert.deepEqual(clocks.sort(), ['enforcing-review=running', 'production=running']);
    await page.getByTestId('order-transmit-not-before').waitFor();
    for (const party of ['issuing', 'addressee', 'enforcing']) assert.equal(await page.getByTestId(`order-node-${party}`).innerText(), 'On this server (not a federation node)', party);
    // One delivery, to both parties (loopback): the history says so.
    assert.deepEqual(await page.locator('[data-testid=order-history] li[data-event=deliver]').allInnerTexts().then((l) => l.map((x) => x.replace(/^.* — /, ''))), ["Delivered into the addressee's system; the enforcing authority notified (Art. 8) (system)"]);
    await e2e.axe(page, 'order page (issuing)');
    await e2e.shot(page, 'judge-sent');
  });

  step('the Irish enforcing authority sees the order, its 10-day clock and its Art. 12 actions, and raises no ground', async () => {
    const page = await e2e.pageAs('enforcing@ie.demo', '/orders');
    await page.getByTestId('orders-row').first().waitFor();
    // An enforcing authority is not an Art. 4 issuing authority: no "New EPOC" button, a sentence instead.
    await page.getByTestId('orders-not-issuing').waitFor();
    assert.equal(await page.getByTestId('orders-new').count(), 0);
    await page.getByRole('link', { name: /^FR-EPOC-/ }).first().click();
    await expectState(page, 'delivered');
    await page.getByTestId('order-action-confirm-no-ground').waitFor();
    await page.getByTestId('order-action-raise-ground').waitFor();
    const actions = await page.locator('[data-testid^="order-action-"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-testid')));
    assert.deepEqual(actions.sort(), ['order-action-confirm-no-ground', 'order-action-raise-ground']);
    await e2e.axe(page, 'order page (enforcing authority)');
    await e2e.shot(page, 'enforcing-authority');
  });

  step('the provider acknowledges; transmitting before the end of the period is refused (Art. 8(4), 10(2))', async () => {
    const page = await e2e.pageAs('agent@provider.demo', orderPath);
    await expectState(page, 'delivered');
    const text = await page.getByTestId('order-actions').innerText();
    assert.doesNotMatch(text, /postpone|refuse|Budapest/i, 'no mutual-assistance wording on the provider’s path');
    await act(page, 'acknowledge', 'Acknowledge receipt', 'acknowledged');
    const produce = page.getByTestId('order-action-produce');
    await produce.getByLabel('What is produced').fill('Mailbox export of attacker@mail.demo.invalid, 1 Oct – 10 Nov 2026 (MBOX)');
    await produce.getByRole('button', { name: 'Produce the data', exact: true }).click();
    await produce.getByRole('alert').waitFor();
    assert.match(await produce.getByRole('alert').innerText(), /enforcing authority was notified/);
    await e2e.axe(page, 'order page (provider)');
    await e2e.shot(page, 'provider-suspended');
  });

  step('ten days later, no ground raised: the provider produces at the end of the period', async () => {
    // Move this order's delivery and clocks back by the enforcing authority's period (+1 minute).
    const db = new Database(join(e2e.dataDir, 'comity.sqlite'), { timeout: 10_000 });
    try {
      const review = db.prepare("select due_at from eorder_clocks where order_id = ? and clock = 'enforcing-review'").get(orderId) as { due_at: string };
      const shift = Date.parse(review.due_at) - Date.now() + 60_000;
      const back = (iso: string | null) => (iso === null ? null : new Date(Date.parse(iso) - shift).toISOString());
      const order = db.prepare('select delivered_at, enforcing_delivered_at, sent_at from eorders where id = ?').get(orderId) as { delivered_at: string; enforcing_delivered_at: string; sent_at: string };
      db.prepare('update eorders set delivered_at = ?, enforcing_delivered_at = ?, sent_at = ? where id = ?').run(back(order.delivered_at), back(order.enforcing_delivered_at), back(order.sent_at), orderId);
      for (const c of db.prepare('select id, started_at, due_at from eorder_clocks where order_id = ?').all(orderId) as { id: string; started_at: string; due_at: string }[]) {
        db.prepare('update eorder_clocks set started_at = ?, due_at = ? where id = ?').run(back(c.started_at), back(c.due_at), c.id);
      }
    } finally {
      db.close();
    }
    const page = await e2e.pageAs('agent@provider.demo', orderPath);
    await expectState(page, 'acknowledged');
    const produce = page.getByTestId('order-action-produce');
    await produce.getByLabel('What is produced').fill('Mailbox export of attacker@mail.demo.invalid, 1 Oct – 10 Nov 2026 (MBOX)');
    await produce.getByRole('button', { name: 'Produce the data', exact: true }).click();
    await expectState(page, 'produced');
    const production = page.locator('[data-testid=order-clock][data-clock=production]');
    assert.equal(await production.getAttribute('data-status'), 'met');
    await e2e.shot(page, 'provider-produced');
  });

  step('the judge sees the production and closes the order', async () => {
    const page = await e2e.pageAs('juge@fr.demo', orderPath);
    await expectState(page, 'produced');
    const history = await page.getByTestId('order-history').locator('li').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-event')));
    assert.deepEqual(history, ['create', 'approve', 'send', 'deliver', 'acknowledge', 'produce']);
    await act(page, 'close', 'Close', 'closed');
    await e2e.axe(page, 'order page (closed)');
    await e2e.shot(page, 'judge-closed');
  });

  let emergencyPath = '';
  step('journey 2: an emergency identification-data EPOC of the OFAC, issued without prior validation (Art. 4(5))', async () => {
    // The OFAC's own account (a 24/7 point of contact): its Art. 4 kind is "another competent authority".
    emergencyPath = await draftOrder(e2e, { who: 'ofac@fr.demo', issuerKind: 'other-competent-authority', emergency: 'A message announces an attack on the intensive care unit within hours.', categories: ['Data requested solely to identify the user'], identifierType: 'ip-address', identifier: '198.51.100.23', offenceHere: true });
    const page = await e2e.pageAs('ofac-chef@fr.demo', emergencyPath);
    await act(page, 'approve', 'Approve', 'issued');
    await act(page, 'send', 'Send', 'delivered');
    assert.equal(await page.getByTestId('order-enforcing').getAttribute('data-status'), 'not-notified');
    const clocks = await page.getByTestId('order-clock').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-clock')));
    assert.deepEqual(clocks.sort(), ['production', 'validation']);
    await e2e.shot(page, 'emergency-sent');
  });

  step('journey 2: the provider answers within the 8 hours; the judge validates afterwards', async () => {
    const provider = await e2e.pageAs('agent@provider.demo', emergencyPath);
    await expectState(provider, 'delivered');
    assert.match(await provider.locator('[data-testid=order-clock][data-clock=production]').innerText(), /8 hours/);
    await fillIn(provider, 'produce', { 'What is produced': 'Subscriber of 198.51.100.23 on 30 November 2026 at 22:14 UTC' });
    await provider.getByTestId('order-action-produce').getByRole('button', { name: 'Produce the data', exact: true }).click();
    await expectState(provider, 'produced');
    assert.equal(await provider.locator('[data-testid=order-clock][data-clock=production]').getAttribute('data-status'), 'met');
    const judge = await e2e.pageAs('ofac-chef@fr.demo', emergencyPath);
    await fillIn(judge, 'validate', { 'Validated by (kind)': 'investigating-judge', 'Validating authority': 'Juge d’instruction Claire Dubois', 'Validation reference': 'VAL-2026-0009' });
    await judge.getByTestId('order-action-validate').getByRole('button', { name: 'Record the validation', exact: true }).click();
    await judge.locator('[data-testid=order-clock][data-clock=validation][data-status=met]').waitFor();
    await e2e.shot(judge, 'emergency-validated');
  });

  step('journey 4: an Annex III impossibility, then Art. 16 enforcement', async () => {
    const path = await draftOrder(e2e, { issuerKind: 'investigating-judge', categories: ['Subscriber data'], identifierType: 'email', identifier: 'gone@mail.demo.invalid', offenceHere: true });
    const judge = await e2e.pageAs('juge@fr.demo', path);
    await act(judge, 'approve', 'Approve', 'issued');
    await act(judge, 'send', 'Send', 'delivered');
    const provider = await e2e.pageAs('agent@provider.demo', path);
    await fillIn(provider, 'report-impossibility', { 'Why the order cannot be executed (Annex III)': 'data-not-stored', Details: 'The account was deleted by its user on 2 October 2026; no backup remains after 30 days.' });
    await provider.getByTestId('order-action-report-impossibility').getByRole('button', { name: 'Report that the order cannot be executed (Annex III)', exact: true }).click();
    await expectState(provider, 'impossible');
    await e2e.axe(provider, 'order page (Annex III reported)');
    const back = await e2e.pageAs('juge@fr.demo', path);
    await fillIn(back, 'start-enforcement', { Reasons: 'The provider keeps backups for 90 days under its own policy: the reasons are not accepted.' });
    await back.getByTestId('order-action-start-enforcement').getByRole('button', { name: 'Request enforcement (Art. 16)', exact: true }).click();
    await expectState(back, 'enforcement');
    await e2e.shot(back, 'annex-iii-enforcement');
  });

  step('journey 3: an EPOC-PR preserved and extended (Annex VI), followed by a production order (Annex V)', async () => {
    const prPath = await draftOrder(e2e, { kind: 'EPOC-PR', issuerKind: 'investigating-judge', categories: ['Traffic data', 'Content data'], identifierType: 'email', identifier: 'kept@mail.demo.invalid', offenceHere: false });
    const judge = await e2e.pageAs('juge@fr.demo', prPath);
    await act(judge, 'approve', 'Approve', 'issued');
    await act(judge, 'send', 'Send', 'delivered');
    assert.equal(await judge.getByTestId('order-enforcing').getAttribute('data-status'), 'not-notified', 'a preservation order is not notified');
    const reference = (await judge.getByRole('heading', { level: 1 }).innerText()).replace(/^EPOC-PR /, '');
    const provider = await e2e.pageAs('agent@provider.demo', prPath);
    await act(provider, 'preserve', 'Preserve the data', 'preserved');
    assert.match(await provider.locator('[data-testid=order-clock][data-clock=preservation]').innerText(), /60 days/);
    const back = await e2e.pageAs('juge@fr.demo', prPath);
    await fillIn(back, 'extend', { 'Why the preservation is extended (Annex VI)': 'The production order awaits the translation of the case file.' });
    await back.getByTestId('order-action-extend').getByRole('button', { name: 'Extend the preservation (Annex VI)', exact: true }).click();
    await back.getByTestId('order-status-message').waitFor();
    const epocPath = await draftOrder(e2e, { kind: 'EPOC', precededBy: reference, issuerKind: 'investigating-judge', categories: ['Content data'], identifierType: 'email', identifier: 'kept@mail.demo.invalid', offenceHere: false });
    const epoc = await e2e.pageAs('juge@fr.demo', epocPath);
    const epocReference = (await epoc.getByRole('heading', { level: 1 }).innerText()).replace(/^EPOC /, '');
    const pr = await e2e.pageAs('juge@fr.demo', prPath);
    await fillIn(pr, 'confirm-production', { 'Subsequent request for production': 'EPOC', 'Its reference': epocReference, 'Issued on': '2026-12-03' });
    await pr.getByTestId('order-action-confirm-production').getByRole('button', { name: 'Confirm the request for production (Annex V)', exact: true }).click();
    await expectState(pr, 'production-confirmed');
    await e2e.shot(pr, 'epoc-pr-confirmed');
    const again = await e2e.pageAs('juge@fr.demo', epocPath);
    await act(again, 'approve', 'Approve', 'issued');
    await act(again, 'send', 'Send', 'delivered');
  });

  step('journey 5: a reasoned Art. 17 objection', async () => {
    const path = await draftOrder(e2e, { issuerKind: 'investigating-judge', categories: ['Content data'], identifierType: 'email', identifier: 'other@mail.demo.invalid', offenceHere: false });
    const judge = await e2e.pageAs('juge@fr.demo', path);
    await act(judge, 'approve', 'Approve', 'issued');
    await act(judge, 'send', 'Send', 'delivered');
    const provider = await e2e.pageAs('agent@provider.demo', path);
    await fillIn(provider, 'object', {
      'Third country (ISO code)': 'US',
      'Law of the third country': '18 U.S.C. § 2702 (Stored Communications Act)',
      'Why that law applies': 'The provider is established in the United States and the content is stored there.',
      'Nature of the conflicting obligation': 'Disclosure of content to a foreign authority outside an agreement under 18 U.S.C. § 2523 is prohibited.',
    });
    await provider.getByTestId('order-action-object').getByRole('button', { name: 'Reasoned objection (Art. 17)', exact: true }).click();
    await expectState(provider, 'objected');
    await e2e.shot(provider, 'art-17-objection');
  });
});
