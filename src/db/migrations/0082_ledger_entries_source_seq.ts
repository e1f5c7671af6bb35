/**
 * @module db/migrations/0082_ledger_entries_source_seq
 * Each log entry of an audit event also records the event's `seq` in `ledger_entries.source_seq`,
 * written by the sequencing trigger, and `ledger verify` reads the event through it. On SQLite
 * `seq` is the rowid (an INTEGER PRIMARY KEY, which no VACUUM renumbers): one lookup in the
 * table's B-tree instead of two — the unique index on the text `id`, then the row. 10^6 entries:
 * the batch read went from ≈ 1.9 to ≈ 1.5 µs of CPU per entry. PostgreSQL reads a heap row
 * behind a unique index either way; it records `seq` too, so that a dump restores across engines
 * with the column filled.
 *
 * It is a pointer for reading, not a commitment: the leaf names the event's `id` and row digest,
 * so a `source_seq` pointing at another row gives a leaf that differs, and the entry-by-entry
 * check then reads the event by `source_id`, as before. Login events and case-access records
 * have no `seq` (text keys) and leave it NULL.
 */
import { sql, type Kysely } from 'kysely';
import { sqlFamily } from '../dialects/family.js';

/** SQLite: the sequencing trigger of audit_events (migration 0011), with or without `source_seq`. */
function sqliteTrigger(withSeq: boolean): string {
  const [columns, values] = withSeq ? ['idx, source, source_id, source_seq', "size - 1, 'audit', new.id, new.seq"] : ['idx, source, source_id', "size - 1, 'audit', new.id"];
  return (
    `create trigger ledger_sequence_audit_events after insert on audit_events when not exists (select 1 from schema_info where key = 'ledger-restoring') begin ` +
    `update ledger_head set size = size + 1 where id = 1; ` +
    `insert into ledger_entries (${columns}) select ${values} from ledger_head where id = 1; end`
  );
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  await sql.raw(`alter table ledger_entries add column source_seq ${family === 'sqlite' ? 'integer' : 'bigint'}`).execute(db);
  await sql.raw("update ledger_entries set source_seq = (select seq from audit_events a where a.id = ledger_entries.source_id) where source = 'audit'").execute(db);
  if (family === 'sqlite') {
    await sql.raw('drop trigger ledger_sequence_audit_events').execute(db);
    await sql.raw(sqliteTrigger(true)).execute(db);
    return;
  }
  // PostgreSQL: audit_events gets its own function (migration 0011's `ledger_sequence` serves tables without `seq`).
  await sql
    .raw(
      `create function ledger_sequence_audit() returns trigger language plpgsql as $$ declare n integer; begin ` +
        `if current_setting('comity.restoring', true) = 'on' then return null; end if; ` +
        `update ledger_head set size = size + 1 where id = 1 returning size - 1 into n; ` +
        `insert into ledger_entries (idx, source, source_id, source_seq) values (n, 'audit', new.id, new.seq); return null; end $$`,
    )
    .execute(db);
  await sql.raw('drop trigger ledger_sequence_audit_events on audit_events').execute(db);
  await sql.raw('create trigger ledger_sequence_audit_events after insert on audit_events for each row execute function ledger_sequence_audit()').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (sqlFamily(db) === 'sqlite') {
    await sql.raw('drop trigger ledger_sequence_audit_events').execute(db);
    await sql.raw(sqliteTrigger(false)).execute(db);
  } else {
    await sql.raw('drop trigger ledger_sequence_audit_events on audit_events').execute(db);
    await sql.raw('drop function ledger_sequence_audit()').execute(db);
    await sql.raw("create trigger ledger_sequence_audit_events after insert on audit_events for each row execute function ledger_sequence('audit')").execute(db);
  }
  await sql.raw('alter table ledger_entries drop column source_seq').execute(db);
}
