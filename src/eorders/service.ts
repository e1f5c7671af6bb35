/**
 * @module eorders/service
 * The e-Evidence order's life on a node: EPOC / EPOC-PR orders created from their certificate,
 * checked against Art. 4 when approved, sent and delivered, and answered by the addressee and the
 * enforcing authority — each step written with its history event, its audit event (so it is in the
 * node's log) and its clocks, in one transaction.
 *
 * Delivery: the clocks start when the order is delivered into the addressee's system, never on a
 * click. Between authorities of one node the delivery is the loopback: the `deliver` event is
 * written by the system in the transaction that sends, at the time the order lands in the
 * addressee's (and the enforcing authority's) inbox.
 *
 * Beside it: `providers.ts` (service providers as entities), `peer.ts` (orders between nodes) and
 * `view.ts` (an order and the list as their parties read them).
 */
import { createHash } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { z } from 'zod';
import { calendarDateIn, dueInstant } from '../clock/index.js';
import type { Database, EorderClocksTable, EorderEventsTable, EordersTable } from '../db/index.js';
import type { Actor, CaseContext, PreparedOutbound } from '../cases/context.js';
import { auditRow, insertAuditRow } from '../cases/audit.js';
import type { Authority } from '../cases/authorities.js';
import { AUTHORITY_KINDS, kindsOfAuthority, mayIssue, type AuthorityKind, type Citation, type IssuingAnswer } from '../law/index.js';
import {
  annexIIISchema,
  annexVISchema,
  annexVSchema,
  groundSchema,
  objectionSchema,
  orderCertificateSchema,
  productionSchema,
  validationSchema,
  type OrderCertificate,
  type ValidationRecord,
} from './certificates.js';
import { authorityOrFail, getProvider, regulationOffered } from './providers.js';
import { getOrder, type PresentedOrder } from './view.js';
import { OrderError, zodOrderIssues } from './errors.js';
import { clockRule, notificationFor, orderRules } from './rules.js';
import { formOf, isOrderEvent, nextOrderState, OrderTransitionError, partyOf, TERMINAL_ORDER_STATES, type OrderEvent, type OrderKind, type OrderParty, type OrderState } from './workflow.js';

// ---------------------------------------------------------------------------------------------
// Orders

export const orderInputSchema = z.strictObject({ issuingAuthority: z.string().min(1).max(64), certificate: orderCertificateSchema, precededBy: z.string().max(64).optional() });

export const orderEventInputSchema = z.strictObject({
  reason: z.string().max(4000).optional(),
  expectedVersion: z.number().int().positive().optional(),
  validation: validationSchema.optional(),
  form: z.unknown().optional(),
});
export type OrderEventInput = z.infer<typeof orderEventInputSchema>;

const FORM_SCHEMAS = { 'annex-iii': annexIIISchema, 'annex-v': annexVSchema, 'annex-vi': annexVISchema, objection: objectionSchema, production: productionSchema, ground: groundSchema, validation: validationSchema } as const;

function reference(party: string, at: Date, id: string, kind: OrderKind): string {
  return `${party}-${kind}-${at.getUTCFullYear()}-${id.slice(-10).toUpperCase()}`;
}

