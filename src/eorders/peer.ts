/**
 * @module eorders/peer
 * Orders between nodes: what the issuing node sends with an order, how the receiving node checks
 * and records it by its own rules, and the receipts that date each party's delivery on the
 * issuing node. `exchange/order-bridge.ts` carries them.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database, EordersTable } from '../db/index.js';
import type { Actor, CaseContext } from '../cases/context.js';
import { auditRow, insertAuditRow } from '../cases/audit.js';
import { kindsOfAuthority } from '../law/index.js';
import { orderCertificateSchema, validationSchema, type OrderCertificate, type ValidationRecord } from './certificates.js';
import { authorityOrFail, getProvider } from './providers.js';
import { applyEvent, deliverParts, historyRow, issuingCheck, lastForm, orderEventInputSchema, parseForm, readOrder, startClock, SYSTEM_ACTOR, writeChange } from './service.js';
import { OrderError, zodOrderIssues } from './errors.js';
import { notificationFor, orderRules } from './rules.js';
import { isOrderEvent, ORDER_STATES, ORDER_TRANSITIONS, partyOf, type OrderKind, type OrderState } from './workflow.js';


// ---------------------------------------------------------------------------------------------
// Orders between nodes (exchange/order-bridge.ts carries them)

/** What the issuing node sends with the order: its record as sent, and the provider it addresses. */
export const peerOrderSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  reference: z.string().min(1).max(100),
  kind: z.enum(['EPOC', 'EPOC-PR']),
  emergency: z.boolean(),
  issuingAuthority: z.string().min(1).max(64),
  addressee: z.string().min(1).max(64),
  enforcingAuthority: z.string().min(1).max(64).nullable(),
  provider: z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/), name: z.string().min(2).max(300), establishedIn: z.string().regex(/^[A-Z]{2}$/), representativeKind: z.enum(['designated-establishment', 'legal-representative']) }),
  validationStatus: z.enum(['validated', 'ex-post-pending', 'not-needed']),
  validation: validationSchema.extend({ at: z.string().max(40) }).nullable(),
  certificate: z.unknown(),
  sentAt: z.iso.datetime(),
});
export type PeerOrder = z.infer<typeof peerOrderSchema>;

/** The issuing node's record of an order, as it travels (on `send`). */
export async function peerOrderOf(ctx: CaseContext, db: Kysely<Database>, row: Selectable<EordersTable>, sentAt: string): Promise<PeerOrder> {
  const provider = await getProvider(ctx, row.provider_id, db);
  if (!provider) throw new OrderError('validation-failed', 'the service provider was removed');
  return {
    id: row.id,
    reference: row.reference,
    kind: row.kind as OrderKind,
    emergency: row.emergency === 1,
    issuingAuthority: row.issuing_authority_id,
    addressee: row.addressee_id,
    enforcingAuthority: row.enforcing_authority_id,
    provider: { id: provider.id, name: provider.name, establishedIn: provider.establishedIn, representativeKind: provider.representative.kind },
    validationStatus: row.validation_status as PeerOrder['validationStatus'],
    validation: row.validation === null ? null : (JSON.parse(row.validation) as ValidationRecord),
    certificate: JSON.parse(row.certificate) as unknown,
    sentAt,
  };
}

export interface PeerMessageFacts {
  messageId: string;
  fromNode: string;
  fromAuthority: string;
  toAuthority: string;
  conversation: string;
  /** The sender authority as its node's signed agreement describes it (its Art. 4 kind). */
  senderAgreement: { kind: string; issuingKind?: string | undefined } | undefined;
}

/**
 * The receiving node's record of an order another node sent: checked by this node's own rules
 * (Art. 4 against the sender's agreement, Art. 8 notification), written as sent, and delivered at
 * `at` — the `receivedAt` of the receipt this node signs for the message — when every clock starts.
 */
