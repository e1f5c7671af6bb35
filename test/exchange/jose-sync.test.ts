/**
 * jose-sync (synchronous node:crypto JOSE for the exchange's hot path) against the reference,
 * `jose`: byte-for-byte the same JWS (Ed25519 is deterministic) and the same JWE for the same
 * ephemeral key, content key and IV; each opens what the other produces; and every tampering
 * that jose refuses is refused here too (plus non-canonical base64url, refused here).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, KeyObject, sign, webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import * as jose from 'jose';
import { A256GCM, compactDecrypt, compactEncrypt, compactSign, compactVerify, ECDH_ES_A256KW, flattenedSign, flattenedVerify, generalSign, JoseError, publicKeyFromJwk } from '../../src/exchange/jose-sync.js';

const ed = generateKeyPairSync('ed25519');
const ed2 = generateKeyPairSync('ed25519');
const x = generateKeyPairSync('x25519');
const x2 = generateKeyPairSync('x25519');
const payload = Buffer.from(JSON.stringify({ id: 'm-1', body: { text: 'préservation — données', n: 42 } }), 'utf8');
const JWE_HEADER = { alg: ECDH_ES_A256KW, enc: A256GCM, kid: 'node-enc-1', typ: 'comity-envelope+jwe', cty: 'comity-message+jws' };
const DECRYPT = { keyManagementAlgorithms: [ECDH_ES_A256KW], contentEncryptionAlgorithms: [A256GCM] };
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Ours refuses (JoseError) and so does jose. */
async function bothRefuse(ours: () => unknown, theirs: () => Promise<unknown>, what: string): Promise<void> {
  assert.throws(ours, (error: unknown) => error instanceof JoseError, `jose-sync accepted ${what}`);
  await assert.rejects(theirs(), `jose accepted ${what}`);
}

