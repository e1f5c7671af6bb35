/**
 * @module cases/context
 * What every case use case runs with: the database, the legal engine, a clock and an id
 * generator (ports, so tests fix time), and how transactions are run (directly, or grouped into
 * one commit by a group committer).
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CasesTable, Database, DbConfig, EordersTable } from '../db/index.js';
import type { TransitionInput } from './commands.js';
import type { CaseEvent } from './workflow.js';
import { createUuidv7Generator } from '../db/index.js';
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
  /** Federation (issue 12): set when the node exchanges with peers; see `exchange/case-bridge.ts`. */
  federation?: CaseFederation;
  /** Orders between nodes (Reg. 2023/1543, issue 14): see `exchange/order-bridge.ts`. */
  orderFederation?: OrderFederation;
}

/**
 * The border-crossing part of an order event: the messages to the parties of the order hosted on
 * peer nodes, sealed before the transaction and queued inside it.
 */
export interface OrderFederation {
  /** Whether the authority is hosted on a peer node (false: here, or unknown to the trust list). */
  isRemote(authorityId: string): Promise<boolean>;
  /**
   * The node the authority is on, from the trust list: a peer that hosts it, or this node (it
   * hosts it, or no trusted node does — the order then stays here, as `isRemote` says).
   */
  nodeOf(authorityId: string): Promise<{ id: string; self: boolean; endpoint: string }>;
  /** null when no other party of the order is on a peer node. `input` is the checked event input. */
  prepare(row: Selectable<EordersTable>, actor: Actor, event: string, input: Record<string, unknown>): Promise<PreparedOutbound | null>;
}

/**
 * The border-crossing part of a transition: for an event whose other side is hosted on a peer
 * node, the message carrying it, sealed before the transaction and queued inside it.
 */
export interface CaseFederation {
  /** null when the other side of the case is on this node (single-node behaviour, unchanged). */
  prepare(row: Selectable<CasesTable>, actor: Actor, event: CaseEvent, input: TransitionInput): Promise<PreparedOutbound | null>;
}

export interface PreparedOutbound {
  /** Writes the outbox row within the transaction of the change. */
  enqueue(trx: Kysely<Database>): Promise<void>;
  /** After commit (e.g. wakes the relay). */
  committed(): void;
  /** The messages queued, by id and recipient authority (orders: to match their receipts later). */
  readonly messages?: readonly { id: string; to: string }[];
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
 * How a server runs its transactions. On SQLite with `synchronous = FULL` (an fsync per commit),
 * a group committer (`db/group-commit.ts`): concurrent requests share a commit and its fsync, each
 * in its savepoint, each acknowledged only after the commit. With the default `NORMAL` a commit
 * costs no fsync, so there is nothing to share and the savepoints would only cost (measured with
 * bench:api: creating cases over HTTP ≈ 25 % slower): a transaction each, as on PostgreSQL
 * (where single-statement case writes need none, see `commands.ts`).
 */
export function serverTransactionRunner(db: Kysely<Database>, config: DbConfig): TransactionRunner {
  return transactionRunner(db, { groupCommit: config.kind === 'sqlite' && config.synchronous === 'full' });
}

/** A group committer (SQLite only: one writing connection) or a transaction each. */
export function transactionRunner(db: Kysely<Database>, options: { groupCommit: boolean }): TransactionRunner {
  if (options.groupCommit) return createGroupCommitRunner(db);
  return (work) => db.transaction().execute(work);
}
