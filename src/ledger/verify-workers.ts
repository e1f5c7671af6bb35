/**
 * @module ledger/verify-workers
 * Full verification over worker threads (`comity ledger verify` on SQLite files and PostgreSQL):
 * each worker opens its own connection and verifies whole chunks of 2^k integrated entries —
 * their leaves recomputed from the rows and compared with the stored ones, their subtree's nodes
 * compared with the stored ones — and returns the chunk's root (RFC 6962: the hash of a perfect
 * subtree) and, for the checkpoint sizes inside it, the compact range of its prefix. The caller
 * combines the roots in order (`verify.ts`). A chunk in which anything differs, or whose worker
 * failed, comes back without a root: the caller verifies it again itself, which names the entry.
 */
import { Worker } from 'node:worker_threads';
import type { DbConfig } from '../db/index.js';

export interface ParallelVerification {
  /** How the workers connect (the database the caller verifies). */
  database: DbConfig;
  /** Threads verifying, the calling one included; 1 or fewer verifies in the calling thread only. */
  workers: number;
  /** Entries per chunk: 2^chunkLevel (default 16: 65,536). */
  chunkLevel?: number;
}

export interface ChunkRequest {
  from: number;
  to: number;
  /** Checkpoint sizes in (from, to) whose prefix ranges are wanted. */
  sizes: number[];
}

export interface ChunkResult {
  /** The chunk's subtree root as a binary string, or null when it must be verified again by the caller. */
  root: string | null;
  /** Per wanted size: the compact range of entries [from, size), binary strings, largest first. */
  snapshots: Array<[number, string[]]>;
}

/** Messages from a worker. */
export type WorkerMessage = { type: 'progress'; entries: number } | ({ type: 'result'; id: number } & ChunkResult);

/** What a worker is started with. */
export interface WorkerSetup {
  database: DbConfig;
  batch: number;
}

/** The worker's code: imports the worker module, through tsx's loader when it is TypeScript (resolved from here, not from the working directory). */
function bootstrap(): string {
  const typescript = import.meta.url.endsWith('.ts');
  const href = new URL(`./verify-worker${typescript ? '.ts' : '.js'}`, import.meta.url).href;
  if (!typescript) return `import(${JSON.stringify(href)});`;
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(href)}); });`;
}

/**
 * Starts `parallel.workers − 1` worker threads; with `local`, the calling thread verifies chunks
 * as well, between its other work. `onEntries(n)` as the workers verify entries. Chunks are
 * handed out in the order asked.
 */
export function startVerifyWorkers(parallel: ParallelVerification, batch: number, onEntries: (n: number) => void, local: (request: ChunkRequest) => Promise<ChunkResult>): { verify(request: ChunkRequest): Promise<ChunkResult>; close(): Promise<void> } {
  const queue: Array<{ request: ChunkRequest; resolve: (result: ChunkResult) => void }> = [];
  const failed: ChunkResult = { root: null, snapshots: [] };
  /** Workers waiting for a chunk: calling one hands it the next. */
  const idle: Array<() => void> = [];
  const workers: Worker[] = [];
  let live = 0;
  let nextId = 0;
  const start = (): void => {
    const worker = new Worker(bootstrap(), { eval: true, workerData: { database: parallel.database, batch } satisfies WorkerSetup });
    workers.push(worker);
    live += 1;
    let dead = false;
    let current: { id: number; resolve: (result: ChunkResult) => void } | null = null;
    const next = (): void => {
      const job = queue.shift();
      if (job === undefined) {
        current = null;
        idle.push(next);
        return;
      }
      current = { id: (nextId += 1), resolve: job.resolve };
      worker.postMessage({ id: current.id, ...job.request });
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onEntries(message.entries);
      else if (current !== null && message.id === current.id) {
        current.resolve({ root: message.root, snapshots: message.snapshots });
        next();
      }
    });
    // A worker that cannot go on (no connection, a crash): its chunk and, when none is left, every
    // waiting chunk are verified by the caller.
    const gone = (): void => {
      if (dead) return;
      dead = true;
      live -= 1;
      const i = idle.indexOf(next);
      if (i >= 0) idle.splice(i, 1);
      current?.resolve(failed);
      current = null;
      if (live === 0) for (const job of queue.splice(0)) job.resolve(failed);
    };
    worker.once('error', gone);
    worker.once('exit', gone);
    idle.push(next);
  };
  for (let i = 1; i < parallel.workers; i += 1) start();
  // The calling thread: one more runner on the same queue, which never fails for lack of a worker.
  live += 1;
  const runLocal = (): void => {
    const job = queue.shift();
    if (job === undefined) {
      idle.push(runLocal);
      return;
    }
    void local(job.request)
      .catch(() => failed)
      .then((result) => {
        job.resolve(result);
        runLocal();
      });
  };
  idle.push(runLocal);
  return {
    verify(request) {
      return new Promise<ChunkResult>((resolve) => {
        if (live === 0) {
          resolve(failed);
          return;
        }
        queue.push({ request, resolve });
        idle.shift()?.();
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
