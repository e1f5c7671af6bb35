/**
 * A federation node as its own process, for bench:exchange and the fault test
 * (test/exchange/faults.test.ts): its own database (SQLite file or PostgreSQL URL) and keys, the
 * exchange runtime, and a small HTTP server with the node-to-node endpoint plus control routes the
 * driver uses. The business effect of a message is a row in `bench_effects` *without* a unique
 * constraint, so an effect applied twice would show as a second row. Receipts and refusals go into
 * the node's transparency log (LOG_LEDGER), as on a real node (src/exchange/node-start.ts).
 *
 * Timings for the driver's breakdown: the sender's HTTP round trip of each delivery attempt
 * (`deliverMs`, the receiver's handling included), the receiver's handling of each envelope
 * (`/control/receive-time`: from the request body read to the receipt ready) and the process's
 * CPU time (`/control/cpu`, for CPU per message: unlike wall time, not inflated by other load).
 *
 * Env: NODE_NAME (fr|us|ie), DB (a file path or postgres://…), PORT, ENDPOINT (URL peers use),
 * DIR (where the agreement is written), BENCH_WRITE_PATH_OFF (write-path parts to turn off,
 * comma-separated, e.g. `sqlite-statement-cache`: bench:exchange with and without one).
 * Prints one JSON line `{"ready":…}` when listening.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createSecretBox } from '../src/auth/secrets.js';
import { openDatabase } from '../src/db/index.js';
import { DEMO_AUTHORITIES } from '../src/demo/data.js';
import { sha256Hex } from '../src/exchange/envelope.js';
import { addPeer, exportNode, initNode, loadNodeIdentity } from '../src/exchange/index.js';
import type { MessageHandler } from '../src/exchange/inbox.js';
import { LOG_LEDGER } from '../src/exchange/ledger-port.js';
import { createExchangeRuntime } from '../src/exchange/runtime.js';
import { createHttpTransport, type Transport } from '../src/exchange/transport.js';
import { createDbKeyStore } from '../src/keys/index.js';
import { setWritePathOff, WRITE_PATH_PARTS, type WritePathPart } from '../src/db/write-path-switches.js';

const PLANS: Record<string, { nodeId: string; hosted: string[] }> = {
  fr: { nodeId: 'FR:justice.gouv.fr', hosted: ['fr-ca', 'fr-parquet-paris'] },
  us: { nodeId: 'US:oia.justice.gov', hosted: ['us-doj-oia'] },
  ie: { nodeId: 'IE:example-mail.ie', hosted: ['ie-provider'] },
};
const name = process.env.NODE_NAME ?? 'fr';
const plan = PLANS[name]!;
const dbUrl = process.env.DB ?? '';
const port = Number(process.env.PORT ?? 0);
const dir = process.env.DIR ?? '.';
// The master key is fixed per data directory so that a restarted node opens its keys again.
const masterKey = Buffer.from(process.env.MASTER_KEY ?? randomBytes(32).toString('hex'), 'hex');

// BENCH_WRITE_PATH_OFF=part,…: write-path parts turned off in this node (db/write-path-switches.ts), to measure what one gains.
const off = (process.env.BENCH_WRITE_PATH_OFF ?? '').split(',').filter(Boolean);
for (const part of off) if (!(WRITE_PATH_PARTS as readonly string[]).includes(part)) throw new Error(`BENCH_WRITE_PATH_OFF: unknown part ${part} (one of ${WRITE_PATH_PARTS.join(', ')})`);
setWritePathOff(off as WritePathPart[]);
const handle = await openDatabase(dbUrl.startsWith('postgres') ? { kind: 'postgres', url: dbUrl, poolMax: 8 } : { kind: 'sqlite', file: dbUrl });
await handle.migrate();
const db = handle.db;
const keys = createDbKeyStore(db, createSecretBox(masterKey));
if ((await loadNodeIdentity(db)) === null) {
  const at = new Date().toISOString();
  for (const a of DEMO_AUTHORITIES) {
    await db.insertInto('authorities').values({ id: a.id, party: a.party, kind: a.kind, name: a.name, time_zone: a.timeZone, languages: JSON.stringify(a.languages), contact: '{}', created_at: at }).onConflict((oc) => oc.column('id').doNothing()).execute();
  }
  await sql`create table if not exists bench_effects (message_id text not null, sender text not null, n integer not null)`.execute(db);
  await initNode(db, keys, { nodeId: plan.nodeId, endpoint: process.env.ENDPOINT ?? `http://127.0.0.1:${port}`, hosted: plan.hosted }, new Date());
}
const identity = (await loadNodeIdentity(db))!;
// The durable floor's rows (bench:exchange `durable_floor_ratio`): one per plain POST on each side.
await sql`create table if not exists bench_floor (id text primary key, body text not null, state text not null)`.execute(db);
const effects: MessageHandler = {
  async apply(trx, opened) {
    await sql`insert into bench_effects (message_id, sender, n) values (${opened.message.id}, ${opened.message.from.node}, ${Number(opened.message.body.n ?? 0)})`.execute(trx);
  },
};
// Delivery attempts to peers, timed (the transport the runtime uses by default, wrapped).
const http = createHttpTransport();
const delivery = { ms: 0, n: 0 };
const timedHttp: Transport = {
  async deliver(peer, envelope) {
    const t0 = performance.now();
    try {
      return await http.deliver(peer, envelope);
    } finally {
      delivery.ms += performance.now() - t0;
      delivery.n++;
    }
  },
};
const receiving = { ms: 0, n: 0 };
const settledAt = new Map<string, number>();
const waiters = new Map<string, () => void>();
const runtime = createExchangeRuntime({
  db,
  keys,
  identity,
  handler: effects,
  ledger: LOG_LEDGER,
  remote: timedHttp,
  relay: {
    baseDelayMs: Number(process.env.RELAY_BASE_MS ?? 50),
    maxDelayMs: Number(process.env.RELAY_CAP_MS ?? 1000),
    maxEmergencyDelayMs: 500,
    pollMs: 100,
    leaseTtlMs: 3000,
    onSettled: (id) => {
      settledAt.set(id, performance.now());
      waiters.get(id)?.();
      waiters.delete(id);
    },
  },
});
writeFileSync(join(dir, `${name}-agreement.json`), JSON.stringify(await exportNode(db, keys, new Date())));

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Sends `count` messages in `conversations` closed loops side by side, each loop its own
 * conversation, each message waiting for its receipt before the loop's next (one loop: one message
 * at a time); latencies commit → receipt.
 */
