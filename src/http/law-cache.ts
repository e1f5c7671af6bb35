/**
 * @module http/law-cache
 * Public law answers that are costly to compute, kept cheap for everyone: the co-operation
 * matrix (`GET /api/law/matrix`) is computed at most once per knowledge-base version, instrument
 * and date, and served from memory as ready JSON afterwards.
 *
 * - **Keyed by the knowledge base's version**: the SHA-256 of its content, so a server started on
 *   other data (e.g. `--data DIR`) or a reloaded knowledge base never sees another's answers.
 * - **Computed without stalling the node**: a miss is computed in slices of at most
 *   {@link SLICE_MS} ms of CPU, yielding to the event loop between slices, one matrix at a time;
 *   concurrent requests for the same key share one computation; at most {@link MAX_PENDING}
 *   distinct computations wait, beyond that a miss answers 429 (the client retries later).
 * - **Bounded**: {@link MAX_ENTRIES} answers, the least recently used dropped first.
 *
 * The answer is exactly `cooperationMatrix` of `src/law/matrix.ts` (a test keeps them equal);
 * only the schedule differs.
 */
import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { MEASURES, type BasesFinder, type InstrumentId, type KnowledgeBase, type MatrixResult, type Measure } from '../law/index.js';
import { HttpProblem } from './problems.js';

export const SLICE_MS = 5;
export const MAX_ENTRIES = 64;
export const MAX_PENDING = 4;

const versions = new WeakMap<KnowledgeBase, string>();

/** The knowledge base's version: SHA-256 of its content (maps as entry lists), computed once per loaded base. */
export function knowledgeBaseVersion(kb: KnowledgeBase): string {
  let version = versions.get(kb);
  if (version === undefined) {
    const plain = JSON.stringify(kb, (_key, value: unknown) => (value instanceof Map ? [...value.entries()] : value instanceof Set ? [...value.values()] : value));
    version = createHash('sha256').update(plain).digest('hex').slice(0, 16);
    versions.set(kb, version);
  }
  return version;
}

/** `cooperationMatrix`, computed in slices that yield to the event loop. */
export async function cooperationMatrixSliced(finder: BasesFinder, instrument: InstrumentId, date: string, emergency = false): Promise<MatrixResult> {
  let sliceStart = performance.now();
  const breathe = async (): Promise<void> => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await yieldToEventLoop();
    sliceStart = performance.now();
  };
  const parties: string[] = [];
  for (const party of finder.index.parties()) {
    if (finder.index.partyStatus(party, instrument, date).status === 'in-force') parties.push(party);
  }
  const pairs: MatrixResult['pairs'] = [];
  for (const from of parties) {
    for (const to of parties) {
      if (from === to) continue;
      const measures: Measure[] = [];
      for (const measure of MEASURES) {
        const result = finder.find({ from, to, measure, date, emergency });
        if (result.applicable.some((basis) => basis.instrument === instrument)) measures.push(measure);
      }
      if (measures.length > 0) pairs.push({ from, to, measures });
      await breathe();
    }
  }
  return { instrument, date, emergency, parties, pairs };
}

export interface MatrixCache {
  /** The matrix as JSON text and its entity tag. */
  get(instrument: InstrumentId, date: string): Promise<{ json: string; etag: string }>;
  readonly size: number;
}

export function createMatrixCache(kb: KnowledgeBase, finder: BasesFinder): MatrixCache {
  const version = knowledgeBaseVersion(kb);
  const done = new Map<string, { json: string; etag: string }>();
  const pending = new Map<string, Promise<{ json: string; etag: string }>>();
  // One computation at a time: a chain of promises.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get size() {
      return done.size;
    },
    get(instrument, date) {
      const key = `${version}|${instrument}|${date}`;
      const hit = done.get(key);
      if (hit) {
        // Least recently used first: re-insert on every hit.
        done.delete(key);
        done.set(key, hit);
        return Promise.resolve(hit);
      }
      const running = pending.get(key);
      if (running) return running;
      if (pending.size >= MAX_PENDING) return Promise.reject(new HttpProblem('rate-limited', 'the matrix for this date is being computed after others: retry in a few seconds'));
      const computed = queue.then(async () => {
        const result = await cooperationMatrixSliced(finder, instrument, date);
        const json = JSON.stringify(result);
        const entry = { json, etag: `"${createHash('sha256').update(key).digest('hex').slice(0, 32)}"` };
        done.set(key, entry);
        if (done.size > MAX_ENTRIES) {
          const oldest = done.keys().next().value;
          if (oldest !== undefined) done.delete(oldest);
        }
        return entry;
      });
      queue = computed.catch(() => undefined);
      pending.set(key, computed);
      void computed.finally(() => pending.delete(key)).catch(() => undefined);
      return computed;
    },
  };
}
