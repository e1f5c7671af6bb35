/**
 * @module auth/passwords
 * Password hashing with scrypt (RFC 7914) from `node:crypto`: N = 2^15, r = 8, p = 1 (32 MiB
 * and ~50–100 ms per hash), a 16-byte random salt and a 32-byte key, stored as
 * `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>` so the parameters can be raised later and old
 * hashes still verify. Passwords are NFKC-normalised first, so the same password typed on
 * another keyboard or system verifies.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const SCRYPT_LOG2_N = 15;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds accepted when verifying a stored hash (a tampered hash must not make us allocate gigabytes). */
const MAX_LOG2_N = 20;
const MAX_R = 32;
const MAX_P = 16;

export const PASSWORD_MIN_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing a request body stays cheap. */
export const PASSWORD_MAX_LENGTH = 1024;

function scryptAsync(password: string, salt: Buffer, log2N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  const N = 2 ** log2N;
  // scrypt needs 128·N·r bytes (plus a little): twice that leaves room without Node's 32 MiB default refusing.
  const maxmem = 2 * 128 * N * r * p + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a password for storage. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, KEY_BYTES);
  return ['scrypt', SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  log2N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [log2N, r, p] = parts.slice(1, 4).map((part) => (/^[1-9][0-9]{0,2}$/.test(part) ? Number(part) : NaN)) as [number, number, number];
  if (!(log2N >= 10 && log2N <= MAX_LOG2_N && r >= 1 && r <= MAX_R && p >= 1 && p <= MAX_P)) return null;
  const [saltText = '', keyText = ''] = parts.slice(4);
  if (!B64.test(saltText) || !B64.test(keyText)) return null;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  // scrypt output is PBKDF2 output: a shorter key is a prefix of the longer one, so a truncated
  // hash would still verify. Hence a minimum length.
  if (salt.length < SALT_BYTES || salt.length > 64 || key.length < KEY_BYTES || key.length > 64) return null;
  // Base64 must be canonical: a hash edited in its padding bits is a tampered hash.
  if (salt.toString('base64') !== saltText || key.toString('base64') !== keyText) return null;
  return { log2N, r, p, salt, key };
}

/**
 * Whether `password` matches `stored` (compared in constant time). A malformed or tampered
 * hash never matches; this does not throw for bad input.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === null) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.log2N, parsed.r, parsed.p, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** Whether a stored hash uses weaker parameters than the current ones (rehash on next login). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return parsed === null || parsed.log2N < SCRYPT_LOG2_N || parsed.r < SCRYPT_R || parsed.key.length < KEY_BYTES;
}

export type PasswordIssueCode = 'too-short' | 'too-long' | 'one-character-class' | 'too-few-distinct' | 'contains-email' | 'common';

export interface PasswordIssue {
  code: PasswordIssueCode;
  message: string;
}

/** A few passwords (and stems) too common to allow, whatever their length. */
const COMMON = ['password', 'passwort', 'motdepasse', 'contrasena', 'qwerty', 'azerty', '123456', 'letmein', 'welcome', 'comity', 'changeme'];

/**
 * Checks a new password against the policy (NIST SP 800-63B in spirit: length first, no
 * periodic-change rules): at least 12 characters (code points), at most 1024; not made of one
 * character class only (lowercase, uppercase, digits, others); at least 5 distinct characters;
 * not containing the local part of the user's e-mail; not built on a well-known password.
 * Returns every issue found, none when acceptable.
 */
export function checkPasswordPolicy(password: string, context: { email?: string } = {}): PasswordIssue[] {
  const issues: PasswordIssue[] = [];
  const chars = [...password.normalize('NFKC')];
  if (chars.length < PASSWORD_MIN_LENGTH) issues.push({ code: 'too-short', message: `at least ${PASSWORD_MIN_LENGTH} characters` });
  if (chars.length > PASSWORD_MAX_LENGTH) issues.push({ code: 'too-long', message: `at most ${PASSWORD_MAX_LENGTH} characters` });
  const classes = new Set(chars.map(characterClass));
  if (chars.length > 0 && classes.size < 2) {
    issues.push({ code: 'one-character-class', message: 'mix at least two of: lowercase letters, uppercase letters, digits, other characters' });
  }
  if (chars.length > 0 && new Set(chars).size < 5) issues.push({ code: 'too-few-distinct', message: 'at least 5 different characters' });
  const lower = password.normalize('NFKC').toLowerCase();
  const local = context.email?.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3 && lower.includes(local)) issues.push({ code: 'contains-email', message: 'must not contain your e-mail address' });
  // A well-known password with a few characters around it ("Password2026!") is still a well-known password.
  const alnum = lower.replace(/[^\p{L}\p{N}]/gu, '');
  if (COMMON.some((word) => alnum.includes(word) && alnum.length - word.length <= 6)) {
    issues.push({ code: 'common', message: 'too close to a well-known password' });
  }
  return issues;
}

function characterClass(char: string): 'lower' | 'upper' | 'digit' | 'other' {
  if (/\p{Ll}/u.test(char)) return 'lower';
  if (/\p{Lu}/u.test(char)) return 'upper';
  if (/\p{Nd}/u.test(char)) return 'digit';
  return 'other';
}
