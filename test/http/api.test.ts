/**
 * The HTTP API through `app.inject()`: every route of the policy table with good and bad input,
 * sign-in and second factor, API tokens, accounts and authorities, cases and their workflow (the
 * French preservation request to the United States, end to end, by five different people),
 * problem+json errors, CSRF, body limits, security headers and cookies, and what every read and
 * every sign-in leaves in the database (`case_access`, `login_events`).
 *
 * The whole suite runs on SQLite; the journey and the records run on every engine of
 * `test/db/dialects.ts` (PGlite, and PostgreSQL when it answers).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { escalateOverdue, createCaseContext, type CaseDetail, type CaseSummary, type DeadlineView } from '../../src/cases/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { POLICIES } from '../../src/http/policies.js';
import { postgresProbe } from '../db/dialects.js';
import { assertProblem, assertSecurityHeaders, buildTestApp, DEMO_PASSWORD, setCookies, type Client, type TestApp } from './harness.js';

const ACCEPT_ASSESSMENT = { grounds: [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }], decision: 'accept' };
const UNKNOWN_CASE = '01900000-0000-7000-8000-000000000000';

interface TokenCreated {
  id: string;
  token: string;
  expiresAt: string;
}
interface LoginBody {
  user: Record<string, unknown> & { id: string; email: string; roles: string[] };
  csrfToken: string;
  expiresAt: string;
  mfaRequired: boolean;
  mfaEnrolmentRequired: boolean;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function cookieAttributes(setCookie: string[], name: string): { value: string; attributes: string[] } {
  const line = setCookie.find((c) => c.startsWith(`${name}=`));
  assert.ok(line, `Set-Cookie ${name}`);
  const [pair, ...attributes] = line.split(';').map((p) => p.trim());
  return { value: (pair ?? '').slice(name.length + 1), attributes: attributes.map((a) => a.toLowerCase()) };
}

async function countRows(t: TestApp, table: 'case_access' | 'login_events', where: { column: 'case_id' | 'user_id' | 'email_hash'; value: string }): Promise<number> {
  const row = await t.handle.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(where.column as never, '=', where.value as never)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function foreignCaseId(t: TestApp): Promise<string> {
  const row = await t.handle.db.selectFrom('cases').select('id').where('requesting_authority_id', '=', 'de-sta-koeln').where('addressee_id', '=', 'ie-provider').executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The French preservation request to the United States, through the API, by five people:
 * drafter creates, judge approves with a review, the French officer sends, the US officer
 * receives, acknowledges, assesses, accepts, executes and responds, the French officer reads the
 * response and closes. Returns the case id.
 */
async function frenchPreservationJourney(t: TestApp): Promise<string> {
  const drafter = await t.as('drafter@fr.demo');
  const judge = await t.as('judge@fr.demo');
  const frOfficer = await t.as('officer@fr.demo');
  const usOfficer = await t.as('officer@us.demo');
  const ids = {
    drafter: t.user('drafter@fr.demo').id,
    judge: t.user('judge@fr.demo').id,
    frOfficer: t.user('officer@fr.demo').id,
    usOfficer: t.user('officer@us.demo').id,
  };

  const created = await drafter.post('/api/cases', preservationRequestFrToUs({ references: { requesting: `JOURNEY-${randomUUID().slice(0, 8)}` } }));
  assert.equal(created.statusCode, 201, created.body);
  const summary = created.json<CaseSummary>();
  assert.equal(summary.state, 'draft');
  assert.equal(summary.requestingAuthorityId, 'fr-ca');
  assert.equal(summary.addresseeId, 'us-doj-oia');
  assert.equal(summary.version, 1);
  const id = summary.id;
  const event = (client: Client, name: string, body: unknown = {}) => client.post(`/api/cases/${id}/events/${name}`, body);

  // The drafter may not approve her own draft; the judge may not send.
  assertProblem(await event(drafter, 'approve', { review: DEMO_REVIEW }), 403, 'forbidden');
  const approved = await event(judge, 'approve', { review: DEMO_REVIEW, expectedVersion: 1 });
  assert.equal(approved.statusCode, 200, approved.body);
  assert.equal(approved.json<CaseSummary>().state, 'approved');
  assertProblem(await event(judge, 'send'), 403, 'forbidden');
  // The addressee does not see the request before it is sent (tenant isolation: 404, as for any unknown case).
  assertProblem(await event(usOfficer, 'send'), 404, 'not-found');
  const sent = await event(frOfficer, 'send');
  assert.equal(sent.statusCode, 200, sent.body);
  assert.equal(sent.json<CaseSummary>().state, 'sent');
  assert.ok(sent.json<CaseSummary>().sentAt);

  // The French side cannot receive its own request.
  assertProblem(await event(frOfficer, 'receive'), 403, 'forbidden');
  const steps: [string, unknown, string][] = [
    ['receive', {}, 'received'],
    ['acknowledge', {}, 'acknowledged'],
    ['start-assessment', {}, 'in-assessment'],
    ['accept', { assessment: ACCEPT_ASSESSMENT }, 'accepted'],
    ['execute', {}, 'executed'],
    ['respond', { response: { summary: 'Data preserved under 18 U.S.C. § 2703(f) for 90 days.' } }, 'responded'],
  ];
  let version = 3;
  for (const [name, body, state] of steps) {
    const res = await event(usOfficer, name, body);
    assert.equal(res.statusCode, 200, `${name}: ${res.body}`);
    const s = res.json<CaseSummary>();
    assert.equal(s.state, state, name);
    version += 1;
    assert.equal(s.version, version, `${name} bumps the version`);
  }
  // An event out of order is a conflict with the state, not a server error.
  assertProblem(await event(usOfficer, 'accept', { assessment: ACCEPT_ASSESSMENT }), 409, 'invalid-transition');
  // A stale version is refused.
  assertProblem(await event(frOfficer, 'close', { expectedVersion: 1 }), 409, 'conflict');

  const seen = await frOfficer.get(`/api/cases/${id}`);
  assert.equal(seen.statusCode, 200, seen.body);
  const detail = seen.json<CaseDetail>();
  assert.equal(detail.state, 'responded');
  const last = detail.history.at(-1);
  assert.equal(last?.event, 'respond');
  assert.deepEqual(last?.payload, { summary: 'Data preserved under 18 U.S.C. § 2703(f) for 90 days.' });
  assert.equal(last?.actor, `user:${ids.usOfficer}`);
  assert.deepEqual(detail.allowedEvents.sort(), ['close', 'lapse', 'withdraw']);

  // The drafter may close too (DRAFTERS), but the officer does it here.
  const closed = await event(frOfficer, 'close');
  assert.equal(closed.statusCode, 200, closed.body);
  assert.equal(closed.json<CaseSummary>().state, 'closed');
  assertProblem(await event(frOfficer, 'close'), 409, 'invalid-transition');

  const final = (await frOfficer.get(`/api/cases/${id}`)).json<CaseDetail>();
  assert.equal(final.state, 'closed');
  assert.deepEqual(final.allowedEvents, []);
  assert.ok(final.deleteAfter, 'a deletion date is set when the case ends');
  assert.deepEqual(
    final.history.map((e) => [e.event, e.actor]),
    [
      ['create', `user:${ids.drafter}`],
      ['approve', `user:${ids.judge}`],
      ['send', `user:${ids.frOfficer}`],
      ['receive', `user:${ids.usOfficer}`],
      ['acknowledge', `user:${ids.usOfficer}`],
      ['start-assessment', `user:${ids.usOfficer}`],
      ['accept', `user:${ids.usOfficer}`],
      ['execute', `user:${ids.usOfficer}`],
      ['respond', `user:${ids.usOfficer}`],
      ['close', `user:${ids.frOfficer}`],
    ],
  );
  assert.deepEqual(final.review, DEMO_REVIEW);

  const audit = await (await t.as('auditor@fr.demo')).get(`/api/cases/${id}/audit`);
  assert.equal(audit.statusCode, 200, audit.body);
  const rows = audit.json<{ action: string; actor: string; afterDigest: string | null; seq: number }[]>();
  assert.deepEqual(
    rows.map((r) => r.action),
    ['case.create', 'case.approve', 'case.send', 'case.receive', 'case.acknowledge', 'case.start-assessment', 'case.accept', 'case.execute', 'case.respond', 'case.close'],
  );
  assert.ok(rows.every((r) => typeof r.afterDigest === 'string' && /^[0-9a-f]{64}$/.test(r.afterDigest)));
  assert.ok(!audit.body.includes('attacker@mail.demo.invalid'), 'the audit view carries digests, not content');
  return id;
}

