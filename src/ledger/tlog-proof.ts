/**
 * @module ledger/tlog-proof
 * c2sp.org/tlog-proof@v1: an offline-verifiable proof that an entry is in the log — the index,
 * the inclusion proof (sibling first), and the signed checkpoint verbatim. Comity puts the
 * entry itself (the leaf's canonical JSON) in the `extra` line, so the file carries everything
 * a verifier needs besides the log's public key.
 */
import { openCheckpoint, type VerifiedCheckpoint } from './checkpoint.js';
import { LedgerError } from './errors.js';
import { HASH_SIZE, leafHash, verifyInclusion } from './merkle.js';
import type { NoteVerifier } from './note.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  extra: Buffer | null;
  index: number;
  proof: Buffer[];
  /** The signed checkpoint, verbatim. */
  checkpoint: string;
}

export function formatTlogProof(p: TlogProof): string {
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== null) lines.push(`extra ${p.extra.toString('base64')}`);
  lines.push(`index ${p.index}`);
  for (const hash of p.proof) lines.push(hash.toString('base64'));
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

export function parseTlogProof(text: string): TlogProof {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new LedgerError('malformed-proof', 'a tlog proof is a header, an index, hashes, a blank line and a checkpoint');
  const lines = text.slice(0, split).split('\n');
  const checkpoint = text.slice(split + 2);
  if (lines.shift() !== TLOG_PROOF_HEADER) throw new LedgerError('malformed-proof', `a tlog proof starts with ${TLOG_PROOF_HEADER}`);
  let extra: Buffer | null = null;
  if (lines[0]?.startsWith('extra ') === true) {
    const value = (lines.shift() as string).slice(6);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw new LedgerError('malformed-proof', 'extra is base64');
    extra = Buffer.from(value, 'base64');
  }
  const indexLine = lines.shift() ?? '';
  const index = /^index (0|[1-9][0-9]{0,15})$/.exec(indexLine);
  if (index === null || !Number.isSafeInteger(Number(index[1]))) throw new LedgerError('malformed-proof', 'invalid index line');
  const proof = lines.map((line) => {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(line)) throw new LedgerError('malformed-proof', 'a proof line is a base64 SHA-256 hash');
    return Buffer.from(line, 'base64');
  });
  return { extra, index: Number(index[1]), proof, checkpoint };
}

export interface VerifiedTlogProof {
  index: number;
  checkpoint: VerifiedCheckpoint;
  /** The logged entry (from `extra`). */
  entry: Buffer;
}

/**
 * Verifies a tlog proof offline (tlog-proof §Verifying): the checkpoint is signed by the log key
 * for `origin`, known witnesses' cosignatures verify, and the entry — `entry` if the caller
 * recomputed it, else the `extra` line — is included at the index in the checkpointed tree.
 */
export function verifyTlogProof(text: string, origin: string, logVerifier: NoteVerifier, options: { entry?: Uint8Array; witnesses?: readonly NoteVerifier[] } = {}): VerifiedTlogProof {
  const p = parseTlogProof(text);
  const checkpoint = openCheckpoint(p.checkpoint, origin, logVerifier, options.witnesses);
  const entry = options.entry === undefined ? p.extra : Buffer.from(options.entry);
  if (entry === null) throw new LedgerError('malformed-proof', 'the proof carries no entry and none was given');
  if (p.extra !== null && options.entry !== undefined && !p.extra.equals(entry)) throw new LedgerError('invalid-proof', 'the entry differs from the one in the proof');
  if (p.proof.some((h) => h.length !== HASH_SIZE) || !verifyInclusion(p.index, checkpoint.size, leafHash(entry), p.proof, checkpoint.root)) {
    throw new LedgerError('invalid-proof', `entry ${p.index} is not included in the checkpoint of size ${checkpoint.size}`);
  }
  return { index: p.index, checkpoint, entry };
}
