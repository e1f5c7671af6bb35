/**
 * @module exchange/inbox
 * Receiving, exactly once in effect (exchange-evidence.md §7): the inbox is keyed by message id;
 * the business effect and the inbox row commit together, with the receipt that answers it. A
 * duplicate — recognised by its bytes before anything is decrypted — gets the stored receipt back,
 * byte for byte (or the stored rejection): never an error that makes a sender retry forever, never
 * a positive receipt for a message whose first delivery failed (§2.2). The same id with other
 * bytes is refused, signed, and recorded. Every refusal is recorded in `exchange_refusals` with
 * the rejection sent, which the same bytes get again (a refusal is final, like a receipt).
 */
import { type Insertable, type Kysely, type Transaction } from 'kysely';
import { uuidv7 } from '../db/ids.js';
import type { Database, ExchangeInboxTable } from '../db/index.js';
import { preparedQuery } from '../db/prepared.js';
import type { KeyStore } from '../keys/index.js';
import { ExchangeError } from './errors.js';
import { openEnvelope, sha256Hex, type Claims, type EnvelopeLimits, type OpenedEnvelope } from './envelope.js';
import type { NodeIdentity } from './identity.js';
import { NO_LEDGER, type ExchangeLedger } from './ledger-port.js';
import { reasonOf, signReceipt, type Receipt } from './receipt.js';
import type { TrustList } from './trust.js';
import { redactTransferKeys } from './transfer.js';

/** A message the receiver's workflow refuses (e.g. a transition its rules do not allow). */
export class MessageRejected extends Error {
  override readonly name = 'MessageRejected';
  constructor(
    readonly code: string,
    message: string,
    /** What the receiver keeps of a rejected message (e.g. a provider's quarantine), written with the rejection. */
    readonly record?: (trx: Transaction<Database>) => Promise<void>,
  ) {
    super(message);
  }
}

/** Called in the transaction that records a refused envelope (e.g. a provider quarantines a refused order). */
export type RefusalHook = (trx: Transaction<Database>, refused: { claims: Claims; error: ExchangeError; digest: string; at: Date }) => Promise<void>;

/** Applies a verified message to this node's records, inside the inbox transaction. */
export interface MessageHandler {
  /** @throws {MessageRejected} when the workflow refuses it: nothing it wrote is kept. */
  apply(trx: Transaction<Database>, opened: OpenedEnvelope, at: Date, trust?: TrustList): Promise<void>;
}

export const ACCEPT_ALL: MessageHandler = Object.freeze({ apply: async () => undefined });

export interface InboxContext {
  readonly db: Kysely<Database>;
  readonly keys: KeyStore;
  readonly identity: NodeIdentity;
  trust(): Promise<TrustList>;
  readonly handler: MessageHandler;
  readonly ledger?: ExchangeLedger;
  readonly limits?: EnvelopeLimits;
  readonly onRefusal?: RefusalHook;
  now(): Date;
}

/**
 * `deferred`: refused for now because trust is not yet established (see `ExchangeError.trustPending`);
 * no final receipt is given, and the HTTP answer tells the sender to retry (503 `trust-pending`).
 */
export type InboxOutcome = 'accepted' | 'rejected' | 'refused' | 'duplicate' | 'deferred';

export interface InboxAnswer {
  readonly outcome: InboxOutcome;
  /** The signed receipt (compact JWS), to send back as is. */
  readonly receipt: string;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || (typeof e.message === 'string' && /UNIQUE constraint failed|duplicate key/.test(e.message));
}

/**
 * The answer already given to these bytes: the inbox row's receipt, else the first final refusal
 * (a deferred refusal, with an empty receipt, is not an answer: the same bytes are examined
 * again). One query, as it runs for every envelope received: two scalar subqueries, each a
 * lookup in its digest index (no union to sort).
 */
async function storedReceipt(db: Kysely<Database>, digest: string): Promise<string | undefined> {
  return (await answerOf.execute(db, { digest })).rows[0]?.receipt ?? undefined;
}

// Prepared (db/prepared.ts): these run for every envelope received.
const answerOf = preparedQuery<{ receipt: string | null }>((db, p) =>
  db.selectNoFrom((eb) =>
    eb.fn
      .coalesce(
        eb.selectFrom('exchange_inbox').select('receipt').where('digest', '=', p.value<string>('digest')).limit(1),
        eb.selectFrom('exchange_refusals').select('receipt').where('digest', '=', p.value<string>('digest')).where('receipt', '!=', '').orderBy('received_at').limit(1),
      )
      .as('receipt'),
  ),
);
const INBOX_COLUMNS = ['message_id', 'sender_node_id', 'conversation_id', 'type', 'digest', 'payload', 'received_at', 'read_at', 'outcome', 'reason', 'receipt'] as const;
const insertInboxRow = preparedQuery((db, p) => db.insertInto('exchange_inbox').values(p.row<Insertable<ExchangeInboxTable>>(INBOX_COLUMNS)));

