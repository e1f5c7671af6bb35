/**
 * @module eorders/view
 * Reading orders: one order as its parties see it (parties and their nodes, clocks, allowed
 * actions, history) and the list of orders an account's authority takes part in.
 */
import type { Selectable } from 'kysely';
import type { EorderClocksTable, EordersTable } from '../db/index.js';
import type { Actor, CaseContext } from '../cases/context.js';
import { findAuthority, type Authority } from '../cases/authorities.js';
import type { Citation } from '../law/index.js';
import type { OrderCertificate, ValidationRecord } from './certificates.js';
import { getProvider, providerRows, type PartyNode, type ServiceProvider } from './providers.js';
import { issuingCheck, partiesOf, readOrder } from './service.js';
import { OrderError } from './errors.js';
import { notificationFor, orderRules, type NotificationAnswer } from './rules.js';
import { allowedOrderEvents, partyOf, type OrderEvent, type OrderKind, type OrderParty, type OrderState } from './workflow.js';

// ---------------------------------------------------------------------------------------------
// Reading

export interface PresentedClock {
  clock: string;
  party: string;
  authorityId: string;
  text: string;
  amount: number;
  unit: string;
  startedAt: string;
  dueAt: string;
  status: string;
  metAt: string | null;
  citation: Citation;
  verified: boolean;
}

export interface PresentedOrder {
  id: string;
  reference: string;
  kind: OrderKind;
  state: OrderState;
  emergency: boolean;
  version: number;
  issuingAuthority: { id: string; name: string; party: string; node: PartyNode };
  addressee: { id: string; name: string; party: string; node: PartyNode };
  provider: ServiceProvider | null;
  enforcing: { id: string; name: string; party: string; node: PartyNode; status: string; notifiedAt: string | null } | null;
  notification: NotificationAnswer;
  issuing: ReturnType<typeof issuingCheck>;
  validationStatus: string;
  validation: ValidationRecord | null;
  certificate: OrderCertificate;
  precededBy: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  /** Where the addressee may transmit from (Art. 10(2)); null when nothing holds it back. */
  transmitNotBefore: string | null;
  /** The parties the caller plays, and the events each may record now. */
  yourParties: OrderParty[];
  actions: OrderEvent[];
  events: { seq: number; event: string; from: string | null; to: string; party: string; actor: string; at: string; reason: string | null; payload: unknown }[];
  clocks: PresentedClock[];
}

function presentClock(c: Selectable<EorderClocksTable>): PresentedClock {
  return { clock: c.clock, party: c.party, authorityId: c.authority_id, text: c.text, amount: c.amount, unit: c.unit, startedAt: c.started_at, dueAt: c.due_at, status: c.status, metAt: c.met_at, citation: JSON.parse(c.citation) as Citation, verified: c.verified === 1 };
}

