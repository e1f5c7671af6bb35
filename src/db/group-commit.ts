/**
 * @module db/group-commit
 * Group commit: many small write transactions share one database commit.
 *
 * Why: a durable commit costs one fsync (SQLite `synchronous = FULL`, PostgreSQL
 * `synchronous_commit = on`), typically 0.1–10 ms whatever the size of the transaction, while
 * the statements of a case use case (insert the case, its history event, its audit event) take
 * microseconds. Committing each request on its own therefore caps the write rate at one request
 * per fsync. A group committer collects the work items submitted meanwhile and runs them in ONE
 * transaction, paying one fsync per batch instead of one per request, without weakening what
 * "acknowledged" means:
 *
 * - each item runs inside its own SAVEPOINT: an item that throws is rolled back to it alone
 *   and only its own promise rejects (at once: nothing of it can become durable);
 * - the promise of an item that succeeded resolves only AFTER the batch's COMMIT returned, so
 *   an acknowledged result is as durable as with a transaction of its own;
 * - when BEGIN, a savepoint command or the COMMIT fails, the whole batch is rolled back and every
 *   item of it not already rejected by its own error rejects with a {@link GroupCommitError}.
 *
 * Items run one after the other in submission order (SQLite and PGlite have one connection, and
 * a transaction is one connection anyway); items submitted while a batch runs join the next one
 * (up to `maxBatch` items, taken when the batch's transaction has begun). Inside a batch an item
 * sees the uncommitted writes of the items before it, which commit or fail together with it.
 *
 * A work item must use only the transaction it is given: on a single-connection engine a query
 * on the outer `db`, or a nested submission to the same runner awaited from inside a work item,
 * would wait for the batch that waits for it (the same holds for `db.transaction()` on SQLite).
 *
 * @example
 * const transaction = createGroupCommitRunner(handle.db, { maxBatch: 64 });
 * const ctx = createCaseContext(handle.db, kb, { transaction });
 * await Promise.all(inputs.map((input) => createCase(ctx, actor, input))); // a few commits, not one per case
 */
import type { ControlledTransaction, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export interface GroupCommitOptions {
  /** Most items in one transaction; default 64. */
  maxBatch?: number;
  /**
   * When the runner is idle, how long the first item waits for others before its batch begins
   * (unless `maxBatch` items are waiting); default 0: begin at once. Items that arrive while a
   * batch runs never wait longer than that batch.
   */
  maxWaitMs?: number;
}

/** Counters, for tests and benchmarks. */
export interface GroupCommitStats {
  /** Batches whose commit succeeded. */
  commits: number;
  /** Batches rolled back because BEGIN, a savepoint or the commit failed. */
  failedBatches: number;
  /** Items acknowledged (committed). */
  committedItems: number;
  /** Items that threw and were rolled back to their savepoint. */
  failedItems: number;
  /** Largest batch so far. */
  maxBatchSize: number;
}

/** A `TransactionRunner` (see `cases/context.ts`) that groups concurrent work into one commit. */
export type GroupCommitRunner = (<T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>) & {
  /** Live counters (a snapshot copy). */
  readonly stats: Readonly<GroupCommitStats>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
};

/** Rejects the items of a batch that could not be committed; `cause` is the database's error. */
export class GroupCommitError extends Error {
  override readonly name = 'GroupCommitError';
}

interface Item {
  work: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const SAVEPOINT = 'group_commit_item';

/**
 * A transaction runner that commits concurrent work items in groups.
 *
 * @throws {RangeError} when `maxBatch` is not a positive integer or `maxWaitMs` is negative.
 */
export function createGroupCommitRunner(db: Kysely<Database>, options: GroupCommitOptions = {}): GroupCommitRunner {
  const maxBatch = options.maxBatch ?? 64;
  const maxWaitMs = options.maxWaitMs ?? 0;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) throw new RangeError(`maxWaitMs must be a non-negative number, got ${maxWaitMs}`);

  const stats: GroupCommitStats = { commits: 0, failedBatches: 0, committedItems: 0, failedItems: 0, maxBatchSize: 0 };
  const queue: Item[] = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  const idleWaiters: (() => void)[] = [];

  function schedule(): void {
    if (running) return;
    if (queue.length === 0) {
      for (const wake of idleWaiters.splice(0)) wake();
      return;
    }
    if (maxWaitMs > 0 && queue.length < maxBatch) {
      timer ??= setTimeout(start, maxWaitMs);
      return;
    }
    start();
  }

  function start(): void {
    clearTimeout(timer);
    timer = undefined;
    if (running) return;
    running = true;
    void runBatch().finally(() => {
      running = false;
      // Items that queued during this batch already waited for it: begin the next at once.
      if (queue.length > 0) start();
      else schedule();
    });
  }

  async function runBatch(): Promise<void> {
    let trx: ControlledTransaction<Database>;
    try {
      trx = await db.startTransaction().execute();
    } catch (error) {
      failBatch(queue.splice(0, maxBatch), error, 'could not begin the transaction');
      return;
    }
    // Everything submitted until the transaction began joins it.
    const batch = queue.splice(0, maxBatch);
    stats.maxBatchSize = Math.max(stats.maxBatchSize, batch.length);
    const succeeded: { item: Item; value: unknown }[] = [];
    let next = 0;
    try {
      for (; next < batch.length; next += 1) {
        const item = batch[next] as Item;
        const sp = await trx.savepoint(SAVEPOINT).execute();
        let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
        try {
          outcome = { ok: true, value: await item.work(sp) };
        } catch (error) {
          outcome = { ok: false, error };
        }
        if (outcome.ok) {
          succeeded.push({ item, value: outcome.value });
        } else {
          await sp.rollbackToSavepoint(SAVEPOINT).execute();
          stats.failedItems += 1;
          item.reject(outcome.error);
        }
        await sp.releaseSavepoint(SAVEPOINT).execute();
      }
      await trx.commit().execute();
    } catch (error) {
      // SQLite keeps the transaction open after a failed COMMIT (e.g. a deferred foreign key):
      // roll it back, which also returns the connection. Best effort: the error that matters is `error`.
      if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => {});
      const notRun = batch.slice(next + 1);
      const current = next < batch.length ? [batch[next] as Item] : [];
      // The current item may have rejected already (rolled back by its own error): rejecting again is a no-op.
      failBatch([...succeeded.map((s) => s.item), ...current, ...notRun], error, next < batch.length ? 'a savepoint command failed' : 'the commit failed');
      return;
    }
    stats.commits += 1;
    stats.committedItems += succeeded.length;
    for (const { item, value } of succeeded) item.resolve(value);
  }

  function failBatch(items: Item[], error: unknown, what: string): void {
    stats.failedBatches += 1;
    const message = error instanceof Error ? error.message : String(error);
    for (const item of items) {
      item.reject(new GroupCommitError(`group commit: ${what}, so this work was not committed: ${message}`, { cause: error }));
    }
  }

  const runner = <T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      schedule();
    });

  return Object.defineProperties(runner, {
    stats: { get: () => ({ ...stats }), enumerable: true },
    idle: {
      value: (): Promise<void> =>
        !running && queue.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    },
  }) as GroupCommitRunner;
}
