/**
 * @module auth/tokens
 * Bearer secrets: session and CSRF tokens (32 random bytes, base64url, 43 characters) and API
 * tokens `cmt_<id>_<secret>`, where `<id>` is a short public id (16 base32 characters, 80 bits)
 * that names the token in lists and logs and `<secret>` is 32 random bytes in base64url. Only
 * SHA-256 hashes are stored: with 256 bits of entropy a fast hash is enough (no password
 * stretching needed), and a copy of the database lets nobody sign in.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const API_TOKEN_PATTERN = /^cmt_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/;
export const API_TOKEN_PREFIX = 'cmt_';

/** 32 random bytes, base64url: a session token. */
export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether `token` has the shape of a token from {@link newSessionToken} (checked before any lookup). */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** SHA-256, lowercase hex: what is stored in place of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two hex hashes in constant time (false when the lengths differ). */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A new API token: its public `id`, its `secret`, and the `token` to hand out once. */
export function newApiToken(): { id: string; secret: string; token: string } {
  const bytes = randomBytes(10);
  let id = '';
  // 10 bytes = 80 bits = 16 base32 characters.
  let buffer = 0n;
  for (const byte of bytes) buffer = (buffer << 8n) | BigInt(byte);
  for (let i = 15; i >= 0; i--) id += ID_ALPHABET[Number((buffer >> BigInt(i * 5)) & 31n)];
  const secret = newSessionToken();
  return { id, secret, token: `${API_TOKEN_PREFIX}${id}_${secret}` };
}

/** Splits `cmt_<id>_<secret>`; null when the text is not an API token. */
export function parseApiToken(token: string): { id: string; secret: string } | null {
  const match = API_TOKEN_PATTERN.exec(token.trim());
  if (match === null) return null;
  return { id: match[1] as string, secret: match[2] as string };
}
