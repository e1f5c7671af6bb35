/**
 * End to end (issue 16, everyday comfort): the cases list is searched and filtered on the server
 * (the query lives in the URL), and on the requesting side the requested side's clarification
 * question stands right above the answer box, not only at the bottom of the history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, E2E } from './harness.js';

const skip = chromiumSkipReason();

/** An unsafe API call with the page's session, echoing its CSRF token as the workspace does. */
async function post(page: Page, path: string, body: unknown): Promise<number> {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'comity_csrf')?.value ?? '';
  const res = await page.request.post(path, { data: body as Record<string, unknown>, headers: { 'x-csrf-token': csrf } });
  return res.status();
}

describe('everyday comfort: cases search, clarification above the answer box', { skip }, () => {
  const e2e = new E2E('everyday');
  before(async () => {
    await e2e.start();
  });
  after(() => e2e.close());

  test('search and filters on the cases list, kept in the URL', async () => {
    const page = await e2e.pageAs('officer@fr.demo', '/cases');
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    const all = await rows.count();
    assert.ok(all >= 3, `the demo's French cases are listed (${all})`);
    await page.getByTestId('cases-search').fill('PARQUET-PARIS-2026-04990');
    await page.getByTestId('cases-search').press('Enter');
    await page.waitForURL(/\/cases\?q=PARQUET-PARIS-2026-04990/);
    for (let i = 0; i < 100 && (await rows.count()) !== 1; i += 1) await page.waitForTimeout(100);
    assert.equal(await rows.count(), 1, 'one case has that reference');
    // The row is the case whose own (requesting-side) reference was searched for.
    const viaApi = (await (await page.request.get('/api/cases', { params: { q: 'PARQUET-PARIS-2026-04990' } })).json()) as { cases: { reference: string }[] };
    assert.equal(viaApi.cases.length, 1);
    assert.match(await rows.first().innerText(), new RegExp(viaApi.cases[0]!.reference));
    // A date range that holds nothing: the list says so, and Back restores the search.
    await page.getByLabel('Created from').fill('2001-01-01');
    await page.getByLabel('Created until').fill('2001-01-02');
    await page.waitForURL(/to=2001-01-02/);
    for (let i = 0; i < 100 && (await rows.count()) !== 0; i += 1) await page.waitForTimeout(100);
    assert.equal(await rows.count(), 0);
    await e2e.shot(page, 'cases-filtered-empty');
    await e2e.axe(page, 'cases list with filters');
    await page.close();
  });

  test('the clarification question stands above the answer box', async () => {
    const us = await e2e.pageAs('officer@us.demo', '/cases');
    const found = (await (await us.request.get('/api/cases', { params: { q: 'PARQUET-PARIS-2026-04990' } })).json()) as { cases: { id: string }[] };
    assert.equal(found.cases.length, 1, 'the US officer sees the case sent to the United States');
    const id = found.cases[0]!.id;
    const question = 'Please state the time zone of the log-in times listed under item 4.';
    for (const [event, body] of [['receive', {}], ['acknowledge', {}], ['start-assessment', {}], ['request-clarification', { reason: question }]] as const) {
      assert.equal(await post(us, `/api/cases/${id}/events/${event}`, body), 200, event);
    }
    await us.close();

    const fr = await e2e.pageAs('officer@fr.demo', `/cases/${id}`);
    const box = fr.getByTestId('clarification-question');
    await box.waitFor();
    assert.match(await box.innerText(), /time zone of the log-in times/);
    const answer = fr.getByTestId('action-answer-clarification-text');
    await answer.waitFor();
    const [q, a] = [await box.boundingBox(), await answer.boundingBox()];
    assert.ok(q !== null && a !== null && q.y < a.y, 'the question is above the answer box');
    await e2e.shot(fr, 'clarification-above-answer');
    await e2e.axe(fr, 'case page with a clarification to answer');
    assert.deepEqual(e2e.pageErrors, []);
  });
});
