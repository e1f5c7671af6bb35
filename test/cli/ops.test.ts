/**
 * `comity keys …` and `comity backup` from the command line: rotation keeps old public keys (what
 * was signed before still verifies), the retired key signs nothing, a revoked key neither; bad
 * input is one line and exit 2.
 */
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, sign, verify, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { sql } from 'kysely';
import { createSecretBox } from '../../src/auth/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openDatabase } from '../../src/db/index.js';
import { createDbKeyStore, KeyStoreError, MasterKeyError, NODE_OWNER, openMasterKey } from '../../src/keys/index.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-cli-ops-'));
const dataDir = join(dir, 'data');
const keyFile = join(dir, 'keys', 'master.key');
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}
async function json<T>(...args: string[]): Promise<T> {
  const result = await run(...args, '--json');
  assert.equal(result.code, 0, result.stderr.join('\n'));
  return JSON.parse(result.stdout) as T;
}

/** The key store as the server sees it (same database, same master key). */
async function withStore<T>(work: (store: ReturnType<typeof createDbKeyStore>) => Promise<T>): Promise<T> {
  const handle = await openDatabase({ kind: 'sqlite', file: join(dataDir, 'comity.sqlite') });
  try {
    await handle.migrate();
    const master = await openMasterKey({ COMITY_MASTER_KEY_FILE: keyFile }, dataDir, handle.db);
    return await work(createDbKeyStore(handle.db, master.box));
  } finally {
    await handle.close();
  }
}

