/**
 * The provider's inbox and transparency report over HTTP: only the provider's own orders, the
 * verification of each, the report as JSON and CSV, the Art. 28 figures, and a quarantined order
 * refused with `order-quarantined` when its provider tries to answer it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '../../src/db/index.js';
import type { Checks } from '../../src/provider/reasons.js';
import { assertProblem, buildTestApp, type TestApp } from '../http/harness.js';

const pass = { status: 'pass', detail: 'ok' } as const;
const checks = (failed?: { name: keyof Checks; code: string }): Checks => {
  const all: Checks = { signature: pass, authority: pass, log: pass, emergency: { status: 'not-applicable', detail: '' }, replay: pass };
  if (failed) all[failed.name] = { status: 'fail', code: failed.code as never, detail: 'failed' };
  return all;
};

describe('provider routes', () => {
  let t: TestApp;
  const quarantinedCase = randomUUID();
  before(async () => {
    t = await buildTestApp();
    const at = new Date().toISOString();
    const row = (over: Record<string, unknown>) => ({
      id: uuidv7(Date.now()),
      message_id: randomUUID(),
      order_ref: `FR-${randomUUID()}`,
      conversation_id: randomUUID(),
      received_at: at,
      sender_node_id: 'FR:justice.gouv.fr',
      issuing_authority_id: 'fr-parquet-paris',
      issuing_party: 'FR',
      provider_authority_id: 'ie-provider',
      instrument: 'EU-2023-1543',
      order_kind: 'EPOC',
      data_category: 'content-data',
      emergency: 0,
      issued_at: at,
      status: 'verified',
      reasons: '[]',
      checks: JSON.stringify(checks()),
      summary: '{}',
      digest: 'ab'.repeat(32),
      due_at: null,
      outcome: null,
      outcome_at: null,
      ...over,
    });
    await t.handle.db.insertInto('provider_orders').values(row({})).execute();
    await t.handle.db
      .insertInto('provider_orders')
      .values(row({ conversation_id: quarantinedCase, status: 'quarantined', reasons: '["order-validation-missing"]', checks: JSON.stringify(checks({ name: 'authority', code: 'order-validation-missing' })), outcome: 'quarantined' }))
      .execute();
    await t.handle.db.insertInto('provider_orders').values(row({ provider_authority_id: 'us-doj-oia', issuing_party: 'DE' })).execute();
  });
  after(() => t.close());

  it('lists only the provider’s own orders, with each check', async () => {
    const agent = await t.as('agent@provider.demo');
    const response = await agent.get('/api/provider/orders');
    assert.equal(response.statusCode, 200);
    const orders = response.json() as { status: string; reasons: string[]; checks: Checks; answerable: boolean; outcome: string }[];
    assert.equal(orders.length, 2);
    const quarantined = orders.find((o) => o.status === 'quarantined');
    assert.deepEqual(quarantined?.reasons, ['order-validation-missing']);
    assert.equal(quarantined?.checks.authority.status, 'fail');
    assert.equal(quarantined?.answerable, false);
    assert.equal(quarantined?.outcome, 'quarantined');
    const only = await agent.get('/api/provider/orders?status=quarantined');
    assert.equal((only.json() as unknown[]).length, 1);
    assertProblem(await agent.get('/api/provider/orders?status=maybe'), 400);
    // Another authority's user sees none of them; a drafter may not read the provider inbox at all.
    assertProblem(await (await t.as('drafter@fr.demo')).get('/api/provider/orders'), 403, 'forbidden');
    const auditor = await t.as('auditor@fr.demo');
    assert.deepEqual((await auditor.get('/api/provider/orders')).json(), []);
    assertProblem(await t.anonymous.get('/api/provider/orders'), 401);
  });

  it('reports by State, instrument, category and outcome, as JSON and CSV, and the Art. 28 figures', async () => {
    const agent = await t.as('agent@provider.demo');
    const report = (await agent.get('/api/provider/report')).json() as { total: number; byOutcome: Record<string, number>; byState: { key: string; total: number }[]; byReason: { key: string; count: number }[] };
    assert.equal(report.total, 2);
    assert.equal(report.byOutcome.quarantined, 1);
    assert.equal(report.byOutcome.pending, 1);
    assert.deepEqual(report.byState.map((s) => [s.key, s.total]), [['FR', 2]]);
    assert.deepEqual(report.byReason, [{ key: 'order-validation-missing', count: 1 }]);
    const csv = await agent.get('/api/provider/report.csv');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines[0], 'section,key,outcome,value');
    assert.ok(lines.includes('state,FR,total,2'));
    assert.ok(lines.includes('quarantine-reason,order-validation-missing,quarantined,1'));
    assertProblem(await agent.get('/api/provider/report?from=yesterday'), 400);
    const art28 = (await agent.get('/api/provider/art28')).json() as { citation: { verified: boolean; source: string }; figures: { id: string; value: unknown }[] };
    assert.equal(art28.citation.verified, false);
    assert.match(art28.citation.source, /eur-lex/);
    assert.equal(art28.figures.find((f) => f.id === 'emergency-orders')?.value, 0);
    assert.equal(art28.figures.find((f) => f.id === 'notifications')?.value, null);
  });

  it('refuses to answer a quarantined order with order-quarantined', async () => {
    const agent = await t.as('agent@provider.demo');
    const response = await agent.post(`/api/cases/${quarantinedCase}/events/respond`, { response: { summary: 'data' } });
    const problem = assertProblem(response, 409, 'order-quarantined');
    assert.match(problem.detail ?? '', /order-validation-missing/);
    // Another authority learns nothing: the case does not exist for it.
    const other = await t.as('officer@us.demo');
    assert.notEqual((await other.post(`/api/cases/${quarantinedCase}/events/respond`, {})).statusCode, 409);
  });
});
