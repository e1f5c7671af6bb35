/**
 * @module keys/master-key
 * Where the master key comes from. It unseals every secret the node holds (TOTP secrets, and
 * through the key store every private key), so it never lives beside the data: a copy of the
 * data directory (a backup, a snapshot, a support bundle) must not carry the key that opens it.
 *
 * Sources, exactly one of:
 * - `COMITY_MASTER_KEY_FILE=/path`: a file of 64 hex characters (or 32 bytes in base64), owner-only
 *   (0600), outside the data directory. Created on first start of a fresh node; on a node that
 *   already sealed secrets a missing file is refused (a typo must not silently make a new key).
 * - `COMITY_SECRET_KEY`: the key itself (e.g. injected by a secrets manager).
 * - `COMITY_MASTER_PASSPHRASE`: a passphrase stretched with scrypt (RFC 7914; N=2^17, r=8, p=1,
 *   the OWASP 2023 minimum for scrypt is N=2^17) and a random salt kept in `schema_info` — the
 *   salt is not a secret, and a restored database carries it.
 * - none, with `--demo`: a key file in `<data dir>-keys/master.key` (e.g. `.comity-keys/` beside
 *   `.comity/`), an owner-only directory outside the data directory, so `npm start` works on a
 *   fresh machine.
 *
 * A key file inside the data directory (`<data dir>/secret.key`, as written by Comity 0.1) is
 * refused with the commands that move it out.
 *
 * The database remembers a check value sealed under the key (`schema_info.master_key_check`):
 * starting with another key (a restore on a machine that has the wrong key file) is refused
 * before anything is sealed under the wrong key.
 */
import { createHash, randomBytes, scrypt } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import type { Kysely } from 'kysely';
import { createSecretBox, parseMasterKey, MASTER_KEY_BYTES, SECRET_KEY_FILE, SecretBoxError } from '../auth/secrets.js';
import type { SecretBox } from '../auth/secrets.js';
import type { Database } from '../db/schema.js';
import { assertPrivateDir, assertPrivateFile, ensurePrivateDir, PRIVATE_FILE_MODE } from '../ops/file-modes.js';

export type MasterKeySourceKind = 'file' | 'environment' | 'passphrase' | 'demo-file';

/** Where the key came from; `path` for files. Never the key. */
export interface MasterKeySource {
  readonly kind: MasterKeySourceKind;
  readonly path?: string;
}

export type MasterKeyErrorCode = 'key-in-data-dir' | 'no-master-key' | 'ambiguous' | 'malformed' | 'missing-key-file' | 'wrong-master-key';

