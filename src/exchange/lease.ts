/**
 * @module exchange/lease
 * A lease on work that one process of a node does at a time (the relay; later the checkpoint
 * signer), on the shared database: a row with holder and expiry, taken by a conditional update
 * when free or expired, renewed by its holder. When the holder dies it stops renewing and another
 * process takes over after `ttlMs`. Works the same on SQLite and PostgreSQL, needs no dedicated
 * connection (a session advisory lock would). Two holders can overlap only if a paused holder
 * resumes after expiry; the inbox's exactly-once effect makes that harmless for the relay.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

/** Takes or renews the lease `name` for `holder`; true when `holder` holds it until now + ttl. */
export async function acquireLease(db: Kysely<Database>, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + ttlMs).toISOString();
  const updated = await db
    .updateTable('exchange_leases')
    .set({ holder, expires_at: until })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('holder', '=', holder), eb('expires_at', '<', at)]))
    .executeTakeFirst();
  if (updated.numUpdatedRows > 0n) return true;
  const inserted = await db.insertInto('exchange_leases').values({ name, holder, expires_at: until }).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
  return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Gives the lease up (on shutdown), so another process takes over at once. */
export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('exchange_leases').where('name', '=', name).where('holder', '=', holder).execute();
}
