/**
 * Uploads a file as evidence through the resumable protocol of the API (tus-style): announce
 * the length and metadata, then send the bytes in 8 MiB slices, each at the offset the server
 * reports (after a lost answer the next slice starts where the server says). Progress after each
 * slice; an abort signal stops between or during slices and cancels the upload on the server.
 */
import { api } from '../api';
import type { EvidenceItemView } from '../types';

export const SLICE_BYTES = 8 * 1024 * 1024;

export interface EvidenceUploadInput {
  name: string;
  dataCategory: string;
  producer: string;
  description?: string;
}

export async function uploadEvidence(caseId: string, file: Blob, input: EvidenceUploadInput, onProgress: (sent: number, total: number) => void, signal: AbortSignal): Promise<EvidenceItemView> {
  const begun = await api.evidence.begin(caseId, { ...input, length: file.size });
  try {
    let offset = 0;
    onProgress(0, file.size);
    for (;;) {
      signal.throwIfAborted();
      const slice = file.slice(offset, Math.min(file.size, offset + SLICE_BYTES));
      const answer = await api.evidence.append(caseId, begun.id, offset, slice, signal);
      offset = answer.offset;
      onProgress(offset, file.size);
      if (answer.item) return answer.item;
    }
  } catch (error) {
    if (signal.aborted) await api.evidence.cancel(caseId, begun.id).catch(() => undefined);
    throw error;
  }
}
