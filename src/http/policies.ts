/**
 * @module http/policies
 * Who may do what, in one file: a reviewer reads this table to know every authorisation decision
 * of the node — route, role, token scope, side of a case, case event, separation of duties, and
 * what the operating-system user of the CLI may do. The guard (`guard.ts`) and the CLI
 * (`cli/identity.ts`) apply it; no handler decides authorisation on its own. The app refuses to
 * start with a route that has no entry, and the authorisation matrix test
 * (test/http/authz-matrix.test.ts) and the policy table test (policies.test.ts) enumerate it.
 *
 * FORMAT — to add a route, append one line to POLICIES:
 *
 *   'METHOD /path/:param': { kind, …options },
 *
 *   kind 'public'          anyone, signed in or not. `cost: 'costly'` puts the route under the
 *                          lower per-client limit (COMITY_COSTLY_RATE_LIMIT) for expensive answers.
 *   kind 'operator-token'  only with `Authorization: Bearer <COMITY_METRICS_TOKEN>` (scrapers).
 *   kind 'pre-mfa'         the sign-in routes, usable before the second factor has passed.
 *   kind 'authenticated'   a signed-in user (session that passed its second factor) or API token:
 *     scope: ApiScope|null   the scope a token needs (`admin` tokens pass every scope but
 *                            `tokens`); null: any token.
 *     roles?: Role[]         the caller needs one of these roles (omitted: any role).
 *     platformAdmin?: true   only a user without authority (platform administrator).
 *     sessionOnly?: true     only a browser session (never a token).
 *     case?: CaseSide        the route names a case (`:id`): the caller's authority must be on
 *                            this side of it, 'either' (requesting, or addressee once sent);
 *                            a case on no side of the caller answers 404 like an unknown one.
 *   kind 'case-event'      `POST /api/cases/:id/events/:event`: rules per event in
 *                          CASE_EVENT_ROLES (side, roles, separation of duties).
 *
 * Tenant isolation is absolute on top of this table: lists, counts and clocks are filtered by the
 * caller's authority in the query.
 */
import type { ApiScope, Role } from '../auth/index.js';
import type { CaseEvent } from '../cases/index.js';
import type { OrderEvent } from '../eorders/workflow.js';

export type CaseSide = 'either' | 'requesting' | 'requested';

export type Policy =
  | { kind: 'public'; cost?: 'costly' }
  | { kind: 'operator-token' }
  | { kind: 'pre-mfa' }
  | { kind: 'authenticated'; scope: ApiScope | null; roles?: readonly Role[]; platformAdmin?: true; sessionOnly?: true; case?: CaseSide }
  | { kind: 'case-event' }
  | { kind: 'order-event' };

const CASE_WORKERS: readonly Role[] = ['drafter', 'reviewer', 'central-authority-officer', '24/7-officer', 'service-provider-agent', 'auditor'];
const DRAFTERS: readonly Role[] = ['drafter', 'central-authority-officer', '24/7-officer'];
const OFFICERS: readonly Role[] = ['central-authority-officer', '24/7-officer'];
const EXECUTORS: readonly Role[] = ['central-authority-officer', '24/7-officer', 'service-provider-agent'];

