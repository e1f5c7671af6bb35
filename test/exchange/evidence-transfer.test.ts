/**
 * Evidence between two node processes over the chunked transfer (issue 12): the United States
 * (PostgreSQL when it answers, else SQLite) answers the French production request with an
 * evidence item; the French node (SQLite) pulls its encrypted chunks — each checked against the
 * digest in the signed manifest — through a fault proxy in front of the US node. The transfer is
 * cut halfway (the proxy partitions after a few chunks) and the French process is SIGKILLed
 * meanwhile; restarted, it resumes with the chunks still missing, stores the item under its own
 * case key, and both chains of custody record the hand-over: `transferred` on the US node,
 * `received` on the French node, naming the transfer.
 *
 * The per-transfer content key is never at rest in plaintext on the French node: every value of
 * every row of its database (read raw, with the process killed mid-transfer and again at the
 * end) is tried as the key of a chunk fetched from the US node, and none opens it. Once the French
 * node has stored the item it confirms with a signed notice, and the US node deletes its chunks
 * (custody event `transfer-closed`, the chunk route then answers 404).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { openChunk } from '../../src/exchange/transfer.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { freePort, NO_FAULTS, startProxy, type FaultProxy } from '../../bench/exchange-cluster.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { postgresProbe } from '../db/dialects.js';
import { freshPostgresDatabase } from './pg-database.js';
import { killNodeServers, signIn, startNodeServer, until } from './sessions.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-transfer-'));
let dropDb: (() => Promise<void>) | null = null;
let proxy: FaultProxy | null = null;
after(async () => {
  killNodeServers();
  await proxy?.close();
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
});

type Transfer = { transferId: string; direction: string; chunks: number; chunksReceived: number | null; state: string; lastError: string | null; sha256: string; itemId: string | null };
type Custody = { event: string; item: { id: string; sha256: string } | null; details: Record<string, unknown> };
interface Sqlite {
  prepare(sql: string): { all(): unknown[] };
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string, options?: { readonly?: boolean }) => Sqlite;
const statements = (records: { line: string }[]): Custody[] => records.map((r) => JSON.parse(r.line) as Custody);

/**
 * Every value in every row of the SQLite database `file` that could be a 32-byte key written as
 * base64url or hex (as a whole string or inside text, e.g. JSON), tried as the content key of
 * `chunk` (index 0 of a transfer of several chunks): the ones that open it.
 */
function keysFoundIn(file: string, transferId: string, chunk: Buffer): { tried: number; opening: string[] } {
  const db = new Database(file, { readonly: true });
  const candidates = new Set<string>();
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      for (const row of db.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]) {
        for (const [column, value] of Object.entries(row)) {
          const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('latin1') : '';
          for (const m of text.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g)) candidates.add(`${name}.${column}|b64|${m[0]}`);
          for (const m of text.matchAll(/(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])/g)) candidates.add(`${name}.${column}|hex|${m[0]}`);
          if (Buffer.isBuffer(value) && value.length === 32) candidates.add(`${name}.${column}|raw|${value.toString('hex')}`);
        }
      }
    }
  } finally {
    db.close();
  }
  const opening: string[] = [];
  for (const candidate of candidates) {
    const [where, form, text] = candidate.split('|') as [string, string, string];
    const key = Buffer.from(text, form === 'b64' ? 'base64url' : 'hex');
    if (key.length !== 32) continue;
    try {
      openChunk(key, transferId, 0, false, chunk);
      opening.push(where);
    } catch {
      // not the key
    }
  }
  return { tried: candidates.size, opening };
}

