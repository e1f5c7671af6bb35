/**
 * @module evidence/check
 * Checks a case's stored evidence against its signed chain of custody: every custody line
 * verifies with its key and links to the previous one; every item row agrees with its signed
 * `received` line (digest, size, name, media type, category, producer, time); with `deep`,
 * every blob decrypts (GCM, chunk by chunk) to its recorded digest; every line already
 * integrated into the transparency log is the leaf at its `ledger_index`. An altered row, line
 * or blob is reported, never trusted.
 */
import type { Readable } from 'node:stream';
import type { EvidenceContext } from './context.js';
import { GENESIS_PREV, lineHash, parseCustodyLine, verifyLineSignature, type CustodyStatement } from './custody-line.js';
import { blobPlaintext, requireCase } from './items.js';
import { custodyLeafId, custodyLeafText } from './custody-proof.js';
import { findEntry } from '../ledger/store.js';

export interface EvidenceProblem {
  where: string;
  problem: string;
}

async function drain(stream: Readable): Promise<void> {
  for await (const chunk of stream) void chunk;
}

export async function checkCaseEvidence(ev: EvidenceContext, caseId: string, options: { deep?: boolean } = {}): Promise<EvidenceProblem[]> {
  await requireCase(ev, caseId);
  const problems: EvidenceProblem[] = [];
  const custody = await ev.cases.db.selectFrom('evidence_custody').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
  const received = new Map<string, CustodyStatement>();
  let prev = GENESIS_PREV;
  const keys = new Map<string, Awaited<ReturnType<typeof ev.keys.get>>>();
  for (const [i, row] of custody.entries()) {
    const where = `custody ${row.seq}`;
    const s = parseCustodyLine(row.line);
    if (!keys.has(row.key_id)) keys.set(row.key_id, await ev.keys.get(row.key_id).catch(() => null));
    const key = keys.get(row.key_id);
    if (s === null) problems.push({ where, problem: 'not a canonical custody statement' });
    else {
      if (s.case !== caseId || s.seq !== i + 1 || s.prev !== prev || s.key !== row.key_id || s.event !== row.event || s.at !== row.at || s.actor !== row.actor || s.authority !== row.authority_id || (s.item?.id ?? null) !== row.item_id) {
        problems.push({ where, problem: 'the row and its signed line disagree, or the chain is broken' });
      }
      if (s.event === 'received' && s.item) received.set(s.item.id, s);
    }
    if (!key?.publicKeyDer || !verifyLineSignature(row.line, row.signature, key.publicKeyDer)) problems.push({ where, problem: `signature does not verify with key ${row.key_id}` });
    if (row.ledger_index !== null) {
      const leaf = await ev.cases.db.selectFrom('ledger_leaves').select('leaf').where('idx', '=', Number(row.ledger_index)).executeTakeFirst();
      if (leaf !== undefined && (s === null || leaf.leaf !== custodyLeafText(s, row.line))) problems.push({ where, problem: `the transparency log's entry ${row.ledger_index} is not this line` });
    }
    prev = lineHash(row.line);
  }
  // The chain proves its rows in order, not that none follow the last: lines removed from the end
  // (or all of them) leave the next line's entry in the transparency log without its row.
  const next = await findEntry(ev.cases.db, custodyLeafId(caseId, custody.length + 1));
  if (next !== undefined) problems.push({ where: `custody ${custody.length + 1}`, problem: `the transparency log holds this line (entry ${next.index}) but its row is missing: custody lines were removed from the end of the chain` });
  const items = await ev.cases.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).orderBy('received_at').orderBy('id').execute();
  for (const item of items) {
    const where = `item ${item.id}`;
    const s = received.get(item.id);
    if (!s?.item) {
      problems.push({ where, problem: 'no signed "received" event' });
      continue;
    }
    const d = s.details;
    const agrees =
      s.item.sha256 === item.sha256 &&
      s.item.size === Number(item.size) &&
      s.at === item.received_at &&
      s.actor === item.received_by &&
      d.mediaType === item.media_type &&
      d.dataCategory === item.data_category &&
      d.producer === item.producer &&
      (item.deleted_at !== null ? item.original_name === null : d.name === item.original_name) &&
      item.blob_key === `${caseId}/${item.sha256}`;
    if (!agrees) problems.push({ where, problem: 'the stored row differs from what was signed at receipt' });
    if (options.deep && item.deleted_at === null && agrees) {
      try {
        await drain(await blobPlaintext(ev, item));
      } catch (error) {
        problems.push({ where, problem: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return problems;
}
