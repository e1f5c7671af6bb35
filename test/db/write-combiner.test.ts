import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WriteCombiner, type WriteKind } from '../../src/db/write-combiner.js';

interface W {
  id: string;
  target: string;
}

/** A kind whose statements take a tick (so that writes queue up), recording every statement. */
function recordingKind(options: { failMany?: (writes: W[]) => boolean; failOne?: (write: W) => boolean; badCount?: boolean } = {}) {
  const statements: string[][] = [];
  let running = 0;
  let maxRunning = 0;
  const run = async <T>(ids: string[], result: () => T): Promise<T> => {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    statements.push(ids);
    await new Promise((resolve) => setTimeout(resolve, 2));
    running -= 1;
    return result();
  };
  const kind: WriteKind<W, string> = {
    key: () => 'k',
    conflictKey: (w) => w.target,
    one: (w) =>
      run([w.id], () => {
        if (options.failOne?.(w)) throw new Error(`no ${w.id}`);
        return `done ${w.id}`;
      }),
    many: (writes) =>
      run(
        writes.map((w) => w.id),
        () => {
          if (options.failMany?.(writes)) throw new Error('statement failed');
          const outcomes = writes.map((w) => `done ${w.id}`);
          return options.badCount ? outcomes.slice(1) : outcomes;
        },
      ),
  };
  return { kind, statements, maxRunning: () => maxRunning };
}

const writes = (n: number, target = (i: number) => `case-${i}`): W[] => Array.from({ length: n }, (_, i) => ({ id: `w${i}`, target: target(i) }));

describe('WriteCombiner', () => {
  it('runs a write alone at once when a slot is free', async () => {
    const combiner = new WriteCombiner({ maxInFlight: 2 });
    const { kind, statements } = recordingKind();
    assert.equal(await combiner.submit(kind, { id: 'a', target: 't' }), 'done a');
    assert.deepEqual(statements, [['a']]);
    assert.equal(combiner.stats.combined, 0);
  });

  it('combines writes that wait for a slot, each getting its own outcome, at most maxBatch per statement and maxInFlight at once', async () => {
    const combiner = new WriteCombiner({ maxInFlight: 2, maxBatch: 5 });
    const { kind, statements, maxRunning } = recordingKind();
    const all = writes(23);
    const outcomes = await Promise.all(all.map((w) => combiner.submit(kind, w)));
    assert.deepEqual(outcomes, all.map((w) => `done ${w.id}`));
    assert.deepEqual(statements.flat().sort(), all.map((w) => w.id).sort(), 'every write exactly once');
    assert.ok(statements.every((s) => s.length <= 5));
    assert.ok(statements.length < 23 && combiner.stats.combined > 0, `${statements.length} statements`);
    assert.equal(maxRunning(), 2);
    assert.equal(combiner.stats.writes, 23);
  });

  it('never puts two writes of one conflict key in a statement, and keeps their order', async () => {
    const combiner = new WriteCombiner({ maxInFlight: 1, maxBatch: 10 });
    const { kind, statements } = recordingKind();
    const all = writes(12, (i) => `case-${i % 3}`);
    await Promise.all(all.map((w) => combiner.submit(kind, w)));
    for (const statement of statements) {
      const targets = statement.map((id) => all.find((w) => w.id === id)?.target);
      assert.equal(new Set(targets).size, targets.length, `one write per case in ${statement.join(',')}`);
    }
    const position = new Map(statements.flatMap((s, i) => s.map((id) => [id, i] as const)));
    for (let i = 3; i < all.length; i += 1) assert.ok((position.get(`w${i}`) ?? -1) > (position.get(`w${i - 3}`) ?? Infinity), `w${i} after w${i - 3}`);
  });

  it('when a combined statement fails, runs each of its writes alone: only the bad one fails', async () => {
    const combiner = new WriteCombiner({ maxInFlight: 1, maxBatch: 10 });
    const { kind } = recordingKind({ failMany: (ws) => ws.some((w) => w.id === 'w3'), failOne: (w) => w.id === 'w3' });
    const outcomes = await Promise.allSettled(writes(8).map((w) => combiner.submit(kind, w)));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      outcomes.map((_, i) => (i === 3 ? 'rejected' : 'fulfilled')),
    );
    assert.match(String((outcomes[3] as PromiseRejectedResult).reason), /no w3/);
    assert.ok(combiner.stats.fallbacks >= 1);
  });

  it('a failure whose outcome is unknown (retryAlone false) rejects every write of the statement, without rerunning any', async () => {
    const combiner = new WriteCombiner({ maxInFlight: 1, maxBatch: 10 });
    const { kind, statements } = recordingKind({ failMany: () => true });
    const lost = Object.assign(new Error('connection lost'), { code: 'ECONNRESET' });
    const unknown: WriteKind<W, string> = { ...kind, many: async (ws) => { await kind.many(ws).catch(() => undefined); throw lost; }, retryAlone: () => false };
    const outcomes = await Promise.allSettled(writes(6).map((w) => combiner.submit(unknown, w)));
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    // The first write ran alone (a free slot); the other five shared a statement that failed.
    assert.equal(rejected.length, 5);
    for (const r of rejected) assert.equal(r.reason, lost);
    assert.equal(statements.filter((s) => s.length === 1).length, 1, 'no write of the failed statement ran again');
    assert.equal(combiner.stats.fallbacks, 0);
  });

  it('a statement answering the wrong number of outcomes counts as failed', async () => {
    const combiner = new WriteCombiner({ maxInFlight: 1 });
    const { kind } = recordingKind({ badCount: true });
    const outcomes = await Promise.all(writes(5).map((w) => combiner.submit(kind, w)));
    assert.deepEqual(outcomes, writes(5).map((w) => `done ${w.id}`));
    assert.ok(combiner.stats.fallbacks >= 1);
  });

  it('rejects options that are not positive integers', () => {
    assert.throws(() => new WriteCombiner({ maxInFlight: 0 }), RangeError);
    assert.throws(() => new WriteCombiner({ maxBatch: 1.5 }), RangeError);
  });
});