/** The master key cannot be had or is not this database's. The message says what to do; it never holds key material. */
export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
  constructor(
    readonly code: MasterKeyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const MASTER_KEY_FILE_NAME = 'master.key';
const CHECK_KEY = 'master_key_check';
const KDF_KEY = 'master_key_kdf';
const CHECK_AAD = 'schema_info.master_key_check';
const CHECK_TEXT = 'comity master key check v1';

/** scrypt parameters (RFC 7914). `N` may be lowered by tests only through {@link OpenMasterKeyOptions.scryptN}. */
interface KdfParams {
  alg: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
}
const DEFAULT_SCRYPT_N = 2 ** 17;

export interface OpenMasterKeyOptions {
  /** Demo mode: without a configured source, use the demo key directory. */
  demo?: boolean;
  /** Called with the path when a key file was created (to log it; never the key). */
  onCreated?: (path: string) => void;
  /** scrypt cost for a new passphrase salt (tests); default 2^17. */
  scryptN?: number;
}

export interface MasterKey {
  readonly box: SecretBox;
  readonly source: MasterKeySource;
  /** First 16 hex digits of SHA-256 over a label and the key: tells two keys apart, reveals nothing. */
  readonly fingerprint: string;
}

/** The demo key directory for a data directory: its sibling `<name>-keys`. */
export function demoKeyDir(dataDir: string): string {
  const dir = resolve(dataDir);
  return join(dirname(dir), `${basename(dir)}-keys`);
}

/** The key's fingerprint (see {@link MasterKey.fingerprint}). */
export function masterKeyFingerprint(key: Buffer): string {
  return createHash('sha256').update('comity master key fingerprint\0').update(key).digest('hex').slice(0, 16);
}

/** Is `path` inside `dir` (after resolving symbolic links of what exists)? */
export function isInside(path: string, dir: string): boolean {
  const real = (p: string): string => {
    let current = resolve(p);
    const rest: string[] = [];
    while (!existsSync(current) && dirname(current) !== current) {
      rest.unshift(basename(current));
      current = dirname(current);
    }
    return join(realpathSync(current), ...rest);
  };
  const rel = relative(real(dir), real(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The checks that need no database: no key inside the data directory, exactly one source (or
 * demo mode). The server runs them before it opens (and creates) the database.
 * @throws {MasterKeyError}
 */
export function checkMasterKeySource(env: Readonly<Record<string, string | undefined>>, dataDir: string, options: Pick<OpenMasterKeyOptions, 'demo'> = {}): { file?: string; inline?: string; passphrase?: string } {
  const legacy = join(dataDir, SECRET_KEY_FILE);
  if (existsSync(legacy)) {
    const target = join(demoKeyDir(dataDir), MASTER_KEY_FILE_NAME);
    throw new MasterKeyError(
      'key-in-data-dir',
      `the master key file ${legacy} is inside the data directory, so every copy of the data carries the key that opens it: move it out ` +
        `(mkdir -m 700 ${dirname(target)} && mv ${legacy} ${target}) and start with COMITY_MASTER_KEY_FILE=${target} (see README, "Operating a node")`,
    );
  }
  const set = (name: string): string | undefined => {
    const value = env[name];
    return value !== undefined && value.trim() !== '' ? value : undefined;
  };
  const file = set('COMITY_MASTER_KEY_FILE');
  const inline = set('COMITY_SECRET_KEY');
  const passphrase = set('COMITY_MASTER_PASSPHRASE');
  const given = [file && 'COMITY_MASTER_KEY_FILE', inline && 'COMITY_SECRET_KEY', passphrase && 'COMITY_MASTER_PASSPHRASE'].filter(Boolean);
  if (given.length > 1) throw new MasterKeyError('ambiguous', `set only one of ${given.join(', ')}: they are different ways to give the same master key`);
  if (given.length === 0 && options.demo !== true) {
    throw new MasterKeyError(
      'no-master-key',
      'no master key: set COMITY_MASTER_KEY_FILE to an owner-only file outside the data directory (created on first start), or COMITY_SECRET_KEY, or COMITY_MASTER_PASSPHRASE (see README, "Operating a node")',
    );
  }
  if (file !== undefined && isInside(resolve(file), dataDir)) throw new MasterKeyError('key-in-data-dir', `COMITY_MASTER_KEY_FILE ${resolve(file)} is inside the data directory ${dataDir}: keep the key apart from the data`);
  return { ...(file === undefined ? {} : { file }), ...(inline === undefined ? {} : { inline }), ...(passphrase === undefined ? {} : { passphrase }) };
}

/**
 * The master key for the node whose data directory is `dataDir` and database `db` (migrated),
 * checked against the database's check value (written on first start).
 * @throws {MasterKeyError} no usable source, a key inside the data directory, or another key than the database's.
 * @throws {FileModeError} a key file or key directory others can read.
 */
export async function openMasterKey(env: Readonly<Record<string, string | undefined>>, dataDir: string, db: Kysely<Database>, options: OpenMasterKeyOptions = {}): Promise<MasterKey> {
  const { file, inline, passphrase } = checkMasterKeySource(env, dataDir, options);
  const sealedBefore = (await readInfo(db, CHECK_KEY)) !== undefined;
  let key: Buffer;
  let source: MasterKeySource;
  if (file !== undefined) {
    const path = resolve(file);
    key = readOrCreateKeyFile(path, sealedBefore, options);
    source = { kind: 'file', path };
  } else if (inline !== undefined) {
    const parsed = parseMasterKey(inline);
    if (parsed === null) throw new MasterKeyError('malformed', 'COMITY_SECRET_KEY must be 64 hex characters or 32 bytes in base64 (44 characters)');
    key = parsed;
    source = { kind: 'environment' };
  } else if (passphrase !== undefined) {
    key = await deriveFromPassphrase(db, passphrase, options.scryptN ?? DEFAULT_SCRYPT_N);
    source = { kind: 'passphrase' };
  } else {
    const dir = demoKeyDir(dataDir);
    ensurePrivateDir(dir);
    assertPrivateDir(dir, 'demo key directory');
    const path = join(dir, MASTER_KEY_FILE_NAME);
    key = readOrCreateKeyFile(path, sealedBefore, options);
    source = { kind: 'demo-file', path };
  }
  const box = createSecretBox(key);
  const fingerprint = masterKeyFingerprint(key);
  key.fill(0);
  await checkOrRecord(db, box, source);
  return { box, source, fingerprint };
}

/**
 * A master key file for a rotation: read when it exists (owner-only), else created; never inside `dataDir`.
 * @throws {MasterKeyError} a path in the data directory or a malformed file. @throws {FileModeError} a loose file.
 */
export function newMasterKeyFile(path: string, dataDir: string): Buffer {
  const full = resolve(path);
  if (isInside(full, dataDir)) throw new MasterKeyError('key-in-data-dir', `${full} is inside the data directory ${dataDir}: keep the key apart from the data`);
  return readOrCreateKeyFile(full, false, {});
}

function readOrCreateKeyFile(path: string, sealedBefore: boolean, options: OpenMasterKeyOptions): Buffer {
  if (!existsSync(path)) {
    if (sealedBefore) {
      throw new MasterKeyError('missing-key-file', `the master key file ${path} does not exist, and this database holds secrets sealed under a master key: restore the key file (a new key would open none of them)`);
    }
    if (!existsSync(dirname(path))) ensurePrivateDir(dirname(path));
    createKeyFile(path, options);
  }
  assertPrivateFile(path, 'master key file');
  const key = parseMasterKey(readFileSync(path, 'utf8'));
  if (key === null) throw new MasterKeyError('malformed', `the master key file ${path} must hold 64 hex characters or 32 bytes in base64`);
  return key;
}

/** Written aside, then hard-linked into place: processes starting together agree on one key. */
function createKeyFile(path: string, options: OpenMasterKeyOptions): void {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, `${randomBytes(MASTER_KEY_BYTES).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    options.onCreated?.(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
}

async function readInfo(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('schema_info').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Inserts `key` unless present (a racing process may be first), and returns the stored value. */
async function recordInfo(db: Kysely<Database>, key: string, value: string): Promise<string> {
  await db
    .insertInto('schema_info')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await readInfo(db, key);
  if (stored === undefined) throw new Error(`schema_info.${key} vanished while it was written`);
  return stored;
}

async function deriveFromPassphrase(db: Kysely<Database>, passphrase: string, N: number): Promise<Buffer> {
  const fresh: KdfParams = { alg: 'scrypt', N, r: 8, p: 1, salt: randomBytes(16).toString('base64url') };
  const stored = JSON.parse(await recordInfo(db, KDF_KEY, JSON.stringify(fresh))) as KdfParams;
  const salt = Buffer.from(stored.salt, 'base64url');
  return new Promise((resolveKey, reject) => {
    // maxmem: scrypt needs 128·N·r bytes; allow twice that.
    scrypt(passphrase.normalize('NFC'), salt, MASTER_KEY_BYTES, { N: stored.N, r: stored.r, p: stored.p, maxmem: 256 * stored.N * stored.r }, (error, key) => (error ? reject(error) : resolveKey(key)));
  });
}

async function checkOrRecord(db: Kysely<Database>, box: SecretBox, source: MasterKeySource): Promise<void> {
  const stored = await recordInfo(db, CHECK_KEY, box.seal(CHECK_TEXT, CHECK_AAD));
  try {
    if (box.open(stored, CHECK_AAD).toString('utf8') === CHECK_TEXT) return;
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
  }
  const from = source.path === undefined ? source.kind : `${source.kind} ${source.path}`;
  throw new MasterKeyError('wrong-master-key', `the master key (${from}) is not the one this database's secrets are sealed under: give the node its own key (after a restore: the key file kept with the original node)`);
}
