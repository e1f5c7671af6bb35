/**
 * @module keys
 * Key management: every key the node holds besides the master key, sealed under it.
 */
export { createDbKeyStore, sealedKeyAad, KeyStoreError, KEY_PURPOSES, KEY_ALGORITHMS, NODE_OWNER } from './key-store.js';
export type { KeyStore, KeyInfo, KeyPurpose, KeyAlgorithm, KeyStatus, KeyUse, KeyStoreErrorCode } from './key-store.js';
export { openMasterKey, checkMasterKeySource, demoKeyDir, masterKeyFingerprint, MasterKeyError, MASTER_KEY_FILE_NAME } from './master-key.js';
export type { MasterKey, MasterKeySource, MasterKeySourceKind, MasterKeyErrorCode, OpenMasterKeyOptions } from './master-key.js';
