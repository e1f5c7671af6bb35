/**
 * @module cases/audit
 * Audit events: who did what to which object, when, with SHA-256 digests of the object before
 * and after (RFC 8785 canonical JSON), written in the same transaction as the change — no change
 * without its event, no event without its change. Digests, not contents: the audit trail holds
 * no personal data and survives a purge.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json.js';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { AuditEventsTable, Database } from '../db/index.js';
import { columnsKey, preparedQueries } from '../db/prepared.js';

/** SHA-256 (hex) of the RFC 8785 canonical JSON of `value`; null for null or undefined. */
export function digest(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const row = flatRowWithId(value);
  if (row === null) return sha256(value);
  // A transition hashes the row it read (before) and the row it writes (after); the next
  // transition of the case reads that same row back. The digest is a function of the content
  // only, so a row equal, column by column, to one hashed recently reuses that digest.
  const now = Date.now();
  const hit = recentDigests.get(row.id);
  if (hit !== undefined && now - hit.at <= RECENT_DIGEST_MS && sameRow(hit.row, row)) return hit.digest;
  const computed = sha256(row);
  remember(row, computed, now);
  return computed;
}

function sha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * Bounds of the rows {@link digest} remembers: how many, how many characters of text in all
 * (≈ 16 MB), and for how long — a remembered row holds case content, which should not outlive
 * its use (the next transition) in memory.
 */
export const RECENT_DIGESTS = 4096;
export const RECENT_DIGEST_CHARS = 16 * 1024 * 1024;
export const RECENT_DIGEST_MS = 10 * 60_000;

interface Remembered {
  row: Readonly<Record<string, unknown>>;
  digest: string;
  chars: number;
  at: number;
}
const recentDigests = new Map<string, Remembered>();
let recentChars = 0;

function remember(row: FlatRow, computed: string, now: number): void {
  forgetDigest(row.id);
  let chars = 0;
  for (const key in row) {
    const column = row[key];
    if (typeof column === 'string') chars += column.length;
  }
  recentDigests.set(row.id, { row: { ...row }, digest: computed, chars, at: now });
  recentChars += chars;
  // Oldest first (a Map iterates in insertion order): over a bound, or expired.
  for (const [id, entry] of recentDigests) {
    if (recentDigests.size <= RECENT_DIGESTS && recentChars <= RECENT_DIGEST_CHARS && now - entry.at <= RECENT_DIGEST_MS) break;
    forgetDigest(id);
  }
}

/** Forgets the remembered row of object `id` (e.g. a purged case). */
export function forgetDigest(id: string): void {
  const entry = recentDigests.get(id);
  if (entry === undefined) return;
  recentDigests.delete(id);
  recentChars -= entry.chars;
}

type FlatRow = Record<string, string | number | bigint | boolean | null> & { id: string };

/** `value` when it is a plain object with a string `id` and only primitive or null columns. */
function flatRowWithId(value: unknown): FlatRow | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.id !== 'string') return null;
  for (const key in record) {
    const column = record[key];
    if (column !== null && typeof column === 'object') return null;
  }
  return record as FlatRow;
}

function sameRow(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  let count = 0;
  for (const key in b) {
    if (!Object.hasOwn(a, key) || a[key] !== b[key]) return false;
    count += 1;
  }
  return count === Object.keys(a).length;
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
export async function insertAuditRow(trx: Kysely<Database>, row: Insertable<AuditEventsTable>): Promise<void> {
  await insertAudit(row).execute(trx, row);
}

export async function writeAudit(trx: Transaction<Database>, input: AuditInput): Promise<void> {
  await insertAuditRow(trx, auditRow(input));
}
