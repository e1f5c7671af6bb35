/**
 * A large node runs several processes on one database: the relay runs in exactly one of them at a
 * time (a lease), and another takes over within seconds when that one dies. Two processes of the
 * French node share one database (PostgreSQL when it answers, else one SQLite file); the one
 * holding the relay is SIGKILLed mid-delivery; every message still arrives exactly once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { connect, startNode, type NodeProcess, type NodeState } from '../../bench/exchange-cluster.js';
import { postgresProbe } from '../db/dialects.js';
import { freshPostgresDatabase } from './pg-database.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-lease-'));
const nodes: NodeProcess[] = [];
let dropDb: (() => Promise<void>) | null = null;
after(async () => {
  for (const node of nodes) {
    await node.kill('SIGKILL');
    await node.proxy.close();
  }
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
});

async function sharedDatabase(): Promise<string> {
  if (!postgresProbe.reachable) return join(dir, 'fr.db');
  const database = await freshPostgresDatabase('comity_lease');
  dropDb = database.drop;
  return database.url;
}

it('two processes of one node: the relay holder is killed mid-delivery, the other takes over, nothing lost or doubled', { timeout: 180_000 }, async () => {
  const db = await sharedDatabase();
  const env = { MASTER_KEY: randomBytes(32).toString('hex'), RELAY_BASE_MS: '50', RELAY_CAP_MS: '500' };
  const first = await startNode('fr', db, dir, env);
  nodes.push(first);
  const second = await startNode('fr', db, dir, env);
  nodes.push(second);
  const us = await startNode('us', join(dir, 'us.db'), dir);
  nodes.push(us);
  await connect([first, us], dir);
  await us.control('/control/peers', [join(dir, 'fr-agreement.json')]);
  await second.control('/control/peers', [join(dir, 'us-agreement.json')]);
  us.proxy.faults = { drop: 0, cutHalfway: 0, loseAnswer: 0, duplicate: 0, delayMs: 30, partitioned: false };

  // Both processes queue messages; one relay delivers them.
  await Promise.all([first.control('/control/burst', { to: 'us-doj-oia', count: 150, from: 0 }), second.control('/control/burst', { to: 'us-doj-oia', count: 150, from: 1000 })]);
  const holderPid = async (): Promise<number> => {
    for (;;) {
      const state = await first.control<NodeState & { lease?: string }>('/control/state');
      const holder = state.lease;
      if (holder) return Number(holder.split('/')[1]);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const pid = await holderPid();
  const victim = pid === first.child.pid ? first : second;
  const survivor = victim === first ? second : first;
  const before = await us.control<NodeState>('/control/state');
  assert.ok(before.effects.total < 300, 'killed mid-delivery');
  await victim.kill('SIGKILL');
  const killedAt = Date.now();

  for (;;) {
    const state = await survivor.control<NodeState>('/control/state');
    if (state.sent.every((m) => m.state === 'delivered')) break;
    assert.ok(Date.now() - killedAt < 120_000, 'the survivor did not take over');
    await new Promise((r) => setTimeout(r, 200));
  }
  const received = await us.control<NodeState>('/control/state');
  console.log(`lease: killed the relay holder after ${before.effects.total} of 300 messages; took over and finished in ${Date.now() - killedAt} ms`);
  assert.equal(received.effects.total, 300);
  assert.equal(received.effects.distinct, 300);
});
