/**
 * @module exchange/jose-sync
 * The JOSE operations on a message's critical path, done synchronously with node:crypto: JWS
 * with EdDSA (Ed25519) in General JSON, flattened and compact serialisation (RFC 7515, RFC 8037),
 * and compact JWE with ECDH-ES+A256KW over X25519 and A256GCM (RFC 7516, RFC 7518 §4.6 and §5.3,
 * RFC 8037 §3.2). Why: `jose` (v6) runs on WebCrypto, where every step (key preparation, ECDH,
 * Concat KDF digest, AES key wrap, AES-GCM, signing) is an async job queued to the libuv thread
 * pool — about 190 µs per Ed25519 signature against 28 µs for a synchronous `crypto.sign`, and a
 * sealed message plus its receipt take a dozen such hops. The output is the same standard bytes:
 * signatures are Ed25519 (deterministic), so a JWS is byte-for-byte what jose produces for the
 * same key, header and payload, and a JWE is byte-for-byte jose's for the same ephemeral key,
 * content key and IV (test/exchange/jose-sync.test.ts proves both, and that each side opens what
 * the other produces). `jose` stays the library for everything off the hot path (agreements) and
 * the reference in the tests.
 *
 * Deliberately narrow: only the algorithms above, protected headers only (no unprotected header),
 * no `crit` (no extension is understood: RFC 7515 §4.1.11 requires refusing), no `zip`, no
 * `b64: false`. Decoding is strict: base64url without padding, whitespace or non-zero trailing
 * bits (the canonical encoding every conforming producer emits; stricter than jose on Node 20,
 * whose atob-based decoding accepts all three), headers in well-formed UTF-8 JSON objects. Every failure throws a {@link JoseError}; callers map it to their own refusal.
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

export const EDDSA = 'EdDSA';
export const ECDH_ES_A256KW = 'ECDH-ES+A256KW';
export const A256GCM = 'A256GCM';

export type JoseErrorCode = 'invalid' | 'not-allowed' | 'not-supported' | 'bad-key' | 'verification-failed' | 'decryption-failed';

export class JoseError extends Error {
  override readonly name = 'JoseError';
  constructor(
    readonly code: JoseErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** RFC 3394 §2.2.3.1 default initial value. */
const AES_KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
/** Private members a JWK in `epk` must not carry (as jose refuses them). */
const PRIVATE_JWK_MEMBERS = ['d', 'k', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv'];

export function b64u(data: Uint8Array | string): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).toString('base64url');
}

/** Strict base64url: only the alphabet, no padding, a possible length, zero trailing bits. */
export function b64uDecode(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !B64URL.test(text) || text.length % 4 === 1) throw new JoseError('invalid', `${what} is not base64url`);
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new JoseError('invalid', `${what} is not canonical base64url`);
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || prototype === Object.prototype;
}

/** A protected header: base64url of a UTF-8 JSON object. */
export function parseProtectedHeader(encoded: unknown, what = 'the protected header'): Record<string, unknown> {
  const bytes = b64uDecode(encoded, what);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new JoseError('invalid', `${what} is not UTF-8 JSON`);
  }
  if (!isPlainObject(value)) throw new JoseError('invalid', `${what} is not a JSON object`);
  return value;
}

function refuseCrit(header: Record<string, unknown>): void {
  if (header.crit !== undefined) throw new JoseError('not-supported', `"crit" ${JSON.stringify(header.crit)}: no extension is understood`);
}

function asKey(key: KeyObject, type: 'public' | 'private', asymmetric: 'ed25519' | 'x25519'): KeyObject {
  if (key?.type !== type || key.asymmetricKeyType !== asymmetric) throw new JoseError('bad-key', `an ${asymmetric} ${type} key is needed`);
  return key;
}

// --- JWS (EdDSA) -------------------------------------------------------------------------------

/** Serialises `header` (must say alg EdDSA, no crit) and signs `${protected}.${payloadB64}`. */
function signParts(payloadB64: string, header: Record<string, unknown>, key: KeyObject): { protected: string; signature: string } {
  if (header.alg !== EDDSA) throw new JoseError('not-supported', `JWS alg ${JSON.stringify(header.alg)} is not supported: only ${EDDSA}`);
  refuseCrit(header);
  const encoded = b64u(JSON.stringify(header));
  const signature = sign(null, Buffer.from(`${encoded}.${payloadB64}`, 'latin1'), asKey(key, 'private', 'ed25519'));
  return { protected: encoded, signature: signature.toString('base64url') };
}

export interface GeneralJws {
  signatures: { signature: string; protected: string }[];
  payload: string;
}

