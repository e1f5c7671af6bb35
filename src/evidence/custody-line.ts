/**
 * @module evidence/custody-line
 * The signed statement of one custody event, pure (no I/O): used by the server to write the
 * chain and by the offline verifier to check it. A line is the RFC 8785 canonical JSON of a
 * {@link CustodyStatement}; each line names the SHA-256 of the previous line of the same case
 * (`prev`, 64 zeros for the first), so lines cannot be dropped, reordered or inserted without
 * breaking the chain; each is signed with Ed25519 by the acting authority's key. A line is the
 * unit that goes into the transparency log (one leaf per line).
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json.js';

export const CUSTODY_EVENTS = ['produced', 'received', 'transferred', 'accessed', 'exported', 'disclosed', 'deleted', 'transfer-closed'] as const;
export type CustodyEvent = (typeof CUSTODY_EVENTS)[number];

export const GENESIS_PREV = '0'.repeat(64);
export const CUSTODY_LINE_TYPE = 'comity.custody.v1';

export interface CustodyStatement {
  type: typeof CUSTODY_LINE_TYPE;
  case: string;
  seq: number;
  prev: string;
  event: CustodyEvent;
  at: string;
  actor: string;
  /** Acting authority, or null for the node itself (e.g. retention). */
  authority: string | null;
  /** Key that signs this line (the key store's id). */
  key: string;
  item: { id: string; sha256: string; size: number } | null;
  details: Record<string, string | number | boolean | null | string[]>;
}

export function custodyLine(statement: CustodyStatement): string {
  return canonicalJson(statement);
}

export function lineHash(line: string): string {
  return createHash('sha256').update(line, 'utf8').digest('hex');
}

export function signLine(line: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(line, 'utf8'), privateKey).toString('base64');
}

export function verifyLineSignature(line: string, signatureBase64: string, publicKeySpkiDer: Buffer): boolean {
  try {
    // Canonical base64 only: one text per signature, so that no stored byte is "don't care".
    const signature = Buffer.from(signatureBase64, 'base64');
    if (signature.length !== 64 || signature.toString('base64') !== signatureBase64) return false;
    const key = createPublicKey({ key: publicKeySpkiDer, format: 'der', type: 'spki' });
    return verify(null, Buffer.from(line, 'utf8'), key, signature);
  } catch {
    return false;
  }
}

/** Parses a line defensively; null when it is not a custody statement in canonical form. */
export function parseCustodyLine(line: string): CustodyStatement | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const s = value as Partial<CustodyStatement>;
  if (s.type !== CUSTODY_LINE_TYPE || typeof s.case !== 'string' || typeof s.seq !== 'number' || typeof s.prev !== 'string' || !/^[0-9a-f]{64}$/.test(s.prev)) return null;
  if (!CUSTODY_EVENTS.includes(s.event as CustodyEvent) || typeof s.at !== 'string' || typeof s.actor !== 'string' || typeof s.key !== 'string') return null;
  if (s.item !== null && (typeof s.item !== 'object' || typeof s.item?.sha256 !== 'string' || typeof s.item.size !== 'number' || typeof s.item.id !== 'string')) return null;
  // Only the canonical form is accepted: one byte sequence per statement.
  if (canonicalJson(value) !== line) return null;
  return value as CustodyStatement;
}
