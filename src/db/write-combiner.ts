/**
 * @module db/write-combiner
 * Write combining: concurrent single-statement writes of the same shape become one multi-row
 * statement — PostgreSQL's counterpart of the group commit used on SQLite (`group-commit.ts`).
 *
 * Why: on PostgreSQL a write that is one statement (a case change with its history and audit
 * events, see `cases/commands.ts`) needs no transaction around it, but each statement still costs
 * a round trip, a pooled connection, and the server's per-statement work; under load these, not
 * the rows, are what limits the rate. The combiner keeps at most `maxInFlight` statements running
 * (each on a pooled connection); writes submitted while they run wait, grouped by shape (`key`),
 * and the next free slot runs up to `maxBatch` of one group as ONE statement (`many`). A write
 * submitted when a slot is free runs at once, alone (`one`): no added latency when idle.
 *
 * Per write, the outcome is what `one` would have given:
 * - `many` returns one outcome per write (e.g. whether its version-checked update matched);
 * - writes with the same `conflictKey` (e.g. the same case) never share a statement (a later one
 *   goes into a later statement; statements may run at the same time, so ordering between them
 *   is the writes' own business, e.g. a version check);
 * - when the database refused the combined statement (`retryAlone(error)`: e.g. a constraint
 *   violation — one statement is atomic, so nothing of it was written), each of its writes runs
 *   again alone, so the error reaches only the write that causes it. Any other failure (a lost
 *   connection: the statement may or may not have committed) rejects every write of it with that
 *   error, as it would have rejected each write run alone.
 *
 * A write is acknowledged when its statement has committed (autocommit): as durable as alone.
 */

/** One kind of combinable write: how to run one, and how to run many as one statement. */
export interface WriteKind<V, R> {
  /** Writes with the same key may share a statement (same columns, same SQL shape). */
  key(write: V): string;
  /** Writes with the same conflict key never share a statement. */
  conflictKey(write: V): string;
  one(write: V): Promise<R>;
  /** Outcomes in the order of `writes` (at least two). */
  many(writes: V[]): Promise<R[]>;
  /**
   * Whether `error`, thrown by `many`, means the statement was refused as a whole (so each write
   * may run again alone); default: always. Return false for failures whose outcome is unknown.
   */
  retryAlone?(error: unknown): boolean;
}

export interface WriteCombinerOptions {
  /** Statements running at once (each holds a pooled connection); default 4. */
  maxInFlight?: number;
  /** Most writes in one statement; default 32. */
  maxBatch?: number;
}

/** Counters, for tests and benchmarks. */
export interface WriteCombinerStats {
  statements: number;
  combined: number;
  writes: number;
  /** Combined statements that failed and whose writes were run again alone. */
  fallbacks: number;
  maxBatchSize: number;
}

interface Pending {
  write: unknown;
  conflict: string;
  order: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Group {
  kind: WriteKind<unknown, unknown>;
  pending: Pending[];
}

export class WriteCombiner {
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  readonly #groups = new Map<string, Group>();
  #inFlight = 0;
  #order = 0;
  readonly #stats: WriteCombinerStats = { statements: 0, combined: 0, writes: 0, fallbacks: 0, maxBatchSize: 0 };

  /** @throws {RangeError} when an option is not a positive integer. */
  constructor(options: WriteCombinerOptions = {}) {
    this.#maxInFlight = options.maxInFlight ?? 4;
    this.#maxBatch = options.maxBatch ?? 32;
    for (const [name, value] of [['maxInFlight', this.#maxInFlight], ['maxBatch', this.#maxBatch]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }

  get stats(): Readonly<WriteCombinerStats> {
    return { ...this.#stats };
  }

  /** Runs `write` alone or combined with others of its kind; resolves with its own outcome. */
  submit<V, R>(kind: WriteKind<V, R>, write: V): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const key = kind.key(write);
      let group = this.#groups.get(key);
      if (group === undefined) {
        group = { kind: kind as WriteKind<unknown, unknown>, pending: [] };
        this.#groups.set(key, group);
      }
      group.pending.push({ write, conflict: kind.conflictKey(write), order: this.#order++, resolve: resolve as (value: unknown) => void, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight) {
      // The group whose oldest write has waited longest goes first.
      let next: Group | undefined;
      for (const group of this.#groups.values()) {
        const head = group.pending[0];
        if (head !== undefined && (next === undefined || head.order < (next.pending[0] as Pending).order)) next = group;
      }
      if (next === undefined) return;
      const batch = this.#take(next);
      this.#inFlight += 1;
      void this.#run(next.kind, batch).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
      });
    }
  }

  /** Up to maxBatch writes of the group, in order, at most one per conflict key. */
  #take(group: Group): Pending[] {
    const taken: Pending[] = [];
    const conflicts = new Set<string>();
    const rest: Pending[] = [];
    for (const pending of group.pending) {
      if (taken.length < this.#maxBatch && !conflicts.has(pending.conflict)) {
        taken.push(pending);
        conflicts.add(pending.conflict);
      } else {
        rest.push(pending);
      }
    }
    group.pending = rest;
    return taken;
  }

  async #run(kind: WriteKind<unknown, unknown>, batch: Pending[]): Promise<void> {
    this.#stats.statements += 1;
    this.#stats.writes += batch.length;
    this.#stats.maxBatchSize = Math.max(this.#stats.maxBatchSize, batch.length);
    if (batch.length === 1) {
      const [only] = batch as [Pending];
      await kind.one(only.write).then(only.resolve, only.reject);
      return;
    }
    this.#stats.combined += 1;
    let outcomes: unknown[];
    try {
      outcomes = await kind.many(batch.map((pending) => pending.write));
      if (outcomes.length !== batch.length) throw new Error(`write combiner: ${outcomes.length} outcomes for ${batch.length} writes`);
    } catch (error) {
      if (kind.retryAlone !== undefined && !kind.retryAlone(error)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      // Nothing of the statement was written: each write again on its own, to give each its own outcome.
      this.#stats.fallbacks += 1;
      for (const pending of batch) await kind.one(pending.write).then(pending.resolve, pending.reject);
      return;
    }
    batch.forEach((pending, i) => pending.resolve(outcomes[i]));
  }
}
