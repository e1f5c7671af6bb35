/**
 * @module cases/pg-batch
 * The case writes that PostgreSQL runs as single statements — a new case with its history and
 * audit events; a version-checked change with its events — in their multi-row form, for the
 * write combiner (`db/write-combiner.ts`). One statement for many cases: the same rows as the
 * single statements of `commands.ts`, one round trip.
 *
 * The SQL is written here rather than with the query builder because it needs VALUES lists with
 * typed parameters (`$1::integer`), which PostgreSQL cannot infer inside a CTE. Each text is kept
 * per shape and size and runs as a named (server-prepared) statement.
 */
import { CompiledQuery } from 'kysely';
import type { Insertable, Kysely, Updateable } from 'kysely';
import type { AuditEventsTable, CaseEventsTable, CasesTable, Database } from '../db/index.js';
import { registerStatementName } from '../db/prepared.js';

/** Integer columns; every other column written here is text. */
const INTEGER_COLUMNS: Readonly<Record<'cases' | 'case_events' | 'audit_events', ReadonlySet<string>>> = {
  cases: new Set(['emergency', 'version', 'retention_days']),
  case_events: new Set(['seq']),
  audit_events: new Set(),
};

type Table = keyof typeof INTEGER_COLUMNS;

const quote = (column: string): string => `"${column.replaceAll('"', '""')}"`;
const columnList = (columns: readonly string[]): string => columns.map(quote).join(', ');

/** `($1::text, $2::integer, …), (…)`: `rows` rows of `columns`, parameters numbered from `start`. */
function valuesList(table: Table, columns: readonly string[], rows: number, start: number): string {
  const integer = INTEGER_COLUMNS[table];
  const out: string[] = [];
  let n = start;
  for (let r = 0; r < rows; r += 1) out.push(`(${columns.map((c) => `$${n++}::${integer.has(c) ? 'integer' : 'text'}`).join(', ')})`);
  return out.join(', ');
}

function valuesOf(row: Record<string, unknown>, columns: readonly string[], into: unknown[]): void {
  for (const column of columns) {
    const value = row[column];
    if (value === undefined) throw new TypeError(`batch write: no value for ${column}`);
    into.push(value);
  }
}

const texts = new Map<string, string>();

/** The SQL text for `key`, built once (the same string each time: named statements, cheap lookups). */
function text(key: string, build: () => string): string {
  let sql = texts.get(key);
  if (sql === undefined) {
    sql = build();
    texts.set(key, sql);
    registerStatementName(sql);
  }
  return sql;
}

export interface NewCaseWrite {
  c: Insertable<CasesTable>;
  e: Insertable<CaseEventsTable>;
  a: Insertable<AuditEventsTable>;
}

/** Inserts several new cases with their history and audit events in one statement. */
export async function insertCases(db: Kysely<Database>, writes: readonly NewCaseWrite[]): Promise<void> {
  const [first] = writes;
  if (first === undefined) return;
  const cc = Object.keys(first.c);
  const ec = Object.keys(first.e);
  const ac = Object.keys(first.a);
  const n = writes.length;
  const sql = text(`insert|${cc.join(',')}|${ec.join(',')}|${ac.join(',')}|${n}`, () => {
    const casesAt = 1;
    const eventsAt = casesAt + cc.length * n;
    const auditAt = eventsAt + ec.length * n;
    return (
      `with "new_cases" as (insert into "cases" (${columnList(cc)}) values ${valuesList('cases', cc, n, casesAt)} returning "id"), ` +
      `"new_events" as (insert into "case_events" (${columnList(ec)}) values ${valuesList('case_events', ec, n, eventsAt)} returning "id") ` +
      `insert into "audit_events" (${columnList(ac)}) values ${valuesList('audit_events', ac, n, auditAt)}`
    );
  });
  const parameters: unknown[] = [];
  for (const w of writes) valuesOf(w.c as Record<string, unknown>, cc, parameters);
  for (const w of writes) valuesOf(w.e as Record<string, unknown>, ec, parameters);
  for (const w of writes) valuesOf(w.a as Record<string, unknown>, ac, parameters);
  await db.executeQuery(CompiledQuery.raw(sql, parameters));
}

