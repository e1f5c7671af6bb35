/**
 * @module http/routes/auth
 * Sign-in and accounts: password login into an HttpOnly, Secure, SameSite=Strict session cookie
 * with a CSRF token; the TOTP second factor (enrol, confirm, verify); optional OIDC sign-in;
 * API tokens for machine clients (shown once, stored hashed, scoped and expiring); users.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  API_SCOPES,
  confirmTotp,
  createApiToken,
  createUser,
  enrolTotp,
  getUser,
  listApiTokens,
  login,
  loginWithOidc,
  logout,
  revokeApiToken,
  verifySecondFactor,
} from '../../auth/index.js';
import { AuthError } from '../../auth/index.js';
import type { AddressThrottle } from '../address-throttle.js';
import type { AppDeps } from '../deps.js';
import { CSRF_COOKIE, DEVICE_COOKIE, SESSION_COOKIE, ThrottledProblem } from '../guard.js';
import type { Metrics } from '../metrics.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';

const OIDC_COOKIE = 'comity_oidc';

function setSessionCookies(deps: AppDeps, reply: FastifyReply, session: { token: string; csrfToken: string; expiresAt: string }, deviceToken: string | null): void {
  const expires = new Date(session.expiresAt);
  const common = { path: '/', secure: deps.config.secureCookies, sameSite: 'strict' as const, expires };
  reply.setCookie(SESSION_COOKIE, session.token, { ...common, httpOnly: true });
  // Readable by the workspace's script, which echoes it in x-csrf-token (double submit).
  reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
  // The device cookie: this browser completed a sign-in, its failures count apart from strangers' (auth/sign-in-throttle.ts).
  if (deviceToken !== null) reply.setCookie(DEVICE_COOKIE, deviceToken, { path: '/api/auth', secure: deps.config.secureCookies, sameSite: 'strict', httpOnly: true, maxAge: 365 * 24 * 60 * 60 });
}

function deviceCookie(request: FastifyRequest): string | undefined {
  const value = request.cookies[DEVICE_COOKIE];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Runs a credential check: refused at once while the address waits; a wrong credential counts against the address. */
async function guarded<T>(limits: AuthRouteLimits, request: FastifyRequest, kind: 'password' | 'totp', work: () => Promise<T>): Promise<T> {
  const wait = limits.throttle.retryAfter(request.ip);
  if (wait > 0) throw new ThrottledProblem(wait);
  try {
    return await work();
  } catch (error) {
    if (error instanceof AuthError && (error.code === 'invalid-credentials' || error.code === 'mfa-invalid')) {
      limits.throttle.fail(request.ip);
      limits.metrics.failedCredential(kind);
    }
    throw error;
  }
}

export interface AuthRouteLimits {
  throttle: AddressThrottle;
  metrics: Metrics;
}

function sessionToken(request: FastifyRequest): string {
  const token = request.cookies[SESSION_COOKIE];
  if (typeof token !== 'string' || token.length === 0) throw new HttpProblem('unauthenticated');
  return token;
}

function me(principal: Principal) {
  return { userId: principal.userId, authorityId: principal.authorityId, roles: principal.roles, via: principal.via, mfaPassed: principal.mfaPassed };
}

const code = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'six digits') });

