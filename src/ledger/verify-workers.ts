/**
 * @module ledger/verify-workers
 * Full verification over worker threads (`comity ledger verify --threads N` on SQLite files and
 * PostgreSQL): each worker opens its own connection and verifies whole chunks of 2^k integrated
 * entries — their leaves recomputed from the rows and compared with the stored ones, their
 * subtree's nodes compared with the stored ones — and returns the chunk's root (RFC 6962: the
 * hash of a perfect subtree) and, for the checkpoint sizes inside it, the compact range of its
 * prefix. The caller combines the roots in order (`verify.ts`). A chunk in which anything
 * differs, or whose worker failed, comes back without a root: the caller verifies it again
 * itself, which names the entry.
 *
 * A worker loads the compiled build (`npm run build:server`, dist/server) when its stamp matches
 * the sources, as bin/comity.js does — ≈ 0.1 s — and otherwise the TypeScript sources through
 * tsx (≈ 1 s of CPU per worker).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DbConfig } from '../db/index.js';

export interface ParallelVerification {
  /** How the workers connect (the database the caller verifies). */
  database: DbConfig;
  /** Threads verifying, the calling one included; 1 or fewer verifies in the calling thread only. */
  threads: number;
  /** Entries per chunk: 2^chunkLevel (default 14: 16,384). */
  chunkLevel?: number;
}

/**
 * Threads for `comity ledger verify` by default: one per core, at most 4; 1 for databases a
 * second connection cannot open (PGlite, in-memory SQLite).
 */
