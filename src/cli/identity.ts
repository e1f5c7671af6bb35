/**
 * @module cli/identity
 * Who the CLI acts as — never a named user for free. Either:
 *
 * - the **operating-system user** who runs it on the node (recorded as `os:<username>`), with only
 *   the rights the policy table gives an operator (`OPERATOR_RIGHTS` in src/http/policies.ts):
 *   register and list authorities, watch clocks; or
 * - a **real user**, through one of their API tokens (`--token cmt_…` or the `COMITY_TOKEN`
 *   environment variable), with that user's roles, authority and the token's scopes, decided by the
 *   same policy entries as the API route of the same name (`CLI_ROUTES`), side of the case and
 *   separation of duties included. Recorded as `token:<id>`, as the API records it.
 *
 * A wrong, expired or revoked token is refused with one line, exit 2, and changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Kysely } from 'kysely';
import { authenticateApiToken, createAuthContext, createSecretBox } from '../auth/index.js';
import type { Actor, CaseContext } from '../cases/index.js';
import type { Database } from '../db/index.js';
import { authorizePrincipal, type RouteParams } from '../http/guard.js';
import { CLI_ROUTES, OPERATOR_RIGHTS, POLICIES } from '../http/policies.js';
import type { Principal } from '../http/principal.js';
import { HttpProblem } from '../http/problems.js';
import { UsageError } from './errors.js';

export type CliIdentity = { kind: 'operator'; actor: Actor } | { kind: 'user'; actor: Actor; principal: Principal };

/** The token given on the command line, else in COMITY_TOKEN. */
export function tokenOf(options: { token?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = options.token ?? env.COMITY_TOKEN;
  return token === undefined || token === '' ? undefined : token;
}

/** Who runs the command (see the module comment). */
export async function resolveIdentity(db: Kysely<Database>, token: string | undefined): Promise<CliIdentity> {
  if (token === undefined) return { kind: 'operator', actor: { id: `os:${userInfo().username}`, authorityId: null } };
  // Token authentication reads hashes only: the secret box (TOTP secrets) is never opened here.
  const auth = createAuthContext(db, createSecretBox(randomBytes(32)));
  const found = await authenticateApiToken(auth, token);
  if (!found) throw new UsageError('the API token is not valid (unknown, expired or revoked)');
  const principal: Principal = {
    userId: found.user.id,
    actor: `token:${found.token.id}`,
    authorityId: found.user.authorityId,
    roles: found.user.roles,
    via: 'token',
    mfaPassed: true,
    scopes: found.token.scopes,
    sessionId: null,
  };
  return { kind: 'user', actor: { id: principal.actor, authorityId: principal.authorityId }, principal };
}

/**
 * Refuses the command unless the identity may run it: the operator only what OPERATOR_RIGHTS
 * lists; a user what the policy of the command's API route allows them.
 *
 * @throws {UsageError} one line naming what is missing.
 */
export async function authorizeCommand(ctx: CaseContext, identity: CliIdentity, command: string, params: RouteParams = {}): Promise<void> {
  if (identity.kind === 'operator') {
    if (Object.hasOwn(OPERATOR_RIGHTS, command)) return;
    const allowed = Object.keys(OPERATOR_RIGHTS).join(', ');
    throw new UsageError(`forbidden: the operator (${identity.actor.id}) may run only ${allowed}; \`${command}\` acts as a user: give --token (or COMITY_TOKEN) of a user allowed to`);
  }
  const route = CLI_ROUTES[command];
  const policy = route === undefined ? undefined : POLICIES[route];
  if (!policy) throw new UsageError(`forbidden: \`${command}\` has no policy`);
  try {
    await authorizePrincipal({ cases: ctx }, identity.principal, policy, params);
  } catch (error) {
    if (error instanceof HttpProblem) throw new UsageError(`${error.code}: ${error.message}`);
    throw error;
  }
}

/** The authorities whose cases the identity may list (the operator: those asked for, or all). */
export function visibleAuthorities(identity: CliIdentity, asked: string | undefined): string[] | undefined {
  if (identity.kind === 'user') {
    const own = identity.principal.authorityId;
    if (asked !== undefined && asked !== own) throw new UsageError(`forbidden: a user sees only the cases of their own authority (${own ?? 'none'})`);
    return own === null ? [] : [own];
  }
  return asked === undefined ? undefined : [asked];
}
