/**
 * @module cases/context
 * What every case use case runs with: the database, the legal engine, a clock and an id
 * generator (ports, so tests fix time), and how transactions are run (directly, or grouped into
 * one commit by a group committer).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/index.js';
import { createUuidv7Generator } from '../db/index.js';
import { sqlFamily } from '../db/dialects/family.js';
import { createGroupCommitRunner } from '../db/group-commit.js';
import { BasesFinder, type KnowledgeBase } from '../law/index.js';

export type TransactionRunner = <T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

export interface CaseContext {
  readonly db: Kysely<Database>;
  readonly kb: KnowledgeBase;
  readonly finder: BasesFinder;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly transaction: TransactionRunner;
}

/** Who acts. `authorityId` null: a system or platform administrator acting for no authority. */
export interface Actor {
  id: string;
  authorityId: string | null;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', authorityId: null };

export function createCaseContext(
  db: Kysely<Database>,
  kb: KnowledgeBase,
  options: { now?: () => Date; newId?: () => string; transaction?: TransactionRunner } = {},
): CaseContext {
  const ids = createUuidv7Generator();
  const now = options.now ?? (() => new Date());
  return {
    db,
    kb,
    finder: new BasesFinder(kb),
    now,
    newId: options.newId ?? (() => ids(now().getTime())),
    transaction: options.transaction ?? ((work) => db.transaction().execute(work)),
  };
}

/**
 * How a server runs its transactions: on SQLite, whose one connection writes one transaction at
 * a time, a group committer (`db/group-commit.ts`: concurrent requests share a commit, each in
 * its savepoint, acknowledged only after the commit); on PostgreSQL, a pooled transaction each
 * (single-statement case writes need none, see `commands.ts`).
 */
export function serverTransactionRunner(db: Kysely<Database>): TransactionRunner {
  if (sqlFamily(db as unknown as Kysely<unknown>) === 'sqlite') return createGroupCommitRunner(db);
  return (work) => db.transaction().execute(work);
}
