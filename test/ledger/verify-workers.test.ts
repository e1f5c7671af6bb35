/**
 * The worker pool of `comity ledger verify --threads N`: the calling thread verifies chunks too,
 * and a chunk blocks it (better-sqlite3 reads synchronously, hashing is synchronous) — the
 * workers must still be handed chunks all along, not only the first one each.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { openDatabase } from '../../src/db/index.js';
import { startVerifyWorkers } from '../../src/ledger/verify-workers.js';

it('a worker thread is handed chunks all along while the calling thread verifies its own', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'comity-verify-workers-'));
  try {
    const file = join(dir, 'log.sqlite');
    const handle = await openDatabase({ kind: 'sqlite', file });
    await handle.migrate();
    await handle.close();
    let local = 0;
    // The calling thread's chunks: 40 ms of synchronous work each, as a chunk read and hashed.
    const pool = await startVerifyWorkers({ database: { kind: 'sqlite', file }, threads: 2 }, 16, () => {}, async () => {
      local += 1;
      const until = Date.now() + 40;
      while (Date.now() < until);
      return { root: 'verified here', snapshots: [], counts: {} };
    });
    const chunks = 150;
    try {
      // The worker's chunks: entries the empty log does not hold, answered at once without a root.
      const results = await Promise.all(Array.from({ length: chunks }, (_, i) => pool.verify({ from: i * 4, to: i * 4 + 4, sizes: [] })));
      assert.deepEqual(pool.errors(), []);
      const byWorker = results.filter((r) => r.root === null).length;
      assert.equal(byWorker + local, chunks);
      // Before: the worker got its first chunk, the calling thread kept every other (its answers waited).
      assert.ok(byWorker > 2, `the worker thread verified ${byWorker} chunks of ${chunks}, the calling thread ${local}`);
    } finally {
      await pool.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
