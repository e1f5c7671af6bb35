/**
 * @module evidence/custody-proof
 * How a custody line is logged in the node's transparency log, pure (no I/O), shared by the
 * writer (`custody.ts`, `bundle.ts`) and the offline verifiers: one leaf per line, the record
 * `{"id":"custody/<case>/<seq>","line_sha256":…,"log":"custody","v":1}` (RFC 8785 canonical JSON,
 * see `ledger/leaf.ts` `recordLeafText`). The leaf holds no personal data — the line is committed
 * to by its SHA-256 — and a verifier recomputes it from the line alone.
 *
 * In a bundle, `proof/` holds for every custody line of the bundle a c2sp.org/tlog-proof@v1 file
 * `proof/custody-<seq, 8 digits>.tlog-proof`, the checkpoint they all verify against
 * (`proof/checkpoint`, a signed note) and the log's verifier key (`proof/log.vkey`).
 */
import { recordLeafText } from '../ledger/leaf.js';
import { lineHash } from './custody-line.js';

export const PROOF_DIR = 'proof/';
export const PROOF_CHECKPOINT = 'proof/checkpoint';
export const PROOF_VKEY = 'proof/log.vkey';

/** The log record of a custody line (before canonicalisation). */
export function custodyRecord(statement: { case: string; seq: number }, line: string): { log: 'custody'; id: string; line_sha256: string } {
  return { log: 'custody', id: custodyLeafId(statement.case, statement.seq), line_sha256: lineHash(line) };
}

/** The `source_id` of a custody line's log entry. */
export function custodyLeafId(caseId: string, seq: number): string {
  return `custody/${caseId}/${seq}`;
}

/** The leaf bytes' text of a custody line, as the log holds it. */
export function custodyLeafText(statement: { case: string; seq: number }, line: string): string {
  return recordLeafText(custodyRecord(statement, line));
}

export function proofPath(seq: number): string {
  return `${PROOF_DIR}custody-${String(seq).padStart(8, '0')}.tlog-proof`;
}

/**
 * The checkpoint note with only the log's own signature lines (`— <origin> …`): witnesses'
 * cosignatures may be added to a stored checkpoint later, and a bundle of the same case state
 * must not change with them.
 */
export function logSignedOnly(note: string, origin: string): string {
  const split = note.indexOf('\n\n');
  if (split < 0) return note;
  const text = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line.startsWith(`\u2014 ${origin} `));
  return `${text}\n${signatures.map((s) => `${s}\n`).join('')}`;
}