/** JWS General JSON serialisation, one signature per signer (members in jose's order). */
export function generalSign(payload: Uint8Array, signers: readonly { key: KeyObject; header: Record<string, unknown> }[]): GeneralJws {
  if (signers.length === 0) throw new JoseError('invalid', 'at least one signature is needed');
  const encodedPayload = b64u(payload);
  return {
    signatures: signers.map(({ key, header }) => {
      const { protected: encoded, signature } = signParts(encodedPayload, header, key);
      return { signature, protected: encoded };
    }),
    payload: encodedPayload,
  };
}

/** JWS flattened JSON serialisation (members in jose's order). */
export function flattenedSign(payload: Uint8Array, header: Record<string, unknown>, key: KeyObject): { signature: string; payload: string; protected: string } {
  const encodedPayload = b64u(payload);
  const { protected: encoded, signature } = signParts(encodedPayload, header, key);
  return { signature, payload: encodedPayload, protected: encoded };
}

/** JWS compact serialisation. */
export function compactSign(payload: Uint8Array, header: Record<string, unknown>, key: KeyObject): string {
  const encodedPayload = b64u(payload);
  const { protected: encoded, signature } = signParts(encodedPayload, header, key);
  return `${encoded}.${encodedPayload}.${signature}`;
}

export interface VerifyOptions {
  /** Accepted `alg` values (only EdDSA is supported; anything else listed is still refused). */
  readonly algorithms: readonly string[];
}

export interface VerifiedJws {
  readonly payload: Buffer;
  readonly protectedHeader: Record<string, unknown>;
}

/** Verifies one flattened JWS (protected header only). @throws {JoseError} */
export function flattenedVerify(jws: { payload: unknown; protected: unknown; signature: unknown }, key: KeyObject, options: VerifyOptions): VerifiedJws {
  const header = parseProtectedHeader(jws.protected, 'the JWS protected header');
  refuseCrit(header);
  if (typeof header.alg !== 'string' || !options.algorithms.includes(header.alg)) throw new JoseError('not-allowed', `JWS alg ${JSON.stringify(header.alg)} is not allowed`);
  if (header.alg !== EDDSA) throw new JoseError('not-supported', `JWS alg ${JSON.stringify(header.alg)} is not supported`);
  const payload = b64uDecode(jws.payload, 'the JWS payload');
  const signature = b64uDecode(jws.signature, 'the JWS signature');
  const input = Buffer.from(`${jws.protected as string}.${jws.payload as string}`, 'latin1');
  let ok = false;
  try {
    ok = verify(null, input, asKey(key, 'public', 'ed25519'), signature);
  } catch (error) {
    if (error instanceof JoseError) throw error;
  }
  if (!ok) throw new JoseError('verification-failed', 'the JWS signature does not verify');
  return { payload, protectedHeader: header };
}

/** Verifies a compact JWS. @throws {JoseError} */
export function compactVerify(jws: string, key: KeyObject, options: VerifyOptions): VerifiedJws {
  const parts = typeof jws === 'string' ? jws.split('.') : [];
  if (parts.length !== 3) throw new JoseError('invalid', 'not a compact JWS (three parts)');
  return flattenedVerify({ protected: parts[0], payload: parts[1], signature: parts[2] }, key, options);
}

// --- JWE (ECDH-ES+A256KW, A256GCM) ---------------------------------------------------------------

function lengthPrefixed(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.set(data, 4);
  return out;
}

/**
 * Concat KDF (NIST SP 800-56A, RFC 7518 §4.6.2) with SHA-256, for a 256-bit key: one round,
 * SHA-256(counter 1 ‖ Z ‖ AlgorithmID ‖ PartyUInfo ‖ PartyVInfo ‖ SuppPubInfo).
 */
function concatKdf256(z: Buffer, algorithm: string, apu: Uint8Array, apv: Uint8Array): Buffer {
  const keyBits = Buffer.allocUnsafe(4);
  keyBits.writeUInt32BE(256, 0);
  return createHash('sha256')
    .update(Buffer.from([0, 0, 0, 1]))
    .update(z)
    .update(lengthPrefixed(Buffer.from(algorithm, 'ascii')))
    .update(lengthPrefixed(apu))
    .update(lengthPrefixed(apv))
    .update(keyBits)
    .digest();
}

function ecdh(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  let z: Buffer;
  try {
    z = diffieHellman({ privateKey, publicKey });
  } catch {
    throw new JoseError('decryption-failed', 'key agreement failed');
  }
  // A low-order public key gives the all-zero secret (RFC 7748 §6.1): refused.
  if (z.every((b) => b === 0)) throw new JoseError('decryption-failed', 'key agreement gave the all-zero secret');
  return z;
}

