/**
 * @module db/migrations/0036_http_rate_limits
 * Request counters of the HTTP rate limit shared by every process of a node on PostgreSQL
 * (http/pg-rate-limit-store.ts): one row per client key and limit, with the start of its window.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = sqlFamily(db) === 'sqlite';
  const table = db.schema
    .createTable('http_rate_limits')
    .addColumn('key', 'text', (col) => col.primaryKey().notNull())
    .addColumn('count', 'integer', (col) => col.notNull())
    // Milliseconds since the epoch.
    .addColumn('window_start', sqlite ? 'integer' : 'bigint', (col) => col.notNull());
  await (sqlite ? table.modifyEnd(sql`strict`) : table).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('http_rate_limits').execute();
}
