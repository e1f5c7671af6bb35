/**
 * @module auth/totp
 * Time-based one-time passwords (RFC 6238 over HOTP, RFC 4226): HMAC-SHA1, 30-second steps
 * from the Unix epoch, 6 digits by default — what every authenticator app understands — and the
 * RFC 4648 base32 alphabet for secrets. Codes are compared in constant time, and
 * {@link verifyTotp} returns the matched time step so that callers can refuse a code for a step
 * they have already accepted (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt
 * of the same OTP").
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** 160 bits, the HMAC-SHA1 output size recommended by RFC 4226 §4. */
export const TOTP_SECRET_BYTES = 20;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32, uppercase, without padding (as `otpauth://` URIs carry it). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes base32, case-insensitively, ignoring spaces, hyphens and `=` padding (as users copy
 * secrets by hand). Throws `RangeError` on any other character.
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) throw new RangeError('invalid base32 character');
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new random secret (20 bytes), base32-encoded (32 characters). */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(TOTP_SECRET_BYTES));
}

/** A secret as bytes: base32 text, or raw bytes (as the RFC test vectors give it). */
export type TotpSecret = string | Uint8Array;

function secretBytes(secret: TotpSecret): Buffer {
  return typeof secret === 'string' ? base32Decode(secret) : Buffer.from(secret);
}

/** The RFC 6238 time step counter T for an instant. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/** RFC 4226 HOTP value of `counter` with dynamic truncation, `digits` long (zero-padded). */
export function hotp(secret: TotpSecret, counter: number, digits = TOTP_DIGITS): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('the HOTP counter must be a non-negative integer');
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new RangeError('digits must be 6 to 10');
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secretBytes(secret)).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** The TOTP code at `at`. */
export function totpCode(secret: TotpSecret, at: Date, digits = TOTP_DIGITS): string {
  return hotp(secret, totpStep(at), digits);
}

/**
 * Checks `code` against the steps from `window` before to `window` after the one at `at` (±30 s
 * of clock drift by default). Every candidate is computed and compared in constant time, with
 * no early exit. Returns the matched step (the latest, should two match), or null. Spaces in
 * the code are ignored; anything but `digits` digits fails.
 */
export function verifyTotp(secret: TotpSecret, code: string, at: Date, window = 1, digits = TOTP_DIGITS): number | null {
  if (!Number.isInteger(window) || window < 0 || window > 10) throw new RangeError('window must be 0 to 10 steps');
  const typed = code.replace(/\s/g, '');
  const wellFormed = typed.length === digits && /^[0-9]+$/.test(typed);
  const given = Buffer.from(wellFormed ? typed : '0'.repeat(digits));
  const current = totpStep(at);
  let matched: number | null = null;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const equal = timingSafeEqual(Buffer.from(hotp(secret, step, digits)), given);
    if (equal && wellFormed) matched = step;
  }
  return matched;
}

/**
 * The `otpauth://totp/` URI that authenticator apps read from a QR code (Key Uri Format):
 * label `issuer:account`, with secret, issuer, algorithm, digits and period.
 */
export function otpauthUri(secret: string, account: string, issuer = 'Comity'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret: base32Encode(base32Decode(secret)), issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}