export interface EncryptOptions {
  /** For tests only (byte comparison with jose): the ephemeral private key, content key and IV. */
  readonly ephemeralKey?: KeyObject;
  readonly cek?: Uint8Array;
  readonly iv?: Uint8Array;
}

/** A well-formed `x` for {@link ephemeralX25519}'s import: Node's JWK importer requires the member and builds a private key from `d` alone. */
const UNUSED_X = Buffer.alloc(32).toString('base64url');

/**
 * A fresh X25519 private key for one envelope — 32 random bytes (RFC 7748 §5: X25519 clamps any
 * 32 bytes into a private key), imported as a JWK — and its public `x`. Not `generateKeyPairSync`:
 * on Node 20 a JWK export of a key it generated can freeze the process for good — the export
 * holds the key's lock while it allocates, and a garbage collection that then finalises the
 * generation job waits for the same lock on the same thread. A node froze so mid-exchange (its
 * main thread blocked on that lock, seen with gdb in bench:exchange); under frequent collections a
 * loop of generate-and-export froze within 2,000–40,000 keys, this import in none of 1.5 million,
 * at the same cost (≈ 40 µs). test/exchange/keygen-freeze.test.ts seals 100,000 envelopes so.
 */
export function ephemeralX25519(): { privateKey: KeyObject; x: string } {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: randomBytes(32).toString('base64url'), x: UNUSED_X }, format: 'jwk' });
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof x !== 'string') throw new JoseError('invalid', 'the ephemeral X25519 key has no public value');
  return { privateKey, x };
}

/**
 * Compact JWE to `recipient` (X25519 public key): `header` must say alg ECDH-ES+A256KW and enc
 * A256GCM; `epk` is added last, as `{x, crv, kty}` (jose's order).
 */
export function compactEncrypt(plaintext: Uint8Array, header: Record<string, unknown>, recipient: KeyObject, options: EncryptOptions = {}): string {
  if (header.alg !== ECDH_ES_A256KW) throw new JoseError('not-supported', `JWE alg ${JSON.stringify(header.alg)} is not supported: only ${ECDH_ES_A256KW}`);
  if (header.enc !== A256GCM) throw new JoseError('not-supported', `JWE enc ${JSON.stringify(header.enc)} is not supported: only ${A256GCM}`);
  refuseCrit(header);
  for (const name of ['zip', 'epk', 'apu', 'apv']) if (header[name] !== undefined) throw new JoseError('not-supported', `JWE header "${name}" is not supported here`);
  const publicKey = asKey(recipient, 'public', 'x25519');
  const fresh = options.ephemeralKey === undefined ? ephemeralX25519() : null;
  const ephemeral = fresh?.privateKey ?? asKey(options.ephemeralKey as KeyObject, 'private', 'x25519');
  const x = fresh?.x ?? createPublicKey(ephemeral).export({ format: 'jwk' }).x;
  const kek = concatKdf256(ecdh(ephemeral, publicKey), ECDH_ES_A256KW, new Uint8Array(0), new Uint8Array(0));
  const cek = options.cek ?? randomBytes(32);
  if (cek.length !== 32) throw new JoseError('invalid', 'an A256GCM content key is 32 bytes');
  const wrap = createCipheriv('id-aes256-wrap', kek, AES_KW_IV);
  const encryptedKey = Buffer.concat([wrap.update(cek), wrap.final()]);
  const encodedHeader = b64u(JSON.stringify({ ...header, epk: { x, crv: 'X25519', kty: 'OKP' } }));
  const iv = options.iv ?? randomBytes(12);
  if (iv.length !== 12) throw new JoseError('invalid', 'an A256GCM IV is 12 bytes');
  const gcm = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
  gcm.setAAD(Buffer.from(encodedHeader, 'latin1'));
  const ciphertext = Buffer.concat([gcm.update(plaintext), gcm.final()]);
  return `${encodedHeader}.${b64u(encryptedKey)}.${b64u(iv)}.${b64u(ciphertext)}.${b64u(gcm.getAuthTag())}`;
}

export interface DecryptOptions {
  readonly keyManagementAlgorithms: readonly string[];
  readonly contentEncryptionAlgorithms: readonly string[];
}

export interface DecryptedJwe {
  readonly plaintext: Buffer;
  readonly protectedHeader: Record<string, unknown>;
}

