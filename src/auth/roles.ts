/**
 * @module auth/roles
 * Roles of user accounts and scopes of API tokens.
 */

/** What a user may do. A user has one or more roles; `authority_id` null means platform administrator. */
export const ROLES = [
  'drafter',
  'reviewer',
  'central-authority-officer',
  '24/7-officer',
  'service-provider-agent',
  'auditor',
  'administrator',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * Roles that must sign in with a TOTP second factor (RFC 6238). These are the roles that can send
 * a request or decide on one (approve after review, send or receive through a central authority
 * or a 24/7 point of contact, answer for a service provider) or administer accounts: the issue
 * requires a second factor for every role that can send or decide, because a stolen password
 * alone must not be enough to order the disclosure or preservation of data. A drafter only
 * prepares drafts, and an auditor only reads; they may still enrol, and once enrolled the second
 * factor is required of them too.
 */
export const MFA_REQUIRED_ROLES: readonly Role[] = Object.freeze([
  'reviewer',
  'central-authority-officer',
  '24/7-officer',
  'service-provider-agent',
  'administrator',
] as const);

/** Roles a platform administrator (a user without authority) may hold. */
export const PLATFORM_ROLES: readonly Role[] = Object.freeze(['administrator', 'auditor'] as const);

/**
 * Scopes of API tokens. `tokens` (list and revoke the owner's tokens) is never implied by
 * `admin`: a token handed to a script cannot manage its siblings unless given it explicitly.
 */
export const API_SCOPES = ['law:read', 'cases:read', 'cases:write', 'admin', 'tokens'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}

/**
 * Whether these roles require a second factor. A user who enrolled TOTP needs it whatever the
 * roles: use `AuthSession.mfaPending` to decide about a session.
 */
export function rolesRequireMfa(roles: readonly Role[]): boolean {
  return roles.some((role) => MFA_REQUIRED_ROLES.includes(role));
}

/**
 * The scopes a user with these roles may put on an API token: `admin` needs the administrator
 * role, `cases:write` any role other than auditor; `law:read`, `cases:read` and `tokens` are open to all.
 */
export function allowedScopes(roles: readonly Role[]): ApiScope[] {
  const scopes: ApiScope[] = ['law:read', 'cases:read'];
  if (roles.some((role) => role !== 'auditor')) scopes.push('cases:write');
  if (roles.includes('administrator')) scopes.push('admin');
  scopes.push('tokens');
  return scopes;
}
