/**
 * @module test/db/sqlite-writer
 * Worker thread for the SQLite concurrency test: its own connection to the shared file, writing
 * `transactions` audit events, each in a transaction that reads before it writes and holds the
 * write lock for `holdMs` of busy work, so that the workers contend for the lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import { openDatabase, uuidv7 } from '../../src/db/index.js';

export interface WriterInput {
  file: string;
  worker: number;
  transactions: number;
  holdMs: number;
}
export interface WriterOutput {
  worker: number;
  committed: number;
  errors: string[];
  maxWaitMs: number;
}

const input = workerData as WriterInput;
const handle = await openDatabase({ kind: 'sqlite', file: input.file });
const output: WriterOutput = { worker: input.worker, committed: 0, errors: [], maxWaitMs: 0 };
for (let i = 0; i < input.transactions; i++) {
  const started = Date.now();
  try {
    await handle.db.transaction().execute(async (trx) => {
      output.maxWaitMs = Math.max(output.maxWaitMs, Date.now() - started);
      const { rows } = await sql<{ n: number }>`select count(*) as n from audit_events`.execute(trx);
      const until = Date.now() + input.holdMs;
      while (Date.now() < until) {
        // hold the write lock
      }
      await trx
        .insertInto('audit_events')
        .values({
          id: uuidv7(Date.now()),
          actor: `worker-${input.worker}`,
          action: 'test.write',
          object_type: 'test',
          object_id: String(i),
          at: new Date().toISOString(),
          before_digest: null,
          after_digest: null,
          details: JSON.stringify({ seen: rows[0]?.n ?? 0 }),
        })
        .execute();
    });
    output.committed += 1;
  } catch (error) {
    output.errors.push(error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error));
  }
}
await handle.close();
parentPort?.postMessage(output);
