/**
 * Fuzzing every route with fast-check: malformed bodies (random JSON, templates with wrong types,
 * missing and unknown fields, huge strings, deep nesting, invalid UTF-8, truncated JSON, prototype
 * pollution), wrong and missing content types, malformed path parameters and query strings
 * (unicode, `%`, NUL, path traversal, duplicates, unknown keys), and odd headers (garbage cookies,
 * Authorization and x-csrf-token) — each request sent as a signed-in central authority officer
 * and as an anonymous caller.
 *
 * The property: no response is a 5xx, and every 4xx is `application/problem+json` with a `code`
 * from the registry and the matching `status`. The number of runs is bounded so that the file
 * runs in well under a minute; set FUZZ_SEED to replay a run, FUZZ_RUNS to go further.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { CASE_EVENTS, CASE_STATES } from '../../src/cases/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { POLICIES } from '../../src/http/policies.js';
import { PROBLEMS } from '../../src/http/problems.js';
import { INSTRUMENT_IDS, MEASURES } from '../../src/law/index.js';
import { buildTestApp, DEMO_PASSWORD, type Session, type TestApp } from './harness.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2_147_483_647 : Number(process.env.FUZZ_SEED);

/** Strings that break naive code. */
const NASTY = [
  '',
  ' ',
  '%',
  '%%',
  '%25',
  '%00',
  '\u0000',
  '..',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'true',
  '-1',
  '0',
  '1e400',
  'NaN',
  '0x10',
  '9'.repeat(40),
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '😀',
  '\u202e',
  '\ud800',
  'é'.normalize('NFD'),
  'a'.repeat(300),
];

const fuzzString = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }), weight: 2 },
);

/** encodeURIComponent that never throws (a lone surrogate becomes U+FFFD, as a browser sends it). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

/** Header values as HTTP allows them (visible ASCII, Latin-1, spaces and tabs). */
function headerSafe(text: string): string {
  return [...text].filter((ch) => {
    const c = ch.codePointAt(0) as number;
    return c === 9 || (c >= 32 && c !== 127 && c <= 255);
  }).join('');
}

interface RouteSpec {
  key: string;
  params: Record<string, fc.Arbitrary<string>>;
  /** Plausible values per query key; random keys are added too. */
  query: Record<string, fc.Arbitrary<string>>;
  /** A valid body, mutated by the fuzzer. */
  body: (() => unknown) | null;
}

function oneOrFuzz(...values: string[]): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 2 }, { arbitrary: fuzzString, weight: 1 });
}

/**
 * Fastify's router refuses path parameters over 100 characters with its own 414 (a known bug,
 * see the todo test at the end): the main properties keep parameters within that length.
 */
const MAX_PARAM_LENGTH = 100;
function pathParam(arb: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return arb.filter((v) => encode(v).length <= MAX_PARAM_LENGTH);
}

interface BuiltRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  label: string;
}

