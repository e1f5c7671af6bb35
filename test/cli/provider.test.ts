/**
 * `comity provider …` on a SQLite node: the orders with their verification, the transparency
 * report (text, CSV, JSON), the Art. 28 figures, and bad input (one line, exit 2).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openDatabase, resolveDbConfig, uuidv7 } from '../../src/db/index.js';
import { DEMO_AUTHORITIES } from '../../src/demo/data.js';

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

describe('comity provider', () => {
  before(async () => {
    process.env.COMITY_DATA_DIR = join(mkdtempSync(join(tmpdir(), 'comity-cli-provider-')), 'data');
    delete process.env.DATABASE_URL;
    const handle = await openDatabase(resolveDbConfig(process.env));
    try {
      await handle.migrate();
      const at = new Date().toISOString();
      for (const a of DEMO_AUTHORITIES) {
        await handle.db.insertInto('authorities').values({ id: a.id, party: a.party, kind: a.kind, name: a.name, time_zone: a.timeZone, languages: '["en"]', contact: '{}', created_at: at }).execute();
      }
      const pass = { status: 'pass', detail: 'ok' };
      const row = (status: string, reasons: string[], category: string) => ({
        id: uuidv7(Date.now()),
        message_id: randomUUID(),
        order_ref: null,
        conversation_id: randomUUID(),
        received_at: at,
        sender_node_id: 'FR:justice.gouv.fr',
        issuing_authority_id: 'fr-parquet-paris',
        issuing_party: 'FR',
        provider_authority_id: 'ie-provider',
        instrument: 'EU-2023-1543',
        order_kind: 'EPOC',
        data_category: category,
        emergency: 0,
        issued_at: at,
        status,
        reasons: JSON.stringify(reasons),
        checks: JSON.stringify({ signature: pass, authority: reasons.length ? { status: 'fail', code: reasons[0], detail: 'x' } : pass, log: pass, emergency: { status: 'not-applicable', detail: '' }, replay: pass }),
        summary: '{}',
        digest: '00'.repeat(32),
        due_at: null,
        outcome: null,
        outcome_at: null,
      });
      await handle.db.insertInto('provider_orders').values(row('verified', [], 'subscriber-data')).execute();
      await handle.db.insertInto('provider_orders').values(row('quarantined', ['order-validation-missing'], 'content-data')).execute();
    } finally {
      await handle.close();
    }
  });

  test('orders: every order with its checks; --quarantined with its reasons', async () => {
    const all = await run('provider', 'orders');
    assert.equal(all.code, 0, all.stderr.join('\n'));
    assert.equal(all.stdout.split('\n').length, 2);
    const q = await run('provider', 'orders', '--quarantined');
    assert.match(q.stdout, /quarantined .*authority:fail .*reasons: order-validation-missing/);
    assert.equal(q.stdout.split('\n').length, 1);
    const json = JSON.parse((await run('provider', 'orders', '--json')).stdout) as unknown[];
    assert.equal(json.length, 2);
  });

  test('report: text, CSV and JSON; Art. 28', async () => {
    const text = await run('provider', 'report');
    assert.match(text.stdout, /orders 2: answered 0, refused 0, pending 1, quarantined 1/);
    const csv = await run('provider', 'report', '--csv');
    assert.equal(csv.code, 0);
    const lines = csv.stdout.split('\r\n');
    assert.equal(lines[0], 'section,key,outcome,value');
    assert.ok(lines.includes('category,content-data,quarantined,1'));
    assert.equal((JSON.parse((await run('provider', 'report', '--json')).stdout) as { total: number }).total, 2);
    const art28 = await run('provider', 'art28', '--year', '2026');
    assert.match(art28.stdout, /UNVERIFIED/);
  });

  test('bad input: one line, exit 2', async () => {
    for (const args of [['provider', 'report', '--from', 'yesterday'], ['provider', 'report', '--csv', '--json'], ['provider', 'art28', '--year', '1999'], ['provider', 'orders', '--authority', 'fr-ca']]) {
      const result = await run(...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr.length, 1);
      assert.match(result.stderr[0] ?? '', /^comity: /);
    }
  });
});
