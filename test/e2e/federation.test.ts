/**
 * End to end, federated: France (SQLite) and the United States (PostgreSQL when it answers) as two
 * node processes, each with its own database, keys and demo users, trusting each other through a
 * trust folder. In Chromium: the French central authority sends the preservation request, then
 * the production request (Budapest Art. 31) to the United States; on the US node the officer
 * finds both on the dashboard, receives, decides and answers each; the French side follows the
 * delivery states of its messages (queued or delivered, then read once the US officer opened the
 * request) and sees the answers arrive. Screenshots under artifacts/e2e/federation-{fr,us}/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { DEMO_EXCHANGE_CASES } from '../../src/demo/seed.js';
import { postgresProbe } from '../db/dialects.js';
import { freshPostgresDatabase } from '../exchange/pg-database.js';
import { signIn, until, type ApiCall } from '../exchange/sessions.js';
import { chromiumSkipReason, E2E, journeySteps } from './harness.js';

const skip = chromiumSkipReason();

async function expectState(page: Page, state: string): Promise<void> {
  await page.locator(`[data-testid=case-state][data-state="${state}"]`).waitFor();
}

async function confirm(page: Page, label: string, next: string): Promise<void> {
  const card = page.getByRole('region', { name: label, exact: true });
  await card.waitFor();
  await card.getByRole('button', { name: label, exact: true }).click();
  // Sending is irreversible and international: the workspace asks for confirmation first.
  if (label === 'Send') await page.getByTestId('action-send-confirm').click();
  await expectState(page, next);
}

/** The delivery states shown on a case page, reloading until `ok`. */
async function deliveryStates(page: Page, ok: (states: string[]) => boolean, what: string): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = page.getByTestId('delivery-row');
    const states = (await rows.count()) === 0 ? [] : await rows.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-state') ?? ''));
    if (ok(states)) return states;
    assert.ok(Date.now() < deadline, `${what}: ${states.join(', ')}`);
    await new Promise((r) => setTimeout(r, 500));
    await page.reload();
    await page.getByTestId('case-summary').waitFor();
  }
}

