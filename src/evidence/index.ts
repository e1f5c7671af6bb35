/**
 * @module evidence
 * Evidence of any size: streamed, hashed, sealed per case, kept with a signed chain of custody,
 * exported as bundles that a court can verify offline.
 */
export type { BlobStore } from './blob-store.js';
export { blobKeyOf } from './blob-store.js';
export { createFsBlobStore } from './fs-blob-store.js';
export { createEvidenceContext, DEFAULT_MAX_ITEM_BYTES } from './context.js';
export type { EvidenceContext } from './context.js';
export { EvidenceError } from './errors.js';
export type { EvidenceErrorCode } from './errors.js';
export { DATA_CATEGORIES, evidenceMetadataSchema } from './metadata.js';
export type { EvidenceItemView, EvidenceMetadata, DataCategory } from './metadata.js';
export { addEvidence, appendUpload, beginUpload, cancelUpload, expireUploads, resolveUploadExpiryHours, uploadStatus } from './uploads.js';
export type { AppendResult, UploadStatus } from './uploads.js';
export { deleteCaseEvidence, listEvidence, openEvidence, purgeExpiredEvidence, requireCase } from './items.js';
export { listCustody } from './custody.js';
export type { CustodyRecord } from './custody.js';
export { CUSTODY_EVENTS } from './custody-line.js';
export type { CustodyEvent, CustodyStatement } from './custody-line.js';
export { checkCaseEvidence } from './check.js';
export type { EvidenceProblem } from './check.js';
export { migrateAttachments } from './attachments-migration.js';
export type { AttachmentMove } from './attachments-migration.js';
