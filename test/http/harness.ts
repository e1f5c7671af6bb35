/**
 * @module test/http/harness
 * A real Comity app for `app.inject()` tests: a fresh migrated database (SQLite temp file by
 * default, or any engine of `test/db/dialects.ts`), the demo deployment seeded, the app built as
 * in production (`secureCookies: true`, production rate limits unless overridden) with a random
 * master key and no logger.
 *
 * Sign-in goes through the API: `signIn(email)` posts the demo password to /api/auth/login, then
 * — when the user needs a second factor — a TOTP code to /api/auth/totp (or enrols and confirms
 * one for users created without it). A TOTP code is accepted once per 30 s step and user, so the
 * harness's clock (shared by the case and account contexts) is moved on by one step whenever a
 * user signs in twice within the same step: real time plus an offset, never backwards.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createAuthContext, createSecretBox, createUser, hotp, totpCode, totpStep, TOTP_STEP_SECONDS, type ApiScope, type AuthContext, type Role } from '../../src/auth/index.js';
import { createCaseContext, transactionRunner, type CaseContext } from '../../src/cases/index.js';
import { uuidv7, type DatabaseHandle } from '../../src/db/index.js';
import { createEvidenceContext, type EvidenceContext } from '../../src/evidence/index.js';
import { createDbKeyStore } from '../../src/keys/index.js';
import { createLedger, memoryInProcess, type Ledger } from '../../src/ledger/index.js';
import { DEMO_USERS, newDemoPassword, seedDemo, type SeededUser } from '../../src/demo/seed.js';
import { buildApp } from '../../src/http/app.js';
import { loadServerConfig } from '../../src/http/config.js';
import type { HttpConfig } from '../../src/http/deps.js';
import { PROBLEMS, type Problem, type ProblemCode } from '../../src/http/problems.js';
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/law/index.js';
import { testDatabases, type TestDbKind } from '../db/dialects.js';

export { DEMO_USERS };

/** The demo password of this test run: generated, as the demo generates it at its first start. */
export const DEMO_PASSWORD = newDemoPassword();

let kbCache: KnowledgeBase | undefined;
/** The knowledge base, loaded once per process. */
export function knowledgeBase(): KnowledgeBase {
  kbCache ??= loadKnowledgeBase();
  return kbCache;
}

/** A user of the test deployment: a demo user or one the test created. */
export interface TestUser {
  id: string;
  email: string;
  authorityId: string | null;
  roles: Role[];
  /** Base32 TOTP secret, once enrolled. */
  totpSecret: string | null;
}

/** A signed-in session: the cookie header to send and the CSRF token to echo. */
export interface Session {
  user: TestUser;
  /** `comity_session=…; comity_csrf=…` */
  cookie: string;
  csrf: string;
  /** The raw session token (the cookie value). */
  token: string;
  /** Set-Cookie headers of the login response. */
  setCookie: string[];
}

export interface InjectOptions {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** A value sent as JSON, or a string/Buffer sent as is. */
  body?: unknown;
  /** Send the body with this content-type instead of application/json. */
  contentType?: string;
}

/** An inject wrapper for one caller: adds its cookie and CSRF token, or its Bearer token. */
export interface Client {
  request(method: string, url: string, options?: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string, options?: InjectOptions): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, options?: InjectOptions): Promise<LightMyRequestResponse>;
  delete(url: string, options?: InjectOptions): Promise<LightMyRequestResponse>;
}

