/**
 * @module exchange/outbox
 * The transactional outbox (exchange-evidence.md §7): the envelope is sealed before the
 * transaction (crypto outside it), and its row is written *inside* the transaction of the case
 * change it carries, so either both commit or neither. `seq` numbers messages per peer under that
 * peer's sequence row, taken in the same transaction: for one peer, seq order is commit order
 * (a later transaction waits for the row lock), never a database sequence whose ids are taken
 * before commit.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database, ExchangeOutboxTable } from '../db/index.js';
import { preparedQuery } from '../db/prepared.js';
import { sha256Hex } from './envelope.js';
import type { ExchangeMessage } from './message.js';

/** Delivery states shown to users (README "Delivery states"). */
export const DELIVERY_STATES = ['queued', 'relayed', 'delivered', 'read', 'rejected', 'outcome-unknown'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface OutgoingMessage {
  readonly message: ExchangeMessage;
  readonly envelope: string;
  readonly caseId?: string | null;
}

/** Takes the next per-peer sequence number within `trx`. */
async function nextSeq(trx: Kysely<Database>, peer: string): Promise<number> {
  const row = (await takeSeq.execute(trx, { peer })).rows[0];
  if (row === undefined) throw new Error('exchange_sequences: the upsert returned no row');
  return Number(row.next_seq) - 1;
}

// Prepared (db/prepared.ts): both statements run for every message queued.
const takeSeq = preparedQuery<{ next_seq: number }>((db, p) =>
  db
    .insertInto('exchange_sequences')
    .values({ peer_node_id: p.value<string>('peer'), next_seq: 2 })
    .onConflict((oc) => oc.column('peer_node_id').doUpdateSet({ next_seq: sql<number>`exchange_sequences.next_seq + 1` }))
    .returning('next_seq'),
);
const OUTBOX_COLUMNS = ['message_id', 'peer_node_id', 'from_authority', 'to_authority', 'seq', 'conversation_id', 'case_id', 'type', 'emergency', 'envelope', 'digest', 'state', 'attempts', 'next_attempt_at', 'last_error', 'receipt', 'created_at', 'updated_at'] as const;
const insertOutboxRow = preparedQuery((db, p) => db.insertInto('exchange_outbox').values(p.row<Insertable<ExchangeOutboxTable>>(OUTBOX_COLUMNS)));

/** Writes the outbox row within `trx` (the transaction of the change it carries). */
export async function enqueueMessage(trx: Kysely<Database>, outgoing: OutgoingMessage, at: Date): Promise<{ seq: number }> {
  const { message } = outgoing;
  const seq = await nextSeq(trx, message.to.node);
  const iso = at.toISOString();
  const row: Insertable<ExchangeOutboxTable> & Record<(typeof OUTBOX_COLUMNS)[number], unknown> = {
    message_id: message.id,
    peer_node_id: message.to.node,
    from_authority: message.from.authority,
    to_authority: message.to.authority,
    seq,
    conversation_id: message.conversation,
    case_id: outgoing.caseId ?? null,
    type: message.type,
    emergency: message.emergency ? 1 : 0,
    envelope: outgoing.envelope,
    digest: sha256Hex(outgoing.envelope),
    state: 'queued',
    attempts: 0,
    next_attempt_at: iso,
    last_error: null,
    receipt: null,
    created_at: iso,
    updated_at: iso,
  };
  await insertOutboxRow.execute(trx, row);
  return { seq };
}

export interface DeliveryView {
  messageId: string;
  peer: string;
  from: string;
  to: string;
  seq: number;
  conversationId: string;
  caseId: string | null;
  type: string;
  emergency: boolean;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt: string;
}


const COLUMNS = ['message_id', 'peer_node_id', 'from_authority', 'to_authority', 'seq', 'conversation_id', 'case_id', 'type', 'emergency', 'state', 'attempts', 'last_error', 'created_at', 'updated_at', 'next_attempt_at'] as const;
type OutboxRow = Pick<Selectable<ExchangeOutboxTable>, (typeof COLUMNS)[number]>;

function view(row: OutboxRow): DeliveryView {
  return {
    messageId: row.message_id,
    peer: row.peer_node_id,
    from: row.from_authority,
    to: row.to_authority,
    seq: Number(row.seq),
    conversationId: row.conversation_id,
    caseId: row.case_id,
    type: row.type,
    emergency: Number(row.emergency) === 1,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    nextAttemptAt: row.next_attempt_at,
  };
}

/** Delivery state of the messages of a case (or a conversation). */
export async function deliveriesOf(db: Kysely<Database>, filter: { caseId?: string; conversationId?: string }): Promise<DeliveryView[]> {
  let query = db.selectFrom('exchange_outbox').select(COLUMNS);
  if (filter.caseId !== undefined) query = query.where('case_id', '=', filter.caseId);
  if (filter.conversationId !== undefined) query = query.where('conversation_id', '=', filter.conversationId);
  return (await query.orderBy('created_at').orderBy('seq').execute()).map(view);
}

/** Thresholds after which a message not yet delivered is "stuck" (shown in the dashboard queue). */
export const STUCK_AFTER_MS = Object.freeze({ normal: 60 * 60_000, emergency: 5 * 60_000 });

/**
 * Messages queued (or of unknown outcome) longer than the threshold; emergencies after minutes.
 * The pending rows are read through the partial index of migration 0079 (its predicate written as
 * the same literals); no code writes `relayed`, so it is not looked for.
 */
export async function stuckMessages(db: Kysely<Database>, now: Date, options: { authorityId?: string; thresholds?: typeof STUCK_AFTER_MS } = {}): Promise<DeliveryView[]> {
  const thresholds = options.thresholds ?? STUCK_AFTER_MS;
  const normalBefore = new Date(now.getTime() - thresholds.normal).toISOString();
  const emergencyBefore = new Date(now.getTime() - thresholds.emergency).toISOString();
  let query = db.selectFrom('exchange_outbox').select(COLUMNS);
  if (options.authorityId !== undefined) query = query.where('from_authority', '=', options.authorityId);
  const rows = await query
    .where(sql<boolean>`state in ('queued', 'outcome-unknown')`)
    .where((eb) => eb.or([eb('created_at', '<', normalBefore), eb.and([eb('emergency', '=', 1), eb('created_at', '<', emergencyBefore)])]))
    .orderBy('created_at')
    .limit(500)
    .execute();
  return rows.map(view);
}
