/**
 * @module eorders/workflow
 * The life of a European Production Order (EPOC) or European Preservation Order (EPOC-PR) under
 * Regulation (EU) 2023/1543, as a pure transition table — not the mutual-assistance workflow of
 * `cases/workflow`: no "receive" click (delivery is the system's), no postponement, no refusal by
 * the addressee. Three parties act: the issuing authority, the addressee (the provider's
 * designated establishment or legal representative) and, where notified, the enforcing authority.
 *
 * Issuing: draft → approve (Art. 4 checked) → issued → send → sent → [system] deliver → delivered.
 * Addressee: acknowledge; request-clarification ⇄ answer-clarification; produce (EPOC) or
 * preserve (EPOC-PR) → extend (Annex VI) / confirm-production (Annex V); report-impossibility
 * (Annex III); object (Art. 17). Enforcing: confirm-no-ground (Art. 10(2)) or raise-ground
 * (Art. 12) → refused. Issuing: start-enforcement (Art. 16), withdraw, close; the system lets an
 * unconfirmed preservation expire after its period (Art. 11(1)).
 */

export const ORDER_STATES = [
  'draft',
  'issued',
  'sent',
  'delivered',
  'acknowledged',
  'clarification-requested',
  'produced',
  'preserved',
  'production-confirmed',
  'impossible',
  'objected',
  'refused',
  'enforcement',
  'expired',
  'withdrawn',
  'closed',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export type OrderParty = 'issuing' | 'addressee' | 'enforcing' | 'system';
export type OrderKind = 'EPOC' | 'EPOC-PR';

export const TERMINAL_ORDER_STATES: ReadonlySet<OrderState> = new Set(['withdrawn', 'closed', 'expired']);

interface OrderTransition {
  from: readonly OrderState[];
  /** null: the state does not change (a fact recorded on the order). */
  to: OrderState | null;
  party: OrderParty;
  /** Only for this kind of order. */
  only?: OrderKind;
  reasonRequired: boolean;
  /** The structured form the event carries (see certificates.ts). */
  form?: 'validation' | 'annex-iii' | 'annex-v' | 'annex-vi' | 'objection' | 'production' | 'ground';
}

const RECEIVED: readonly OrderState[] = ['delivered', 'acknowledged', 'clarification-requested'];
const OPEN: readonly OrderState[] = ORDER_STATES.filter((s) => !TERMINAL_ORDER_STATES.has(s));
const AFTER_SENDING: readonly OrderState[] = OPEN.filter((s) => s !== 'draft' && s !== 'issued');

export const ORDER_TRANSITIONS = {
  approve: { from: ['draft'], to: 'issued', party: 'issuing', reasonRequired: false },
  send: { from: ['issued'], to: 'sent', party: 'issuing', reasonRequired: false },
  deliver: { from: ['sent'], to: 'delivered', party: 'system', reasonRequired: false },
  validate: { from: AFTER_SENDING, to: null, party: 'issuing', reasonRequired: false, form: 'validation' },
  'refuse-validation': { from: AFTER_SENDING, to: 'withdrawn', party: 'issuing', reasonRequired: true },
  acknowledge: { from: ['delivered'], to: 'acknowledged', party: 'addressee', reasonRequired: false },
  'request-clarification': { from: ['delivered', 'acknowledged'], to: 'clarification-requested', party: 'addressee', reasonRequired: true },
  'answer-clarification': { from: ['clarification-requested'], to: 'acknowledged', party: 'issuing', reasonRequired: true },
  produce: { from: ['delivered', 'acknowledged'], to: 'produced', party: 'addressee', only: 'EPOC', reasonRequired: false, form: 'production' },
  preserve: { from: ['delivered', 'acknowledged'], to: 'preserved', party: 'addressee', only: 'EPOC-PR', reasonRequired: false },
  extend: { from: ['preserved'], to: null, party: 'issuing', only: 'EPOC-PR', reasonRequired: false, form: 'annex-vi' },
  'confirm-production': { from: ['preserved'], to: 'production-confirmed', party: 'issuing', only: 'EPOC-PR', reasonRequired: false, form: 'annex-v' },
  'report-impossibility': { from: [...RECEIVED, 'preserved'], to: 'impossible', party: 'addressee', reasonRequired: false, form: 'annex-iii' },
  object: { from: RECEIVED, to: 'objected', party: 'addressee', only: 'EPOC', reasonRequired: false, form: 'objection' },
  'confirm-no-ground': { from: [...RECEIVED, 'impossible', 'objected'], to: null, party: 'enforcing', only: 'EPOC', reasonRequired: false },
  'raise-ground': { from: [...RECEIVED, 'produced', 'impossible', 'objected'], to: 'refused', party: 'enforcing', only: 'EPOC', reasonRequired: false, form: 'ground' },
  'start-enforcement': { from: [...RECEIVED, 'impossible', 'objected', 'preserved'], to: 'enforcement', party: 'issuing', reasonRequired: true },
  expire: { from: ['preserved'], to: 'expired', party: 'system', only: 'EPOC-PR', reasonRequired: false },
  withdraw: { from: OPEN, to: 'withdrawn', party: 'issuing', reasonRequired: true },
  close: { from: ['produced', 'production-confirmed', 'impossible', 'objected', 'refused', 'enforcement'], to: 'closed', party: 'issuing', reasonRequired: false },
} as const satisfies Record<string, OrderTransition>;

export type OrderEvent = keyof typeof ORDER_TRANSITIONS;
export const ORDER_EVENTS = Object.keys(ORDER_TRANSITIONS) as OrderEvent[];

export function isOrderEvent(value: string): value is OrderEvent {
  return Object.hasOwn(ORDER_TRANSITIONS, value);
}

export class OrderTransitionError extends Error {
  constructor(
    readonly code: 'invalid-transition' | 'reason-required',
    message: string,
  ) {
    super(message);
    this.name = 'OrderTransitionError';
  }
}

function transition(event: OrderEvent): OrderTransition {
  return ORDER_TRANSITIONS[event] as OrderTransition;
}

/** Events allowed in a state for this kind of order (whoever acts). */
export function allowedOrderEvents(kind: OrderKind, state: OrderState): OrderEvent[] {
  return ORDER_EVENTS.filter((e) => {
    const t = transition(e);
    return t.from.includes(state) && (t.only === undefined || t.only === kind);
  });
}

/** The party that records an event. */
export function partyOf(event: OrderEvent): OrderParty {
  return transition(event).party;
}

export function formOf(event: OrderEvent): OrderTransition['form'] {
  return transition(event).form;
}

/** The state after `event`, or an {@link OrderTransitionError}; pure. */
export function nextOrderState(kind: OrderKind, state: OrderState, event: OrderEvent, reason?: string): OrderState {
  const t = transition(event);
  if (t.only !== undefined && t.only !== kind) throw new OrderTransitionError('invalid-transition', `${event} is for an ${t.only}, not an ${kind}`);
  if (!t.from.includes(state)) {
    const allowed = allowedOrderEvents(kind, state);
    throw new OrderTransitionError('invalid-transition', `cannot ${event} an order that is ${state}: allowed ${allowed.length ? allowed.join(', ') : 'nothing (the order is closed)'}`);
  }
  if (t.reasonRequired && (reason === undefined || reason.trim().length < 3)) throw new OrderTransitionError('reason-required', `${event} needs written reasons`);
  return t.to ?? state;
}
