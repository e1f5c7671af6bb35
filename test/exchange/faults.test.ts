/**
 * Exactly once under faults: three nodes as separate processes (France and Ireland on SQLite, the
 * United States on PostgreSQL when it answers), each behind a fault-injecting proxy that drops
 * requests, cuts bodies halfway, loses answers after the effect, duplicates requests (the copy
 * arriving late, out of order) and delays them; the United States node is partitioned for a minute
 * (FAULT_PARTITION_MS), during which the Irish and the French nodes are SIGKILLed while sending and
 * receiving, and restarted; the Irish one again after.
 * Over 10,002 messages (FAULT_MESSAGES to change it): 0 lost, 0 applied twice, 0 receipts without
 * effect, and every message ends delivered or rejected. The counts are printed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { connect, NO_FAULTS, startNode, type Faults, type NodeProcess, type NodeState } from '../../bench/exchange-cluster.js';
import { postgresProbe } from '../db/dialects.js';
import { freshPostgresDatabase } from './pg-database.js';

const TOTAL = Number(process.env.FAULT_MESSAGES ?? 10_002);
const PER_PAIR = Math.ceil(TOTAL / 6);
const FAULTS: Faults = { drop: 0.03, cutHalfway: 0.02, loseAnswer: 0.03, duplicate: 0.03, delayMs: 5, partitioned: false };
/** How long the US node is cut off (the issue: a partition of a minute; FAULT_PARTITION_MS to change it). */
const PARTITION_MS = Number(process.env.FAULT_PARTITION_MS ?? 60_000);
const TARGETS: Record<string, string> = { fr: 'fr-ca', us: 'us-doj-oia', ie: 'ie-provider' };

const dir = mkdtempSync(join(tmpdir(), 'comity-faults-'));
const nodes: NodeProcess[] = [];
let pgCleanup: (() => Promise<void>) | null = null;
after(async () => {
  for (const node of nodes) {
    await node.kill('SIGKILL');
    await node.proxy.close();
  }
  await pgCleanup?.();
  rmSync(dir, { recursive: true, force: true });
});

async function usDatabase(): Promise<string> {
  if (!postgresProbe.reachable) return join(dir, 'us.db');
  const database = await freshPostgresDatabase('comity_faults');
  pgCleanup = database.drop;
  return database.url;
}

/**
 * Queues `count` messages from `node` to each other node, in chunks. A chunk cut by a SIGKILL is
 * sent again once the node is back (what committed before the kill stays: counted from the outboxes).
 */