export async function readOrder(db: Kysely<Database>, id: string): Promise<Selectable<EordersTable> | undefined> {
  return db.selectFrom('eorders').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Art. 4 for every category of the order: the strictest answer decides (prior > ex-post > none). */
export function issuingCheck(rules: CaseContext['kb']['issuing'], cert: OrderCertificate): { mayIssue: boolean; validation: IssuingAnswer['validation']; validators: string[]; validateWithinHours: number | null; reasons: string[]; citations: Citation[] } {
  const answers = cert.categories.map((category) => mayIssue(rules, { order: cert.order, category, authority: cert.issuer.kind, emergency: cert.emergency.emergency }));
  const refused = answers.filter((a) => !a.mayIssue);
  const prior = answers.filter((a) => a.validation === 'prior');
  const exPost = answers.filter((a) => a.validation === 'ex-post');
  const validation: IssuingAnswer['validation'] = prior.length > 0 ? 'prior' : exPost.length > 0 ? 'ex-post' : 'none';
  const chosen = validation === 'prior' ? prior : validation === 'ex-post' ? exPost : answers;
  // Validators allowed for every category that needs validation.
  const validators = chosen.length === 0 || validation === 'none' ? [] : chosen.map((a) => a.validators as string[]).reduce((acc, v) => acc.filter((k) => v.includes(k)));
  const citations: Citation[] = [];
  for (const a of answers) for (const c of a.citations) if (!citations.some((x) => x.article === c.article && x.paragraph === c.paragraph)) citations.push(c);
  return {
    mayIssue: refused.length === 0,
    validation,
    validators,
    validateWithinHours: exPost[0]?.validateWithinHours ?? null,
    reasons: (refused.length > 0 ? refused : answers).map((a) => a.reason),
    citations,
  };
}

/**
 * Art. 4: the kind the certificate declares (Section A) must be one the issuing authority's
 * account can have — its directory kind, or the Art. 4 kind recorded for it — else the drafter
 * could make a police unit a judge by ticking a box.
 */
async function assertIssuerKind(ctx: CaseContext, db: Kysely<Database>, authorityId: string, cert: OrderCertificate): Promise<void> {
  const row = await db.selectFrom('authorities').select(['id', 'kind', 'issuing_kind']).where('id', '=', authorityId).executeTakeFirst();
  if (!row) throw new OrderError('validation-failed', `unknown authority ${JSON.stringify(authorityId)}`, [{ field: 'issuingAuthority', message: 'no such authority' }]);
  const answer = kindsOfAuthority(ctx.kb.issuing, { id: row.id, kind: row.kind, issuingKind: row.issuing_kind }, cert.issuer.kind);
  if (!answer.competent) {
    throw new OrderError('order-issuer-not-competent', `Art. 4: ${answer.reason}`, [{ field: 'certificate.issuer.kind', message: answer.kinds.length > 0 ? `one of ${answer.kinds.join(', ')}` : answer.reason }]);
  }
}

/** What the order form may offer the signed-in account: the Art. 4 kinds its authority may declare. */
export interface OrderFormOptions {
  /** The account's authority (null: an account acting for no authority, offered every kind). */
  issuingAuthority: { id: string; name: string; kind: string; issuingKind: string | null } | null;
  /** The kinds the authority may declare as issuer (`directoryKinds`, or the kind recorded for it): what drafting and approval accept. */
  issuerKinds: AuthorityKind[];
  reason: string;
  citation: Citation;
}

/**
 * The order form's options for `actor`: only the Art. 4 kinds its authority may have, from the
 * same data (`kindsOfAuthority`, `directoryKinds`) that drafting and approval check against —
 * the server still refuses any other kind (`order-issuer-not-competent`).
 */
export async function orderFormOptions(ctx: CaseContext, actor: Actor): Promise<OrderFormOptions> {
  const d = ctx.kb.issuing.directoryKinds;
  if (actor.authorityId === null) return { issuingAuthority: null, issuerKinds: [...AUTHORITY_KINDS], reason: 'an account acting for no authority: every kind (Art. 4 is checked against the issuing authority chosen)', citation: d.citation };
  const row = await ctx.db.selectFrom('authorities').select(['id', 'name', 'kind', 'issuing_kind']).where('id', '=', actor.authorityId).executeTakeFirst();
  if (!row) throw new OrderError('not-found', `no authority ${actor.authorityId}`);
  const answer = kindsOfAuthority(ctx.kb.issuing, { id: row.id, kind: row.kind, issuingKind: row.issuing_kind }, '');
  const reason = answer.kinds.length === 0 ? answer.reason : `${row.id} (${row.kind}${row.issuing_kind === null ? '' : `, recorded as ${row.issuing_kind}`}) may act as ${answer.kinds.join(', ')}`;
  return { issuingAuthority: { id: row.id, name: row.name, kind: row.kind, issuingKind: row.issuing_kind }, issuerKinds: answer.kinds.length === 0 ? [] : [...answer.kinds], reason, citation: answer.citation };
}

export async function createOrder(ctx: CaseContext, actor: Actor, input: unknown): Promise<PresentedOrder> {
  const parsed = orderInputSchema.safeParse(input);
  if (!parsed.success) throw new OrderError('invalid-request', 'invalid order', zodOrderIssues(parsed.error));
  const { certificate: cert, issuingAuthority } = parsed.data;
  if (actor.authorityId !== null && actor.authorityId !== issuingAuthority) throw new OrderError('forbidden', 'an order can only be drafted for your own authority');
  const issuing = await authorityOrFail(ctx, ctx.db, issuingAuthority, 'issuingAuthority');
  await assertIssuerKind(ctx, ctx.db, issuing.id, cert);
  const provider = await getProvider(ctx, cert.provider);
  if (!provider) throw new OrderError('validation-failed', `unknown service provider ${JSON.stringify(cert.provider)}`, [{ field: 'certificate.provider', message: 'no such provider (GET /api/providers)' }]);
  const now = ctx.now();
  const offered = regulationOffered(ctx, issuing.party, provider, cert.order, cert.categories, calendarDateIn(now.getTime(), issuing.timeZone), cert.emergency.emergency);
  if (!offered.offered) throw new OrderError('validation-failed', `Regulation (EU) 2023/1543 does not apply to this order: ${offered.reasons.join('; ')}`, offered.reasons.map((r) => ({ field: 'certificate.provider', message: r })));
  const enforcing = await ctx.db.selectFrom('authorities').select('id').where('kind', '=', 'eu-enforcing-authority').where('party', '=', provider.representative.state).orderBy('id').executeTakeFirst();
  let precededBy: string | null = null;
  if (parsed.data.precededBy !== undefined) {
    const earlier = await readOrder(ctx.db, parsed.data.precededBy);
    if (!earlier || earlier.issuing_authority_id !== issuing.id || earlier.kind !== 'EPOC-PR') throw new OrderError('validation-failed', 'precededBy must be an EPOC-PR of your authority', [{ field: 'precededBy', message: 'no such preservation order' }]);
    if (cert.order !== 'EPOC') throw new OrderError('validation-failed', 'only an EPOC follows an EPOC-PR', [{ field: 'certificate.order', message: 'must be EPOC' }]);
    precededBy = earlier.id;
    cert.precededBy = earlier.reference;
  }
  const notification = notificationFor(orderRules(), { kind: cert.order, categories: cert.categories, emergency: cert.emergency.emergency, ...cert.residenceTest });
  const id = ctx.newId();
  const at = now.toISOString();
  const row: Selectable<EordersTable> = {
    id,
    reference: reference(issuing.party, now, id, cert.order),
    kind: cert.order,
    state: 'draft',
    emergency: cert.emergency.emergency ? 1 : 0,
    issuing_authority_id: issuing.id,
    addressee_id: provider.representative.authorityId,
    provider_id: provider.id,
    enforcing_authority_id: enforcing?.id ?? null,
    enforcing_status: notification.required ? 'to-notify' : 'not-notified',
    validation_status: 'pending',
    certificate: JSON.stringify(cert),
    validation: null,
    preceded_by: precededBy,
    created_by: actor.id,
    version: 1,
    created_at: at,
    updated_at: at,
    sent_at: null,
    delivered_at: null,
    enforcing_delivered_at: null,
    closed_at: null,
  };
  if (notification.required && enforcing === undefined) {
    throw new OrderError('validation-failed', `the enforcing authority of ${provider.representative.state} must be notified (Art. 8(1)) but none is registered`, [{ field: 'certificate.provider', message: 'register an eu-enforcing-authority for the representative’s State' }]);
  }
  await ctx.transaction(async (trx) => {
    await trx.insertInto('eorders').values(row).execute();
    await trx.insertInto('eorder_events').values(historyRow(ctx, row, 'create', null, 'draft', actor, 'issuing', at, null, null)).execute();
    await insertAuditRow(trx, auditRow({ id: ctx.newId(), actor: actor.id, action: 'eorder.create', objectType: 'eorder', objectId: id, at, before: null, after: row }));
  });
  return getOrder(ctx, actor, id);
}

export function historyRow(ctx: CaseContext, row: Selectable<EordersTable>, event: string, from: string | null, to: string, actor: Actor, party: OrderParty, at: string, reason: string | null, payload: unknown): Selectable<EorderEventsTable> {
  return { id: ctx.newId(), order_id: row.id, seq: row.version, event, from_state: from, to_state: to, actor: actor.id, party, at, reason, payload: payload === null || payload === undefined ? null : JSON.stringify(payload) };
}

/** The parties the caller's authority plays in the order (an authority may, on one node, play one only). */
export function partiesOf(row: Pick<Selectable<EordersTable>, 'issuing_authority_id' | 'addressee_id' | 'enforcing_authority_id' | 'enforcing_status' | 'delivered_at' | 'enforcing_delivered_at'>, authorityId: string | null): OrderParty[] {
  if (authorityId === null) return [];
  const parties: OrderParty[] = [];
  if (row.issuing_authority_id === authorityId) parties.push('issuing');
  if (row.addressee_id === authorityId && row.delivered_at !== null) parties.push('addressee');
  // The enforcing authority takes part once notified (Art. 8), or once asked to enforce (Art. 16).
  if (row.enforcing_authority_id === authorityId && (row.enforcing_delivered_at !== null)) parties.push('enforcing');
  return parties;
}

/** Facts the guard needs to decide tenant isolation: null when no such order. */
export async function orderFacts(db: Kysely<Database>, id: string) {
  return db.selectFrom('eorders').select(['issuing_authority_id', 'addressee_id', 'enforcing_authority_id', 'enforcing_status', 'delivered_at', 'enforcing_delivered_at', 'created_by']).where('id', '=', id).executeTakeFirst();
}

export async function startClock(ctx: CaseContext, trx: Kysely<Database>, row: Selectable<EordersTable>, clock: string, party: 'addressee' | 'enforcing' | 'issuing', authority: Authority, at: string, rule: { amount: number; unit: 'hours' | 'days'; text: string; citation: Citation }, dueAt?: string, replace = false): Promise<string> {
  const instrument = ctx.kb.instruments.get('EU-2023-1543');
  const due = dueAt === undefined ? dueInstant(at, { amount: rule.amount, unit: rule.unit }, { timeZone: authority.timeZone, dayRule: instrument?.dayPeriodRule.rule ?? 'end-of-last-day' }) : { epochMilliseconds: Date.parse(dueAt) };
  const value: Selectable<EorderClocksTable> = {
    id: ctx.newId(),
    order_id: row.id,
    clock,
    party,
    authority_id: authority.id,
    text: rule.text,
    amount: rule.amount,
    unit: rule.unit,
    started_at: at,
    due_at: new Date(due.epochMilliseconds).toISOString(),
    status: 'running',
    met_at: null,
    citation: JSON.stringify(rule.citation),
    verified: rule.citation.verified ? 1 : 0,
  };
  if (replace) await trx.updateTable('eorder_clocks').set({ started_at: value.started_at, due_at: value.due_at, text: value.text }).where('order_id', '=', row.id).where('clock', '=', clock).execute();
  else await trx.insertInto('eorder_clocks').values(value).onConflict((oc) => oc.columns(['order_id', 'clock']).doNothing()).execute();
  return value.due_at;
}

export async function clockOf(trx: Kysely<Database>, orderId: string, clock: string): Promise<Selectable<EorderClocksTable> | undefined> {
  return trx.selectFrom('eorder_clocks').selectAll().where('order_id', '=', orderId).where('clock', '=', clock).executeTakeFirst();
}

export async function meetClock(trx: Kysely<Database>, orderId: string, clock: string, at: string): Promise<void> {
  await trx.updateTable('eorder_clocks').set({ status: 'met', met_at: at }).where('order_id', '=', orderId).where('clock', '=', clock).where('status', '=', 'running').execute();
}

export function parseForm(event: OrderEvent, input: OrderEventInput): unknown {
  const form = formOf(event);
  if (form === undefined || form === 'validation') return undefined;
  const parsed = FORM_SCHEMAS[form].safeParse(input.form);
  if (!parsed.success) throw new OrderError('invalid-request', `${event} needs the ${form} form`, zodOrderIssues(parsed.error).map((i) => ({ ...i, field: `form.${i.field}` })));
  return parsed.data;
}

/**
 * Records an event on an order for the caller's party. The party is decided by the order (the
 * caller's authority must be that party of it); the roles by the policy table.
 */
export async function orderEvent(ctx: CaseContext, actor: Actor, id: string, eventName: string, rawInput: unknown = {}): Promise<PresentedOrder> {
  if (!isOrderEvent(eventName) || eventName === 'deliver' || eventName === 'expire') throw new OrderError('invalid-transition', `unknown order event ${JSON.stringify(eventName)}`);
  const event = eventName;
  const parsedInput = orderEventInputSchema.safeParse(rawInput ?? {});
  if (!parsedInput.success) throw new OrderError('invalid-request', 'invalid event', zodOrderIssues(parsedInput.error));
  const input = parsedInput.data;
  const form = parseForm(event, input);
  const checkParty = (row: Selectable<EordersTable>) => {
    const party = partyOf(event);
    if (actor.authorityId !== null && !partiesOf(row, actor.authorityId).includes(party)) {
      if (partiesOf(row, actor.authorityId).length === 0) throw new OrderError('not-found', `no order ${id}`);
      throw new OrderError('forbidden', `${event} is for the ${party} authority of the order`);
    }
  };
  // Orders between nodes: the event travels to the parties hosted on peers, sealed before the
  // transaction (with the row as read) and queued in the transaction of the change.
  let outbound: PreparedOutbound | null = null;
  let seen: Selectable<EordersTable> | undefined;
  if (ctx.orderFederation !== undefined && event !== 'approve') {
    seen = await readOrder(ctx.db, id);
    if (!seen) throw new OrderError('not-found', `no order ${id}`);
    checkParty(seen);
    const { expectedVersion: _v, ...carried } = input;
    outbound = await ctx.orderFederation.prepare(seen, actor, event, { ...carried, ...(form === undefined ? {} : { form }) });
  }
  await ctx.transaction(async (trx) => {
    const row = await readOrder(trx, id);
    if (!row) throw new OrderError('not-found', `no order ${id}`);
    checkParty(row);
    if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) throw new OrderError('conflict', `the order changed (version ${row.version}, you saw ${input.expectedVersion}): reload it`);
    if (outbound !== null && seen !== undefined && seen.version !== row.version) throw new OrderError('conflict', 'the order changed meanwhile: reload it');
    await applyEvent(ctx, trx, row, actor, event, input, form, undefined, false, outbound?.messages);
    if (outbound !== null) await outbound.enqueue(trx);
  });
  outbound?.committed();
  return getOrder(ctx, actor, id);
}