/** Every leaf path of a JSON value, for mutations. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  const out: (string | number)[][] = [prefix];
  for (const [k, v] of entries) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutate(template: unknown, pick: number, op: 'replace' | 'delete' | 'add', value: unknown, key: string): unknown {
  const copy = JSON.parse(JSON.stringify(template)) as unknown;
  const all = paths(copy);
  const path = all[pick % all.length] as (string | number)[];
  if (path.length === 0) return op === 'replace' ? value : copy;
  let parent = copy as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (op === 'replace') parent[last] = value;
  else if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (typeof parent === 'object' && parent !== null && !Array.isArray(parent)) parent[key] = value;
  return copy;
}

describe('fuzzing every route [sqlite]', () => {
  let t: TestApp;
  let officer: Session;
  let ownCase: string;
  let foreignCase: string;
  let sent = 0;
  const statuses = new Map<number, number>();

  before(async () => {
    t = await buildTestApp('sqlite');
    officer = await t.signIn('officer@fr.demo');
    // Dedicated accounts: login fuzzing may lock the first; logout fuzzing uses sessions of the second.
    await t.addUser({ email: 'fuzz@fr.test', authorityId: 'fr-ca', roles: ['drafter'] });
    await t.addUser({ email: 'logout@fr.test', authorityId: 'fr-ca', roles: ['drafter'] });
    const own = (await (await t.as(officer)).get('/api/cases')).json<{ cases: { id: string }[] }>();
    ownCase = own.cases[0]?.id as string;
    foreignCase = (await t.handle.db.selectFrom('cases').select('id').where('requesting_authority_id', '=', 'de-sta-koeln').executeTakeFirstOrThrow()).id;
  });
  after(async () => {
    console.log(`fuzz: ${sent} requests sent (seed ${SEED}, ${RUNS} runs per route); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    await t?.close();
  });

  const caseId = () => pathParam(fc.oneof({ arbitrary: fc.constantFrom('OWN', 'FOREIGN', '01900000-0000-7000-8000-000000000000'), weight: 2 }, { arbitrary: fuzzString, weight: 1 }));
  const date = oneOrFuzz('2026-01-15', '2026-02-30', '2026-13-01', '15/01/2026');
  const bool = oneOrFuzz('true', 'false', 'yes');
  const SPECS: RouteSpec[] = [
    { key: 'GET /healthz', params: {}, query: {}, body: null },
    { key: 'GET /readyz', params: {}, query: {}, body: null },
    { key: 'GET /metrics', params: {}, query: {}, body: null },
    { key: 'GET /errors', params: {}, query: {}, body: null },
    { key: 'GET /api/law/instruments', params: {}, query: {}, body: null },
    { key: 'GET /api/law/instruments/:id/status', params: { id: pathParam(oneOrFuzz(...INSTRUMENT_IDS)) }, query: { date }, body: null },
    { key: 'GET /api/law/parties', params: {}, query: {}, body: null },
    { key: 'GET /api/law/parties/:party', params: { party: pathParam(oneOrFuzz('FR', 'us', 'EU', 'XX', 'F', 'FRA')) }, query: { date }, body: null },
    { key: 'GET /api/law/participation', params: {}, query: { instrument: oneOrFuzz(...INSTRUMENT_IDS), date }, body: null },
    { key: 'GET /api/law/offences', params: {}, query: {}, body: null },
    { key: 'GET /api/law/bases', params: {}, query: { from: oneOrFuzz('FR', 'DE', 'EU'), to: oneOrFuzz('US', 'JP', 'IE'), measure: oneOrFuzz(...MEASURES), date, emergency: bool, offence: oneOrFuzz('illegal-access', 'jaywalking') }, body: null },
    {
      key: 'GET /api/law/deadlines',
      params: {},
      query: { instrument: oneOrFuzz(...INSTRUMENT_IDS), measure: oneOrFuzz(...MEASURES), received: oneOrFuzz('2026-11-02T10:00:00Z', '2026-11-02T10:00:00+01:00', '2026-11-02'), tz: oneOrFuzz('Europe/Paris', 'UTC', 'Mars/Olympus', '+01:00'), emergency: bool },
      body: null,
    },
    // A valid instrument computes a whole matrix (~1 s): rarely.
    { key: 'GET /api/law/matrix', params: {}, query: { instrument: fc.oneof({ arbitrary: fc.constant('ETS185'), weight: 1 }, { arbitrary: fc.constant('EU-US'), weight: 10 }, { arbitrary: fuzzString, weight: 10 }), date }, body: null },
    { key: 'POST /api/auth/login', params: {}, query: {}, body: () => ({ email: 'fuzz@fr.test', password: 'not the password' }) },
    { key: 'POST /api/auth/logout', params: {}, query: {}, body: null },
    { key: 'POST /api/auth/totp', params: {}, query: {}, body: () => ({ code: '123456' }) },
    { key: 'POST /api/auth/totp/enrol', params: {}, query: {}, body: null },
    { key: 'POST /api/auth/totp/confirm', params: {}, query: {}, body: () => ({ code: '123456' }) },
    { key: 'GET /api/auth/me', params: {}, query: {}, body: null },
    { key: 'GET /api/auth/oidc/login', params: {}, query: {}, body: null },
    { key: 'GET /api/auth/oidc/callback', params: {}, query: { code: fuzzString, state: fuzzString }, body: null },
    { key: 'GET /api/authorities', params: {}, query: {}, body: null },
    { key: 'POST /api/authorities', params: {}, query: {}, body: () => ({ id: 'es-fuzz', party: 'ES', kind: 'central-authority', name: 'Spain', timeZone: 'Europe/Madrid', languages: ['es'], contact: { email: 'a@b.es' } }) },
    { key: 'GET /api/users', params: {}, query: {}, body: null },
    { key: 'POST /api/users', params: {}, query: {}, body: () => ({ email: 'new@fr.test', displayName: 'New', authorityId: 'fr-ca', roles: ['drafter'], password: DEMO_PASSWORD }) },
    { key: 'GET /api/tokens', params: {}, query: {}, body: null },
    { key: 'POST /api/tokens', params: {}, query: {}, body: () => ({ name: 'fuzz', scopes: ['cases:read'], expiresInDays: 1 }) },
    { key: 'DELETE /api/tokens/:id', params: { id: pathParam(fuzzString) }, query: {}, body: null },
    { key: 'GET /api/cases', params: {}, query: { state: oneOrFuzz(...CASE_STATES), limit: oneOrFuzz('1', '0', '500', '501', '-1', '1.5'), offset: oneOrFuzz('0', '1', '1000001') }, body: null },
    { key: 'POST /api/cases', params: {}, query: {}, body: () => preservationRequestFrToUs() },
    { key: 'GET /api/cases/:id', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/cases/:id/audit', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/cases/:id/audit/:eventId/proof', params: { id: caseId(), eventId: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'GET /api/cases/:id/access', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/ledger', params: {}, query: {}, body: null },
    { key: 'POST /api/ledger/checkpoint', params: {}, query: {}, body: null },
    { key: 'GET /api/ledger/consistency', params: {}, query: { from: oneOrFuzz('1', '0', '-1', '1.5', '99999999999999999999'), to: oneOrFuzz('2', '1', '100000') }, body: null },
    { key: 'GET /api/ledger/log/checkpoint', params: {}, query: {}, body: null },
    { key: 'GET /api/ledger/log/tile/*', params: { '*': fc.oneof(fc.constantFrom('0/000', '0/000.p/1', 'entries/000.p/3', '1/x001/234', '64/000'), fuzzString.map(encode)) }, query: {}, body: null },
    { key: 'PUT /api/cases/:id', params: { id: caseId() }, query: { expectedVersion: oneOrFuzz('1', '0', '-1', '1.5', '99999999999999999999') }, body: () => preservationRequestFrToUs() },
    { key: 'GET /api/cases/:id/pdf', params: { id: caseId() }, query: {}, body: null },
    { key: 'POST /api/cases/:id/attachments', params: { id: caseId() }, query: {}, body: () => ({ name: 'response.txt', mediaType: 'text/plain', contentBase64: Buffer.from('preserved').toString('base64') }) },
    { key: 'GET /api/cases/:id/attachments', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/cases/:id/attachments/:attachmentId', params: { id: caseId(), attachmentId: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'POST /api/cases/:id/evidence/uploads', params: { id: caseId() }, query: {}, body: () => ({ name: 'mailbox.mbox', length: 12, dataCategory: 'content', producer: 'Example Mail Inc.', producedAt: '2026-11-20T09:00:00Z' }) },
    { key: 'GET /api/cases/:id/evidence/uploads/:uploadId', params: { id: caseId(), uploadId: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'PATCH /api/cases/:id/evidence/uploads/:uploadId', params: { id: caseId(), uploadId: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: () => ({ bytes: 'not a stream' }) },
    { key: 'DELETE /api/cases/:id/evidence/uploads/:uploadId', params: { id: caseId(), uploadId: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'GET /api/cases/:id/evidence', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/cases/:id/evidence/custody', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/cases/:id/evidence/export', params: { id: caseId() }, query: { items: oneOrFuzz('01900000-0000-7000-8000-000000000000', 'a,b'), purpose: oneOrFuzz('disclosure to the defence') }, body: null },
    { key: 'GET /api/cases/:id/evidence/:itemId/content', params: { id: caseId(), itemId: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    {
      key: 'POST /api/cases/:id/events/:event',
      params: { id: caseId(), event: pathParam(oneOrFuzz(...CASE_EVENTS)) },
      query: {},
      body: () => ({ reason: 'Because of the facts.', review: DEMO_REVIEW, assessment: { grounds: [{ ground: 'political-offence', applies: false }], decision: 'accept' }, response: { summary: 'x' }, expectedVersion: 1 }),
    },
    { key: 'GET /api/deadlines', params: {}, query: { overdue: bool, dueWithinHours: oneOrFuzz('1', '0', '8785', '24') }, body: null },
    { key: 'GET /api/notifications', params: {}, query: {}, body: null },
    { key: 'PATCH /api/users/:id', params: { id: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: () => ({ roles: ['drafter'] }) },
    { key: 'POST /api/users/:id/disable', params: { id: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'POST /api/users/:id/enable', params: { id: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'POST /api/users/:id/password', params: { id: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: () => ({ password: 'short' }) },
    { key: 'POST /api/users/:id/second-factor/reset', params: { id: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'GET /api/admin/tokens', params: {}, query: {}, body: null },
    { key: 'DELETE /api/admin/tokens/:id', params: { id: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'GET /api/me/notifications', params: {}, query: { unread: bool, limit: oneOrFuzz('1', '0', '501', '50') }, body: null },
    { key: 'POST /api/me/notifications/read', params: {}, query: {}, body: () => ({ ids: ['01900000-0000-7000-8000-000000000000'] }) },
    { key: 'GET /api/me/notification-preferences', params: {}, query: {}, body: null },
    { key: 'PUT /api/me/notification-preferences', params: {}, query: {}, body: () => ({ preferences: [{ kind: 'decision', inApp: true, email: false }] }) },
    { key: 'GET /api/stats', params: {}, query: {}, body: null },
    { key: 'GET /api/stats.csv', params: {}, query: {}, body: null },
    { key: 'POST /api/exchange/messages', params: {}, query: {}, body: () => 'not.a.jwe' },
    { key: 'GET /api/exchange/jwks', params: {}, query: {}, body: null },
    { key: 'GET /api/exchange/agreement', params: {}, query: {}, body: null },
    { key: 'GET /api/exchange/stuck', params: {}, query: {}, body: null },
    { key: 'GET /api/cases/:id/deliveries', params: { id: caseId() }, query: {}, body: null },
    // Issue 16: linked requests and internal targets.
    { key: 'GET /api/cases/:id/linked', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/cases/:id/targets', params: { id: caseId() }, query: {}, body: null },
    // Issue 12: evidence transfers and refused messages.
    { key: 'GET /api/exchange/transfers/:transferId/chunks/:index', params: { transferId: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')), index: pathParam(oneOrFuzz('0', '1', '-1', '1.5', '99999999999999999999')) }, query: {}, body: null },
    { key: 'GET /api/cases/:id/transfers', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/exchange/rejected', params: {}, query: {}, body: null },
    // Issue 11/12: witnessing (the body is the C2SP text form; JSON and garbage must be refused alike).
    { key: 'POST /api/witness/add-checkpoint', params: {}, query: {}, body: () => 'old 0\n\nexample.com/log\n1\nAAAA\n' },
    { key: 'GET /api/witness/:originHash/checkpoint', params: { originHash: pathParam(oneOrFuzz('0'.repeat(64), 'zz')) }, query: {}, body: null },
    // Issue 14: e-Evidence orders, providers and the provider's node.
    { key: 'GET /api/providers', params: {}, query: {}, body: null },
    { key: 'POST /api/providers', params: {}, query: {}, body: () => ({ id: 'fuzz-provider', name: 'Fuzz Mail', establishedIn: 'US', representative: 'ie-provider', representativeKind: 'legal-representative' }) },
    { key: 'GET /api/orders', params: {}, query: {}, body: null },
    { key: 'POST /api/orders', params: {}, query: {}, body: () => ({ issuingAuthority: 'fr-ca', certificate: { order: 'EPOC' } }) },
    { key: 'GET /api/orders/form', params: {}, query: {}, body: null },
    { key: 'GET /api/orders/rules', params: {}, query: {}, body: null },
    { key: 'GET /api/orders/:id', params: { id: caseId() }, query: {}, body: null },
    { key: 'GET /api/orders/:id/document', params: { id: caseId() }, query: { form: oneOrFuzz('annex-i', 'annex-iii', 'annex-ix'), lang: oneOrFuzz('en', 'fr', 'xx'), part: oneOrFuzz('pdf', 'signature', 'p7s') }, body: null },
    { key: 'POST /api/orders/:id/events/:event', params: { id: caseId(), event: pathParam(oneOrFuzz('acknowledge', 'produce', 'withdraw', 'annex-iii')) }, query: {}, body: () => ({ reason: 'Because.' }) },
    { key: 'GET /api/provider/orders', params: {}, query: {}, body: null },
    { key: 'GET /api/provider/orders/:orderId', params: { orderId: pathParam(oneOrFuzz('01900000-0000-7000-8000-000000000000')) }, query: {}, body: null },
    { key: 'GET /api/provider/report', params: {}, query: { from: date, to: date }, body: null },
    { key: 'GET /api/provider/report.csv', params: {}, query: { from: date, to: date }, body: null },
    { key: 'GET /api/provider/art28', params: {}, query: { year: oneOrFuzz('2026', '0', '99999') }, body: null },
    { key: 'GET /*', params: { '*': fc.array(fc.oneof(fuzzString, fc.constantFrom('..', '.env', 'assets', 'x.js', 'api', 'docs', 'index.html', 'cases')), { maxLength: 5 }).map((segments) => segments.map(encode).join('/')) }, query: {}, body: null },
  ];

  it('every route of the policy table has a fuzz spec', () => {
    assert.deepEqual(SPECS.map((s) => s.key).sort(), Object.keys(POLICIES).sort());
  });

  /** Bodies: random JSON, mutated templates, and bytes no parser should trip over. */
  function bodyArb(spec: RouteSpec): fc.Arbitrary<{ payload: string | Buffer | undefined; note: string }> {
    const template = spec.body?.() ?? {};
    const json = (v: unknown) => ({ payload: JSON.stringify(v), note: 'json' });
    return fc.oneof(
      { arbitrary: fc.constant({ payload: JSON.stringify(template), note: 'template' }), weight: 2 },
      { arbitrary: fc.tuple(fc.nat(), fc.constantFrom('replace', 'delete', 'add') as fc.Arbitrary<'replace' | 'delete' | 'add'>, fc.oneof(fc.jsonValue({ maxDepth: 3 }), fuzzString), fuzzString).map(([pick, op, value, key]) => json(mutate(template, pick, op, value, key))), weight: 6 },
      { arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json), weight: 3 },
      { arbitrary: fc.constant({ payload: undefined, note: 'no body' }), weight: 1 },
      { arbitrary: fc.constant({ payload: '', note: 'empty body' }), weight: 1 },
      { arbitrary: fc.nat({ max: 200 }).map((n) => ({ payload: JSON.stringify(template).slice(0, n), note: 'truncated' })), weight: 1 },
      { arbitrary: fc.integer({ min: 10_000, max: 1_200_000 }).map((n) => ({ payload: JSON.stringify({ ...(template as object), name: 'x'.repeat(n), reason: 'r'.repeat(n) }), note: `huge ${n}` })), weight: 1 },
      {
        arbitrary: fc.tuple(fc.integer({ min: 100, max: 60_000 }), fc.boolean()).map(([n, arrays]) => ({ payload: arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}{"__proto__":1}${'}'.repeat(n)}`, note: `deep ${n}` })),
        weight: 1,
      },
      {
        arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ payload: Buffer.concat([Buffer.from('{"name":"'), Buffer.from(bytes), Buffer.from('","scopes":["cases:read"],"expiresInDays":1}')]), note: 'invalid utf-8' })),
        weight: 1,
      },
      { arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ payload: Buffer.from(bytes), note: 'random bytes' })), weight: 1 },
      { arbitrary: fc.constant({ payload: `{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},${JSON.stringify(template).slice(1)}`, note: 'prototype pollution' }), weight: 1 },
    );
  }

  const contentType = fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 10 },
    { arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=latin1', 'APPLICATION/JSON', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/problem+json', ';', 'application/json;;;'), weight: 3 },
    { arbitrary: fuzzString.map(headerSafe), weight: 1 },
  );

  const garbageHeaders = fc.record(
    {
      cookie: fc.oneof(fuzzString.map((s) => `comity_session=${headerSafe(s)}`), fuzzString.map(headerSafe), fc.constant('comity_session=; comity_session=x'), fuzzString.map((s) => `comity_csrf=${headerSafe(s)}; comity_session=${'A'.repeat(43)}`)),
      authorization: fc.oneof(fuzzString.map((s) => `Bearer ${headerSafe(s)}`), fuzzString.map(headerSafe), fc.constant('Bearer cmt_aaaaaaaaaaaaaaaa_' + 'a'.repeat(43)), fc.constant('Basic Zm9vOmJhcg=='), fc.constant('Bearer ')),
      csrf: fuzzString.map(headerSafe),
      requestId: fuzzString.map(headerSafe),
      accept: fc.constantFrom('text/html', '*/*', 'application/json', ''),
    },
    { requiredKeys: [] },
  );
  // Mostly the caller's own headers, so that the officer's requests reach the handlers.
  const headersArb = fc.oneof({ arbitrary: fc.constant({} as Partial<{ cookie: string; authorization: string; csrf: string; requestId: string; accept: string }>), weight: 3 }, { arbitrary: garbageHeaders, weight: 1 });

  function requestArb(spec: RouteSpec) {
    const [method, template] = spec.key.split(' ') as [string, string];
    const paramArb = fc.record(spec.params) as fc.Arbitrary<Record<string, string>>;
    const queryPairs = fc.array(
      fc.oneof(
        ...Object.entries(spec.query).map(([k, arb]) => arb.map((v) => [k, v] as [string, string])),
        fc.tuple(fuzzString, fuzzString) as fc.Arbitrary<[string, string]>,
      ),
      { maxLength: 6 },
    );
    // Each value is percent-encoded, or (sometimes) sent raw: stray `%`, spaces, unicode.
    const rawQuery = fc.boolean();
    return fc.record({
      params: paramArb,
      query: queryPairs,
      rawQuery,
      body: bodyArb(spec),
      contentType,
      headers: headersArb,
      method: fc.constant(method),
      template: fc.constant(template),
    });
  }

  type Req = ReturnType<typeof requestArb> extends fc.Arbitrary<infer R> ? R : never;

  function build(r: Req, who: 'officer' | 'anonymous', logoutSession: Session | null): BuiltRequest {
    let path = r.template;
    for (const [name, value] of Object.entries(r.params)) {
      const v = value === 'OWN' ? ownCase : value === 'FOREIGN' ? foreignCase : value;
      path = name === '*' ? `/${value}` : path.replace(`:${name}`, encode(v));
    }
    const qs = r.query.map(([k, v]) => (r.rawQuery ? `${k.replace(/[#\s]/g, '')}=${v.replace(/[#\s]/g, '')}` : `${encode(k)}=${encode(v)}`)).join('&');
    const headers: Record<string, string> = {};
    const session = r.template === '/api/auth/logout' ? logoutSession : officer;
    if (who === 'officer' && session) {
      headers.cookie = session.cookie;
      headers['x-csrf-token'] = session.csrf;
    }
    const h = r.headers;
    if (h.cookie !== undefined) headers.cookie = headers.cookie ? `${headers.cookie}; ${h.cookie}` : h.cookie;
    if (h.authorization !== undefined) headers.authorization = h.authorization;
    if (h.csrf !== undefined) headers['x-csrf-token'] = h.csrf;
    if (h.requestId !== undefined) headers['x-request-id'] = h.requestId;
    if (h.accept !== undefined) headers.accept = h.accept;
    const built: BuiltRequest = { method: r.method, url: qs ? `${path}?${qs}` : path, headers, label: `${r.method} ${path} (${who}, body ${r.body.note})` };
    if (r.body.payload !== undefined) {
      built.payload = r.body.payload;
      headers['content-type'] = r.contentType;
    }
    return built;
  }

  function check(res: LightMyRequestResponse, req: BuiltRequest): void {
    const where = `${req.label}\n  url: ${req.url.slice(0, 300)}\n  headers: ${JSON.stringify(req.headers).slice(0, 400)}\n  payload: ${String(req.payload ?? '').slice(0, 300)}\n  → ${res.statusCode} ${res.body.slice(0, 300)}`;
    assert.ok(res.statusCode < 500, `5xx: ${where}`);
    if (res.statusCode >= 400) {
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `4xx without problem+json: ${where}`);
      const body = res.json<{ code: string; status: number; type: string; title: string }>();
      assert.ok(Object.hasOwn(PROBLEMS, body.code), `unknown problem code ${body.code}: ${where}`);
      assert.equal(body.status, res.statusCode, `problem status: ${where}`);
      assert.equal(PROBLEMS[body.code as keyof typeof PROBLEMS].status, res.statusCode, `registry status: ${where}`);
      assert.ok(typeof body.type === 'string' && body.type.endsWith(`#${body.code}`), `problem type: ${where}`);
    }
  }

  async function inject(req: BuiltRequest): Promise<LightMyRequestResponse> {
    sent += 1;
    const res = await t.app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    return res;
  }

  for (const spec of SPECS) {
    it(`${spec.key}: no 5xx, every 4xx a registered problem`, async () => {
      await fc.assert(
        fc.asyncProperty(requestArb(spec), async (r) => {
          // Logging out ends the session it is sent with: use a throwaway one.
          const logoutSession = spec.key === 'POST /api/auth/logout' ? (await t.login('logout@fr.test')).session : null;
          for (const who of ['officer', 'anonymous'] as const) {
            const req = build(r, who, logoutSession);
            check(await inject(req), req);
          }
        }),
        { numRuns: spec.key === 'POST /api/auth/login' || spec.key === 'POST /api/auth/logout' || spec.key === 'POST /api/users' ? Math.ceil(RUNS / 2) : RUNS, seed: SEED },
      );
    });
  }

  it('the officer’s session survived the fuzzing (so it was fuzzed signed in)', async () => {
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: officer.cookie } });
    assert.equal(me.statusCode, 200, me.body);
  });

  it('HEAD on every GET route: no 5xx', async () => {
    const gets = SPECS.filter((s) => s.key.startsWith('GET '));
    const failures: string[] = [];
    for (const spec of gets) {
      await fc.assert(
        fc.asyncProperty(requestArb(spec), async (r) => {
          for (const who of ['officer', 'anonymous'] as const) {
            const req = { ...build({ ...r, method: 'HEAD' }, who, null), method: 'HEAD' };
            delete req.payload;
            const res = await inject(req);
            if (res.statusCode >= 500) failures.push(`HEAD ${spec.key.slice(4)} (${who}) → ${res.statusCode}`);
          }
        }),
        { numRuns: 3, seed: SEED },
      );
    }
    assert.deepEqual([...new Set(failures)], []);
  });

  it('path parameters over 100 characters: a 4xx registered problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/cases/', '/api/law/parties/', '/api/tokens/', '/api/cases/x/events/'), fc.integer({ min: MAX_PARAM_LENGTH + 1, max: 400 }), async (prefix, n) => {
        const req: BuiltRequest = { method: prefix === '/api/tokens/' ? 'DELETE' : prefix.endsWith('events/') ? 'POST' : 'GET', url: `${prefix}${'a'.repeat(n)}`, headers: {}, label: 'long parameter' };
        check(await inject(req), req);
      }),
      { numRuns: 10, seed: SEED },
    );
  });

  it('raw, malformed percent-encoding in path parameters: a 400 problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/cases/', '/api/law/parties/', '/api/tokens/', '/api/law/instruments/'), fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%ED%A0%80', 'a%'), async (prefix, bad) => {
        const req: BuiltRequest = { method: prefix === '/api/tokens/' ? 'DELETE' : 'GET', url: `${prefix}${bad}${prefix === '/api/law/instruments/' ? '/status' : ''}`, headers: {}, label: 'raw percent' };
        check(await inject(req), req);
      }),
      { numRuns: 10, seed: SEED },
    );
  });
});