export async function importPeerOrder(ctx: CaseContext, trx: Transaction<Database>, raw: unknown, facts: PeerMessageFacts, at: string): Promise<Selectable<EordersTable>> {
  const { o, cert, check, notification } = await checkPeerOrder(ctx, trx, raw, facts, 'sent');
  const row = await writePeerOrder(ctx, trx, o, cert, check, facts, at, { state: 'sent', enforcingStatus: notification.required ? 'to-notify' : 'not-notified', deliveredAt: null });
  // Art. 8(1): addressee and enforcing authority are notified at the same time; this node counts
  // both from its own receipt (the issuing node holds each party's receipt).
  return deliverParts(ctx, trx, row, { addressee: at, ...(notification.required ? { enforcing: at } : {}) }, { via: 'exchange', messageId: facts.messageId, node: facts.fromNode, receipt: 'receivedAt of the signed receipt this node gave' });
}

/**
 * This node's own checks of an order another node sent (`sent`: to the addressee or a notified
 * enforcing authority; `transferred`: to the enforcing authority with the Art. 16 enforcement):
 * its shape, its sender, Art. 4 against the sender's agreement, the validation Art. 4 requires,
 * Art. 8 by this node's rules.
 */
async function checkPeerOrder(ctx: CaseContext, trx: Transaction<Database>, raw: unknown, facts: PeerMessageFacts, how: 'sent' | 'transferred') {
  const parsed = peerOrderSchema.safeParse(raw);
  if (!parsed.success) throw new OrderError('invalid-request', 'the message carries no valid order', zodOrderIssues(parsed.error));
  const o = parsed.data;
  const certParsed = orderCertificateSchema.safeParse(o.certificate);
  if (!certParsed.success) throw new OrderError('invalid-request', 'the order carries no valid certificate', zodOrderIssues(certParsed.error));
  const cert = certParsed.data;
  if (o.id !== facts.conversation) throw new OrderError('invalid-request', 'an order travels under its own id as the conversation');
  if (o.issuingAuthority !== facts.fromAuthority) throw new OrderError('forbidden', 'the order names another issuing authority than its sender');
  if (how === 'sent' && facts.toAuthority !== o.addressee && facts.toAuthority !== o.enforcingAuthority) throw new OrderError('forbidden', 'the order is neither addressed to nor notified to the recipient');
  if (how === 'transferred' && facts.toAuthority !== o.enforcingAuthority) throw new OrderError('forbidden', 'an order is transferred for enforcement to its enforcing authority only (Art. 16(1))');
  if (cert.order !== o.kind || cert.provider !== o.provider.id || cert.emergency.emergency !== o.emergency) throw new OrderError('invalid-request', 'the certificate does not match the order');
  if (await readOrder(trx, o.id)) throw new OrderError('conflict', `order ${o.id} is already on this node`);
  for (const [field, id] of [['issuingAuthority', o.issuingAuthority], ['addressee', o.addressee], ['enforcingAuthority', o.enforcingAuthority]] as const) {
    if (id !== null) await authorityOrFail(ctx, trx, id, field);
  }
  // Art. 4: the kind declared in the certificate against the sender's agreement, then who may issue.
  const agreement = facts.senderAgreement;
  if (agreement === undefined) throw new OrderError('order-issuer-not-competent', `${facts.fromAuthority} is not in its node's agreement`);
  const competence = kindsOfAuthority(ctx.kb.issuing, { id: facts.fromAuthority, kind: agreement.kind, issuingKind: agreement.issuingKind ?? null }, cert.issuer.kind);
  if (!competence.competent) throw new OrderError('order-issuer-not-competent', `Art. 4: ${competence.reason} (from its node's agreement)`);
  const check = issuingCheck(ctx.kb.issuing, cert);
  if (!check.mayIssue) throw new OrderError('order-issuer-not-competent', `Art. 4: ${check.reasons.join('; ')}`);
  if (check.validation === 'prior' && (o.validationStatus !== 'validated' || o.validation === null || !check.validators.includes(o.validation.kind))) {
    throw new OrderError('order-issuer-not-competent', `Art. 4: the order must bear its validation by a ${check.validators.join(', ')}`);
  }
  // Art. 8 by this node's own rules, not the sender's word.
  const notification = notificationFor(orderRules(), { kind: cert.order, categories: cert.categories, emergency: cert.emergency.emergency, ...cert.residenceTest });
  if (notification.required && o.enforcingAuthority === null) throw new OrderError('validation-failed', 'the order must be notified to an enforcing authority (Art. 8(1)) but names none');
  return { o, cert, check, notification };
}

