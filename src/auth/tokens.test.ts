/** Session and API token formats. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hashesEqual, hashToken, isWellFormedToken, newApiToken, newSessionToken, parseApiToken } from './tokens.js';

describe('tokens', () => {
  it('session tokens are 32 random bytes in base64url, stored as SHA-256 hex', () => {
    const token = newSessionToken();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.ok(isWellFormedToken(token));
    assert.notEqual(newSessionToken(), token);
    assert.equal(hashToken(token), createHash('sha256').update(token).digest('hex'));
    assert.ok(hashesEqual(hashToken(token), hashToken(token)));
    assert.ok(!hashesEqual(hashToken(token), hashToken(newSessionToken())));
    assert.ok(!hashesEqual(hashToken(token), ''));
  });

  it('API tokens are cmt_<id>_<secret> and parse back, whatever the secret contains (property)', () => {
    for (let i = 0; i < 200; i++) {
      const { id, secret, token } = newApiToken();
      assert.match(id, /^[a-z2-7]{16}$/);
      assert.equal(token, `cmt_${id}_${secret}`);
      assert.deepEqual(parseApiToken(token), { id, secret });
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parsed = parseApiToken(text);
        if (parsed !== null) assert.equal(`cmt_${parsed.id}_${parsed.secret}`, text.trim());
      }),
    );
  });

  it('rejects what is not an API token', () => {
    const { token } = newApiToken();
    for (const bad of ['', 'cmt_', token.slice(0, -1), `${token}x`, token.replace('cmt_', 'cmx_'), token.toUpperCase(), newSessionToken()]) assert.equal(parseApiToken(bad), null, bad);
  });
});