export const SYSTEM_ACTOR: Actor = { id: 'system', authorityId: null };

/**
 * `peer`: the event comes from the node of the party that recorded it, whose own state machine
 * already applied the time rules (Art. 8(4), 12(1), 16(1)) on its record: this node records it
 * at the time its receipt gives, without deciding them again on clocks counted from its own receipts.
 * `sent`: the messages that carry the event to the parties on peer nodes (their receipts are matched later).
 */
export async function applyEvent(ctx: CaseContext, trx: Transaction<Database>, row: Selectable<EordersTable>, actor: Actor, event: OrderEvent, input: OrderEventInput, form: unknown, atGiven?: string, peer = false, sent: readonly { id: string; to: string }[] = []): Promise<Selectable<EordersTable>> {
  const kind = row.kind as OrderKind;
  const rules = orderRules();
  let to: OrderState;
  try {
    to = nextOrderState(kind, row.state as OrderState, event, input.reason);
  } catch (error) {
    if (error instanceof OrderTransitionError) throw new OrderError(error.code, error.message);
    throw error;
  }
  const at = atGiven ?? ctx.now().toISOString();
  const cert = JSON.parse(row.certificate) as OrderCertificate;
  const changes: Partial<Selectable<EordersTable>> = {};
  let payload: unknown = form ?? null;
  const later: (() => Promise<unknown>)[] = [];
  switch (event) {
    case 'approve': {
      await assertIssuerKind(ctx, trx, row.issuing_authority_id, cert);
      const check = issuingCheck(ctx.kb.issuing, cert);
      if (!check.mayIssue) throw new OrderError('order-issuer-not-competent', `Art. 4: ${check.reasons.join('; ')}`, check.reasons.map((r) => ({ field: 'certificate.issuer.kind', message: r })));
      if (check.validation === 'prior') {
        if (input.validation === undefined) throw new OrderError('order-issuer-not-competent', `Art. 4: the order must be validated by a ${check.validators.join(', ')} before it is sent`, [{ field: 'validation', message: `a validation by ${check.validators.join(', ')}` }]);
        if (!check.validators.includes(input.validation.kind)) throw new OrderError('order-issuer-not-competent', `Art. 4: a ${input.validation.kind} may not validate this order: only ${check.validators.join(', ')}`, [{ field: 'validation.kind', message: `one of ${check.validators.join(', ')}` }]);
        const record: ValidationRecord = { ...input.validation, at };
        changes.validation = JSON.stringify(record);
        changes.validation_status = 'validated';
        payload = { validation: record, issuing: check };
      } else if (check.validation === 'ex-post') {
        changes.validation_status = 'ex-post-pending';
        payload = { issuing: check };
        const hours = check.validateWithinHours ?? ctx.kb.issuing.emergency.validateWithinHours;
        const issuing = await authorityOrFail(ctx, trx, row.issuing_authority_id, 'issuingAuthority');
        later.push(() => startClock(ctx, trx, row, 'validation', 'issuing', issuing, at, { amount: hours, unit: 'hours', text: `Art. 4(5): issued without prior validation in an emergency; validation by ${check.validators.join(', ')} is sought within ${hours} hours. ${ctx.kb.issuing.emergency.ifRefused}`, citation: ctx.kb.issuing.emergency.citation }));
      } else {
        changes.validation_status = 'not-needed';
        payload = { issuing: check };
      }
      break;
    }
    case 'validate': {
      if (row.validation_status !== 'ex-post-pending') throw new OrderError('invalid-transition', 'no validation is awaited for this order (Art. 4(5) applies to emergencies issued without prior validation)');
      if (input.validation === undefined) throw new OrderError('invalid-request', 'validate needs the validation record', [{ field: 'validation', message: 'kind, name, reference' }]);
      const check = issuingCheck(ctx.kb.issuing, cert);
      if (!check.validators.includes(input.validation.kind)) throw new OrderError('order-issuer-not-competent', `Art. 4(5): only ${check.validators.join(', ')} may validate this order`, [{ field: 'validation.kind', message: `one of ${check.validators.join(', ')}` }]);
      const record: ValidationRecord = { ...input.validation, at };
      changes.validation = JSON.stringify(record);
      changes.validation_status = 'validated';
      payload = { validation: record };
      later.push(() => meetClock(trx, row.id, 'validation', at));
      break;
    }
    case 'refuse-validation': {
      if (row.validation_status !== 'ex-post-pending') throw new OrderError('invalid-transition', 'no validation is awaited for this order');
      changes.validation_status = 'refused';
      break;
    }
    case 'send': {
      if (row.validation_status === 'pending') throw new OrderError('invalid-transition', 'the order is not approved');
      const issuing = await authorityOrFail(ctx, trx, row.issuing_authority_id, 'issuingAuthority');
      const provider = await getProvider(ctx, row.provider_id, trx);
      if (!provider) throw new OrderError('validation-failed', 'the service provider was removed');
      const offered = regulationOffered(ctx, issuing.party, provider, kind, cert.categories, calendarDateIn(Date.parse(at), issuing.timeZone), cert.emergency.emergency);
      if (!offered.offered) throw new OrderError('validation-failed', `Regulation (EU) 2023/1543 does not apply on the day of sending: ${offered.reasons.join('; ')}`);
      changes.sent_at = at;
      break;
    }
    case 'produce': {
      // Art. 8(4), 10(2): a notified, non-emergency EPOC is transmitted at the end of the 10 days
      // unless the enforcing authority confirmed earlier that it raises no ground.
      if (!peer && row.enforcing_status === 'notified' && row.emergency === 0) {
        const review = await clockOf(trx, row.id, 'enforcing-review');
        if (review && Date.parse(at) < Date.parse(review.due_at)) {
          throw new OrderError('order-suspended', `the enforcing authority was notified (Art. 8(4)): transmit at the end of its period, ${review.due_at}, unless it confirms earlier that it raises no ground (Art. 10(2))`, [{ field: 'event', message: `not before ${review.due_at}` }]);
        }
      }
      later.push(() => meetClock(trx, row.id, 'production', at));
      break;
    }
    case 'preserve': {
      const addressee = await authorityOrFail(ctx, trx, row.addressee_id, 'addressee');
      const rule = clockRule(rules, 'preservation', 'EPOC-PR', row.emergency === 1);
      if (rule) later.push(() => startClock(ctx, trx, row, 'preservation', 'addressee', addressee, at, rule));
      break;
    }
    case 'extend': {
      const clock = await clockOf(trx, row.id, 'preservation');
      if (!clock || clock.status !== 'running') throw new OrderError('invalid-transition', 'no preservation period runs');
      if (clock.amount > (clockRule(rules, 'preservation', 'EPOC-PR', row.emergency === 1)?.amount ?? 60)) throw new OrderError('invalid-transition', 'the preservation was already extended once (Annex VI allows one additional 30-day period)');
      if (Date.parse(at) >= Date.parse(clock.due_at)) throw new OrderError('invalid-transition', 'the extension must be made within the 60 days (Art. 11(1))');
      const addressee = await authorityOrFail(ctx, trx, row.addressee_id, 'addressee');
      const instrument = ctx.kb.instruments.get('EU-2023-1543');
      const due = dueInstant(clock.due_at, { amount: rules.extension.amount, unit: 'days' }, { timeZone: addressee.timeZone, dayRule: instrument?.dayPeriodRule.rule ?? 'end-of-last-day' });
      later.push(async () => {
        await trx.updateTable('eorder_clocks').set({ due_at: new Date(due.epochMilliseconds).toISOString(), amount: clock.amount + rules.extension.amount, text: `${clock.text} Extended by ${rules.extension.amount} days (Annex VI).` }).where('id', '=', clock.id).execute();
      });
      break;
    }
    case 'confirm-production':
      later.push(() => meetClock(trx, row.id, 'preservation', at));
      break;
    case 'report-impossibility':
    case 'object':
      // The addressee answered within its period: the clock is met by the answer (the issuing authority decides what follows).
      later.push(() => meetClock(trx, row.id, 'production', at));
      break;
    case 'confirm-no-ground': {
      if (row.enforcing_status !== 'notified') throw new OrderError('invalid-transition', `the enforcing authority's decision is already recorded (${row.enforcing_status})`);
      changes.enforcing_status = 'no-ground';
      later.push(() => meetClock(trx, row.id, 'enforcing-review', at));
      break;
    }
    case 'raise-ground': {
      if (row.enforcing_status !== 'notified') throw new OrderError('invalid-transition', `the enforcing authority's decision is already recorded (${row.enforcing_status})`);
      const review = await clockOf(trx, row.id, 'enforcing-review');
      if (!peer && review && Date.parse(at) > Date.parse(review.due_at)) throw new OrderError('invalid-transition', `the enforcing authority's period ended at ${review.due_at} (Art. 12(1))`);
      changes.enforcing_status = 'ground-raised';
      later.push(() => meetClock(trx, row.id, 'enforcing-review', at));
      break;
    }
    case 'start-enforcement': {
      if (row.enforcing_authority_id === null) throw new OrderError('validation-failed', 'no enforcing authority is registered for the representative’s State (Art. 16)');
      if (row.enforcing_status === 'ground-raised') throw new OrderError('invalid-transition', 'a ground for refusal was raised (Art. 16(1) requires that none was)');
      if (!peer && kind === 'EPOC' && ['delivered', 'acknowledged', 'clarification-requested'].includes(row.state)) {
        const production = await clockOf(trx, row.id, 'production');
        if (production && Date.parse(at) <= Date.parse(production.due_at)) throw new OrderError('invalid-transition', `the addressee's period runs until ${production.due_at}: enforcement is for an order not complied with within the deadline (Art. 16(1))`);
      }
      // The enforcing authority takes part from the moment the enforcement reaches it: at once on
      // this node (or, on a receiving node, at this node's receipt); on a peer node, at the
      // `receivedAt` of that node's signed receipt (recordEnforcementReceipt), never at this click.
      const remoteEnforcing = !peer && ctx.orderFederation !== undefined && (await ctx.orderFederation.isRemote(row.enforcing_authority_id));
      if (row.enforcing_delivered_at === null && !remoteEnforcing) changes.enforcing_delivered_at = at;
      // Art. 16(1): the Annex III form as completed by the addressee (on an enforcing node that
      // never held the order, as the issuing node transferred it).
      const transferredWith = (await lastForm(trx, row.id, 'transferred')) as { annexIII?: unknown } | null;
      payload = { annexIII: (await lastForm(trx, row.id, 'report-impossibility')) ?? transferredWith?.annexIII ?? null, transferred: true, ...(sent.length > 0 ? { messages: sent } : {}) };
      break;
    }
    case 'withdraw':
    case 'close':
      changes.closed_at = at;
      break;
    default:
      break;
  }
  const after: Selectable<EordersTable> = { ...row, ...changes, state: to, version: row.version + 1, updated_at: at };
  if (TERMINAL_ORDER_STATES.has(to)) after.closed_at = after.closed_at ?? at;
  await writeChange(ctx, trx, row, after, event, partyOf(event), actor, at, input.reason ?? null, payload);
  for (const step of later) await step();
  if (TERMINAL_ORDER_STATES.has(to)) await trx.updateTable('eorder_clocks').set({ status: 'cancelled' }).where('order_id', '=', row.id).where('status', '=', 'running').execute();
  if (event === 'send') {
    // Between authorities of this node, the loopback delivery: at once. A party on a peer node
    // receives the order when its node's receipt says so (recordOrderReceipt).
    const fed = ctx.orderFederation;
    const remoteAddressee = fed !== undefined && (await fed.isRemote(after.addressee_id));
    const notify = after.enforcing_status === 'to-notify' && after.enforcing_authority_id !== null;
    const remoteEnforcing = notify && fed !== undefined && (await fed.isRemote(after.enforcing_authority_id as string));
    const now = ctx.now().toISOString();
    return deliverParts(ctx, trx, after, { ...(remoteAddressee ? {} : { addressee: now }), ...(notify && !remoteEnforcing ? { enforcing: now } : {}) }, { via: 'loopback' });
  }
  return after;
}

