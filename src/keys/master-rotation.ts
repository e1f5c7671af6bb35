/**
 * @module keys/master-rotation
 * Replacing the master key (a suspected leak, a custodian leaving, a scheduled change): every
 * value sealed under the old key is opened and sealed again under the new one, and the check
 * value rewritten, in one transaction — all or nothing. The node must be stopped meanwhile: a
 * running node keeps the old key in memory.
 *
 * The sealed columns are listed in {@link SEALED_COLUMNS}. A module that seals a new column must
 * add it there; as a safety net the rotation first looks through every table for values shaped
 * like sealed ones (`v1.<iv>.<ciphertext>.<tag>`) in a column it does not know, and refuses,
 * naming it, rather than leave a value no key opens.
 */
import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../auth/secrets.js';
import type { Database } from '../db/schema.js';
import { describeTables } from '../ops/logical-dump.js';
import { sealedKeyAad } from './key-store.js';

/** A column holding values sealed with the master key, and how each value's associated data is made. */
export interface SealedColumn {
  readonly table: string;
  readonly column: string;
  /** The column identifying the row (its primary key). */
  readonly key: string;
  /** Only rows whose key is one of these (for key/value tables). */
  readonly only?: readonly string[];
  aad(key: string): string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'users', column: 'totp_secret', key: 'id', aad: (id) => `users.totp_secret:${id}` },
  { table: 'node_keys', column: 'sealed_private', key: 'id', aad: sealedKeyAad },
  { table: 'schema_info', column: 'value', key: 'key', only: ['master_key_check'], aad: () => 'schema_info.master_key_check' },
  // A pending incoming transfer's content key (exchange/evidence-transfer.ts); '' once the transfer is finished.
  { table: 'exchange_transfers_in', column: 'content_key', key: 'transfer_id', aad: (id) => `exchange_transfers_in.content_key:${id}` },
];

/** A sealed value (`auth/secrets.ts`, version 1): 12-byte IV, 16-byte tag, base64url. */
const SEALED = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;

export class MasterRotationError extends Error {
  override readonly name = 'MasterRotationError';
}

/**
 * Re-seals every sealed value from `from` to `to`, in one transaction.
 * @returns how many values of each `table.column` were sealed again.
 * @throws {MasterRotationError} an unknown column holding sealed values, or a value `from` does not open.
 */
export async function rotateMasterKey(db: Kysely<Database>, from: SecretBox, to: SecretBox, columns: readonly SealedColumn[] = SEALED_COLUMNS): Promise<Record<string, number>> {
  return db.transaction().execute(async (trx) => {
    const untyped = trx as unknown as Kysely<unknown>;
    const known = new Set(columns.map((c) => `${c.table}.${c.column}`));
    for (const table of await describeTables(untyped)) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(untyped)).rows;
      for (const column of table.columns) {
        if (known.has(`${table.name}.${column}`)) continue;
        if (rows.some((row) => typeof row[column] === 'string' && SEALED.test(row[column] as string))) {
          throw new MasterRotationError(`${table.name}.${column} holds sealed values this version does not know how to re-seal: nothing was changed (add it to SEALED_COLUMNS)`);
        }
      }
    }
    const counts: Record<string, number> = {};
    for (const c of columns) {
      const rows = (await sql<{ k: string; v: string | null }>`select ${sql.ref(c.key)} as k, ${sql.ref(c.column)} as v from ${sql.table(c.table)}`.execute(untyped)).rows;
      let count = 0;
      for (const row of rows) {
        if (row.v === null || row.v === '' || (c.only !== undefined && !c.only.includes(row.k))) continue;
        let plain: Buffer;
        try {
          plain = from.open(row.v, c.aad(row.k));
        } catch {
          throw new MasterRotationError(`${c.table}.${c.column} of ${row.k} does not open with the current master key: nothing was changed`);
        }
        const resealed = to.seal(plain, c.aad(row.k));
        plain.fill(0);
        await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${resealed} where ${sql.ref(c.key)} = ${row.k}`.execute(untyped);
        count += 1;
      }
      counts[`${c.table}.${c.column}`] = count;
    }
    return counts;
  });
}
