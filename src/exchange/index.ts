/**
 * @module exchange
 * Federation between nodes: identity and trust (agreements, JWKS), signed and encrypted
 * envelopes, exactly-once delivery with receipts.
 */
export { ExchangeError, EXCHANGE_ERROR_CODES } from './errors.js';
export type { ExchangeErrorCode } from './errors.js';
export { MESSAGE_TYPES } from './message-types.js';
export type { MessageType } from './message-types.js';
export { loadNodeIdentity, requireNodeIdentity, splitNodeId, NODE_ID_PATTERN } from './identity.js';
export type { NodeIdentity, Flows } from './identity.js';
export { nodeJwks, keyToJwk, keyUsableAt } from './jwks.js';
export type { Jwks, PublishedJwk } from './jwks.js';
export { parseAgreement, agreementFingerprint, AGREEMENT_TYPE } from './agreement.js';
export type { Agreement, SignedAgreement } from './agreement.js';
export { addPeer, listPeers, removePeer } from './peers.js';
export type { PeerSummary } from './peers.js';
export { loadTrustList, buildTrustList } from './trust.js';
export type { TrustList, TrustedNode } from './trust.js';
export { initNode, exportNode, rotateNodeKey } from './node.js';
