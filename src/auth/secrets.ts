/**
 * @module auth/secrets
 * Encryption at rest for secrets the server must read back (TOTP secrets, later private keys):
 * AES-256-GCM under a 32-byte master key, with a fresh 96-bit IV per seal and associated data
 * (AAD) that binds the ciphertext to its place (e.g. `users.totp_secret:<user id>`), so a sealed
 * value copied to another row or column does not open. Sealed text is versioned:
 * `v1.<iv b64url>.<ciphertext b64url>.<tag b64url>`.
 *
 * The master key comes from outside the data directory (see `keys/master-key.ts`). It is never
 * logged, and no error message contains it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
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
  /** Kept for callers of Comity 0.1; no file is created any more. */
  onCreated?: (path: string) => void;
}

/**
 * The master key, synchronously, for tools that hold no database: `COMITY_SECRET_KEY`, or the
 * owner-only file named by `COMITY_MASTER_KEY_FILE` (which must exist and lie outside `dataDir`), or
 * the demo key file `<dataDir>-keys/master.key` when it exists.
 * The server uses `openMasterKey` (keys/master-key.ts), which also takes a passphrase, the demo
 * key directory, and checks the key against the database. A key file inside the data directory
 * (`<dataDir>/secret.key`, Comity 0.1) is refused: see README, "Operating a node".
 *
 * @throws {SecretBoxError} for a malformed variable or file, a key file with loose permissions,
 * a key file in the data directory, or no key configured.
 */
export function loadMasterKey(env: Readonly<Record<string, string | undefined>>, dataDir: string, _options: LoadMasterKeyOptions = {}): Buffer {
  if (existsSync(join(dataDir, SECRET_KEY_FILE))) {
    throw new SecretBoxError(`the master key file ${join(dataDir, SECRET_KEY_FILE)} is inside the data directory: move it out and name it with COMITY_MASTER_KEY_FILE`);
  }
  const configured = env.COMITY_SECRET_KEY;
  if (configured !== undefined && configured.trim() !== '') {
    const key = parseMasterKey(configured);
    if (key === null) throw new SecretBoxError('COMITY_SECRET_KEY must be 64 hex characters or 32 bytes in base64 (44 characters)');
    return key;
  }
  const configuredFile = env.COMITY_MASTER_KEY_FILE?.trim();
  // The demo node's key (keys/master-key.ts, `demoKeyDir`): a tool run beside `comity serve --demo`.
  const demoFile = join(dirname(resolve(dataDir)), `${basename(resolve(dataDir))}-keys`, 'master.key');
  const file = configuredFile !== undefined && configuredFile !== '' ? configuredFile : existsSync(demoFile) ? demoFile : undefined;
  if (file === undefined) throw new SecretBoxError('no master key: set COMITY_MASTER_KEY_FILE or COMITY_SECRET_KEY (see README, "Operating a node")');
  const path = resolve(file);
  const rel = relative(resolve(dataDir), path);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) throw new SecretBoxError(`COMITY_MASTER_KEY_FILE ${path} is inside the data directory ${dataDir}`);
  const key = readKeyFile(path);
  if (key === null) throw new SecretBoxError(`the master key file ${path} does not exist`);
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