/** Writes this node's record of a peer's order (and the provider it addresses), as the issuing node sent it. */
async function writePeerOrder(ctx: CaseContext, trx: Transaction<Database>, o: PeerOrder, cert: OrderCertificate, check: ReturnType<typeof issuingCheck>, facts: PeerMessageFacts, at: string, record: { state: OrderState; enforcingStatus: string; deliveredAt: string | null }): Promise<Selectable<EordersTable>> {
  const addressee = await authorityOrFail(ctx, trx, o.addressee, 'addressee');
  await trx
    .insertInto('service_providers')
    .values({ id: o.provider.id, name: o.provider.name, established_in: o.provider.establishedIn, representative_authority_id: o.addressee, representative_kind: o.provider.representativeKind, representative_state: addressee.party, created_at: at })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const actor: Actor = { id: `peer:${facts.fromNode}/${facts.fromAuthority}`, authorityId: facts.fromAuthority };
  const row: Selectable<EordersTable> = {
    id: o.id,
    reference: o.reference,
    kind: o.kind,
    state: record.state,
    emergency: o.emergency ? 1 : 0,
    issuing_authority_id: o.issuingAuthority,
    addressee_id: o.addressee,
    provider_id: o.provider.id,
    enforcing_authority_id: o.enforcingAuthority,
    enforcing_status: record.enforcingStatus,
    validation_status: o.validationStatus,
    certificate: JSON.stringify(cert),
    validation: o.validation === null ? null : JSON.stringify(o.validation),
    preceded_by: null,
    created_by: actor.id,
    version: 1,
    created_at: at,
    updated_at: at,
    sent_at: o.sentAt,
    delivered_at: record.deliveredAt,
    enforcing_delivered_at: null,
    closed_at: null,
  };
  await trx.insertInto('eorders').values(row).execute();
  await trx.insertInto('eorder_events').values(historyRow(ctx, row, 'send', 'issued', 'sent', actor, 'issuing', o.sentAt, null, { via: 'exchange', node: facts.fromNode, messageId: facts.messageId })).execute();
  await insertAuditRow(trx, auditRow({ id: ctx.newId(), actor: actor.id, action: 'eorder.receive', objectType: 'eorder', objectId: row.id, at, before: null, after: row }));
  if (check.validation === 'ex-post' && o.validationStatus === 'ex-post-pending') {
    const issuing = await authorityOrFail(ctx, trx, row.issuing_authority_id, 'issuingAuthority');
    const hours = check.validateWithinHours ?? ctx.kb.issuing.emergency.validateWithinHours;
    await startClock(ctx, trx, row, 'validation', 'issuing', issuing, o.sentAt, { amount: hours, unit: 'hours', text: `Art. 4(5): issued without prior validation in an emergency; validation by ${check.validators.join(', ')} is sought within ${hours} hours. ${ctx.kb.issuing.emergency.ifRefused}`, citation: ctx.kb.issuing.emergency.citation });
  }
  return row;
}

/** What travels with the Art. 16 enforcement to an enforcing authority that never received the order. */
export const peerTransferSchema = z.strictObject({
  /** The order's state on the issuing node when it started the enforcement. */
  state: z.enum(ORDER_STATES),
  /** The addressee's delivery, as the issuing node recorded it from the addressee's receipt. */
  deliveredAt: z.iso.datetime().nullable(),
  /** Art. 16(1): the Annex III form as completed by the addressee, if any. */
  annexIII: z.record(z.string(), z.unknown()).nullable(),
});
export type PeerTransfer = z.infer<typeof peerTransferSchema>;

/** The issuing node's record and the Art. 16(1) documents, for the enforcing authority's node. */
export async function peerTransferOf(db: Kysely<Database>, row: Selectable<EordersTable>): Promise<PeerTransfer> {
  return { state: row.state as OrderState, deliveredAt: row.delivered_at, annexIII: (await lastForm(db, row.id, 'report-impossibility')) as Record<string, unknown> | null };
}

