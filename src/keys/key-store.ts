/**
 * @module keys/key-store
 * One home for every key the node holds besides the master key: the transparency-log key, the
 * authorities' signing keys, the node's encryption key, document-signing keys and
 * content-wrapping keys. Private parts are sealed under the master key (AES-256-GCM, see
 * `auth/secrets.ts`) with associated data naming the key's id, so a sealed value moved to
 * another row does not open; public parts stay in clear so that what was signed before a
 * rotation still verifies after it.
 *
 * Life of a key: `active` (at most one per owner and purpose, enforced by a partial unique index)
 * → `retired` by a rotation (verifies and decrypts what came before, signs nothing) → `revoked`
 * (compromised: neither signs nor decrypts; its public key is kept so that a verifier can say
 * *why* a signature is refused).
 *
 * {@link KeyStore} is the port: this file is the database adapter. A hardware module or a cloud
 * KMS implements the same interface, keeping private keys inside the device (its `privateKey`
 * returning a handle is then replaced by `sign`/`decrypt` calls — see README, "Keys").
 *
 * @example
 * const keys = createDbKeyStore(db, secretBox);
 * const logKey = await keys.ensure(NODE_OWNER, 'log', 'Ed25519', new Date());
 * const signature = sign(null, body, await keys.privateKey(logKey.id, 'sign'));
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../auth/secrets.js';
import { uuidv7 } from '../db/ids.js';
import type { Database, NodeKeysTable } from '../db/schema.js';

/** What a key is for. Each purpose has one active key per owner. */
export const KEY_PURPOSES = ['log', 'authority-signing', 'node-encryption', 'document-signing', 'content-wrapping', 'witness'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** Ed25519 and X25519 as in RFC 8032 / RFC 7748; ECDSA on P-256 for PDF signatures that readers check; AES-256 for wrapping. */
export const KEY_ALGORITHMS = ['Ed25519', 'X25519', 'ECDSA-P256', 'AES-256'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export type KeyStatus = 'active' | 'retired' | 'revoked';

/** Owner of the node's own keys (the log key, the node's encryption key). */
export const NODE_OWNER = 'node';

/** What a private key is taken out for: signing needs an active key; decrypting also takes a retired one. */
export type KeyUse = 'sign' | 'decrypt';

/** A key as the store describes it; never holds private material. */
export interface KeyInfo {
  readonly id: string;
  readonly owner: string;
  readonly purpose: KeyPurpose;
  readonly algorithm: KeyAlgorithm;
  /** SPKI DER; null for a symmetric key. */
  readonly publicKeyDer: Buffer | null;
  readonly status: KeyStatus;
  readonly createdAt: string;
  readonly notBefore: string;
  readonly notAfter: string | null;
  readonly retiredAt: string | null;
  readonly revokedAt: string | null;
}

export type KeyStoreErrorCode = 'unknown-key' | 'not-usable' | 'wrong-kind' | 'invalid';

/** A key that does not exist, cannot be used for what was asked, or a bad argument. No key material in the message. */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
  constructor(
    readonly code: KeyStoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The key-management port. */
export interface KeyStore {
  list(filter?: { owner?: string; purpose?: KeyPurpose }): Promise<KeyInfo[]>;
  get(id: string): Promise<KeyInfo | null>;
  /** The active key of `owner` for `purpose`, or null. */
  active(owner: string, purpose: KeyPurpose): Promise<KeyInfo | null>;
  /** The active key, created first when there is none (safe when several processes race). */
  ensure(owner: string, purpose: KeyPurpose, algorithm: KeyAlgorithm, now: Date): Promise<KeyInfo>;
  /** A new active key; the previous one (if any) becomes retired. Old public keys are kept. */
  rotate(owner: string, purpose: KeyPurpose, algorithm: KeyAlgorithm, now: Date): Promise<{ active: KeyInfo; retired: KeyInfo | null }>;
  /** Marks a key compromised: it signs and decrypts nothing from now on. */
  revoke(id: string, now: Date): Promise<KeyInfo>;
  /** The private key of a key pair, for `use`. @throws {KeyStoreError} `not-usable` for a retired key asked to sign, or a revoked key. */
  privateKey(id: string, use: KeyUse): Promise<KeyObject>;
  /** The secret of a symmetric key, for `use` (as {@link privateKey}). */
  secretKey(id: string, use: KeyUse): Promise<Buffer>;
  /** The public key of a key pair, whatever its status (verification of old signatures). */
  publicKey(id: string): Promise<KeyObject>;
}

const ALGORITHM_OF_PURPOSE: Readonly<Record<KeyPurpose, readonly KeyAlgorithm[]>> = {
  log: ['Ed25519'],
  'authority-signing': ['Ed25519'],
  'node-encryption': ['X25519'],
  'document-signing': ['ECDSA-P256', 'Ed25519'],
  'content-wrapping': ['AES-256'],
  // The node's cosigner key as a witness of its peers' logs (c2sp.org/tlog-cosignature: distinct from the log key).
  witness: ['Ed25519'],
};

/** Associated data binding a sealed private key to its row. */
export function sealedKeyAad(id: string): string {
  return `node_keys.sealed_private:${id}`;
}

type Row = NodeKeysTable;

function toInfo(row: Row): KeyInfo {
  return Object.freeze({
    id: row.id,
    owner: row.owner,
    purpose: row.purpose as KeyPurpose,
    algorithm: row.algorithm as KeyAlgorithm,
    publicKeyDer: row.public_key === null ? null : Buffer.from(row.public_key, 'base64url'),
    status: row.status as KeyStatus,
    createdAt: row.created_at,
    notBefore: row.not_before,
    notAfter: row.not_after,
    retiredAt: row.retired_at,
    revokedAt: row.revoked_at,
  });
}

function checkPurpose(purpose: KeyPurpose, algorithm: KeyAlgorithm): void {
  if (!(KEY_PURPOSES as readonly string[]).includes(purpose)) throw new KeyStoreError('invalid', `unknown key purpose "${purpose}": use ${KEY_PURPOSES.join(', ')}`);
  if (!ALGORITHM_OF_PURPOSE[purpose].includes(algorithm)) {
    throw new KeyStoreError('invalid', `a ${purpose} key must be ${ALGORITHM_OF_PURPOSE[purpose].join(' or ')}, not "${algorithm}"`);
  }
}

/** Fresh key material: SPKI public + PKCS#8 private for pairs, 32 random bytes for AES-256. */
function generate(algorithm: KeyAlgorithm): { publicKeyDer: Buffer | null; privateMaterial: Buffer } {
  switch (algorithm) {
    case 'Ed25519': {
      const pair = generateKeyPairSync('ed25519');
      return { publicKeyDer: pair.publicKey.export({ type: 'spki', format: 'der' }), privateMaterial: pair.privateKey.export({ type: 'pkcs8', format: 'der' }) };
    }
    case 'X25519': {
      const pair = generateKeyPairSync('x25519');
      return { publicKeyDer: pair.publicKey.export({ type: 'spki', format: 'der' }), privateMaterial: pair.privateKey.export({ type: 'pkcs8', format: 'der' }) };
    }
    case 'ECDSA-P256': {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return { publicKeyDer: pair.publicKey.export({ type: 'spki', format: 'der' }), privateMaterial: pair.privateKey.export({ type: 'pkcs8', format: 'der' }) };
    }
    case 'AES-256':
      return { publicKeyDer: null, privateMaterial: randomBytes(32) };
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || (typeof e.message === 'string' && /UNIQUE constraint failed|duplicate key/.test(e.message));
}

/**
 * The key store over the node's database, sealing private parts with `box`.
 * Generating and sealing happen outside any transaction; the insert is one statement.
 */
export function createDbKeyStore(db: Kysely<Database>, box: SecretBox): KeyStore {
  async function getRow(id: string): Promise<Row | undefined> {
    return db.selectFrom('node_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async function activeRow(owner: string, purpose: KeyPurpose): Promise<Row | undefined> {
    return db.selectFrom('node_keys').selectAll().where('owner', '=', owner).where('purpose', '=', purpose).where('status', '=', 'active').executeTakeFirst();
  }

  function newRow(owner: string, purpose: KeyPurpose, algorithm: KeyAlgorithm, now: Date): Row {
    const id = uuidv7(now.getTime());
    const { publicKeyDer, privateMaterial } = generate(algorithm);
    const at = now.toISOString();
    const sealed = box.seal(privateMaterial, sealedKeyAad(id));
    privateMaterial.fill(0);
    return {
      id,
      owner,
      purpose,
      algorithm,
      public_key: publicKeyDer === null ? null : publicKeyDer.toString('base64url'),
      sealed_private: sealed,
      status: 'active',
      created_at: at,
      not_before: at,
      not_after: null,
      retired_at: null,
      revoked_at: null,
    };
  }

  async function usableRow(id: string, use: KeyUse): Promise<Row> {
    const row = await getRow(id);
    if (row === undefined) throw new KeyStoreError('unknown-key', `no key ${id}`);
    if (row.status === 'revoked') throw new KeyStoreError('not-usable', `key ${id} was revoked on ${row.revoked_at ?? '?'}`);
    if (use === 'sign' && row.status !== 'active') throw new KeyStoreError('not-usable', `key ${id} is ${row.status}: it no longer signs`);
    return row;
  }

  const store: KeyStore = {
    async list(filter = {}) {
      let query = db.selectFrom('node_keys').selectAll();
      if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner);
      if (filter.purpose !== undefined) query = query.where('purpose', '=', filter.purpose);
      const rows = await query.orderBy('owner').orderBy('purpose').orderBy('created_at').orderBy('id').execute();
      return rows.map(toInfo);
    },
    async get(id) {
      const row = await getRow(id);
      return row === undefined ? null : toInfo(row);
    },
    async active(owner, purpose) {
      const row = await activeRow(owner, purpose);
      return row === undefined ? null : toInfo(row);
    },
    async ensure(owner, purpose, algorithm, now) {
      checkPurpose(purpose, algorithm);
      const existing = await activeRow(owner, purpose);
      if (existing !== undefined) return toInfo(existing);
      const row = newRow(owner, purpose, algorithm, now);
      try {
        await db.insertInto('node_keys').values(row).execute();
        return toInfo(row);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Another process created it first: use theirs.
        const winner = await activeRow(owner, purpose);
        if (winner === undefined) throw error;
        return toInfo(winner);
      }
    },
    async rotate(owner, purpose, algorithm, now) {
      checkPurpose(purpose, algorithm);
      const row = newRow(owner, purpose, algorithm, now);
      const at = now.toISOString();
      const retired = await db.transaction().execute(async (trx) => {
        const previous = await trx.selectFrom('node_keys').selectAll().where('owner', '=', owner).where('purpose', '=', purpose).where('status', '=', 'active').executeTakeFirst();
        if (previous !== undefined) {
          await trx.updateTable('node_keys').set({ status: 'retired', retired_at: at, not_after: at }).where('id', '=', previous.id).where('status', '=', 'active').execute();
        }
        await trx.insertInto('node_keys').values(row).execute();
        return previous === undefined ? null : toInfo({ ...previous, status: 'retired', retired_at: at, not_after: at });
      });
      return { active: toInfo(row), retired };
    },
    async revoke(id, now) {
      const at = now.toISOString();
      const result = await db.updateTable('node_keys').set({ status: 'revoked', revoked_at: at }).where('id', '=', id).where('status', '!=', 'revoked').executeTakeFirst();
      const row = await getRow(id);
      if (row === undefined) throw new KeyStoreError('unknown-key', `no key ${id}`);
      if (result.numUpdatedRows === 0n && row.status !== 'revoked') throw new KeyStoreError('invalid', `key ${id} could not be revoked`);
      return toInfo(row);
    },
    async privateKey(id, use) {
      const row = await usableRow(id, use);
      if (row.public_key === null) throw new KeyStoreError('wrong-kind', `key ${id} is symmetric: use secretKey`);
      const der = box.open(row.sealed_private, sealedKeyAad(id));
      try {
        return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      } finally {
        der.fill(0);
      }
    },
    async secretKey(id, use) {
      const row = await usableRow(id, use);
      if (row.public_key !== null) throw new KeyStoreError('wrong-kind', `key ${id} is a key pair: use privateKey`);
      return box.open(row.sealed_private, sealedKeyAad(id));
    },
    async publicKey(id) {
      const row = await getRow(id);
      if (row === undefined) throw new KeyStoreError('unknown-key', `no key ${id}`);
      if (row.public_key === null) throw new KeyStoreError('wrong-kind', `key ${id} is symmetric: it has no public key`);
      return createPublicKey({ key: Buffer.from(row.public_key, 'base64url'), format: 'der', type: 'spki' });
    },
  };
  return Object.freeze(store);
}
