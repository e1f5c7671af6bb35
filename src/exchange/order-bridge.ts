/**
 * @module exchange/order-bridge
 * Orders under Regulation (EU) 2023/1543 between nodes (issue 14). The issuing authority, the
 * addressee (a provider's designated establishment or legal representative) and the enforcing
 * authority may each be on its own node; each node keeps its own record of the order under one id,
 * the conversation id of every message about it, and applies every step through the same state
 * machine (`eorders/service.ts`; the peer side in `eorders/peer.ts`).
 *
 * - Sending: an order event whose other parties are hosted on peers travels as one message per
 *   peer party (`body.eorder`), sealed before the transaction and queued in the transaction of the
 *   change. The order itself (`send`) carries the issuing node's record and certificate and — to a
 *   provider — the order's facts with the tlog-proof of the issuing log, which the provider's gate
 *   verifies before the order exists there (`provider/gate.ts`).
 * - Receiving: the order is imported and delivered at the `receivedAt` of the receipt the node
 *   signs for it; every later event is applied at its receipt's time.
 * - Receipts: when the addressee's (or the enforcing authority's) receipt comes back, the issuing
 *   node records the delivery at that receipt's `receivedAt`: the clocks of Art. 10 and 12 run
 *   from delivery into the addressee's system, never from a click.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { CaseContext, OrderFederation } from '../cases/context.js';
import type { Database } from '../db/index.js';
import { OrderError } from '../eorders/errors.js';
import { applyPeerOrderEvent, importPeerOrder, peerOrderOf, peerTransferOf, receivePeerEnforcement, recordEnforcementReceipt, recordOrderReceipt, type PeerMessageFacts } from '../eorders/peer.js';
import { isOrderEvent, partyOf, type OrderEvent } from '../eorders/workflow.js';
import type { OrderCertificate } from '../eorders/certificates.js';
import { logOrder, type OrderCore, type OrderFacts } from '../provider/order.js';
import type { OrderLog } from './case-bridge.js';
import { MessageRejected, type MessageHandler } from './inbox.js';
import type { MessageType } from './message-types.js';
import type { ExchangeRuntime } from './runtime.js';
import { emergencyCoSigners, type TrustList } from './trust.js';

export const ORDER_INSTRUMENT = 'EU-2023-1543';

/** The message type of each order event that crosses the border (null: stays on its node). */
export const ORDER_EVENT_MESSAGE_TYPES: Readonly<Record<OrderEvent, MessageType | null>> = Object.freeze({
  approve: null,
  deliver: null,
  expire: null,
  send: 'request',
  validate: 'notice',
  'refuse-validation': 'withdrawal',
  acknowledge: 'acknowledgement',
  'request-clarification': 'clarification-request',
  'answer-clarification': 'clarification-answer',
  produce: 'response',
  preserve: 'execution',
  extend: 'notice',
  'confirm-production': 'notice',
  'report-impossibility': 'decision',
  object: 'decision',
  'confirm-no-ground': 'decision',
  'raise-ground': 'decision',
  'start-enforcement': 'notice',
  withdraw: 'withdrawal',
  close: 'closing',
});

const eorderBodySchema = z.strictObject({ v: z.literal(1), event: z.string().max(40), input: z.record(z.string(), z.unknown()), order: z.unknown().optional(), transfer: z.unknown().optional() });

const CATEGORY_RANK: readonly OrderFacts['category'][] = ['content-data', 'traffic-data', 'identification-data', 'subscriber-data'];