async function recordsChecks(t: TestApp): Promise<void> {
  // Every read of a case is recorded, with the actor: a person or a token.
  const officer = await t.as('officer@fr.demo');
  const list = (await officer.get('/api/cases')).json<{ cases: CaseSummary[] }>();
  const caseId = list.cases[0]?.id as string;
  const before = await countRows(t, 'case_access', { column: 'case_id', value: caseId });
  for (let i = 0; i < 3; i++) assert.equal((await officer.get(`/api/cases/${caseId}`)).statusCode, 200);
  assert.equal(await countRows(t, 'case_access', { column: 'case_id', value: caseId }), before + 3);
  const latest = await t.handle.db.selectFrom('case_access').selectAll().where('case_id', '=', caseId).orderBy('at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.equal(latest.actor, `user:${t.user('officer@fr.demo').id}`);
  assert.equal(latest.action, 'read');

  const token = await t.token('officer@fr.demo', ['cases:read']);
  const tokenId = /^cmt_([a-z2-7]{16})_/.exec(token)?.[1];
  assert.equal((await t.bearer(token).get(`/api/cases/${caseId}`)).statusCode, 200);
  assert.equal(await countRows(t, 'case_access', { column: 'case_id', value: caseId }), before + 4);
  const byToken = await t.handle.db.selectFrom('case_access').select('actor').where('case_id', '=', caseId).where('actor', '=', `token:${tokenId}`).execute();
  assert.equal(byToken.length, 1);

  // A refused read (unknown, foreign, wrong role) records nothing and shows nothing.
  const foreign = await foreignCaseId(t);
  const foreignBefore = await countRows(t, 'case_access', { column: 'case_id', value: foreign });
  assertProblem(await officer.get(`/api/cases/${foreign}`), 404, 'not-found');
  assert.equal(await countRows(t, 'case_access', { column: 'case_id', value: foreign }), foreignBefore);

  // Every sign-in attempt is logged, with the SHA-256 of the address and never the address.
  const email = 'drafter@fr.demo';
  const hash = sha256(email);
  const logins = () => countRows(t, 'login_events', { column: 'email_hash', value: hash });
  const start = await logins();
  assert.equal((await t.login(email)).response.statusCode, 200);
  assert.equal((await t.login(email, 'wrong password 1')).response.statusCode, 401);
  assert.equal((await t.login(` ${email.toUpperCase()} `)).response.statusCode, 200, 'the address is normalised');
  assert.equal(await logins(), start + 3);
  const outcomes = await t.handle.db.selectFrom('login_events').select(['outcome', 'user_id']).where('email_hash', '=', hash).orderBy('at', 'desc').orderBy('id', 'desc').limit(3).execute();
  assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['bad-password', 'success', 'success']);
  assert.ok(outcomes.every((o) => o.user_id === t.user(email).id));

  const unknown = `nobody-${randomUUID().slice(0, 8)}@fr.demo`;
  assert.equal((await t.login(unknown, 'whatever-password')).response.statusCode, 401);
  const unknownRows = await t.handle.db.selectFrom('login_events').selectAll().where('email_hash', '=', sha256(unknown)).execute();
  assert.equal(unknownRows.length, 1);
  assert.equal(unknownRows[0]?.outcome, 'unknown-user');
  assert.equal(unknownRows[0]?.user_id, null);

  // The second factor: a failure and a success are logged too.
  const judgeHash = sha256('judge@fr.demo');
  const judgeBefore = await countRows(t, 'login_events', { column: 'email_hash', value: judgeHash });
  const { session } = await t.login('judge@fr.demo');
  assert.ok(session);
  const pending = await t.as(session);
  assertProblem(await pending.post('/api/auth/totp', { code: t.wrongTotp('judge@fr.demo') }), 401, 'mfa-invalid');
  assert.equal((await pending.post('/api/auth/totp', { code: t.nextTotp('judge@fr.demo') })).statusCode, 200);
  const judgeRows = await t.handle.db.selectFrom('login_events').select('outcome').where('email_hash', '=', judgeHash).orderBy('at', 'desc').orderBy('id', 'desc').limit(3).execute();
  assert.equal(await countRows(t, 'login_events', { column: 'email_hash', value: judgeHash }), judgeBefore + 3);
  assert.deepEqual(judgeRows.map((r) => r.outcome).sort(), ['mfa-failed', 'mfa-success', 'success']);
}