export interface TestApp {
  app: FastifyInstance;
  kind: TestDbKind;
  handle: DatabaseHandle;
  cases: CaseContext;
  auth: AuthContext;
  /** The evidence context, its blobs under a temporary directory removed by `close()`. */
  evidence: EvidenceContext;
  kb: KnowledgeBase;
  config: HttpConfig;
  /** The node's transparency log. */
  ledger: Ledger;
  /** Clock of both contexts: real time plus `offsetMs`. */
  clock: { now(): Date; advance(ms: number): void; readonly offsetMs: number };
  /** Every user by e-mail (demo users first), with ids and TOTP secrets. */
  users: Map<string, TestUser>;
  seeded: SeededUser[];
  user(email: string): TestUser;
  /** Creates an account directly through the account context (as the system). */
  addUser(input: { email: string; authorityId: string | null; roles: Role[]; displayName?: string }): Promise<TestUser>;
  /** POST /api/auth/login only (no second factor): the raw response and, on success, the session. */
  login(email: string, password?: string, headers?: Record<string, string>): Promise<{ response: LightMyRequestResponse; session: Session | null }>;
  /** The session that replaced `before` when its second factor passed (`response`: the 200 of /api/auth/totp or /totp/confirm). */
  rotated(before: Session, response: LightMyRequestResponse): Session;
  /** Signs in through the API, passing (or enrolling) the second factor when required. */
  signIn(email: string): Promise<Session>;
  /** An inject wrapper signed in as `who` (a session, or an e-mail: signed in once and cached). */
  as(who: Session | string): Promise<Client>;
  /** An inject wrapper presenting a Bearer token. */
  bearer(token: string): Client;
  /** Anonymous inject wrapper. */
  anonymous: Client;
  /** Creates an API token through POST /api/tokens from a session of `who`; returns the `cmt_…` token. */
  token(who: Session | string, scopes: ApiScope[], name?: string): Promise<string>;
  /** The next valid TOTP code of a user (moving the clock on a step when needed). */
  nextTotp(email: string): string;
  /** A six-digit code that is not valid for the user now (nor a step before or after). */
  wrongTotp(email: string): string;
  /** Another app on the same database and contexts, with other HTTP settings; closed by `close()`. */
  appWith(overrides: Partial<HttpConfig>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export interface BuildTestAppOptions {
  /** HTTP settings over the production defaults of `loadServerConfig({})`. */
  config?: Partial<HttpConfig>;
}

/**
 * The production defaults, except the rate limits, raised so that a test's hundreds of requests
 * from one address are not throttled (the limits have their own test with the defaults).
 */
export function testConfig(overrides: Partial<HttpConfig> = {}): HttpConfig {
  return { ...loadServerConfig({}).http, rateLimitPerMinute: 1_000_000, loginRateLimitPerMinute: 10_000, costlyRateLimitPerMinute: 10_000, failedCredentialsPerAddress: 1_000_000, ...overrides };
}

async function openTarget(kind: TestDbKind): Promise<{ handle: DatabaseHandle; cleanup(): Promise<void> }> {
  for await (const target of testDatabases()) {
    if (target.kind !== kind) {
      await target.cleanup();
      continue;
    }
    const handle = await target.create();
    return { handle, cleanup: () => target.cleanup() };
  }
  throw new Error(`database ${kind} is not available (see test/db/dialects.ts)`);
}

export function cookieHeader(setCookie: string[]): string {
  return setCookie.map((c) => c.split(';')[0]).join('; ');
}

export function setCookies(response: LightMyRequestResponse): string[] {
  const raw = response.headers['set-cookie'];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

function cookieValue(setCookie: string[], name: string): string | null {
  for (const c of setCookie) {
    const first = c.split(';')[0] ?? '';
    const eq = first.indexOf('=');
    if (first.slice(0, eq) === name) return decodeURIComponent(first.slice(eq + 1));
  }
  return null;
}

export async function buildTestApp(kind: TestDbKind = 'sqlite', options: BuildTestAppOptions = {}): Promise<TestApp> {
  const { handle, cleanup } = await openTarget(kind);
  let app: FastifyInstance | undefined;
  let evidenceDir: string | undefined;
  try {
    await handle.migrate();
    let offsetMs = 0;
    const clock = {
      now: () => new Date(Date.now() + offsetMs),
      advance: (ms: number) => {
        if (ms < 0) throw new Error('the test clock never goes back');
        offsetMs += ms;
      },
      get offsetMs() {
        return offsetMs;
      },
    };
    const kb = knowledgeBase();
    // On SQLite through the group committer, as a server with COMITY_SQLITE_SYNC=full runs.
    const cases = createCaseContext(handle.db, kb, { now: clock.now, transaction: transactionRunner(handle.db, { groupCommit: handle.kind === 'sqlite' }) });
    const secretBox = createSecretBox(randomBytes(32));
    const auth = createAuthContext(handle.db, secretBox, { now: clock.now });
    evidenceDir = await mkdtemp(join(tmpdir(), 'comity-evidence-'));
    const ledger = createLedger(handle.db, createDbKeyStore(handle.db, secretBox), { origin: 'comity.test.example/log', memory: memoryInProcess(), now: clock.now, newId: () => uuidv7(Date.now()) });
    const evidence = await createEvidenceContext({ cases, keys: createDbKeyStore(handle.db, secretBox), dataDir: evidenceDir, ledger });
    const seeded = await seedDemo(cases, auth, DEMO_PASSWORD);
    const config = testConfig(options.config);
    app = await buildApp({ config, kb, finder: cases.finder, cases, evidence, auth, database: handle, oidc: null, logger: false, ledger });
    await app.ready();
    const built = app;

    const users = new Map<string, TestUser>();
    const rows = await handle.db.selectFrom('users').select(['id', 'email']).execute();
    const idOf = new Map(rows.map((r) => [r.email, r.id]));
    for (const s of seeded) users.set(s.email, { id: idOf.get(s.email) as string, email: s.email, authorityId: s.authorityId, roles: [...s.roles], totpSecret: s.totpSecret });
    // Last TOTP step used per user: the seed confirmed every enrolled user's factor "now".
    const lastStep = new Map<string, number>();
    for (const s of seeded) if (s.totpSecret) lastStep.set(s.email, totpStep(clock.now()));

    const user = (email: string): TestUser => {
      const found = users.get(email);
      if (!found) throw new Error(`no test user ${email}`);
      return found;
    };

    const nextTotp = (email: string): string => {
      const u = user(email);
      if (!u.totpSecret) throw new Error(`${email} has no TOTP secret`);
      const used = lastStep.get(email);
      const current = totpStep(clock.now());
      if (used !== undefined && used >= current) {
        // Move to the start of the step after the last used one (plus a margin).
        const target = (used + 1) * TOTP_STEP_SECONDS * 1000 + 1000;
        clock.advance(target - clock.now().getTime());
      }
      const step = totpStep(clock.now());
      lastStep.set(email, step);
      return totpCode(u.totpSecret, clock.now());
    };

    const inject = async (method: string, url: string, extraHeaders: Record<string, string>, opts: InjectOptions = {}): Promise<LightMyRequestResponse> => {
      const headers: Record<string, string> = { ...extraHeaders, ...(opts.headers ?? {}) };
      let payload: string | Buffer | undefined;
      if (opts.body !== undefined) {
        if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) payload = opts.body;
        else payload = JSON.stringify(opts.body);
        headers['content-type'] = opts.contentType ?? headers['content-type'] ?? 'application/json';
      }
      return built.inject({ method: method as 'GET', url, headers, ...(opts.query ? { query: opts.query } : {}), ...(payload !== undefined ? { payload } : {}) });
    };

    const client = (extraHeaders: Record<string, string>): Client => ({
      request: (method, url, opts) => inject(method, url, extraHeaders, opts),
      get: (url, opts) => inject('GET', url, extraHeaders, opts),
      post: (url, body, opts) => inject('POST', url, extraHeaders, { ...opts, body: body ?? opts?.body }),
      delete: (url, opts) => inject('DELETE', url, extraHeaders, opts),
    });
    const anonymous = client({});

    const login = async (email: string, password = DEMO_PASSWORD, headers: Record<string, string> = {}) => {
      const response = await built.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ email, password }) });
      if (response.statusCode !== 200) return { response, session: null };
      const set = setCookies(response);
      const token = cookieValue(set, 'comity_session');
      const body = response.json<{ csrfToken: string; user: { id: string; authorityId: string | null; roles: Role[] } }>();
      if (!token) throw new Error('login set no session cookie');
      const normalized = email.trim().toLowerCase();
      const known = users.get(normalized) ?? { id: body.user.id, email: normalized, authorityId: body.user.authorityId, roles: body.user.roles, totpSecret: null };
      return { response, session: { user: known, cookie: cookieHeader(set), csrf: body.csrfToken, token, setCookie: set } };
    };

    /** The session that replaced `before` once the second factor passed (new cookies and CSRF token). */
    const rotated = (before: Session, response: LightMyRequestResponse): Session => {
      const set = setCookies(response);
      const token = cookieValue(set, 'comity_session');
      if (!token) throw new Error('the second factor set no new session cookie');
      return { user: before.user, cookie: cookieHeader(set.filter((c) => !c.startsWith('comity_device='))), csrf: response.json<{ csrfToken: string }>().csrfToken, token, setCookie: set };
    };

    const sessionClient = (s: Session): Client => client({ cookie: s.cookie, 'x-csrf-token': s.csrf });

    const signIn = async (email: string): Promise<Session> => {
      const { response, session } = await login(email);
      if (!session) throw new Error(`sign-in of ${email} failed: ${response.statusCode} ${response.body}`);
      const body = response.json<{ mfaRequired: boolean; mfaEnrolmentRequired: boolean }>();
      if (!body.mfaRequired) return session;
      const c = sessionClient(session);
      if (body.mfaEnrolmentRequired) {
        const enrol = await c.post('/api/auth/totp/enrol');
        if (enrol.statusCode !== 200) throw new Error(`TOTP enrolment of ${email} failed: ${enrol.statusCode} ${enrol.body}`);
        user(email).totpSecret = enrol.json<{ secret: string }>().secret;
        const confirm = await c.post('/api/auth/totp/confirm', { code: nextTotp(email) });
        if (confirm.statusCode !== 200) throw new Error(`TOTP confirmation of ${email} failed: ${confirm.statusCode} ${confirm.body}`);
        return rotated(session, confirm);
      }
      const verified = await c.post('/api/auth/totp', { code: nextTotp(email) });
      if (verified.statusCode !== 200) throw new Error(`second factor of ${email} failed: ${verified.statusCode} ${verified.body}`);
      return rotated(session, verified);
    };

    const sessions = new Map<string, Session>();
    const as = async (who: Session | string): Promise<Client> => {
      if (typeof who !== 'string') return sessionClient(who);
      let s = sessions.get(who);
      if (!s) {
        s = await signIn(who);
        sessions.set(who, s);
      }
      return sessionClient(s);
    };

    const token = async (who: Session | string, scopes: ApiScope[], name = `test ${randomUUID().slice(0, 8)}`): Promise<string> => {
      const c = await as(who);
      const res = await c.post('/api/tokens', { name, scopes, expiresInDays: 30 });
      if (res.statusCode !== 201) throw new Error(`token creation failed: ${res.statusCode} ${res.body}`);
      return res.json<{ token: string }>().token;
    };

    const addUser: TestApp['addUser'] = async (input) => {
      const created = await createUser(auth, { id: 'system', authorityId: null }, { email: input.email, displayName: input.displayName ?? input.email, authorityId: input.authorityId, roles: input.roles, password: DEMO_PASSWORD });
      const u: TestUser = { id: created.id, email: created.email, authorityId: created.authorityId, roles: [...created.roles], totpSecret: null };
      users.set(u.email, u);
      return u;
    };

    const wrongTotp = (email: string): string => {
      const u = user(email);
      const step = totpStep(clock.now());
      const valid = new Set(u.totpSecret ? [step - 1, step, step + 1].map((n) => hotp(u.totpSecret as string, n)) : []);
      for (let n = 0; ; n++) {
        const code = String(n).padStart(6, '0');
        if (!valid.has(code)) return code;
      }
    };

    const variants: FastifyInstance[] = [];
    const appWith = async (overrides: Partial<HttpConfig>): Promise<FastifyInstance> => {
      const variant = await buildApp({ config: { ...config, ...overrides }, kb, finder: cases.finder, cases, evidence, auth, database: handle, oidc: null, logger: false });
      variants.push(variant);
      await variant.ready();
      return variant;
    };

    let closed: Promise<void> | undefined;
    return {
      app: built,
      kind,
      handle,
      cases,
      auth,
      evidence,
      kb,
      ledger,
      config,
      clock,
      users,
      seeded,
      user,
      addUser,
      login,
      signIn,
      rotated,
      as,
      bearer: (t) => client({ authorization: `Bearer ${t}` }),
      anonymous,
      token,
      nextTotp,
      wrongTotp,
      appWith,
      close: () =>
        (closed ??= (async () => {
          for (const variant of variants) await variant.close();
          await built.close();
          await handle.close();
          await cleanup();
          if (evidenceDir) await rm(evidenceDir, { recursive: true, force: true });
        })()),
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await handle.close().catch(() => {});
    await cleanup().catch(() => {});
    if (evidenceDir) await rm(evidenceDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Asserts an RFC 9457 problem: status, `application/problem+json`, `type` (a documentation
 * anchor ending in `#<code>`), the registry's `title`, `status` and `code`, and `instance` equal to
 * the request id header. Returns the body.
 */
export function assertProblem(response: LightMyRequestResponse, status: number, code?: ProblemCode, message?: string): Problem {
  const where = message ? `${message}: ` : '';
  assert.equal(response.statusCode, status, `${where}expected ${status}${code ? ` ${code}` : ''}, got ${response.statusCode} ${response.body.slice(0, 500)}`);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json(;|$)/, `${where}content-type of ${response.statusCode} ${response.body.slice(0, 200)}`);
  const body = response.json<Problem>();
  assert.equal(typeof body.type, 'string');
  assert.ok(Object.hasOwn(PROBLEMS, body.code), `${where}code ${String(body.code)} is in the registry`);
  assert.ok(body.type.endsWith(`#${body.code}`), `${where}type ${body.type} names the code ${body.code}`);
  assert.equal(body.title, PROBLEMS[body.code].title);
  assert.equal(body.status, response.statusCode);
  assert.equal(PROBLEMS[body.code].status, response.statusCode);
  if (code) assert.equal(body.code, code, `${where}${response.body.slice(0, 300)}`);
  assert.equal(typeof body.instance, 'string');
  assert.equal(body.instance, response.headers['x-request-id']);
  return body;
}

/** The security headers every response carries. */
export function assertSecurityHeaders(response: LightMyRequestResponse, where = ''): void {
  const h = response.headers;
  assert.equal(h['x-content-type-options'], 'nosniff', `x-content-type-options ${where}`);
  assert.equal(h['x-frame-options'], 'DENY', `x-frame-options ${where}`);
  assert.equal(h['referrer-policy'], 'no-referrer', `referrer-policy ${where}`);
  const csp = String(h['content-security-policy'] ?? '');
  assert.match(csp, /default-src 'self'/, `content-security-policy ${where}`);
  assert.match(csp, /frame-ancestors 'none'/, `content-security-policy ${where}`);
  assert.match(csp, /object-src 'none'/, `content-security-policy ${where}`);
  assert.match(String(h['strict-transport-security'] ?? ''), /max-age=\d+/, `strict-transport-security ${where}`);
  assert.equal(typeof h['x-request-id'], 'string', `x-request-id ${where}`);
}

/** Asserts nothing; returns the parsed problem body when the response is problem+json, else null. */
export function problemOf(response: LightMyRequestResponse): { type: string; title: string; status: number; code: string; detail?: string; instance?: string; issues?: { field: string; message: string }[] } | null {
  const type = String(response.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return null;
  try {
    return response.json();
  } catch {
    return null;
  }
}
