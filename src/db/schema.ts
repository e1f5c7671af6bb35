/**
 * @module db/schema
 * The tables as Kysely sees them. Column names are the SQL names (snake_case). Keep this file in
 * step with the migrations in `./migrations/`: it describes the schema after the latest one.
 */
import type { GeneratedAlways, Insertable, Selectable } from 'kysely';

/** `schema_info`: small key/value facts about the database itself. */
export interface SchemaInfoTable {
  key: string;
  value: string;
}

/**
 * `audit_events`: the append-only record of every change. A use case writes its event in the
 * same transaction as the change it records.
 */
export interface AuditEventsTable {
  /** UUIDv7 (RFC 9562 §5.7) as a lowercase string, see `ids.ts`. Unique. */
  id: string;
  /**
   * Assigned by the database on insert, increasing (SQLite AUTOINCREMENT rowid, PostgreSQL
   * identity). On PostgreSQL concurrent transactions may commit out of `seq` order and a rolled
   * back insert leaves a gap: order by `seq`, but do not assume it is gapless.
   */
  seq: GeneratedAlways<number>;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  /** ISO 8601 UTC instant, e.g. `2026-03-01T09:30:00.000Z`. */
  at: string;
  before_digest: string | null;
  after_digest: string | null;
  /** JSON text, or null. */
  details: string | null;
}

/** Every table, for `Kysely<Database>`. */
export interface Database {
  schema_info: SchemaInfoTable;
  audit_events: AuditEventsTable;
}

export type AuditEvent = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type SchemaInfo = Selectable<SchemaInfoTable>;