/**
 * Art. 16 on the enforcing authority's node. Where the order was notified there (Art. 8), the
 * enforcement applies to that record. Where it never was (subscriber or identification data, no
 * Art. 8 notification), the order travels with the enforcement: this node checks it by its own
 * rules (as an order sent to it), records it as the issuing node had it, then applies the
 * enforcement through the same state machine at `at`, its receipt's time.
 */
export async function receivePeerEnforcement(ctx: CaseContext, trx: Transaction<Database>, facts: PeerMessageFacts, rawOrder: unknown, rawTransfer: unknown, rawInput: unknown, at: string): Promise<Selectable<EordersTable>> {
  if ((await readOrder(trx, facts.conversation)) !== undefined || rawOrder === undefined) {
    return applyPeerOrderEvent(ctx, trx, facts.conversation, facts.fromAuthority, facts.fromNode, 'start-enforcement', rawInput, at);
  }
  const transfer = peerTransferSchema.safeParse(rawTransfer);
  if (!transfer.success) throw new OrderError('invalid-request', 'the enforcement carries the order without the issuing authority’s record of it', zodOrderIssues(transfer.error));
  const { o, cert, check, notification } = await checkPeerOrder(ctx, trx, rawOrder, facts, 'transferred');
  const { state, deliveredAt, annexIII } = transfer.data;
  if (!ORDER_TRANSITIONS['start-enforcement'].from.includes(state)) throw new OrderError('invalid-transition', `an order ${state} on the issuing node cannot be enforced (Art. 16(1))`);
  if (deliveredAt === null) throw new OrderError('invalid-request', 'an order never delivered to the addressee cannot be enforced (Art. 16(1))');
  const row = await writePeerOrder(ctx, trx, o, cert, check, facts, at, { state, enforcingStatus: notification.required ? 'notified' : 'not-notified', deliveredAt });
  const actor: Actor = { id: `peer:${facts.fromNode}/${facts.fromAuthority}`, authorityId: facts.fromAuthority };
  // The order as the issuing node had it (sent, then delivered to the addressee): one step here.
  const transferred: Selectable<EordersTable> = { ...row, version: row.version + 1 };
  await trx.updateTable('eorders').set({ version: transferred.version }).where('id', '=', row.id).execute();
  await trx.insertInto('eorder_events').values(historyRow(ctx, transferred, 'transferred', 'sent', state, actor, 'issuing', at, null, { via: 'exchange', node: facts.fromNode, messageId: facts.messageId, deliveredAt, annexIII })).execute();
  return applyPeerOrderEvent(ctx, trx, facts.conversation, facts.fromAuthority, facts.fromNode, 'start-enforcement', rawInput, at);
}

/**
 * A peer's event on an order this node also holds: the sender must be the authority that plays
 * the event's party in the order; the same state machine applies it, at the receipt's time.
 */
export async function applyPeerOrderEvent(ctx: CaseContext, trx: Transaction<Database>, id: string, fromAuthority: string, fromNode: string, eventName: string, rawInput: unknown, at: string): Promise<Selectable<EordersTable>> {
  if (!isOrderEvent(eventName) || ['deliver', 'expire', 'approve', 'send'].includes(eventName)) throw new OrderError('invalid-transition', `order event ${JSON.stringify(eventName)} does not travel on its own`);
  const event = eventName;
  const row = await readOrder(trx, id);
  if (!row) throw new OrderError('not-found', `no order ${id} on this node`);
  const party = partyOf(event);
  const player = party === 'issuing' ? row.issuing_authority_id : party === 'addressee' ? row.addressee_id : party === 'enforcing' ? row.enforcing_authority_id : null;
  if (player !== fromAuthority) throw new OrderError('forbidden', `${fromAuthority} is not the ${party} authority of order ${id}`);
  const parsedInput = orderEventInputSchema.safeParse(rawInput ?? {});
  if (!parsedInput.success) throw new OrderError('invalid-request', 'invalid event', zodOrderIssues(parsedInput.error));
  const input = parsedInput.data;
  // Art. 8: the enforcing authority's node receives the fact of a production, not the data's description.
  const withheld = event === 'produce' && input.form === undefined;
  const form = withheld ? { withheld: 'the description of the data produced is sent to the issuing authority only' } : parseForm(event, input);
  const actor: Actor = { id: `peer:${fromNode}/${fromAuthority}`, authorityId: fromAuthority };
  return applyEvent(ctx, trx, row, actor, event, input, form, at, true);
}

