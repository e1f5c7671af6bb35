/** AES-256-GCM sealing: round trip, tampering, wrong AAD or key; the master key from env or file. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { createSecretBox, loadMasterKey, parseMasterKey, SecretBoxError } from './secrets.js';

const box = createSecretBox(randomBytes(32));
const AAD = 'users.totp_secret:0190f0e2-0000-7000-8000-000000000001';

describe('secret box (AES-256-GCM)', () => {
  it('round-trips strings and bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))), fc.string(), (plain, aad) => {
        const sealed = box.seal(plain, aad);
        assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/);
        const opened = box.open(sealed, aad);
        assert.deepEqual(opened, typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain);
      }),
    );
  });

  it('uses a fresh IV each time and does not leak the plaintext', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP', AAD);
    const b = box.seal('JBSWY3DPEHPK3PXP', AAD);
    assert.notEqual(a, b);
    assert.ok(!a.includes('JBSWY3DPEHPK3PXP'));
  });

  it('throws when any part of the sealed value was altered (property)', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', AAD);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.nat({ max: sealed.length - 1 }), fc.constantFrom(...alphabet), (i, c) => {
        if (i < 3 || sealed[i] === c || sealed[i] === '.') return;
        const tampered = sealed.slice(0, i) + c + sealed.slice(i + 1);
        // A change in the last character of a part may hit padding bits only, decoding to the same bytes.
        const same = (s: string) => s.split('.').slice(1).map((p) => Buffer.from(p, 'base64url').toString('hex')).join('.');
        if (same(tampered) === same(sealed)) return;
        assert.throws(() => box.open(tampered, AAD), SecretBoxError);
      }),
      { numRuns: 300 },
    );
  });

  it('throws for another AAD, another key, or something that is not a sealed value', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', AAD);
    assert.throws(() => box.open(sealed, 'users.totp_secret:someone-else'), SecretBoxError);
    assert.throws(() => box.open(sealed, ''), SecretBoxError);
    assert.throws(() => createSecretBox(randomBytes(32)).open(sealed, AAD), SecretBoxError);
    const parts = sealed.split('.');
    for (const bad of ['', 'JBSWY3DPEHPK3PXP', `v2.${parts.slice(1).join('.')}`, parts.slice(0, 3).join('.'), `${sealed}.x`, `v1.${parts[1]}.${parts[2]}.${(parts[3] ?? '').slice(2)}`, sealed.replace(/\./g, '!')]) {
      assert.throws(() => box.open(bad, AAD), SecretBoxError, bad);
    }
  });

  it('refuses keys that are not 32 bytes, and does not show its key', () => {
    assert.throws(() => createSecretBox(randomBytes(16)), SecretBoxError);
    assert.throws(() => createSecretBox(Buffer.alloc(0)), SecretBoxError);
    const key = randomBytes(32);
    const shown = inspect(createSecretBox(key), { showHidden: true, depth: 5 }) + JSON.stringify(createSecretBox(key));
    assert.ok(!shown.includes(key.toString('hex')) && !shown.includes(key.toString('base64')), shown);
  });
});

describe('master key', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-key-test-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('parses 64 hex characters and base64 of 32 bytes', () => {
    const key = randomBytes(32);
    assert.deepEqual(parseMasterKey(key.toString('hex')), key);
    assert.deepEqual(parseMasterKey(key.toString('hex').toUpperCase()), key);
    assert.deepEqual(parseMasterKey(key.toString('base64')), key);
    assert.deepEqual(parseMasterKey(` ${key.toString('base64url')}\n`), key);
    for (const bad of ['', 'abc', key.toString('hex').slice(2), randomBytes(31).toString('base64'), randomBytes(33).toString('hex')]) assert.equal(parseMasterKey(bad), null, bad);
  });

  it('takes COMITY_SECRET_KEY when set, and never puts it in an error message', () => {
    const key = randomBytes(32);
    const dir = tempDir();
    assert.deepEqual(loadMasterKey({ COMITY_SECRET_KEY: key.toString('hex') }, dir), key);
    assert.deepEqual(loadMasterKey({ COMITY_SECRET_KEY: key.toString('base64') }, dir), key);
    assert.throws(() => statSync(join(dir, 'secret.key')), /ENOENT/, 'no key file when the variable is set');
    const wrong = `${key.toString('hex')}00`;
    assert.throws(
      () => loadMasterKey({ COMITY_SECRET_KEY: wrong }, dir),
      (error: unknown) => error instanceof SecretBoxError && /COMITY_SECRET_KEY/.test(error.message) && !error.message.includes(wrong.slice(0, 16)),
    );
  });

  it('reads COMITY_MASTER_KEY_FILE, and refuses a key file inside the data directory', { skip: process.platform === 'win32' && 'POSIX modes' }, () => {
    const root = tempDir();
    const dir = join(root, 'data');
    const key = randomBytes(32);
    const outside = join(root, 'master.key');
    writeFileSync(outside, key.toString('hex'), { mode: 0o600 });
    assert.deepEqual(loadMasterKey({ COMITY_MASTER_KEY_FILE: outside }, dir), key);
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'inside.key'), key.toString('hex'), { mode: 0o600 });
    assert.throws(() => loadMasterKey({ COMITY_MASTER_KEY_FILE: join(dir, 'inside.key') }, dir), /inside the data directory/);
    writeFileSync(join(dir, 'secret.key'), key.toString('hex'), { mode: 0o600 });
    assert.throws(() => loadMasterKey({ COMITY_SECRET_KEY: key.toString('hex') }, dir), /secret\.key is inside the data directory/);
    assert.throws(() => loadMasterKey({}, root), /no master key/);
  });

  it('refuses a key file readable by others, or a malformed one', { skip: process.platform === 'win32' && 'POSIX modes' }, () => {
    const dir = tempDir();
    const path = join(dir, 'master.key');
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o644 });
    chmodSync(path, 0o644);
    const data = join(dir, 'data');
    assert.throws(() => loadMasterKey({ COMITY_MASTER_KEY_FILE: path }, data), (error: unknown) => error instanceof SecretBoxError && /chmod 600/.test(error.message));
    writeFileSync(path, 'not a key');
    chmodSync(path, 0o600);
    assert.throws(() => loadMasterKey({ COMITY_MASTER_KEY_FILE: path }, data), SecretBoxError);
  });
});