async function sendClosedLoop(to: string, count: number, bytes: number, conversations = 1): Promise<{ latencies: number[]; seconds: number; prepareMs: number; commitMs: number; deliverMs: number }> {
  const latencies: number[] = [];
  const phases = { prepare: 0, commit: 0 };
  const delivered = { ...delivery };
  const started = performance.now();
  let next = 0;
  const loop = async (conversation: string): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      const prepared = await runtime.prepare({ from: { authority: plan.hosted[0]! }, to: { authority: to }, inReplyTo: null, conversation, type: 'notice', instrument: null, action: 'note', emergency: false, body: { n: i, pad: 'x'.repeat(bytes) } });
      const done = new Promise<void>((resolve) => waiters.set(prepared.message.id, resolve));
      const t1 = performance.now();
      await db.transaction().execute((trx) => prepared.enqueue(trx));
      const committed = performance.now();
      phases.prepare += t1 - t0;
      phases.commit += committed - t1;
      runtime.relay.wake();
      await done;
      latencies.push((settledAt.get(prepared.message.id) ?? performance.now()) - committed);
      settledAt.delete(prepared.message.id);
    }
  };
  await Promise.all(Array.from({ length: conversations }, (_, k) => loop(k === 0 ? '0190a000-0000-7000-8000-00000000beef' : randomUUID())));
  return { latencies, seconds: (performance.now() - started) / 1000, prepareMs: phases.prepare / count, commitMs: phases.commit / count, deliverMs: (delivery.ms - delivered.ms) / Math.max(1, delivery.n - delivered.n) };
}

/** Queues `count` messages (each its own transaction), without waiting. */
async function sendBurst(to: string, count: number, from: number): Promise<void> {
  for (let i = 0; i < count; i++) await runtime.send({ from: { authority: plan.hosted[0]! }, to: { authority: to }, inReplyTo: null, conversation: '0190a000-0000-7000-8000-00000000f417', type: 'notice', instrument: null, action: 'note', emergency: false, body: { n: from + i } });
}