/** Sets a bit of one base64url part of a dotted serialisation. */
function flip(serialised: string, part: number, byte = 0): string {
  const parts = serialised.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[byte] = bytes[byte]! ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

/** The same bytes in a non-canonical base64url: the last character's unused low bits set. */
function nonCanonical(part: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const unused = part.length % 4 === 2 ? 0x0f : part.length % 4 === 3 ? 0x03 : 0;
  assert.ok(unused > 0, 'a part whose length leaves unused bits');
  const last = alphabet.indexOf(part.at(-1)!);
  return part.slice(0, -1) + alphabet[last | 1]!;
}

function withPart(serialised: string, part: number, value: string): string {
  const parts = serialised.split('.');
  parts[part] = value;
  return parts.join('.');
}

describe('jose-sync JWS (EdDSA) against jose', () => {
  const header = { alg: 'EdDSA', kid: 'fr-ca-1', typ: 'comity-message+jws', role: 'sender' };

  it('General JSON: byte-for-byte what jose produces, one and two signatures, and each verifies the other', async () => {
    const second = { alg: 'EdDSA', kid: 'fr-parquet-1', typ: 'comity-message+jws', role: 'reviewer' };
    const ours = generalSign(payload, [{ key: ed.privateKey, header }, { key: ed2.privateKey, header: second }]);
    const theirs = await new jose.GeneralSign(payload).addSignature(ed.privateKey).setProtectedHeader(header).addSignature(ed2.privateKey).setProtectedHeader(second).sign();
    assert.equal(JSON.stringify(ours), JSON.stringify(theirs));
    const verified = await jose.generalVerify(ours, ed.publicKey, { algorithms: ['EdDSA'] });
    assert.deepEqual(Buffer.from(verified.payload), payload);
    for (const [i, key] of [ed.publicKey, ed2.publicKey].entries()) {
      const signature = theirs.signatures[i]!;
      const result = flattenedVerify({ payload: theirs.payload, protected: signature.protected, signature: signature.signature }, key, { algorithms: ['EdDSA'] });
      assert.deepEqual(result.payload, payload);
      await jose.flattenedVerify({ payload: ours.payload, protected: ours.signatures[i]!.protected, signature: ours.signatures[i]!.signature }, key, { algorithms: ['EdDSA'] });
    }
  });

  it('flattened and compact: byte-for-byte jose, verified both ways', async () => {
    const flat = flattenedSign(payload, header, ed.privateKey);
    const joseFlat = await new jose.FlattenedSign(payload).setProtectedHeader(header).sign(ed.privateKey);
    assert.equal(JSON.stringify(flat), JSON.stringify(joseFlat));
    await jose.flattenedVerify(flat, ed.publicKey, { algorithms: ['EdDSA'] });
    const compact = compactSign(payload, { alg: 'EdDSA', kid: 'node-log-1', typ: 'comity-receipt+jws' }, ed.privateKey);
    const joseCompact = await new jose.CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: 'node-log-1', typ: 'comity-receipt+jws' }).sign(ed.privateKey);
    assert.equal(compact, joseCompact);
    assert.deepEqual(Buffer.from((await jose.compactVerify(compact, ed.publicKey, { algorithms: ['EdDSA'] })).payload), payload);
    const ours = compactVerify(joseCompact, ed.publicKey, { algorithms: ['EdDSA'] });
    assert.deepEqual(ours.payload, payload);
    assert.deepEqual(ours.protectedHeader, { alg: 'EdDSA', kid: 'node-log-1', typ: 'comity-receipt+jws' });
    // A public key from the trust list's JWK verifies it as well.
    const x = (ed.publicKey.export({ format: 'jwk' }) as { x: string }).x;
    compactVerify(joseCompact, publicKeyFromJwk('Ed25519', x), { algorithms: ['EdDSA'] });
  });

  it('refuses what jose refuses: altered payload, header, signature; another key; alg none, HS256, not listed; crit; a header that is not an object', async () => {
    const good = await new jose.CompactSign(payload).setProtectedHeader(header).sign(ed.privateKey);
    const opts = { algorithms: ['EdDSA'] };
    const cases: [string, string, jose.KeyObject | KeyObject][] = [
      ['an altered payload', flip(good, 1, 5), ed.publicKey],
      ['an altered protected header', withPart(good, 0, b64({ ...header, kid: 'other' })), ed.publicKey],
      ['an altered signature', flip(good, 2, 10), ed.publicKey],
      ['a signature by another key', good, ed2.publicKey],
      ['alg none', `${b64({ alg: 'none' })}.${good.split('.')[1]}.`, ed.publicKey],
      ['a header that is an array', withPart(good, 0, b64(['EdDSA'])), ed.publicKey],
      ['a header that is not JSON', withPart(good, 0, b64('{"alg":')), ed.publicKey],
      ['two parts', good.split('.').slice(0, 2).join('.'), ed.publicKey],
    ];
    for (const [what, jws, key] of cases) await bothRefuse(() => compactVerify(jws, key as KeyObject, opts), () => jose.compactVerify(jws, key, opts), what);
    // HMAC keyed with the public key's bytes (key confusion), and EdDSA when the list does not have it.
    const raw = Buffer.from((ed.publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
    const hmac = await new jose.CompactSign(payload).setProtectedHeader({ alg: 'HS256' }).sign(raw);
    assert.throws(() => compactVerify(hmac, ed.publicKey, opts), (e: unknown) => e instanceof JoseError && e.code === 'not-allowed');
    await assert.rejects(jose.compactVerify(hmac, ed.publicKey, opts));
    await bothRefuse(() => compactVerify(good, ed.publicKey, { algorithms: ['ES256'] }), () => jose.compactVerify(good, ed.publicKey, { algorithms: ['ES256'] }), 'an alg outside the list');
    // An unknown critical extension, correctly signed (node:crypto directly: jose-sync does not produce it).
    const crit = `${b64({ ...header, crit: ['exp'], exp: 1 })}.${payload.toString('base64url')}`;
    const critJws = `${crit}.${sign(null, Buffer.from(crit), ed.privateKey).toString('base64url')}`;
    await bothRefuse(() => compactVerify(critJws, ed.publicKey, opts), () => jose.compactVerify(critJws, ed.publicKey, opts), 'an unknown crit');
    // The wrong kind of key.
    assert.throws(() => compactVerify(good, x.publicKey, opts), (e: unknown) => e instanceof JoseError && e.code === 'bad-key');
    assert.throws(() => compactSign(payload, header, ed.publicKey), (e: unknown) => e instanceof JoseError && e.code === 'bad-key');
    assert.throws(() => compactSign(payload, { alg: 'HS256' }, ed.privateKey), (e: unknown) => e instanceof JoseError && e.code === 'not-supported');
  });

  it('refuses non-canonical base64url (padding bits, padding, whitespace, the other alphabet) in every part', () => {
    const good = compactSign(payload, header, ed.privateKey);
    const parts = good.split('.');
    const variants = [
      withPart(good, 2, nonCanonical(parts[2]!)),
      withPart(good, 2, `${parts[2]}==`),
      withPart(good, 2, `${parts[2]!.slice(0, 10)} ${parts[2]!.slice(10)}`),
      withPart(good, 1, `${parts[1]}=`),
      withPart(good, 0, parts[0]!.replace(/_/g, '/').replace(/-/g, '+') + (parts[0]!.match(/[-_]/) ? '' : '+')),
    ];
    for (const variant of variants) assert.throws(() => compactVerify(variant, ed.publicKey, { algorithms: ['EdDSA'] }), JoseError, variant);
  });
});

describe('jose-sync JWE (ECDH-ES+A256KW, X25519, A256GCM) against jose', () => {
  it('is byte-for-byte jose\'s JWE for the same ephemeral key, content key and IV', async () => {
    const ephemeral = (await webcrypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as webcrypto.CryptoKeyPair;
    const cek = Buffer.alloc(32, 7);
    const iv = Buffer.alloc(12, 9);
    const theirs = await new jose.CompactEncrypt(payload).setProtectedHeader(JWE_HEADER).setKeyManagementParameters({ epk: ephemeral.privateKey }).setContentEncryptionKey(cek).setInitializationVector(iv).encrypt(x.publicKey);
    const ours = compactEncrypt(payload, JWE_HEADER, x.publicKey, { ephemeralKey: KeyObject.from(ephemeral.privateKey), cek, iv });
    assert.equal(ours, theirs);
    const header = JSON.parse(Buffer.from(ours.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(header), [...Object.keys(JWE_HEADER), 'epk']);
    assert.deepEqual(Object.keys(header.epk as object), ['x', 'crv', 'kty']);
  });

  it('jose decrypts what jose-sync encrypts, and jose-sync decrypts what jose encrypts (also with apu/apv)', async () => {
    const ours = compactEncrypt(payload, JWE_HEADER, x.publicKey);
    const opened = await jose.compactDecrypt(ours, x.privateKey, DECRYPT);
    assert.deepEqual(Buffer.from(opened.plaintext), payload);
    assert.equal(opened.protectedHeader.kid, 'node-enc-1');
    assert.notEqual(compactEncrypt(payload, JWE_HEADER, x.publicKey), ours, 'a fresh ephemeral key, content key and IV each time');
    const theirs = await new jose.CompactEncrypt(payload).setProtectedHeader(JWE_HEADER).encrypt(x.publicKey);
    const decrypted = compactDecrypt(theirs, x.privateKey, DECRYPT);
    assert.deepEqual(decrypted.plaintext, payload);
    assert.equal(decrypted.protectedHeader.typ, 'comity-envelope+jwe');
    const withParties = await new jose.CompactEncrypt(payload).setProtectedHeader(JWE_HEADER).setKeyManagementParameters({ apu: Buffer.from('Alice'), apv: Buffer.from('Bob') }).encrypt(x.publicKey);
    assert.deepEqual(compactDecrypt(withParties, x.privateKey, DECRYPT).plaintext, payload);
    // The recipient key as the trust list gives it (JWK x).
    const recipient = publicKeyFromJwk('X25519', (x.publicKey.export({ format: 'jwk' }) as { x: string }).x);
    assert.deepEqual(Buffer.from((await jose.compactDecrypt(compactEncrypt(payload, JWE_HEADER, recipient), x.privateKey, DECRYPT)).plaintext), payload);
  });

  it('refuses what jose refuses: altered header, encrypted key, IV, ciphertext, tag; another epk; the wrong key; algorithms outside the lists; crit', async () => {
    const good = await new jose.CompactEncrypt(payload).setProtectedHeader(JWE_HEADER).encrypt(x.publicKey);
    const header = JSON.parse(Buffer.from(good.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    const otherEpk = x2.publicKey.export({ format: 'jwk' });
    const cases: [string, string, KeyObject][] = [
      ['an altered protected header', withPart(good, 0, b64({ ...header, kid: 'other' })), x.privateKey],
      ['another epk', withPart(good, 0, b64({ ...header, epk: { x: otherEpk.x, crv: 'X25519', kty: 'OKP' } })), x.privateKey],
      ['an epk with a private member', withPart(good, 0, b64({ ...header, epk: { ...(header.epk as object), d: otherEpk.x } })), x.privateKey],
      ['an epk on another curve', withPart(good, 0, b64({ ...header, epk: { ...(header.epk as object), crv: 'Ed25519' } })), x.privateKey],
      ['an altered encrypted key', flip(good, 1, 3), x.privateKey],
      ['an altered IV', flip(good, 2, 0), x.privateKey],
      ['an altered ciphertext', flip(good, 3, 0), x.privateKey],
      ['an altered tag', flip(good, 4, 15), x.privateKey],
      ['a truncated tag', withPart(good, 4, good.split('.')[4]!.slice(0, 16)), x.privateKey],
      ['no encrypted key', withPart(good, 1, ''), x.privateKey],
      ['the wrong private key', good, x2.privateKey],
      ['an unknown crit', withPart(good, 0, b64({ ...header, crit: ['exp'], exp: 1 })), x.privateKey],
      ['four parts', good.split('.').slice(0, 4).join('.'), x.privateKey],
    ];
    for (const [what, jwe, key] of cases) await bothRefuse(() => compactDecrypt(jwe, key, DECRYPT), () => jose.compactDecrypt(jwe, key, DECRYPT), what);
    await bothRefuse(() => compactDecrypt(good, x.privateKey, { ...DECRYPT, keyManagementAlgorithms: ['ECDH-ES'] }), () => jose.compactDecrypt(good, x.privateKey, { ...DECRYPT, keyManagementAlgorithms: ['ECDH-ES'] }), 'alg outside the list');
    await bothRefuse(() => compactDecrypt(good, x.privateKey, { ...DECRYPT, contentEncryptionAlgorithms: ['A128GCM'] }), () => jose.compactDecrypt(good, x.privateKey, { ...DECRYPT, contentEncryptionAlgorithms: ['A128GCM'] }), 'enc outside the list');
    // A header rewritten to another algorithm is refused before any key is used.
    const other = withPart(good, 0, b64({ ...header, alg: 'RSA1_5' }));
    assert.throws(() => compactDecrypt(other, x.privateKey, DECRYPT), (e: unknown) => e instanceof JoseError && e.code === 'not-allowed');
    // Compression is not supported (jose would inflate): refused.
    assert.throws(() => compactDecrypt(withPart(good, 0, b64({ ...header, zip: 'DEF' })), x.privateKey, DECRYPT), (e: unknown) => e instanceof JoseError && e.code === 'not-supported');
    // A low-order ephemeral point (all-zero shared secret) is refused.
    const zeroPoint = Buffer.alloc(32).toString('base64url');
    assert.throws(() => compactDecrypt(withPart(good, 0, b64({ ...header, epk: { x: zeroPoint, crv: 'X25519', kty: 'OKP' } })), x.privateKey, DECRYPT), JoseError);
  });

  it('refuses non-canonical base64url in every part', () => {
    const good = compactEncrypt(payload, JWE_HEADER, x.publicKey);
    const parts = good.split('.');
    for (const index of [0, 1, 2, 3, 4]) {
      const part = parts[index]!;
      const variants = [`${part}=`, ` ${part}`, part.length % 4 > 1 ? nonCanonical(part) : null].filter((v): v is string => v !== null);
      for (const variant of variants) assert.throws(() => compactDecrypt(withPart(good, index, variant), x.privateKey, DECRYPT), JoseError, `part ${index}: ${variant.slice(0, 20)}`);
    }
    assert.deepEqual(compactDecrypt(good, x.privateKey, DECRYPT).plaintext, payload);
  });

  it('refuses to encrypt with other algorithms or to a key of the wrong kind', () => {
    assert.throws(() => compactEncrypt(payload, { ...JWE_HEADER, alg: 'ECDH-ES' }, x.publicKey), JoseError);
    assert.throws(() => compactEncrypt(payload, { ...JWE_HEADER, enc: 'A128GCM' }, x.publicKey), JoseError);
    assert.throws(() => compactEncrypt(payload, { ...JWE_HEADER, crit: ['x'] }, x.publicKey), JoseError);
    assert.throws(() => compactEncrypt(payload, JWE_HEADER, ed.publicKey), (e: unknown) => e instanceof JoseError && e.code === 'bad-key');
    assert.throws(() => compactDecrypt(compactEncrypt(payload, JWE_HEADER, x.publicKey), x.publicKey, DECRYPT), (e: unknown) => e instanceof JoseError && e.code === 'bad-key');
  });
});
