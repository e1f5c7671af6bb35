/**
 * @module cases/row-cache
 * The rows of cases this process wrote last, per PostgreSQL database, so that the next
 * transition of such a case need not read it back first (one round trip instead of two, see
 * `transitionCase`).
 *
 * Why this is safe: a cached row is only ever a starting point. The write that follows is
 * version-checked — it changes the case only if the stored version is still the cached one —
 * and every change of a case's content bumps its version (the retention purge, which does not,
 * runs only on ended cases, where no transition is allowed, and forgets the row). A stale row
 * (changed by another process) therefore makes the write match nothing, or the checks fail on
 * outdated data; either way `transitionCase` forgets the row and decides again on the stored
 * one. The audit event's "before" digest is computed from the cached row, which is then exactly
 * the stored row the write replaced.
 *
 * Only PostgreSQL uses it: there a read is a network round trip, on SQLite it is a few
 * microseconds in process. Bounded per database by {@link CASE_ROW_CACHE_SIZE} rows and
 * {@link CASE_ROW_CACHE_CHARS} characters of content (least recently written forgotten first).
 */
import type { Kysely, Selectable } from 'kysely';
import { sqlFamily } from '../db/dialects/family.js';
import type { CasesTable, Database } from '../db/index.js';
import { TERMINAL_STATES, type CaseState } from './workflow.js';

/** Most case rows remembered per database. */
export const CASE_ROW_CACHE_SIZE = 1024;
/** Most characters of request, review and assessment text remembered per database (≈ 16 MB). */
export const CASE_ROW_CACHE_CHARS = 16 * 1024 * 1024;

interface Cache {
  rows: Map<string, Readonly<Selectable<CasesTable>>>;
  chars: number;
}

const caches = new WeakMap<Kysely<Database>, Cache>();

function cacheOf(db: Kysely<Database>): Cache | undefined {
  let cache = caches.get(db);
  if (cache === undefined && sqlFamily(db as unknown as Kysely<unknown>) === 'postgres') {
    cache = { rows: new Map(), chars: 0 };
    caches.set(db, cache);
  }
  return cache;
}

function charsOf(row: Selectable<CasesTable>): number {
  return (row.request?.length ?? 0) + (row.review?.length ?? 0) + (row.assessment?.length ?? 0);
}

/** The row of case `id` as this process last wrote it to `db`, if remembered. */
export function cachedCase(db: Kysely<Database>, id: string): Readonly<Selectable<CasesTable>> | undefined {
  return caches.get(db)?.rows.get(id);
}

/**
 * Remembers `row` as written (committed) to `db`; nothing on SQLite. Only rows the fast path
 * can use are kept — cases not yet received, not ended — so no received personal data (and
 * nothing a retention purge deletes) stays here.
 */
export function rememberCase(db: Kysely<Database>, row: Selectable<CasesTable>): void {
  const cache = cacheOf(db);
  if (cache === undefined) return;
  forget(cache, row.id);
  if (row.received_at !== null || TERMINAL_STATES.has(row.state as CaseState)) return;
  cache.rows.set(row.id, Object.freeze({ ...row }));
  cache.chars += charsOf(row);
  // Least recently written first (a Map iterates in insertion order).
  for (const oldest of cache.rows.keys()) {
    if (cache.rows.size <= CASE_ROW_CACHE_SIZE && cache.chars <= CASE_ROW_CACHE_CHARS) break;
    forget(cache, oldest);
  }
}

/** Forgets case `id` (stale, purged, or changed by a write that did not remember it). */
export function forgetCase(db: Kysely<Database>, id: string): void {
  const cache = caches.get(db);
  if (cache !== undefined) forget(cache, id);
}

function forget(cache: Cache, id: string): void {
  const row = cache.rows.get(id);
  if (row === undefined) return;
  cache.rows.delete(id);
  cache.chars -= charsOf(row);
}
