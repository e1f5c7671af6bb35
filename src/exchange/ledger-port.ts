/**
 * @module exchange/ledger-port
 * Where the exchange writes what must be tamper-evident: receipts sent and received, refusals.
 * {@link LOG_LEDGER} appends a leaf to the node's transparency log (issue 11, `src/ledger`)
 * inside the caller's transaction, so the receipt or refusal and its leaf commit together;
 * {@link NO_LEDGER} records nothing (unit tests of the transport). Entries hold digests and
 * identifiers only, never message content (exchange-evidence.md §4).
 *
 * On PostgreSQL the leaf takes the log's head row lock until commit: callers append last in their
 * transaction (after the inbox/outbox change), as for audit rows.
 */
import type { Kysely } from 'kysely';
import { uuidv7 } from '../db/ids.js';
import type { Database } from '../db/index.js';
import { appendLeaf } from '../ledger/store.js';

export interface ExchangeLedgerEntry {
  readonly kind: 'receipt-issued' | 'receipt-received' | 'refusal';
  readonly messageId: string | null;
  readonly peer: string | null;
  /** What the receipt says (accepted, rejected by the workflow) or `refused` (the envelope itself was refused). */
  readonly outcome?: 'accepted' | 'rejected' | 'refused';
  /** SHA-256 (hex) of the receipt (or of the refused envelope). */
  readonly digest: string;
  readonly at: string;
}

export interface ExchangeLedger {
  /** Appends `entry` within `trx`, so it commits with the change it records. */
  append(trx: Kysely<Database>, entry: ExchangeLedgerEntry): Promise<void>;
}

export const NO_LEDGER: ExchangeLedger = Object.freeze({ append: async () => undefined });

/**
 * The leaf of an exchange entry (c2sp leaf text is RFC 8785 JSON, see ledger/leaf):
 * `{"at","digest","id","kind","log":"exchange","message_id","outcome","peer","v":1}`. `digest` is the
 * SHA-256 of the signed receipt (the same bytes on both nodes: the receiver's
 * `receipt-issued` and the sender's `receipt-received` leaves carry the same digest) or, for a
 * refusal, of the refused envelope.
 */
export function exchangeLeafRecord(entry: ExchangeLedgerEntry, id: string): Record<string, unknown> {
  return { log: 'exchange', id, kind: entry.kind, outcome: entry.outcome ?? (entry.kind === 'refusal' ? 'refused' : null), message_id: entry.messageId, peer: entry.peer, digest: entry.digest, at: entry.at };
}

/** Receipts and refusals as leaves of the node's transparency log. */
export const LOG_LEDGER: ExchangeLedger = Object.freeze({
  async append(trx: Kysely<Database>, entry: ExchangeLedgerEntry): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(entry.digest)) throw new TypeError('an exchange ledger entry carries a SHA-256 hex digest');
    await appendLeaf(trx, exchangeLeafRecord(entry, uuidv7(Date.parse(entry.at) || Date.now())));
  },
});
