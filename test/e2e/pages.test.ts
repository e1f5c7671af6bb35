/**
 * End to end: the workspace's pages in Chromium against the demo deployment — the treaty map and
 * its legend, the statistics with charts, tables and the CSV export, the dashboard, the French
 * translation, keyboard use of the sign-in form, and axe-core (no serious or critical violation)
 * on every main page. Screenshots under artifacts/e2e/pages/.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, E2E, ROOT } from './harness.js';

const skip = chromiumSkipReason();

/** The page's focused element, described (tag, name, id, text): for keyboard assertions. */
async function focused(page: Page): Promise<string> {
  const focus = page.locator(':focus');
  if ((await focus.count()) === 0) return '(nothing)';
  return focus.first().evaluate((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`);
}

/** "#225ea8" → "rgb(34, 94, 168)" (how the browser serialises an inline style colour). */
function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

describe('pages: map, statistics, dashboard, language, keyboard, accessibility', { skip }, () => {
  const e2e = new E2E('pages');
  let suiteStarted = 0;
  /** A case of officer@fr.demo with a response (seeded), for the case page. */
  let answeredCasePath = '';

  before(async () => {
    suiteStarted = performance.now();
    await e2e.start();
  });

  after(async () => {
    if (suiteStarted) e2e.timings.add('pages suite total', performance.now() - suiteStarted);
    await e2e.close();
  });

  test('keyboard: Tab reaches the skip link first, and the sign-in form works by keyboard only', async () => {
    const page = await e2e.anonymousPage();
    // The keyboard user is judge@fr.demo (a reviewer: password, then the one-time code).
    const email = 'judge@fr.demo';
    const user = e2e.login(email);
    assert.ok(user.totpSecret, 'the reviewer has a second factor');
    await page.goto('/');
    await page.getByLabel('E-mail address').waitFor();
    await page.keyboard.press('Tab');
    const skipLink = page.getByRole('link', { name: 'Skip to main content' });
    assert.ok(await skipLink.evaluate((el) => el === el.ownerDocument.activeElement), `the first Tab focuses the skip link, not ${await focused(page)}`);
    assert.ok(await skipLink.isVisible(), 'the focused skip link is visible');
    await e2e.shot(page, 'keyboard-skip-link');
    // Enter follows the skip link: the focus moves to <main>.
    await page.keyboard.press('Enter');
    await page.locator('main#main:focus').waitFor();

    // From <main>, Tab walks to the e-mail field, then the password, then the button.
    let steps = 0;
    while (!(await page.getByLabel('E-mail address').evaluate((el) => el === el.ownerDocument.activeElement))) {
      assert.ok(++steps <= 10, `Tab never reached the e-mail field (focus: ${await focused(page)})`);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    assert.ok(await page.getByLabel('Password').evaluate((el) => el === el.ownerDocument.activeElement), `Tab from the e-mail field reaches the password (focus: ${await focused(page)})`);
    await page.keyboard.type(e2e.demoPassword);
    await page.keyboard.press('Tab');
    assert.ok(await page.getByRole('button', { name: 'Sign in' }).evaluate((el) => el === el.ownerDocument.activeElement), `then the Sign in button (focus: ${await focused(page)})`);
    await page.keyboard.press('Enter');
    // The code field takes the focus by itself.
    const code = page.getByLabel('One-time code');
    await code.waitFor();
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } | null } }).document;
      return doc.activeElement?.getAttribute('autocomplete') === 'one-time-code';
    });
    await e2e.shot(page, 'keyboard-code-step');
    await page.keyboard.type(await e2e.nextTotpCode(email, user.totpSecret));
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await e2e.shot(page, 'keyboard-signed-in');
    await page.context().close();
  });

  test('axe: the sign-in page has no serious or critical violation', async () => {
    const page = await e2e.anonymousPage();
    await page.goto('/');
    await page.getByLabel('E-mail address').waitFor();
    await e2e.shot(page, 'sign-in');
    await e2e.axe(page, 'sign-in');
    // The second step too (code form).
    await page.getByLabel('E-mail address').fill('officer@fr.demo');
    await page.getByLabel('Password').fill(e2e.demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('One-time code').waitFor();
    await e2e.axe(page, 'sign-in (one-time code)');
    await page.context().close();
  });

  test('dashboard: queue, legal clocks and counts (service provider with a running 10-day clock)', async () => {
    const page = await e2e.pageAs('agent@provider.demo');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const queue = page.getByRole('region', { name: 'My queue' });
    const clocks = page.getByRole('region', { name: 'Legal clocks' });
    const incoming = page.getByRole('region', { name: 'Incoming requests' });
    const byState = page.getByRole('region', { name: 'Cases by state' });
    await queue.locator('.case-line').first().waitFor();
    assert.match(await queue.innerText(), /ZAC-KOELN|DE-2026-|Next step/, 'the queue lists the received German order with its next step');
    assert.match(await queue.innerText(), /Next step:\s*Acknowledge/);
    await clocks.locator('.clock-line').first().waitFor();
    const clockCount = await clocks.locator('.clock-line').count();
    assert.ok(clockCount >= 1, 'a running clock is listed');
    await incoming.locator('.case-line').first().waitFor();
    assert.ok((await incoming.locator('.case-line').count()) >= 1, 'the incoming request is listed');
    const total = byState.locator('tfoot, tr').filter({ hasText: 'Total' }).last();
    assert.match(await total.innerText(), /Total\s+1\b/, 'the counts add up to the provider’s one case');
    await e2e.shot(page, 'dashboard-provider');

    // The French central authority's dashboard: its queue and counts (three seeded cases).
    const fr = await e2e.pageAs('officer@fr.demo');
    await fr.getByRole('region', { name: 'My queue' }).locator('.case-line').first().waitFor();
    const frTotal = fr.getByRole('region', { name: 'Cases by state' }).locator('tr').filter({ hasText: 'Total' }).last();
    assert.match(await frTotal.innerText(), /Total\s+3\b/);
    await e2e.shot(fr, 'dashboard-fr-officer');
    // Layout note (printed, not asserted): panels in the same grid row should share their top edge.
    const tops: number[] = [];
    for (const panel of await fr.locator('.dashboard-grid > .panel').all()) tops.push(Math.round((await panel.boundingBox())?.y ?? 0));
    const firstRow = tops.filter((y) => Math.abs(y - Math.min(...tops)) < 60);
    if (new Set(firstRow).size > 1) console.log(`e2e[pages] UI note: dashboard panels of the first grid row are not aligned (tops ${firstRow.join(', ')} px) — see the screenshot dashboard-fr-officer`);
    await e2e.axe(fr, 'dashboard');
    await fr.close();
    await page.close();
  });

  test('language: switching to French changes the visible text and <html lang>', async () => {
    const fr = JSON.parse(await readFile(join(ROOT, 'src/web/i18n/fr.json'), 'utf8')) as { dashboard: { title: string }; nav: { cases: string; label: string }; header: { language: string } };
    const page = await e2e.pageAs('auditor@fr.demo');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { level: 1, name: fr.dashboard.title }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await page.getByRole('navigation', { name: fr.nav.label }).getByRole('link', { name: fr.nav.cases }).waitFor();
    assert.ok(!(await page.locator('main').innerText()).includes('My queue'), 'no English heading is left on the dashboard');
    await e2e.shot(page, 'dashboard-french');
    // The choice survives a reload (kept in localStorage); then back to English.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: fr.dashboard.title }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await page.getByLabel(fr.header.language).selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.close();
  });

  test('treaty explorer: the map renders with data, legend with counts, ETS 185 parties in force, small states', async () => {
    const page = await e2e.pageAs('officer@fr.demo');
    const started = performance.now();
    await page.goto('/treaties?instrument=ETS185&date=2026-06-01');
    await page.locator('[data-testid=world-map-svg] .map-country[data-party=FR]').waitFor();
    e2e.timings.add('treaty map: load → France drawn', performance.now() - started);
    const svg = page.getByTestId('world-map-svg');
    const paths = await svg.locator('path').count();
    const parties = await svg.locator('.map-country[data-party]').count();
    console.log(`e2e[pages] map: ${paths} SVG paths, ${parties} parties drawn`);
    assert.ok(paths > 150, `the map draws the countries (${paths} paths)`);
    assert.ok(parties > 150, `most countries carry their party code (${parties})`);
    assert.equal(await svg.getAttribute('role'), 'img');
    const summary = await page.getByTestId('treaty-summary').innerText();
    assert.equal(await svg.getAttribute('aria-label'), summary, 'the map’s label is the summary sentence');
    const inForceCount = Number(/in force: (\d+)/.exec(summary)?.[1] ?? Number.NaN);
    assert.ok(inForceCount > 50, `ETS 185 has many parties in force on 2026-06-01 (summary: ${summary})`);

    // Legend: an entry per status with its count; the in-force count matches the summary.
    const legend = page.getByTestId('map-legend');
    const inForce = legend.locator('.legend-item[data-status=in-force]');
    assert.match(await inForce.innerText(), new RegExp(`In force \\(${inForceCount}\\)`));
    for (const status of ['consented', 'signed', 'none']) assert.match(await legend.locator(`.legend-item[data-status=${status}]`).innerText(), /\(\d+\)/, `legend ${status} has a count`);

    // ETS 185 parties coloured as in force, with the legend's colour.
    const swatch = (await inForce.locator('.legend-swatch').getAttribute('style')) ?? '';
    for (const party of ['FR', 'US', 'JP', 'DE']) {
      const shape = svg.locator(`.map-country[data-party=${party}]`);
      assert.equal(await shape.getAttribute('data-status'), 'in-force', `${party} is in force`);
      const fill = (await shape.locator('path').first().getAttribute('fill')) ?? '';
      assert.ok(swatch.includes(hexToRgb(fill)) || swatch.toLowerCase().includes(fill.toLowerCase()), `${party} is filled with the legend's in-force colour (${fill} vs ${swatch})`);
    }
    const inForceParties = new Set(await svg.locator('.map-country[data-status=in-force]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-party'))));
    assert.equal(inForceParties.size, inForceCount, 'as many in-force parties on the map as the count says');
    // Small states: present, with a marker circle.
    // (San Marino: a Party since 2019-07-01, added by the review of 2 Dec 2026, issue 15.)
    for (const [party, status] of [['MT', 'in-force'], ['LI', 'in-force'], ['AD', 'in-force'], ['MC', 'in-force'], ['SM', 'in-force']] as const) {
      const shape = svg.locator(`.map-country[data-party=${party}]`);
      assert.equal(await shape.count(), 1, `${party} is on the map`);
      assert.equal(await shape.locator('circle').count(), 1, `${party} has a marker circle`);
      assert.equal(await shape.getAttribute('data-status'), status, `${party} is ${status} under ETS 185`);
    }
    // Monaco's ratification date is unconfirmed: marked unverified (hatched).
    assert.equal(await svg.locator('.map-country[data-party=MC]').getAttribute('data-verified'), 'false');
    // Focus on a country describes it under the map.
    await svg.locator('.map-country[data-party=MT]').focus();
    assert.match(await page.getByTestId('map-status').innerText(), /Malta/);
    // The table by status has France.
    await page.locator('[data-testid=treaty-group-in-force] tr[data-party=FR]').waitFor();
    await e2e.shot(page, 'treaty-explorer-ets185');
    await e2e.axe(page, 'treaty explorer');
    await page.close();
  });

  test('statistics: charts with data, tables and the CSV link', async () => {
    const page = await e2e.pageAs('officer@fr.demo', '/statistics');
    await page.getByTestId('stats-overview').waitFor();
    assert.equal(await page.getByTestId('stats-total').innerText(), '3');
    assert.equal(await page.getByTestId('stats-responded').innerText(), '1');
    // Charts (recharts SVG) with bars, and the same figures in tables.
    // Each chart renders on its own: wait for the second before counting.
    await page.locator('svg.recharts-surface').nth(1).waitFor();
    await page.locator('.recharts-bar-rectangle path, path.recharts-rectangle').nth(1).waitFor();
    const charts = await page.locator('svg.recharts-surface').count();
    const bars = await page.locator('.recharts-bar-rectangle path, path.recharts-rectangle').count();
    console.log(`e2e[pages] statistics: ${charts} charts, ${bars} bars`);
    assert.ok(charts >= 2, `several charts are drawn (${charts})`);
    assert.ok(bars >= 2, `the charts have bars (${bars})`);
    const stateRows = await page.getByTestId('stats-table-state').locator('tbody tr').count();
    assert.ok(stateRows >= 2, 'the table by state has rows');
    assert.ok((await page.getByTestId('stats-table-outgoing').locator('tbody tr').count()) >= 1, 'the outgoing table has a row (FR → US preservation)');
    assert.match(await page.getByTestId('stats-table-outgoing').innerText(), /United States\s+US\b/);
    // The CSV link, and what it serves with the same session.
    const csv = page.getByTestId('stats-csv');
    assert.equal(await csv.getAttribute('href'), '/api/stats.csv');
    assert.notEqual(await csv.getAttribute('download'), null, 'the link downloads');
    const response = await page.request.get('/api/stats.csv');
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'] ?? '', /text\/csv/);
    const text = await response.text();
    assert.equal(text.split('\r\n')[0], 'section,key,party,value');
    assert.match(text, /\r\ntotal,,,3\r\n/);
    // Filters: the instrument chosen goes into the URL, the figures and the CSV link alike.
    await page.getByTestId('stats-instrument').selectOption('EU-2014-41');
    await page.waitForURL(/\/statistics\?instrument=EU-2014-41$/);
    const filtered = (await (await page.request.get('/api/stats?instrument=EU-2014-41')).json()) as { total: number };
    for (let i = 0; i < 100 && (await page.getByTestId('stats-total').innerText()) !== String(filtered.total); i += 1) await page.waitForTimeout(100);
    assert.equal(await page.getByTestId('stats-total').innerText(), String(filtered.total), 'the page shows the filtered figures');
    assert.notEqual(filtered.total, 3, 'the FR → US Budapest requests are not EIO cases');
    assert.equal(await csv.getAttribute('href'), '/api/stats.csv?instrument=EU-2014-41');
    await page.getByTestId('stats-emergency').selectOption('true');
    await page.waitForURL(/emergency=true/);
    await page.getByTestId('stats-instrument').selectOption('');
    await page.waitForURL(/\/statistics\?emergency=true$/);
    assert.equal(await csv.getAttribute('href'), '/api/stats.csv?emergency=true');
    await page.goto('/statistics');
    await page.getByTestId('stats-overview').waitFor();
    await e2e.shot(page, 'statistics');
    await e2e.axe(page, 'statistics');
    await page.close();
  });

  test('axe: cases list, case page and the wizard’s first step', async () => {
    const page = await e2e.pageAs('officer@fr.demo', '/cases');
    const rows = page.locator('main table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    await e2e.shot(page, 'cases-list');
    await e2e.axe(page, 'cases list');

    // The seeded answered case (state responded).
    await rows.filter({ hasText: 'Responded' }).first().getByRole('link').click();
    await page.getByTestId('case-summary').waitFor();
    await page.locator('[data-testid=case-state][data-state=responded]').waitFor();
    await page.getByTestId('case-response').waitFor();
    answeredCasePath = new URL(page.url()).pathname;
    await e2e.shot(page, 'case-page-responded');
    await e2e.axe(page, `case page (${answeredCasePath})`);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New request' }).click();
    await page.getByLabel('Requested authority').waitFor();
    await e2e.shot(page, 'wizard-step-1');
    await e2e.axe(page, 'wizard, first step');
    await page.close();
    assert.deepEqual(e2e.pageErrors, [], 'no uncaught error in any page');
  });
});
