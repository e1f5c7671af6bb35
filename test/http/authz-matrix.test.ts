/**
 * The authorisation matrix: every route registered in the app × every role (one user per role
 * in the French central authority, one in the US Office of International Affairs) × own vs
 * foreign authority, plus the anonymous caller, the platform administrator, a session that has
 * not passed its second factor, and API tokens of each scope.
 *
 * The expectations are written out literally below — not computed from `src/http/policies.ts` —
 * so that any change of a policy makes this test fail until the table is changed too.
 *
 * Outcomes:
 * - `allow`: authorisation passed: any status but 401 `unauthenticated`, 403, 404 on a tenant
 *   route, or 5xx. Case events are sent with `expectedVersion: 999999`, so an authorised event
 *   reaches the workflow and stops there with 409 `conflict` (asserted exactly), changing nothing.
 * - `unauth`: 401 `unauthenticated`.
 * - `forbid`: 403 (`forbidden`, or `mfa-required` for the pending session).
 * - `hidden`: 404 `not-found` for a case (or token) of another authority (or user), answered
 *   exactly like an id that does not exist: same status, same body but for `instance` and the id.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { ApiScope, Role } from '../../src/auth/index.js';
import { CASE_EVENTS, createCase, createCaseContext, escalateOverdue, transitionCase, type CaseSummary } from '../../src/cases/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { makeHeader } from '../../src/evidence/chunked-cipher.js';
import { POLICIES } from '../../src/http/policies.js';
import { DEMO_PASSWORD, buildTestApp, problemOf, type Client, type TestApp } from './harness.js';

type Access = 'allow' | 'unauth' | 'forbid' | 'hidden';
type Tenant = 'case' | 'token' | 'authority' | null;

interface RouteExpectation {
  anon: Access;
  /** A session of a central authority officer that has not passed its second factor. */
  preMfa: Access;
  /** The platform administrator (no authority), on own and foreign variants alike. */
  platform: Access | { own: Access; foreign: Access };
  /** Roles of authority users that may call the route; 'all' for every role. */
  roles: readonly Role[] | 'all';
  /** What "own vs foreign" means for the route, if anything. */
  tenant: Tenant;
  /** Token scopes that pass the route (`null`: tokens may not call it at all; 'any': every scope). */
  scopes: readonly ApiScope[] | 'any' | null;
  /** Only callers on this side of the case may call it (others: 403). */
  side?: 'requesting' | 'requested';
}

const ROLES_LITERAL: readonly Role[] = ['drafter', 'reviewer', 'central-authority-officer', '24/7-officer', 'service-provider-agent', 'auditor', 'administrator'];
const PUBLIC: RouteExpectation = { anon: 'allow', preMfa: 'allow', platform: 'allow', roles: 'all', tenant: null, scopes: 'any' };
const PRE_MFA: RouteExpectation = { anon: 'unauth', preMfa: 'allow', platform: 'allow', roles: 'all', tenant: null, scopes: 'any' };
const WORKERS: readonly Role[] = ['drafter', 'reviewer', 'central-authority-officer', '24/7-officer', 'service-provider-agent', 'auditor'];