export async function lastForm(trx: Kysely<Database>, orderId: string, event: string): Promise<unknown> {
  const ev = await trx.selectFrom('eorder_events').select('payload').where('order_id', '=', orderId).where('event', '=', event).orderBy('seq', 'desc').executeTakeFirst();
  return ev?.payload ? JSON.parse(ev.payload) : null;
}

export async function writeChange(ctx: CaseContext, trx: Kysely<Database>, before: Selectable<EordersTable>, after: Selectable<EordersTable>, event: string, party: OrderParty, actor: Actor, at: string, reason: string | null, payload: unknown): Promise<void> {
  const { id: _id, ...set } = after;
  const updated = await trx.updateTable('eorders').set(set).where('id', '=', before.id).where('version', '=', before.version).executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new OrderError('conflict', 'the order changed meanwhile: reload it');
  await trx.insertInto('eorder_events').values(historyRow(ctx, after, event, before.state, after.state, actor, party, at, reason, payload)).execute();
  await insertAuditRow(trx, auditRow({ id: ctx.newId(), actor: actor.id, action: `eorder.${event}`, objectType: 'eorder', objectId: before.id, at, before, after, details: { from: before.state, to: after.state } }));
}

/**
 * Delivery into the addressee's (and, where Art. 8 requires, the enforcing authority's) system:
 * the clocks start at that instant. On one node it is the loopback, in the transaction that sends;
 * between nodes it is the `receivedAt` of the receiving node's signed receipt — on the issuing
 * node when the receipt comes back, on the receiving node when it issues it.
 *
 * Art. 8(1): the enforcing authority is notified at the same time as the addressee. A node that
 * knows only the addressee's delivery (the provider's node) counts the enforcing authority's
 * period from it; the issuing node corrects it when the enforcing node's own receipt arrives.
 */
