/**
 * @module exchange/witnessing
 * Witnessing between federation nodes (issue 12): what the ledger's witness protocol
 * (`ledger/witness.ts`) needs from the trust list. A node witnesses only the logs of its peers —
 * the origin and log keys of each imported agreement — and asks only its peers, with the
 * witness key of their agreements, to cosign its own checkpoints. After each checkpoint it also
 * compares the views its peers hold with its own, so that a log showing two peers different
 * trees is caught (README "Witnessing").
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { NODE_OWNER, type KeyStore } from '../keys/index.js';
import { parseVerifierKey } from '../ledger/note.js';
import type { Ledger } from '../ledger/service.js';
import { addCheckpoint, compareWitnessViews, submitToWitnesses, witnessedCheckpoint, witnessName, type SubmitResult, type ViewComparison, type WitnessAnswer, type WitnessedLog, type WitnessKey, type WitnessPeer } from '../ledger/witness.js';
import { peerLogVerifiers, type SignedAgreement } from './agreement.js';

interface PeerRow {
  node_id: string;
  endpoint: string;
  agreement: string;
}

async function peerRows(db: Kysely<Database>): Promise<PeerRow[]> {
  return db.selectFrom('exchange_peers').select(['node_id', 'endpoint', 'agreement']).orderBy('node_id').execute();
}

/** The logs this node witnesses: every peer whose agreement names its log. */
export async function witnessedLogs(db: Kysely<Database>): Promise<WitnessedLog[]> {
  const out: WitnessedLog[] = [];
  for (const row of await peerRows(db)) {
    const { agreement } = JSON.parse(row.agreement) as SignedAgreement;
    if (agreement.ledger === undefined) continue;
    out.push({ origin: agreement.ledger.origin, nodeId: agreement.node.id, verifiers: peerLogVerifiers(agreement) });
  }
  return out;
}

/** The peers as witnesses (their cosigner keys), with where to reach them. */
export async function witnessPeers(db: Kysely<Database>): Promise<WitnessPeer[]> {
  return (await peerRows(db)).map((row) => {
    const { agreement } = JSON.parse(row.agreement) as SignedAgreement;
    return { nodeId: row.node_id, endpoint: row.endpoint, witness: agreement.ledger === undefined ? undefined : parseVerifierKey(agreement.ledger.witness) };
  });
}

/** This node's cosigner key (created on first use, sealed at rest by the key store). */
export async function witnessKey(keys: KeyStore, nodeId: string, now: Date): Promise<WitnessKey> {
  const key = await keys.ensure(NODE_OWNER, 'witness', 'Ed25519', now);
  return { name: witnessName(nodeId), privateKey: await keys.privateKey(key.id, 'sign'), publicKey: await keys.publicKey(key.id) };
}

export interface Witnessing {
  /** POST add-checkpoint (tlog-witness) from a peer. */
  addCheckpoint(body: Uint8Array): Promise<WitnessAnswer>;
  /** GET <origin hash>/checkpoint: the latest checkpoint cosigned for that log, or undefined. */
  view(originHash: string): Promise<string | undefined>;
  /** After a checkpoint: submit it to the peers and compare views; `signal` aborts the requests (the node stops). */
  afterPublish(signal?: AbortSignal): Promise<{ submitted: SubmitResult[]; compared: ViewComparison }>;
}

export function createWitnessing(db: Kysely<Database>, keys: KeyStore, nodeId: string, ledger: Ledger, options: { now: () => Date; newId: () => string; fetch?: typeof fetch }): Witnessing {
  let key: Promise<WitnessKey> | null = null;
  const getKey = (): Promise<WitnessKey> => {
    key ??= witnessKey(keys, nodeId, options.now()).catch((error: unknown) => {
      key = null;
      throw error;
    });
    return key;
  };
  const io = { now: options.now, newId: options.newId, ...(options.fetch ? { fetch: options.fetch } : {}) };
  return {
    async addCheckpoint(body) {
      const logs = await witnessedLogs(db);
      return addCheckpoint(db, body, (origin) => logs.find((l) => l.origin === origin), await getKey(), options.now(), options.newId);
    },
    view: (originHash) => witnessedCheckpoint(db, originHash),
    async afterPublish(signal) {
      const latest = await ledger.latest();
      const peers = await witnessPeers(db);
      const call = signal === undefined ? io : { ...io, signal };
      const submitted = latest === undefined ? [] : await submitToWitnesses(db, { origin: ledger.origin, size: latest.size, note: latest.note }, peers, call);
      const identity = await ledger.identity();
      const compared = await compareWitnessViews(db, { own: { origin: ledger.origin, verifiers: [identity.verifier] }, logs: await witnessedLogs(db), peers }, call);
      return { submitted, compared };
    },
  };
}
