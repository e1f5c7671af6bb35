/**
 * @module exchange/identity
 * A node's identity as ETSI TS 103 120 names endpoints (§ EndpointID: CountryCode +
 * UniqueIdentifier): written `CC:unique-identifier`, e.g. `FR:justice.gouv.fr`. The country code is
 * ISO 3166-1 alpha-2 (or `EU`, or `XX` for an international organisation); the identifier is
 * unique within the country.
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { ExchangeError } from './errors.js';
import { MESSAGE_TYPES, type MessageType } from './message-types.js';

export const NODE_ID_PATTERN = /^([A-Z]{2}):([A-Za-z0-9][A-Za-z0-9._-]{0,126})$/;

export const nodeIdSchema = z.string().regex(NODE_ID_PATTERN, 'a node id "CC:unique-identifier" (ETSI TS 103 120 CountryCode + UniqueIdentifier), e.g. "FR:justice.gouv.fr"');

export function splitNodeId(nodeId: string): { countryCode: string; uniqueIdentifier: string } {
  const match = NODE_ID_PATTERN.exec(nodeId);
  if (match === null) throw new ExchangeError('invalid-node', `invalid node id ${JSON.stringify(nodeId)}: expected "CC:unique-identifier", e.g. "FR:justice.gouv.fr"`);
  return { countryCode: match[1] ?? '', uniqueIdentifier: match[2] ?? '' };
}

export const endpointSchema = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

/** Message types a node sends to its peers and accepts from them. */
export interface Flows {
  readonly send: readonly MessageType[];
  readonly receive: readonly MessageType[];
}

export const ALL_FLOWS: Flows = Object.freeze({ send: MESSAGE_TYPES, receive: MESSAGE_TYPES });

export interface NodeIdentity {
  readonly nodeId: string;
  readonly endpoint: string;
  readonly hosted: readonly string[];
  readonly flows: Flows;
}

/** This node's identity, or null before `comity node init`. */
export async function loadNodeIdentity(db: Kysely<Database>): Promise<NodeIdentity | null> {
  const row = await db.selectFrom('exchange_node').selectAll().where('id', '=', 'self').executeTakeFirst();
  if (row === undefined) return null;
  return Object.freeze({ nodeId: row.node_id, endpoint: row.endpoint, hosted: JSON.parse(row.hosted) as string[], flows: JSON.parse(row.flows) as Flows });
}

export async function requireNodeIdentity(db: Kysely<Database>): Promise<NodeIdentity> {
  const identity = await loadNodeIdentity(db);
  if (identity === null) throw new ExchangeError('node-not-initialised', 'this node has no identity yet: run `comity node init --id CC:identifier --endpoint URL --host AUTHORITY…`');
  return identity;
}

/**
 * Sets this node's identity (first time or again). Hosted authorities must exist locally.
 * @throws {ExchangeError} `invalid-node` naming the bad value.
 */
export async function saveNodeIdentity(db: Kysely<Database>, identity: NodeIdentity, now: Date): Promise<NodeIdentity> {
  splitNodeId(identity.nodeId);
  if (!endpointSchema.safeParse(identity.endpoint).success) throw new ExchangeError('invalid-node', `invalid endpoint ${JSON.stringify(identity.endpoint)}: expected an http(s) URL`);
  if (identity.hosted.length === 0) throw new ExchangeError('invalid-node', 'a node hosts at least one authority (--host)');
  const known = await db.selectFrom('authorities').select('id').where('id', 'in', [...identity.hosted]).execute();
  const missing = identity.hosted.filter((id) => !known.some((row) => row.id === id));
  if (missing.length > 0) throw new ExchangeError('invalid-node', `unknown hosted authority ${JSON.stringify(missing[0])}: create it first (comity authorities create)`);
  const at = now.toISOString();
  const values = { node_id: identity.nodeId, endpoint: identity.endpoint, hosted: JSON.stringify([...new Set(identity.hosted)].sort()), flows: JSON.stringify(identity.flows), updated_at: at };
  await db
    .insertInto('exchange_node')
    .values({ id: 'self', created_at: at, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
  return requireNodeIdentity(db);
}
