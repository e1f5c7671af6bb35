/**
 * @module test/provider/nodes
 * An issuing node (France: a judge, a prosecutor, a police unit, with its own log) and a
 * provider's node (Ireland: the provider's designated establishment), each with its own database
 * and key store, trusting each other through their signed agreements — and the provider's inbox
 * with the gate in front of a recording handler (what reaches it is answerable).
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createSecretBox } from '../../src/auth/secrets.js';
import { uuidv7 } from '../../src/db/ids.js';
import type { Database, DatabaseHandle } from '../../src/db/index.js';
import { DEMO_AUTHORITIES } from '../../src/demo/data.js';
import { addPeer, exportNode, initNode, loadTrustList, requireNodeIdentity, type TrustList } from '../../src/exchange/index.js';
import { sealEnvelope } from '../../src/exchange/envelope.js';
import { receiveEnvelope, type InboxAnswer, type MessageHandler } from '../../src/exchange/inbox.js';
import type { ExchangeMessage } from '../../src/exchange/message.js';
import { createDbKeyStore, type KeyInfo, type KeyStore } from '../../src/keys/index.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { createLedger, memoryInProcess, type Ledger } from '../../src/ledger/index.js';
import { createProviderGate, createProviderRefusalHook } from '../../src/provider/gate.js';
import { logOrder, type OrderCore, type OrderFacts } from '../../src/provider/order.js';

export const FR_NODE = 'FR:justice.gouv.fr';
export const IE_NODE = 'IE:example-mail.ie';
export const FR_LOG = 'justice.gouv.fr/log';
const kb = loadKnowledgeBase();

const EXTRA = [
  { id: 'fr-tj-paris', party: 'FR', kind: 'prosecutor-or-judge', issuing: 'investigating-judge', name: 'France — Tribunal judiciaire de Paris, juge d’instruction' },
  { id: 'fr-ocl-police', party: 'FR', kind: 'police-unit', issuing: 'other-competent-authority', name: 'France — Office anti-cybercriminalité (police)' },
] as const;

export interface ProviderWorld {
  fr: { db: Kysely<Database>; keys: KeyStore; ledger: Ledger; trust(): Promise<TrustList> };
  ie: { db: Kysely<Database>; keys: KeyStore; trust(): Promise<TrustList> };
  /** Message ids that reached the handler behind the gate (answerable). */
  answerable: string[];
  receive(envelope: string): Promise<InboxAnswer>;
  /** The provider re-imports France's current agreement (after a key change). */
  reimportFr(logOrigin?: string): Promise<void>;
}

async function setUp(handle: DatabaseHandle, nodeId: string, hosted: readonly string[]): Promise<KeyStore> {
  await handle.migrate();
  const at = new Date().toISOString();
  for (const a of DEMO_AUTHORITIES) {
    await handle.db.insertInto('authorities').values({ id: a.id, party: a.party, kind: a.kind, name: a.name, time_zone: a.timeZone, languages: JSON.stringify(a.languages), contact: JSON.stringify(a.contact ?? {}), created_at: at }).execute();
  }
  for (const a of EXTRA) {
    await handle.db.insertInto('authorities').values({ id: a.id, party: a.party, kind: a.kind, issuing_kind: a.issuing, name: a.name, time_zone: 'Europe/Paris', languages: '["fr"]', contact: '{}', created_at: at }).onConflict((oc) => oc.column('id').doUpdateSet({ issuing_kind: a.issuing })).execute();
  }
  const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
  await initNode(handle.db, keys, { nodeId, endpoint: `http://127.0.0.1:1/${nodeId}`, hosted }, new Date());
  return keys;
}

export async function providerWorld(frHandle: DatabaseHandle, ieHandle: DatabaseHandle, options: { frLogOrigin?: string | null } = {}): Promise<ProviderWorld> {
  const frKeys = await setUp(frHandle, FR_NODE, ['fr-parquet-paris', 'fr-tj-paris', 'fr-ocl-police', 'fr-ca']);
  const ieKeys = await setUp(ieHandle, IE_NODE, ['ie-provider']);
  const frTrust = async () => loadTrustList(frHandle.db, frKeys, await requireNodeIdentity(frHandle.db));
  const ieTrust = async () => loadTrustList(ieHandle.db, ieKeys, await requireNodeIdentity(ieHandle.db));
  const origin = options.frLogOrigin === undefined ? FR_LOG : options.frLogOrigin;
  const exportFr = (at: Date) => exportNode(frHandle.db, frKeys, at, origin);
  await addPeer(ieHandle.db, JSON.stringify(await exportFr(new Date())), IE_NODE, new Date());
  await addPeer(frHandle.db, JSON.stringify(await exportNode(ieHandle.db, ieKeys, new Date(), 'example-mail.ie/log')), FR_NODE, new Date());
  const ledger = createLedger(frHandle.db, frKeys, { origin: FR_LOG, memory: memoryInProcess(), now: () => new Date(), newId: () => uuidv7(Date.now()) });
  const answerable: string[] = [];
  const recording: MessageHandler = { apply: async (_trx, opened) => void answerable.push(opened.message.id) };
  const gateDeps = { kb, trust: ieTrust };
  const identity = await requireNodeIdentity(ieHandle.db);
  return {
    fr: { db: frHandle.db, keys: frKeys, ledger, trust: frTrust },
    ie: { db: ieHandle.db, keys: ieKeys, trust: ieTrust },
    answerable,
    receive: (envelope) =>
      receiveEnvelope({ db: ieHandle.db, keys: ieKeys, identity, trust: ieTrust, handler: createProviderGate(recording, gateDeps), onRefusal: createProviderRefusalHook(gateDeps), now: () => new Date() }, envelope),
    async reimportFr(logOrigin: string | null = FR_LOG) {
      await new Promise((r) => setTimeout(r, 5));
      await addPeer(ieHandle.db, JSON.stringify(await exportNode(frHandle.db, frKeys, new Date(), logOrigin)), IE_NODE, new Date());
    },
  };
}

