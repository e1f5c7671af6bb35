/**
 * @module exchange/trust
 * What a node trusts at one moment: its peers' agreements and its own identity (for loopback
 * between authorities hosted on the same node), indexed for the envelope checks.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { KeyStore } from '../keys/index.js';
import type { Agreement, AgreementAuthority } from './agreement.js';
import type { Flows, NodeIdentity } from './identity.js';
import { nodeJwks, type PublishedJwk } from './jwks.js';
import { peerAgreements } from './peers.js';

export interface TrustedNode {
  readonly nodeId: string;
  readonly endpoint: string;
  readonly authorities: ReadonlyMap<string, Pick<AgreementAuthority, 'id' | 'kind' | 'party' | 'issuingKind'>>;
  /** The node's log key (C2SP vkey text), when its agreement publishes one. */
  readonly logKey?: string;
  readonly keys: ReadonlyMap<string, PublishedJwk>;
  readonly flows: Flows;
  readonly self: boolean;
}

export interface TrustList {
  readonly self: TrustedNode;
  node(nodeId: string): TrustedNode | undefined;
  /** The node hosting `authorityId` (this node or a peer). */
  nodeOfAuthority(authorityId: string): TrustedNode | undefined;
}

function fromAgreement(agreement: Agreement, self: boolean): TrustedNode {
  return {
    nodeId: agreement.node.id,
    endpoint: agreement.node.endpoint,
    authorities: new Map(agreement.authorities.map((a) => [a.id, { id: a.id, kind: a.kind, party: a.party, ...(a.issuingKind === undefined ? {} : { issuingKind: a.issuingKind }) }])),
    ...(agreement.ledger === undefined ? {} : { logKey: agreement.ledger.log }),
    keys: new Map(agreement.jwks.keys.map((k) => [k.kid, k])),
    flows: agreement.flows,
    self,
  };
}

export function buildTrustList(self: TrustedNode, peers: readonly Agreement[]): TrustList {
  const nodes = new Map<string, TrustedNode>(peers.map((agreement) => [agreement.node.id, fromAgreement(agreement, false)]));
  nodes.set(self.nodeId, self);
  const byAuthority = new Map<string, TrustedNode>();
  for (const node of nodes.values()) for (const id of node.authorities.keys()) if (!byAuthority.has(id) || node.self) byAuthority.set(id, node);
  return { self, node: (id) => nodes.get(id), nodeOfAuthority: (id) => byAuthority.get(id) };
}

/** The trust list from the database: this node (from its key store) and its peers. */
export async function loadTrustList(db: Kysely<Database>, keys: KeyStore, identity: NodeIdentity): Promise<TrustList> {
  const authorities = await db.selectFrom('authorities').select(['id', 'kind', 'party']).where('id', 'in', identity.hosted.length > 0 ? [...identity.hosted] : ['']).execute();
  const jwks = await nodeJwks(keys, identity.hosted);
  const self: TrustedNode = {
    nodeId: identity.nodeId,
    endpoint: identity.endpoint,
    authorities: new Map(authorities.map((a) => [a.id, { id: a.id, kind: a.kind as AgreementAuthority['kind'], party: a.party }])),
    keys: new Map(jwks.keys.map((k) => [k.kid, k])),
    flows: identity.flows,
    self: true,
  };
  return buildTrustList(self, await peerAgreements(db));
}

/**
 * The authority of this node that co-signs an emergency message of `from` (the second signature of
 * exchange-evidence.md §3(4)): another hosted prosecutor, judge or central authority; none if this
 * node hosts no such other authority.
 */
export function emergencyCoSigners(trust: TrustList, from: string): string[] {
  return [...trust.self.authorities.values()].filter((a) => a.id !== from && (a.kind === 'prosecutor-or-judge' || a.kind === 'central-authority')).slice(0, 1).map((a) => a.id);
}
