/**
 * @module evidence/context
 * What the evidence use cases run with: the case context (database, clock, ids, transactions),
 * the key store, the blob store, and a staging directory for uploads in progress (sealed
 * chunks, never plaintext), on the same filesystem as a filesystem blob store so that the
 * finished blob is renamed into place rather than copied.
 */
import { mkdir, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseContext } from '../cases/index.js';
import type { KeyStore } from '../keys/index.js';
import { checkpointFile, createLedger, fileMemory, logOriginOf, type Ledger } from '../ledger/index.js';
import type { BlobStore } from './blob-store.js';
import { createFsBlobStore } from './fs-blob-store.js';
import type { UploadState } from './uploads.js';

export interface EvidenceContext {
  readonly cases: CaseContext;
  readonly keys: KeyStore;
  readonly blobs: BlobStore;
  readonly stagingDir: string;
  /** Uploads with a request in flight and their running digests (per process). */
  readonly uploads: Map<string, UploadState>;
  /** Largest evidence item accepted (bytes). */
  readonly maxItemBytes: number;
  /** Hours an incomplete upload is kept after its last bytes (COMITY_UPLOAD_EXPIRY_HOURS). */
  readonly uploadExpiryHours: number;
  /** The node's transparency log: custody lines are its leaves; bundles carry its proofs. */
  readonly ledger: Ledger;
}

/** 1 TiB by default: evidence is bounded by the disk, not by memory. */
export const DEFAULT_MAX_ITEM_BYTES = 2 ** 40;

/**
 * The evidence context; `ledger` defaults to the node's log as the server and `comity ledger`
 * open it (origin as `logOriginOf` gives it, last checkpoint kept in the data directory).
 */
export async function createEvidenceContext(options: { cases: CaseContext; keys: KeyStore; blobs?: BlobStore; dataDir: string; maxItemBytes?: number; ledger?: Ledger; uploadExpiryHours?: number }): Promise<EvidenceContext> {
  const root = join(options.dataDir, 'evidence');
  await mkdir(root, { recursive: true, mode: 0o700 });
  await chmod(root, 0o700);
  const stagingDir = join(root, 'uploads');
  await mkdir(stagingDir, { recursive: true, mode: 0o700 });
  const blobs = options.blobs ?? (await createFsBlobStore(join(root, 'blobs')));
  const ledger =
    options.ledger ??
    createLedger(options.cases.db, options.keys, { origin: await logOriginOf(options.cases.db, process.env), memory: fileMemory(checkpointFile(options.dataDir)), now: () => options.cases.now(), newId: () => options.cases.newId() });
  return { cases: options.cases, keys: options.keys, blobs, stagingDir, uploads: new Map(), maxItemBytes: options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES, ledger, uploadExpiryHours: options.uploadExpiryHours ?? 24 };
}