export async function deliverParts(ctx: CaseContext, trx: Transaction<Database>, row: Selectable<EordersTable>, parts: { addressee?: string; enforcing?: string }, via: Record<string, unknown>): Promise<Selectable<EordersTable>> {
  const rules = orderRules();
  const emergency = row.emergency === 1;
  const notifiable = row.enforcing_authority_id !== null && (row.enforcing_status === 'to-notify' || row.enforcing_status === 'notified');
  const toEnforcing = parts.enforcing !== undefined && notifiable && row.enforcing_delivered_at === null;
  const toAddressee = parts.addressee !== undefined && row.state === 'sent';
  if (!toEnforcing && !toAddressee) return row;
  const at = (toAddressee ? parts.addressee : parts.enforcing) as string;
  const after: Selectable<EordersTable> = {
    ...row,
    ...(toAddressee ? { state: 'delivered', delivered_at: at } : {}),
    ...(toEnforcing ? { enforcing_delivered_at: parts.enforcing as string } : {}),
    enforcing_status: notifiable ? 'notified' : row.enforcing_status,
    version: row.version + 1,
    updated_at: at,
  };
  const payload = {
    ...via,
    deliveredAt: at,
    to: [...(toAddressee ? ['addressee'] : []), ...(toEnforcing ? ['enforcing'] : [])],
    notified: notifiable,
    ...(toEnforcing ? { enforcingDeliveredAt: parts.enforcing } : {}),
    certificateSha256: createHash('sha256').update(row.certificate).digest('hex'),
  };
  await writeChange(ctx, trx, row, after, 'deliver', 'system', SYSTEM_ACTOR, at, null, payload);
  if (row.kind !== 'EPOC') return after;
  const review = clockRule(rules, 'enforcing-review', 'EPOC', emergency);
  const production = clockRule(rules, 'production', 'EPOC', emergency);
  const w = rules.notification.transmissionWindow;
  const productionRule = production && !emergency ? { ...production, text: `${production.text} ${w.text}`, citation: w.citation } : production;
  if (toEnforcing && review) {
    const enforcing = await authorityOrFail(ctx, trx, row.enforcing_authority_id as string, 'enforcing');
    const existing = await clockOf(trx, row.id, 'enforcing-review');
    if (existing === undefined) await startClock(ctx, trx, after, 'enforcing-review', 'enforcing', enforcing, parts.enforcing as string, review);
    else if (existing.started_at !== parts.enforcing && existing.status === 'running') {
      // The enforcing node's own receipt replaces the count from the addressee's delivery.
      const due = await startClock(ctx, trx, after, 'enforcing-review', 'enforcing', enforcing, parts.enforcing as string, review, undefined, true);
      const prod = await clockOf(trx, row.id, 'production');
      if (prod && prod.status === 'running' && !emergency) await trx.updateTable('eorder_clocks').set({ due_at: new Date(Date.parse(due) + w.hours * 3_600_000).toISOString() }).where('id', '=', prod.id).execute();
    }
  }
  if (toAddressee && production) {
    const addressee = await authorityOrFail(ctx, trx, row.addressee_id, 'addressee');
    let reviewDue: string | undefined;
    if (notifiable && review) {
      const existing = await clockOf(trx, row.id, 'enforcing-review');
      if (existing) reviewDue = existing.due_at;
      else {
        const enforcing = await authorityOrFail(ctx, trx, row.enforcing_authority_id as string, 'enforcing');
        reviewDue = await startClock(ctx, trx, after, 'enforcing-review', 'enforcing', enforcing, at, { ...review, text: `${review.text} Counted here from the addressee's delivery (Art. 8(1): notified at the same time).` });
      }
    }
    // Art. 10(2): transmit at the end of the enforcing authority's period (suspensive effect, Art. 8(4)).
    if (reviewDue !== undefined && !emergency && productionRule) await startClock(ctx, trx, after, 'production', 'addressee', addressee, at, productionRule, new Date(Date.parse(reviewDue) + w.hours * 3_600_000).toISOString());
    else await startClock(ctx, trx, after, 'production', 'addressee', addressee, at, production);
  }
  return after;
}