export async function getOrder(ctx: CaseContext, actor: Actor, id: string): Promise<PresentedOrder> {
  const row = await readOrder(ctx.db, id);
  if (!row) throw new OrderError('not-found', `no order ${id}`);
  const parties = partiesOf(row, actor.authorityId);
  if (actor.authorityId !== null && parties.length === 0) throw new OrderError('not-found', `no order ${id}`);
  const events = await ctx.db.selectFrom('eorder_events').selectAll().where('order_id', '=', id).orderBy('seq').execute();
  const clocks = await ctx.db.selectFrom('eorder_clocks').selectAll().where('order_id', '=', id).orderBy('started_at').orderBy('clock').execute();
  const cert = JSON.parse(row.certificate) as OrderCertificate;
  const authorities = new Map<string, Authority>();
  for (const aid of [row.issuing_authority_id, row.addressee_id, row.enforcing_authority_id]) {
    if (aid !== null && !authorities.has(aid)) {
      const a = await findAuthority(ctx, ctx.db, aid);
      if (a) authorities.set(aid, a);
    }
  }
  // Which node each party is on (the trust list); null on a server that is not a federation node.
  const fed = ctx.orderFederation;
  const nodes = new Map<string, PartyNode>();
  for (const aid of [row.issuing_authority_id, row.addressee_id, row.enforcing_authority_id]) if (aid !== null && !nodes.has(aid)) nodes.set(aid, fed === undefined ? null : await fed.nodeOf(aid));
  const brief = (aid: string) => {
    const a = authorities.get(aid);
    return { id: aid, name: a?.name ?? aid, party: a?.party ?? '', node: nodes.get(aid) ?? null };
  };
  const review = clocks.find((c) => c.clock === 'enforcing-review');
  const transmitNotBefore = row.kind === 'EPOC' && row.enforcing_status === 'notified' && row.emergency === 0 && review ? review.due_at : null;
  const kind = row.kind as OrderKind;
  const actions = allowedOrderEvents(kind, row.state as OrderState).filter((e) => e !== 'deliver' && e !== 'expire' && (actor.authorityId === null ? false : parties.includes(partyOf(e))))
    .filter((e) => (e === 'validate' || e === 'refuse-validation' ? row.validation_status === 'ex-post-pending' : true))
    .filter((e) => (e === 'confirm-no-ground' || e === 'raise-ground' ? row.enforcing_status === 'notified' : true))
    .filter((e) => (e === 'start-enforcement' ? mayEnforce(row, clocks, ctx.now()) : true));
  // The enforcing authority sees only what Art. 8 gives it: the certificate, its status, its clock.
  const enforcingOnly = parties.length === 1 && parties[0] === 'enforcing';
  return {
    id: row.id,
    reference: row.reference,
    kind,
    state: row.state as OrderState,
    emergency: row.emergency === 1,
    version: row.version,
    issuingAuthority: brief(row.issuing_authority_id),
    addressee: brief(row.addressee_id),
    provider: await getProvider(ctx, row.provider_id),
    enforcing: row.enforcing_authority_id === null ? null : { ...brief(row.enforcing_authority_id), status: row.enforcing_status, notifiedAt: row.enforcing_delivered_at },
    notification: notificationFor(orderRules(), { kind, categories: cert.categories, emergency: cert.emergency.emergency, ...cert.residenceTest }),
    issuing: issuingCheck(ctx.kb.issuing, cert),
    validationStatus: row.validation_status,
    validation: row.validation === null ? null : (JSON.parse(row.validation) as ValidationRecord),
    certificate: cert,
    precededBy: row.preceded_by,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    transmitNotBefore,
    yourParties: parties,
    actions,
    events: events
      .filter((e) => !enforcingOnly || e.event !== 'produce')
      .map((e) => ({ seq: e.seq, event: e.event, from: e.from_state, to: e.to_state, party: e.party, actor: e.actor, at: e.at, reason: e.reason, payload: e.payload === null ? null : (JSON.parse(e.payload) as unknown) })),
    clocks: clocks.map(presentClock),
  };
}

/** Art. 16(1): offered to the issuing authority when the addressee did not comply within the deadline, or gave reasons (Annex III, Art. 17) it may not accept. */
function mayEnforce(row: Selectable<EordersTable>, clocks: Selectable<EorderClocksTable>[], now: Date): boolean {
  if (row.enforcing_authority_id === null || row.enforcing_status === 'ground-raised') return false;
  if (row.kind !== 'EPOC' || !['delivered', 'acknowledged', 'clarification-requested'].includes(row.state)) return true;
  const production = clocks.find((c) => c.clock === 'production');
  return production === undefined || now.getTime() > Date.parse(production.due_at);
}

export interface OrderSummary {
  id: string;
  reference: string;
  kind: OrderKind;
  state: OrderState;
  emergency: boolean;
  provider: string;
  issuingAuthority: string;
  yourParties: OrderParty[];
  nextDue: string | null;
  updatedAt: string;
}

/** The orders the caller's authority takes part in (issuing, addressee once delivered, enforcing once notified). */
export async function listOrders(ctx: CaseContext, actor: Actor): Promise<OrderSummary[]> {
  if (actor.authorityId === null) return [];
  const own = actor.authorityId;
  const rows = await ctx.db
    .selectFrom('eorders')
    .selectAll()
    .where((eb) => eb.or([eb('issuing_authority_id', '=', own), eb.and([eb('addressee_id', '=', own), eb('delivered_at', 'is not', null)]), eb.and([eb('enforcing_authority_id', '=', own), eb('enforcing_delivered_at', 'is not', null)])]))
    .orderBy('updated_at', 'desc')
    .limit(500)
    .execute();
  const clocks = rows.length === 0 ? [] : await ctx.db.selectFrom('eorder_clocks').select(['order_id', 'due_at']).where('status', '=', 'running').where('order_id', 'in', rows.map((r) => r.id)).execute();
  const providers = new Map((await providerRows(ctx.db)).map((p) => [p.id, p.name]));
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    kind: r.kind as OrderKind,
    state: r.state as OrderState,
    emergency: r.emergency === 1,
    provider: providers.get(r.provider_id) ?? r.provider_id,
    issuingAuthority: r.issuing_authority_id,
    yourParties: partiesOf(r, own),
    nextDue: clocks.filter((c) => c.order_id === r.id).map((c) => c.due_at).sort()[0] ?? null,
    updatedAt: r.updated_at,
  }));
}
