/**
 * @module auth/oidc
 * Optional sign-in through an OpenID Connect provider (a ministry's identity provider), as a
 * relying party with openid-client 6: authorization code flow with PKCE (S256) and `state`,
 * client authentication with the client secret, ID token validated by openid-client (issuer,
 * audience, signature, expiry). The verified e-mail is then matched to an existing account by
 * `loginWithOidc` (`accounts.ts`): no account is created from a provider's claims.
 *
 * Enabled when `COMITY_OIDC_ISSUER`, `COMITY_OIDC_CLIENT_ID`, `COMITY_OIDC_CLIENT_SECRET` and
 * `COMITY_OIDC_REDIRECT_URI` are all set; none set means disabled; some but not all set is a
 * configuration error (rather than a silently disabled sign-in).
 */
import type { CustomFetch, DiscoveryRequestOptions } from 'openid-client';
import { inspect } from 'node:util';

export const OIDC_ENV_VARS = ['COMITY_OIDC_ISSUER', 'COMITY_OIDC_CLIENT_ID', 'COMITY_OIDC_CLIENT_SECRET', 'COMITY_OIDC_REDIRECT_URI'] as const;
export const OIDC_SCOPE = 'openid email';

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  /** Not enumerable: absent from `JSON.stringify` and `console.log` of the config. */
  readonly clientSecret: string;
  redirectUri: URL;
}

/** A configuration that cannot be used. The message names variables, never the secret. */
export class OidcConfigError extends Error {
  override readonly name = 'OidcConfigError';
}

function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

function parseUrl(name: string, value: string): URL {
  if (!URL.canParse(value)) throw new OidcConfigError(`${name} must be an absolute URL`);
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new OidcConfigError(`${name} must be an https URL (http only on localhost, for development)`);
  }
  if (url.username !== '' || url.password !== '') throw new OidcConfigError(`${name} must not contain credentials`);
  return url;
}

/**
 * The OIDC configuration from the environment, or null when none of its variables is set.
 *
 * @throws {OidcConfigError} when only some are set, or a URL is not https (http is allowed for
 *   localhost only) or has credentials in it.
 */
export function oidcConfigFromEnv(env: Readonly<Record<string, string | undefined>>): OidcConfig | null {
  const values = OIDC_ENV_VARS.map((name) => env[name]?.trim() ?? '');
  const missing = OIDC_ENV_VARS.filter((_, i) => values[i] === '');
  if (missing.length === OIDC_ENV_VARS.length) return null;
  if (missing.length > 0) throw new OidcConfigError(`OpenID Connect sign-in is partly configured: set ${missing.join(', ')} too (or unset the others)`);
  const [issuer = '', clientId = '', clientSecret = '', redirectUri = ''] = values;
  const config = { issuer: parseUrl('COMITY_OIDC_ISSUER', issuer), clientId, redirectUri: parseUrl('COMITY_OIDC_REDIRECT_URI', redirectUri) } as OidcConfig;
  Object.defineProperty(config, 'clientSecret', { value: clientSecret, enumerable: false });
  Object.defineProperty(config, inspect.custom, {
    value: () => `OidcConfig { issuer: '${config.issuer.href}', clientId: '${config.clientId}', redirectUri: '${config.redirectUri.href}' }`,
  });
  return config;
}

/** What the callback must match, kept by the caller between the redirect and the callback (e.g. in a short-lived signed cookie). */
export interface OidcExpected {
  state: string;
  /** The PKCE code verifier. */
  verifier: string;
}

/** Claims of a verified ID token that sign-in uses. */
export interface OidcClaims {
  sub: string;
  /** Lowercased. */
  email: string;
}

export interface OidcClient {
  /** A fresh `state` and PKCE verifier for one sign-in. */
  newChallenge(): OidcExpected;
  /** The provider's authorization URL to redirect the browser to. */
  authorizationUrl(state: string, verifier: string): Promise<URL>;
  /**
   * Completes the sign-in from the URL the provider redirected back to: checks `state`, redeems
   * the code with the PKCE verifier, validates the ID token and returns its subject and e-mail.
   * Throws when anything does not check out, or when the e-mail is missing or marked unverified.
   */
  callback(url: URL, expected: OidcExpected): Promise<OidcClaims>;
}

export interface CreateOidcClientOptions {
  /** For tests: a fetch implementation used for discovery and the token request. */
  fetch?: CustomFetch;
  /** Discovery and token request timeout in seconds (default 30). */
  timeout?: number;
}

/** Discovers the provider (one network request) and returns a client for it. */
export async function createOidcClient(config: OidcConfig, options: CreateOidcClientOptions = {}): Promise<OidcClient> {
  // openid-client (and jose) are loaded when OIDC is configured, not with every server.
  const client = await import('openid-client');
  const execute = isLoopback(config.issuer) && config.issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [];
  const discoveryOptions: DiscoveryRequestOptions = { execute };
  if (options.fetch !== undefined) discoveryOptions[client.customFetch] = options.fetch;
  if (options.timeout !== undefined) discoveryOptions.timeout = options.timeout;
  const configuration = await client.discovery(config.issuer, config.clientId, config.clientSecret, undefined, discoveryOptions);
  return {
    newChallenge: () => ({ state: client.randomState(), verifier: client.randomPKCECodeVerifier() }),
    async authorizationUrl(state, verifier) {
      const challenge = await client.calculatePKCECodeChallenge(verifier);
      return client.buildAuthorizationUrl(configuration, {
        redirect_uri: config.redirectUri.href,
        scope: OIDC_SCOPE,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
      });
    },
    async callback(url, expected) {
      const tokens = await client.authorizationCodeGrant(configuration, url, {
        expectedState: expected.state,
        pkceCodeVerifier: expected.verifier,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) throw new Error('the provider returned no ID token');
      return claimsForSignIn(claims);
    },
  };
}

/**
 * The subject and e-mail of verified ID token claims. The e-mail is required; a provider that
 * says it is not verified (`email_verified: false`) is not trusted with it.
 */
export function claimsForSignIn(claims: Record<string, unknown>): OidcClaims {
  const sub = claims.sub;
  const email = claims.email;
  if (typeof sub !== 'string' || sub === '') throw new Error('the ID token has no subject');
  if (typeof email !== 'string' || !email.includes('@')) throw new Error('the ID token has no e-mail address (request the email scope)');
  if (claims.email_verified === false) throw new Error('the provider has not verified this e-mail address');
  return { sub, email: email.trim().toLowerCase() };
}
