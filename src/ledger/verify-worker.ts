/**
 * @module ledger/verify-worker
 * A worker thread of {@link startVerifyWorkers}: opens its own connection to the database and
 * verifies the chunks it is sent (see `verify-workers.ts`), one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../db/dialects/family.js';
import { openDatabase } from '../db/index.js';
import { mapForReading, verifyChunk } from './verify.js';
import { sourceReads } from './verify-reads.js';
import type { ChunkRequest, WorkerMessage, WorkerSetup } from './verify-workers.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (port === null) throw new Error('verify-worker runs in a worker thread');
// One connection is all a worker uses.
const handle = await openDatabase(setup.database.kind === 'postgres' ? { ...setup.database, poolMax: 1 } : setup.database);
const db = handle.db;
const family = sqlFamily(db as unknown as Kysely<unknown>);
// This connection only verifies: mapped for reading until it closes.
await mapForReading(db, family);
const reads = await sourceReads(db, family);
const send = (message: WorkerMessage): void => port.postMessage(message);

let work = Promise.resolve();
port.on('message', (request: (ChunkRequest & { id: number }) | { close: true }) => {
  if ('close' in request) {
    // After the chunk in hand: the connection closed cleanly, then the thread ends.
    void work.finally(() => handle.close()).finally(() => port.close());
    return;
  }
  work = work.then(async () => {
    const result = await verifyChunk(db, family, reads, request, setup.batch, (entries) => send({ type: 'progress', entries }));
    send({ type: 'result', id: request.id, ...result });
  });
});
