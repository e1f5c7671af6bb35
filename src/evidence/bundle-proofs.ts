/**
 * @module evidence/bundle-proofs
 * The `proof/` directory of a bundle: a c2sp.org/tlog-proof@v1 file for every custody line of
 * the bundle, all against one checkpoint, with the log's verifier key.
 *
 * Which checkpoint: the EARLIEST checkpoint the log signed that covers every custody line of the
 * bundle (signed on demand when none does yet), with only the log's own signature. Once signed
 * it never changes, so the same case state — the same items, custody lines and case documents —
 * gives the same proofs and the same bundle bytes, however much the log has grown since. (The
 * latest checkpoint would change with every entry the node logs, e.g. the export's own event.)
 * A verifier wanting a fresher checkpoint asks the log for a consistency proof from this one.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { openCheckpoint } from '../ledger/checkpoint.js';
import { verifierKeyText, parseVerifierKey } from '../ledger/note.js';
import { inclusionProofAt, leafAt } from '../ledger/store.js';
import { formatTlogProof } from '../ledger/tlog-proof.js';
import type { EvidenceContext } from './context.js';
import { logCustodyLines } from './custody.js';
import { custodyLeafText, logSignedOnly, PROOF_CHECKPOINT, PROOF_VKEY, proofPath } from './custody-proof.js';
import { parseCustodyLine } from './custody-line.js';
import { EvidenceError } from './errors.js';

export interface ProofLine {
  seq: number | string;
  line: string;
}

async function earliestCovering(db: Kysely<Database>, origin: string, size: number): Promise<{ note: string; size: number; key_id: string } | undefined> {
  return db.selectFrom('ledger_checkpoints').select(['note', 'size', 'key_id']).where('origin', '=', origin).where('size', '>=', size).orderBy('size', 'asc').limit(1).executeTakeFirst();
}

/** The proof files of `lines` (custody lines of `caseId`, chain order). */
export async function bundleProofs(ev: EvidenceContext, caseId: string, lines: readonly ProofLine[]): Promise<{ path: string; content: Buffer }[]> {
  const db = ev.cases.db;
  if (lines.length === 0) return [];
  const unlogged = await db.selectFrom('evidence_custody').select('id').where('case_id', '=', caseId).where('ledger_index', 'is', null).limit(1).executeTakeFirst();
  if (unlogged !== undefined) await ev.cases.transaction((trx) => logCustodyLines(trx, caseId));
  const seqs = lines.map((l) => Number(l.seq));
  const indexRows = await db.selectFrom('evidence_custody').select(['seq', 'ledger_index']).where('case_id', '=', caseId).where('seq', 'in', seqs).execute();
  const indexOf = new Map(indexRows.map((r) => [Number(r.seq), Number(r.ledger_index)]));
  const needed = Math.max(...seqs.map((s) => indexOf.get(s) ?? Number.NaN)) + 1;
  if (!Number.isSafeInteger(needed)) throw new EvidenceError('integrity', `custody lines of case ${caseId} are missing from the transparency log`);
  const origin = ev.ledger.origin;
  let checkpoint = await earliestCovering(db, origin, needed);
  if (checkpoint === undefined) {
    await ev.ledger.publish();
    checkpoint = await earliestCovering(db, origin, needed);
  }
  if (checkpoint === undefined) throw new EvidenceError('integrity', 'the transparency log has no checkpoint covering the custody lines');
  const size = Number(checkpoint.size);
  const vkey = verifierKeyText(origin, await ev.keys.publicKey(checkpoint.key_id));
  const note = logSignedOnly(checkpoint.note, origin);
  // What the bundle will claim is checked here first: the log signed it, and each leaf is the line's.
  openCheckpoint(note, origin, parseVerifierKey(vkey));
  const files: { path: string; content: Buffer }[] = [];
  for (const l of lines) {
    const seq = Number(l.seq);
    const statement = parseCustodyLine(l.line);
    const index = indexOf.get(seq) as number;
    const leaf = await leafAt(db, index);
    if (statement === null || leaf !== custodyLeafText(statement, l.line)) throw new EvidenceError('integrity', `custody line ${seq} of case ${caseId} differs from its log entry ${index}`);
    const proof = await inclusionProofAt(db, index, size);
    files.push({ path: proofPath(seq), content: Buffer.from(formatTlogProof({ extra: Buffer.from(leaf, 'utf8'), index, proof, checkpoint: note }), 'utf8') });
  }
  files.push({ path: PROOF_CHECKPOINT, content: Buffer.from(note, 'utf8') }, { path: PROOF_VKEY, content: Buffer.from(`${vkey}\n`, 'utf8') });
  return files;
}
