/**
 * @module exchange/key-cache
 * The exchange takes the same few keys out of the key store for every message (the node's
 * decryption and signing keys, the sending authority's key). Opening a sealed key costs a query
 * and an AES-GCM decryption, so this wrapper keeps them for a few seconds. A rotation is seen
 * within `ttlMs`; receivers allow a leeway on key windows larger than that (envelope.ts,
 * KEY_WINDOW_LEEWAY_S), so a message signed in that moment still verifies. Revocation also takes
 * effect within `ttlMs`.
 */
import type { KeyObject } from 'node:crypto';
import type { KeyInfo, KeyPurpose, KeyStore, KeyUse } from '../keys/index.js';

export function cachedKeyStore(keys: KeyStore, ttlMs = 5000): KeyStore {
  const active = new Map<string, { at: number; value: Promise<KeyInfo | null> }>();
  const privates = new Map<string, { at: number; value: Promise<KeyObject> }>();
  const fresh = (at: number) => Date.now() - at < ttlMs;
  return {
    ...keys,
    list: (filter) => keys.list(filter),
    get: (id) => keys.get(id),
    ensure: (owner, purpose, algorithm, now) => keys.ensure(owner, purpose, algorithm, now),
    rotate: async (owner, purpose, algorithm, now) => {
      active.clear();
      privates.clear();
      return keys.rotate(owner, purpose, algorithm, now);
    },
    revoke: async (id, now) => {
      active.clear();
      privates.clear();
      return keys.revoke(id, now);
    },
    secretKey: (id, use) => keys.secretKey(id, use),
    publicKey: (id) => keys.publicKey(id),
    active(owner: string, purpose: KeyPurpose) {
      const key = `${owner}\u0000${purpose}`;
      const hit = active.get(key);
      if (hit !== undefined && fresh(hit.at)) return hit.value;
      const value = keys.active(owner, purpose);
      active.set(key, { at: Date.now(), value });
      value.catch(() => active.delete(key));
      return value;
    },
    privateKey(id: string, use: KeyUse) {
      const key = `${id}\u0000${use}`;
      const hit = privates.get(key);
      if (hit !== undefined && fresh(hit.at)) return hit.value;
      const value = keys.privateKey(id, use);
      privates.set(key, { at: Date.now(), value });
      value.catch(() => privates.delete(key));
      return value;
    },
  };
}