export const POLICIES: Readonly<Record<string, Policy>> = {
  'GET /healthz': { kind: 'public' },
  'GET /readyz': { kind: 'public' },
  // Metrics reveal traffic and error rates: scrapers present a token of their own (README "Limits").
  'GET /metrics': { kind: 'operator-token' },
  'GET /errors': { kind: 'public' },
  // Public law: the knowledge base is the law, open to anyone; answers are cached (routes/law-cache.ts).
  'GET /api/law/instruments': { kind: 'public' },
  'GET /api/law/instruments/:id/status': { kind: 'public' },
  'GET /api/law/parties': { kind: 'public' },
  'GET /api/law/parties/:party': { kind: 'public' },
  'GET /api/law/participation': { kind: 'public' },
  'GET /api/law/offences': { kind: 'public' },
  'GET /api/law/bases': { kind: 'public' },
  'GET /api/law/deadlines': { kind: 'public' },
  'GET /api/law/matrix': { kind: 'public', cost: 'costly' },
  'POST /api/auth/login': { kind: 'pre-mfa' },
  'POST /api/auth/logout': { kind: 'pre-mfa' },
  'POST /api/auth/totp': { kind: 'pre-mfa' },
  'POST /api/auth/totp/enrol': { kind: 'pre-mfa' },
  'POST /api/auth/totp/confirm': { kind: 'pre-mfa' },
  'GET /api/auth/me': { kind: 'pre-mfa' },
  'GET /api/auth/oidc/login': { kind: 'public' },
  'GET /api/auth/oidc/callback': { kind: 'public' },
  'GET /api/authorities': { kind: 'authenticated', scope: 'cases:read' },
  'POST /api/authorities': { kind: 'authenticated', roles: ['administrator'], scope: 'admin', platformAdmin: true },
  'GET /api/users': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'POST /api/users': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  // Account administration (src/http/routes/admin.ts): the account's authority's administrators, or the platform's.
  'PATCH /api/users/:id': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'POST /api/users/:id/disable': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'POST /api/users/:id/enable': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'POST /api/users/:id/password': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'POST /api/users/:id/second-factor/reset': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'GET /api/admin/tokens': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'DELETE /api/admin/tokens/:id': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  // Token management: a session that passed its second factor, or a token given the explicit
  // scope `tokens` (not implied by `admin`); a token never creates a token.
  'GET /api/tokens': { kind: 'authenticated', scope: 'tokens' },
  'POST /api/tokens': { kind: 'authenticated', scope: 'tokens', sessionOnly: true },
  'DELETE /api/tokens/:id': { kind: 'authenticated', scope: 'tokens' },
  'GET /api/cases': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'POST /api/cases': { kind: 'authenticated', roles: DRAFTERS, scope: 'cases:write' },
  'GET /api/cases/:id': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'GET /api/cases/:id/linked': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'requesting' },
  'GET /api/cases/:id/targets': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'PUT /api/cases/:id': { kind: 'authenticated', roles: DRAFTERS, scope: 'cases:write', case: 'requesting' },
  'GET /api/cases/:id/pdf': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'GET /api/cases/:id/audit': { kind: 'authenticated', roles: ['auditor', 'administrator'], scope: 'cases:read', case: 'either' },
  // Attachments of the response: uploaded by the requested side while the case is being executed.
  'POST /api/cases/:id/attachments': { kind: 'authenticated', roles: EXECUTORS, scope: 'cases:write', case: 'requested' },
  'GET /api/cases/:id/attachments': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'GET /api/cases/:id/attachments/:attachmentId': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  // Evidence (src/http/routes/evidence.ts): the requested side uploads; both sides read, and every read is recorded.
  'POST /api/cases/:id/evidence/uploads': { kind: 'authenticated', roles: EXECUTORS, scope: 'cases:write', case: 'requested' },
  'GET /api/cases/:id/evidence/uploads/:uploadId': { kind: 'authenticated', roles: EXECUTORS, scope: 'cases:write', case: 'requested' },
  'PATCH /api/cases/:id/evidence/uploads/:uploadId': { kind: 'authenticated', roles: EXECUTORS, scope: 'cases:write', case: 'requested' },
  'DELETE /api/cases/:id/evidence/uploads/:uploadId': { kind: 'authenticated', roles: EXECUTORS, scope: 'cases:write', case: 'requested' },
  'GET /api/cases/:id/evidence': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'GET /api/cases/:id/evidence/custody': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'GET /api/cases/:id/evidence/export': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'GET /api/cases/:id/evidence/:itemId/content': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'POST /api/cases/:id/events/:event': { kind: 'case-event' },
  // The transparency log (src/ledger): auditors and administrators; tenant-checked for a case's events.
  'GET /api/cases/:id/audit/:eventId/proof': { kind: 'authenticated', roles: ['auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/cases/:id/access': { kind: 'authenticated', roles: ['auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/ledger': { kind: 'authenticated', roles: ['auditor', 'administrator'], scope: 'cases:read' },
  'POST /api/ledger/checkpoint': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'GET /api/ledger/consistency': { kind: 'authenticated', roles: ['auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/ledger/log/checkpoint': { kind: 'authenticated', roles: ['auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/ledger/log/tile/*': { kind: 'authenticated', roles: ['auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/deadlines': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/notifications': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  // The caller's own notifications and choices (src/http/routes/notifications.ts): any signed-in user.
  'GET /api/me/notifications': { kind: 'authenticated', scope: 'cases:read' },
  'POST /api/me/notifications/read': { kind: 'authenticated', scope: 'cases:read' },
  'GET /api/me/notification-preferences': { kind: 'authenticated', scope: 'cases:read' },
  'PUT /api/me/notification-preferences': { kind: 'authenticated', scope: 'cases:read' },
  'GET /api/stats': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/stats.csv': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  // The provider's node (src/http/routes/provider.ts): its response team and auditors, own authority only.
  'GET /api/provider/orders': { kind: 'authenticated', roles: ['service-provider-agent', 'auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/provider/orders/:orderId': { kind: 'authenticated', roles: ['service-provider-agent', 'auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/provider/report': { kind: 'authenticated', roles: ['service-provider-agent', 'auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/provider/report.csv': { kind: 'authenticated', roles: ['service-provider-agent', 'auditor', 'administrator'], scope: 'cases:read' },
  'GET /api/provider/art28': { kind: 'authenticated', roles: ['service-provider-agent', 'auditor', 'administrator'], scope: 'cases:read' },
  // Federation (src/http/routes/exchange.ts): a peer's envelope is authenticated by its own
  // signatures, not by a session; the keys and agreement are public by nature.
  'POST /api/exchange/messages': { kind: 'public' },
  'GET /api/exchange/jwks': { kind: 'public' },
  'GET /api/exchange/agreement': { kind: 'public' },
  // Witnessing (c2sp.org/tlog-witness): the log's signature authenticates a submission; only peers' logs are witnessed.
  'POST /api/witness/add-checkpoint': { kind: 'public' },
  'GET /api/witness/:originHash/checkpoint': { kind: 'public' },
  'GET /api/cases/:id/deliveries': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'GET /api/exchange/stuck': { kind: 'authenticated', roles: [...OFFICERS, 'administrator'], scope: 'cases:read' },
  // Regulation (EU) 2023/1543 orders (src/http/routes/eorders.ts): an order is visible only to its
  // issuing authority, its addressee once delivered and its enforcing authority once notified
  // (404 otherwise, decided in the query); each event's party and roles are in ORDER_EVENT_ROLES.
  'GET /api/providers': { kind: 'authenticated', scope: 'cases:read' },
  'POST /api/providers': { kind: 'authenticated', roles: ['administrator'], scope: 'admin' },
  'GET /api/orders': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'POST /api/orders': { kind: 'authenticated', roles: DRAFTERS, scope: 'cases:write' },
  'GET /api/orders/rules': { kind: 'authenticated', scope: 'cases:read' },
  'GET /api/orders/form': { kind: 'authenticated', roles: DRAFTERS, scope: 'cases:read' },
  'GET /api/orders/:id': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/orders/:id/document': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'POST /api/orders/:id/events/:event': { kind: 'order-event' },
  // Evidence chunks are ciphertext under a key only the peer has; the random transfer id is the capability.
  'GET /api/exchange/transfers/:transferId/chunks/:index': { kind: 'public' },
  'GET /api/cases/:id/transfers': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read', case: 'either' },
  'GET /api/exchange/rejected': { kind: 'authenticated', roles: [...OFFICERS, 'administrator'], scope: 'cases:read' },
  // The web workspace (static files and the SPA fallback, src/http/routes/web.ts): public files, no data.
  'GET /*': { kind: 'public' },
};

export interface CaseEventPolicy {
  /** The side of the case whose users may record the event (both, for a case an authority addresses to itself). */
  side: 'requesting' | 'requested';
  roles: readonly Role[];
  /**
   * Separation of duties: the one who records the event must not be one who drafted or edited
   * the request, where the requesting authority keeps the rule on (`authorities.separation_of_duties`,
   * on by default). Judicial validation (`approve`) is the independent review of ETS 185 Art. 15
   * and CETS 224 Art. 13: the drafter cannot be their own reviewer.
   */
  distinctFromDrafter?: true;
}

/** Which roles may perform each case event, for which side of the case, and under which separation of duties. */
export const CASE_EVENT_ROLES: Readonly<Record<CaseEvent, CaseEventPolicy>> = {
  submit: { side: 'requesting', roles: DRAFTERS },
  return: { side: 'requesting', roles: ['reviewer'], distinctFromDrafter: true },
  reject: { side: 'requesting', roles: ['reviewer'], distinctFromDrafter: true },
  approve: { side: 'requesting', roles: ['reviewer'], distinctFromDrafter: true },
  send: { side: 'requesting', roles: OFFICERS },
  'answer-clarification': { side: 'requesting', roles: DRAFTERS },
  withdraw: { side: 'requesting', roles: OFFICERS },
  close: { side: 'requesting', roles: DRAFTERS },
  receive: { side: 'requested', roles: EXECUTORS },
  acknowledge: { side: 'requested', roles: EXECUTORS },
  'start-assessment': { side: 'requested', roles: EXECUTORS },
  'request-clarification': { side: 'requested', roles: EXECUTORS },
  accept: { side: 'requested', roles: EXECUTORS },
  postpone: { side: 'requested', roles: EXECUTORS },
  resume: { side: 'requested', roles: EXECUTORS },
  refuse: { side: 'requested', roles: EXECUTORS },
  'execute-partially': { side: 'requested', roles: EXECUTORS },
  execute: { side: 'requested', roles: EXECUTORS },
  respond: { side: 'requested', roles: EXECUTORS },
  // Lapse is the clock's: only an administrator of the requested side may record it by hand.
  lapse: { side: 'requested', roles: ['administrator'] },
};

/**
 * Who records each event of a Regulation (EU) 2023/1543 order. The party (issuing authority,
 * addressee, enforcing authority) is the order's own (eorders/workflow.ts); the caller's authority
 * must be that party of the order. Approval and validation are judicial acts (Art. 4): reviewers.
 */
export const ORDER_EVENT_ROLES: Readonly<Record<Exclude<OrderEvent, 'deliver' | 'expire'>, { roles: readonly Role[]; distinctFromDrafter?: true }>> = {
  approve: { roles: ['reviewer'], distinctFromDrafter: true },
  validate: { roles: ['reviewer'] },
  'refuse-validation': { roles: ['reviewer'] },
  send: { roles: ['reviewer', 'central-authority-officer', '24/7-officer'] },
  'answer-clarification': { roles: [...DRAFTERS, 'reviewer'] },
  extend: { roles: [...DRAFTERS, 'reviewer'] },
  'confirm-production': { roles: [...DRAFTERS, 'reviewer'] },
  'start-enforcement': { roles: [...DRAFTERS, 'reviewer'] },
  withdraw: { roles: [...DRAFTERS, 'reviewer'] },
  close: { roles: [...DRAFTERS, 'reviewer'] },
  acknowledge: { roles: ['service-provider-agent'] },
  'request-clarification': { roles: ['service-provider-agent'] },
  produce: { roles: ['service-provider-agent'] },
  preserve: { roles: ['service-provider-agent'] },
  'report-impossibility': { roles: ['service-provider-agent'] },
  object: { roles: ['service-provider-agent'] },
  'confirm-no-ground': { roles: ['central-authority-officer'] },
  'raise-ground': { roles: ['central-authority-officer'] },
};

/**
 * What the operating-system user may do with the CLI without an API token (`comity … ` run on
 * the node by its operator, recorded as `os:<username>`): run the node and look after its
 * directory, never act in a case. Anything else needs `--token` (or COMITY_TOKEN) of a real user,
 * checked against the route of the same name above with that user's roles and scopes.
 */
export const OPERATOR_RIGHTS: Readonly<Record<string, { route: string | null; why: string }>> = {
  'authorities create': { route: 'POST /api/authorities', why: 'bootstrap: register the authorities the node serves' },
  'authorities list': { route: 'GET /api/authorities', why: 'the directory is not case content' },
  'cases deadlines': { route: null, why: 'operators watch clocks (reference, clock and due date only)' },
};

/** What each CLI case command is, as an API route: the CLI with a token gets the same decision as the API. */
export const CLI_ROUTES: Readonly<Record<string, string>> = {
  'cases create': 'POST /api/cases',
  'cases list': 'GET /api/cases',
  'cases show': 'GET /api/cases/:id',
  'cases transition': 'POST /api/cases/:id/events/:event',
  'cases deadlines': 'GET /api/deadlines',
  'authorities create': 'POST /api/authorities',
  'authorities list': 'GET /api/authorities',
};

export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}