async function sendAll(node: NodeProcess, others: NodeProcess[], count: number): Promise<void> {
  const chunk = 200;
  for (let from = 0; from < count; from += chunk) {
    for (const other of others) {
      for (;;) {
        const ok = await node.control('/control/burst', { to: TARGETS[other.name], count: Math.min(chunk, count - from), from }).then(() => true, () => false);
        if (ok) break;
        // The node was killed meanwhile: wait until it is back.
        while (!(await fetch(`${node.direct}/control/state`, { method: 'POST' }).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

async function restart(node: NodeProcess, afterMs: number): Promise<void> {
  await new Promise((r) => setTimeout(r, afterMs));
  await node.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
  await node.start();
}

it(`three nodes, ${TOTAL} messages, faults and SIGKILLs: 0 lost, 0 applied twice, 0 receipts without effect`, { timeout: 15 * 60_000 }, async () => {
  const env = { RELAY_BASE_MS: '20', RELAY_CAP_MS: '300' };
  nodes.push(await startNode('fr', join(dir, 'fr.db'), dir, env), await startNode('us', await usDatabase(), dir, env), await startNode('ie', join(dir, 'ie.db'), dir, env));
  const [fr, us, ie] = nodes as [NodeProcess, NodeProcess, NodeProcess];
  await connect(nodes, dir);
  for (const node of nodes) node.proxy.faults = { ...FAULTS };
  const started = Date.now();

  const sending = Promise.all(nodes.map((node) => sendAll(node, nodes.filter((n) => n !== node), PER_PAIR)));
  let partition = { ms: 0, cutDuring: 0, queuedToUsAtEnd: 0 };
  const chaos = (async () => {
    await new Promise((r) => setTimeout(r, 3000));
    // A partition of the US node for a minute, while the others keep sending to it and to each
    // other; SIGKILLs of the Irish and French nodes meanwhile (while sending and receiving).
    const cutAt = Date.now();
    const cutBefore = us.proxy.counts.partitioned;
    us.proxy.faults = { ...FAULTS, partitioned: true };
    await restart(ie, Math.min(2000, PARTITION_MS / 4));
    await restart(fr, Math.min(3000, PARTITION_MS / 4));
    await new Promise((r) => setTimeout(r, Math.max(0, cutAt + PARTITION_MS - Date.now())));
    // Messages to the US node waiting at the end of the partition (committed, not yet answered).
    const waiting = await Promise.all([fr, ie].map((n) => n.control<NodeState>('/control/state').catch(() => ({ sent: [] }) as unknown as NodeState)));
    partition = { ms: Date.now() - cutAt, cutDuring: us.proxy.counts.partitioned - cutBefore, queuedToUsAtEnd: waiting.flatMap((s) => s.sent).filter((m) => m.to === 'us-doj-oia' && m.state !== 'delivered' && m.state !== 'rejected').length };
    us.proxy.faults = { ...FAULTS };
    await restart(ie, 4000);
  })();
  await Promise.all([sending, chaos]);
  for (const node of nodes) node.proxy.faults = { ...NO_FAULTS };

  // Every message ends delivered or rejected.
  const deadline = Date.now() + 8 * 60_000;
  let states: NodeState[] = [];
  for (;;) {
    states = await Promise.all(nodes.map((n) => n.control<NodeState>('/control/state')));
    const pending = states.flatMap((s) => s.sent.filter((m) => m.state !== 'delivered' && m.state !== 'rejected'));
    if (pending.length === 0) break;
    assert.ok(Date.now() < deadline, `${pending.length} messages still pending`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const effects = new Map<string, number>();
  for (const state of states) for (const id of state.effectIds) effects.set(id, (effects.get(id) ?? 0) + 1);
  const sent = states.flatMap((s) => s.sent);
  const delivered = sent.filter((m) => m.state === 'delivered');
  const counts = {
    messages: sent.length,
    delivered: delivered.length,
    rejected: sent.filter((m) => m.state === 'rejected').length,
    lost: sent.filter((m) => !effects.has(m.id) && m.state !== 'rejected').length,
    appliedTwice: [...effects.values()].filter((n) => n > 1).length,
    receiptsWithoutEffect: delivered.filter((m) => m.receipt && !effects.has(m.id)).length,
    effectsWithoutMessage: [...effects.keys()].filter((id) => !sent.some((m) => m.id === id)).length,
    faults: Object.fromEntries(nodes.map((n) => [n.name, n.proxy.counts])),
    partition,
    seconds: Math.round((Date.now() - started) / 1000),
    us: postgresProbe.reachable ? 'postgres' : 'sqlite',
  };
  console.log(`faults: ${JSON.stringify(counts)}`);
  assert.ok(counts.messages >= TOTAL, `only ${counts.messages} messages were committed`);
  assert.equal(counts.lost, 0);
  assert.equal(counts.appliedTwice, 0);
  assert.equal(counts.receiptsWithoutEffect, 0);
  assert.equal(counts.effectsWithoutMessage, 0);
  assert.equal(counts.rejected, 0);
  assert.ok(partition.ms >= PARTITION_MS, `the partition lasted ${partition.ms} ms`);
  assert.ok(partition.cutDuring > 0, 'the others tried to reach the US node during the partition');
  assert.ok(counts.faults.us!.partitioned > 0 && counts.faults.fr!.duplicate > 0 && counts.faults.ie!.cutHalfway > 0, 'the faults happened');
});
