/**
 * @module db/migrations/0011_ledger
 * The node's transparency log (see `src/ledger/`). Sequencing, integration and publication are
 * separate steps (as in Trillian Tessera):
 * - `ledger_head` is one row counting the entries sequenced. Every audit event, login event and
 *   case-access record gets its index from a trigger that increments this row in the inserting
 *   transaction: the row lock serialises index assignment until commit, so indexes are contiguous
 *   from 0 and committed in index order — never a database sequence (issue 11; exchange-evidence
 *   §4: ids taken before commit can be skipped by a reader).
 * - `ledger_entries`: index → the recorded row (source table and id), or the leaf itself for
 *   records appended directly (`appendLeaf`).
 * - `ledger_leaves`, `ledger_nodes`, `ledger_tree`: written by the integrator — the leaf bytes
 *   (RFC 8785 JSON, no personal data), every perfect subtree hash (RFC 6962) and the tree head.
 * - `ledger_checkpoints`: every signed checkpoint (c2sp.org/tlog-checkpoint).
 * - `ledger_incidents`: refusals to sign (a tree inconsistent with a signed checkpoint) until an
 *   administrator resolves them; `ledger_verifications`: results of full verifications.
 * Rows recorded before this migration are sequenced here, by time.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

/** The tables whose rows are logged, and the source name of their entries. */
export const LOGGED_TABLES = [
  ['audit_events', 'audit'],
  ['login_events', 'login'],
  ['case_access', 'access'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  const blob = family === 'sqlite' ? 'blob' : 'bytea';

  await strict(family, db.schema.createTable('ledger_head'))
    .addColumn('id', 'integer', (col) => col.primaryKey().notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .execute();
  await strict(family, db.schema.createTable('ledger_entries'))
    .addColumn('idx', 'integer', (col) => col.primaryKey().notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('source_id', 'text', (col) => col.notNull())
    // Only for entries appended directly (source 'record'): the leaf, RFC 8785 JSON.
    .addColumn('leaf', 'text')
    .execute();
  await db.schema.createIndex('ledger_entries_source_idx').on('ledger_entries').columns(['source_id', 'source']).unique().execute();
  await strict(family, db.schema.createTable('ledger_leaves'))
    .addColumn('idx', 'integer', (col) => col.primaryKey().notNull())
    .addColumn('leaf', 'text', (col) => col.notNull())
    .execute();
  await strict(family, db.schema.createTable('ledger_nodes'))
    .addColumn('level', 'integer', (col) => col.notNull())
    .addColumn('idx', 'integer', (col) => col.notNull())
    .addColumn('hash', blob, (col) => col.notNull())
    .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'idx'])
    .execute();
  await strict(family, db.schema.createTable('ledger_tree'))
    .addColumn('id', 'integer', (col) => col.primaryKey().notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('root', blob, (col) => col.notNull())
    // The compact range [0, size): base64 hashes of its perfect subtrees, largest first, space-separated.
    .addColumn('range', 'text', (col) => col.notNull())
    .execute();
  await strict(family, db.schema.createTable('ledger_checkpoints'))
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('root', blob, (col) => col.notNull())
    .addColumn('note', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('signed_at', 'text', (col) => col.notNull())
    // One checkpoint per size and log: a new origin (a new log after an incident) starts over.
    .addPrimaryKeyConstraint('ledger_checkpoints_pk', ['origin', 'size'])
    .execute();
  await strict(family, db.schema.createTable('ledger_incidents'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('raised_at', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolution', 'text')
    .execute();
  await strict(family, db.schema.createTable('ledger_verifications'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('finished_at', 'text', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('ok', 'integer', (col) => col.notNull())
    .addColumn('report', 'text', (col) => col.notNull())
    .execute();

  // Rows recorded before the log existed, in the order they happened.
  const union = LOGGED_TABLES.map(([table, source]) => `select '${source}' as source, id, at from ${table}`).join(' union all ');
  await sql.raw(`insert into ledger_entries (idx, source, source_id) select row_number() over (order by at, source, id) - 1, source, id from (${union}) as earlier`).execute(db);
  await sql.raw(`insert into ledger_head (id, size) select 1, count(*) from ledger_entries`).execute(db);
  await sql.raw(`insert into ledger_tree (id, size, root, range) values (1, 0, ${family === 'sqlite' ? "x'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'" : "'\\xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'::bytea"}, '')`).execute(db);

  for (const [table, source] of LOGGED_TABLES) {
    if (family === 'sqlite') {
      await sql
        .raw(
          // A restore into SQLite marks itself in schema_info (ops/logical-dump.ts): no sequencing then.
          `create trigger ledger_sequence_${table} after insert on ${table} when not exists (select 1 from schema_info where key = 'ledger-restoring') begin ` +
            `update ledger_head set size = size + 1 where id = 1; ` +
            `insert into ledger_entries (idx, source, source_id) select size - 1, '${source}', new.id from ledger_head where id = 1; end`,
        )
        .execute(db);
    }
  }
  if (family === 'postgres') {
    await sql
      .raw(
        // A restore (ops/logical-dump.ts) copies the log's own tables verbatim: it sets comity.restoring.
        `create function ledger_sequence() returns trigger language plpgsql as $$ declare n integer; begin ` +
          `if current_setting('comity.restoring', true) = 'on' then return null; end if; ` +
          `update ledger_head set size = size + 1 where id = 1 returning size - 1 into n; ` +
          `insert into ledger_entries (idx, source, source_id) values (n, tg_argv[0], new.id); return null; end $$`,
      )
      .execute(db);
    for (const [table, source] of LOGGED_TABLES) {
      await sql.raw(`create trigger ledger_sequence_${table} after insert on ${table} for each row execute function ledger_sequence('${source}')`).execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  for (const [table] of LOGGED_TABLES) await sql.raw(`drop trigger if exists ledger_sequence_${table}${family === 'postgres' ? ` on ${table}` : ''}`).execute(db);
  if (family === 'postgres') await sql.raw('drop function if exists ledger_sequence()').execute(db);
  for (const table of ['ledger_verifications', 'ledger_incidents', 'ledger_checkpoints', 'ledger_tree', 'ledger_nodes', 'ledger_leaves', 'ledger_entries', 'ledger_head']) {
    await db.schema.dropTable(table).execute();
  }
}
