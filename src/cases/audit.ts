/**
 * @module cases/audit
 * Audit events: who did what to which object, when, with SHA-256 digests of the object before
 * and after (RFC 8785 canonical JSON), written in the same transaction as the change — no change
 * without its event, no event without its change. Digests, not contents: the audit trail holds
 * no personal data and survives a purge.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json.js';
import type { Insertable, Transaction } from 'kysely';
import type { AuditEventsTable, Database } from '../db/index.js';
import { columnsKey, preparedQueries } from '../db/prepared.js';

export function digest(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export interface AuditInput {
  id: string;
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  at: string;
  before: unknown;
  after: unknown;
  details?: Record<string, unknown>;
}

/**
 * The `audit_events` row for a change, its digests computed here (each of `before` and `after`
 * hashed once). For writing it in one statement with the change (see `cases/commands.ts`);
 * otherwise use {@link writeAudit}.
 */
export function auditRow(input: AuditInput): Insertable<AuditEventsTable> {
  return {
    id: input.id,
    actor: input.actor,
    action: input.action,
    object_type: input.objectType,
    object_id: input.objectId,
    at: input.at,
    before_digest: digest(input.before),
    after_digest: digest(input.after),
    details: input.details === undefined ? null : JSON.stringify(input.details),
  };
}

const insertAudit = preparedQueries(columnsKey, (row: object) => (db, p) => db.insertInto('audit_events').values(p.row<Insertable<AuditEventsTable>>(Object.keys(row))));

/** Inserts an audit row made by {@link auditRow}. */
export async function insertAuditRow(trx: Transaction<Database>, row: Insertable<AuditEventsTable>): Promise<void> {
  await insertAudit(row).execute(trx, row);
}

export async function writeAudit(trx: Transaction<Database>, input: AuditInput): Promise<void> {
  await insertAuditRow(trx, auditRow(input));
}