/** The sending half: the messages of an order event to the parties hosted on peer nodes. */
export function createOrderFederation(cases: CaseContext, runtime: ExchangeRuntime, options: { orderLog?: OrderLog } = {}): OrderFederation {
  return {
    async isRemote(authorityId) {
      const node = (await runtime.trust()).nodeOfAuthority(authorityId);
      return node !== undefined && !node.self;
    },
    async nodeOf(authorityId) {
      const trust = await runtime.trust();
      const node = trust.nodeOfAuthority(authorityId) ?? trust.self;
      return { id: node.nodeId, self: node.self, endpoint: node.endpoint };
    },
    async prepare(row, _actor, eventName, input) {
      if (!isOrderEvent(eventName)) return null;
      const event = eventName;
      const type = ORDER_EVENT_MESSAGE_TYPES[event];
      if (type === null) return null;
      const trust = await runtime.trust();
      const party = partyOf(event);
      const from = party === 'issuing' ? row.issuing_authority_id : party === 'addressee' ? row.addressee_id : party === 'enforcing' ? row.enforcing_authority_id : null;
      if (from === null || !trust.self.authorities.has(from)) return null;
      const recipients = new Set<string>();
      if (party !== 'issuing') recipients.add(row.issuing_authority_id);
      if (party !== 'addressee') recipients.add(row.addressee_id);
      const enforcingTakesPart = row.enforcing_status !== 'not-notified' || row.enforcing_delivered_at !== null || row.state === 'enforcement' || event === 'start-enforcement';
      if (party !== 'enforcing' && row.enforcing_authority_id !== null && enforcingTakesPart) recipients.add(row.enforcing_authority_id);
      // One message per peer node: a node that hosts two parties (the provider's representative
      // and the enforcing authority) records the step once, for both (addressee first, for the gate).
      const byNode = new Map<string, string>();
      for (const id of [...recipients].sort((a, b) => Number(b === row.addressee_id) - Number(a === row.addressee_id))) {
        const node = trust.nodeOfAuthority(id);
        if (node !== undefined && !node.self && !byNode.has(node.nodeId)) byNode.set(node.nodeId, id);
      }
      const remote = [...byNode.values()];
      if (remote.length === 0) return null;
      const emergency = row.emergency === 1;
      const sentAt = cases.now().toISOString();
      const order = event === 'send' ? await peerOrderOf(cases, cases.db, row, sentAt) : undefined;
      // Art. 16(1): the issuing authority transfers the order (with the Annex III form) to the
      // enforcing authority; its node may never have received it (no Art. 8 notification).
      const transfer = event === 'start-enforcement' && row.enforcing_authority_id !== null && remote.includes(row.enforcing_authority_id) ? { order: await peerOrderOf(cases, cases.db, row, row.sent_at ?? sentAt), transfer: await peerTransferOf(cases.db, row) } : undefined;
      // An emergency order bears a second signature of another authority hosted here
      // (exchange-evidence.md §3(4)), and so does what the issuing side says about it later (its
      // ex-post validation, a withdrawal, Art. 16). The addressee's and the enforcing authority's
      // answers are not orders: they travel unmarked (their node may host no second authority to
      // co-sign, and the exchange refuses an emergency message without one) but are relayed as
      // urgently as the order (the outbox's emergency flag).
      const reviewers = emergency && party === 'issuing' ? emergencyCoSigners(trust, from) : [];
      // The order itself is always marked: without its second signature the provider's gate quarantines it.
      const marked = emergency && (event === 'send' || reviewers.length > 0);
      let facts: OrderFacts | null = null;
      const prepared: { message: { id: string; to: { authority: string } }; enqueue(trx: Kysely<Database>): Promise<void> }[] = [];
      for (const to of remote) {
        const toProvider = event === 'send' && to === row.addressee_id;
        if (toProvider && facts === null) facts = await orderFactsOf(row, from, reviewers, options.orderLog, sentAt);
        const carried = order !== undefined ? { order } : transfer !== undefined && to === row.enforcing_authority_id ? transfer : {};
        const body = { eorder: { v: 1, event, input, ...carried }, ...(toProvider && facts !== null ? { order: facts } : {}) };
        // Art. 8: the enforcing authority is not sent the description of the data produced.
        if (event === 'produce' && to === row.enforcing_authority_id) body.eorder.input = Object.fromEntries(Object.entries(input).filter(([k]) => k !== 'form'));
        prepared.push(
          await runtime.prepare(
            { from: { authority: from }, to: { authority: to }, inReplyTo: null, conversation: row.id, type, instrument: ORDER_INSTRUMENT, action: event, emergency: marked, body: JSON.parse(JSON.stringify(body)) as Record<string, unknown> },
            marked ? reviewers : [],
            null,
          ),
        );
      }
      return {
        enqueue: async (trx: Kysely<Database>) => {
          for (const p of prepared) {
            await p.enqueue(trx);
            if (emergency && !marked) await trx.updateTable('exchange_outbox').set({ emergency: 1 }).where('message_id', '=', p.message.id).execute();
          }
        },
        committed: () => runtime.relay.wake(),
        messages: prepared.map((p) => ({ id: p.message.id, to: p.message.to.authority })),
      };
    },
  };
}

/** The order's facts for the provider's gate, logged in the issuing node's log (its tlog-proof). */
async function orderFactsOf(row: { reference: string; kind: string; certificate: string; addressee_id: string; emergency: number }, from: string, reviewers: readonly string[], orderLog: OrderLog | undefined, issuedAt: string): Promise<OrderFacts> {
  const cert = JSON.parse(row.certificate) as OrderCertificate;
  const category = CATEGORY_RANK.find((c) => (cert.categories as readonly string[]).includes(c)) ?? 'subscriber-data';
  const kind = row.kind === 'EPOC-PR' ? 'EPOC-PR' : 'EPOC';
  const core: OrderCore = { ref: row.reference, kind, category, issuedAt, issuingAuthority: from, validatedBy: reviewers[0] ?? null, provider: row.addressee_id, instrument: ORDER_INSTRUMENT, emergency: row.emergency === 1 };
  const logProof = orderLog === undefined ? null : await logOrder(orderLog.db, orderLog, core);
  return { ref: core.ref, kind, category, issuedAt: core.issuedAt, issuingAuthority: from, validatedBy: core.validatedBy, logProof };
}