/** Receives one envelope and answers with a signed receipt. Never throws for bad input. */
export async function receiveEnvelope(ctx: InboxContext, envelope: string): Promise<InboxAnswer> {
  const ledger = ctx.ledger ?? NO_LEDGER;
  const digest = sha256Hex(envelope);
  const duplicate = await storedReceipt(ctx.db, digest);
  if (duplicate !== undefined) return { outcome: 'duplicate', receipt: duplicate };

  const now = ctx.now();
  const claims: Claims = { sender: null, messageId: null };
  let opened: OpenedEnvelope;
  try {
    // Loaded once, before any transaction: handlers and hooks get this list (no second read inside the transaction).
    claims.trust = await ctx.trust();
    opened = await openEnvelope(envelope, { keys: ctx.keys, trust: claims.trust, now, envelopeDigest: digest, ...(ctx.limits ? { limits: ctx.limits } : {}) }, claims);
  } catch (error) {
    if (!(error instanceof ExchangeError)) throw error;
    if (error.trustPending) return defer(ctx, ledger, envelope, digest, claims, error, now);
    return refuse(ctx, ledger, envelope, digest, claims, error, now);
  }
  const message = opened.message;
  const base: Omit<Receipt, 'outcome' | 'reason'> = {
    type: 'comity-receipt/v1',
    messageId: message.id,
    by: ctx.identity.nodeId,
    sender: message.from.node,
    digests: { envelope: digest, payload: opened.digests.payload, signatures: opened.digests.signatures },
    receivedAt: now.toISOString(),
  };
  // An id already in the inbox with other bytes (the same bytes were answered above) fails the
  // inbox row's primary key, before the workflow runs: raced() then refuses it as id-reused.
  const row = { message_id: message.id, sender_node_id: message.from.node, conversation_id: message.conversation, type: message.type, digest, payload: JSON.stringify(redactTransferKeys(message)), received_at: now.toISOString(), read_at: null };
  const accepted = await signReceipt(ctx.keys, { ...base, outcome: 'accepted', reason: null });
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await insertInboxRow.execute(trx, { ...row, outcome: 'accepted', reason: null, receipt: accepted });
      await ctx.handler.apply(trx, opened, now, claims.trust);
      await ledger.append(trx, { kind: 'receipt-issued', outcome: 'accepted', messageId: message.id, peer: message.from.node, digest: sha256Hex(accepted), at: now.toISOString() });
    });
    return { outcome: 'accepted', receipt: accepted };
  } catch (error) {
    if (isUniqueViolation(error)) return raced(ctx, ledger, envelope, digest, claims, now);
    if (!(error instanceof MessageRejected)) throw error;
    // The workflow refused it: nothing it wrote is kept; the refusal is stored as the answer.
    const rejected = await signReceipt(ctx.keys, { ...base, outcome: 'rejected', reason: reasonOf(error.code, error.message) });
    try {
      await ctx.db.transaction().execute(async (trx) => {
        await insertInboxRow.execute(trx, { ...row, outcome: 'rejected', reason: `${error.code}: ${error.message}`.slice(0, 500), receipt: rejected });
        if (error.record !== undefined) await error.record(trx);
        await ledger.append(trx, { kind: 'receipt-issued', outcome: 'rejected', messageId: message.id, peer: message.from.node, digest: sha256Hex(rejected), at: now.toISOString() });
      });
    } catch (again) {
      if (isUniqueViolation(again)) return raced(ctx, ledger, envelope, digest, claims, now);
      throw again;
    }
    return { outcome: 'rejected', receipt: rejected };
  }
}

/** Another delivery of the same id committed first: the same bytes get its receipt, other bytes are refused. */
async function raced(ctx: InboxContext, ledger: ExchangeLedger, envelope: string, digest: string, claims: Claims, now: Date): Promise<InboxAnswer> {
  const receipt = await storedReceipt(ctx.db, digest);
  if (receipt !== undefined) return { outcome: 'duplicate', receipt };
  return idReused(ctx, ledger, envelope, digest, claims, now);
}

