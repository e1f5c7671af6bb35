/**
 * Uploads a file as evidence through the resumable protocol of the API (tus-style): announce
 * the length and metadata, then send the bytes in 8 MiB slices, each at the offset the server
 * reports (after a lost answer the next slice starts where the server says). Progress after each
 * slice; an abort signal stops between or during slices and cancels the upload on the server.
 *
 * Resume after a reload: once the server has the upload, the page remembers it in localStorage
 * (upload id, case, file name, size and last-modified time — never content, never a secret),
 * and forgets it when the upload completes or is cancelled. The user then chooses the same file
 * again: it must have the announced name and size, and its first bytes (up to the server's
 * offset) must hash to the SHA-256 the server computed of the bytes it holds; otherwise the
 * resume is refused and nothing is sent.
 */
import { api } from '../api';
import type { EvidenceItemView } from '../types';
import { sha256OfPrefix } from './sha256';

export const SLICE_BYTES = 8 * 1024 * 1024;

export interface EvidenceUploadInput {
  name: string;
  dataCategory: string;
  producer: string;
  description?: string;
}

/** An upload begun on this browser and not finished (what localStorage holds). */
export interface PendingUpload {
  uploadId: string;
  caseId: string;
  name: string;
  size: number;
  lastModified: number;
}

const KEY_PREFIX = 'comity.evidence.pending.';

/** Where the pending upload of a case is remembered (null when storage is unavailable). */
function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function readPending(caseId: string): PendingUpload | null {
  const raw = storage()?.getItem(KEY_PREFIX + caseId);
  if (!raw) return null;
  try {
    const p = JSON.parse(raw) as Partial<PendingUpload>;
    if (typeof p.uploadId === 'string' && p.caseId === caseId && typeof p.name === 'string' && typeof p.size === 'number' && typeof p.lastModified === 'number') return p as PendingUpload;
  } catch {
    // malformed: forgotten below
  }
  forgetPending(caseId);
  return null;
}

export function rememberPending(pending: PendingUpload): void {
  try {
    storage()?.setItem(KEY_PREFIX + pending.caseId, JSON.stringify(pending));
  } catch {
    // storage full or refused: the upload goes on, it just cannot be resumed after a reload
  }
}

export function forgetPending(caseId: string): void {
  storage()?.removeItem(KEY_PREFIX + caseId);
}

/** Why a chosen file cannot continue a pending upload. */
export class ResumeMismatch extends Error {
  constructor(
    readonly reason: 'name' | 'size' | 'content',
    message: string,
  ) {
    super(message);
    this.name = 'ResumeMismatch';
  }
}

async function sendFrom(caseId: string, uploadId: string, file: Blob, start: number, onProgress: (sent: number, total: number) => void, signal: AbortSignal): Promise<EvidenceItemView> {
  let offset = start;
  onProgress(offset, file.size);
  for (;;) {
    signal.throwIfAborted();
    const slice = file.slice(offset, Math.min(file.size, offset + SLICE_BYTES));
    const answer = await api.evidence.append(caseId, uploadId, offset, slice, signal);
    offset = answer.offset;
    onProgress(offset, file.size);
    if (answer.item) return answer.item;
  }
}

async function finishing(caseId: string, uploadId: string, signal: AbortSignal, work: () => Promise<EvidenceItemView>): Promise<EvidenceItemView> {
  try {
    const item = await work();
    forgetPending(caseId);
    return item;
  } catch (error) {
    if (signal.aborted) {
      await api.evidence.cancel(caseId, uploadId).catch(() => undefined);
      forgetPending(caseId);
    }
    throw error;
  }
}

export async function uploadEvidence(caseId: string, file: File, input: EvidenceUploadInput, onProgress: (sent: number, total: number) => void, signal: AbortSignal): Promise<EvidenceItemView> {
  const begun = await api.evidence.begin(caseId, { ...input, length: file.size });
  rememberPending({ uploadId: begun.id, caseId, name: file.name, size: file.size, lastModified: file.lastModified });
  return finishing(caseId, begun.id, signal, () => sendFrom(caseId, begun.id, file, 0, onProgress, signal));
}

/**
 * Continues a pending upload with `file`, chosen again by the user: refused (ResumeMismatch)
 * unless it has the same name and size and its first bytes are those the server holds.
 * `onChecking` reports the bytes hashed while the file is compared.
 */
export async function resumeEvidence(pending: PendingUpload, file: File, onProgress: (sent: number, total: number) => void, signal: AbortSignal, onChecking?: (hashed: number, total: number) => void): Promise<EvidenceItemView> {
  const { caseId, uploadId } = pending;
  if (file.name !== pending.name) throw new ResumeMismatch('name', pending.name);
  let status = await api.evidence.status(caseId, uploadId, signal);
  // Just after a reload the server may still be reading the request the reload cut: wait for it.
  for (let tries = 0; status.receivedSha256 === null && status.offset < status.length && tries < 10; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    signal.throwIfAborted();
    status = await api.evidence.status(caseId, uploadId, signal);
  }
  if (file.size !== status.length || file.size !== pending.size) throw new ResumeMismatch('size', String(status.length));
  return finishing(caseId, uploadId, signal, async () => {
    if (status.offset < status.length) {
      if (status.receivedSha256 === null) throw new ResumeMismatch('content', 'busy');
      const digest = await sha256OfPrefix(file, status.offset, (hashed) => onChecking?.(hashed, status.offset), signal);
      if (digest !== status.receivedSha256) throw new ResumeMismatch('content', String(status.offset));
    }
    return sendFrom(caseId, uploadId, file, status.offset, onProgress, signal);
  });
}
