/**
 * @module http/guard
 * Authentication (who is calling) and authorisation (may they call this route) for every
 * request, before its handler. Sessions come from the `comity_session` HttpOnly cookie, machine
 * clients present `Authorization: Bearer cmt_…`. Cookie sessions must echo their CSRF token in
 * `x-csrf-token` on every unsafe method. Users whose roles require a second factor can only
 * use the authentication routes until they have confirmed it.
 */
import type { FastifyRequest } from 'fastify';
import { authenticateApiToken, authenticateSession, checkCsrf, type ApiScope } from '../auth/index.js';
import type { AppDeps } from './deps.js';
import type { Policy } from './policies.js';
import type { Principal } from './principal.js';
import { HttpProblem } from './problems.js';

export const SESSION_COOKIE = 'comity_session';
export const CSRF_COOKIE = 'comity_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Session CSRF hashes, kept on the request for the CSRF check. */
const csrfHashes = new WeakMap<FastifyRequest, { csrfHash: string }>();

export async function resolvePrincipal(deps: AppDeps, request: FastifyRequest): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.length > 0) {
    const match = /^Bearer (cmt_[A-Za-z0-9_-]{1,200})$/.exec(header);
    if (!match?.[1]) throw new HttpProblem('unauthenticated', 'malformed Authorization header: expected Bearer cmt_…');
    const found = await authenticateApiToken(deps.auth, match[1]);
    if (!found) throw new HttpProblem('unauthenticated', 'the API token is unknown, expired or revoked');
    return {
      userId: found.user.id,
      actor: `token:${found.token.id}`,
      authorityId: found.user.authorityId,
      roles: found.user.roles,
      via: 'token',
      mfaPassed: true,
      scopes: found.token.scopes,
      sessionId: null,
    };
  }
  const token = request.cookies[SESSION_COOKIE];
  if (typeof token !== 'string' || token.length === 0) return null;
  const found = await authenticateSession(deps.auth, token);
  if (!found) return null;
  csrfHashes.set(request, { csrfHash: found.session.csrfHash });
  return {
    userId: found.user.id,
    actor: `user:${found.user.id}`,
    authorityId: found.user.authorityId,
    roles: found.user.roles,
    via: 'session',
    mfaPassed: !found.session.mfaPending,
    scopes: null,
    sessionId: found.session.id,
  };
}

function requireCsrf(request: FastifyRequest, principal: Principal): void {
  if (principal.via !== 'session' || !UNSAFE.has(request.method)) return;
  const given = request.headers['x-csrf-token'];
  const session = csrfHashes.get(request);
  if (typeof given !== 'string' || !session || !checkCsrf(session, given)) throw new HttpProblem('csrf-failed');
}

export function hasScope(principal: Principal, scope: ApiScope | null): boolean {
  if (principal.scopes === null || scope === null) return true;
  return principal.scopes.includes(scope) || principal.scopes.includes('admin');
}

/** Throws a problem unless the principal satisfies the policy. Case-event roles are checked in the route. */
export function authorize(_deps: AppDeps, request: FastifyRequest, policy: Policy): void {
  const principal = request.principal;
  if (policy.kind === 'public') return;
  if (policy.kind === 'pre-mfa') {
    if (principal) requireCsrf(request, principal);
    return;
  }
  if (!principal) throw new HttpProblem('unauthenticated');
  requireCsrf(request, principal);
  if (!principal.mfaPassed) throw new HttpProblem('mfa-required', 'your role requires a confirmed second factor (POST /api/auth/totp)');
  if (policy.kind === 'case-event') {
    if (!hasScope(principal, 'cases:write')) throw new HttpProblem('forbidden', 'the token lacks the scope cases:write');
    return;
  }
  if (!hasScope(principal, policy.scope)) throw new HttpProblem('forbidden', `the token lacks the scope ${policy.scope}`);
  if (policy.roles && !policy.roles.some((r) => principal.roles.includes(r))) throw new HttpProblem('forbidden', `requires one of the roles ${policy.roles.join(', ')}`);
  if (policy.platformAdmin && principal.authorityId !== null) throw new HttpProblem('forbidden', 'only a platform administrator may do this');
}