it('evidence moves from the US node to the French node in checked chunks, resumes after a cut and a SIGKILL, with custody on both sides', { timeout: 240_000 }, async () => {
  const usPort = await freePort();
  proxy = await startProxy(usPort);
  const database = postgresProbe.reachable ? await freshPostgresDatabase('comity_transfer') : null;
  dropDb = database?.drop ?? null;
  const chunkEnv = { COMITY_TRANSFER_CHUNK_BYTES: String(64 * 1024) };
  const [fr, us] = await Promise.all([
    startNodeServer({ dir, name: 'fr', nodeId: 'FR:justice.gouv.fr', hosted: 'fr-ca,fr-parquet-paris' }),
    startNodeServer({ dir, name: 'us', nodeId: 'US:oia.justice.gov', hosted: 'us-doj-oia', databaseUrl: database?.url ?? null, port: usPort, endpoint: proxy.url, env: chunkEnv }),
  ]);
  const frOfficer = await signIn(fr, 'officer@fr.demo');
  const frJudge = await signIn(fr, 'judge@fr.demo');
  const usOfficer = await signIn(us, 'officer@us.demo');

  const created = await until(
    () => frOfficer('POST', '/api/cases', preservationRequestFrToUs({ measures: ['content-data'], legalBasis: 'ETS185:31', references: { requesting: 'TRANSFER-1' } })).catch((e: Error) => (/unknown-authority/.test(e.message) ? null : Promise.reject(e))),
    (c) => c !== null,
    'the French node to know the US authority',
  );
  const id = String(created!.id);
  await frJudge('POST', `/api/cases/${id}/events/approve`, { review: DEMO_REVIEW });
  await until(() => frOfficer('POST', `/api/cases/${id}/events/send`, {}).then(() => true, (e: Error) => (/unknown-authority|not a trusted/.test(e.message) ? false : Promise.reject(e))), (ok) => ok, 'trust');
  await until(() => usOfficer('GET', `/api/cases/${id}`).catch(() => ({ state: 'absent' })), (c) => c.state === 'sent', 'the request on the US node');
  for (const [event, body] of [
    ['receive', {}],
    ['acknowledge', {}],
    ['start-assessment', {}],
    ['accept', { assessment: { grounds: [{ ground: 'domestic-law', applies: false }], decision: 'accept' } }],
    ['execute', {}],
  ] as const) {
    await usOfficer('POST', `/api/cases/${id}/events/${event}`, body);
  }
  // The US officer uploads the mailbox (1.5 MiB: 24 chunks of 64 KiB on the wire).
  const content = randomBytes(1536 * 1024 + 777);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const upload = await usOfficer('POST', `/api/cases/${id}/evidence/uploads`, { name: 'mailbox-attacker.mbox', length: content.length, dataCategory: 'content', producer: 'Example Mail Inc. (US)' });
  await usOfficer('PATCH_BYTES', `/api/cases/${id}/evidence/uploads/${String(upload.id)}`, content);

  // Cut: the proxy in front of the US node lets 10 more requests through, then partitions.
  proxy.faults = { ...NO_FAULTS, partitionAfter: proxy.counts.forwarded + 10 };
  await usOfficer('POST', `/api/cases/${id}/events/respond`, { response: { summary: 'The content of the account, produced under 18 U.S.C. § 2703.' } });
  const cut = await until(async () => ((await frOfficer('GET', `/api/cases/${id}/transfers`)) as unknown as Transfer[]).find((t) => t.direction === 'in'), (t) => t !== undefined && (t.chunksReceived ?? 0) > 0 && t.lastError !== null, 'the transfer to start and be cut', 60_000);
  assert.equal(cut!.state, 'pending');
  assert.ok(cut!.chunksReceived! < cut!.chunks, `cut halfway: ${cut!.chunksReceived} of ${cut!.chunks}`);
  assert.equal(cut!.chunks, 25);
  // The French process dies meanwhile; the partition ends; it restarts and resumes.
  await fr.kill('SIGKILL');
  // With the transfer pending, the French database holds no key that opens the sender's chunks.
  const chunkUrl = (index: number) => `http://127.0.0.1:${usPort}/api/exchange/transfers/${cut!.transferId}/chunks/${index}`;
  const chunk0 = Buffer.from(await (await fetch(chunkUrl(0))).arrayBuffer());
  const frDatabase = join(dir, 'fr', 'comity.sqlite');
  const pending = keysFoundIn(frDatabase, cut!.transferId, chunk0);
  assert.ok(pending.tried > 100, `the scan looked at candidate values: ${pending.tried}`);
  assert.deepEqual(pending.opening, [], 'no row holds the content key in plaintext while the transfer is pending');
  const before = cut!.chunksReceived!;
  proxy.faults = { ...NO_FAULTS };
  const forwardedBefore = proxy.counts.forwarded;
  await fr.restart();
  const done = await until(async () => ((await frOfficer('GET', `/api/cases/${id}/transfers`)) as unknown as Transfer[]).find((t) => t.direction === 'in')!, (t) => t.state !== 'pending', 'the transfer to complete', 60_000);
  assert.equal(done.state, 'complete', JSON.stringify(done));
  assert.equal(done.sha256, sha256);
  // Only the missing chunks were fetched again (plus at most the messages the nodes exchange meanwhile).
  const refetched = proxy.counts.forwarded - forwardedBefore;
  assert.ok(refetched >= 25 - before && refetched <= 25 - before + 3, `resumed with the missing chunks only: ${refetched} requests for ${25 - before} missing chunks`);

  // The item is in the French evidence store, byte for byte.
  const items = (await frOfficer('GET', `/api/cases/${id}/evidence`)) as unknown as { id: string; sha256: string; size: number; name: string }[];
  assert.equal(items.length, 1);
  assert.equal(items[0]!.sha256, sha256);
  assert.equal(items[0]!.name, 'mailbox-attacker.mbox');
  const downloaded = await frOfficer('GET_BYTES', `/api/cases/${id}/evidence/${items[0]!.id}/content`);
  assert.equal(createHash('sha256').update(downloaded as unknown as Buffer).digest('hex'), sha256);
  // Custody on both sides, naming the transfer.
  const frCustody = statements((await frOfficer('GET', `/api/cases/${id}/evidence/custody`)) as unknown as { line: string }[]);
  const usCustody = statements((await usOfficer('GET', `/api/cases/${id}/evidence/custody`)) as unknown as { line: string }[]);
  const received = frCustody.find((c) => c.event === 'received');
  const transferred = usCustody.find((c) => c.event === 'transferred');
  assert.ok(received && transferred, JSON.stringify({ frCustody, usCustody }));
  assert.equal(received.details.transferId, cut!.transferId);
  assert.equal(received.details.from, 'US:oia.justice.gov');
  assert.equal(transferred.details.transferId, cut!.transferId);
  assert.equal(transferred.details.to, 'FR:justice.gouv.fr/fr-ca');
  assert.equal(received.item?.sha256, sha256);
  assert.equal(transferred.item?.sha256, sha256);
  // Nor once it is complete (the key is wiped; the stored response keeps the manifest only).
  assert.deepEqual(keysFoundIn(frDatabase, cut!.transferId, chunk0).opening, []);

  // The French node confirmed (signed notice): the US node deleted its encrypted chunks, with a custody event.
  const closed = await until(async () => ((await usOfficer('GET', `/api/cases/${id}/transfers`)) as unknown as Transfer[]), (ts) => ts[0]?.state === 'closed', 'the US node to delete the confirmed chunks', 60_000);
  assert.deepEqual(closed.map((t) => [t.direction, t.transferId, t.chunks]), [['out', cut!.transferId, 25]]);
  assert.equal(existsSync(join(dir, 'us', 'transfers', 'out', cut!.transferId)), false);
  assert.equal((await fetch(chunkUrl(0))).status, 404);
  const closing = statements((await usOfficer('GET', `/api/cases/${id}/evidence/custody`)) as unknown as { line: string }[]).find((c) => c.event === 'transfer-closed');
  assert.ok(closing, 'custody records the deletion');
  assert.equal(closing.details.transferId, cut!.transferId);
  assert.equal(closing.details.reason, 'confirmed');
  assert.equal(closing.item?.sha256, sha256);
  // The evidence itself stays on both nodes.
  assert.equal(((await usOfficer('GET', `/api/cases/${id}/evidence`)) as unknown as unknown[]).length, 1);
});
