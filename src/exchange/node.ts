/**
 * @module exchange/node
 * Use cases of a node's operator: set the node's identity and create its keys, export its signed
 * agreement, rotate a key. The CLI and the server call these.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { NODE_OWNER, type KeyInfo, type KeyStore } from '../keys/index.js';
import { exportAgreement, type AgreementAuthority, type AgreementProvider, type SignedAgreement } from './agreement.js';
import { ExchangeError } from './errors.js';
import { ALL_FLOWS, requireNodeIdentity, saveNodeIdentity, type NodeIdentity } from './identity.js';
import { ensureNodeKeys } from './jwks.js';
import { logOriginOf } from '../ledger/service.js';

/** Sets this node's identity and makes sure every key it needs exists. */
export async function initNode(db: Kysely<Database>, keys: KeyStore, input: { nodeId: string; endpoint: string; hosted: readonly string[] }, now: Date): Promise<NodeIdentity> {
  const identity = await saveNodeIdentity(db, { ...input, flows: ALL_FLOWS }, now);
  await ensureNodeKeys(keys, identity.hosted, now);
  return identity;
}

/**
 * This node's signed agreement, for its peers to import, with its log's origin (by default that of
 * this database's log, `logOriginOf`; null: no log section) and witness key.
 */
export async function exportNode(db: Kysely<Database>, keys: KeyStore, now: Date, logOrigin?: string | null): Promise<SignedAgreement> {
  const identity = await requireNodeIdentity(db);
  await ensureNodeKeys(keys, identity.hosted, now);
  const rows = await db.selectFrom('authorities').select(['id', 'kind', 'name', 'party', 'time_zone', 'issuing_kind']).where('id', 'in', [...identity.hosted]).execute();
  const authorities: AgreementAuthority[] = rows.map((row) => ({ id: row.id, kind: row.kind as AgreementAuthority['kind'], name: row.name, party: row.party, timeZone: row.time_zone, ...(row.issuing_kind === null ? {} : { issuingKind: row.issuing_kind as NonNullable<AgreementAuthority['issuingKind']> }) }));
  // The providers whose designated establishment or legal representative this node hosts.
  const providerRows = await db.selectFrom('service_providers').select(['id', 'name', 'established_in', 'representative_authority_id', 'representative_kind']).where('representative_authority_id', 'in', [...identity.hosted]).execute();
  const providers: AgreementProvider[] = providerRows.map((row) => ({ id: row.id, name: row.name, establishedIn: row.established_in, representative: row.representative_authority_id, representativeKind: row.representative_kind as AgreementProvider['representativeKind'] }));
  const origin = logOrigin === undefined ? await logOriginOf(db, process.env) : logOrigin;
  return exportAgreement(keys, identity, authorities, now, origin ?? undefined, providers);
}

/**
 * Rotates one key: `node-encryption`, `node-signing` (the node's own key) or an authority id
 * (its signing key). The old key stays published with its window closed, so messages it signed
 * still verify; peers need the new agreement (`comity node export` again).
 */
export async function rotateNodeKey(db: Kysely<Database>, keys: KeyStore, which: string, now: Date): Promise<{ active: KeyInfo; retired: KeyInfo | null }> {
  const identity = await requireNodeIdentity(db);
  if (which === 'node-encryption') return keys.rotate(NODE_OWNER, 'node-encryption', 'X25519', now);
  if (which === 'node-signing') return keys.rotate(NODE_OWNER, 'log', 'Ed25519', now);
  if (identity.hosted.includes(which)) return keys.rotate(which, 'authority-signing', 'Ed25519', now);
  throw new ExchangeError('invalid-node', `cannot rotate ${JSON.stringify(which)}: use node-encryption, node-signing or a hosted authority (${identity.hosted.join(', ')})`);
}
