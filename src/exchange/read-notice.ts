/**
 * @module exchange/read-notice
 * The `read` delivery state: the first time a person of the addressee opens a case that arrived
 * from a peer, this node tells the sender — a signed `notice` (action `read`) answering the
 * request message, queued in the same transaction as marking the inbox row read (so it is sent
 * once). The sender's node moves its request from `delivered` to `read`.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../db/index.js';
import type { OpenedEnvelope } from './envelope.js';
import type { ExchangeRuntime } from './runtime.js';

/** Called when a person of `authorityId` opens case `caseId`; does nothing unless it is the first opening of a request received from a peer. */
export async function noteCaseRead(runtime: ExchangeRuntime, caseId: string, authorityId: string | null, at: Date): Promise<void> {
  if (authorityId === null) return;
  const db = runtime.db;
  const request = await db
    .selectFrom('exchange_inbox')
    .select(['message_id', 'payload'])
    .where('conversation_id', '=', caseId)
    .where('type', '=', 'request')
    .where('outcome', '=', 'accepted')
    .where('read_at', 'is', null)
    .executeTakeFirst();
  if (request === undefined) return;
  const message = JSON.parse(request.payload) as { to: { authority: string }; from: { authority: string } };
  if (message.to.authority !== authorityId) return;
  await runtime.send(
    { from: { authority: authorityId }, to: { authority: message.from.authority }, inReplyTo: request.message_id, conversation: caseId, type: 'notice', instrument: null, action: 'read', emergency: false, body: { readAt: at.toISOString() } },
    {
      caseId,
      work: async (trx) => {
        const marked = await trx.updateTable('exchange_inbox').set({ read_at: at.toISOString() }).where('message_id', '=', request.message_id).where('read_at', 'is', null).executeTakeFirst();
        // Another process marked it first: roll back, nothing to send.
        if (marked.numUpdatedRows === 0n) throw new AlreadyRead();
      },
    },
  ).catch((error: unknown) => {
    if (!(error instanceof AlreadyRead)) throw error;
  });
}

class AlreadyRead extends Error {}

/** On the sender's node: a read notice moves the message it answers from `delivered` to `read`. */
export async function applyReadNotice(trx: Transaction<Database>, opened: OpenedEnvelope): Promise<void> {
  const notice = opened.message;
  if (notice.inReplyTo === null) return;
  await trx
    .updateTable('exchange_outbox')
    .set({ state: 'read', updated_at: notice.time })
    .where('message_id', '=', notice.inReplyTo)
    .where('peer_node_id', '=', notice.from.node)
    .where('to_authority', '=', notice.from.authority)
    .where('state', '=', 'delivered')
    .execute();
}
