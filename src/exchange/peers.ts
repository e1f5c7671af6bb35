/**
 * @module exchange/peers
 * The trust list: nothing is trusted by default; a peer exists only once its signed agreement
 * was imported (`comity peers add FILE`). A newer agreement of the same node replaces the older
 * one (key rotation, new authorities); an older one is refused, so a replayed old file cannot
 * bring back a key the peer removed.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { agreementFingerprint, parseAgreement, type Agreement, type SignedAgreement } from './agreement.js';
import { ExchangeError } from './errors.js';

export interface PeerSummary {
  nodeId: string;
  endpoint: string;
  fingerprint: string;
  issuedAt: string;
  addedAt: string;
  authorities: { id: string; kind: string; name: string }[];
}

function summary(row: { node_id: string; endpoint: string; fingerprint: string; issued_at: string; added_at: string; agreement: string }): PeerSummary {
  const signed = JSON.parse(row.agreement) as SignedAgreement;
  return {
    nodeId: row.node_id,
    endpoint: row.endpoint,
    fingerprint: row.fingerprint,
    issuedAt: row.issued_at,
    addedAt: row.added_at,
    authorities: signed.agreement.authorities.map((a) => ({ id: a.id, kind: a.kind, name: a.name })),
  };
}

/**
 * Verifies and stores a peer agreement.
 * @throws {ExchangeError} naming the field of a bad file; `invalid-agreement` for this node's own file or an older agreement.
 */
export async function addPeer(db: Kysely<Database>, text: string, selfNodeId: string | null, now: Date): Promise<{ peer: PeerSummary; replaced: boolean }> {
  const signed = await parseAgreement(text, now);
  const agreement = signed.agreement;
  if (agreement.node.id === selfNodeId) throw new ExchangeError('invalid-agreement', `peer agreement: field agreement.node.id: ${agreement.node.id} is this node itself`);
  const fingerprint = await agreementFingerprint(signed);
  const stored = JSON.stringify(signed);
  const at = now.toISOString();
  const replaced = await db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('exchange_peers').select(['issued_at']).where('node_id', '=', agreement.node.id).executeTakeFirst();
    if (existing !== undefined) {
      if (Date.parse(existing.issued_at) >= Date.parse(agreement.issuedAt)) {
        throw new ExchangeError('invalid-agreement', `peer agreement: field agreement.issuedAt: ${agreement.issuedAt} is not newer than the agreement already trusted (${existing.issued_at})`);
      }
      await trx.updateTable('exchange_peers').set({ endpoint: agreement.node.endpoint, agreement: stored, fingerprint, issued_at: agreement.issuedAt, added_at: at }).where('node_id', '=', agreement.node.id).execute();
      return true;
    }
    await trx.insertInto('exchange_peers').values({ node_id: agreement.node.id, endpoint: agreement.node.endpoint, agreement: stored, fingerprint, issued_at: agreement.issuedAt, added_at: at }).execute();
    return false;
  });
  // The peer's authorities become known here (as addressees of requests); existing ones stay as they are.
  for (const authority of agreement.authorities) {
    await db
      .insertInto('authorities')
      .values({ id: authority.id, party: authority.party, kind: authority.kind, name: authority.name, time_zone: authority.timeZone, languages: JSON.stringify(['en']), contact: JSON.stringify({ node: agreement.node.id }), created_at: at })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
  // So do the providers it represents (a public directory entry, Directive (EU) 2023/1544): this
  // node's authorities can address orders to them. The representative's State is its party.
  for (const provider of agreement.providers ?? []) {
    const representative = agreement.authorities.find((a) => a.id === provider.representative);
    if (representative === undefined) continue;
    await db
      .insertInto('service_providers')
      .values({ id: provider.id, name: provider.name, established_in: provider.establishedIn, representative_authority_id: provider.representative, representative_kind: provider.representativeKind, representative_state: representative.party, created_at: at })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
  const row = await db.selectFrom('exchange_peers').selectAll().where('node_id', '=', agreement.node.id).executeTakeFirstOrThrow();
  return { peer: summary(row), replaced };
}

export async function listPeers(db: Kysely<Database>): Promise<PeerSummary[]> {
  const rows = await db.selectFrom('exchange_peers').selectAll().orderBy('node_id').execute();
  return rows.map(summary);
}

/** Stops trusting a peer: its messages are refused from now on (`unknown-sender`). */
export async function removePeer(db: Kysely<Database>, nodeId: string): Promise<void> {
  const result = await db.deleteFrom('exchange_peers').where('node_id', '=', nodeId).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new ExchangeError('unknown-peer', `no peer ${JSON.stringify(nodeId)} (see comity peers list)`);
}

/** The stored agreements of every peer (already verified when added). */
export async function peerAgreements(db: Kysely<Database>): Promise<Agreement[]> {
  const rows = await db.selectFrom('exchange_peers').select('agreement').execute();
  return rows.map((row) => (JSON.parse(row.agreement) as SignedAgreement).agreement);
}
