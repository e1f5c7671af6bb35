/**
 * @module keys
 * Key management: every key the node holds besides the master key, sealed under it.
 */
export { createDbKeyStore, sealedKeyAad, KeyStoreError, KEY_PURPOSES, KEY_ALGORITHMS, NODE_OWNER } from './key-store.js';
export type { KeyStore, KeyInfo, KeyPurpose, KeyAlgorithm, KeyStatus, KeyUse, KeyStoreErrorCode } from './key-store.js';
