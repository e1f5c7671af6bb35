/**
 * bench:exchange — two federation nodes as separate processes on loopback (SQLite each), France
 * sending to the United States through a proxy. Closed loop: each message is committed (outbox
 * row in its own transaction), relayed, applied at the receiver with its inbox row, and its signed
 * receipt verified back at the sender before the next one. Baseline in the same run: a plain HTTP
 * POST of a body of the same size between the same two processes, one after another.
 * Then the same under 10 % loss (5 % of requests dropped, 5 % of answers lost after the effect).
 *
 * Usage: npm run bench:exchange [-- --messages 1500 --bytes 1024]
 * Last line: {"ratio", "messages_per_s", "posts_per_s", "p50_ms", "p99_ms", "lossy": {"lost", "duplicates", "p50_ms", "p99_ms", …}}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, NO_FAULTS, percentile, startNode, type NodeState } from './exchange-cluster.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const messages = arg('messages', 1500);
const bytes = arg('bytes', 1024);
const lossyMessages = arg('lossy-messages', 500);

const dir = mkdtempSync(join(tmpdir(), 'comity-bench-exchange-'));
const fr = await startNode('fr', join(dir, 'fr.db'), dir, { RELAY_BASE_MS: '20', RELAY_CAP_MS: '200' });
const us = await startNode('us', join(dir, 'us.db'), dir, { RELAY_BASE_MS: '20', RELAY_CAP_MS: '200' });
try {
  await connect([fr, us], dir);
  // Warm-up: connections, JIT, key caches.
  await fr.control('/control/closed-loop', { to: 'us-doj-oia', count: 100, bytes });
  await fr.control('/control/plain-loop', { url: `${us.proxy.url}/plain`, count: 200, bytes });

  const plain = await fr.control<{ seconds: number }>('/control/plain-loop', { url: `${us.proxy.url}/plain`, count: messages, bytes });
  const run = await fr.control<{ latencies: number[]; seconds: number; prepareMs: number; commitMs: number }>('/control/closed-loop', { to: 'us-doj-oia', count: messages, bytes });
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const postsPerS = messages / plain.seconds;
  const messagesPerS = messages / run.seconds;

  const before = await us.control<NodeState>('/control/state');
  us.proxy.faults = { ...NO_FAULTS, drop: 0.05, loseAnswer: 0.05 };
  const lossy = await fr.control<{ latencies: number[]; seconds: number }>('/control/closed-loop', { to: 'us-doj-oia', count: lossyMessages, bytes });
  us.proxy.faults = NO_FAULTS;
  const after = await us.control<NodeState>('/control/state');
  const sender = await fr.control<NodeState>('/control/state');
  const lossySorted = [...lossy.latencies].sort((a, b) => a - b);
  const applied = after.effects.distinct - before.effects.distinct;
  const result = {
    ratio: Number((messagesPerS / postsPerS).toFixed(3)),
    messages_per_s: Math.round(messagesPerS),
    posts_per_s: Math.round(postsPerS),
    p50_ms: Number(percentile(sorted, 50).toFixed(2)),
    p99_ms: Number(percentile(sorted, 99).toFixed(2)),
    prepare_ms: Number(run.prepareMs.toFixed(2)),
    commit_ms: Number(run.commitMs.toFixed(2)),
    messages,
    bytes,
    lossy: {
      loss: 0.1,
      messages: lossyMessages,
      lost: lossyMessages - applied,
      duplicates: after.effects.total - after.effects.distinct,
      not_delivered: Object.entries(sender.outbox).filter(([state]) => state !== 'delivered').reduce((n, [, count]) => n + count, 0),
      faults: { ...us.proxy.counts },
      messages_per_s: Math.round(lossyMessages / lossy.seconds),
      p50_ms: Number(percentile(lossySorted, 50).toFixed(2)),
      p99_ms: Number(percentile(lossySorted, 99).toFixed(2)),
    },
  };
  console.log(`exchange: ${result.messages_per_s} messages/s vs ${result.posts_per_s} plain POSTs/s (ratio ${result.ratio}); commit→receipt p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms`);
  console.log(`10 % loss: lost ${result.lossy.lost}, duplicates ${result.lossy.duplicates}, p50 ${result.lossy.p50_ms} ms, p99 ${result.lossy.p99_ms} ms (retries with capped backoff: base 20 ms, cap 200 ms)`);
  console.log(JSON.stringify(result));
} finally {
  await fr.kill('SIGTERM');
  await us.kill('SIGTERM');
  await fr.proxy.close();
  await us.proxy.close();
  rmSync(dir, { recursive: true, force: true });
}
