/**
 * @module exchange/node-start
 * Starting a server as a federation node: the identity comes from the database (`comity node
 * init`) or from `COMITY_NODE_ID` / `COMITY_NODE_ENDPOINT` / `COMITY_NODE_HOST` (set then at each
 * start); peers from `comity peers add` or `COMITY_PEER_FILES` (agreement files imported at
 * start when new). A server with neither runs as before, alone.
 */
import { readFileSync } from 'node:fs';
import type { CaseContext } from '../cases/index.js';
import type { KeyStore } from '../keys/index.js';
import { createCaseFederation, createCaseMessageHandler } from './case-bridge.js';
import { ExchangeError } from './errors.js';
import { loadNodeIdentity } from './identity.js';
import type { ExchangeLedger } from './ledger-port.js';
import { initNode } from './node.js';
import { addPeer } from './peers.js';
import { createExchangeRuntime, type ExchangeRuntime } from './runtime.js';

export const NODE_SETTINGS = [
  ['COMITY_NODE_ID', '(not a federation node)', 'node id "CC:identifier" (ETSI TS 103 120); with _ENDPOINT and _HOST makes this server a federation node'],
  ['COMITY_NODE_ENDPOINT', 'COMITY_PUBLIC_URL', 'URL peers deliver messages to'],
  ['COMITY_NODE_HOST', '(none)', 'comma-separated ids of the authorities this node hosts'],
  ['COMITY_PEER_FILES', '(none)', 'comma-separated peer agreement files imported at start (as comity peers add)'],
] as const;

/** Starts the exchange of this node, or returns null when it is not a federation node. */
export async function startNodeExchange(cases: CaseContext, keys: KeyStore, env: Readonly<Record<string, string | undefined>>, publicUrl: string, ledger?: ExchangeLedger): Promise<ExchangeRuntime | null> {
  const db = cases.db;
  const now = new Date();
  if (env.COMITY_NODE_ID) {
    const hosted = (env.COMITY_NODE_HOST ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    await initNode(db, keys, { nodeId: env.COMITY_NODE_ID, endpoint: env.COMITY_NODE_ENDPOINT || publicUrl, hosted }, now);
  }
  const identity = await loadNodeIdentity(db);
  if (identity === null) return null;
  for (const file of (env.COMITY_PEER_FILES ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      await addPeer(db, readFileSync(file, 'utf8'), identity.nodeId, now);
    } catch (error) {
      // An agreement already imported (not newer) is fine at a restart; any other problem stops the start.
      if (!(error instanceof ExchangeError && /is not newer/.test(error.message))) throw new ExchangeError('invalid-agreement', `COMITY_PEER_FILES ${file}: ${(error as Error).message}`);
    }
  }
  const runtime = createExchangeRuntime({ db, keys, identity, handler: createCaseMessageHandler(cases), ...(ledger ? { ledger } : {}) });
  cases.federation = createCaseFederation(runtime);
  return runtime;
}
