/**
 * @module evidence/custody
 * The chain of custody in the database: every event is a signed line (see `custody-line.ts`)
 * appended in the same transaction as the change it records. Signing keys come from the key
 * store (purpose `authority-signing`, Ed25519, one per authority; the node's own for retention)
 * and are fetched before the transaction opens.
 *
 * Ledger: each line is one leaf of the node's transparency log (see `custody-proof.ts`):
 * {@link appendCustody} appends it in the same transaction and stores its index in
 * `ledger_index`. Lines written before the log existed are logged by {@link logCustodyLines}
 * (at their first export).
 */
import type { KeyObject } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { writeAudit } from '../cases/audit.js';
import { sqlFamily } from '../db/dialects/family.js';
import { uuidv7 } from '../db/ids.js';
import { NODE_OWNER, type KeyStore } from '../keys/index.js';
import { appendLeaf, findEntry } from '../ledger/store.js';
import { custodyLeafId, custodyRecord } from './custody-proof.js';
import { custodyLine, GENESIS_PREV, lineHash, signLine, CUSTODY_LINE_TYPE, type CustodyEvent, type CustodyStatement } from './custody-line.js';

export interface Signer {
  keyId: string;
  privateKey: KeyObject;
}

/** The acting authority's signing key (the node's for a system actor), created on first use. */
export async function signerFor(keys: KeyStore, authorityId: string | null, now: Date): Promise<Signer> {
  const info = await keys.ensure(authorityId ?? NODE_OWNER, 'authority-signing', 'Ed25519', now);
  return { keyId: info.id, privateKey: await keys.privateKey(info.id, 'sign') };
}

export interface CustodyInput {
  id: string;
  caseId: string;
  event: CustodyEvent;
  at: string;
  actor: string;
  authorityId: string | null;
  item: { id: string; sha256: string; size: number } | null;
  details?: CustodyStatement['details'];
  /** When the event is recorded, if not `at` (a production dated by the producer is recorded at receipt). */
  recordedAt?: string;
}

/**
 * Appends one signed event to the case's chain, inside `trx`, with an audit event naming the
 * line's SHA-256: the audit trail is what the transparency log (issue 11) sequences, so every
 * custody line is covered by the log's inclusion proofs through it.
 */
export async function appendCustody(trx: Transaction<Database>, signer: Signer, input: CustodyInput): Promise<CustodyStatement> {
  // One writer per case's chain at a time: on PostgreSQL concurrent events (two downloads) would
  // both read the same last line; the case row lock orders them. SQLite has one writer anyway.
  if (sqlFamily(trx as unknown as Kysely<unknown>) === 'postgres') await trx.selectFrom('cases').select('id').where('id', '=', input.caseId).forUpdate().execute();
  const last = await trx.selectFrom('evidence_custody').select(['seq', 'line']).where('case_id', '=', input.caseId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const statement: CustodyStatement = {
    type: CUSTODY_LINE_TYPE,
    case: input.caseId,
    seq: last === undefined ? 1 : Number(last.seq) + 1,
    prev: last === undefined ? GENESIS_PREV : lineHash(last.line),
    event: input.event,
    at: input.at,
    actor: input.actor,
    authority: input.authorityId,
    key: signer.keyId,
    item: input.item,
    details: input.details ?? {},
  };
  const line = custodyLine(statement);
  const ledgerIndex = await appendLeaf(trx, custodyRecord(statement, line));
  await trx
    .insertInto('evidence_custody')
    .values({
      id: input.id,
      case_id: input.caseId,
      seq: statement.seq,
      item_id: input.item?.id ?? null,
      event: input.event,
      actor: input.actor,
      authority_id: input.authorityId,
      at: input.at,
      line,
      signature: signLine(line, signer.privateKey),
      key_id: signer.keyId,
      ledger_index: ledgerIndex,
    })
    .execute();
  await writeAudit(trx, {
    id: uuidv7(Date.now()),
    actor: input.actor,
    action: `custody.${input.event}`,
    objectType: 'case',
    objectId: input.caseId,
    at: input.recordedAt ?? input.at,
    before: null,
    after: null,
    details: { seq: statement.seq, lineSha256: lineHash(line), itemId: input.item?.id ?? null, keyId: signer.keyId },
  });
  return statement;
}

/**
 * Logs the custody lines of `caseId` that have no log entry yet (written before the node had a
 * transparency log), in chain order, each once: an entry already in the log is only linked.
 */
export async function logCustodyLines(trx: Transaction<Database>, caseId: string): Promise<number> {
  const rows = await trx.selectFrom('evidence_custody').select(['id', 'seq', 'line']).where('case_id', '=', caseId).where('ledger_index', 'is', null).orderBy('seq').execute();
  for (const row of rows) {
    const seq = Number(row.seq);
    const found = await findEntry(trx, custodyLeafId(caseId, seq));
    const index = found?.index ?? (await appendLeaf(trx, custodyRecord({ case: caseId, seq }, row.line)));
    await trx.updateTable('evidence_custody').set({ ledger_index: index }).where('id', '=', row.id).execute();
  }
  return rows.length;
}

export interface CustodyRecord {
  seq: number;
  event: CustodyEvent;
  at: string;
  actor: string;
  /** The actor's display name when known (a user), else the actor id. */
  actorName: string;
  authorityId: string | null;
  authorityName: string | null;
  itemId: string | null;
  line: string;
  signature: string;
  keyId: string;
}

/** The chain of a case, oldest first, with names for people and authorities. */
export async function listCustody(db: Kysely<Database>, caseId: string): Promise<CustodyRecord[]> {
  const rows = await db.selectFrom('evidence_custody').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
  const userIds = [...new Set(rows.map((r) => /^user:(.+)$/.exec(r.actor)?.[1]).filter((v): v is string => v !== undefined))];
  const authorityIds = [...new Set(rows.map((r) => r.authority_id).filter((v): v is string => v !== null))];
  const users = userIds.length === 0 ? [] : await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', userIds).execute();
  const authorities = authorityIds.length === 0 ? [] : await db.selectFrom('authorities').select(['id', 'name']).where('id', 'in', authorityIds).execute();
  const userName = new Map(users.map((u) => [`user:${u.id}`, u.display_name]));
  const authorityName = new Map(authorities.map((a) => [a.id, a.name]));
  return rows.map((r) => ({
    seq: Number(r.seq),
    event: r.event as CustodyEvent,
    at: r.at,
    actor: r.actor,
    actorName: userName.get(r.actor) ?? (r.actor === 'system' ? 'Comity node (system)' : r.actor),
    authorityId: r.authority_id,
    authorityName: r.authority_id === null ? null : (authorityName.get(r.authority_id) ?? r.authority_id),
    itemId: r.item_id,
    line: r.line,
    signature: r.signature,
    keyId: r.key_id,
  }));
}
