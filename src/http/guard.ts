/**
 * @module http/guard
 * Authentication (who is calling) and authorisation (may they call this route, on this case)
 * for every request, before its body is read and before its handler. Every decision comes from
 * the policy table (`policies.ts`); handlers decide nothing about who may do what.
 *
 * Sessions come from the `comity_session` HttpOnly cookie, machine clients present
 * `Authorization: Bearer cmt_…`. A wrong token counts as a failed credential of the client's
 * address like a wrong password (`address-throttle.ts`), and the answer is the same whether the
 * token never existed, expired or was revoked. Cookie sessions must echo their CSRF token in
 * `x-csrf-token` on every unsafe method. Users whose roles require a second factor can only use
 * the authentication routes until they have confirmed it.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authenticateApiToken, authenticateSession, checkCsrf, type ApiScope } from '../auth/index.js';
import type { CaseEvent } from '../cases/index.js';
import type { AddressThrottle } from './address-throttle.js';
import type { AppDeps } from './deps.js';
import { CASE_EVENT_ROLES, ORDER_EVENT_ROLES, type CaseSide, type Policy } from './policies.js';
import type { Principal } from './principal.js';
import { HttpProblem } from './problems.js';

export const SESSION_COOKIE = 'comity_session';
export const CSRF_COOKIE = 'comity_csrf';
export const DEVICE_COOKIE = 'comity_device';
/** Longest case id any route's schema accepts. */
const CASE_ID_MAX = 64;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Session CSRF hashes, kept on the request for the CSRF check. */
const csrfHashes = new WeakMap<FastifyRequest, { csrfHash: string }>();

/** A 429 telling the client how long to wait (`Retry-After`, RFC 9110 §10.2.3). */
export class ThrottledProblem extends HttpProblem {
  constructor(readonly retryAfterSeconds: number) {
    super('throttled', `too many failed attempts from this address: try again in ${retryAfterSeconds} s`);
  }
}