/**
 * The system's part: an EPOC-PR whose preservation period ended without confirmation (Annex V)
 * expires (Art. 11(1)); clocks past due are marked overdue. Run before reading orders.
 */
export async function sweepOrders(ctx: CaseContext): Promise<number> {
  const now = ctx.now().toISOString();
  const due = await ctx.db.selectFrom('eorder_clocks').select(['id', 'order_id', 'clock']).where('status', '=', 'running').where('due_at', '<', now).execute();
  let changed = 0;
  for (const clock of due) {
    await ctx.transaction(async (trx) => {
      const row = await readOrder(trx, clock.order_id);
      if (!row) return;
      if (clock.clock === 'preservation' && row.state === 'preserved') {
        const after: Selectable<EordersTable> = { ...row, state: 'expired', closed_at: now, version: row.version + 1, updated_at: now };
        await writeChange(ctx, trx, row, after, 'expire', 'system', { id: 'system', authorityId: null }, now, 'the preservation period ended without a confirmation of a subsequent request for production (Art. 11(1))', null);
        await trx.updateTable('eorder_clocks').set({ status: 'expired', met_at: now }).where('id', '=', clock.id).execute();
      } else {
        await trx.updateTable('eorder_clocks').set({ status: 'overdue' }).where('id', '=', clock.id).where('status', '=', 'running').execute();
      }
      changed += 1;
    });
  }
  return changed;
}