export function defaultVerifyThreads(database: DbConfig): number {
  if (database.kind === 'pglite' || (database.kind === 'sqlite' && database.file === ':memory:')) return 1;
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/** `threads` for `database`: 1 where a second connection cannot open it. */
export function usableThreads(database: DbConfig, threads: number): number {
  return defaultVerifyThreads(database) === 1 ? 1 : Math.max(1, threads);
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
  /** The chunk's entries per source (with a root only). */
  counts: Record<string, number>;
}

/** Messages from a worker. */
export type WorkerMessage = { type: 'progress'; entries: number } | ({ type: 'result'; id: number } & ChunkResult);

/** What a worker is started with. */
export interface WorkerSetup {
  database: DbConfig;
  batch: number;
}

/** Chunks a worker holds at once (one verified, the next waiting in its queue). */
const WORKER_DEPTH = 2;

/** The repository root (import.meta.url names the source file, under tsx and in the compiled build alike). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How the worker's code is loaded, decided once per process (the stamp check hashes the sources). */
let bootstrapCode: Promise<{ code: string; runtime: 'dist' | 'tsx' }> | undefined;

/** The worker's code: imports the compiled worker module when the build is fresh, else the TypeScript one through tsx's loader. */
export function workerBootstrap(): Promise<{ code: string; runtime: 'dist' | 'tsx' }> {
  return (bootstrapCode ??= (async () => {
    const stamp = (await import(pathToFileURL(join(ROOT, 'bin', 'build-stamp.js')).href)) as { BUILD_DIR: string; WORKER_ENTRIES: ReadonlyArray<{ in: string; out: string }>; buildIsFresh: (root: string) => boolean };
    const entry = stamp.WORKER_ENTRIES.find((w) => w.in === 'src/ledger/verify-worker.ts');
    const compiled = entry === undefined ? null : join(ROOT, stamp.BUILD_DIR, `${entry.out}.js`);
    if (process.env.COMITY_RUNTIME !== 'tsx' && compiled !== null && existsSync(compiled) && stamp.buildIsFresh(ROOT)) return { code: `import(${JSON.stringify(pathToFileURL(compiled).href)});`, runtime: 'dist' };
    const tsx = import.meta.resolve('tsx/esm/api');
    const href = pathToFileURL(join(ROOT, 'src', 'ledger', 'verify-worker.ts')).href;
    return { code: `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(href)}); });`, runtime: 'tsx' };
  })());
}

/**
 * Starts `parallel.threads − 1` worker threads; with `local`, the calling thread verifies chunks
 * as well, between its other work. `onEntries(n)` as the workers verify entries. Chunks are
 * handed out in the order asked.
 */
export async function startVerifyWorkers(parallel: ParallelVerification, batch: number, onEntries: (n: number) => void, local: (request: ChunkRequest) => Promise<ChunkResult>): Promise<{ verify(request: ChunkRequest): Promise<ChunkResult>; errors(): readonly string[]; close(): Promise<void> }> {
  const { code } = await workerBootstrap();
  const queue: Array<{ request: ChunkRequest; resolve: (result: ChunkResult) => void }> = [];
  const failed: ChunkResult = { root: null, snapshots: [], counts: {} };
  /** Workers waiting for a chunk: calling one hands it the next. */
  const idle: Array<() => void> = [];
  const workers: Array<{ worker: Worker; exited: Promise<void> }> = [];
  let live = 0;
  let nextId = 0;
  /** Set by close(): nothing more is started, waiting chunks are answered as failed. */
  let stopped = false;
  /** Why worker threads failed (their chunks were verified by the caller instead). */
  const errors: string[] = [];
  const start = (): void => {
    const worker = new Worker(code, { eval: true, workerData: { database: parallel.database, batch } satisfies WorkerSetup });
    workers.push({ worker, exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())) });
    live += 1;
    let dead = false;
    /** Chunks sent and not answered yet, by id. */
    const inFlight = new Map<number, (result: ChunkResult) => void>();
    let waiting = false;
    // Up to WORKER_DEPTH chunks in hand: the next one is there when the worker finishes one,
    // even while this thread is busy verifying a chunk itself and cannot hand it out.
    const fill = (): void => {
      waiting = false;
      while (!dead && inFlight.size < WORKER_DEPTH) {
        const job = queue.shift();
        if (job === undefined) break;
        const id = (nextId += 1);
        inFlight.set(id, job.resolve);
        worker.postMessage({ id, ...job.request });
      }
      if (!dead && inFlight.size < WORKER_DEPTH) {
        waiting = true;
        idle.push(fill);
      }
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onEntries(message.entries);
      else {
        const resolve = inFlight.get(message.id);
        if (resolve === undefined) return;
        inFlight.delete(message.id);
        resolve({ root: message.root, snapshots: message.snapshots, counts: message.counts });
        if (!waiting) fill();
      }
    });
    // A worker that cannot go on (no connection, a crash): its chunks and, when none is left, every
    // waiting chunk are verified by the caller.
    const gone = (): void => {
      if (dead) return;
      dead = true;
      live -= 1;
      const i = idle.indexOf(fill);
      if (i >= 0) idle.splice(i, 1);
      for (const resolve of inFlight.values()) resolve(failed);
      inFlight.clear();
      if (live === 0) for (const job of queue.splice(0)) job.resolve(failed);
    };
    worker.once('error', (error: unknown) => {
      errors.push(error instanceof Error ? error.message : String(error));
      gone();
    });
    worker.once('exit', gone);
    fill();
  };
  for (let i = 1; i < parallel.threads; i += 1) start();
  // The calling thread: one more runner on the same queue, which never fails for lack of a worker.
  // Between its chunks it returns to the event loop (setImmediate): the workers' answers are
  // handled there and their next chunks sent — verifying chunk after chunk in promise callbacks
  // alone, it kept every chunk but the workers' first to itself (2 threads were no faster than 1).
  live += 1;
  const runLocal = (): void => {
    if (stopped) return;
    const job = queue.shift();
    if (job === undefined) {
      idle.push(runLocal);
      return;
    }
    void local(job.request)
      .catch(() => failed)
      .then((result) => {
        job.resolve(result);
        setImmediate(runLocal);
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
    errors: () => errors,
    async close() {
      stopped = true;
      for (const job of queue.splice(0)) job.resolve(failed);
      // Each worker closes its connection and ends; one that does not within 5 s is terminated.
      await Promise.all(
        workers.map(async ({ worker, exited }) => {
          worker.postMessage({ close: true });
          const timer = setTimeout(() => void worker.terminate(), 5000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
