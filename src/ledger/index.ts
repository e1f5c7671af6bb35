/**
 * @module ledger
 * The node's tamper-evident log (RFC 6962/9162 Merkle tree, C2SP signed notes, checkpoints,
 * tlog-tiles and tlog-proof). Pure maths and formats (merkle, note, checkpoint, tiles,
 * tlog-proof, leaf) verify offline without a database; store, publisher, verify and service use
 * the database.
 *
 * For other contexts (evidence, exchange): `appendLeaf(trx, record)` inside any transaction on
 * SQLite or PostgreSQL; `ledger.proofOf(recordId)` for a `.tlog-proof`; `verifyTlogProof` offline.
 */
export { canonicalJson } from './canonical-json.js';
export { LedgerError, type LedgerErrorCode } from './errors.js';
export { CompactRange, consistencyProof, EMPTY_ROOT, HASH_SIZE, inclusionProof, leafHash, nodeHash, rootFromLeafHashes, verifyConsistency, verifyInclusion, type NodeSource } from './merkle.js';
export { addSignatures, cosignatureSigner, decodeNote, ed25519Signer, openNote, parseNote, parseVerifierKey, signatureLineFacts, signNote, verifierKeyText, type NoteSigner, type NoteVerifier } from './note.js';
export { checkpointBody, checkpointOfNote, openCheckpoint, parseCheckpointBody, signCheckpoint, type Checkpoint, type VerifiedCheckpoint } from './checkpoint.js';
export { formatTlogProof, parseTlogProof, verifyTlogProof, TLOG_PROOF_HEADER, type TlogProof, type VerifiedTlogProof } from './tlog-proof.js';
export { encodeTileIndex, entryBundle, parseEntryBundle, parseTilePath, tilePath, TILE_WIDTH, type TileAddress } from './tiles.js';
export { leafObject, leafText, recordLeafText, rowDigest, type LeafSource } from './leaf.js';
export { appendLeaf, consistencyProofAt, findEntry, inclusionProofAt, integrate, leafAt, readTile, rootAt, sequencedSize, treeHead, type TreeHead } from './store.js';
export { fileMemory, identityOf, latestCheckpoint, logIdentity, logVerifiers, memoryInProcess, publishCheckpoint, resolveIncidents, type CheckpointMemory, type LogIdentity, type OpenIncident, type Published, type StoredCheckpoint } from './publisher.js';
export { verifyLog, type VerificationReport } from './verify.js';
export { defaultVerifyThreads, usableThreads, type ParallelVerification } from './verify-workers.js';
export { checkpointFile, createLedger, logOriginOf, resolveCheckpointSeconds, resolveLogOrigin, startCheckpointing, type EventProof, type Ledger, type LedgerOptions } from './service.js';
