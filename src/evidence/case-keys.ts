/**
 * @module evidence/case-keys
 * One content key per case (32 random bytes), wrapped with AES-256-GCM by the node's active
 * content-wrapping key from the key store, bound by associated data to the case and the
 * wrapping key. A retired wrapping key still unwraps (the key store allows `decrypt` on retired
 * keys). Retention destroys the wrapped key as well as the blobs (crypto-shredding: a backup of
 * the blob store alone no longer opens).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { NODE_OWNER, type KeyStore } from '../keys/index.js';
import { EvidenceError } from './errors.js';

function aad(caseId: string, wrappingKeyId: string): Buffer {
  return Buffer.from(`evidence_case_keys:${caseId}:${wrappingKeyId}`, 'utf8');
}

export function wrapCaseKey(wrappingKey: Buffer, caseId: string, wrappingKeyId: string, caseKey: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv);
  cipher.setAAD(aad(caseId, wrappingKeyId));
  return Buffer.concat([iv, cipher.update(caseKey), cipher.final(), cipher.getAuthTag()]).toString('base64url');
}

export function unwrapCaseKey(wrappingKey: Buffer, caseId: string, wrappingKeyId: string, wrapped: string): Buffer {
  const raw = Buffer.from(wrapped, 'base64url');
  if (raw.length !== 12 + 32 + 16) throw new EvidenceError('integrity', `the content key of case ${caseId} is malformed`);
  const decipher = createDecipheriv('aes-256-gcm', wrappingKey, raw.subarray(0, 12));
  decipher.setAAD(aad(caseId, wrappingKeyId));
  decipher.setAuthTag(raw.subarray(44));
  try {
    return Buffer.concat([decipher.update(raw.subarray(12, 44)), decipher.final()]);
  } catch {
    throw new EvidenceError('integrity', `the content key of case ${caseId} does not unwrap: altered, or wrapped by another key`);
  }
}

/** The content key of a case, created (and wrapped) on first use. Runs outside any transaction. */
export async function caseKey(db: Kysely<Database>, keys: KeyStore, caseId: string, now: Date): Promise<Buffer> {
  const row = await db.selectFrom('evidence_case_keys').selectAll().where('case_id', '=', caseId).executeTakeFirst();
  if (row !== undefined) {
    if (row.wrapped === null) throw new EvidenceError('gone', `the evidence of case ${caseId} was deleted under retention on ${row.destroyed_at ?? '?'}`);
    const wrapping = await keys.secretKey(row.wrapping_key_id, 'decrypt');
    try {
      return unwrapCaseKey(wrapping, caseId, row.wrapping_key_id, row.wrapped);
    } finally {
      wrapping.fill(0);
    }
  }
  const info = await keys.ensure(NODE_OWNER, 'content-wrapping', 'AES-256', now);
  const wrapping = await keys.secretKey(info.id, 'decrypt');
  const fresh = randomBytes(32);
  try {
    const wrapped = wrapCaseKey(wrapping, caseId, info.id, fresh);
    const inserted = await db
      .insertInto('evidence_case_keys')
      .values({ case_id: caseId, wrapping_key_id: info.id, wrapped, created_at: now.toISOString(), destroyed_at: null })
      .onConflict((oc) => oc.column('case_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return fresh;
  } finally {
    wrapping.fill(0);
  }
  // Another process created it first: use theirs.
  return caseKey(db, keys, caseId, now);
}