describe('comity keys', () => {
  before(() => {
    process.env.COMITY_DATA_DIR = dataDir;
    process.env.COMITY_MASTER_KEY_FILE = keyFile;
    delete process.env.DATABASE_URL;
    delete process.env.COMITY_SECRET_KEY;
    delete process.env.COMITY_MASTER_PASSPHRASE;
  });

  test('rotate keeps the old public key: what it signed still verifies; it signs nothing more; a revoked key nothing at all', async () => {
    const message = Buffer.from('checkpoint 41');
    const { oldId, signature } = await withStore(async (store) => {
      const key = await store.ensure(NODE_OWNER, 'log', 'Ed25519', new Date());
      return { oldId: key.id, signature: sign(null, message, await store.privateKey(key.id, 'sign')) };
    });
    const rotated = await json<{ active: { id: string }; retired: { id: string; status: string } }>('keys', 'rotate', '--purpose', 'log');
    assert.equal(rotated.retired.id, oldId);
    assert.equal(rotated.retired.status, 'retired');
    const listed = await json<{ master: { source: string; path: string; fingerprint: string }; keys: { id: string; status: string }[] }>('keys', 'list', '--purpose', 'log');
    assert.deepEqual(listed.master.source, 'file');
    assert.equal(listed.master.path, keyFile);
    assert.match(listed.master.fingerprint, /^[0-9a-f]{16}$/);
    assert.deepEqual(listed.keys.map((k) => [k.id, k.status]).sort(), [[oldId, 'retired'], [rotated.active.id, 'active']].sort());
    const exported = await json<{ id: string; status: string; jwk: JsonWebKey; pem: string }[]>('keys', 'export-public', '--purpose', 'log');
    const old = exported.find((k) => k.id === oldId);
    assert.ok(old);
    assert.ok(verify(null, message, createPublicKey({ key: old.jwk, format: 'jwk' }), signature), 'signed before the rotation, verifies after it');
    assert.ok(verify(null, message, createPublicKey(old.pem), signature));
    await withStore(async (store) => {
      await assert.rejects(store.privateKey(oldId, 'sign'), (error: unknown) => error instanceof KeyStoreError && error.code === 'not-usable');
      const fresh = sign(null, message, await store.privateKey(rotated.active.id, 'sign'));
      assert.ok(verify(null, message, await store.publicKey(rotated.active.id), fresh), 'new signatures use the new key');
    });
    const revoked = await json<{ status: string }>('keys', 'revoke', rotated.active.id);
    assert.equal(revoked.status, 'revoked');
    await withStore(async (store) => assert.rejects(store.privateKey(rotated.active.id, 'sign'), (error: unknown) => error instanceof KeyStoreError && error.code === 'not-usable'));
    const text = await run('keys', 'export-public');
    assert.equal(text.code, 0);
    assert.match(text.stdout, /-----BEGIN PUBLIC KEY-----/);
    assert.doesNotMatch(text.stdout, /PRIVATE/);
  });

  test('rotate-master seals every secret again under a new key, in one transaction; the old key no longer opens the node', async () => {
    const wrapping = await withStore(async (store) => {
      const key = await store.ensure('authority-1', 'content-wrapping', 'AES-256', new Date());
      return { id: key.id, secret: await store.secretKey(key.id, 'decrypt') };
    });
    // A sealed value in a column the rotation does not know: refused, nothing changed.
    const handle = await openDatabase({ kind: 'sqlite', file: join(dataDir, 'comity.sqlite') });
    const stray = createSecretBox(randomBytes(32)).seal('x', 'somewhere');
    await sql`insert into audit_events (id, actor, action, object_type, object_id, at, details) values ('stray', 'test', 'test', 'test', 'test', '2026-12-01T00:00:00Z', ${stray})`.execute(handle.db);
    await handle.close();
    const newKey = join(dir, 'keys-2', 'master.key');
    const refused = await run('keys', 'rotate-master', '--new-key-file', newKey);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr[0]!, /audit_events\.details holds sealed values/);
    const cleanup = await openDatabase({ kind: 'sqlite', file: join(dataDir, 'comity.sqlite') });
    await sql`delete from audit_events where id = 'stray'`.execute(cleanup.db);
    await cleanup.close();
    await withStore(async (store) => assert.deepEqual(await store.secretKey(wrapping.id, 'decrypt'), wrapping.secret));

    const rotated = await json<{ from: string; to: string; resealed: Record<string, number> }>('keys', 'rotate-master', '--new-key-file', newKey);
    assert.notEqual(rotated.from, rotated.to);
    assert.ok((rotated.resealed['node_keys.sealed_private'] ?? 0) >= 3);
    assert.equal(rotated.resealed['schema_info.value'], 1);
    assert.equal(statSync(newKey).mode & 0o777, 0o600);
    await assert.rejects(withStore(async () => undefined), (error: unknown) => error instanceof MasterKeyError && error.code === 'wrong-master-key');
    // From here on the node runs on the new key.
    process.env.COMITY_MASTER_KEY_FILE = newKey;
    {
      const handle2 = await openDatabase({ kind: 'sqlite', file: join(dataDir, 'comity.sqlite') });
      try {
        const master = await openMasterKey({ COMITY_MASTER_KEY_FILE: newKey }, dataDir, handle2.db);
        assert.equal(master.fingerprint, rotated.to);
        assert.deepEqual(await createDbKeyStore(handle2.db, master.box).secretKey(wrapping.id, 'decrypt'), wrapping.secret);
      } finally {
        await handle2.close();
      }
    }
  });

  test('bad input is one line on stderr and exit 2', async () => {
    assert.equal((await run('keys', 'list')).code, 0, 'the node opens with its key');
    for (const args of [['keys', 'rotate', '--purpose', 'nonsense'], ['keys', 'rotate', '--purpose', 'log', '--algorithm', 'RSA'], ['keys', 'revoke', 'no-such-key'], ['backup', dataDir]]) {
      const result = await run(...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr.length, 1, args.join(' '));
    }
  });

  test('comity backup writes a backup the restore check accepts', async () => {
    const summary = await json<{ tables: number; files: number }>('backup', join(dir, 'backup-1'));
    assert.ok(summary.tables >= 10 && summary.files > summary.tables);
    const again = await run('backup', join(dir, 'backup-1'));
    assert.equal(again.code, 2);
    assert.match(again.stderr[0]!, /already exists/);
  });
});