/** The expected policy of every route, written out. */
const EXPECTED: Record<string, RouteExpectation> = {
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  // Only the scraper's token (COMITY_METRICS_TOKEN); off in this deployment: 404 for everyone.
  'GET /metrics': { anon: 'allow', preMfa: 'allow', platform: 'allow', roles: 'all', tenant: null, scopes: 'any' },
  'GET /errors': PUBLIC,
  'GET /api/law/instruments': PUBLIC,
  'GET /api/law/instruments/:id/status': PUBLIC,
  'GET /api/law/parties': PUBLIC,
  'GET /api/law/parties/:party': PUBLIC,
  'GET /api/law/participation': PUBLIC,
  'GET /api/law/offences': PUBLIC,
  'GET /api/law/bases': PUBLIC,
  'GET /api/law/deadlines': PUBLIC,
  'GET /api/law/matrix': PUBLIC,
  'POST /api/auth/login': PUBLIC,
  'POST /api/auth/logout': PUBLIC,
  'POST /api/auth/totp': { ...PRE_MFA, scopes: null },
  'POST /api/auth/totp/enrol': { ...PRE_MFA, scopes: null },
  'POST /api/auth/totp/confirm': { ...PRE_MFA, scopes: null },
  'GET /api/auth/me': PRE_MFA,
  'GET /api/auth/oidc/login': PUBLIC,
  'GET /api/auth/oidc/callback': PUBLIC,
  'GET /api/authorities': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: ['cases:read', 'admin'] },
  'POST /api/authorities': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: [], tenant: null, scopes: [] },
  'GET /api/users': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: null, scopes: ['admin'] },
  'PATCH /api/users/:id': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: 'token', scopes: ['admin'] },
  'POST /api/users/:id/disable': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: 'token', scopes: ['admin'] },
  'POST /api/users/:id/enable': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: 'token', scopes: ['admin'] },
  'POST /api/users/:id/password': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: 'token', scopes: ['admin'] },
  'POST /api/users/:id/second-factor/reset': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: 'token', scopes: ['admin'] },
  'DELETE /api/admin/tokens/:id': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: 'token', scopes: ['admin'] },
  'GET /api/admin/tokens': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: null, scopes: ['admin'] },
  'POST /api/users': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: 'authority', scopes: ['admin'] },
  'GET /api/tokens': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: ['tokens'] },
  'POST /api/tokens': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: null },
  'DELETE /api/tokens/:id': { anon: 'unauth', preMfa: 'forbid', platform: { own: 'allow', foreign: 'hidden' }, roles: 'all', tenant: 'token', scopes: ['tokens'] },
  'GET /api/cases': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: null, scopes: ['cases:read', 'admin'] },
  'POST /api/cases': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['drafter', 'central-authority-officer', '24/7-officer'], tenant: 'authority', scopes: ['cases:write', 'admin'] },
  'GET /api/cases/:id': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'PUT /api/cases/:id': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['drafter', 'central-authority-officer', '24/7-officer'], tenant: 'case', scopes: ['cases:write', 'admin'], side: 'requesting' },
  'GET /api/cases/:id/pdf': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  // Issue 16: the investigation file is the requesting side's own filing; the targets are either side's.
  'GET /api/cases/:id/linked': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'], side: 'requesting' },
  'GET /api/cases/:id/targets': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/cases/:id/audit': { anon: 'unauth', preMfa: 'forbid', platform: 'hidden', roles: ['auditor', 'administrator'], tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/cases/:id/audit/:eventId/proof': { anon: 'unauth', preMfa: 'forbid', platform: 'hidden', roles: ['auditor', 'administrator'], tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/cases/:id/access': { anon: 'unauth', preMfa: 'forbid', platform: 'hidden', roles: ['auditor', 'administrator'], tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/ledger': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'POST /api/ledger/checkpoint': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: null, scopes: ['admin'] },
  'GET /api/ledger/consistency': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/ledger/log/checkpoint': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/ledger/log/tile/*': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'POST /api/cases/:id/attachments': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'], tenant: 'case', scopes: ['cases:write', 'admin'], side: 'requested' },
  'GET /api/cases/:id/attachments': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/cases/:id/attachments/:attachmentId': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'POST /api/cases/:id/evidence/uploads': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'], tenant: 'case', scopes: ['cases:write', 'admin'], side: 'requested' },
  'GET /api/cases/:id/evidence/uploads/:uploadId': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'], tenant: 'case', scopes: ['cases:write', 'admin'], side: 'requested' },
  'PATCH /api/cases/:id/evidence/uploads/:uploadId': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'], tenant: 'case', scopes: ['cases:write', 'admin'], side: 'requested' },
  'DELETE /api/cases/:id/evidence/uploads/:uploadId': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['central-authority-officer', '24/7-officer', 'service-provider-agent'], tenant: 'case', scopes: ['cases:write', 'admin'], side: 'requested' },
  'GET /api/cases/:id/evidence': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/cases/:id/evidence/custody': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/cases/:id/evidence/export': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/cases/:id/evidence/:itemId/content': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  // Roles per event in EVENT_RULES below.
  'POST /api/cases/:id/events/:event': { anon: 'unauth', preMfa: 'forbid', platform: 'hidden', roles: [], tenant: 'case', scopes: ['cases:write', 'admin'] },
  'GET /api/deadlines': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/notifications': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/me/notifications': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: ['cases:read', 'admin'] },
  'POST /api/me/notifications/read': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/me/notification-preferences': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: ['cases:read', 'admin'] },
  'PUT /api/me/notification-preferences': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/stats': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/stats.csv': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/provider/orders': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['service-provider-agent', 'auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/provider/orders/:orderId': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['service-provider-agent', 'auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/provider/report': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['service-provider-agent', 'auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/provider/report.csv': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['service-provider-agent', 'auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/provider/art28': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['service-provider-agent', 'auditor', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'POST /api/exchange/messages': PUBLIC,
  'GET /api/exchange/jwks': PUBLIC,
  'GET /api/exchange/agreement': PUBLIC,
  'POST /api/witness/add-checkpoint': PUBLIC,
  'GET /api/witness/:originHash/checkpoint': PUBLIC,
  'GET /api/cases/:id/deliveries': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /api/exchange/stuck': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['central-authority-officer', '24/7-officer', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  // Regulation (EU) 2023/1543 orders: an order is visible to its parties only, decided in the query
  // (404 for anyone else, as for an unknown id); the event's party is checked in the transaction.
  'GET /api/providers': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: ['cases:read', 'admin'] },
  'POST /api/providers': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['administrator'], tenant: null, scopes: ['admin'] },
  'GET /api/orders': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: null, scopes: ['cases:read', 'admin'] },
  'POST /api/orders': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['drafter', 'central-authority-officer', '24/7-officer'], tenant: null, scopes: ['cases:write', 'admin'] },
  'GET /api/orders/rules': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: 'all', tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/orders/form': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['drafter', 'central-authority-officer', '24/7-officer'], tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/orders/:id': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/orders/:id/document': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: null, scopes: ['cases:read', 'admin'] },
  // Sent as `acknowledge` (ORDER_EVENT_ROLES: service-provider agents) on an unknown order.
  'POST /api/orders/:id/events/:event': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: ['service-provider-agent'], tenant: null, scopes: ['cases:write', 'admin'] },
  'GET /api/exchange/rejected': { anon: 'unauth', preMfa: 'forbid', platform: 'allow', roles: ['central-authority-officer', '24/7-officer', 'administrator'], tenant: null, scopes: ['cases:read', 'admin'] },
  'GET /api/exchange/transfers/:transferId/chunks/:index': PUBLIC,
  'GET /api/cases/:id/transfers': { anon: 'unauth', preMfa: 'forbid', platform: 'forbid', roles: WORKERS, tenant: 'case', scopes: ['cases:read', 'admin'] },
  'GET /*': PUBLIC,
};

const OFFICERS: readonly Role[] = ['central-authority-officer', '24/7-officer'];
const EXECUTORS: readonly Role[] = ['central-authority-officer', '24/7-officer', 'service-provider-agent'];
/** Who may perform each case event, and on which side of the case. */
const EVENT_RULES: Record<string, { side: 'requesting' | 'requested'; roles: readonly Role[] }> = {
  submit: { side: 'requesting', roles: ['drafter', 'central-authority-officer', '24/7-officer'] },
  return: { side: 'requesting', roles: ['reviewer'] },
  reject: { side: 'requesting', roles: ['reviewer'] },
  approve: { side: 'requesting', roles: ['reviewer'] },
  send: { side: 'requesting', roles: OFFICERS },
  'answer-clarification': { side: 'requesting', roles: ['drafter', 'central-authority-officer', '24/7-officer'] },
  withdraw: { side: 'requesting', roles: OFFICERS },
  close: { side: 'requesting', roles: ['drafter', 'central-authority-officer', '24/7-officer'] },
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
  lapse: { side: 'requested', roles: ['administrator'] },
};