export interface CaseChangeWrite {
  /** The columns the change sets. */
  s: Updateable<CasesTable>;
  /** The case and the version it must still have. */
  w: { id: string; version: number };
  e: Insertable<CaseEventsTable>;
  a: Insertable<AuditEventsTable>;
}

/**
 * Applies several version-checked changes of different cases in one statement; each inserts its
 * history and audit events only if it updated its case. Returns, per change, whether it did.
 * The writes must share their columns and name different cases.
 */
export async function updateCases(db: Kysely<Database>, unordered: readonly CaseChangeWrite[]): Promise<boolean[]> {
  // In the order of the cases' ids, so that two statements running at once lock the rows they
  // share in the same order (no deadlock between them).
  const writes = [...unordered].sort((a, b) => (a.w.id < b.w.id ? -1 : a.w.id > b.w.id ? 1 : 0));
  const [first] = writes;
  if (first === undefined) return [];
  const sc = Object.keys(first.s);
  const ec = Object.keys(first.e);
  const ac = Object.keys(first.a);
  const n = writes.length;
  const sql = text(`update|${sc.join(',')}|${ec.join(',')}|${ac.join(',')}|${n}`, () => {
    const inputColumns = ['w_id', 'w_version', ...sc];
    const inputIntegers = new Set(['w_version', ...sc.filter((c) => INTEGER_COLUMNS.cases.has(c))]);
    let p = 1;
    const input: string[] = [];
    for (let r = 0; r < n; r += 1) input.push(`(${inputColumns.map((c) => `$${p++}::${inputIntegers.has(c) ? 'integer' : 'text'}`).join(', ')})`);
    const eventsAt = p;
    const auditAt = eventsAt + ec.length * n;
    return (
      `with "input" (${columnList(inputColumns)}) as (values ${input.join(', ')}), ` +
      `"changed" as (update "cases" set ${sc.map((c) => `${quote(c)} = "input".${quote(c)}`).join(', ')} from "input" ` +
      `where "cases"."id" = "input"."w_id" and "cases"."version" = "input"."w_version" returning "cases"."id"), ` +
      `"ev" (${columnList(ec)}) as (values ${valuesList('case_events', ec, n, eventsAt)}), ` +
      `"new_events" as (insert into "case_events" (${columnList(ec)}) select "ev".* from "ev" join "changed" on "changed"."id" = "ev"."case_id" returning "case_id"), ` +
      `"au" (${columnList(ac)}) as (values ${valuesList('audit_events', ac, n, auditAt)}) ` +
      `insert into "audit_events" (${columnList(ac)}) select "au".* from "au" join "changed" on "changed"."id" = "au"."object_id" returning "object_id"`
    );
  });
  const parameters: unknown[] = [];
  for (const w of writes) {
    if (w.e.case_id !== w.w.id || w.a.object_id !== w.w.id) throw new TypeError(`batch write: the events of a change of ${w.w.id} name another case`);
    parameters.push(w.w.id, w.w.version);
    valuesOf(w.s as Record<string, unknown>, sc, parameters);
  }
  for (const w of writes) valuesOf(w.e as Record<string, unknown>, ec, parameters);
  for (const w of writes) valuesOf(w.a as Record<string, unknown>, ac, parameters);
  const { rows } = await db.executeQuery<{ object_id: string }>(CompiledQuery.raw(sql, parameters));
  const changed = new Set(rows.map((row) => row.object_id));
  return unordered.map((w) => changed.has(w.w.id));
}

/**
 * Whether PostgreSQL (or PGlite) refused a statement with an error of its own — a SQLSTATE such
 * as 23505 for a unique violation: the statement was rolled back, nothing of it was written.
 * Other errors (a lost connection) leave its outcome unknown.
 */
export function refusedByServer(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { severity, code } = error as { severity?: unknown; code?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
