/**
 * The policy table, enumerated: its format holds for every entry, every case event has its rule,
 * the CLI's commands point at routes of the table, and the routes anyone may call without signing
 * in are written out here — adding one fails this test until a reviewer has looked at it. (The
 * authorisation matrix, test/http/authz-matrix.test.ts, checks the decisions against a running app.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CASE_EVENTS } from '../cases/index.js';
import { ROLES, API_SCOPES } from '../auth/index.js';
import { CASE_EVENT_ROLES, CLI_ROUTES, OPERATOR_RIGHTS, POLICIES } from './policies.js';

test('every route entry is `METHOD /path` with a well-formed policy', () => {
  for (const [key, policy] of Object.entries(POLICIES)) {
    assert.match(key, /^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, key);
    if (policy.kind !== 'authenticated') continue;
    assert.ok(policy.scope === null || API_SCOPES.includes(policy.scope), `${key}: scope ${policy.scope}`);
    for (const role of policy.roles ?? []) assert.ok(ROLES.includes(role), `${key}: role ${role}`);
    if (policy.case) assert.match(key, /\/:id(\/|$)/, `${key}: a case side needs a case id in the path`);
  }
});

test('the routes open without sign-in are exactly these', () => {
  const open = Object.entries(POLICIES)
    .filter(([, p]) => p.kind === 'public' || p.kind === 'pre-mfa')
    .map(([key, p]) => `${key}${p.kind === 'public' && p.cost === 'costly' ? ' (costly)' : ''}`)
    .sort();
  assert.deepEqual(open, [
    'GET /*',
    'GET /api/auth/me',
    'GET /api/auth/oidc/callback',
    'GET /api/auth/oidc/login',
    // Federation: a node's keys and agreement are public; a peer's envelope is authenticated by its signatures.
    'GET /api/exchange/agreement',
    'GET /api/exchange/jwks',
    'GET /api/law/bases',
    'GET /api/law/deadlines',
    'GET /api/law/instruments',
    'GET /api/law/instruments/:id/status',
    'GET /api/law/matrix (costly)',
    'GET /api/law/offences',
    'GET /api/law/participation',
    'GET /api/law/parties',
    'GET /api/law/parties/:party',
    // Witnessing (c2sp.org/tlog-witness): the log's signature authenticates a submission; views are public commitments.
    'GET /api/witness/:originHash/checkpoint',
    'GET /errors',
    'GET /healthz',
    'GET /readyz',
    'POST /api/auth/login',
    'POST /api/auth/logout',
    'POST /api/auth/totp',
    'POST /api/auth/totp/confirm',
    'POST /api/auth/totp/enrol',
    'POST /api/exchange/messages',
    'POST /api/witness/add-checkpoint',
  ]);
  assert.deepEqual(POLICIES['GET /metrics'], { kind: 'operator-token' });
});

test('every case event has its side and roles; approval keeps separation of duties', () => {
  assert.deepEqual(Object.keys(CASE_EVENT_ROLES).sort(), [...CASE_EVENTS].sort());
  for (const [event, rule] of Object.entries(CASE_EVENT_ROLES)) {
    assert.ok(rule.roles.length > 0, event);
    for (const role of rule.roles) assert.ok(ROLES.includes(role), `${event}: ${role}`);
  }
  assert.equal(CASE_EVENT_ROLES.approve.distinctFromDrafter, true);
  assert.deepEqual(CASE_EVENT_ROLES.approve.roles, ['reviewer']);
});

test('the CLI: its commands map to routes of the table; the operator may run only what is listed', () => {
  for (const [command, route] of Object.entries(CLI_ROUTES)) assert.ok(POLICIES[route], `${command} → ${route}`);
  assert.deepEqual(Object.keys(OPERATOR_RIGHTS).sort(), ['authorities create', 'authorities list', 'cases deadlines']);
  for (const [command, right] of Object.entries(OPERATOR_RIGHTS)) if (right.route !== null) assert.ok(POLICIES[right.route], command);
});