export async function resolvePrincipal(deps: AppDeps, throttle: AddressThrottle, request: FastifyRequest, policy: Policy): Promise<Principal | null> {
  // The metrics token is not a user's: it is checked by the policy, never resolved to a principal.
  if (policy.kind === 'operator-token') return null;
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.length > 0) {
    const wait = throttle.retryAfter(request.ip);
    if (wait > 0) throw new ThrottledProblem(wait);
    const match = /^Bearer (cmt_[A-Za-z0-9_-]{1,200})$/.exec(header);
    const found = match?.[1] ? await authenticateApiToken(deps.auth, match[1]) : null;
    if (!found) {
      throttle.fail(request.ip);
      // One answer for malformed, unknown, wrong, expired and revoked tokens.
      throw new HttpProblem('unauthenticated', 'the API token is not valid');
    }
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

/** Whether a token has the scope (sessions have every scope their roles allow). `tokens` is never implied by `admin`. */
export function hasScope(principal: Pick<Principal, 'scopes'>, scope: ApiScope | null): boolean {
  if (principal.scopes === null || scope === null) return true;
  if (scope === 'tokens') return principal.scopes.includes('tokens');
  return principal.scopes.includes(scope) || principal.scopes.includes('admin');
}

/** What the policy needs to know about a case to decide. */
export interface CaseFacts {
  requesting: string;
  addressee: string;
  sent: boolean;
  /** The requesting authority keeps separation of duties on. */
  separationOfDuties: boolean;
}

/** The facts of a case, or null when there is none. */
export async function caseFacts(deps: Pick<AppDeps, 'cases'>, caseId: string): Promise<CaseFacts | null> {
  const row = await deps.cases.db
    .selectFrom('cases')
    .innerJoin('authorities', 'authorities.id', 'cases.requesting_authority_id')
    .select(['cases.requesting_authority_id', 'cases.addressee_id', 'cases.sent_at', 'authorities.separation_of_duties'])
    .where('cases.id', '=', caseId)
    .executeTakeFirst();
  if (!row) return null;
  return { requesting: row.requesting_authority_id, addressee: row.addressee_id, sent: row.sent_at !== null, separationOfDuties: row.separation_of_duties !== 0 };
}

/** The users who drafted or edited a case (history actors `user:<id>` or `token:<id>`, resolved to users). */
export async function draftersOf(deps: Pick<AppDeps, 'cases'>, caseId: string): Promise<Set<string>> {
  const rows = await deps.cases.db.selectFrom('case_events').select('actor').where('case_id', '=', caseId).where('event', 'in', ['create', 'edit']).execute();
  const users = new Set<string>();
  const tokens: string[] = [];
  for (const { actor } of rows) {
    if (actor.startsWith('user:')) users.add(actor.slice('user:'.length));
    else if (actor.startsWith('token:')) tokens.push(actor.slice('token:'.length));
    else users.add(actor);
  }
  if (tokens.length > 0) {
    const owners = await deps.cases.db.selectFrom('api_tokens').select('user_id').where('id', 'in', tokens).execute();
    for (const owner of owners) users.add(owner.user_id);
  }
  return users;
}

/**
 * The side of the case the caller's authority is on, or a 404 exactly like an unknown case when
 * it is on none (the addressee sees a case only once it has been sent: drafts belong to the
 * requesting side).
 */
function sideOfCaller(principal: Principal, facts: CaseFacts | null, caseId: string): 'requesting' | 'requested' | 'both' {
  const own = principal.authorityId;
  const requesting = facts !== null && own !== null && facts.requesting === own;
  const requested = facts !== null && own !== null && facts.addressee === own && facts.sent;
  if (!requesting && !requested) throw new HttpProblem('not-found', `no case ${caseId}`);
  return requesting && facts?.addressee === own ? 'both' : requesting ? 'requesting' : 'requested';
}

function checkSide(actual: 'requesting' | 'requested' | 'both', wanted: CaseSide, what: string): void {
  if (wanted === 'either' || actual === 'both' || actual === wanted) return;
  throw new HttpProblem('forbidden', `${what} is for the ${wanted} side of the case`);
}

/** The metrics scraper's token (COMITY_METRICS_TOKEN), compared in constant time. */
function checkOperatorToken(deps: AppDeps, request: FastifyRequest): void {
  const expected = deps.config.metricsToken;
  // Not configured: the route does not exist for anyone (README "Limits").
  if (!expected) throw new HttpProblem('not-found', 'metrics are off: set COMITY_METRICS_TOKEN');
  const given = /^Bearer (.{1,500})$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  if (!timingSafeEqual(digest(given), digest(expected))) throw new HttpProblem('unauthenticated', 'present the metrics token');
}

/**
 * Throws a problem unless the principal satisfies the route's policy (and, for a case route,
 * stands on the right side of the case; for a case event, has the event's role and side and
 * respects separation of duties).
 */
export async function authorize(deps: AppDeps, request: FastifyRequest, policy: Policy): Promise<void> {
  const principal = request.principal;
  if (policy.kind === 'public') return;
  if (policy.kind === 'operator-token') return checkOperatorToken(deps, request);
  if (policy.kind === 'pre-mfa') {
    if (principal) requireCsrf(request, principal);
    return;
  }
  if (!principal) throw new HttpProblem('unauthenticated');
  requireCsrf(request, principal);
  await authorizePrincipal(deps, principal, policy, (request.params ?? {}) as RouteParams);
}

export interface RouteParams {
  id?: string;
  event?: string;
}

/**
 * The decision for a known principal (a signed-in user or a token), without anything HTTP: the
 * API and the CLI (`cli/identity.ts`) both call it.
 */
export async function authorizePrincipal(deps: Pick<AppDeps, 'cases'>, principal: Principal, policy: Policy, params: RouteParams): Promise<void> {
  if (policy.kind === 'public' || policy.kind === 'pre-mfa') return;
  if (policy.kind === 'operator-token') throw new HttpProblem('forbidden', 'only the metrics scraper’s token');
  if (!principal.mfaPassed) throw new HttpProblem('mfa-required', 'your role requires a confirmed second factor (POST /api/auth/totp)');
  // An id no case can have (the schemas take 1 to 64 characters) is left to the schema: 400, not a lookup.
  const caseIdShape = typeof params.id === 'string' && params.id.length >= 1 && params.id.length <= CASE_ID_MAX;
  if (policy.kind === 'order-event') {
    if (!hasScope(principal, 'cases:write')) throw new HttpProblem('forbidden', 'the token lacks the scope cases:write');
    const event = String(params.event ?? '');
    const rule = Object.hasOwn(ORDER_EVENT_ROLES, event) ? ORDER_EVENT_ROLES[event as keyof typeof ORDER_EVENT_ROLES] : undefined;
    // An unknown event is bad input, answered by the handler; the party of the order is checked there, in the transaction.
    if (!rule) return;
    if (!rule.roles.some((r) => principal.roles.includes(r))) throw new HttpProblem('forbidden', `${event} requires one of the roles ${rule.roles.join(', ')}`);
    if (rule.distinctFromDrafter && typeof params.id === 'string') {
      const order = await deps.cases.db.selectFrom('eorders as o').innerJoin('authorities as a', 'a.id', 'o.issuing_authority_id').select(['o.created_by', 'a.separation_of_duties']).where('o.id', '=', params.id).executeTakeFirst();
      if (order && order.separation_of_duties !== 0 && order.created_by === principal.actor) throw new HttpProblem('forbidden', `separation of duties: who drafted the order cannot ${event} it`);
    }
    return;
  }
  if (policy.kind === 'case-event') {
    if (!hasScope(principal, 'cases:write')) throw new HttpProblem('forbidden', 'the token lacks the scope cases:write');
    if (!caseIdShape) return;
    const caseId = String(params.id);
    const event = String(params.event ?? '');
    const rule = Object.hasOwn(CASE_EVENT_ROLES, event) ? CASE_EVENT_ROLES[event as CaseEvent] : undefined;
    // An unknown event is bad input, answered by the schema after the case is known to be visible.
    const facts = await caseFacts(deps, caseId);
    const side = sideOfCaller(principal, facts, caseId);
    if (!rule || !facts) return;
    checkSide(side, rule.side, event);
    if (!rule.roles.some((r) => principal.roles.includes(r))) throw new HttpProblem('forbidden', `${event} requires one of the roles ${rule.roles.join(', ')}`);
    if (rule.distinctFromDrafter && facts.separationOfDuties && (await draftersOf(deps, caseId)).has(principal.userId)) {
      throw new HttpProblem('forbidden', `separation of duties: who drafted the request cannot ${event} it`);
    }
    return;
  }
  if (!hasScope(principal, policy.scope)) throw new HttpProblem('forbidden', `the token lacks the scope ${policy.scope}`);
  if (policy.sessionOnly && principal.via !== 'session') throw new HttpProblem('forbidden', 'only a signed-in session may do this');
  if (policy.roles && !policy.roles.some((r) => principal.roles.includes(r))) throw new HttpProblem('forbidden', `requires one of the roles ${policy.roles.join(', ')}`);
  if (policy.platformAdmin && principal.authorityId !== null) throw new HttpProblem('forbidden', 'only a platform administrator may do this');
  if (policy.case && caseIdShape) {
    const caseId = String(params.id);
    const side = sideOfCaller(principal, await caseFacts(deps, caseId), caseId);
    checkSide(side, policy.case, 'this');
  }
}
