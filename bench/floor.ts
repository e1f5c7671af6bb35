/**
 * The floor under bench:cases on SQLite: the rows Comity writes for a request (create, approve,
 * send: the case, its history events, its audit events; the case read back before each
 * transition) written by hand-written SQL straight through better-sqlite3, with none of Comity —
 * no validation, no query builder, no digests (fixed strings), no promises — and grouped into
 * commits like the pipeline. What a request costs the storage engine itself on this machine:
 * the pipeline cannot be faster than this, whatever the application code does. The bare floor
 * does the same on tables without secondary indexes, constraints or `secure_delete`.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { createUuidv7Generator } from '../src/db/index.js';
import { CASE_COLUMNS } from '../src/db/schema.js';

const require = createRequire(import.meta.url);

const EVENT_COLUMNS = ['id', 'case_id', 'seq', 'event', 'from_state', 'to_state', 'actor', 'side', 'at', 'reason', 'payload'] as const;
const AUDIT_COLUMNS = ['id', 'actor', 'action', 'object_type', 'object_id', 'at', 'before_digest', 'after_digest', 'details'] as const;

const DIGEST = 'f'.repeat(64);
const quoted = (columns: readonly string[]): string => columns.map((c) => `"${c}"`).join(', ');

interface Rows {
  caseRow(id: string, at: string): unknown[];
  event(caseId: string, seq: number, event: string, from: string | null, to: string, at: string, payload: string | null): unknown[];
  audit(caseId: string, action: string, at: string, before: boolean): unknown[];
}

function rows(request: string, review: string): Rows & { review: string } {
  const ids = createUuidv7Generator();
  const newId = (): string => ids(Date.now());
  return {
    review,
    caseRow: (id, at) => [id, `FR-2026-${id.slice(-12).toUpperCase()}`, 'fr-ca', 'us-doj-oia', 'FR', 'US', 'draft', 'ETS185:29', '["preservation"]', 0, request, null, null, 1, at, at, null, null, null, 'criminal investigation', 365, null, null],
    event: (caseId, seq, event, from, to, at, payload) => [newId(), caseId, seq, event, from, to, 'alice@fr-ca', 'requesting', at, null, payload],
    audit: (caseId, action, at, before) => [newId(), 'alice@fr-ca', action, 'case', caseId, at, before ? DIGEST : null, DIGEST, '{"from":"draft","to":"approved"}'],
  };
}

const placeholders = (n: number, start = 1, style: 'sqlite' | 'pg' = 'sqlite'): string =>
  Array.from({ length: n }, (_, i) => (style === 'sqlite' ? '?' : `$${start + i}`)).join(', ');

/**
 * The bare floor's tables: Comity's columns with nothing but primary keys — none of the indexes
 * that serve lists, tenant filters and audit look-ups, no unique reference, no foreign keys (and
 * `secure_delete` off). Not a schema Comity could run on; it shows what is left of a request's
 * cost when the storage does nothing but store the rows.
 */
function createBareSchema(db: BetterSqlite): void {
  const table = (name: string, columns: readonly string[], key: string): string =>
    `create table if not exists "${name}" (${columns.map((c) => `"${c}"${c === key ? ' primary key' : ''}`).join(', ')})`;
  db.exec(
    [
      table('authorities', ['id', 'party'], 'id'),
      table('cases', CASE_COLUMNS, 'id'),
      table('case_events', EVENT_COLUMNS, 'id'),
      `create table if not exists "audit_events" ("seq" integer primary key, ${AUDIT_COLUMNS.map((c) => `"${c}"`).join(', ')})`,
    ].join(';\n'),
  );
}

interface BetterSqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): Record<string, unknown> | undefined;
}
interface BetterSqlite {
  prepare(sql: string): BetterSqliteStatement;
  pragma(source: string): unknown;
  exec(sql: string): void;
  close(): void;
}

/**
 * SQLite: `requests` requests on a second connection to `file` (synchronous = FULL, as the
 * bench's), `itemsPerCommit` transactions per commit each in its savepoint (a third creates, a
 * third approves, a third sends, as the pipeline's batches do in steady state). Requests per second.
 */
export function sqliteFloor(file: string, requests: number, itemsPerCommit: number, request: string, review: string, { bare = false } = {}): number {
  const Database = require('better-sqlite3') as new (file: string, options: { timeout: number }) => BetterSqlite;
  const db = new Database(file, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`foreign_keys = ${bare ? 'OFF' : 'ON'}`);
    db.pragma(`secure_delete = ${bare ? 'OFF' : 'ON'}`);
    if (bare) createBareSchema(db);
    const r = rows(request, review);
    const insertCase = db.prepare(`insert into "cases" (${quoted(CASE_COLUMNS)}) values (${placeholders(CASE_COLUMNS.length)})`);
    const insertEvent = db.prepare(`insert into "case_events" (${quoted(EVENT_COLUMNS)}) values (${placeholders(EVENT_COLUMNS.length)})`);
    const insertAudit = db.prepare(`insert into "audit_events" (${quoted(AUDIT_COLUMNS)}) values (${placeholders(AUDIT_COLUMNS.length)})`);
    const select = db.prepare('select * from "cases" where "id" = ?');
    const approve = db.prepare('update "cases" set "review" = ?, "state" = ?, "version" = ?, "updated_at" = ? where "id" = ? and "version" = ?');
    const send = db.prepare('update "cases" set "sent_at" = ?, "state" = ?, "version" = ?, "updated_at" = ? where "id" = ? and "version" = ?');
    const savepoint = db.prepare('savepoint floor_item');
    const release = db.prepare('release floor_item');
    const ids = createUuidv7Generator();

    const create = (): string => {
      const at = new Date().toISOString();
      const id = ids(Date.now());
      insertCase.run(r.caseRow(id, at));
      insertEvent.run(r.event(id, 1, 'create', null, 'draft', at, null));
      insertAudit.run(r.audit(id, 'case.create', at, false));
      return id;
    };
    const transition = (id: string, event: 'approve' | 'send'): void => {
      const row = select.get(id);
      if (row === undefined) throw new Error(`floor: case ${id} not found`);
      const at = new Date().toISOString();
      const version = Number(row.version) + 1;
      const changed = event === 'approve' ? approve.run(r.review, 'approved', version, at, id, version - 1) : send.run(at, 'sent', version, at, id, version - 1);
      if (changed.changes !== 1) throw new Error(`floor: case ${id} did not change`);
      insertEvent.run(r.event(id, version, event, event === 'approve' ? 'draft' : 'approved', event === 'approve' ? 'approved' : 'sent', at, event === 'approve' ? r.review : null));
      insertAudit.run(r.audit(id, `case.${event}`, at, true));
    };
    const item = (work: () => void): void => {
      savepoint.run();
      work();
      release.run();
    };

    const perStage = Math.max(1, Math.floor(itemsPerCommit / 3));
    let created: string[] = [];
    let approved: string[] = [];
    let sent = 0;
    const started = performance.now();
    while (sent < requests) {
      db.exec('begin immediate');
      for (const id of approved) item(() => transition(id, 'send'));
      for (const id of created) item(() => transition(id, 'approve'));
      const fresh: string[] = [];
      for (let i = 0; i < perStage; i += 1) item(() => fresh.push(create()));
      db.exec('commit');
      sent += approved.length;
      approved = created;
      created = fresh;
    }
    return sent / ((performance.now() - started) / 1000);
  } finally {
    db.close();
  }
}
