/**
 * @module cli/ops
 * Operating a node (issue 18): `comity backup DEST`, `comity restore SRC`, and
 * `comity keys list | rotate | revoke | export-public`. They act on the database and data
 * directory the server would use (DATABASE_URL, COMITY_DATA_DIR) and the same master key
 * (COMITY_MASTER_KEY_FILE, COMITY_SECRET_KEY or COMITY_MASTER_PASSPHRASE; with COMITY_DEMO=true
 * the demo key directory).
 */
import type { Command } from 'commander';
import { openDatabase, resolveDataDir, resolveDbConfig } from '../db/index.js';
import { createDbKeyStore, KEY_PURPOSES, KeyStoreError, NODE_OWNER, type KeyAlgorithm, type KeyInfo, type KeyPurpose } from '../keys/index.js';
import { demoKeyDir, MASTER_KEY_FILE_NAME, masterKeyFingerprint, newMasterKeyFile, openMasterKey, type MasterKey } from '../keys/master-key.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MasterRotationError, rotateMasterKey } from '../keys/master-rotation.js';
import { createSecretBox } from '../auth/secrets.js';
import { createBackup } from '../ops/backup.js';
import { BackupError } from '../ops/manifest.js';
import { restoreBackup } from '../ops/restore.js';
import { createPublicKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { table } from './table.js';

/** The algorithm a rotation uses when none is named: the first the key store allows for the purpose. */
const DEFAULT_ALGORITHM: Readonly<Record<KeyPurpose, KeyAlgorithm>> = {
  log: 'Ed25519',
  'authority-signing': 'Ed25519',
  'node-encryption': 'X25519',
  'document-signing': 'ECDSA-P256',
  'content-wrapping': 'AES-256',
  witness: 'Ed25519',
};

function purposeOf(value: string | undefined): KeyPurpose | undefined {
  if (value === undefined) return undefined;
  if (!(KEY_PURPOSES as readonly string[]).includes(value)) throw new UsageError(`unknown key purpose ${JSON.stringify(value)}: use ${KEY_PURPOSES.join(', ')}`);
  return value as KeyPurpose;
}

async function withKeys<T>(work: (db: Kysely<Database>, master: MasterKey) => Promise<T>): Promise<T> {
  const env = process.env;
  const handle = await openDatabase(resolveDbConfig(env));
  try {
    await handle.migrate();
    const dataDir = resolveDataDir(env);
    // Beside a demo node (`npm start`), its demo key is used without COMITY_DEMO being set here.
    const demo = env.COMITY_DEMO === 'true' || existsSync(join(demoKeyDir(dataDir), MASTER_KEY_FILE_NAME));
    const master = await openMasterKey(env, dataDir, handle.db, { demo });
    return await work(handle.db, master);
  } catch (error) {
    if (error instanceof KeyStoreError) throw new UsageError(error.message);
    throw error;
  } finally {
    await handle.close();
  }
}

function publicView(key: KeyInfo): Record<string, unknown> {
  const base = { id: key.id, owner: key.owner, purpose: key.purpose, algorithm: key.algorithm, status: key.status, notBefore: key.notBefore, notAfter: key.notAfter, revokedAt: key.revokedAt };
  if (key.publicKeyDer === null) return base;
  const pub = createPublicKey({ key: key.publicKeyDer, format: 'der', type: 'spki' });
  return { ...base, jwk: pub.export({ format: 'jwk' }), pem: pub.export({ format: 'pem', type: 'spki' }).toString() };
}

export function registerOps(program: Command, io: Io): void {
  const print = (value: unknown): void => io.out(JSON.stringify(value, null, 2));

  program
    .command('backup')
    .description('write a consistent backup of the running node (database, blobs, manifest of SHA-256 digests) into a new directory')
    .argument('<dest>', 'directory to create')
    .option('--json', 'print the manifest summary as JSON')
    .action(async (dest: string, options: { json?: boolean }) => {
      if (process.platform !== 'win32') process.umask(0o077);
      let manifest;
      try {
        manifest = await createBackup({ config: resolveDbConfig(process.env), dataDir: resolveDataDir(process.env), dest });
      } catch (error) {
        if (error instanceof BackupError) throw new UsageError(error.message);
        throw error;
      }
      const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
      const summary = { dest, createdAt: manifest.createdAt, source: manifest.source.kind, migrations: manifest.migrations.length, tables: manifest.tables.length, rows, files: manifest.files.length, parts: Object.keys(manifest.parts) };
      if (options.json) print(summary);
      else io.out(`Backup written to ${dest}: ${summary.tables} tables, ${rows} rows, ${summary.files} files${summary.parts.length > 0 ? `, ${summary.parts.join(', ')}` : ''} (restore with: comity restore ${dest})`);
    });

  program
    .command('restore')
    .description('check a backup against its manifest, then restore it into an empty database and data directory')
    .argument('<src>', 'backup directory')
    .option('--json', 'print the result as JSON')
    .action(async (src: string, options: { json?: boolean }) => {
      if (process.platform !== 'win32') process.umask(0o077);
      let result;
      try {
        result = await restoreBackup({ src, config: resolveDbConfig(process.env), dataDir: resolveDataDir(process.env) });
      } catch (error) {
        if (error instanceof BackupError) throw new UsageError(error.message);
        throw error;
      }
      const summary = { src, method: result.method, backupCreatedAt: result.manifest.createdAt, upgraded: result.upgraded, parts: result.parts };
      if (options.json) return print(summary);
      io.out(`Restored ${src} (made ${result.manifest.createdAt}) by ${result.method === 'snapshot' ? 'copying the SQLite snapshot' : 'loading its tables'}${result.upgraded.length > 0 ? `; upgraded with ${result.upgraded.join(', ')}` : ''}.`);
      if ('ledger-checkpoint' in result.parts) io.out(`The backup's latest signed ledger checkpoint: ${JSON.stringify(result.parts['ledger-checkpoint'])}. If the node signed later checkpoints, it will refuse to sign until the recovery in README ("Operating a node") is done.`);
      io.out('Start the node with the master key it had before (a different key is refused).');
    });

  const keys = program.command('keys').description("the node's keys: list, rotate, revoke, export public keys");

  keys
    .command('list')
    .description('every key with its owner, purpose, algorithm and status (never private parts)')
    .option('--owner <owner>', `owner (the node's own keys: ${NODE_OWNER})`)
    .option('--purpose <purpose>', KEY_PURPOSES.join(', '))
    .option('--json', 'print JSON')
    .action(async (options: { owner?: string; purpose?: string; json?: boolean }) => {
      const purpose = purposeOf(options.purpose);
      await withKeys(async (db, master) => {
        const list = await createDbKeyStore(db, master.box).list({ ...(options.owner === undefined ? {} : { owner: options.owner }), ...(purpose === undefined ? {} : { purpose }) });
        const masterView = { source: master.source.kind, ...(master.source.path === undefined ? {} : { path: master.source.path }), fingerprint: master.fingerprint };
        if (options.json) return print({ master: masterView, keys: list.map((k) => ({ id: k.id, owner: k.owner, purpose: k.purpose, algorithm: k.algorithm, status: k.status, createdAt: k.createdAt, notAfter: k.notAfter, retiredAt: k.retiredAt, revokedAt: k.revokedAt })) });
        io.out(`Master key: ${masterView.source}${masterView.path === undefined ? '' : ` ${masterView.path}`}, fingerprint ${masterView.fingerprint}`);
        if (list.length === 0) return io.out('No keys yet.');
        io.out(table(['ID', 'OWNER', 'PURPOSE', 'ALGORITHM', 'STATUS', 'CREATED'], list.map((k) => [k.id, k.owner, k.purpose, k.algorithm, k.status, k.createdAt])));
      });
    });

  keys
    .command('rotate')
    .description('make a new active key for an owner and purpose; the previous one is retired (it still verifies and decrypts, it signs nothing)')
    .requiredOption('--purpose <purpose>', KEY_PURPOSES.join(', '))
    .option('--owner <owner>', 'owner', NODE_OWNER)
    .option('--algorithm <algorithm>', 'algorithm (default: the purpose\'s usual one)')
    .option('--json', 'print JSON')
    .action(async (options: { owner: string; purpose: string; algorithm?: string; json?: boolean }) => {
      const purpose = purposeOf(options.purpose) as KeyPurpose;
      const algorithm = (options.algorithm ?? DEFAULT_ALGORITHM[purpose]) as KeyAlgorithm;
      await withKeys(async (db, master) => {
        const { active, retired } = await createDbKeyStore(db, master.box).rotate(options.owner, purpose, algorithm, new Date());
        if (options.json) return print({ active: publicView(active), retired: retired === null ? null : publicView(retired) });
        io.out(`New ${purpose} key for ${options.owner}: ${active.id} (${active.algorithm})${retired === null ? '' : `; ${retired.id} retired (kept to verify what it signed)`}`);
      });
    });

  keys
    .command('rotate-master')
    .description('seal every secret again under a new master key, in one transaction (stop the node first)')
    .requiredOption('--new-key-file <path>', 'owner-only file outside the data directory: read if it exists, else created')
    .option('--json', 'print JSON')
    .action(async (options: { newKeyFile: string; json?: boolean }) => {
      if (process.platform !== 'win32') process.umask(0o077);
      await withKeys(async (db, master) => {
        const key = newMasterKeyFile(options.newKeyFile, resolveDataDir(process.env));
        const fingerprint = masterKeyFingerprint(key);
        if (fingerprint === master.fingerprint) throw new UsageError(`${options.newKeyFile} holds the current master key`);
        let counts;
        try {
          counts = await rotateMasterKey(db, master.box, createSecretBox(key));
        } catch (error) {
          if (error instanceof MasterRotationError) throw new UsageError(error.message);
          throw error;
        } finally {
          key.fill(0);
        }
        if (options.json) return print({ from: master.fingerprint, to: fingerprint, resealed: counts });
        io.out(`Sealed again under the master key ${fingerprint} (was ${master.fingerprint}): ${Object.entries(counts).map(([c, n]) => `${n} ${c}`).join(', ')}.`);
        io.out(`Start the node with COMITY_MASTER_KEY_FILE=${options.newKeyFile}. Keep the old key as long as you keep backups made before now: they open only with it.`);
      });
    });

  keys
    .command('revoke')
    .description('mark a key compromised: it signs and decrypts nothing from now on; its public key is kept')
    .argument('<id>', 'key id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withKeys(async (db, master) => {
        const key = await createDbKeyStore(db, master.box).revoke(id, new Date());
        if (options.json) return print(publicView(key));
        io.out(`Key ${key.id} revoked at ${key.revokedAt ?? '?'}`);
      });
    });

  keys
    .command('export-public')
    .description('public keys (PEM, or JWK with --json) of every key pair, retired and revoked ones included, for verifiers')
    .option('--owner <owner>', 'owner')
    .option('--purpose <purpose>', KEY_PURPOSES.join(', '))
    .option('--json', 'print JSON with JWKs')
    .action(async (options: { owner?: string; purpose?: string; json?: boolean }) => {
      const purpose = purposeOf(options.purpose);
      await withKeys(async (db, master) => {
        const list = (await createDbKeyStore(db, master.box).list({ ...(options.owner === undefined ? {} : { owner: options.owner }), ...(purpose === undefined ? {} : { purpose }) })).filter((k) => k.publicKeyDer !== null);
        const views = list.map(publicView);
        if (options.json) return print(views);
        for (const view of views) io.out(`# ${String(view.id)} ${String(view.owner)} ${String(view.purpose)} ${String(view.algorithm)} ${String(view.status)}\n${String(view.pem).trimEnd()}`);
      });
    });
}
