/**
 * Federation through the API with real servers: France (`comity serve --demo`, SQLite) and the
 * United States (the same, on PostgreSQL when it answers, else SQLite) as separate processes on
 * loopback, trusting each other through a trust folder. The French preservation request is
 * drafted, approved and sent through the French API; the US officer receives, decides, executes
 * and responds through the US API; the French side sees every step and closes the case; each
 * side's deliveries are `delivered` (the request `read`: the US officer opened it).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { totpStep } from '../../src/auth/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { freePort } from '../../bench/exchange-cluster.js';
import { postgresProbe } from '../db/dialects.js';
import { freshPostgresDatabase } from './pg-database.js';
import { createHash } from 'node:crypto';
import { openDatabase, resolveDbConfig, type DatabaseHandle } from '../../src/db/index.js';
import { readDemoOutput, signIn, until, type DemoServer } from './sessions.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'comity-servers-'));
const children: ChildProcess[] = [];
let dropDb: (() => Promise<void>) | null = null;
after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
});

async function postgresDatabase(): Promise<string | null> {
  if (!postgresProbe.reachable) return null;
  const database = await freshPostgresDatabase('comity_servers');
  dropDb = database.drop;
  return database.url;
}

type Server = DemoServer;

async function startServer(name: string, nodeId: string, hosted: string, databaseUrl: string | null): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(COMITY_|DATABASE_)/.test(key)) env[key] = value;
  Object.assign(env, {
    COMITY_DATA_DIR: join(dir, name),
    COMITY_HOST: '127.0.0.1',
    COMITY_PORT: String(port),
    COMITY_LOG_LEVEL: 'warn',
    COMITY_SECURE_COOKIES: 'false',
    COMITY_NODE_ID: nodeId,
    COMITY_NODE_ENDPOINT: `http://127.0.0.1:${port}`,
    COMITY_NODE_HOST: hosted,
    COMITY_PEER_DIR: join(dir, 'peers'),
    // Checkpoints (and witnessing: submission to the peer, comparison of views) every second.
    COMITY_LEDGER_CHECKPOINT_SECONDS: '1',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'comity.js'), 'serve', '--demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const totp = new Map<string, string>();
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      readDemoOutput(output, totp);
      if (output.includes('Federation node') && /TOTP secret/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${output}`)));
  });
  const password = readDemoOutput(output, totp);
  return { url: `http://127.0.0.1:${port}`, totp, password, seedStep: totpStep(new Date()) };
}

it('France (SQLite) and the United States (PostgreSQL) as separate servers: the preservation journey through both APIs', { timeout: 180_000 }, async () => {
  let usUrl: string | null = null;
  const [fr, us] = await Promise.all([
    startServer('fr', 'FR:justice.gouv.fr', 'fr-ca,fr-parquet-paris', null),
    postgresDatabase().then((url) => startServer('us', 'US:oia.justice.gov', 'us-doj-oia', (usUrl = url))),
  ]);
  const frOfficer = await signIn(fr, 'officer@fr.demo');
  const frJudge = await signIn(fr, 'judge@fr.demo');
  const usOfficer = await signIn(us, 'officer@us.demo');
  // Each node found the other's agreement in the trust folder.
  await until(() => fetch(`${fr.url}/api/exchange/jwks`).then((r) => r.json() as Promise<{ keys: unknown[] }>), (j) => j.keys.length >= 4, 'French JWKS');

  // Each node imports the agreements it finds in the trust folder every 2 s: until the French node
  // knows the US authority (from the US agreement), the request cannot be drafted to it.
  const created = await until(
    () => frOfficer('POST', '/api/cases', preservationRequestFrToUs({ references: { requesting: 'FED-API-1' } })).catch((e: Error) => (/unknown-authority/.test(e.message) ? null : Promise.reject(e))),
    (c) => c !== null,
    'the French node to know the US authority',
  ) as Record<string, unknown>;
  const id = String(created.id);
  await frJudge('POST', `/api/cases/${id}/events/approve`, { review: DEMO_REVIEW });
  await until(
    () => frOfficer('POST', `/api/cases/${id}/events/send`, {}).then(() => true, (e: Error) => (/unknown-authority|not a trusted/.test(e.message) ? false : Promise.reject(e))),
    (ok) => ok,
    'the French node to trust the US node',
  );
  const incoming = await until(() => usOfficer('GET', `/api/cases/${id}`).catch(() => ({ state: 'absent' })), (c) => c.state === 'sent', 'the request on the US node');
  assert.equal((incoming as Record<string, unknown>).id, id);

  for (const [event, body] of [
    ['receive', {}],
    ['acknowledge', {}],
    ['start-assessment', {}],
    ['accept', { assessment: { grounds: [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }], decision: 'accept' } }],
    ['execute', {}],
    ['respond', { response: { summary: 'Data preserved under 18 U.S.C. § 2703(f) until 2027-02-28.' } }],
  ] as const) {
    await usOfficer('POST', `/api/cases/${id}/events/${event}`, body);
  }
  await until(() => frOfficer('GET', `/api/cases/${id}`), (c) => c.state === 'responded', 'the response on the French node');
  await frOfficer('POST', `/api/cases/${id}/events/close`, {});
  await until(() => usOfficer('GET', `/api/cases/${id}`), (c) => c.state === 'closed', 'the closing on the US node');
  type Delivery = { messageId: string; type: string; state: string };
  const settled = (d: Delivery[]) => d.every((m) => m.state === 'delivered' || m.state === 'read');
  const frDeliveries = await until(async () => (await frOfficer('GET', `/api/cases/${id}/deliveries`)) as unknown as Delivery[], settled, 'French deliveries');
  const usDeliveries = await until(async () => (await usOfficer('GET', `/api/cases/${id}/deliveries`)) as unknown as Delivery[], settled, 'US deliveries');
  // The US officer opened the request: the French side shows it read.
  assert.deepEqual(frDeliveries.map((d) => [d.type, d.state]), [['request', 'read'], ['closing', 'delivered']]);
  assert.deepEqual(usDeliveries.map((d) => [d.type, d.state]), ['notice', 'acknowledgement', 'acknowledgement', 'notice', 'decision', 'execution', 'response'].map((t) => [t, 'delivered']));

  // Receipts in both ledgers (issue 12): for every message, the receiver's `receipt-issued` leaf
  // and the sender's `receipt-received` leaf carry the same receipt digest (metadata and digests only).
  const frDb = await openDatabase(resolveDbConfig({ COMITY_DATA_DIR: join(dir, 'fr') }));
  const usDb = await openDatabase(resolveDbConfig({ COMITY_DATA_DIR: join(dir, 'us'), ...(usUrl ? { DATABASE_URL: usUrl } : {}) }));
  try {
    type Leaf = { log: string; kind: string; outcome: string | null; message_id: string; peer: string; digest: string };
    const leaves = async (handle: DatabaseHandle): Promise<Leaf[]> =>
      (await handle.db.selectFrom('ledger_entries').select('leaf').where('source', '=', 'record').execute()).map((r) => JSON.parse(r.leaf ?? '{}') as Leaf).filter((l) => l.log === 'exchange');
    const [frLeaves, usLeaves] = [await leaves(frDb), await leaves(usDb)];
    // Only this case's messages: the French demo also sends a request of its own to the US node
    // (seedDemoExchange, once the peers trust each other), whose receipt may already be logged.
    const ofThisCase = new Set([...frDeliveries, ...usDeliveries].map((d) => d.messageId));
    const pairs = (senderSide: Leaf[], receiverSide: Leaf[]) =>
      senderSide.filter((l) => l.kind === 'receipt-received' && ofThisCase.has(l.message_id)).map((sent) => [sent, receiverSide.find((r) => r.kind === 'receipt-issued' && r.message_id === sent.message_id)] as const);
    const frSent = pairs(frLeaves, usLeaves);
    const usSent = pairs(usLeaves, frLeaves);
    assert.equal(frSent.length, 2, 'the request and the closing');
    assert.equal(usSent.length, 7);
    for (const [sent, issued] of [...frSent, ...usSent]) {
      assert.ok(issued, `the receiver logged the receipt of ${sent.message_id}`);
      assert.equal(issued.digest, sent.digest);
      assert.equal(issued.outcome, 'accepted');
      assert.match(sent.digest, /^[0-9a-f]{64}$/);
    }
    assert.ok(!JSON.stringify([...frLeaves, ...usLeaves]).includes('2703(f)'), 'no message content in the log');
    // Witnessing through the production routes: each node holds a cosignature of its log by the other.
    const cosigned = (handle: DatabaseHandle, witness: string) => handle.db.selectFrom('ledger_cosignatures').select('size').where('node_id', '=', witness).execute();
    await until(() => cosigned(frDb, 'US:oia.justice.gov'), (rows) => rows.length > 0, 'a US cosignature of the French log');
    await until(() => cosigned(usDb, 'FR:justice.gouv.fr'), (rows) => rows.length > 0, 'a French cosignature of the US log');
    const view = await fetch(`${us.url}/api/witness/${createHash('sha256').update('comity.fr-justice.gouv.fr/log').digest('hex')}/checkpoint`);
    assert.equal(view.status, 200);
    assert.match(await view.text(), /^comity\.fr-justice\.gouv\.fr\/log\n\d+\n/);
    assert.equal((await fetch(`${us.url}/api/witness/add-checkpoint`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'old 0\n\nnot a checkpoint\n' })).status, 400);
    // tlog-witness names no media type for the request: any, or none, is read as the protocol's text (a 415 before).
    for (const headers of [{ 'content-type': 'application/octet-stream' }, {}] as Record<string, string>[]) {
      const answer = await fetch(`${us.url}/api/witness/add-checkpoint`, { method: 'POST', headers, body: new TextEncoder().encode('old 0\n\nnot a checkpoint\n') });
      assert.equal(answer.status, 400, JSON.stringify(headers));
      assert.equal(((await answer.json()) as { code: string }).code, 'witness-malformed');
    }
  } finally {
    await frDb.close();
    await usDb.close();
  }
});