/** The receiving half: a peer's order event applied to this node's record of the order. */
export function createOrderMessageHandler(cases: CaseContext): MessageHandler {
  return {
    async apply(trx, opened, at, trust) {
      const message = opened.message;
      const parsed = eorderBodySchema.safeParse(message.body.eorder);
      if (!parsed.success) throw new MessageRejected('invalid-message', 'the order message carries no valid eorder body');
      const body = parsed.data;
      if (body.event !== message.action || !isOrderEvent(message.action) || ORDER_EVENT_MESSAGE_TYPES[message.action] !== message.type || message.instrument !== ORDER_INSTRUMENT) {
        throw new MessageRejected('invalid-message', `action ${message.action} does not go with type ${message.type}`);
      }
      const receivedAt = at.toISOString();
      try {
        const facts = (): PeerMessageFacts => ({ messageId: message.id, fromNode: message.from.node, fromAuthority: message.from.authority, toAuthority: message.to.authority, conversation: message.conversation, senderAgreement: trust?.node(message.from.node)?.authorities.get(message.from.authority) });
        if (message.action === 'send') {
          await importPeerOrder(cases, trx, body.order, facts(), receivedAt);
        } else if (message.action === 'start-enforcement') {
          // Art. 16: the order travels with the enforcement to an enforcing node that never had it.
          await receivePeerEnforcement(cases, trx, facts(), body.order, body.transfer, body.input, receivedAt);
        } else {
          await applyPeerOrderEvent(cases, trx, message.conversation, message.from.authority, message.from.node, message.action, body.input, receivedAt);
        }
      } catch (error) {
        if (error instanceof OrderError) throw new MessageRejected(error.code, error.message);
        throw error;
      }
    },
  };
}

/** Order messages (`body.eorder`) to the order handler, every other message to `other` (the case handler). */
export function routeOrderMessages(orders: MessageHandler, other: MessageHandler): MessageHandler {
  return {
    apply: (trx, opened, at, trust) => (opened.message.body.eorder !== undefined ? orders.apply(trx, opened, at, trust) : other.apply(trx, opened, at, trust)),
  };
}

/** `receivedAt` of a receipt the relay already verified (compact JWS). */
function receiptTime(receipt: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(receipt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { receivedAt?: unknown };
    return typeof payload.receivedAt === 'string' ? payload.receivedAt : null;
  } catch {
    return null;
  }
}

/**
 * The relay's `onSettled` listener for orders: when the receipt of an order (`send`, a `request`
 * message) comes back, the issuing node records the delivery at the receipt's `receivedAt`; when
 * that of an Art. 16 enforcement (`start-enforcement`, matched by its message id) comes back from
 * the enforcing authority's node, it records the enforcing authority's involvement at that time.
 */
export function createOrderReceiptListener(cases: CaseContext, trust: () => Promise<TrustList>, onError: (error: unknown) => void = () => undefined): (messageId: string, state: 'delivered' | 'rejected') => void {
  // One receipt at a time: two receipts of one order (its addressee's and its enforcing
  // authority's, from two peers drained in parallel) would otherwise update the order in two
  // concurrent transactions, and on PostgreSQL the second would lose the version check.
  let queue: Promise<void> = Promise.resolve();
  return (messageId, state) => {
    queue = queue.then(async () => {
      const row = await cases.db.selectFrom('exchange_outbox').select(['conversation_id', 'to_authority', 'type', 'receipt', 'last_error']).where('message_id', '=', messageId).executeTakeFirst();
      if (row === undefined || (row.type !== 'request' && row.type !== ORDER_EVENT_MESSAGE_TYPES['start-enforcement']) || row.receipt === null) return;
      const order = await cases.db.selectFrom('eorders').select(['id', 'addressee_id', 'enforcing_authority_id']).where('id', '=', row.conversation_id).executeTakeFirst();
      if (order === undefined) return;
      const receivedAt = receiptTime(row.receipt);
      if (receivedAt === null) return;
      // Every party of the order hosted on the node that signed the receipt received it then.
      const list = await trust();
      const node = list.nodeOfAuthority(row.to_authority)?.nodeId;
      const parties = [order.addressee_id, order.enforcing_authority_id].filter((id): id is string => id !== null && (id === row.to_authority || (node !== undefined && list.nodeOfAuthority(id)?.nodeId === node)));
      const receipt = { orderId: order.id, toAuthorities: parties.length > 0 ? parties : [row.to_authority], messageId, outcome: state, receivedAt, reason: row.last_error };
      if (row.type === 'request') await recordOrderReceipt(cases, receipt);
      else await recordEnforcementReceipt(cases, receipt);
    }).catch(onError);
  };
}
