/**
 * `comity demo` (what `npm start` runs) end to end: four node processes, each with its own
 * database and keys. Each node seeds only the authorities it hosts — the US node knows no French
 * authority until it imports the French agreement, and no German or Japanese one at all — so the
 * French demo request travels to the US node and the Paris prosecutor's order to the Irish
 * provider's node, over real HTTP. The start-up output gives each node's URL and its logins.
 * Then, as a user of the demo would, the French investigating judge addresses a content-data EPOC
 * to Example Mail — a provider the French node knows only from the Irish provider node's
 * agreement — which the provider's node verifies (the judge's Art. 4 kind is in the French
 * agreement) and the Irish enforcing authority's node is notified of (Art. 8).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { totpStep } from '../../src/auth/index.js';
import { DEMO_EXCHANGE_CASES } from '../../src/demo/seed.js';
import { freePort } from '../../bench/exchange-cluster.js';
import { readDemoOutput, signIn, until, type DemoServer } from './sessions.js';
import { epocCertificate } from '../eorders/certificate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'comity-demo-'));
let stop: (() => Promise<void>) | null = null;
after(async () => {
  await stop?.();
  rmSync(dir, { recursive: true, force: true });
});

type CaseList = { cases: { id: string; state: string; requestingAuthorityId?: string; addresseeId?: string; references?: { requesting?: string } }[] };

it('npm start: four nodes seed only their own authorities; the French request reaches the US node, the orders the Irish provider', { timeout: 300_000 }, async () => {
  // Four consecutive free ports (the demo numbers its nodes from COMITY_PORT).
  let first = await freePort();
  while (first > 65000) first = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(COMITY_|DATABASE_)/.test(key)) env[key] = value;
  Object.assign(env, { COMITY_DATA_DIR: dir, COMITY_PORT: String(first), COMITY_SECURE_COOKIES: 'false', COMITY_HOST: '127.0.0.1' });
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'comity.js'), 'demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(async () => output, (o) => o.includes('All 4 nodes run'), 'the four nodes', 180_000);

  // The start-up output: each node's URL and its own logins (with the TOTP secrets the officers need).
  const node = (name: string, port: number): DemoServer => {
    const own = output.split('\n').filter((line) => line.startsWith(`[${name}] `)).join('\n');
    const totp = new Map<string, string>();
    const password = readDemoOutput(own, totp);
    assert.ok(own.includes(`running at http://localhost:${port}`), `${name}: URL printed`);
    assert.ok(password.startsWith('demo-'), `${name}: password printed`);
    return { url: `http://127.0.0.1:${port}`, totp, password, seedStep: totpStep(new Date()) };
  };
  const fr = node('france', first);
  const us = node('united-states', first + 1);
  const ie = node('ireland-provider', first + 2);
  const iee = node('ireland', first + 3);
  assert.match(output, /\[france\]\s+officer@fr\.demo\s/);
  assert.match(output, /\[united-states\]\s+officer@us\.demo\s/);
  assert.match(output, /\[ireland-provider\]\s+agent@provider\.demo\s/);
  assert.match(output, /\[ireland\]\s+enforcing@ie\.demo\s/);
  assert.doesNotMatch(output, /\[united-states\]\s+\S+@fr\.demo/, 'the US node has no French users');

  const usOfficer = await signIn(us, 'officer@us.demo');
  const agent = await signIn(ie, 'agent@provider.demo');
  const frOfficer = await signIn(fr, 'officer@fr.demo');
  // The requests arrive on the peers' nodes, sent from the French node.
  const usCases = await until(() => usOfficer('GET', '/api/cases') as Promise<CaseList>, (l) => l.cases.length >= 1, 'the French request on the US node', 90_000);
  assert.equal(usCases.cases.length, 1, 'only the sent request travels (the draft and the approved one stay in France)');
  const request = usCases.cases[0]!;
  assert.equal(request.state, 'sent');
  const ieCases = await until(() => agent('GET', '/api/cases') as Promise<CaseList>, (l) => l.cases.length >= 1, 'the order on the provider node', 90_000);
  assert.equal(ieCases.cases[0]!.state, 'sent');
  // The US officer receives it: the French node sees the step.
  await usOfficer('POST', `/api/cases/${request.id}/events/receive`, {});
  await until(() => frOfficer('GET', `/api/cases/${request.id}`), (c) => c.state === 'received', 'the receipt on the French node');
  const frCases = (await frOfficer('GET', '/api/cases')) as CaseList;
  assert.deepEqual(frCases.cases.map((c) => c.state).sort(), ['approved', 'draft', 'received']);

  // Each node's directory: its own authorities and its peers' (from their agreements), nothing else.
  const directory = async (call: typeof usOfficer) => ((await call('GET', '/api/authorities')) as unknown as { id: string }[] | { items: { id: string }[] });
  const ids = (d: Awaited<ReturnType<typeof directory>>) => (Array.isArray(d) ? d : d.items).map((a) => a.id).sort();
  assert.deepEqual(ids(await directory(usOfficer)), ['fr-247', 'fr-ca', 'fr-parquet-paris', 'fr-tj-paris', 'ie-enforcing', 'ie-provider', 'us-247', 'us-doj-oia']);
  assert.ok(output.includes(`Demo cases made and sent to the peers: ${DEMO_EXCHANGE_CASES.draft}`));

  // The French investigating judge's content-data EPOC to Example Mail. The French node seeds no
  // provider: Example Mail comes from the Irish provider node's agreement, with the node it is on.
  const judge = await signIn(fr, 'juge@fr.demo');
  type Provider = { id: string; offered: boolean; representativeNode: { id: string; self: boolean } | null };
  const providers = (await judge('GET', '/api/providers')) as unknown as Provider[];
  assert.deepEqual(providers.map((p) => [p.id, p.offered, p.representativeNode?.id, p.representativeNode?.self]), [['example-mail', true, 'IE:example-mail.ie', false]]);
  // The judge's authority is recorded as an investigating judge: the form offers that kind only.
  assert.deepEqual(((await judge('GET', '/api/orders/form')) as { issuerKinds: string[] }).issuerKinds, ['investigating-judge']);
  const certificate = epocCertificate({ issuer: { kind: 'investigating-judge', name: 'Juge d’instruction, Tribunal judiciaire de Paris', fileReference: 'JI-CYBER-2026-0099' } });
  // The clerk drafts, the judge approves and sends (separation of duties).
  const clerk = await signIn(fr, 'greffe@fr.demo');
  const order = (await clerk('POST', '/api/orders', { issuingAuthority: 'fr-tj-paris', certificate })) as { id: string; reference: string };
  await judge('POST', `/api/orders/${order.id}/events/approve`, {});
  await judge('POST', `/api/orders/${order.id}/events/send`, {});
  await until(() => judge('GET', `/api/orders/${order.id}`) as Promise<{ state: string }>, (o) => o.state === 'delivered', 'the provider node’s receipt on the French node', 90_000);
  // Verified, not quarantined, by the provider's node: the judge may issue it without validation (Art. 4(2)).
  type Received = { orderRef: string | null; status: string; reasons: string[]; category: string | null; issuingAuthority: string | null };
  const inbox = await until(() => agent('GET', '/api/provider/orders') as unknown as Promise<Received[]>, (l) => l.some((o) => o.category === 'content-data'), 'the content-data order on the provider node', 30_000);
  const received = inbox.find((o) => o.category === 'content-data')!;
  assert.deepEqual([received.status, received.reasons, received.issuingAuthority], ['verified', [], 'fr-tj-paris']);
  // The Irish enforcing authority, on its own node, is notified of it (Art. 8(1)).
  const enforcing = await signIn(iee, 'enforcing@ie.demo');
  const notified = await until(() => enforcing('GET', `/api/orders/${order.id}`).catch(() => null) as Promise<{ yourParties: string[]; actions: string[] } | null>, (o) => o !== null, 'the notification on the Irish node', 90_000);
  assert.deepEqual(notified!.yourParties, ['enforcing']);
  assert.deepEqual([...notified!.actions].sort(), ['confirm-no-ground', 'raise-ground']);
});
