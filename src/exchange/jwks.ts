/**
 * @module exchange/jwks
 * Public keys as a JWKS (RFC 7517) with validity windows: `nbf` and `exp` (NumericDate, as in
 * RFC 7519) bound the time a key may be used; a retired key keeps its entry with `exp` set to
 * its retirement, so what it signed before stays verifiable after a rotation. A revoked key is
 * published with `revoked` (NumericDate) so that a verifier can say why it refuses it.
 * Private members carry who holds the key (`owner`: `node` or an authority id) and what for.
 */
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import type { KeyInfo, KeyPurpose, KeyStore } from '../keys/index.js';
import { NODE_OWNER } from '../keys/index.js';

/** The purposes a node publishes, with the JWS/JWE algorithm each key is used with. */
export const PUBLISHED_PURPOSES: Readonly<Partial<Record<KeyPurpose, { use: 'sig' | 'enc'; alg: string }>>> = Object.freeze({
  // The node's own signature (peer agreement, receipts, checkpoints).
  log: { use: 'sig', alg: 'EdDSA' },
  'authority-signing': { use: 'sig', alg: 'EdDSA' },
  'node-encryption': { use: 'enc', alg: 'ECDH-ES+A256KW' },
});

export const publishedJwkSchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.enum(['Ed25519', 'X25519']),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes in base64url'),
  kid: z.string().min(1).max(100),
  use: z.enum(['sig', 'enc']),
  alg: z.enum(['EdDSA', 'ECDH-ES+A256KW']),
  nbf: z.number().int().nonnegative(),
  exp: z.number().int().nonnegative().optional(),
  revoked: z.number().int().nonnegative().optional(),
  owner: z.string().min(1).max(100),
  purpose: z.enum(['log', 'authority-signing', 'node-encryption']),
});
export type PublishedJwk = z.infer<typeof publishedJwkSchema>;

export interface Jwks {
  keys: PublishedJwk[];
}

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** A stored key as a published JWK, or null for a key that is not published (symmetric, other purpose). */
export function keyToJwk(key: KeyInfo): PublishedJwk | null {
  const published = PUBLISHED_PURPOSES[key.purpose];
  if (published === undefined || key.publicKeyDer === null) return null;
  const jwk = createPublicKey({ key: key.publicKeyDer, format: 'der', type: 'spki' }).export({ format: 'jwk' });
  const out: PublishedJwk = {
    kty: 'OKP',
    crv: jwk.crv as 'Ed25519' | 'X25519',
    x: String(jwk.x),
    kid: key.id,
    use: published.use,
    alg: published.alg as PublishedJwk['alg'],
    nbf: seconds(key.notBefore),
    owner: key.owner,
    purpose: key.purpose as PublishedJwk['purpose'],
  };
  if (key.notAfter !== null) out.exp = seconds(key.notAfter);
  if (key.revokedAt !== null) out.revoked = seconds(key.revokedAt);
  return out;
}

/** The JWKS of this node: its own keys and those of the authorities it hosts, every status. */
export async function nodeJwks(keys: KeyStore, hosted: readonly string[]): Promise<Jwks> {
  const owners = new Set([NODE_OWNER, ...hosted]);
  const all = await keys.list();
  return { keys: all.filter((key) => owners.has(key.owner)).map(keyToJwk).filter((jwk): jwk is PublishedJwk => jwk !== null) };
}

/** Makes sure the node has its keys: the node's signing (log) and encryption keys, and a signing key per hosted authority. */
export async function ensureNodeKeys(keys: KeyStore, hosted: readonly string[], now: Date): Promise<void> {
  await keys.ensure(NODE_OWNER, 'log', 'Ed25519', now);
  await keys.ensure(NODE_OWNER, 'node-encryption', 'X25519', now);
  for (const authority of hosted) await keys.ensure(authority, 'authority-signing', 'Ed25519', now);
}

/** Whether a published key may be used at `at` (seconds): inside its window and not revoked. */
export function keyUsableAt(jwk: PublishedJwk, at: number): 'ok' | 'revoked' | 'expired' | 'not-yet-valid' {
  if (jwk.revoked !== undefined) return 'revoked';
  if (at < jwk.nbf) return 'not-yet-valid';
  if (jwk.exp !== undefined && at >= jwk.exp) return 'expired';
  return 'ok';
}
