/**
 * @module http/pg-rate-limit-store
 * A store for `@fastify/rate-limit` in PostgreSQL, so that a node running as several processes
 * behind a load balancer has one limit per client, not one per process (issue 12). One upsert
 * per counted request: the counter restarts when its window is over. The in-memory store stays
 * the default for one process (SQLite, PGlite). Rows of windows long over are removed now and
 * then (one request in 500).
 */
import type { RouteOptions } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';

interface Result {
  current: number;
  ttl: number;
}
type Callback = (error: Error | null, result?: Result) => void;

export function pgRateLimitStore(db: Kysely<Database>) {
  return class PgRateLimitStore {
    constructor(
      _global?: unknown,
      readonly prefix = 'global',
    ) {}

    incr(key: string, callback: Callback, timeWindow: number, _max?: number): void {
      const now = Date.now();
      const id = `${this.prefix}|${key}`;
      sql<{ count: number | string; window_start: number | string }>`
        insert into http_rate_limits (key, count, window_start) values (${id}, 1, ${now})
        on conflict (key) do update set
          count = case when http_rate_limits.window_start + ${timeWindow} <= ${now} then 1 else http_rate_limits.count + 1 end,
          window_start = case when http_rate_limits.window_start + ${timeWindow} <= ${now} then ${now} else http_rate_limits.window_start end
        returning count, window_start`
        .execute(db)
        .then((result) => {
          const row = result.rows[0]!;
          callback(null, { current: Number(row.count), ttl: Math.max(0, Number(row.window_start) + timeWindow - now) });
          if (Math.random() < 1 / 500) void sql`delete from http_rate_limits where window_start < ${now - 24 * 3600_000}`.execute(db).catch(() => undefined);
        }, (error: unknown) => callback(error as Error));
    }

    read(key: string, callback: Callback, timeWindow: number): void {
      const now = Date.now();
      db.selectFrom('http_rate_limits')
        .select(['count', 'window_start'])
        .where('key', '=', `${this.prefix}|${key}`)
        .executeTakeFirst()
        .then((row) => {
          if (row === undefined || Number(row.window_start) + timeWindow <= now) callback(null, { current: 0, ttl: 0 });
          else callback(null, { current: Number(row.count), ttl: Number(row.window_start) + timeWindow - now });
        }, (error: unknown) => callback(error as Error));
    }

    /** A route with its own limit counts apart from the global one. */
    child(routeOptions: RouteOptions & { path: string; prefix: string }): PgRateLimitStore {
      const limit = routeOptions as unknown as { max?: unknown; timeWindow?: unknown };
      return new PgRateLimitStore(undefined, `${String(routeOptions.method)} ${routeOptions.path} ${String(limit.max)}/${String(limit.timeWindow)}`);
    }
  };
}
