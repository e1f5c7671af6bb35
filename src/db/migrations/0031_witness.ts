/**
 * @module db/migrations/0031_witness
 * Witnessing between nodes (c2sp.org/tlog-witness, issue 12):
 * - `witness_checkpoints`: as a witness, every checkpoint of a peer's log this node cosigned
 *   (origin, size, root, the note with the log's signature and ours). The latest per origin is
 *   the witness state add-checkpoint checks the old size against; the history is what a fork is
 *   compared with.
 * - `ledger_cosignatures`: as a log, the cosignatures peers returned for this node's checkpoints
 *   (one signature line per witness and size).
 * - `ledger_forks`: evidence of a split view — two checkpoints of one log, both validly signed by
 *   it, that cannot both be true (same size, different roots; or a view of this node's own log
 *   that its tree does not match). Open until an administrator looks into it.
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import { sqlFamily, type SqlFamily } from '../dialects/family.js';

function strict<T extends string>(family: SqlFamily, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return family === 'sqlite' ? table.modifyEnd(sql`strict`) : table;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const family = sqlFamily(db);
  const blob = family === 'sqlite' ? 'blob' : 'bytea';
  await strict(family, db.schema.createTable('witness_checkpoints'))
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('root', blob, (col) => col.notNull())
    .addColumn('node_id', 'text', (col) => col.notNull())
    // The checkpoint as submitted (the log's signature) with this node's cosignature appended.
    .addColumn('note', 'text', (col) => col.notNull())
    .addColumn('cosigned_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('witness_checkpoints_pk', ['origin', 'size'])
    .execute();
  await strict(family, db.schema.createTable('ledger_cosignatures'))
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('witness', 'text', (col) => col.notNull())
    .addColumn('node_id', 'text', (col) => col.notNull())
    .addColumn('signature', 'text', (col) => col.notNull())
    .addColumn('collected_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('ledger_cosignatures_pk', ['origin', 'size', 'witness'])
    .execute();
  await strict(family, db.schema.createTable('ledger_forks'))
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('detected_at', 'text', (col) => col.notNull())
    .addColumn('how', 'text', (col) => col.notNull())
    // The two signed notes that contradict each other (JSON array of two strings).
    .addColumn('evidence', 'text', (col) => col.notNull())
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema.createIndex('ledger_forks_evidence_idx').on('ledger_forks').columns(['origin', 'size', 'how']).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['ledger_forks', 'ledger_cosignatures', 'witness_checkpoints']) await db.schema.dropTable(table).execute();
}