/** Routes where 404 means "not yours" (tenant isolation), not "not configured". */
const TENANT_404 = new Set([
  'PATCH /api/users/:id',
  'POST /api/users/:id/disable',
  'POST /api/users/:id/enable',
  'POST /api/users/:id/password',
  'POST /api/users/:id/second-factor/reset',
  'DELETE /api/admin/tokens/:id',
  'DELETE /api/tokens/:id',
  'GET /api/cases/:id',
  'PUT /api/cases/:id',
  'GET /api/cases/:id/pdf',
  'GET /api/cases/:id/linked',
  'GET /api/cases/:id/targets',
  'GET /api/cases/:id/audit',
  'GET /api/cases/:id/audit/:eventId/proof',
  'GET /api/cases/:id/access',
  'POST /api/cases/:id/events/:event',
  'POST /api/cases/:id/attachments',
  'GET /api/cases/:id/attachments',
  'GET /api/cases/:id/attachments/:attachmentId',
  'GET /api/cases/:id/deliveries',
  'GET /api/cases/:id/transfers',
  'POST /api/cases/:id/evidence/uploads',
  'GET /api/cases/:id/evidence/uploads/:uploadId',
  'PATCH /api/cases/:id/evidence/uploads/:uploadId',
  'DELETE /api/cases/:id/evidence/uploads/:uploadId',
  'GET /api/cases/:id/evidence',
  'GET /api/cases/:id/evidence/custody',
  'GET /api/cases/:id/evidence/export',
  'GET /api/cases/:id/evidence/:itemId/content',
]);

type Observed = Access | `csrf-failed` | `error ${number}`;

function classify(res: LightMyRequestResponse, key: string): Observed {
  const code = problemOf(res)?.code;
  if (res.statusCode >= 500) return `error ${res.statusCode}`;
  if (res.statusCode === 401 && code === 'unauthenticated') return 'unauth';
  if (res.statusCode === 403 && code === 'csrf-failed') return 'csrf-failed';
  if (res.statusCode === 403) return 'forbid';
  if (res.statusCode === 404 && TENANT_404.has(key)) return 'hidden';
  return 'allow';
}

interface Principal {
  label: string;
  kind: 'anon' | 'user' | 'platform' | 'pre-mfa';
  email: string | null;
  role: Role | null;
  authorityId: string | null;
  client: Client;
}

/** A party's own side of the OWN case (France → United States). */
function sideOf(authorityId: string | null): 'requesting' | 'requested' | null {
  if (authorityId === 'fr-ca') return 'requesting';
  if (authorityId === 'us-doj-oia') return 'requested';
  return null;
}

function slug(role: Role): string {
  return role.replace('/', '');
}

/** Parses `printRoutes` into `METHOD path` keys, checking each with `hasRoute`. */
function registeredRoutes(app: TestApp['app']): Set<string> {
  const text = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const keys = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    let path = (depth === 0 ? '' : (stack[depth - 1] ?? '')) + (m[2] ?? '');
    if (depth === 0 && !path.startsWith('/')) path = `/${path}`;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) {
      let url = path;
      // printRoutes drops the static part before a wildcard under a prefix (`/api/ledger/log/tile/*`
      // prints as `*` under `/api/ledger`): take the wildcard route of the policy table it stands for.
      if (url.endsWith('*') && !app.hasRoute({ method: method as 'GET', url })) {
        const prefix = url.slice(0, -1);
        url = Object.keys(POLICIES).map((k) => k.slice(k.indexOf(' ') + 1)).find((u) => u.endsWith('*') && u.startsWith(prefix) && app.hasRoute({ method: method as 'GET', url: u })) ?? url;
      }
      if (!url.startsWith('/docs')) assert.ok(app.hasRoute({ method: method as 'GET', url }), `printRoutes parsed ${method} ${url}, which hasRoute confirms`);
      keys.add(`${method} ${url}`);
    }
  }
  return keys;
}

