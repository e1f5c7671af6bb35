/**
 * End to end: the cases list with 10,000 cases of one authority. The cases are written straight
 * into the running server's SQLite database (WAL mode lets this process write beside the server):
 * copies of the seeded French draft — same request document, new ids, references and times — each
 * with its `create` history event, in batches inside transactions. Then the list is opened in
 * Chromium: it must render one page of rows only, page forward and jump to the last page.
 * Times are printed; only a generous bound is asserted so that the test cannot be flaky.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Insertable } from 'kysely';
import { openDatabase, resolveDbConfig, uuidv7, type CaseEventsTable, type CasesTable, type DatabaseHandle } from '../../src/db/index.js';
import { chromiumSkipReason, E2E, formatMs } from './harness.js';

const skip = chromiumSkipReason();

const EXTRA_CASES = 10_000;
const BATCH = 500;
const PAGE_SIZE = 25; // the list's default (src/web/pages/Cases.tsx)
const AUTHORITY = 'fr-ca';
const USER = 'officer@fr.demo';
/** Generous: the list answers in well under a second on this machine; 10 s means something is broken. */
const BOUND_MS = 10_000;

describe('many cases: the cases list with 10,000 cases of one authority', { skip }, () => {
  const e2e = new E2E('many-cases');
  let handle: DatabaseHandle | null = null;
  let suiteStarted = 0;
  let total = 0;

  before(async () => {
    suiteStarted = performance.now();
    await e2e.start();
  });

  after(async () => {
    await handle?.close();
    if (suiteStarted) e2e.timings.add('many-cases suite total', performance.now() - suiteStarted);
    await e2e.close();
  });

  test(`insert ${EXTRA_CASES.toLocaleString('en')} cases into the running server's database`, async () => {
    handle = await openDatabase(resolveDbConfig({ COMITY_DATA_DIR: e2e.dataDir }));
    const db = handle.db;
    const template = await db.selectFrom('cases').selectAll().where('requesting_authority_id', '=', AUTHORITY).where('state', '=', 'draft').orderBy('created_at').executeTakeFirstOrThrow();
    const templateEvent = await db.selectFrom('case_events').selectAll().where('case_id', '=', template.id).where('event', '=', 'create').executeTakeFirstOrThrow();
    const before = Number((await db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('requesting_authority_id', '=', AUTHORITY).executeTakeFirstOrThrow()).n);

    const started = performance.now();
    const base = Date.now() - EXTRA_CASES * 60_000; // one case a minute, the newest now
    const run = Date.now().toString(36).toUpperCase();
    for (let offset = 0; offset < EXTRA_CASES; offset += BATCH) {
      const cases: Insertable<CasesTable>[] = [];
      const events: Insertable<CaseEventsTable>[] = [];
      for (let i = offset; i < Math.min(offset + BATCH, EXTRA_CASES); i++) {
        const at = base + i * 60_000;
        const iso = new Date(at).toISOString();
        const id = uuidv7(at);
        const reference = `FR-2026-E2E${run}-${String(i).padStart(5, '0')}`;
        const request = template.request === null ? null : JSON.stringify({ ...(JSON.parse(template.request) as Record<string, unknown>), references: { requesting: `PARQUET-E2E-${run}-${i}` } });
        cases.push({ ...template, id, reference, request, version: 1, created_at: iso, updated_at: iso });
        events.push({ ...templateEvent, id: uuidv7(at), case_id: id, at: iso });
      }
      await db.transaction().execute(async (trx) => {
        // 24 columns × 500 rows stays far below SQLite's limit of bound parameters.
        await trx.insertInto('cases').values(cases).execute();
        await trx.insertInto('case_events').values(events).execute();
      });
    }
    const insertMs = e2e.timings.add(`insert ${EXTRA_CASES} cases + events (${EXTRA_CASES / BATCH} transactions of ${BATCH})`, performance.now() - started);
    total = Number((await db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('requesting_authority_id', '=', AUTHORITY).executeTakeFirstOrThrow()).n);
    assert.equal(total, before + EXTRA_CASES);
    console.log(`e2e[many-cases] ${AUTHORITY} now has ${total} cases (${formatMs(insertMs)} to insert ${EXTRA_CASES})`);
  });

  test('the list renders one page, pages forward and jumps to the last page', async () => {
    assert.ok(total > EXTRA_CASES, 'the cases were inserted');
    const page = await e2e.pageAs(USER);
    const rows = page.locator('main table tbody tr');
    const status = page.locator('main .list-status');
    const fmt = (n: number) => n.toLocaleString('en-GB');

    // First page: time from navigation to the first rows.
    let started = performance.now();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await rows.first().waitFor({ timeout: BOUND_MS });
    const firstRowsMs = e2e.timings.add('cases list: click → first rows', performance.now() - started);
    await status.filter({ hasText: `1–${PAGE_SIZE} of ${fmt(total)} cases` }).waitFor();
    const firstCount = await rows.count();
    assert.ok(firstCount <= PAGE_SIZE, `only one page of rows in the DOM (${firstCount} ≤ ${PAGE_SIZE})`);
    assert.equal(firstCount, PAGE_SIZE);
    const pages = Math.ceil(total / PAGE_SIZE);
    const pagination = page.getByRole('navigation', { name: 'Pages' });
    assert.match(await pagination.innerText(), new RegExp(`Page 1 of ${fmt(pages)}`));
    const firstReference = await rows.first().getByRole('link').innerText();
    // Newest change first: the seeded cases (changed at start-up), then the inserted ones.
    assert.ok((await rows.filter({ hasText: 'FR-2026-E2E' }).count()) >= PAGE_SIZE - 3, 'the first page is mostly inserted cases');
    await e2e.shot(page, 'cases-page-1');

    // Next page.
    started = performance.now();
    await pagination.getByRole('link', { name: 'Next page' }).click();
    await status.filter({ hasText: `${PAGE_SIZE + 1}–${2 * PAGE_SIZE} of ${fmt(total)} cases` }).waitFor({ timeout: BOUND_MS });
    await page.locator('main table[aria-busy=false]').waitFor();
    const nextPageMs = e2e.timings.add('cases list: next page', performance.now() - started);
    assert.match(page.url(), /[?&]page=2\b/);
    assert.ok((await rows.count()) <= PAGE_SIZE);
    assert.notEqual(await rows.first().getByRole('link').innerText(), firstReference, 'page 2 shows other cases');
    assert.match(await pagination.innerText(), new RegExp(`Page 2 of ${fmt(pages)}`));
    await e2e.shot(page, 'cases-page-2');

    // Last page: offset paging all the way.
    started = performance.now();
    await pagination.getByRole('link', { name: 'Last page' }).click();
    const lastFrom = (pages - 1) * PAGE_SIZE + 1;
    await status.filter({ hasText: `${fmt(lastFrom)}–${fmt(total)} of ${fmt(total)} cases` }).waitFor({ timeout: BOUND_MS });
    await page.locator('main table[aria-busy=false]').waitFor();
    const lastPageMs = e2e.timings.add('cases list: last page', performance.now() - started);
    assert.equal(await rows.count(), total - (pages - 1) * PAGE_SIZE);
    await e2e.shot(page, 'cases-last-page');

    // An inserted case opens (the rows are valid cases).
    await page.goto('/cases');
    await rows.filter({ hasText: 'FR-2026-E2E' }).first().getByRole('link').click();
    await page.locator('[data-testid=case-state][data-state=draft]').waitFor();
    await page.getByTestId('case-summary').waitFor();
    await e2e.shot(page, 'inserted-case-page');

    console.log(`e2e[many-cases] first rows ${formatMs(firstRowsMs)}, next page ${formatMs(nextPageMs)}, last page ${formatMs(lastPageMs)} (bound asserted: ${formatMs(BOUND_MS)})`);
    for (const [label, ms] of [['first rows', firstRowsMs], ['next page', nextPageMs], ['last page', lastPageMs]] as const) assert.ok(ms < BOUND_MS, `${label} within ${formatMs(BOUND_MS)} (took ${formatMs(ms)})`);
    await page.close();
    assert.deepEqual(e2e.pageErrors, [], 'no uncaught error in any page');
  });
});
