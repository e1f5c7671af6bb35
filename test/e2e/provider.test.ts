/**
 * End to end: the provider's response team opens its inbox in Chromium — a verified order with
 * every check passed and a link to its case, a quarantined one with the failed check, its reason
 * and no answer action — and the transparency report with its charts; axe finds no violation.
 * The orders are written into the node's database as the gate writes them (the gate itself is
 * tested with real nodes in test/provider/fake-orders.test.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openDatabase, resolveDbConfig, uuidv7 } from '../../src/db/index.js';
import { assertFitsWidth, chromiumSkipReason, E2E } from './harness.js';

const skip = chromiumSkipReason();

describe('provider node: inbox with verification, transparency report', { skip }, () => {
  const e2e = new E2E('provider');
  before(async () => {
    await e2e.start();
    const handle = await openDatabase(resolveDbConfig({ COMITY_DATA_DIR: e2e.dataDir }));
    try {
      const at = new Date().toISOString();
      const pass = { status: 'pass', detail: 'ok' };
      const base = {
        order_ref: null,
        received_at: at,
        sender_node_id: 'FR:justice.gouv.fr',
        issuing_party: 'FR',
        provider_authority_id: 'ie-provider',
        instrument: 'EU-2023-1543',
        order_kind: 'EPOC',
        emergency: 0,
        issued_at: at,
        summary: '{}',
        digest: 'ab'.repeat(32),
        due_at: new Date(Date.now() + 240 * 3600_000).toISOString(),
        outcome: null,
        outcome_at: null,
      };
      const verifiedCase = await handle.db.selectFrom('cases').select('id').where('addressee_id', '=', 'ie-provider').executeTakeFirst();
      await handle.db
        .insertInto('provider_orders')
        .values({ ...base, id: uuidv7(Date.now()), message_id: randomUUID(), conversation_id: verifiedCase?.id ?? randomUUID(), issuing_authority_id: 'fr-parquet-paris', data_category: 'subscriber-data', status: 'verified', reasons: '[]', checks: JSON.stringify({ signature: pass, authority: pass, log: pass, emergency: { status: 'not-applicable', detail: '' }, replay: pass }) })
        .execute();
      await handle.db
        .insertInto('provider_orders')
        .values({
          ...base,
          id: uuidv7(Date.now()),
          message_id: randomUUID(),
          conversation_id: randomUUID(),
          issuing_authority_id: 'fr-ocl-police',
          data_category: 'content-data',
          status: 'quarantined',
          reasons: '["order-validation-missing"]',
          checks: JSON.stringify({ signature: pass, authority: { status: 'fail', code: 'order-validation-missing', detail: 'an other-competent-authority may issue an EPOC for content-data once validated by judge, court, investigating-judge: the order bears no validation signature' }, log: pass, emergency: { status: 'not-applicable', detail: '' }, replay: pass }),
          outcome: 'quarantined',
        })
        .execute();
    } finally {
      await handle.close();
    }
  });
  after(() => e2e.close());

  test('inbox: a badge per check; the quarantined order shows its reason and no answer action', async () => {
    const page = await e2e.pageAs('agent@provider.demo', '/provider');
    const table = page.getByTestId('provider-orders');
    await table.waitFor();
    const rows = table.getByTestId('provider-order');
    assert.equal(await rows.count(), 2);
    const quarantined = table.locator('[data-status="quarantined"]');
    assert.equal(await quarantined.locator('[data-check-status="fail"]').count(), 1);
    assert.match(await quarantined.innerText(), /needs a validation by a judge/);
    assert.match(await quarantined.innerText(), /Cannot be answered with data/);
    assert.equal(await quarantined.getByRole('link').count(), 0, 'no way to answer a quarantined order');
    const verified = table.locator('[data-status="verified"]');
    assert.equal(await verified.locator('[data-check-status="pass"]').count(), 4);
    await e2e.shot(page, 'provider-inbox');
    await e2e.axe(page, 'provider inbox');
    await page.close();
  });

  test('transparency report: charts, tables, CSV link and the Art. 28 figures', async () => {
    const page = await e2e.pageAs('agent@provider.demo', '/provider/report');
    await page.getByTestId('provider-overview').waitFor();
    assert.equal(await page.getByTestId('provider-total').innerText(), '2');
    assert.equal(await page.getByTestId('provider-outcome-quarantined').innerText(), '1');
    assert.match(await page.getByTestId('provider-table-state').innerText(), /FR/);
    await page.getByTestId('provider-art28').waitFor();
    assert.ok((await page.locator('.recharts-surface').count()) >= 3, 'charts drawn');
    assert.equal(await page.getByTestId('provider-csv').getAttribute('href'), '/api/provider/report.csv');
    await e2e.shot(page, 'provider-report');
    await e2e.axe(page, 'provider report');
    // On a narrow window the six-column tables scroll inside their panel (a focusable region), not the page.
    await assertFitsWidth(page, 700, 'provider report');
    await e2e.axe(page, 'provider report at 700 px');
    await page.close();
  });
});
