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
 * microseconds in process. At most {@link CASE_ROW_CACHE_SIZE} rows per database (least
 * recently written forgotten first); rows hold request content, kept no longer than that.
 */
import type { Kysely, Selectable } from 'kysely';
import { sqlFamily } from '../db/dialects/family.js';
import type { CasesTable, Database } from '../db/index.js';

/** Most case rows remembered per database. */
export const CASE_ROW_CACHE_SIZE = 1024;

const caches = new WeakMap<Kysely<Database>, Map<string, Readonly<Selectable<CasesTable>>>>();

function cacheOf(db: Kysely<Database>): Map<string, Readonly<Selectable<CasesTable>>> | undefined {
  let cache = caches.get(db);
  if (cache === undefined && sqlFamily(db as unknown as Kysely<unknown>) === 'postgres') {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}

/** The row of case `id` as this process last wrote it to `db`, if remembered. */
export function cachedCase(db: Kysely<Database>, id: string): Readonly<Selectable<CasesTable>> | undefined {
  return caches.get(db)?.get(id);
}

/** Remembers `row` as written (committed) to `db`; nothing on SQLite. */
export function rememberCase(db: Kysely<Database>, row: Selectable<CasesTable>): void {
  const cache = cacheOf(db);
  if (cache === undefined) return;
  cache.delete(row.id);
  cache.set(row.id, Object.freeze({ ...row }));
  if (cache.size > CASE_ROW_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
}

/** Forgets case `id` (stale, purged, or changed by a write that did not remember it). */
export function forgetCase(db: Kysely<Database>, id: string): void {
  caches.get(db)?.delete(id);
}