describe('HTTP API [sqlite]', () => {
  let t: TestApp;
  let anon: Client;
  before(async () => {
    t = await buildTestApp('sqlite');
    anon = t.anonymous;
  });
  after(() => t?.close());

  describe('operations', () => {
    it('GET /healthz answers ok, with the security headers', async () => {
      const res = await anon.get('/healthz');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok' });
      assertSecurityHeaders(res, '/healthz');
    });

    it('GET /readyz answers ready with the database kind', async () => {
      const res = await anon.get('/readyz');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { status: 'ready', database: 'sqlite' });
    });

    it('GET /metrics is Prometheus text with request counts by route template (no identifiers), only for the scraper’s token', async () => {
      assertProblem(await anon.get('/metrics'), 404, 'not-found');
      const token = 'm'.repeat(40);
      const scraped = await t.appWith({ metricsToken: token });
      assertProblem(await scraped.inject({ method: 'GET', url: '/metrics' }), 401, 'unauthenticated');
      assertProblem(await scraped.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${'x'.repeat(40)}` } }), 401, 'unauthenticated');
      await scraped.inject({ method: 'GET', url: '/api/law/instruments/ETS185/status' });
      const res = await scraped.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.match(res.body, /comity_http_requests_total\{method="GET",route="\/api\/law\/instruments\/:id\/status",status="200"\} \d+/);
      assert.ok(!res.body.includes('ETS185/status'), 'route templates, not URLs');
    });

    it('GET /openapi.json is OpenAPI 3.1 and documents every route of the policy table', async () => {
      const res = await anon.get('/openapi.json');
      assert.equal(res.statusCode, 200);
      const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
      assert.equal(doc.openapi, '3.1.0');
      for (const key of Object.keys(POLICIES)) {
        const [method, path] = key.split(' ') as [string, string];
        if (path === '/*') continue; // the workspace's wildcard is hidden from the API description
        // A wildcard (the ledger's tiles) is `{*}` in OpenAPI.
        const openapiPath = path.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\*$/, '{*}');
        assert.ok(doc.paths[openapiPath]?.[method.toLowerCase()], `${key} is documented`);
      }
      const create = doc.paths['/api/cases']?.post as { parameters?: { in: string; name: string }[] } | undefined;
      assert.ok(create?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'), 'POST /api/cases documents its Idempotency-Key header');
    });

    it('GET /docs serves the API documentation page', async () => {
      const res = await anon.get('/docs');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      const json = await anon.get('/docs/json');
      assert.equal(json.statusCode, 200);
    });

    it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
      const given = await anon.get('/healthz', { headers: { 'x-request-id': 'trace-12345678' } });
      assert.equal(given.headers['x-request-id'], 'trace-12345678');
      const bad = await anon.get('/healthz', { headers: { 'x-request-id': 'bad id <script>' } });
      assert.match(String(bad.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    it('an unknown route or method is a 404 problem with the security headers', async () => {
      for (const [method, url] of [['GET', '/api/nope'], ['PUT', '/api/cases'], ['DELETE', '/api/cases'], ['PATCH', '/api/tokens/x'], ['POST', '/healthz']] as const) {
        const res = await anon.request(method, url);
        assertProblem(res, 404, 'not-found', `${method} ${url}`);
        assertSecurityHeaders(res, `${method} ${url}`);
      }
    });
  });

  describe('law (public)', () => {
    it('GET /api/law/instruments lists the instruments', async () => {
      const res = await anon.get('/api/law/instruments');
      assert.equal(res.statusCode, 200);
      const ids = res.json<{ id: string }[]>().map((i) => i.id);
      for (const id of ['ETS185', 'ETS189', 'CETS224', 'UNCC', 'EU-2023-1543', 'EU-2014-41', 'EU-US']) assert.ok(ids.includes(id), id);
    });

    it('GET /api/law/instruments/:id/status: good and bad parameters', async () => {
      const good = await anon.get('/api/law/instruments/ETS185/status', { query: { date: '2026-01-15' } });
      assert.equal(good.statusCode, 200, good.body);
      assert.equal(good.json<{ title: string }>().title.length > 0, true);
      assert.equal((await anon.get('/api/law/instruments/CETS224/status')).statusCode, 200, 'the date defaults to today');
      assertProblem(await anon.get('/api/law/instruments/XX/status'), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/instruments/ETS185/status', { query: { date: '15/01/2026' } }), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/instruments/ETS185/status', { query: { date: '2026-02-30' } }), 400, 'invalid-parameter');
      assertProblem(await anon.get('/api/law/instruments/ETS185/status', { query: { date: '2026-01-15', extra: '1' } }), 400, 'invalid-request');
    });

    it('GET /api/law/parties and /api/law/parties/:party', async () => {
      const all = await anon.get('/api/law/parties');
      assert.equal(all.statusCode, 200);
      const fr = all.json<{ id: string; memberOf: string[] }[]>().find((p) => p.id === 'FR');
      assert.deepEqual(fr?.memberOf, ['CoE', 'EU']);
      const one = await anon.get('/api/law/parties/FR', { query: { date: '2026-01-01' } });
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.json<{ party: string }>().party, 'FR');
      assert.equal((await anon.get('/api/law/parties/us')).json<{ party: string }>().party, 'US', 'case-insensitive');
      assertProblem(await anon.get('/api/law/parties/XX'), 400, 'invalid-parameter');
      assertProblem(await anon.get('/api/law/parties/FRA'), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/parties/F'), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/parties/FR', { query: { date: 'yesterday' } }), 400, 'invalid-request');
    });

    it('GET /api/law/offences lists the offence categories', async () => {
      const res = await anon.get('/api/law/offences');
      assert.equal(res.statusCode, 200);
      assert.ok(res.json<{ id: string }[]>().some((o) => o.id === 'illegal-access'));
    });

    it('GET /api/law/bases: good and bad parameters', async () => {
      const good = await anon.get('/api/law/bases', { query: { from: 'FR', to: 'US', measure: 'preservation', date: '2026-06-01' } });
      assert.equal(good.statusCode, 200, good.body);
      assert.ok(good.json<{ applicable: { provision: string }[] }>().applicable.some((a) => a.provision === 'ETS185:29'));
      const emergency = await anon.get('/api/law/bases', { query: { from: 'FR', to: 'US', measure: 'preservation', emergency: 'true', offence: 'illegal-access' } });
      assert.equal(emergency.statusCode, 200, emergency.body);
      assertProblem(await anon.get('/api/law/bases', { query: { from: 'FR', measure: 'preservation' } }), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/bases', { query: { from: 'FR', to: 'US', measure: 'telepathy' } }), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/bases', { query: { from: 'FR', to: 'ZZ', measure: 'preservation' } }), 400, 'invalid-parameter');
      assertProblem(await anon.get('/api/law/bases', { query: { from: 'FR', to: 'US', measure: 'preservation', offence: 'jaywalking' } }), 400, 'invalid-parameter');
      assertProblem(await anon.get('/api/law/bases', { query: { from: 'FR', to: 'US', measure: 'preservation', emergency: 'yes' } }), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/bases', { query: { from: 'FR', to: 'US', measure: 'preservation', date: '2026-13-01' } }), 400, 'invalid-parameter');
    });

    it('GET /api/law/deadlines: good and bad parameters', async () => {
      const query = { instrument: 'ETS185', measure: 'preservation', received: '2026-11-02T10:00:00+01:00', tz: 'Europe/Paris' };
      const good = await anon.get('/api/law/deadlines', { query });
      assert.equal(good.statusCode, 200, good.body);
      assert.ok(good.json<{ deadlines: unknown[] }>().deadlines.length > 0);
      assertProblem(await anon.get('/api/law/deadlines', { query: { ...query, tz: 'Mars/Olympus' } }), 400, 'invalid-parameter');
      assertProblem(await anon.get('/api/law/deadlines', { query: { ...query, received: '2026-11-02' } }), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/deadlines', { query: { ...query, instrument: 'ETS999' } }), 400, 'invalid-request');
      const { tz: _tz, ...noTz } = query;
      assertProblem(await anon.get('/api/law/deadlines', { query: noTz }), 400, 'invalid-request');
    });

    it('GET /api/law/matrix: good and bad parameters', async () => {
      const good = await anon.get('/api/law/matrix', { query: { instrument: 'ETS185', date: '2026-06-01' } });
      assert.equal(good.statusCode, 200, good.body);
      assert.ok(good.json<{ parties: string[] }>().parties.includes('FR'));
      assertProblem(await anon.get('/api/law/matrix', { query: { instrument: 'EU-US' } }), 400, 'invalid-parameter');
      assertProblem(await anon.get('/api/law/matrix', { query: { instrument: 'nope' } }), 400, 'invalid-request');
      assertProblem(await anon.get('/api/law/matrix'), 400, 'invalid-request');
    });

    it('GET /errors serves the error registry', async () => {
      const res = await anon.get('/errors');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /invalid-request/);
    });
  });

  describe('authentication', () => {
    it('login: session cookie HttpOnly, Secure, SameSite=Strict; CSRF cookie readable; no secret in the body', async () => {
      const { response, session } = await t.login('drafter@fr.demo');
      assert.equal(response.statusCode, 200, response.body);
      assert.ok(session);
      const body = response.json<LoginBody>();
      assert.equal(body.user.email, 'drafter@fr.demo');
      assert.equal(body.mfaRequired, false);
      for (const secret of ['password', 'passwordHash', 'password_hash', 'totpSecret', 'totp_secret']) assert.ok(!(secret in body.user), secret);
      const set = setCookies(response);
      const sessionCookie = cookieAttributes(set, 'comity_session');
      assert.match(sessionCookie.value, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(sessionCookie.attributes.includes('httponly'), 'HttpOnly');
      assert.ok(sessionCookie.attributes.includes('secure'), 'Secure');
      assert.ok(sessionCookie.attributes.includes('samesite=strict'), 'SameSite=Strict');
      assert.ok(sessionCookie.attributes.includes('path=/'), 'Path=/');
      const expires = sessionCookie.attributes.find((a) => a.startsWith('expires='));
      assert.ok(expires);
      const lifetime = Date.parse(expires.slice('expires='.length)) - Date.now();
      assert.ok(lifetime > 11 * 3_600_000 && lifetime <= 12 * 3_600_000 + t.clock.offsetMs + 1000, `session lifetime ${lifetime} ms`);
      const csrfCookie = cookieAttributes(set, 'comity_csrf');
      assert.equal(csrfCookie.value, body.csrfToken);
      assert.ok(!csrfCookie.attributes.includes('httponly'), 'the CSRF cookie is readable by the page');
      assert.ok(csrfCookie.attributes.includes('secure') && csrfCookie.attributes.includes('samesite=strict'));
      assert.ok(!response.body.includes(sessionCookie.value), 'the session token is only in the cookie');
      assertSecurityHeaders(response, 'login');
    });

    it('login: unknown user and wrong password are the same 401 problem', async () => {
      const wrong = (await t.login('officer@fr.demo', 'not-the-password')).response;
      const unknown = (await t.login('nobody@fr.demo', 'not-the-password')).response;
      const a = assertProblem(wrong, 401, 'invalid-credentials');
      const b = assertProblem(unknown, 401, 'invalid-credentials');
      const { instance: _a, ...restA } = a;
      const { instance: _b, ...restB } = b;
      assert.deepEqual(restA, restB);
      assert.equal(setCookies(wrong).length, 0);
      assert.equal(setCookies(unknown).length, 0);
    });

    it('login: bad bodies', async () => {
      assertProblem(await anon.post('/api/auth/login', { email: 'drafter@fr.demo' }), 400, 'invalid-request');
      assertProblem(await anon.post('/api/auth/login', { email: 'drafter@fr.demo', password: DEMO_PASSWORD, remember: true }), 400, 'invalid-request');
      assertProblem(await anon.post('/api/auth/login', { email: 1, password: 2 }), 400, 'invalid-request');
      assertProblem(await anon.post('/api/auth/login', '{"email":'), 400, 'invalid-json');
      assertProblem(await anon.request('POST', '/api/auth/login', { body: 'email=a&password=b', contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type');
    });

    it('login: failures slow the account down progressively (429 throttled with Retry-After), never lock it', async () => {
      const u = await t.addUser({ email: `lock-${randomUUID().slice(0, 8)}@fr.test`, authorityId: 'fr-ca', roles: ['drafter'] });
      for (let i = 0; i < 5; i++) assertProblem((await t.login(u.email, `wrong-${i}`)).response, 401, 'invalid-credentials');
      const early = (await t.login(u.email)).response;
      const throttled = assertProblem(early, 429, 'throttled');
      assert.match(throttled.detail ?? '', /try again in \d+ s/);
      assert.equal(early.headers['retry-after'], '1');
      t.clock.advance(1100);
      const { session } = await t.login(u.email);
      assert.ok(session, 'once the short delay has run out, the right password signs in');
      const rows = await t.handle.db.selectFrom('login_events').select('outcome').where('user_id', '=', u.id).execute();
      assert.equal(rows.filter((r) => r.outcome === 'bad-password').length, 5);
      assert.equal(rows.filter((r) => r.outcome === 'throttled').length, 1);
    });

    it('login: the production rate limit (10 a minute per address) answers 429 problems', async () => {
      const limited = await t.appWith({ loginRateLimitPerMinute: 10 });
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 11; i++) {
        last = await limited.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, remoteAddress: '192.0.2.7', payload: JSON.stringify({ email: 'nobody@fr.demo', password: `x${i}` }) });
        statuses.push(last.statusCode);
      }
      assert.deepEqual(statuses, [...Array<number>(10).fill(401), 429]);
      assert.ok(last);
      assertProblem(last, 429, 'rate-limited');
      assert.match(String(last.headers['retry-after']), /^\d+$/);
      const other = await limited.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, remoteAddress: '192.0.2.8', payload: JSON.stringify({ email: 'nobody@fr.demo', password: 'x' }) });
      assert.equal(other.statusCode, 401, 'another address is not limited');
    });

    it('a 429 problem says when to retry', async () => {
      const limited = await t.appWith({ rateLimitPerMinute: 1 });
      await limited.inject({ method: 'GET', url: '/api/law/offences', remoteAddress: '192.0.2.10' });
      const p = assertProblem(await limited.inject({ method: 'GET', url: '/api/law/offences', remoteAddress: '192.0.2.10' }), 429, 'rate-limited');
      assert.match(p.detail ?? '', /retry in \d+ s/);
    });

    it('the global rate limit counts per user or token, not per address', async () => {
      const limited = await t.appWith({ rateLimitPerMinute: 3 });
      const a = await t.token('officer@fr.demo', ['cases:read']);
      const b = await t.token('officer@us.demo', ['cases:read']);
      const get = (token: string) => limited.inject({ method: 'GET', url: '/api/cases', remoteAddress: '192.0.2.11', headers: { authorization: `Bearer ${token}` } });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(a)).statusCode);
      for (let i = 0; i < 3; i++) statuses.push((await get(b)).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200], 'two tokens from one address have a bucket each');
    });

    it('the global rate limit answers 429 problems', async () => {
      const limited = await t.appWith({ rateLimitPerMinute: 3 });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.inject({ method: 'GET', url: '/api/law/offences', remoteAddress: '192.0.2.9' })).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assertProblem(await limited.inject({ method: 'GET', url: '/api/law/offences', remoteAddress: '192.0.2.9' }), 429, 'rate-limited');
    });

    it('logout ends the session and clears the cookies; it needs the CSRF token', async () => {
      const { session } = await t.login('drafter@fr.demo');
      assert.ok(session);
      const c = await t.as(session);
      assert.equal((await c.get('/api/auth/me')).statusCode, 200);
      assertProblem(await anon.post('/api/auth/logout', undefined, { headers: { cookie: session.cookie } }), 403, 'csrf-failed');
      const out = await c.post('/api/auth/logout');
      assert.equal(out.statusCode, 204);
      const cleared = setCookies(out);
      for (const name of ['comity_session', 'comity_csrf']) {
        const line = cleared.find((l) => l.startsWith(`${name}=`));
        assert.ok(line, `${name} cleared`);
        assert.match(line, /Expires=Thu, 01 Jan 1970|Max-Age=0/i);
      }
      assertProblem(await c.get('/api/auth/me'), 401, 'unauthenticated');
      assertProblem(await c.get('/api/cases'), 401, 'unauthenticated');
      // Logging out without a session is harmless.
      assert.equal((await anon.post('/api/auth/logout')).statusCode, 204);
    });

    it('second factor: a wrong code is 401 mfa-invalid; until passed only the sign-in routes work', async () => {
      const { response, session } = await t.login('judge@fr.demo');
      assert.ok(session);
      const body = response.json<LoginBody>();
      assert.equal(body.mfaRequired, true);
      assert.equal(body.mfaEnrolmentRequired, false);
      const c = await t.as(session);
      assertProblem(await c.post('/api/auth/totp', { code: t.wrongTotp('judge@fr.demo') }), 401, 'mfa-invalid');
      assertProblem(await c.post('/api/auth/totp', { code: '12345' }), 400, 'invalid-request');
      assertProblem(await c.post('/api/auth/totp', { code: '123456', remember: true }), 400, 'invalid-request');
      assertProblem(await c.get('/api/cases'), 403, 'mfa-required');
      assertProblem(await c.get('/api/tokens'), 403, 'mfa-required');
      const me = await c.get('/api/auth/me');
      assert.equal(me.statusCode, 200);
      assert.equal(me.json<{ mfaPassed: boolean }>().mfaPassed, false);
      const code = t.nextTotp('judge@fr.demo');
      const ok = await c.post('/api/auth/totp', { code });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json<{ mfaPassed: boolean }>().mfaPassed, true);
      // The session is rotated after the second factor: the token known before it no longer works.
      assertProblem(await c.get('/api/cases'), 401, 'unauthenticated');
      const rotated = t.rotated(session, ok);
      assert.notEqual(rotated.token, session.token);
      assert.notEqual(rotated.csrf, session.csrf);
      assert.equal((await (await t.as(rotated)).get('/api/cases')).statusCode, 200);
      // The same code is not accepted twice, even in another session.
      const again = await t.login('judge@fr.demo');
      assert.ok(again.session);
      assertProblem(await (await t.as(again.session)).post('/api/auth/totp', { code }), 401, 'mfa-invalid');
      // Without a session there is nothing to verify.
      assertProblem(await anon.post('/api/auth/totp', { code: '123456' }), 401, 'unauthenticated');
    });

    it('TOTP enrolment and confirmation for a fresh drafter account (created through POST /api/users)', async () => {
      const admin = await t.as('admin@fr.demo');
      const email = `new-drafter-${randomUUID().slice(0, 8)}@fr.test`;
      const created = await admin.post('/api/users', { email, displayName: 'Nouvelle rédactrice', authorityId: 'fr-ca', roles: ['drafter'], password: DEMO_PASSWORD });
      assert.equal(created.statusCode, 201, created.body);
      const user = created.json<{ id: string; email: string; totpEnabled: boolean; mfaRequired: boolean }>();
      assert.equal(user.email, email);
      assert.equal(user.totpEnabled, false);
      assert.equal(user.mfaRequired, false);
      t.users.set(email, { id: user.id, email, authorityId: 'fr-ca', roles: ['drafter'], totpSecret: null });

      const first = await t.login(email);
      assert.ok(first.session);
      assert.equal(first.response.json<LoginBody>().mfaRequired, false);
      const c = await t.as(first.session);
      assert.equal((await c.get('/api/cases')).statusCode, 200, 'a drafter needs no second factor');
      assertProblem(await c.post('/api/auth/totp/confirm', { code: '123456' }), 400, 'invalid-request');
      const enrol = await c.post('/api/auth/totp/enrol');
      assert.equal(enrol.statusCode, 200, enrol.body);
      const { secret, otpauthUri } = enrol.json<{ secret: string; otpauthUri: string }>();
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.ok(otpauthUri.startsWith('otpauth://totp/Comity:'));
      assert.ok(otpauthUri.includes(`secret=${secret}`));
      const stored = await t.handle.db.selectFrom('users').select(['totp_secret', 'totp_enabled']).where('id', '=', user.id).executeTakeFirstOrThrow();
      assert.ok(stored.totp_secret && !stored.totp_secret.includes(secret), 'the secret is stored sealed');
      assert.equal(stored.totp_enabled, 0);
      t.user(email).totpSecret = secret;
      assertProblem(await c.post('/api/auth/totp/confirm', { code: t.wrongTotp(email) }), 401, 'mfa-invalid');
      const confirmed = await c.post('/api/auth/totp/confirm', { code: t.nextTotp(email) });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.json<{ mfaPassed: boolean }>().mfaPassed, true);
      const c2 = await t.as(t.rotated(first.session, confirmed));
      assertProblem(await c2.post('/api/auth/totp/enrol'), 409, 'conflict');
      assertProblem(await c2.post('/api/auth/totp/confirm', { code: '123456' }), 409, 'conflict');
      // From now on the drafter signs in with the second factor.
      const next = await t.login(email);
      assert.ok(next.session);
      const nextBody = next.response.json<LoginBody>();
      assert.equal(nextBody.mfaRequired, true);
      assert.equal(nextBody.mfaEnrolmentRequired, false);
      const n = await t.as(next.session);
      assertProblem(await n.get('/api/cases'), 403, 'mfa-required');
      assertProblem(await n.post('/api/auth/totp/enrol'), 409, 'conflict', 'a stolen password cannot replace the factor');
      const passed = await n.post('/api/auth/totp', { code: t.nextTotp(email) });
      assert.equal(passed.statusCode, 200);
      assert.equal((await (await t.as(t.rotated(next.session, passed))).get('/api/cases')).statusCode, 200);
    });

    it('a user whose role requires a second factor must enrol before anything else', async () => {
      const u = await t.addUser({ email: `officer-${randomUUID().slice(0, 8)}@fr.test`, authorityId: 'fr-ca', roles: ['central-authority-officer'] });
      const { response, session } = await t.login(u.email);
      assert.ok(session);
      assert.equal(response.json<LoginBody>().mfaEnrolmentRequired, true);
      const c = await t.as(session);
      assertProblem(await c.get('/api/cases'), 403, 'mfa-required');
      assertProblem(await c.post('/api/tokens', { name: 'x', scopes: ['cases:read'], expiresInDays: 1 }), 403, 'mfa-required');
      assertProblem(await c.post('/api/auth/totp', { code: '123456' }), 400, 'invalid-request');
      const enrol = await c.post('/api/auth/totp/enrol');
      assert.equal(enrol.statusCode, 200);
      t.user(u.email).totpSecret = enrol.json<{ secret: string }>().secret;
      const confirmed = await c.post('/api/auth/totp/confirm', { code: t.nextTotp(u.email) });
      assert.equal(confirmed.statusCode, 200);
      assert.equal((await (await t.as(t.rotated(session, confirmed))).get('/api/cases')).statusCode, 200);
    });

    it('GET /api/auth/me: session, token, anonymous', async () => {
      const me = await (await t.as('officer@fr.demo')).get('/api/auth/me');
      assert.equal(me.statusCode, 200);
      assert.deepEqual(me.json(), {
        userId: t.user('officer@fr.demo').id,
        authorityId: 'fr-ca',
        roles: ['central-authority-officer', 'drafter'],
        via: 'session',
        mfaPassed: true,
        email: 'officer@fr.demo',
        displayName: 'Luc Petit (central authority)',
      });
      const token = await t.token('officer@fr.demo', ['law:read']);
      const viaToken = await t.bearer(token).get('/api/auth/me');
      assert.equal(viaToken.statusCode, 200);
      assert.equal(viaToken.json<{ via: string }>().via, 'token');
      assertProblem(await anon.get('/api/auth/me'), 401, 'unauthenticated');
    });

    it('GET /api/auth/oidc/login and /callback are 404 problems when OpenID Connect is not configured', async () => {
      for (const url of ['/api/auth/oidc/login', '/api/auth/oidc/callback?code=x&state=y']) {
        const p = assertProblem(await anon.get(url), 404, 'not-found');
        assert.match(p.detail ?? '', /not configured/);
      }
    });
  });

  describe('API tokens', () => {
    it('create (shown once), list (no secret), use without CSRF, revoke, refused after revocation', async () => {
      const officer = await t.as('officer@fr.demo');
      const created = await officer.post('/api/tokens', { name: 'case system', scopes: ['cases:read', 'cases:write'], expiresInDays: 30 });
      assert.equal(created.statusCode, 201, created.body);
      const { id, token, expiresAt } = created.json<TokenCreated>();
      const match = /^cmt_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
      assert.ok(match, token);
      assert.equal(match[1], id);
      const secret = match[2] as string;
      const days = (Date.parse(expiresAt) - t.clock.now().getTime()) / 86_400_000;
      assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);

      const list = await officer.get('/api/tokens');
      assert.equal(list.statusCode, 200);
      const entry = list.json<Record<string, unknown>[]>().find((x) => x.id === id);
      assert.ok(entry);
      assert.deepEqual(Object.keys(entry).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'scopes', 'userId']);
      assert.ok(!list.body.includes(secret), 'the secret is never listed');
      const row = await t.handle.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(secret), 'only a hash is stored');
      assert.equal(row.token_hash, sha256(secret));

      // A Bearer token needs no CSRF token, and a cookie beside it does not make it need one.
      const bearer = t.bearer(token);
      const draft = await bearer.post('/api/cases', preservationRequestFrToUs());
      assert.equal(draft.statusCode, 201, draft.body);
      const both = await bearer.post('/api/cases', preservationRequestFrToUs(), { headers: { cookie: (await t.signIn('officer@fr.demo')).cookie } });
      assert.equal(both.statusCode, 201, both.body);
      // Tokens cannot mint tokens.
      assertProblem(await bearer.post('/api/tokens', { name: 'x', scopes: ['cases:read'], expiresInDays: 1 }), 403, 'forbidden');

      const revoked = await officer.delete(`/api/tokens/${id}`);
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.ok(revoked.json<{ revokedAt: string | null }>().revokedAt);
      const after = assertProblem(await bearer.get('/api/cases'), 401, 'unauthenticated');
      // The same answer as for a token that never existed: an unauthenticated caller learns nothing.
      assert.equal(after.detail, 'the API token is not valid');
      assertProblem(await bearer.post('/api/cases', preservationRequestFrToUs()), 401, 'unauthenticated');
      // Revoking again changes nothing.
      assert.equal((await officer.delete(`/api/tokens/${id}`)).statusCode, 200);
    });

    it('scopes: limited to what the roles allow, and enforced', async () => {
      const officer = await t.as('officer@fr.demo');
      const refused = assertProblem(await officer.post('/api/tokens', { name: 'x', scopes: ['admin'], expiresInDays: 1 }), 400, 'invalid-request');
      assert.ok(refused.issues?.some((i) => i.field === 'scopes'));
      assertProblem(await officer.post('/api/tokens', { name: 'x', scopes: [], expiresInDays: 1 }), 400, 'invalid-request');
      assertProblem(await officer.post('/api/tokens', { name: 'x', scopes: ['cases:read'], expiresInDays: 366 }), 400, 'invalid-request');
      assertProblem(await officer.post('/api/tokens', { name: 'x', scopes: ['cases:read'], expiresInDays: 1, userId: t.user('drafter@fr.demo').id }), 400, 'invalid-request');
      assertProblem(await (await t.as('auditor@fr.demo')).post('/api/tokens', { name: 'x', scopes: ['cases:write'], expiresInDays: 1 }), 400, 'invalid-request');

      const lawOnly = t.bearer(await t.token('officer@fr.demo', ['law:read']));
      assertProblem(await lawOnly.get('/api/cases'), 403, 'forbidden');
      assert.equal((await lawOnly.get('/api/law/offences')).statusCode, 200);
      const reader = t.bearer(await t.token('officer@fr.demo', ['cases:read']));
      assert.equal((await reader.get('/api/cases')).statusCode, 200);
      assertProblem(await reader.post('/api/cases', preservationRequestFrToUs()), 403, 'forbidden');
      assertProblem(await reader.post(`/api/cases/${UNKNOWN_CASE}/events/withdraw`, { reason: 'no longer needed' }), 403, 'forbidden');
      const admin = t.bearer(await t.token('admin@fr.demo', ['admin']));
      assert.equal((await admin.get('/api/users')).statusCode, 200, 'admin scope');
      assert.equal((await admin.get('/api/authorities')).statusCode, 200, 'admin implies cases:read');
    });

    it("revoking someone else's token or an unknown one is 404", async () => {
      const token = await t.token('officer@us.demo', ['cases:read']);
      const id = /^cmt_([a-z2-7]{16})_/.exec(token)?.[1] as string;
      const fr = await t.as('officer@fr.demo');
      assertProblem(await fr.delete(`/api/tokens/${id}`), 404, 'not-found');
      assertProblem(await (await t.as('admin@fr.demo')).delete(`/api/tokens/${id}`), 404, 'not-found');
      assertProblem(await fr.delete('/api/tokens/aaaaaaaaaaaaaaaa'), 404, 'not-found');
      assert.equal((await t.bearer(token).get('/api/cases')).statusCode, 200, 'still valid');
    });
  });

  describe('users and authorities', () => {
    it('GET /api/users: an authority administrator sees its own accounts, a platform administrator all', async () => {
      const fr = await (await t.as('admin@fr.demo')).get('/api/users');
      assert.equal(fr.statusCode, 200);
      const frUsers = fr.json<{ email: string; authorityId: string | null }[]>();
      assert.ok(frUsers.length >= 5);
      assert.ok(frUsers.every((u) => u.authorityId === 'fr-ca'));
      for (const secret of ['password', 'totp', 'hash']) assert.ok(!fr.body.toLowerCase().includes(`${secret}_`), secret);
      assert.ok(!fr.body.includes('scrypt$'), 'no password hash');
      const all = (await (await t.as('admin@comity.demo')).get('/api/users')).json<{ authorityId: string | null }[]>();
      assert.ok(new Set(all.map((u) => u.authorityId)).size >= 6);
      assertProblem(await (await t.as('officer@fr.demo')).get('/api/users'), 403, 'forbidden');
      assertProblem(await anon.get('/api/users'), 401, 'unauthenticated');
    });

    it('POST /api/users: created, duplicate, weak password, other authority, unknown field', async () => {
      const admin = await t.as('admin@fr.demo');
      const email = `agent-${randomUUID().slice(0, 8)}@fr.test`;
      const body = { email, displayName: 'Agent', authorityId: 'fr-ca', roles: ['auditor'], password: DEMO_PASSWORD };
      const created = await admin.post('/api/users', body);
      assert.equal(created.statusCode, 201, created.body);
      assert.ok(!created.body.includes(DEMO_PASSWORD));
      assertProblem(await admin.post('/api/users', { ...body, email: email.toUpperCase() }), 409, 'conflict');
      const weak = assertProblem(await admin.post('/api/users', { ...body, email: `w-${email}`, password: 'short' }), 400, 'invalid-request');
      assert.ok(weak.issues?.some((i) => i.field === 'password'));
      assertProblem(await admin.post('/api/users', { ...body, email: `de-${email}`, authorityId: 'de-sta-koeln' }), 403, 'forbidden');
      assertProblem(await admin.post('/api/users', { ...body, email: `x-${email}`, isAdmin: true }), 400, 'invalid-request');
      assertProblem(await admin.post('/api/users', { ...body, email: `y-${email}`, authorityId: 'xx-nowhere' }), 403, 'forbidden');
      const platformAdmin = await t.as('admin@comity.demo');
      const nowhere = assertProblem(await platformAdmin.post('/api/users', { ...body, email: `y-${email}`, authorityId: 'xx-nowhere' }), 400, 'invalid-request');
      assert.ok(nowhere.issues?.some((i) => i.field === 'authorityId'));
      assertProblem(await platformAdmin.post('/api/users', { ...body, email: `p-${email}`, authorityId: null }), 400, 'invalid-request', 'a platform account must be an administrator');
      const platform = await platformAdmin.post('/api/users', { ...body, email: `de-${email}`, authorityId: 'de-sta-koeln' });
      assert.equal(platform.statusCode, 201, platform.body);
      assertProblem(await (await t.as('officer@fr.demo')).post('/api/users', { ...body, email: `z-${email}` }), 403, 'forbidden');
    });

    it('GET /api/authorities lists the directory; POST is for the platform administrator only', async () => {
      const list = await (await t.as('drafter@fr.demo')).get('/api/authorities');
      assert.equal(list.statusCode, 200);
      const ids = list.json<{ id: string }[]>().map((a) => a.id);
      for (const id of ['fr-ca', 'fr-parquet-paris', 'de-sta-koeln', 'us-doj-oia', 'jp-247', 'ie-provider']) assert.ok(ids.includes(id), id);
      assertProblem(await anon.get('/api/authorities'), 401, 'unauthenticated');

      const id = `es-${randomUUID().slice(0, 8)}`;
      const body = { id, party: 'ES', kind: 'central-authority', name: 'Spain — Ministerio de Justicia', timeZone: 'Europe/Madrid', languages: ['es', 'en'] };
      assertProblem(await (await t.as('admin@fr.demo')).post('/api/authorities', body), 403, 'forbidden');
      assertProblem(await (await t.as('officer@fr.demo')).post('/api/authorities', body), 403, 'forbidden');
      assertProblem(await anon.post('/api/authorities', body), 401, 'unauthenticated');
      const platform = await t.as('admin@comity.demo');
      const created = await platform.post('/api/authorities', body);
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(created.json<{ contact: unknown }>().contact, {});
      assertProblem(await platform.post('/api/authorities', body), 409, 'conflict');
      assertProblem(await platform.post('/api/authorities', { ...body, id: `${id}-2`, timeZone: 'Europe/Atlantis' }), 400, 'invalid-request');
      assertProblem(await platform.post('/api/authorities', { ...body, id: `${id}-3`, party: 'ZZ' }), 400, 'invalid-request');
      assertProblem(await platform.post('/api/authorities', { ...body, id: 'Bad Id' }), 400, 'invalid-request');
      // Reg. 2023/1543 Art. 4: a central authority cannot be recorded as a judge.
      const judge = assertProblem(await platform.post('/api/authorities', { ...body, id: `${id}-4`, issuingKind: 'judge' }), 422, 'validation-failed');
      assert.deepEqual(judge.issues?.map((i) => i.field), ['issuingKind']);
      assert.equal((await platform.post('/api/authorities', { ...body, id: `${id}-5`, issuingKind: 'other-competent-authority' })).statusCode, 201);
      assert.ok((await (await t.as('drafter@fr.demo')).get('/api/authorities')).json<{ id: string }[]>().some((a) => a.id === id));
    });
  });

  describe('cases', () => {
    it('the French preservation request to the United States, end to end through the API', async () => {
      await frenchPreservationJourney(t);
    });

    it('GET /api/cases: own cases only, with total, state filter and paging', async () => {
      const officer = await t.as('officer@fr.demo');
      const res = await officer.get('/api/cases');
      assert.equal(res.statusCode, 200);
      const all = res.json<{ total: number; cases: CaseSummary[] }>();
      assert.ok(all.total >= 3);
      assert.ok(all.cases.every((c) => c.requestingAuthorityId === 'fr-ca' || c.addresseeId === 'fr-ca'));
      const drafts = (await officer.get('/api/cases', { query: { state: 'draft' } })).json<{ total: number; cases: CaseSummary[] }>();
      assert.ok(drafts.cases.every((c) => c.state === 'draft'));
      assert.equal(drafts.total, all.cases.filter((c) => c.state === 'draft').length);
      const page = (await officer.get('/api/cases', { query: { limit: '1', offset: '1' } })).json<{ total: number; cases: CaseSummary[] }>();
      assert.equal(page.total, all.total);
      assert.equal(page.cases.length, 1);
      assert.equal(page.cases[0]?.id, all.cases[1]?.id);
      assertProblem(await officer.get('/api/cases', { query: { state: 'open' } }), 400, 'invalid-request');
      assertProblem(await officer.get('/api/cases', { query: { limit: '0' } }), 400, 'invalid-request');
      assertProblem(await officer.get('/api/cases', { query: { limit: '501' } }), 400, 'invalid-request');
      assertProblem(await officer.get('/api/cases', { query: { offset: '-1' } }), 400, 'invalid-request');
      assertProblem(await officer.get('/api/cases', { query: { sort: 'id' } }), 400, 'invalid-request');
      assertProblem(await anon.get('/api/cases'), 401, 'unauthenticated');
      assertProblem(await (await t.as('admin@fr.demo')).get('/api/cases'), 403, 'forbidden');
    });

    it('POST /api/cases: created as a draft; own authority only; strict body', async () => {
      const drafter = await t.as('drafter@fr.demo');
      const created = await drafter.post('/api/cases', preservationRequestFrToUs());
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json<CaseSummary>().state, 'draft');
      assertProblem(await drafter.post('/api/cases', preservationRequestFrToUs({ requestingAuthority: 'de-sta-koeln' })), 403, 'forbidden');
      const unknown = assertProblem(await drafter.post('/api/cases', { ...preservationRequestFrToUs(), priority: 'high' }), 400, 'invalid-request');
      assert.ok(JSON.stringify(unknown.issues).includes('priority'));
      const nested = assertProblem(await drafter.post('/api/cases', preservationRequestFrToUs({ safeguards: { grounds: 'Reasonable grounds, see the report.', typo: 1 } as never })), 400, 'invalid-request');
      assert.ok(JSON.stringify(nested.issues).includes('typo'));
      assertProblem(await drafter.post('/api/cases', preservationRequestFrToUs({ addressee: 'xx-nowhere' })), 422, 'validation-failed');
      assertProblem(await drafter.post('/api/cases', preservationRequestFrToUs({ legalBasis: 'ETS185:999' })), 400, 'invalid-request');
      assertProblem(await drafter.post('/api/cases', preservationRequestFrToUs({ measures: [] })), 400, 'invalid-request');
      assertProblem(await (await t.as('judge@fr.demo')).post('/api/cases', preservationRequestFrToUs()), 403, 'forbidden');
      assertProblem(await (await t.as('auditor@fr.demo')).post('/api/cases', preservationRequestFrToUs()), 403, 'forbidden');
    });

    it('GET /api/cases/:id: own case in full; foreign and unknown ids are the same 404', async () => {
      const officer = await t.as('officer@fr.demo');
      const own = (await officer.get('/api/cases')).json<{ cases: CaseSummary[] }>().cases[0] as CaseSummary;
      const res = await officer.get(`/api/cases/${own.id}`);
      assert.equal(res.statusCode, 200);
      const detail = res.json<CaseDetail>();
      assert.equal(detail.id, own.id);
      assert.ok(Array.isArray(detail.history) && Array.isArray(detail.deadlines) && Array.isArray(detail.allowedEvents));
      const foreign = await foreignCaseId(t);
      const a = assertProblem(await officer.get(`/api/cases/${foreign}`), 404, 'not-found');
      const b = assertProblem(await officer.get(`/api/cases/${UNKNOWN_CASE}`), 404, 'not-found');
      assert.equal(a.detail?.replace(foreign, '<id>'), b.detail?.replace(UNKNOWN_CASE, '<id>'));
      assertProblem(await officer.get(`/api/cases/${'x'.repeat(65)}`), 400, 'invalid-request');
    });

    it('GET /api/cases/:id/audit: auditors and administrators of a side', async () => {
      const own = (await (await t.as('officer@fr.demo')).get('/api/cases')).json<{ cases: CaseSummary[] }>().cases[0] as CaseSummary;
      for (const email of ['auditor@fr.demo', 'admin@fr.demo']) {
        const res = await (await t.as(email)).get(`/api/cases/${own.id}/audit`);
        assert.equal(res.statusCode, 200, `${email}: ${res.body}`);
        assert.ok(res.json<{ action: string }[]>().some((r) => r.action === 'case.create'));
      }
      assertProblem(await (await t.as('officer@fr.demo')).get(`/api/cases/${own.id}/audit`), 403, 'forbidden');
      assertProblem(await (await t.as('auditor@fr.demo')).get(`/api/cases/${await foreignCaseId(t)}/audit`), 404, 'not-found');
      assertProblem(await (await t.as('admin@comity.demo')).get(`/api/cases/${own.id}/audit`), 404, 'not-found');
    });

    it('POST /api/cases/:id/events/:event: bad event, bad body, reasons, review and assessment checks', async () => {
      const drafter = await t.as('drafter@fr.demo');
      const judge = await t.as('judge@fr.demo');
      const officer = await t.as('officer@fr.demo');
      const id = (await drafter.post('/api/cases', preservationRequestFrToUs())).json<CaseSummary>().id;
      const url = (event: string) => `/api/cases/${id}/events/${event}`;
      assertProblem(await officer.post(url('teleport'), {}), 400, 'invalid-request');
      assertProblem(await officer.post(url('withdraw'), { reason: 'no longer needed', urgent: true }), 400, 'invalid-request');
      assertProblem(await officer.post(url('withdraw'), { reason: 42 }), 400, 'invalid-request');
      assertProblem(await officer.post(url('withdraw'), { expectedVersion: 0 }), 400, 'invalid-request');
      assertProblem(await officer.post(url('withdraw'), {}), 422, 'reason-required');
      assertProblem(await officer.post(url('send'), {}), 409, 'invalid-transition');
      assertProblem(await judge.post(url('approve'), { review: { reviewer: 'x' } }), 400, 'invalid-request');
      const missing = assertProblem(await judge.post(url('approve'), {}), 422, 'validation-failed');
      assert.ok(missing.issues && missing.issues.length > 0, 'every missing element is listed');
      assertProblem(await officer.post(`/api/cases/${UNKNOWN_CASE}/events/withdraw`, { reason: 'no longer needed' }), 404, 'not-found');
      const withdrawn = await officer.post(url('withdraw'), { reason: 'The suspect was identified by other means.' });
      assert.equal(withdrawn.statusCode, 200, withdrawn.body);
      assert.equal(withdrawn.json<CaseSummary>().state, 'withdrawn');
    });

    it('POST /api/cases/:id/events/:event without a body is treated as an empty body', async () => {
      const officer = await t.as('officer@fr.demo');
      const judge = await t.as('judge@fr.demo');
      const id = (await officer.post('/api/cases', preservationRequestFrToUs())).json<CaseSummary>().id;
      assert.equal((await judge.post(`/api/cases/${id}/events/approve`, { review: DEMO_REVIEW })).statusCode, 200);
      const res = await officer.post(`/api/cases/${id}/events/send`);
      assert.equal(res.statusCode, 200, res.body);
    });

    it('a draft is not visible to its addressee before it is sent', async () => {
      const drafter = await t.as('drafter@fr.demo');
      const id = (await drafter.post('/api/cases', preservationRequestFrToUs())).json<CaseSummary>().id;
      const us = await t.as('officer@us.demo');
      const list = (await us.get('/api/cases')).json<{ cases: CaseSummary[] }>();
      assert.ok(!list.cases.some((c) => c.state === 'draft' || c.state === 'approved'), 'no unsent request in the addressee’s list');
      assertProblem(await us.get(`/api/cases/${id}`), 404, 'not-found');
    });

    it('GET /api/deadlines: running clocks of own cases; filters', async () => {
      const agent = await t.as('agent@provider.demo');
      const res = await agent.get('/api/deadlines');
      assert.equal(res.statusCode, 200);
      const clocks = res.json<(DeadlineView & { caseId: string; reference: string; state: string })[]>();
      assert.ok(clocks.length >= 1, 'the German production order’s clock runs for the provider');
      assert.ok(clocks.every((c) => c.status === 'running'));
      const foreign = await foreignCaseId(t);
      assert.ok(clocks.some((c) => c.caseId === foreign));
      assert.deepEqual((await agent.get('/api/deadlines', { query: { overdue: 'true' } })).json(), []);
      const soon = (await agent.get('/api/deadlines', { query: { dueWithinHours: String(24 * 30) } })).json<unknown[]>();
      assert.equal(soon.length, clocks.length);
      assertProblem(await agent.get('/api/deadlines', { query: { overdue: 'maybe' } }), 400, 'invalid-request');
      assertProblem(await agent.get('/api/deadlines', { query: { dueWithinHours: '0' } }), 400, 'invalid-request');
      const fr = (await (await t.as('officer@fr.demo')).get('/api/deadlines')).json<{ caseId: string }[]>();
      assert.ok(!fr.some((c) => c.caseId === foreign));
    });

    it('GET /api/notifications: overdue clocks notify both sides, nobody else', async () => {
      const future = new Date(t.clock.now().getTime() + 40 * 86_400_000);
      const escalations = await escalateOverdue(createCaseContext(t.handle.db, t.kb, { now: () => future }));
      assert.ok(escalations.length >= 1);
      const agent = await (await t.as('agent@provider.demo')).get('/api/notifications');
      assert.equal(agent.statusCode, 200);
      const foreign = await foreignCaseId(t);
      assert.ok(agent.json<{ caseId: string; kind: string }[]>().some((n) => n.caseId === foreign && n.kind === 'deadline-overdue'));
      const de = (await (await t.as('prosecutor@de.demo')).get('/api/notifications')).json<{ caseId: string }[]>();
      assert.ok(de.some((n) => n.caseId === foreign));
      const fr = (await (await t.as('officer@fr.demo')).get('/api/notifications')).json<{ caseId: string }[]>();
      assert.ok(!fr.some((n) => n.caseId === foreign));
      assertProblem(await anon.get('/api/notifications'), 401, 'unauthenticated');
    });

    it('GET /api/stats: counts of own cases only', async () => {
      const officer = await t.as('officer@fr.demo');
      const res = await officer.get('/api/stats');
      assert.equal(res.statusCode, 200);
      const stats = res.json<{ total: number; byState: Record<string, number>; outgoing: { party: string; count: number }[] }>();
      const list = (await officer.get('/api/cases', { query: { limit: '500' } })).json<{ total: number }>();
      assert.equal(stats.total, list.total);
      assert.equal(Object.values(stats.byState).reduce((a, b) => a + b, 0), stats.total);
      assert.ok(stats.outgoing.every((o) => o.party === 'US'));
      assertProblem(await (await t.as('admin@fr.demo')).get('/api/stats'), 403, 'forbidden');
    });
  });

  describe('cross-cutting', () => {
    it('unknown body fields are rejected on every route with a body (400 invalid-request)', async () => {
      const officer = await t.as('officer@fr.demo');
      const platform = await t.as('admin@comity.demo');
      const own = (await officer.get('/api/cases')).json<{ cases: CaseSummary[] }>().cases[0] as CaseSummary;
      const cases: [Client, string, Record<string, unknown>][] = [
        [anon, '/api/auth/login', { email: 'drafter@fr.demo', password: DEMO_PASSWORD }],
        [officer, '/api/auth/totp', { code: '123456' }],
        [officer, '/api/auth/totp/confirm', { code: '123456' }],
        [officer, '/api/tokens', { name: 'x', scopes: ['cases:read'], expiresInDays: 1 }],
        [officer, '/api/cases', { ...preservationRequestFrToUs() }],
        [officer, `/api/cases/${own.id}/events/withdraw`, { reason: 'no longer needed' }],
        [platform, '/api/authorities', { id: 'zz-unknown-field', party: 'ES', kind: 'central-authority', name: 'Spain', timeZone: 'Europe/Madrid', languages: ['es'] }],
        [platform, '/api/users', { email: 'unknown-field@fr.test', displayName: 'X', authorityId: 'fr-ca', roles: ['drafter'], password: DEMO_PASSWORD }],
      ];
      for (const [client, url, body] of cases) {
        const p = assertProblem(await client.post(url, { ...body, sneaky: true }), 400, 'invalid-request', url);
        assert.ok(JSON.stringify(p).includes('sneaky'), `${url} names the unknown field`);
      }
    });

    it('a body over the configured limit is 413 payload-too-large', async () => {
      const limit = t.config.bodyLimitBytes;
      assert.equal(limit, 1_048_576, 'the production default');
      const officer = await t.as('officer@fr.demo');
      const big = JSON.stringify({ ...preservationRequestFrToUs(), facts: 'x'.repeat(limit) });
      const res = await officer.post('/api/cases', big);
      assertProblem(res, 413, 'payload-too-large');
      assertSecurityHeaders(res, '413');
      assertProblem(await anon.post('/api/auth/login', JSON.stringify({ email: 'a@b.c', password: 'p'.repeat(limit) })), 413, 'payload-too-large');
      const justUnder = JSON.stringify({ reason: 'r'.repeat(limit - 100) });
      assert.ok(Buffer.byteLength(justUnder) <= limit);
      // Authorisation (the case must be the caller's) comes before the body is read; then the schema decides.
      assertProblem(await officer.post(`/api/cases/${UNKNOWN_CASE}/events/withdraw`, justUnder), 404, 'not-found', 'not the caller’s case: the body is never read');
      const own = (await officer.get('/api/cases')).json<{ cases: CaseSummary[] }>().cases[0] as CaseSummary;
      assertProblem(await officer.post(`/api/cases/${own.id}/events/withdraw`, justUnder), 400, 'invalid-request', 'under the limit the schema decides');
    });

    it('CSRF: a cookie session must echo its token on unsafe methods; Bearer tokens need none', async () => {
      const session = await t.signIn('officer@fr.demo');
      const other = await t.signIn('officer@fr.demo');
      const body = JSON.stringify({ name: 'csrf', scopes: ['cases:read'], expiresInDays: 1 });
      const post = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/tokens', headers: { 'content-type': 'application/json', cookie: session.cookie, ...headers }, payload: body });
      assertProblem(await post({}), 403, 'csrf-failed');
      assertProblem(await post({ 'x-csrf-token': '' }), 403, 'csrf-failed');
      assertProblem(await post({ 'x-csrf-token': 'x'.repeat(43) }), 403, 'csrf-failed');
      assertProblem(await post({ 'x-csrf-token': other.csrf }), 403, 'csrf-failed', "another session's token");
      assertProblem(await post({ 'x-csrf-token': session.token }), 403, 'csrf-failed', 'the session token is not the CSRF token');
      assert.equal((await post({ 'x-csrf-token': session.csrf })).statusCode, 201);
      // DELETE is unsafe too; GET is not.
      const id = (await (await t.as(session)).get('/api/tokens')).json<{ id: string }[]>()[0]?.id as string;
      assertProblem(await t.app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: { cookie: session.cookie } }), 403, 'csrf-failed');
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/tokens', headers: { cookie: session.cookie } })).statusCode, 200);
      // Case events.
      const own = (await (await t.as(session)).get('/api/cases')).json<{ cases: CaseSummary[] }>().cases[0] as CaseSummary;
      assertProblem(
        await t.app.inject({ method: 'POST', url: `/api/cases/${own.id}/events/withdraw`, headers: { cookie: session.cookie, 'content-type': 'application/json' }, payload: JSON.stringify({ reason: 'csrf attempt', expectedVersion: 999 }) }),
        403,
        'csrf-failed',
      );
      // Bearer: no CSRF, no cookie.
      const token = await t.token(session, ['cases:read', 'cases:write']);
      const res = await t.app.inject({ method: 'POST', url: '/api/cases', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(preservationRequestFrToUs()) });
      assert.equal(res.statusCode, 201, res.body);
    });

    it('security headers on successes, problems, 404s, 415s and the workspace', async () => {
      const officer = await t.as('officer@fr.demo');
      const responses = [
        ['200 json', await officer.get('/api/cases')],
        ['201', await officer.post('/api/tokens', { name: 'h', scopes: ['cases:read'], expiresInDays: 1 })],
        ['401', await anon.get('/api/cases')],
        ['403', await (await t.as('admin@fr.demo')).get('/api/cases')],
        ['404', await anon.get('/api/nothing-here')],
        ['415', await officer.request('POST', '/api/tokens', { body: '<x/>', contentType: 'application/xml' })],
        ['400', await anon.post('/api/auth/login', '{')],
        ['workspace', await anon.get('/', { headers: { accept: 'text/html' } })],
      ] as const;
      for (const [label, res] of responses) assertSecurityHeaders(res, label);
    });

    it('every read of a case is recorded in case_access; every sign-in in login_events', async () => {
      await recordsChecks(t);
    });

    it('HEAD requests are authenticated and authorised like GET', async () => {
      const own = (await (await t.as('officer@fr.demo')).get('/api/cases')).json<{ cases: CaseSummary[] }>().cases[0] as CaseSummary;
      for (const url of ['/api/authorities', '/api/users', '/api/tokens', '/api/cases', `/api/cases/${own.id}`, `/api/cases/${own.id}/audit`, '/api/deadlines', '/api/notifications', '/api/stats']) {
        const res = await anon.request('HEAD', url);
        assert.equal(res.statusCode, 401, `HEAD ${url} as anonymous: ${res.statusCode}`);
      }
      const officer = await t.as('officer@fr.demo');
      for (const url of ['/api/tokens', `/api/cases/${own.id}`]) {
        const res = await officer.request('HEAD', url);
        assert.equal(res.statusCode, 200, `HEAD ${url} as the officer: ${res.statusCode}`);
      }
    });

    it('a malformed percent-encoding in the path is a 400 problem+json', async () => {
      for (const url of ['/api/cases/%', '/api/cases/%E0%A4%A', '/api/law/parties/%ZZ', '/api/cases/%ED%A0%80']) {
        const res = await anon.get(url);
        assertProblem(res, 400, undefined, url);
      }
    });
  });
});

// The journey and the records on every other engine.
const engines = ['pglite', ...(postgresProbe.reachable ? ['postgres' as const] : [])] as const;
for (const kind of engines) {
  describe(`HTTP API journey and records [${kind}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(kind);
    });
    after(() => t?.close());

    it('GET /readyz names the engine', async () => {
      const res = await t.anonymous.get('/readyz');
      assert.equal(res.statusCode, 200);
      assert.equal(res.json<{ database: string }>().database, kind);
    });

    it('the French preservation request to the United States, end to end', async () => {
      await frenchPreservationJourney(t);
    });

    it('case_access and login_events', async () => {
      await recordsChecks(t);
    });

    it('a NUL character in any text is a 4xx problem, never a 500', async () => {
      const officer = await t.as('officer@fr.demo');
      const own = (await officer.get('/api/cases', { query: { state: 'draft' } })).json<{ cases: CaseSummary[] }>().cases[0] as CaseSummary;
      const requests: [string, () => ReturnType<Client['get']>][] = [
        ['GET /api/cases/a%00b', () => officer.get('/api/cases/a%00b')],
        ['POST /api/auth/login (anonymous)', () => t.anonymous.post('/api/auth/login', { email: 'a\u0000b@x.y', password: 'x' })],
        ['POST /api/tokens', () => officer.post('/api/tokens', { name: 'a\u0000b', scopes: ['cases:read'], expiresInDays: 1 })],
        ['POST /api/cases/:id/events/withdraw', () => officer.post(`/api/cases/${own.id}/events/withdraw`, { reason: 'a\u0000bcdef', expectedVersion: own.version })],
        ['POST /api/cases', () => officer.post('/api/cases', preservationRequestFrToUs({ facts: 'An intrusion happened \u0000 somewhere in Paris.' }))],
      ];
      const failures: string[] = [];
      for (const [label, send] of requests) {
        const res = await send();
        if (res.statusCode >= 500) failures.push(`${label} → ${res.statusCode}`);
      }
      assert.deepEqual(failures, []);
    });
  });
}
