/**
 * @module evidence/metadata
 * What is recorded about an evidence item besides its bytes, as given when the upload begins.
 * Data categories follow Regulation (EU) 2023/1543 Art. 3(9)–(12) (subscriber data, data
 * requested for the sole purpose of identifying the user, traffic data, content data).
 */
import { z } from 'zod';

export const DATA_CATEGORIES = ['subscriber', 'identification', 'traffic', 'content', 'other'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export const fileNameSchema = z
  .string()
  .min(1)
  .max(255)
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\u0000-\u001f\u007f/\\]/.test(v) && v.trim() === v && v !== '.' && v !== '..', 'a file name without path or control characters');

export const evidenceMetadataSchema = z.strictObject({
  /** Original file name as produced (no path). */
  name: fileNameSchema,
  /** Size in bytes of the whole file, announced before the upload (as tus `Upload-Length`). */
  length: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  dataCategory: z.enum(DATA_CATEGORIES),
  /** The producing authority or provider, as it names itself. */
  producer: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  /** When the producer extracted the data (ISO 8601 with offset). */
  producedAt: z.iso.datetime({ offset: true }).optional(),
});
export type EvidenceMetadata = z.output<typeof evidenceMetadataSchema>;

export interface EvidenceItemView {
  id: string;
  caseId: string;
  name: string | null;
  description: string | null;
  dataCategory: string;
  producer: string;
  mediaType: string;
  size: number;
  sha256: string;
  producedAt: string | null;
  receivedAt: string;
  receivedBy: string;
  deletedAt: string | null;
}
