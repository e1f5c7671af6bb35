/**
 * @module exchange/ledger-port
 * Where the exchange writes what must be tamper-evident: receipts sent and received, refusals.
 * The ledger (issue 11, `src/ledger`) implements it by appending a leaf inside the caller's
 * transaction; until it is wired in, {@link NO_LEDGER} records nothing. Entries hold digests and
 * identifiers only, never message content (exchange-evidence.md §4).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

export interface ExchangeLedgerEntry {
  readonly kind: 'receipt-issued' | 'receipt-received' | 'refusal';
  readonly messageId: string | null;
  readonly peer: string | null;
  /** SHA-256 (hex) of the receipt (or of the refused envelope). */
  readonly digest: string;
  readonly at: string;
}

export interface ExchangeLedger {
  /** Appends `entry` within `trx`, so it commits with the change it records. */
  append(trx: Kysely<Database>, entry: ExchangeLedgerEntry): Promise<void>;
}

export const NO_LEDGER: ExchangeLedger = Object.freeze({ append: async () => undefined });
