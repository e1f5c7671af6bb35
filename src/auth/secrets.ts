/**
 * @module auth/secrets
 * Encryption at rest for secrets the server must read back (TOTP secrets, later private keys):
 * AES-256-GCM under a 32-byte master key, with a fresh 96-bit IV per seal and associated data
 * (AAD) that binds the ciphertext to its place (e.g. `users.totp_secret:<user id>`), so a sealed
 * value copied to another row or column does not open. Sealed text is versioned:
 * `v1.<iv b64url>.<ciphertext b64url>.<tag b64url>`.
 *
 * The master key comes from `COMITY_SECRET_KEY` or from `<dataDir>/secret.key` (created on first
 * use, mode 0600). It is never logged, and no error message contains it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';

export const MASTER_KEY_BYTES = 32;
export const SECRET_KEY_FILE = 'secret.key';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const B64URL = /^[A-Za-z0-9_-]*$/;

/** Seals and opens secrets with one master key. The key is held in a closure, not a property. */
export interface SecretBox {
  /** Encrypts `plaintext` (UTF-8 when a string), bound to `aad`. */
  seal(plaintext: Buffer | string, aad: string): string;
  /** Decrypts a sealed value; throws {@link SecretBoxError} if it was altered, or `aad` differs, or the key is another. */
  open(sealed: string, aad: string): Buffer;
}

/** A sealed value that cannot be opened, or a master key that cannot be used. No key material in the message. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export function createSecretBox(masterKey: Buffer): SecretBox {
  if (!Buffer.isBuffer(masterKey) || masterKey.length !== MASTER_KEY_BYTES) {
    throw new SecretBoxError(`the master key must be ${MASTER_KEY_BYTES} bytes`);
  }
  const key = Buffer.from(masterKey); // a private copy: the caller may wipe theirs
  const box: SecretBox = {
    seal(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
    },
    open(sealed, aad) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((part) => B64URL.test(part))) {
        throw new SecretBoxError('not a sealed value (expected v1.<iv>.<ciphertext>.<tag>)');
      }
      const iv = Buffer.from(parts[1] ?? '', 'base64url');
      const ciphertext = Buffer.from(parts[2] ?? '', 'base64url');
      const tag = Buffer.from(parts[3] ?? '', 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('not a sealed value (bad IV or tag length)');
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch (error) {
        throw new SecretBoxError('the sealed value was altered, or belongs elsewhere, or was sealed under another key', { cause: error });
      }
    },
  };
  // Nothing to see if the box ends up in a log line.
  Object.defineProperty(box, inspect.custom, { value: () => 'SecretBox {}' });
  Object.defineProperty(box, 'toJSON', { value: () => ({}) });
  return Object.freeze(box);
}

/** Parses a key written as 64 hex characters or as base64 of 32 bytes (44 characters). */
export function parseMasterKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value) || /^[A-Za-z0-9_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === MASTER_KEY_BYTES) return key;
  }
  return null;
}

export interface LoadMasterKeyOptions {
  /** Called with the path when a new key file was created (e.g. to log that a key was generated; never the key). */
  onCreated?: (path: string) => void;
}

/**
 * The master key: `COMITY_SECRET_KEY` (64 hex characters, or 32 bytes in base64) when set, else
 * the key file `<dataDir>/secret.key`, created on first use with 32 random bytes (written as
 * hex, mode 0600; the directory is created with mode 0700). The file is created atomically
 * (written aside, then hard-linked into place), so processes starting together agree on one key.
 * An existing key file readable or writable by group or others is refused (POSIX only).
 *
 * Losing the key makes every sealed secret unreadable (users must enrol TOTP again); back it up
 * separately from the database.
 *
 * @throws {SecretBoxError} for a malformed variable or file, or a key file with loose permissions.
 */
export function loadMasterKey(env: Readonly<Record<string, string | undefined>>, dataDir: string, options: LoadMasterKeyOptions = {}): Buffer {
  const configured = env.COMITY_SECRET_KEY;
  if (configured !== undefined && configured.trim() !== '') {
    const key = parseMasterKey(configured);
    if (key === null) throw new SecretBoxError('COMITY_SECRET_KEY must be 64 hex characters or 32 bytes in base64 (44 characters)');
    return key;
  }
  const path = join(dataDir, SECRET_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing !== null) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(MASTER_KEY_BYTES).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path); // fails with EEXIST if another process was first: then theirs is used
    options.onCreated?.(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
  const key = readKeyFile(path);
  if (key === null) throw new SecretBoxError(`the key file ${path} disappeared while it was created`);
  return key;
}

function readKeyFile(path: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    throw new SecretBoxError(`the key file ${path} must be accessible by its owner only (chmod 600)`);
  }
  const key = parseMasterKey(text);
  if (key === null) throw new SecretBoxError(`the key file ${path} must hold 64 hex characters or 32 bytes in base64`);
  return key;
}
