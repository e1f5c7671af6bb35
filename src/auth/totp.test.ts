/**
 * TOTP against RFC 6238 Appendix B (SHA-1 rows, 8 digits) and HOTP against RFC 4226 Appendix D;
 * base32 against RFC 4648 §10; the verification window; the otpauth URI.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { base32Decode, base32Encode, generateTotpSecret, hotp, otpauthUri, totpCode, totpStep, verifyTotp } from './totp.js';

const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP (RFC 6238)', () => {
  it('matches the SHA-1 test vectors of RFC 6238 Appendix B (8 digits)', () => {
    const vectors: [number, string, string][] = [
      [59, '0000000000000001', '94287082'],
      [1111111109, '00000000023523EC', '07081804'],
      [1111111111, '00000000023523ED', '14050471'],
      [1234567890, '000000000273EF07', '89005924'],
      [2000000000, '0000000003F940AA', '69279037'],
      [20000000000, '0000000027BC86AA', '65353130'],
    ];
    for (const [seconds, stepHex, code] of vectors) {
      const at = new Date(seconds * 1000);
      assert.equal(totpStep(at), parseInt(stepHex, 16), `T at ${seconds}`);
      assert.equal(totpCode(RFC_SECRET, at, 8), code, `code at ${seconds}`);
      assert.equal(verifyTotp(RFC_SECRET, code, at, 0, 8), parseInt(stepHex, 16));
    }
  });

  it('matches the HOTP test vectors of RFC 4226 Appendix D (6 digits)', () => {
    const codes = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    codes.forEach((code, counter) => assert.equal(hotp(RFC_SECRET, counter), code));
  });

  it('the same secret as base32 text gives the same codes', () => {
    const text = base32Encode(RFC_SECRET);
    assert.equal(text, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(totpCode(text, new Date(59_000), 8), '94287082');
    assert.equal(totpCode(text.toLowerCase(), new Date(59_000), 8), '94287082');
  });

  it('accepts codes of the previous and next step with window 1, not beyond; returns the matched step', () => {
    const secret = generateTotpSecret();
    const at = new Date('2026-12-01T08:00:10Z');
    const step = totpStep(at);
    for (const offset of [-1, 0, 1]) {
      const code = totpCode(secret, new Date(at.getTime() + offset * 30_000));
      assert.equal(verifyTotp(secret, code, at), step + offset);
    }
    for (const offset of [-3, -2, 2, 3]) {
      const code = totpCode(secret, new Date(at.getTime() + offset * 30_000));
      // A code of a step outside the window can only match by coincidence (10^-6).
      if (![-1, 0, 1].some((o) => totpCode(secret, new Date(at.getTime() + o * 30_000)) === code)) assert.equal(verifyTotp(secret, code, at), null);
    }
    assert.equal(verifyTotp(secret, totpCode(secret, new Date(at.getTime() - 30_000)), at, 0), null);
  });

  it('rejects malformed codes and tolerates spaces', () => {
    const secret = generateTotpSecret();
    const at = new Date('2026-12-01T08:00:00Z');
    const code = totpCode(secret, at);
    assert.equal(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, at), totpStep(at));
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}0`, code.slice(1), ' '.repeat(6), '١٢٣٤٥٦']) assert.equal(verifyTotp(secret, bad, at), null, bad);
  });

  it('generates 160-bit secrets in base32', () => {
    const secret = generateTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(secret).length, 20);
    assert.notEqual(generateTotpSecret(), secret);
  });

  it('builds an otpauth URI that authenticator apps read', () => {
    const uri = new URL(otpauthUri('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'alice@justice.example'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Comity:alice@justice.example');
    assert.equal(uri.searchParams.get('secret'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(uri.searchParams.get('issuer'), 'Comity');
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.match(otpauthUri('GEZDGNBV', 'a b', 'Min. Justice'), /^otpauth:\/\/totp\/Min\.%20Justice:a%20b\?.*issuer=Min\.%20Justice/);
  });
});

describe('base32 (RFC 4648)', () => {
  it('matches the test vectors of RFC 4648 §10', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY======'],
      ['fo', 'MZXQ===='],
      ['foo', 'MZXW6==='],
      ['foob', 'MZXW6YQ='],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI======'],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(base32Encode(Buffer.from(plain)), encoded.replace(/=+$/, ''));
      assert.equal(base32Decode(encoded).toString(), plain);
    }
  });

  it('round-trips any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        assert.deepEqual(base32Decode(base32Encode(bytes)), Buffer.from(bytes));
      }),
    );
  });

  it('rejects characters outside the alphabet', () => {
    assert.throws(() => base32Decode('MZXW1'), RangeError);
    assert.throws(() => base32Decode('MZXW8'), RangeError);
  });
});
