/**
 * The message path of bench:exchange without HTTP or a proxy: both nodes' runtimes (SQLite files
 * each, log leaves on both) in this one process, France's relay handing each envelope straight to
 * the United States' inbox; one message at a time (seal, outbox commit, relay, decrypt, verify,
 * inbox row + effect + leaf, signed receipt verified and recorded with its leaf). For profiling
 * the application's own work per message (`node --cpu-prof --import tsx bench/exchange-inprocess.ts`):
 * no other process shares the work, so CPU per message is steadier than bench:exchange's.
 *
 * Usage: node --import tsx bench/exchange-inprocess.ts [messages=2000] [bytes=1024]
 * Prints one JSON line: CPU and wall ms per message, and the wall ms of its phases (seal, outbox
 * commit, relay round to the receipt recorded, of which the receiver's handling).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/index.js';
import { requireNodeIdentity } from '../src/exchange/index.js';
import type { MessageHandler } from '../src/exchange/inbox.js';
import { LOG_LEDGER } from '../src/exchange/ledger-port.js';
import { createExchangeRuntime } from '../src/exchange/runtime.js';
import type { Transport } from '../src/exchange/transport.js';
import { createTestNode, trustEachOther } from '../test/exchange/nodes.js';

const count = Number(process.argv[2] ?? 2000);
const bytes = Number(process.argv[3] ?? 1024);
const dir = mkdtempSync(join(tmpdir(), 'comity-exchange-inprocess-'));
const fr = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
const us = await createTestNode('us', await openDatabase({ kind: 'sqlite', file: join(dir, 'us.db') }));
await trustEachOther([fr, us]);
// As bench/exchange-node.ts: the effect is a row without a unique constraint.
await sql`create table bench_effects (message_id text not null, sender text not null, n integer not null)`.execute(us.db);
const effects: MessageHandler = {
  async apply(trx, opened) {
    await sql`insert into bench_effects (message_id, sender, n) values (${opened.message.id}, ${opened.message.from.node}, ${Number(opened.message.body.n ?? 0)})`.execute(trx);
  },
};
const receiver = createExchangeRuntime({ db: us.db, keys: us.keys, identity: await requireNodeIdentity(us.db), handler: effects, ledger: LOG_LEDGER, relay: { pollMs: 100 } });
const receiving = { ms: 0 };
const direct: Transport = {
  async deliver(_peer, envelope) {
    const t0 = performance.now();
    const answer = await receiver.receive(envelope);
    receiving.ms += performance.now() - t0;
    return answer.outcome === 'deferred' ? { kind: 'not-sent', error: 'deferred' } : { kind: 'answered', receipt: answer.receipt };
  },
};
const waiters = new Map<string, () => void>();
const sender = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity: await requireNodeIdentity(fr.db), ledger: LOG_LEDGER, remote: direct, relay: { pollMs: 100, onSettled: (id) => waiters.get(id)?.() } });

async function closedLoop(n: number): Promise<{ seal: number; commit: number; relay: number }> {
  const phases = { seal: 0, commit: 0, relay: 0 };
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const prepared = await sender.prepare({ from: { authority: 'fr-ca' }, to: { authority: 'us-doj-oia' }, inReplyTo: null, conversation: '0190a000-0000-7000-8000-00000000beef', type: 'notice', instrument: null, action: 'note', emergency: false, body: { n: i, pad: 'x'.repeat(bytes) } });
    const settled = new Promise<void>((resolve) => waiters.set(prepared.message.id, resolve));
    const t1 = performance.now();
    await fr.db.transaction().execute((trx) => prepared.enqueue(trx));
    const t2 = performance.now();
    sender.relay.wake();
    await settled;
    waiters.delete(prepared.message.id);
    phases.seal += t1 - t0;
    phases.commit += t2 - t1;
    phases.relay += performance.now() - t2;
  }
  return phases;
}

try {
  await closedLoop(300); // warm-up: JIT, key caches
  receiving.ms = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const phases = await closedLoop(count);
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const per = (ms: number) => Number((ms / count).toFixed(3));
  const effectRows = (await sql<{ n: number }>`select count(*) as n from bench_effects`.execute(us.db)).rows[0]?.n;
  if (Number(effectRows) !== count + 300) throw new Error(`expected ${count + 300} effects, found ${effectRows}`);
  console.log(JSON.stringify({ messages: count, bytes, cpu_ms: per((cpu.user + cpu.system) / 1000), wall_ms: per(wall), seal_ms: per(phases.seal), commit_ms: per(phases.commit), relay_ms: per(phases.relay), receive_ms: per(receiving.ms) }));
} finally {
  await sender.stop();
  await receiver.stop();
  await fr.handle.close();
  await us.handle.close();
  rmSync(dir, { recursive: true, force: true });
}