/** The ephemeral public key of `epk` (an X25519 OKP JWK, public members only). */
function ephemeralPublicKey(epk: unknown): KeyObject {
  if (!isPlainObject(epk) || PRIVATE_JWK_MEMBERS.some((m) => Object.hasOwn(epk, m))) throw new JoseError('invalid', 'the JWE header "epk" is missing or invalid');
  if (epk.kty !== 'OKP' || epk.crv !== 'X25519') throw new JoseError('invalid', 'the JWE header "epk" is not an X25519 key');
  if (b64uDecode(epk.x, 'the "epk" x').length !== 32) throw new JoseError('invalid', 'the "epk" x is not 32 bytes');
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.x as string }, format: 'jwk' });
  } catch {
    throw new JoseError('invalid', 'the JWE header "epk" is not a usable key');
  }
}

function partyInfo(header: Record<string, unknown>, name: 'apu' | 'apv'): Buffer {
  return header[name] === undefined ? Buffer.alloc(0) : b64uDecode(header[name], `the JWE header "${name}"`);
}

/** Decrypts a compact JWE with `key` (X25519 private key). @throws {JoseError} */
export function compactDecrypt(jwe: string, key: KeyObject, options: DecryptOptions): DecryptedJwe {
  const parts = typeof jwe === 'string' ? jwe.split('.') : [];
  if (parts.length !== 5) throw new JoseError('invalid', 'not a compact JWE (five parts)');
  const [encodedHeader, encodedKey, encodedIv, encodedCiphertext, encodedTag] = parts as [string, string, string, string, string];
  const header = parseProtectedHeader(encodedHeader, 'the JWE protected header');
  refuseCrit(header);
  if (header.zip !== undefined) throw new JoseError('not-supported', 'JWE compression ("zip") is not supported');
  if (typeof header.alg !== 'string' || !options.keyManagementAlgorithms.includes(header.alg)) throw new JoseError('not-allowed', `JWE alg ${JSON.stringify(header.alg)} is not allowed`);
  if (typeof header.enc !== 'string' || !options.contentEncryptionAlgorithms.includes(header.enc)) throw new JoseError('not-allowed', `JWE enc ${JSON.stringify(header.enc)} is not allowed`);
  if (header.alg !== ECDH_ES_A256KW || header.enc !== A256GCM) throw new JoseError('not-supported', `JWE ${header.alg}/${header.enc} is not supported`);
  const apu = partyInfo(header, 'apu');
  const apv = partyInfo(header, 'apv');
  if (header.apu !== undefined && header.apv !== undefined && apu.equals(apv)) throw new JoseError('invalid', 'the JWE headers "apu" and "apv" must differ');
  const encryptedKey = b64uDecode(encodedKey, 'the JWE encrypted key');
  const iv = b64uDecode(encodedIv, 'the JWE IV');
  const ciphertext = b64uDecode(encodedCiphertext, 'the JWE ciphertext');
  const tag = b64uDecode(encodedTag, 'the JWE tag');
  if (encryptedKey.length !== 40) throw new JoseError('decryption-failed', 'the JWE encrypted key is not an AES-wrapped 256-bit key');
  if (iv.length !== 12) throw new JoseError('invalid', 'the JWE IV is not 96 bits');
  if (tag.length !== 16) throw new JoseError('invalid', 'the JWE tag is not 128 bits');
  const kek = concatKdf256(ecdh(asKey(key, 'private', 'x25519'), ephemeralPublicKey(header.epk)), header.alg, apu, apv);
  let cek: Buffer;
  try {
    const unwrap = createDecipheriv('id-aes256-wrap', kek, AES_KW_IV);
    cek = Buffer.concat([unwrap.update(encryptedKey), unwrap.final()]);
  } catch {
    throw new JoseError('decryption-failed', 'the content key does not unwrap');
  }
  try {
    const gcm = createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
    gcm.setAAD(Buffer.from(encodedHeader, 'latin1'));
    gcm.setAuthTag(tag);
    return { plaintext: Buffer.concat([gcm.update(ciphertext), gcm.final()]), protectedHeader: header };
  } catch {
    throw new JoseError('decryption-failed', 'the JWE does not decrypt: altered or not for this key');
  }
}

/** Public keys from the trust list's JWK `x`, imported once (bounded: cleared when full). */
const publicKeys = new Map<string, KeyObject>();
export function publicKeyFromJwk(crv: 'Ed25519' | 'X25519', x: string): KeyObject {
  const id = `${crv}:${x}`;
  let key = publicKeys.get(id);
  if (key === undefined) {
    if (publicKeys.size > 1000) publicKeys.clear();
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv, x }, format: 'jwk' });
    } catch {
      throw new JoseError('bad-key', `not a usable ${crv} public key`);
    }
    publicKeys.set(id, key);
  }
  return key;
}
