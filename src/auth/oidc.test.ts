/** OpenID Connect: configuration from the environment and the claims used for sign-in (no network). */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { claimsForSignIn, oidcConfigFromEnv, OidcConfigError } from './oidc.js';

const FULL = {
  COMITY_OIDC_ISSUER: 'https://login.justice.example/realms/comity',
  COMITY_OIDC_CLIENT_ID: 'comity',
  COMITY_OIDC_CLIENT_SECRET: 's3cr3t-value-never-shown',
  COMITY_OIDC_REDIRECT_URI: 'https://comity.justice.example/api/auth/oidc/callback',
};

describe('OIDC configuration from the environment', () => {
  it('is null when no variable is set (or all are blank)', () => {
    assert.equal(oidcConfigFromEnv({}), null);
    assert.equal(oidcConfigFromEnv({ COMITY_OIDC_ISSUER: ' ', COMITY_OIDC_CLIENT_ID: '' }), null);
  });

  it('reads all four variables', () => {
    const config = oidcConfigFromEnv(FULL);
    assert.ok(config);
    assert.equal(config.issuer.href, FULL.COMITY_OIDC_ISSUER);
    assert.equal(config.clientId, 'comity');
    assert.equal(config.clientSecret, FULL.COMITY_OIDC_CLIENT_SECRET);
    assert.equal(config.redirectUri.href, FULL.COMITY_OIDC_REDIRECT_URI);
  });

  it('keeps the client secret out of JSON and inspection', () => {
    const config = oidcConfigFromEnv(FULL);
    assert.ok(!JSON.stringify(config).includes('s3cr3t'));
    assert.ok(!inspect(config).includes('s3cr3t'));
    assert.ok(!`${JSON.stringify({ ...config })}`.includes('s3cr3t'));
  });

  it('refuses a partial configuration, naming the missing variables', () => {
    for (const name of Object.keys(FULL)) {
      const env: Record<string, string> = { ...FULL };
      delete env[name];
      assert.throws(() => oidcConfigFromEnv(env), (error: unknown) => error instanceof OidcConfigError && error.message.includes(name) && !error.message.includes('s3cr3t'));
    }
  });

  it('requires https URLs, allowing http only on localhost, and no credentials in them', () => {
    assert.throws(() => oidcConfigFromEnv({ ...FULL, COMITY_OIDC_ISSUER: 'http://login.justice.example' }), /COMITY_OIDC_ISSUER must be an https URL/);
    assert.throws(() => oidcConfigFromEnv({ ...FULL, COMITY_OIDC_REDIRECT_URI: '/api/auth/oidc/callback' }), /COMITY_OIDC_REDIRECT_URI must be an absolute URL/);
    assert.throws(() => oidcConfigFromEnv({ ...FULL, COMITY_OIDC_ISSUER: 'https://user:pw@login.justice.example' }), /credentials/);
    const local = oidcConfigFromEnv({ ...FULL, COMITY_OIDC_ISSUER: 'http://localhost:8080/realms/dev', COMITY_OIDC_REDIRECT_URI: 'http://127.0.0.1:3000/cb' });
    assert.equal(local?.issuer.host, 'localhost:8080');
  });
});

describe('OIDC claims for sign-in', () => {
  it('takes the subject and the lowercased e-mail', () => {
    assert.deepEqual(claimsForSignIn({ sub: 'abc', email: ' Alice@Justice.Example ', email_verified: true }), { sub: 'abc', email: 'alice@justice.example' });
    assert.deepEqual(claimsForSignIn({ sub: 'abc', email: 'a@b.example' }), { sub: 'abc', email: 'a@b.example' });
  });

  it('refuses claims without subject or e-mail, or with an unverified e-mail', () => {
    assert.throws(() => claimsForSignIn({ email: 'a@b.example' }), /subject/);
    assert.throws(() => claimsForSignIn({ sub: 'abc' }), /e-mail/);
    assert.throws(() => claimsForSignIn({ sub: 'abc', email: 'a@b.example', email_verified: false }), /not verified/);
  });
});
