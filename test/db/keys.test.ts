/**
 * The key store on every database: keys are created once per owner and purpose (also when
 * processes race), sealed at rest, rotated with old public keys kept, and revoked keys refused.
 */
import assert from 'node:assert/strict';
import { randomBytes, sign, verify, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { it } from 'node:test';
import { createSecretBox } from '../../src/auth/secrets.js';
import { createDbKeyStore, KeyStoreError, NODE_OWNER } from '../../src/keys/index.js';
import { forEachDatabase } from './dialects.js';

const now = new Date('2026-12-01T09:00:00Z');

forEachDatabase('key store', (target) => {
  it('creates one active key per owner and purpose, even when callers race', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
    const created = await Promise.all(Array.from({ length: 8 }, () => keys.ensure(NODE_OWNER, 'log', 'Ed25519', now)));
    assert.equal(new Set(created.map((k) => k.id)).size, 1);
    assert.equal((await keys.list({ purpose: 'log' })).length, 1);
    const key = created[0]!;
    assert.equal(key.status, 'active');
    const message = Buffer.from('checkpoint');
    const signature = sign(null, message, await keys.privateKey(key.id, 'sign'));
    assert.ok(verify(null, message, await keys.publicKey(key.id), signature));
  });

  it('keeps private parts sealed: the stored row holds neither the key nor its bytes in clear', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
    const key = await keys.ensure('authority-1', 'content-wrapping', 'AES-256', now);
    const secret = await keys.secretKey(key.id, 'decrypt');
    assert.equal(secret.length, 32);
    const row = await handle.db.selectFrom('node_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    assert.ok(row.sealed_private.startsWith('v1.'));
    for (const encoding of ['hex', 'base64', 'base64url'] as const) assert.ok(!row.sealed_private.includes(secret.toString(encoding)));
    // Another master key cannot open it.
    const stranger = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
    await assert.rejects(stranger.secretKey(key.id, 'decrypt'), /altered|another key/);
    // A sealed value moved to another row does not open there.
    const other = await keys.ensure('authority-2', 'content-wrapping', 'AES-256', now);
    await handle.db.updateTable('node_keys').set({ sealed_private: row.sealed_private }).where('id', '=', other.id).execute();
    await assert.rejects(keys.secretKey(other.id, 'decrypt'), /altered|belongs elsewhere/);
  });

  it('rotates: old signatures still verify, new ones use the new key, the retired key signs nothing but still decrypts', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
    const first = await keys.ensure('authority-1', 'authority-signing', 'Ed25519', now);
    const message = Buffer.from('order');
    const oldSignature = sign(null, message, await keys.privateKey(first.id, 'sign'));
    const later = new Date(now.getTime() + 86_400_000);
    const { active, retired } = await keys.rotate('authority-1', 'authority-signing', 'Ed25519', later);
    assert.equal(retired?.id, first.id);
    assert.equal(retired?.status, 'retired');
    assert.notEqual(active.id, first.id);
    assert.equal((await keys.active('authority-1', 'authority-signing'))?.id, active.id);
    assert.ok(verify(null, message, await keys.publicKey(first.id), oldSignature));
    await assert.rejects(keys.privateKey(first.id, 'sign'), (error: unknown) => error instanceof KeyStoreError && error.code === 'not-usable');
    const enc = await keys.ensure(NODE_OWNER, 'node-encryption', 'X25519', now);
    await keys.rotate(NODE_OWNER, 'node-encryption', 'X25519', later);
    const peer = generateKeyPairSync('x25519');
    const shared = diffieHellman({ privateKey: await keys.privateKey(enc.id, 'decrypt'), publicKey: peer.publicKey });
    assert.equal(shared.length, 32);
  });

  it('revokes: a revoked key neither signs nor decrypts, its public key is still known', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
    const key = await keys.ensure(NODE_OWNER, 'log', 'Ed25519', now);
    const revoked = await keys.revoke(key.id, now);
    assert.equal(revoked.status, 'revoked');
    await assert.rejects(keys.privateKey(key.id, 'sign'), /revoked/);
    await assert.rejects(keys.privateKey(key.id, 'decrypt'), /revoked/);
    assert.ok(await keys.publicKey(key.id));
    assert.equal(await keys.active(NODE_OWNER, 'log'), null);
    await assert.rejects(keys.revoke('no-such-key', now), (error: unknown) => error instanceof KeyStoreError && error.code === 'unknown-key');
  });

  it('refuses a purpose with the wrong algorithm', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
    await assert.rejects(keys.ensure(NODE_OWNER, 'log', 'X25519', now), /must be Ed25519/);
    assert.equal((await keys.list()).length, 0);
  });
});