/**
 * The issuing node learns that its order was delivered from the receipt the other node signed:
 * the addressee's (or the enforcing authority's) clocks start at its `receivedAt`. A refused
 * order (a provider's gate quarantined it) is recorded on the order, which stays sent.
 */
export async function recordOrderReceipt(ctx: CaseContext, receipt: { orderId: string; toAuthorities: readonly string[]; messageId: string; outcome: 'delivered' | 'rejected'; receivedAt: string; reason: string | null }): Promise<void> {
  await ctx.transaction(async (trx) => {
    const row = await readOrder(trx, receipt.orderId);
    if (!row) return;
    if (receipt.outcome === 'rejected') {
      const after: Selectable<EordersTable> = { ...row, version: row.version + 1, updated_at: receipt.receivedAt };
      await writeChange(ctx, trx, row, after, 'delivery-refused', 'system', SYSTEM_ACTOR, receipt.receivedAt, receipt.reason ?? 'refused by the receiving node', { to: receipt.toAuthorities, messageId: receipt.messageId });
      return;
    }
    const parts = { ...(receipt.toAuthorities.includes(row.addressee_id) ? { addressee: receipt.receivedAt } : {}), ...(row.enforcing_authority_id !== null && receipt.toAuthorities.includes(row.enforcing_authority_id) ? { enforcing: receipt.receivedAt } : {}) };
    await deliverParts(ctx, trx, row, parts, { via: 'exchange', messageId: receipt.messageId, receipt: 'receivedAt of the signed receipt of the receiving node' });
  });
}

/**
 * Art. 16 between nodes: the issuing node learns that the enforcement reached the enforcing
 * authority from the receipt its node signed. Only the receipt of a message that carried this
 * order's `start-enforcement` counts (its id is in that event's payload). The enforcing
 * authority's involvement is recorded at the receipt's `receivedAt` — as its delivery when it was
 * never notified (Art. 8) — and shown in the history (*enforcement-delivered*); a refusal is
 * recorded as *delivery-refused*. A second receipt for the same message changes nothing.
 */
export async function recordEnforcementReceipt(ctx: CaseContext, receipt: { orderId: string; toAuthorities: readonly string[]; messageId: string; outcome: 'delivered' | 'rejected'; receivedAt: string; reason: string | null }): Promise<void> {
  await ctx.transaction(async (trx) => {
    const row = await readOrder(trx, receipt.orderId);
    if (!row || row.enforcing_authority_id === null || !receipt.toAuthorities.includes(row.enforcing_authority_id)) return;
    const events = await trx.selectFrom('eorder_events').select(['event', 'payload']).where('order_id', '=', row.id).where('event', 'in', ['start-enforcement', 'enforcement-delivered', 'delivery-refused']).execute();
    const carried = events.some((e) => e.event === 'start-enforcement' && e.payload !== null && ((JSON.parse(e.payload) as { messages?: { id: string }[] }).messages ?? []).some((m) => m.id === receipt.messageId));
    if (!carried) return;
    const recorded = events.some((e) => e.event !== 'start-enforcement' && e.payload !== null && (JSON.parse(e.payload) as { messageId?: string }).messageId === receipt.messageId);
    if (recorded) return;
    const rejected = receipt.outcome === 'rejected';
    const after: Selectable<EordersTable> = { ...row, ...(!rejected && row.enforcing_delivered_at === null ? { enforcing_delivered_at: receipt.receivedAt } : {}), version: row.version + 1, updated_at: receipt.receivedAt };
    const payload = { via: 'exchange', to: [row.enforcing_authority_id], messageId: receipt.messageId, receipt: 'receivedAt of the signed receipt of the enforcing authority’s node', deliveredAt: receipt.receivedAt };
    if (rejected) await writeChange(ctx, trx, row, after, 'delivery-refused', 'system', SYSTEM_ACTOR, receipt.receivedAt, receipt.reason ?? 'refused by the receiving node', payload);
    else await writeChange(ctx, trx, row, after, 'enforcement-delivered', 'system', SYSTEM_ACTOR, receipt.receivedAt, null, payload);
  });
}