export async function registerAuthRoutes(app: FastifyInstance, deps: AppDeps, limits: AuthRouteLimits): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['authentication'];
  const loginLimit = { rateLimit: { max: deps.config.loginRateLimitPerMinute, timeWindow: '1 minute', keyGenerator: (request: FastifyRequest) => request.ip } };

  api.post(
    '/api/auth/login',
    { config: loginLimit, schema: { tags, summary: 'Sign in with e-mail and password; sets the session cookie', body: z.strictObject({ email: z.string().max(254), password: z.string().max(4096) }) } },
    async (request, reply) => {
      const result = await guarded(limits, request, 'password', () => login(deps.auth, request.body, { deviceToken: deviceCookie(request) }));
      setSessionCookies(deps, reply, result.session, result.deviceToken);
      return { user: result.user, csrfToken: result.session.csrfToken, expiresAt: result.session.expiresAt, mfaRequired: result.session.mfaRequired, mfaEnrolmentRequired: result.session.mfaEnrolmentRequired };
    },
  );

  api.post('/api/auth/logout', { schema: { tags, summary: 'End the session' } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (typeof token === 'string' && token.length > 0) await logout(deps.auth, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  api.post(
    '/api/auth/totp',
    { config: loginLimit, schema: { tags, summary: 'Confirm the second factor with a TOTP code; the session is replaced by a new one (new cookies and CSRF token)', body: code } },
    async (request, reply) => {
      const passed = await guarded(limits, request, 'totp', () => verifySecondFactor(deps.auth, sessionToken(request), request.body.code));
      setSessionCookies(deps, reply, { token: passed.token, csrfToken: passed.csrfToken, expiresAt: passed.session.expiresAt }, passed.deviceToken);
      return { mfaPassed: passed.session.mfaPassed, csrfToken: passed.csrfToken };
    },
  );

  api.post('/api/auth/totp/enrol', { schema: { tags, summary: 'Start TOTP enrolment: returns the secret and otpauth URI once' } }, async (request) => enrolTotp(deps.auth, sessionToken(request)));

  api.post(
    '/api/auth/totp/confirm',
    { config: loginLimit, schema: { tags, summary: 'Finish TOTP enrolment with a first code; the session is replaced by a new one (new cookies and CSRF token)', body: code } },
    async (request, reply) => {
      const passed = await guarded(limits, request, 'totp', () => confirmTotp(deps.auth, sessionToken(request), request.body.code));
      setSessionCookies(deps, reply, { token: passed.token, csrfToken: passed.csrfToken, expiresAt: passed.session.expiresAt }, passed.deviceToken);
      return { mfaPassed: passed.session.mfaPassed, csrfToken: passed.csrfToken };
    },
  );

  api.get('/api/auth/me', { schema: { tags, summary: 'Who is signed in' } }, async (request) => {
    const principal = request.principal;
    if (!principal) throw new HttpProblem('unauthenticated');
    const user = await getUser(deps.auth, principal.userId);
    return { ...me(principal), email: user?.email ?? null, displayName: user?.displayName ?? null };
  });

  api.get('/api/auth/oidc/login', { schema: { tags, summary: 'Start OpenID Connect sign-in (when configured)' } }, async (_request, reply) => {
    if (!deps.oidc) throw new HttpProblem('not-found', 'OpenID Connect sign-in is not configured');
    const challenge = deps.oidc.newChallenge();
    // Lax, not Strict: the provider redirects back cross-site.
    reply.setCookie(OIDC_COOKIE, `${challenge.state}.${challenge.verifier}`, { path: '/api/auth/oidc', httpOnly: true, secure: deps.config.secureCookies, sameSite: 'lax', maxAge: 600 });
    return reply.redirect((await deps.oidc.authorizationUrl(challenge.state, challenge.verifier)).href);
  });

  api.get('/api/auth/oidc/callback', { schema: { tags, summary: 'OpenID Connect redirect target' } }, async (request, reply) => {
    if (!deps.oidc) throw new HttpProblem('not-found', 'OpenID Connect sign-in is not configured');
    const [state, verifier] = (request.cookies[OIDC_COOKIE] ?? '').split('.');
    if (!state || !verifier) throw new HttpProblem('unauthenticated', 'the sign-in expired: start again');
    let claims;
    try {
      claims = await deps.oidc.callback(new URL(request.url, deps.config.publicUrl), { state, verifier });
    } catch {
      throw new HttpProblem('unauthenticated', 'the identity provider’s answer did not verify');
    }
    const result = await loginWithOidc(deps.auth, claims, { deviceToken: deviceCookie(request) });
    reply.clearCookie(OIDC_COOKIE, { path: '/api/auth/oidc' });
    setSessionCookies(deps, reply, result.session, result.deviceToken);
    return reply.redirect('/');
  });

  api.get('/api/tokens', { schema: { tags: ['tokens'], summary: 'Your API tokens (never the secret)' } }, async (request) => listApiTokens(deps.auth, (request.principal as Principal).userId));

  api.post(
    '/api/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for yourself; the token is shown once',
        body: z.strictObject({ name: z.string().min(1).max(100), scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length), expiresInDays: z.number().int().min(1).max(365) }),
      },
    },
    async (request, reply) => {
      const principal = request.principal as Principal;
      const created = await createApiToken(deps.auth, { id: principal.actor, authorityId: principal.authorityId }, { ...request.body, userId: principal.userId });
      return reply.code(201).send(created);
    },
  );

  api.delete('/api/tokens/:id', { schema: { tags: ['tokens'], summary: 'Revoke one of your API tokens', params: z.strictObject({ id: z.string().min(1).max(100) }) } }, async (request) => {
    const principal = request.principal as Principal;
    const mine = await listApiTokens(deps.auth, principal.userId);
    if (!mine.some((t) => t.id === request.params.id)) throw new HttpProblem('not-found', `no token ${request.params.id}`);
    return revokeApiToken(deps.auth, { id: principal.actor, authorityId: principal.authorityId }, request.params.id);
  });

  api.get('/api/users', { schema: { tags: ['users'], summary: 'Accounts of your authority (all, for a platform administrator)' } }, async (request) => {
    const principal = request.principal as Principal;
    let query = deps.auth.db.selectFrom('users').select(['id', 'email', 'display_name as displayName', 'authority_id as authorityId', 'roles', 'totp_enabled as totpEnabled', 'created_at as createdAt', 'disabled_at as disabledAt']);
    if (principal.authorityId !== null) query = query.where('authority_id', '=', principal.authorityId);
    const rows = await query.orderBy('email').execute();
    return rows.map((r) => ({ ...r, roles: JSON.parse(r.roles) as string[], totpEnabled: r.totpEnabled === 1 }));
  });

  api.post('/api/users', { schema: { tags: ['users'], summary: 'Create an account (administrator)', body: z.unknown() } }, async (request, reply) => {
    const principal = request.principal as Principal;
    const created = await createUser(deps.auth, { id: principal.actor, authorityId: principal.authorityId }, request.body);
    return reply.code(201).send(created);
  });
}