describe('authorisation matrix [sqlite]', () => {
  let t: TestApp;
  const principals: Principal[] = [];
  let ownCase: CaseSummary;
  /** An attachment of the own case (written directly: the case is only sent). */
  const ownAttachment = '01900000-0000-7000-8000-0000000a77ac';
  /** An evidence item of the own case, deleted under retention (written directly). */
  const ownEvidence = '01900000-0000-7000-8000-0000000e71de';
  /** An upload in progress on the own case, by the requested side (written directly). */
  let ownUpload: string;
  let foreignCase: string;
  const unknownCase = '01900000-0000-7000-8000-00000000abcd';
  const ownTokenIds = new Map<string, string>();
  let foreignTokenId: string;
  const unknownTokenId = 'aaaaaaaaaaaaaaaa';
  let counter = 0;

  before(async () => {
    t = await buildTestApp('sqlite');
    principals.push({ label: 'anonymous', kind: 'anon', email: null, role: null, authorityId: null, client: t.anonymous });
    for (const authorityId of ['fr-ca', 'us-doj-oia'] as const) {
      for (const role of ROLES_LITERAL) {
        const email = `${slug(role)}@${authorityId}.matrix`;
        await t.addUser({ email, authorityId, roles: [role] });
        principals.push({ label: `${role} (${authorityId})`, kind: 'user', email, role, authorityId, client: await t.as(email) });
      }
    }
    principals.push({ label: 'platform administrator', kind: 'platform', email: 'admin@comity.demo', role: 'administrator', authorityId: null, client: await t.as('admin@comity.demo') });
    const pending = await t.login('central-authority-officer@fr-ca.matrix');
    assert.ok(pending.session);
    principals.push({ label: 'officer (fr-ca) before the second factor', kind: 'pre-mfa', email: 'central-authority-officer@fr-ca.matrix', role: 'central-authority-officer', authorityId: 'fr-ca', client: await t.as(pending.session) });

    // OWN: a French request sent to the United States; FOREIGN: the German order to the Irish provider.
    const fr = { id: 'matrix:fr', authorityId: 'fr-ca' };
    const created = await createCase(t.cases, fr, preservationRequestFrToUs({ references: { requesting: 'MATRIX-OWN' } }));
    await transitionCase(t.cases, fr, created.id, 'approve', { review: DEMO_REVIEW });
    ownCase = await transitionCase(t.cases, fr, created.id, 'send');
    foreignCase = (await t.handle.db.selectFrom('cases').select('id').where('requesting_authority_id', '=', 'de-sta-koeln').executeTakeFirstOrThrow()).id;
    const content = Buffer.from('matrix');
    await t.handle.db
      .insertInto('case_attachments')
      .values({ id: ownAttachment, case_id: ownCase.id, name: 'matrix.txt', media_type: 'text/plain', size: content.length, sha256: createHash('sha256').update(content).digest('hex'), content, uploaded_by: 'matrix', uploaded_at: new Date().toISOString() })
      .execute();

    ownUpload = await stagedUpload();
    await t.handle.db
      .insertInto('evidence_items')
      .values({ id: ownEvidence, case_id: ownCase.id, sha256: 'a'.repeat(64), size: 6, media_type: 'text/plain', original_name: null, description: null, data_category: 'content', producer: 'Matrix', produced_at: null, received_at: new Date().toISOString(), received_by: 'matrix', blob_key: `${ownCase.id}/${'a'.repeat(64)}`, deleted_at: new Date().toISOString() })
      .execute();

    for (const p of principals) {
      if ((p.kind === 'user' || p.kind === 'platform') && p.email) {
        const token = await t.token(p.email, ['cases:read']);
        ownTokenIds.set(p.label, /^cmt_([a-z2-7]{16})_/.exec(token)?.[1] as string);
      }
    }
    foreignTokenId = /^cmt_([a-z2-7]{16})_/.exec(await t.token('prosecutor@de.demo', ['cases:read']))?.[1] as string;
    // Accounts the administration routes act on: one of the French authority, one of the German.
    for (const authorityId of ['fr-ca', 'us-doj-oia']) {
      targets.own.set(authorityId, (await t.addUser({ email: `target@${authorityId}.matrix`, authorityId, roles: ['drafter'] })).id);
      targets.ownToken.set(authorityId, /^cmt_([a-z2-7]{16})_/.exec(await t.token(`target@${authorityId}.matrix`, ['cases:read']))?.[1] as string);
    }
    targets.foreign = (await t.addUser({ email: 'target@de.matrix', authorityId: 'de-sta-koeln', roles: ['drafter'] })).id;
  });
  const targets = { own: new Map<string, string>(), foreign: '', ownToken: new Map<string, string>() };
  const targetOf = (variant: 'own' | 'foreign' | 'unknown', authorityId: string) => (variant === 'own' ? (targets.own.get(authorityId) ?? '') : variant === 'foreign' ? targets.foreign : '01900000-0000-7000-8000-00000000beef');
  after(() => t?.close());

  /** An upload of the own case by the requested side, as `beginUpload` leaves it. */
  async function stagedUpload(): Promise<string> {
    const id = randomUUID();
    await writeFile(join(t.evidence.stagingDir, `${id}.sealed`), makeHeader(), { mode: 0o600 });
    const at = new Date().toISOString();
    await t.handle.db
      .insertInto('evidence_uploads')
      .values({ id, case_id: ownCase.id, actor: 'matrix', authority_id: 'us-doj-oia', length: 6, received: 0, header: '', metadata: '{}', created_at: at, updated_at: at })
      .execute();
    const header = (await readFile(join(t.evidence.stagingDir, `${id}.sealed`))).toString('base64url');
    await t.handle.db.updateTable('evidence_uploads').set({ header }).where('id', '=', id).execute();
    return id;
  }

  it('the routes registered in the app are exactly the keys of POLICIES and of this test’s table', () => {
    const registered = [...registeredRoutes(t.app)].filter((key) => {
      const [method, path] = key.split(' ') as [string, string];
      return method !== 'HEAD' && method !== 'OPTIONS' && !path.startsWith('/docs') && path !== '/openapi.json';
    });
    assert.deepEqual(registered.sort(), Object.keys(POLICIES).sort(), 'a route without a policy, or a policy without a route');
    assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(POLICIES).sort(), 'the expected table covers every policy');
    assert.deepEqual(Object.keys(EVENT_RULES).sort(), [...CASE_EVENTS].sort(), 'the expected event table covers every event');
  });

  /** Expected outcome of one route for one principal and variant. */
  function expected(key: string, p: Principal, variant: 'own' | 'foreign', event?: string): Access {
    const e = EXPECTED[key] as RouteExpectation;
    if (p.kind === 'anon') return e.anon;
    if (p.kind === 'pre-mfa') return e.preMfa;
    if (p.kind === 'platform') return typeof e.platform === 'string' ? e.platform : e.platform[variant];
    const role = p.role as Role;
    if (event !== undefined) {
      if (variant === 'foreign') return 'hidden';
      const rule = EVENT_RULES[event] as (typeof EVENT_RULES)[string];
      if (sideOf(p.authorityId) !== rule.side) return 'forbid';
      return rule.roles.includes(role) ? 'allow' : 'forbid';
    }
    const roleOk = e.roles === 'all' || e.roles.includes(role);
    if (!roleOk) return 'forbid';
    if (variant === 'foreign' && e.tenant === 'case') return 'hidden';
    if (variant === 'foreign' && e.tenant === 'token') return 'hidden';
    if (variant === 'foreign' && e.tenant === 'authority') return 'forbid';
    if (e.side && sideOf(p.authorityId) !== e.side) return 'forbid';
    return 'allow';
  }

  /** Sends the request for a route as a principal. */
  async function send(key: string, p: Principal, variant: 'own' | 'foreign' | 'unknown', event?: string): Promise<LightMyRequestResponse> {
    const c = p.client;
    counter += 1;
    const n = counter;
    const myAuthority = p.authorityId ?? 'fr-ca';
    const caseId = variant === 'own' ? ownCase.id : variant === 'foreign' ? foreignCase : unknownCase;
    switch (key) {
      case 'GET /healthz':
      case 'GET /readyz':
      case 'GET /metrics':
      case 'GET /errors':
      case 'GET /api/law/instruments':
      case 'GET /api/law/parties':
      case 'GET /api/law/offences':
      case 'GET /api/auth/me':
      case 'GET /api/authorities':
      case 'GET /api/users':
      case 'GET /api/tokens':
      case 'GET /api/cases':
      case 'GET /api/deadlines':
      case 'GET /api/notifications':
      case 'GET /api/me/notifications':
      case 'GET /api/me/notification-preferences':
      case 'GET /api/stats':
      case 'GET /api/stats.csv':
      case 'GET /api/provider/orders':
      case 'GET /api/provider/report':
      case 'GET /api/provider/report.csv':
      case 'GET /api/provider/art28':
      case 'GET /api/exchange/jwks':
      case 'GET /api/exchange/agreement':
      case 'GET /api/exchange/stuck':
      case 'GET /api/exchange/rejected':
        return c.get(key.slice(4));
      case 'GET /api/providers':
      case 'GET /api/orders':
      case 'GET /api/orders/rules':
      case 'GET /api/orders/form':
        return c.get(key.slice(4));
      case 'POST /api/providers':
        return c.post('/api/providers', { id: `mx-provider-${n}`, name: `Matrix ${n}`, establishedIn: 'US', representative: 'ie-provider', representativeKind: 'legal-representative' });
      case 'POST /api/orders':
        // An incomplete certificate: 400 once authorised, nothing written.
        return c.post('/api/orders', { issuingAuthority: myAuthority, certificate: { order: 'EPOC' } });
      case 'GET /api/orders/:id':
        return c.get(`/api/orders/${unknownCase}`);
      case 'GET /api/orders/:id/document':
        return c.get(`/api/orders/${unknownCase}/document`, { query: { form: 'annex-i' } });
      case 'POST /api/orders/:id/events/:event':
        return c.post(`/api/orders/${unknownCase}/events/acknowledge`, {});
      case 'GET /api/exchange/transfers/:transferId/chunks/:index':
        // Not a federation node in this app (404): the route was reached.
        return c.get('/api/exchange/transfers/00000000-0000-4000-8000-000000000000/chunks/0');
      case 'GET /api/cases/:id/transfers':
        return c.get(`/api/cases/${caseId}/transfers`);
      case 'POST /api/exchange/messages':
        // Not a federation node in this app (404), or a refused envelope: the route was reached.
        return c.request('POST', '/api/exchange/messages', { body: 'not.a.jwe', contentType: 'application/jose' });
      case 'GET /api/provider/orders/:orderId':
        return c.get('/api/provider/orders/no-such-order');
      case 'POST /api/witness/add-checkpoint':
        // Not a federation node in this app: it witnesses no log (404); the route was reached.
        return c.request('POST', '/api/witness/add-checkpoint', { body: 'old 0\n\n', contentType: 'text/plain' });
      case 'GET /api/witness/:originHash/checkpoint':
        return c.get(`/api/witness/${'0'.repeat(64)}/checkpoint`);
      case 'GET /api/cases/:id/deliveries':
        return c.get(`/api/cases/${caseId}/deliveries`);
      case 'GET /api/law/instruments/:id/status':
        return c.get('/api/law/instruments/ETS185/status');
      case 'GET /api/law/parties/:party':
        return c.get('/api/law/parties/FR');
      case 'GET /api/law/participation':
        return c.get('/api/law/participation', { query: { instrument: 'ETS185', date: '2026-06-01' } });
      case 'GET /api/law/bases':
        return c.get('/api/law/bases', { query: { from: 'FR', to: 'US', measure: 'preservation' } });
      case 'GET /api/law/deadlines':
        return c.get('/api/law/deadlines', { query: { instrument: 'ETS185', measure: 'preservation', received: '2026-11-02T10:00:00Z', tz: 'Europe/Paris' } });
      case 'GET /api/law/matrix':
        // EU-US answers 400 before computing a matrix (ETS185 takes ~1 s): the route was reached all the same.
        return c.get('/api/law/matrix', { query: { instrument: 'EU-US' } });
      case 'GET /api/auth/oidc/login':
        return c.get('/api/auth/oidc/login');
      case 'GET /api/auth/oidc/callback':
        return c.get('/api/auth/oidc/callback', { query: { code: 'x', state: 'y' } });
      case 'GET /*':
        return c.get('/', { headers: { accept: 'text/html' } });
      case 'POST /api/auth/login':
        return c.post('/api/auth/login', { email: p.email ?? 'drafter@fr.demo', password: DEMO_PASSWORD });
      case 'POST /api/auth/logout': {
        // A throwaway session of the same person: logging out the matrix session would end it.
        if (p.kind === 'anon' || !p.email) return c.post('/api/auth/logout');
        const { session } = await t.login(p.email);
        assert.ok(session);
        return (await t.as(session)).post('/api/auth/logout');
      }
      case 'POST /api/auth/totp':
        return c.post('/api/auth/totp', { code: p.email && t.users.get(p.email)?.totpSecret ? t.wrongTotp(p.email) : '123456' });
      case 'POST /api/auth/totp/enrol':
        return c.post('/api/auth/totp/enrol');
      case 'POST /api/auth/totp/confirm':
        return c.post('/api/auth/totp/confirm', { code: p.email && t.users.get(p.email)?.totpSecret ? t.wrongTotp(p.email) : '123456' });
      case 'POST /api/authorities':
        return c.post('/api/authorities', { id: `mx-${n}`, party: 'ES', kind: 'police-unit', name: `Matrix ${n}`, timeZone: 'Europe/Madrid', languages: ['es'] });
      case 'POST /api/users':
        return c.post('/api/users', { email: `user-${n}@matrix.test`, displayName: `Matrix ${n}`, authorityId: variant === 'own' ? myAuthority : 'de-sta-koeln', roles: ['drafter'], password: DEMO_PASSWORD });
      case 'PATCH /api/users/:id':
        return c.request('PATCH', `/api/users/${targetOf(variant, myAuthority)}`, { body: { roles: ['drafter'] } });
      case 'POST /api/users/:id/disable':
        return c.post(`/api/users/${targetOf(variant, myAuthority)}/disable`, {});
      case 'POST /api/users/:id/enable':
        return c.post(`/api/users/${targetOf(variant, myAuthority)}/enable`, {});
      case 'POST /api/users/:id/password':
        return c.post(`/api/users/${targetOf(variant, myAuthority)}/password`, { password: DEMO_PASSWORD });
      case 'POST /api/users/:id/second-factor/reset':
        return c.post(`/api/users/${targetOf(variant, myAuthority)}/second-factor/reset`, {});
      case 'GET /api/admin/tokens':
        return c.get('/api/admin/tokens');
      case 'DELETE /api/admin/tokens/:id':
        return c.delete(`/api/admin/tokens/${variant === 'own' ? (targets.ownToken.get(myAuthority) ?? '') : variant === 'foreign' ? foreignTokenId : unknownTokenId}`);
      case 'POST /api/me/notifications/read':
        return c.post('/api/me/notifications/read', { all: true });
      case 'PUT /api/me/notification-preferences':
        return c.request('PUT', '/api/me/notification-preferences', { body: { preferences: [{ kind: 'decision', inApp: true, email: true }] } });
      case 'POST /api/tokens':
        return c.post('/api/tokens', { name: `matrix ${n}`, scopes: ['cases:read'], expiresInDays: 1 });
      case 'DELETE /api/tokens/:id': {
        const id = variant === 'own' ? (ownTokenIds.get(p.label) ?? unknownTokenId) : variant === 'foreign' ? foreignTokenId : unknownTokenId;
        return c.delete(`/api/tokens/${id}`);
      }
      case 'POST /api/cases': {
        const from = variant === 'own' ? myAuthority : 'de-sta-koeln';
        const to = from === 'fr-ca' ? 'us-doj-oia' : from === 'us-doj-oia' ? 'fr-ca' : 'ie-provider';
        return c.post('/api/cases', preservationRequestFrToUs({ requestingAuthority: from, addressee: to, references: { requesting: `MATRIX-${n}` } }));
      }
      case 'GET /api/cases/:id':
        return c.get(`/api/cases/${caseId}`);
      case 'GET /api/cases/:id/audit':
        return c.get(`/api/cases/${caseId}/audit`);
      case 'GET /api/cases/:id/pdf':
        return c.get(`/api/cases/${caseId}/pdf`);
      case 'GET /api/cases/:id/linked':
        return c.get(`/api/cases/${caseId}/linked`);
      case 'GET /api/cases/:id/targets':
        return c.get(`/api/cases/${caseId}/targets`);
      case 'GET /api/cases/:id/audit/:eventId/proof': {
        const event = await t.handle.db.selectFrom('audit_events').select('id').where('object_id', '=', ownCase.id).orderBy('seq').limit(1).executeTakeFirstOrThrow();
        return c.get(`/api/cases/${caseId}/audit/${event.id}/proof`);
      }
      case 'GET /api/cases/:id/access':
        return c.get(`/api/cases/${caseId}/access`);
      case 'GET /api/ledger':
        return c.get('/api/ledger');
      case 'POST /api/ledger/checkpoint':
        return c.post('/api/ledger/checkpoint');
      case 'GET /api/ledger/consistency':
        return c.get('/api/ledger/consistency', { query: { from: '1', to: '2' } });
      case 'GET /api/ledger/log/checkpoint':
        return c.get('/api/ledger/log/checkpoint');
      case 'GET /api/ledger/log/tile/*':
        return c.get('/api/ledger/log/tile/0/000.p/1');
      case 'PUT /api/cases/:id': {
        // The own case is sent, so an authorised edit stops at the state check (409), changing nothing.
        const to = myAuthority === 'us-doj-oia' ? 'fr-ca' : 'us-doj-oia';
        return c.request('PUT', `/api/cases/${caseId}`, { body: preservationRequestFrToUs({ requestingAuthority: myAuthority, addressee: to, references: { requesting: `MATRIX-${n}` } }) });
      }
      case 'POST /api/cases/:id/attachments':
        // Likewise: a sent case takes no attachment (409).
        return c.post(`/api/cases/${caseId}/attachments`, { name: `matrix-${n}.txt`, mediaType: 'text/plain', contentBase64: Buffer.from('matrix').toString('base64') });
      case 'GET /api/cases/:id/attachments':
        return c.get(`/api/cases/${caseId}/attachments`);
      case 'GET /api/cases/:id/attachments/:attachmentId':
        return c.get(`/api/cases/${caseId}/attachments/${ownAttachment}`);
      case 'POST /api/cases/:id/events/:event':
        return c.post(`/api/cases/${caseId}/events/${event}`, { expectedVersion: 999_999 });
      case 'POST /api/cases/:id/evidence/uploads':
        // A sent case takes no evidence yet (409): the route was reached, nothing changed.
        return c.post(`/api/cases/${caseId}/evidence/uploads`, { name: `matrix-${n}.bin`, length: 6, dataCategory: 'content', producer: 'Matrix' });
      case 'GET /api/cases/:id/evidence/uploads/:uploadId':
        return c.get(`/api/cases/${caseId}/evidence/uploads/${ownUpload}`);
      case 'PATCH /api/cases/:id/evidence/uploads/:uploadId':
        // The wrong offset: 409 once authorised, nothing appended.
        return c.request('PATCH', `/api/cases/${caseId}/evidence/uploads/${ownUpload}`, { body: Buffer.from('matrix'), contentType: 'application/offset+octet-stream', headers: { 'upload-offset': '999' } });
      case 'DELETE /api/cases/:id/evidence/uploads/:uploadId':
        // A fresh upload each time: an authorised caller really cancels it.
        return c.delete(`/api/cases/${caseId}/evidence/uploads/${await stagedUpload()}`);
      case 'GET /api/cases/:id/evidence':
        return c.get(`/api/cases/${caseId}/evidence`);
      case 'GET /api/cases/:id/evidence/custody':
        return c.get(`/api/cases/${caseId}/evidence/custody`);
      case 'GET /api/cases/:id/evidence/export':
        // The own case's only item is deleted: 400 "nothing to export" once authorised.
        return c.get(`/api/cases/${caseId}/evidence/export`);
      case 'GET /api/cases/:id/evidence/:itemId/content':
        // An item deleted under retention: 410 once authorised (no bytes, no access to record).
        return c.get(`/api/cases/${caseId}/evidence/${ownEvidence}/content`);
      default:
        throw new Error(`no request for ${key}: add it to the matrix`);
    }
  }

  /** 404s for a foreign and an unknown id must be indistinguishable. */
  function sameAsUnknown(foreign: LightMyRequestResponse, unknown: LightMyRequestResponse, foreignId: string, unknownId: string): string | null {
    if (foreign.statusCode !== unknown.statusCode) return `status ${foreign.statusCode} vs ${unknown.statusCode} for an unknown id`;
    const strip = (res: LightMyRequestResponse, id: string) => {
      const body = { ...(problemOf(res) ?? { raw: res.body }) } as Record<string, unknown>;
      delete body.instance;
      return JSON.stringify(body).split(id).join('<id>');
    };
    const a = strip(foreign, foreignId);
    const b = strip(unknown, unknownId);
    return a === b ? null : `body ${a} vs ${b} for an unknown id`;
  }

  for (const key of Object.keys(EXPECTED)) {
    if (key === 'POST /api/cases/:id/events/:event') continue;
    it(`${key} × every caller`, async () => {
      const e = EXPECTED[key] as RouteExpectation;
      const mismatches: string[] = [];
      for (const p of principals) {
        const variants: ('own' | 'foreign')[] = e.tenant === null ? ['own'] : ['own', 'foreign'];
        for (const variant of variants) {
          const res = await send(key, p, variant);
          const want = expected(key, p, variant);
          const got = classify(res, key);
          if (got !== want) mismatches.push(`${p.label} [${variant}]: expected ${want}, got ${got} (${res.statusCode} ${res.body.slice(0, 160)})`);
          if (variant === 'foreign' && got === 'hidden' && (e.tenant === 'case' || e.tenant === 'token')) {
            const unknown = await send(key, p, 'unknown');
            const diff = sameAsUnknown(res, unknown, e.tenant === 'case' ? foreignCase : foreignTokenId, e.tenant === 'case' ? unknownCase : unknownTokenId);
            if (diff) mismatches.push(`${p.label}: a foreign id is distinguishable from an unknown one: ${diff}`);
          }
        }
      }
      assert.deepEqual(mismatches, []);
    });
  }

  for (const event of CASE_EVENTS) {
    it(`POST /api/cases/:id/events/${event} × every caller × own and foreign case`, async () => {
      const key = 'POST /api/cases/:id/events/:event';
      const mismatches: string[] = [];
      for (const p of principals) {
        for (const variant of ['own', 'foreign'] as const) {
          const res = await send(key, p, variant, event);
          const want = expected(key, p, variant, event);
          const got = classify(res, key);
          if (got !== want) mismatches.push(`${p.label} [${variant}]: expected ${want}, got ${got} (${res.statusCode} ${res.body.slice(0, 160)})`);
          else if (want === 'allow' && !(res.statusCode === 409 && problemOf(res)?.code === 'conflict')) {
            mismatches.push(`${p.label} [${variant}]: authorised, so the stale expectedVersion should give 409 conflict, got ${res.statusCode} ${res.body.slice(0, 160)}`);
          }
          if (variant === 'foreign' && got === 'hidden') {
            const unknown = await send(key, p, 'unknown', event);
            const diff = sameAsUnknown(res, unknown, foreignCase, unknownCase);
            if (diff) mismatches.push(`${p.label}: ${diff}`);
          }
        }
      }
      assert.deepEqual(mismatches, []);
    });
  }

  it('the matrix changed no case: every authorised event stopped at the version check', async () => {
    const row = await t.handle.db.selectFrom('cases').select(['state', 'version']).where('id', '=', ownCase.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { state: 'sent', version: ownCase.version });
    const foreign = await t.handle.db.selectFrom('cases').select(['state']).where('id', '=', foreignCase).executeTakeFirstOrThrow();
    assert.equal(foreign.state, 'received');
  });

  it('API tokens: every authenticated route × every scope', async () => {
    // One person with every role a route may ask for, so that only the scope decides.
    const email = 'all-roles@fr-ca.matrix';
    await t.addUser({ email, authorityId: 'fr-ca', roles: ['central-authority-officer', 'auditor', 'administrator', 'service-provider-agent'] });
    const mismatches: string[] = [];
    for (const scope of ['law:read', 'cases:read', 'cases:write', 'admin'] as const) {
      const token = await t.token(email, [scope]);
      const p: Principal = { label: `token ${scope}`, kind: 'user', email, role: 'central-authority-officer', authorityId: 'fr-ca', client: t.bearer(token) };
      // DELETE /api/tokens/:id revokes another token of the same person, not the one in use.
      ownTokenIds.set(p.label, /^cmt_([a-z2-7]{16})_/.exec(await t.token(email, [scope]))?.[1] as string);
      for (const [key, e] of Object.entries(EXPECTED)) {
        if (e.anon === 'allow' || key === 'POST /api/authorities') continue; // public, or platform-only
        if (e.scopes === 'any' && e.preMfa === 'allow') continue; // sign-in routes
        const event = key === 'POST /api/cases/:id/events/:event' ? 'send' : undefined;
        const res = await send(key, p, 'own', event);
        let want: Access = e.scopes === null ? (key === 'POST /api/tokens' ? 'forbid' : 'unauth') : e.scopes === 'any' || e.scopes.includes(scope) ? 'allow' : 'forbid';
        // The person is on the requesting side of the own case: routes of the other side refuse them.
        if (want === 'allow' && e.side !== undefined && e.side !== 'requesting') want = 'forbid';
        const got = classify(res, key);
        if (got !== want) mismatches.push(`${key} with scope ${scope}: expected ${want}, got ${got} (${res.statusCode} ${res.body.slice(0, 160)})`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('lists, totals, clocks, notifications and statistics never include a foreign case', async () => {
    // Overdue clocks notify their authorities: escalate as if forty days had passed.
    const future = new Date(t.clock.now().getTime() + 40 * 86_400_000);
    await escalateOverdue(createCaseContext(t.handle.db, t.kb, { now: () => future }));
    const callers = [
      ...principals.filter((p) => p.kind === 'user' && WORKERS.includes(p.role as Role)),
      ...(await Promise.all(['prosecutor@de.demo', 'agent@provider.demo', 'poc@jp.demo', 'officer@fr.demo', 'officer@us.demo'].map(async (email) => ({ label: email, authorityId: t.user(email).authorityId, client: await t.as(email) })))),
    ];
    let checked = 0;
    for (const p of callers) {
      const authority = p.authorityId as string;
      const own = await t.handle.db
        .selectFrom('cases')
        .select('id')
        // Own: requested by the authority, or addressed to it once sent (drafts stay with the requesting side).
        .where((eb) => eb.or([eb('requesting_authority_id', '=', authority), eb.and([eb('addressee_id', '=', authority), eb('sent_at', 'is not', null)])]))
        .execute();
      const ownIds = new Set(own.map((r) => r.id));
      const list = await p.client.get('/api/cases', { query: { limit: '500' } });
      assert.equal(list.statusCode, 200, `${p.label}: ${list.body}`);
      const body = list.json<{ total: number; cases: CaseSummary[] }>();
      assert.equal(body.total, ownIds.size, `${p.label}: total counts own cases only`);
      assert.deepEqual(new Set(body.cases.map((c) => c.id)), ownIds, `${p.label}: the list is exactly the own cases`);
      for (const state of ['draft', 'sent', 'received']) {
        const filtered = (await p.client.get('/api/cases', { query: { state, limit: '500' } })).json<{ total: number; cases: CaseSummary[] }>();
        assert.ok(filtered.cases.every((c) => ownIds.has(c.id)), `${p.label}: state ${state}`);
        assert.equal(filtered.total, filtered.cases.length);
      }
      const clocks = (await p.client.get('/api/deadlines')).json<{ caseId: string }[]>();
      assert.ok(clocks.every((c) => ownIds.has(c.caseId)), `${p.label}: deadlines`);
      const overdue = (await p.client.get('/api/deadlines', { query: { overdue: 'true' } })).json<{ caseId: string }[]>();
      assert.ok(overdue.every((c) => ownIds.has(c.caseId)), `${p.label}: overdue deadlines`);
      const notes = (await p.client.get('/api/notifications')).json<{ caseId: string }[]>();
      assert.ok(notes.every((n) => ownIds.has(n.caseId)), `${p.label}: notifications`);
      const stats = (await p.client.get('/api/stats')).json<{ total: number; byState: Record<string, number> }>();
      assert.equal(stats.total, ownIds.size, `${p.label}: statistics`);
      assert.equal(Object.values(stats.byState).reduce((a, b) => a + b, 0), ownIds.size);
      if (authority === 'fr-ca' || authority === 'us-doj-oia') {
        assert.ok(!ownIds.has(foreignCase));
        assert.ok(!list.body.includes(foreignCase) && !JSON.stringify(clocks).includes(foreignCase) && !JSON.stringify(notes).includes(foreignCase));
      }
      checked += 1;
    }
    assert.ok(checked >= 15);
    // The check has teeth: the provider does see the German order, and its clock and notification.
    const agent = await t.as('agent@provider.demo');
    assert.ok((await agent.get('/api/cases')).body.includes(foreignCase));
    assert.ok((await agent.get('/api/notifications')).body.includes(foreignCase));
  });

  it('HEAD follows the policy of GET on every GET route', async () => {
    const mismatches: string[] = [];
    for (const key of Object.keys(EXPECTED).filter((k) => k.startsWith('GET '))) {
      for (const p of principals.filter((x) => x.kind === 'anon' || x.label === 'central-authority-officer (fr-ca)' || x.label === 'administrator (fr-ca)')) {
        const get = await send(key, p, 'own');
        const url = get.raw.req.url ?? '';
        const head = await p.client.request('HEAD', url);
        if (head.statusCode !== get.statusCode) mismatches.push(`HEAD ${url} as ${p.label}: ${head.statusCode}, GET: ${get.statusCode}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
});
