/**
 * The master key comes from outside the data directory, is checked against the database it
 * seals, and is never created where a copy of the data would carry it (issue 18).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { MasterKeyError, openMasterKey, demoKeyDir } from '../../src/keys/index.js';
import { FileModeError } from '../../src/ops/file-modes.js';
import { forEachDatabase } from '../db/dialects.js';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
function root(): string {
  const dir = mkdtempSync(join(tmpdir(), 'comity-master-key-'));
  roots.push(dir);
  return dir;
}
const code = (expected: string) => (error: unknown) => error instanceof MasterKeyError && error.code === expected;

forEachDatabase('master key', (target) => {
  it('creates COMITY_MASTER_KEY_FILE on a fresh node (0600 under umask 000), reads it again, and refuses another key or a lost file', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const dir = root();
    const data = join(dir, 'data');
    const file = join(dir, 'keys', 'master.key');
    const old = process.umask(0);
    let first;
    try {
      first = await openMasterKey({ COMITY_MASTER_KEY_FILE: file }, data, handle.db);
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'keys')).mode & 0o777, 0o700);
    assert.deepEqual(first.source, { kind: 'file', path: file });
    const sealed = first.box.seal('totp', 'aad');
    const second = await openMasterKey({ COMITY_MASTER_KEY_FILE: file }, data, handle.db);
    assert.equal(second.fingerprint, first.fingerprint);
    assert.equal(second.box.open(sealed, 'aad').toString(), 'totp');
    // Another key (a restore with the wrong key file) is refused before it seals anything.
    const other = join(dir, 'other.key');
    writeFileSync(other, randomBytes(32).toString('hex'), { mode: 0o600 });
    await assert.rejects(openMasterKey({ COMITY_MASTER_KEY_FILE: other }, data, handle.db), code('wrong-master-key'));
    await assert.rejects(openMasterKey({ COMITY_SECRET_KEY: randomBytes(32).toString('hex') }, data, handle.db), code('wrong-master-key'));
    // A lost (or mistyped) key file is not silently replaced by a new key.
    await assert.rejects(openMasterKey({ COMITY_MASTER_KEY_FILE: join(dir, 'typo.key') }, data, handle.db), code('missing-key-file'));
    assert.equal(existsSync(join(dir, 'typo.key')), false);
    // The key given inline is the same key.
    const hex = readFileSync(file, 'utf8').trim();
    assert.equal((await openMasterKey({ COMITY_SECRET_KEY: hex }, data, handle.db)).fingerprint, first.fingerprint);
  });

  it('derives the key from a passphrase with scrypt and a stored salt; another passphrase is refused', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const data = join(root(), 'data');
    const first = await openMasterKey({ COMITY_MASTER_PASSPHRASE: 'correct horse battery staple' }, data, handle.db, { scryptN: 2 ** 12 });
    const again = await openMasterKey({ COMITY_MASTER_PASSPHRASE: 'correct horse battery staple' }, data, handle.db);
    assert.equal(again.fingerprint, first.fingerprint);
    const kdf = await handle.db.selectFrom('schema_info').select('value').where('key', '=', 'master_key_kdf').executeTakeFirstOrThrow();
    const params = JSON.parse(kdf.value) as { alg: string; N: number; salt: string };
    assert.equal(params.alg, 'scrypt');
    assert.equal(params.N, 2 ** 12);
    assert.equal(Buffer.from(params.salt, 'base64url').length, 16);
    await assert.rejects(openMasterKey({ COMITY_MASTER_PASSPHRASE: 'wrong horse' }, data, handle.db), code('wrong-master-key'));
  });
});

forEachDatabase('master key sources', (target) => {
  it('refuses a key in the data directory, a loose key file, two sources, or none', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const dir = root();
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o700 });
    const legacy = join(data, 'secret.key');
    writeFileSync(legacy, randomBytes(32).toString('hex'), { mode: 0o600 });
    await assert.rejects(openMasterKey({ COMITY_SECRET_KEY: randomBytes(32).toString('hex') }, data, handle.db), (error: unknown) => {
      assert.ok(error instanceof MasterKeyError && error.code === 'key-in-data-dir');
      assert.ok(error.message.includes(`mv ${legacy} ${join(demoKeyDir(data), 'master.key')}`), error.message);
      return true;
    });
    rmSync(legacy);
    await assert.rejects(openMasterKey({ COMITY_MASTER_KEY_FILE: join(data, 'sub', 'k.key') }, data, handle.db), code('key-in-data-dir'));
    const loose = join(dir, 'loose.key');
    writeFileSync(loose, randomBytes(32).toString('hex'));
    chmodSync(loose, 0o644);
    await assert.rejects(openMasterKey({ COMITY_MASTER_KEY_FILE: loose }, data, handle.db), (error: unknown) => error instanceof FileModeError && error.path === loose && /chmod 600/.test(error.message));
    await assert.rejects(openMasterKey({ COMITY_MASTER_KEY_FILE: loose, COMITY_MASTER_PASSPHRASE: 'x' }, data, handle.db), code('ambiguous'));
    await assert.rejects(openMasterKey({}, data, handle.db), code('no-master-key'));
    const malformed = `${randomBytes(32).toString('hex')}00`;
    await assert.rejects(openMasterKey({ COMITY_SECRET_KEY: malformed }, data, handle.db), (error: unknown) => error instanceof MasterKeyError && error.code === 'malformed' && !error.message.includes(malformed.slice(0, 12)));
    // The demo keeps its key beside, not inside, the data directory.
    const demo = await openMasterKey({}, data, handle.db, { demo: true });
    assert.deepEqual(demo.source, { kind: 'demo-file', path: join(dir, 'data-keys', 'master.key') });
    assert.equal(statSync(join(dir, 'data-keys')).mode & 0o777, 0o700);
  });
});