const server = createServer((req, res) => {
  void (async () => {
    const text = await body(req);
    const json = (value: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.url === '/api/exchange/messages') {
      const t0 = performance.now();
      const answer = await runtime.receive(text);
      receiving.ms += performance.now() - t0;
      receiving.n++;
      return res.writeHead(200, { 'content-type': 'application/jose' }).end(answer.receipt);
    }
    if (req.url === '/plain') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    // The least a receiver that answers only what it stored durably must do: one row committed with
    // its leaf in the node's log (the issue: receipts go into both nodes' ledgers), then the answer.
    if (req.url === '/durable') {
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await sql`insert into bench_floor (id, body, state) values (${id}, ${text}, 'received')`.execute(trx);
        await LOG_LEDGER.append(trx, { kind: 'receipt-issued', messageId: id, peer: null, outcome: 'accepted', digest: sha256Hex(text), at: new Date().toISOString() });
      });
      return res.writeHead(200, { 'content-type': 'text/plain' }).end(id);
    }
    if (req.url === '/control/peers') {
      for (const file of JSON.parse(text) as string[]) {
        const { readFileSync } = await import('node:fs');
        await addPeer(db, readFileSync(file, 'utf8'), identity.nodeId, new Date()).catch((e: Error) => {
          if (!/not newer/.test(e.message)) throw e;
        });
      }
      runtime.invalidateTrust();
      return json({ ok: true });
    }
    if (req.url === '/control/closed-loop') {
      const { to, count, bytes, conversations } = JSON.parse(text) as { to: string; count: number; bytes: number; conversations?: number };
      return json(await sendClosedLoop(to, count, bytes, conversations));
    }
    if (req.url === '/control/plain-loop') {
      // `concurrency` loops side by side (default one: one POST at a time).
      const { url, count, bytes, concurrency } = JSON.parse(text) as { url: string; count: number; bytes: number; concurrency?: number };
      const payload = JSON.stringify({ pad: 'x'.repeat(bytes) });
      const started = performance.now();
      let next = 0;
      const loop = async (): Promise<void> => {
        while (next++ < count) await (await fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json' } })).text();
      };
      await Promise.all(Array.from({ length: concurrency ?? 1 }, loop));
      return json({ seconds: (performance.now() - started) / 1000 });
    }
    // The durable floor: per POST, the sender commits a row (the outbox), the receiver commits one
    // before answering (the inbox), the sender commits the answer (the settled state) — the
    // commits exactly-once delivery with durable receipts cannot do without — each side's last
    // commit with a leaf in its log, as the issue asks of receipts, and nothing else.
    if (req.url === '/control/durable-loop') {
      const { url, count, bytes } = JSON.parse(text) as { url: string; count: number; bytes: number };
      const payload = JSON.stringify({ pad: 'x'.repeat(bytes) });
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const id = randomUUID();
        await db.transaction().execute((trx) => sql`insert into bench_floor (id, body, state) values (${id}, ${payload}, 'queued')`.execute(trx));
        const answer = await (await fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json' } })).text();
        await db.transaction().execute(async (trx) => {
          await sql`update bench_floor set state = ${answer} where id = ${id}`.execute(trx);
          await LOG_LEDGER.append(trx, { kind: 'receipt-received', messageId: id, peer: null, outcome: 'accepted', digest: sha256Hex(answer), at: new Date().toISOString() });
        });
      }
      return json({ seconds: (performance.now() - started) / 1000 });
    }
    if (req.url === '/control/receive-time') return json(receiving);
    // This process's CPU time so far (user + system, ms): the driver takes differences around a loop.
    if (req.url === '/control/cpu') {
      const { user, system } = process.cpuUsage();
      return json({ ms: (user + system) / 1000 });
    }
    if (req.url === '/control/burst') {
      const { to, count, from } = JSON.parse(text) as { to: string; count: number; from: number };
      await sendBurst(to, count, from);
      return json({ ok: true });
    }
    if (req.url === '/control/state') {
      const outbox = await db.selectFrom('exchange_outbox').select(['state', db.fn.countAll<number>().as('n')]).groupBy('state').execute();
      const effectsRows = (await sql<{ total: number; uniq: number }>`select count(*) as total, count(distinct message_id) as uniq from bench_effects`.execute(db)).rows[0];
      const inbox = await db.selectFrom('exchange_inbox').select(['outcome', db.fn.countAll<number>().as('n')]).groupBy('outcome').execute();
      const ids = (await sql<{ message_id: string }>`select message_id from bench_effects`.execute(db)).rows.map((r) => r.message_id);
      const outIds = (await db.selectFrom('exchange_outbox').select(['message_id', 'state', 'receipt', 'to_authority']).execute()).map((r) => ({ id: r.message_id, state: r.state, receipt: r.receipt !== null, to: r.to_authority }));
      const lease = await db.selectFrom('exchange_leases').select(['holder', 'expires_at']).where('name', '=', 'relay').executeTakeFirst();
      return json({ lease: lease !== undefined && Date.parse(lease.expires_at) > Date.now() ? lease.holder : null, outbox: Object.fromEntries(outbox.map((r) => [r.state, Number(r.n)])), inbox: Object.fromEntries(inbox.map((r) => [r.outcome, Number(r.n)])), effects: { total: Number(effectsRows?.total ?? 0), distinct: Number(effectsRows?.uniq ?? 0) }, effectIds: ids, sent: outIds });
    }
    res.writeHead(404).end();
  })().catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(500).end(String((error as Error).message));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: `http://127.0.0.1:${port}`, node: identity.nodeId })}\n`);
});
const stop = () => {
  server.close();
  void runtime.stop().then(() => handle.close()).then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