export interface OrderSpec {
  from: string;
  kind?: OrderFacts['kind'];
  category?: OrderFacts['category'];
  emergency?: boolean;
  validatedBy?: string | null;
  reviewers?: string[];
  instrument?: string;
  ref?: string;
  /** false: no proof; 'other': the proof of another order's entry; default: this order's proof. */
  log?: boolean | 'other';
  id?: string;
  issuedAt?: string;
}

/** Builds an order message; logs it on the French node unless told otherwise. */
export async function orderMessage(world: ProviderWorld, spec: OrderSpec): Promise<ExchangeMessage> {
  const now = new Date();
  const kind = spec.kind ?? 'EPOC';
  const instrument = spec.instrument ?? (kind === 'CETS224-ART7' ? 'CETS224' : 'EU-2023-1543');
  const core: OrderCore = {
    ref: spec.ref ?? `FR-${randomUUID()}`,
    kind,
    category: spec.category ?? 'subscriber-data',
    issuedAt: spec.issuedAt ?? now.toISOString(),
    issuingAuthority: spec.from,
    validatedBy: spec.validatedBy ?? null,
    provider: 'ie-provider',
    instrument,
    emergency: spec.emergency ?? false,
  };
  let logProof: string | null = null;
  if (spec.log === 'other') logProof = await logOrder(world.fr.db, world.fr.ledger, { ...core, ref: `FR-${randomUUID()}` });
  else if (spec.log !== false) logProof = await logOrder(world.fr.db, world.fr.ledger, core);
  const order: OrderFacts = { ref: core.ref, kind, category: core.category, issuedAt: core.issuedAt, issuingAuthority: spec.from, validatedBy: core.validatedBy, logProof };
  return {
    v: 1,
    id: spec.id ?? randomUUID(),
    from: { node: FR_NODE, authority: spec.from },
    to: { node: IE_NODE, authority: 'ie-provider' },
    inReplyTo: null,
    conversation: randomUUID(),
    type: 'request',
    instrument,
    action: 'send',
    time: now.toISOString(),
    emergency: core.emergency,
    body: { order },
  };
}

/** Seals `message` on the French node to the provider's node (with `reviewers`' second signatures). */
export async function seal(world: ProviderWorld, message: ExchangeMessage, reviewers: readonly string[] = [], keys: KeyStore = world.fr.keys): Promise<string> {
  const ie = (await world.fr.trust()).node(IE_NODE);
  if (ie === undefined) throw new Error('the French node does not trust the provider');
  return sealEnvelope(keys, message, ie, reviewers);
}

/** A key store that signs for `authority` with the given key (an attacker's, or a removed one). */
export function signingAs(keys: KeyStore, authority: string, key: { info: KeyInfo; privateKey: KeyObject }): KeyStore {
  const active: KeyStore['active'] = async (owner, purpose) => (owner === authority && purpose === 'authority-signing' ? key.info : keys.active(owner, purpose));
  const privateKey: KeyStore['privateKey'] = async (id, use) => (id === key.info.id ? key.privateKey : keys.privateKey(id, use));
  // The store is frozen: a proxy over an empty object that delegates everything else to it.
  return new Proxy({} as KeyStore, {
    get(_target, prop) {
      if (prop === 'active') return active;
      if (prop === 'privateKey') return privateKey;
      const value: unknown = Reflect.get(keys, prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(keys) : value;
    },
  });
}

/** An Ed25519 key the trust list has never seen. */
export function attackerKey(authority: string): { info: KeyInfo; privateKey: KeyObject } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const info = { id: `attacker-${randomUUID()}`, owner: authority, purpose: 'authority-signing', algorithm: 'Ed25519' } as unknown as KeyInfo;
  return { info, privateKey };
}
