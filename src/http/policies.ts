/**
 * @module http/policies
 * Who may call what, declared in one place. Every route of the API has an entry here, keyed by
 * `METHOD path`; the app refuses to start with a route that has none, and the authorisation
 * matrix test enumerates every route × role × own/foreign authority against this table.
 *
 * Case events have their own table: which roles may perform each event, and on which side
 * (the requesting authority or the addressee). Tenant isolation is separate and absolute: a
 * user only ever sees cases of their own authority or addressed to it.
 */
import type { ApiScope, Role } from '../auth/index.js';
import type { CaseEvent } from '../cases/index.js';

export type Policy =
  | { kind: 'public' }
  /** Any signed-in user or token, optionally restricted to roles and token scopes. */
  | { kind: 'authenticated'; roles?: readonly Role[]; scope: ApiScope | null; platformAdmin?: boolean }
  /** Authentication routes usable before the second factor (login, TOTP, logout). */
  | { kind: 'pre-mfa' }
  /** A case event: roles per event from CASE_EVENT_ROLES, checked against the case's sides. */
  | { kind: 'case-event' };

const CASE_WORKERS: readonly Role[] = ['drafter', 'reviewer', 'central-authority-officer', '24/7-officer', 'service-provider-agent', 'auditor'];
const DRAFTERS: readonly Role[] = ['drafter', 'central-authority-officer', '24/7-officer'];
const OFFICERS: readonly Role[] = ['central-authority-officer', '24/7-officer'];
const EXECUTORS: readonly Role[] = ['central-authority-officer', '24/7-officer', 'service-provider-agent'];

export const POLICIES: Readonly<Record<string, Policy>> = {
  'GET /healthz': { kind: 'public' },
  'GET /readyz': { kind: 'public' },
  'GET /metrics': { kind: 'public' },
  'GET /errors': { kind: 'public' },
  // Public law: the knowledge base is the law, open to anyone.
  'GET /api/law/instruments': { kind: 'public' },
  'GET /api/law/instruments/:id/status': { kind: 'public' },
  'GET /api/law/parties': { kind: 'public' },
  'GET /api/law/parties/:party': { kind: 'public' },
  'GET /api/law/participation': { kind: 'public' },
  'GET /api/law/offences': { kind: 'public' },
  'GET /api/law/bases': { kind: 'public' },
  'GET /api/law/deadlines': { kind: 'public' },
  'GET /api/law/matrix': { kind: 'public' },
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
  'GET /api/tokens': { kind: 'authenticated', scope: null },
  'POST /api/tokens': { kind: 'authenticated', scope: null },
  'DELETE /api/tokens/:id': { kind: 'authenticated', scope: null },
  'GET /api/cases': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'POST /api/cases': { kind: 'authenticated', roles: DRAFTERS, scope: 'cases:write' },
  'GET /api/cases/:id': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'PUT /api/cases/:id': { kind: 'authenticated', roles: DRAFTERS, scope: 'cases:write' },
  'GET /api/cases/:id/pdf': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/cases/:id/audit': { kind: 'authenticated', roles: ['auditor', 'administrator'], scope: 'cases:read' },
  // Attachments of the response: uploaded by the requested side while the case is being executed.
  'POST /api/cases/:id/attachments': { kind: 'authenticated', roles: EXECUTORS, scope: 'cases:write' },
  'GET /api/cases/:id/attachments': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/cases/:id/attachments/:attachmentId': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'POST /api/cases/:id/events/:event': { kind: 'case-event' },
  'GET /api/deadlines': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/notifications': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/stats': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/stats.csv': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  // Federation (src/http/routes/exchange.ts): a peer's envelope is authenticated by its own
  // signatures, not by a session; the keys and agreement are public by nature.
  'POST /api/exchange/messages': { kind: 'public' },
  'GET /api/exchange/jwks': { kind: 'public' },
  'GET /api/exchange/agreement': { kind: 'public' },
  'GET /api/cases/:id/deliveries': { kind: 'authenticated', roles: CASE_WORKERS, scope: 'cases:read' },
  'GET /api/exchange/stuck': { kind: 'authenticated', roles: [...OFFICERS, 'administrator'], scope: 'cases:read' },
  // The web workspace (static files and the SPA fallback, src/http/routes/web.ts): public files, no data.
  'GET /*': { kind: 'public' },
};

/** Which roles may perform each case event, and for which side of the case. */
export const CASE_EVENT_ROLES: Readonly<Record<CaseEvent, { side: 'requesting' | 'requested'; roles: readonly Role[] }>> = {
  approve: { side: 'requesting', roles: ['reviewer'] },
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

export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}