describe('federation: FR → US preservation then production, two nodes, through the workspace', { skip }, () => {
  const peers = mkdtempSync(join(tmpdir(), 'comity-e2e-peers-'));
  const fr = new E2E('federation-fr');
  const us = new E2E('federation-us');
  let dropDb: (() => Promise<void>) | null = null;
  let frApi: { drafter: ApiCall; judge: ApiCall } | null = null;
  const ids: { preservation: string; production: string } = { preservation: '', production: '' };
  const step = journeySteps();

  before(async () => {
    const database = postgresProbe.reachable ? await freshPostgresDatabase('comity_e2e_fed') : null;
    dropDb = database?.drop ?? null;
    const node = (id: string, hosted: string) => ({ COMITY_NODE_ID: id, COMITY_NODE_HOST: hosted, COMITY_NODE_ENDPOINT: 'http://127.0.0.1:{port}', COMITY_PEER_DIR: peers, COMITY_SECURE_COOKIES: 'false' });
    await Promise.all([fr.start({ env: node('FR:justice.gouv.fr', 'fr-ca,fr-parquet-paris') }), us.start({ env: { ...node('US:oia.justice.gov', 'us-doj-oia'), ...(database ? { DATABASE_URL: database.url } : {}) } })]);
    const server = { url: fr.base, password: fr.demoPassword, totp: new Map(fr.logins.filter((u) => u.totpSecret).map((u) => [u.email, u.totpSecret!])), seedStep: Math.floor(Date.now() / 30_000) };
    frApi = { drafter: await signIn(server, 'drafter@fr.demo'), judge: await signIn(server, 'judge@fr.demo') };
  });

  after(async () => {
    await Promise.allSettled([fr.close(), us.close()]);
    await dropDb?.();
    rmSync(peers, { recursive: true, force: true });
  });

  step('the French node, once it trusts the US node, has the approved preservation request; the production request is drafted and approved', async () => {
    const api = frApi!;
    type List = { cases: { id: string; state: string; references?: { requesting?: string } }[] };
    const list = await until(() => api.drafter('GET', '/api/cases?limit=50') as Promise<List>, (l) => l.cases.length >= 3, 'the demo cases made once the peers are trusted', 60_000);
    const detail = async (id: string) => (await api.drafter('GET', `/api/cases/${id}`)) as { request?: { references?: { requesting?: string } } };
    for (const c of list.cases) if ((await detail(c.id)).request?.references?.requesting === DEMO_EXCHANGE_CASES.approved) ids.preservation = c.id;
    assert.ok(ids.preservation, 'the approved preservation request of the demo');
    const production = await api.drafter('POST', '/api/cases', preservationRequestFrToUs({ measures: ['content-data'], legalBasis: 'ETS185:31', references: { requesting: 'PARQUET-PARIS-2026-04990-B' } }));
    ids.production = String(production.id);
    await api.judge('POST', `/api/cases/${ids.production}/events/approve`, { review: DEMO_REVIEW });
  });

  step('the French central authority sends both; the case page shows each message’s delivery state', async () => {
    const page = await fr.pageAs('officer@fr.demo', `/cases/${ids.preservation}`);
    await expectState(page, 'approved');
    await confirm(page, 'Send', 'sent');
    const first = await deliveryStates(page, (s) => s.length === 1, 'the request in the deliveries');
    console.log(`e2e[federation] preservation request right after sending: ${first.join(', ')}`);
    assert.ok(['queued', 'delivered'].includes(first[0]!), first[0]);
    await fr.shot(page, 'fr-preservation-sent');
    await deliveryStates(page, (s) => s[0] === 'delivered', 'delivered');
    await fr.shot(page, 'fr-preservation-delivered');
    await page.goto(`/cases/${ids.production}`);
    await expectState(page, 'approved');
    await confirm(page, 'Send', 'sent');
    await deliveryStates(page, (s) => s[0] === 'delivered', 'the production request delivered');
    await fr.shot(page, 'fr-production-delivered');
    await fr.axe(page, 'French case page with deliveries');
    await page.close();
  });

  step('the US central authority finds both on its node, receives, decides and answers each', async () => {
    const page = await us.pageAs('officer@us.demo');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await us.shot(page, 'us-dashboard');
    for (const [name, id] of Object.entries(ids)) {
      await page.goto(`/cases/${id}`);
      await page.getByTestId('case-summary').waitFor();
      await expectState(page, 'sent');
      await us.shot(page, `us-${name}-arrived`);
      await confirm(page, 'Receive', 'received');
      await confirm(page, 'Acknowledge', 'acknowledged');
      await confirm(page, 'Start assessment', 'in-assessment');
      const assessment = page.getByTestId('action-assessment');
      await assessment.getByRole('button', { name: 'Record the decision' }).waitFor();
      const grounds = assessment.locator('fieldset[data-testid^="assessment-ground-"]');
      for (const groundId of await grounds.evaluateAll((nodes) => nodes.map((n) => (n.getAttribute('data-testid') ?? '').replace('assessment-ground-', '')))) {
        const ground = assessment.getByTestId(`assessment-ground-${groundId}`);
        await ground.getByRole('radio', { name: 'Does not apply' }).check();
        await ground.getByLabel(/^Note/).fill(`Checked: ${groundId} does not apply.`);
      }
      await assessment.getByRole('radio', { name: 'Accept' }).check();
      await assessment.getByLabel(/^Reasons/).fill('No ground for refusal applies.');
      await assessment.getByRole('button', { name: 'Record the decision' }).click();
      await expectState(page, 'accepted');
      await confirm(page, 'Execute', 'executed');
      const respond = page.getByTestId('action-respond');
      await respond.getByLabel(/^Summary of the response/).fill(name === 'preservation' ? 'Data preserved under 18 U.S.C. § 2703(f) for 90 days.' : 'Content of the account produced; see the evidence.');
      await respond.getByRole('button', { name: 'Send the response' }).click();
      await expectState(page, 'responded');
      // The US node's own messages to France, each delivered.
      await deliveryStates(page, (s) => s.length >= 6 && s.every((x) => x === 'delivered'), 'the US messages delivered');
      await us.shot(page, `us-${name}-responded`);
    }
    await us.axe(page, 'US case page with deliveries');
    await page.close();
  });

  step('the French side sees the requests read and the answers arrived', async () => {
    const page = await fr.pageAs('officer@fr.demo', `/cases/${ids.preservation}`);
    await expectState(page, 'responded');
    const states = await deliveryStates(page, (s) => s[0] === 'read', 'the request read by the US officer');
    console.log(`e2e[federation] French deliveries of the preservation request: ${states.join(', ')}`);
    await page.getByTestId('case-response').getByText('Data preserved under 18 U.S.C. § 2703(f) for 90 days.').waitFor();
    await fr.shot(page, 'fr-preservation-read-responded');
    await page.goto(`/cases/${ids.production}`);
    await expectState(page, 'responded');
    await deliveryStates(page, (s) => s[0] === 'read', 'the production request read');
    await fr.shot(page, 'fr-production-read-responded');
    await page.close();
    assert.deepEqual(fr.pageErrors, []);
    assert.deepEqual(us.pageErrors, []);
  });
});