function idReused(ctx: InboxContext, ledger: ExchangeLedger, envelope: string, digest: string, claims: Claims, now: Date): Promise<InboxAnswer> {
  return refuse(ctx, ledger, envelope, digest, claims, new ExchangeError('id-reused', `message id ${claims.messageId ?? '?'} was already received with other bytes`), now);
}

async function refuse(ctx: InboxContext, ledger: ExchangeLedger, envelope: string, digest: string, claims: Claims, error: ExchangeError, now: Date): Promise<InboxAnswer> {
  const receipt = await signReceipt(ctx.keys, {
    type: 'comity-receipt/v1',
    messageId: claims.messageId,
    by: ctx.identity.nodeId,
    sender: claims.sender,
    outcome: 'rejected',
    reason: reasonOf(error.code, error.message),
    digests: { envelope: digest, payload: null, signatures: [] },
    receivedAt: now.toISOString(),
  });
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('exchange_refusals')
      .values({ id: uuidv7(now.getTime()), received_at: now.toISOString(), claimed_sender: claims.sender, claimed_message_id: claims.messageId, code: error.code, reason: error.message.slice(0, 500), digest, size: Buffer.byteLength(envelope, 'utf8'), receipt })
      .execute();
    await ledger.append(trx, { kind: 'refusal', outcome: 'refused', messageId: claims.messageId, peer: claims.sender, digest, at: now.toISOString() });
    if (ctx.onRefusal !== undefined) await ctx.onRefusal(trx, { claims, error, digest, at: now });
  });
  return { outcome: 'refused', receipt };
}

/**
 * A message this node cannot verify *yet* (unknown sender node, authority or key): recorded once
 * per envelope (refusal row with an empty receipt, a `refusal` leaf, the refusal hook) so the
 * operator sees who tried, but with no final signed rejection: when the agreement arrives, the
 * sender's next attempt with the same bytes is examined afresh. A forged message stays refused.
 */
async function defer(ctx: InboxContext, ledger: ExchangeLedger, envelope: string, digest: string, claims: Claims, error: ExchangeError, now: Date): Promise<InboxAnswer> {
  const seen = await ctx.db.selectFrom('exchange_refusals').select('id').where('digest', '=', digest).where('receipt', '=', '').executeTakeFirst();
  if (seen === undefined) {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('exchange_refusals')
        .values({ id: uuidv7(now.getTime()), received_at: now.toISOString(), claimed_sender: claims.sender, claimed_message_id: claims.messageId, code: error.code, reason: `deferred: ${error.message}`.slice(0, 500), digest, size: Buffer.byteLength(envelope, 'utf8'), receipt: '' })
        .execute();
      await ledger.append(trx, { kind: 'refusal', outcome: 'refused', messageId: claims.messageId, peer: claims.sender, digest, at: now.toISOString() });
      if (ctx.onRefusal !== undefined) await ctx.onRefusal(trx, { claims, error, digest, at: now });
    });
  }
  return { outcome: 'deferred', receipt: '' };
}

/** An incoming message this node's workflow or legal engine rejected, as its receiving side sees it. */
export interface IncomingRejection {
  messageId: string;
  peer: string;
  from: string;
  to: string;
  conversationId: string;
  type: string;
  action: string;
  /** `code: reason`, as in the signed rejection the sender received. */
  reason: string;
  receivedAt: string;
}

/**
 * Incoming messages answered with a signed rejection (newest first), for the authority they were
 * addressed to (all of them for a platform administrator): the requested side sees what it
 * refused and why, as the requesting side sees it in its delivery states.
 */
export async function incomingRejections(db: Kysely<Database>, filter: { authorityId?: string; limit?: number } = {}): Promise<IncomingRejection[]> {
  const rows = await db
    .selectFrom('exchange_inbox')
    .select(['message_id', 'sender_node_id', 'conversation_id', 'type', 'payload', 'reason', 'received_at'])
    .where('outcome', '=', 'rejected')
    .orderBy('received_at', 'desc')
    .limit(Math.min(filter.limit ?? 200, 1000))
    .execute();
  const out: IncomingRejection[] = [];
  for (const row of rows) {
    const message = JSON.parse(row.payload) as { from: { authority: string }; to: { authority: string }; action: string };
    if (filter.authorityId !== undefined && message.to.authority !== filter.authorityId) continue;
    out.push({ messageId: row.message_id, peer: row.sender_node_id, from: message.from.authority, to: message.to.authority, conversationId: row.conversation_id, type: row.type, action: message.action, reason: row.reason ?? '', receivedAt: row.received_at });
  }
  return out;
}
