/**
 * @module exchange/node-start
 * Starting a server as a federation node: the identity comes from the database (`comity node
 * init`) or from `COMITY_NODE_ID` / `COMITY_NODE_ENDPOINT` / `COMITY_NODE_HOST` (set then at each
 * start); peers from `comity peers add` or `COMITY_PEER_FILES` (agreement files imported at
 * start when new). A server with neither runs as before, alone.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseContext } from '../cases/index.js';
import type { KeyStore } from '../keys/index.js';
import type { SecretBox } from '../auth/secrets.js';
import { createCaseFederation, createCaseMessageHandler } from './case-bridge.js';
import { createOrderFederation, createOrderMessageHandler, createOrderReceiptListener, routeOrderMessages } from './order-bridge.js';
import { ExchangeError } from './errors.js';
import { loadNodeIdentity } from './identity.js';
import { LOG_LEDGER, type ExchangeLedger } from './ledger-port.js';
import { exportNode, initNode } from './node.js';
import { createProviderGate, createProviderRefusalHook } from '../provider/gate.js';
import type { TrustList } from './trust.js';
import type { OrderLog } from './case-bridge.js';
import { addPeer } from './peers.js';
import { logOriginOf } from '../ledger/service.js';
import { createExchangeRuntime, type ExchangeRuntime } from './runtime.js';
import type { EvidenceContext } from '../evidence/context.js';
import { protectTransferKeys, startTransferCloser, transferReceivedNotice, transferSettings, type TransferSettings } from './evidence-transfer.js';
import { startTransferFetcher, type IncomingTransferRow, type TransferFetcher } from './transfer-fetcher.js';


/** Starts the exchange of this node, or returns null when it is not a federation node. */
export async function startNodeExchange(
  cases: CaseContext,
  keys: KeyStore,
  env: Readonly<Record<string, string | undefined>>,
  publicUrl: string,
  ledger?: ExchangeLedger,
  evidence?: { ev: EvidenceContext; dataDir: string; box: SecretBox },
  orderLog?: OrderLog,
): Promise<(ExchangeRuntime & { transfers?: TransferSettings }) | null> {
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
  // Receipts and refusals go into the node's transparency log unless the caller says otherwise.
  let fetcher: TransferFetcher | null = null;
  let closer: ReturnType<typeof startTransferCloser> | null = null;
  // The provider's gate (issue 14 part B): orders to a provider hosted here are verified first.
  let trustOf: () => Promise<TrustList> = () => Promise.reject(new Error('the exchange is starting'));
  const gateDeps = { kb: cases.kb, trust: () => trustOf() };
  const runtime = createExchangeRuntime({
    db,
    keys,
    identity,
    // Order messages (Reg. 2023/1543 between nodes) go to the order state machine, the rest to cases.
    handler: createProviderGate(routeOrderMessages(createOrderMessageHandler(cases), createCaseMessageHandler(cases, { onTransfers: () => fetcher?.wake(), onTransfersConfirmed: () => closer?.wake(), ...(evidence ? { box: evidence.box } : {}) })), gateDeps),
    onRefusal: createProviderRefusalHook(gateDeps),
    ledger: ledger ?? LOG_LEDGER,
    // An order's delivery is recorded on the issuing node at the receipt's receivedAt.
    relay: { onSettled: createOrderReceiptListener(cases, () => trustOf(), (error) => console.error('order receipt not recorded:', (error as Error).message)) },
  });
  trustOf = () => runtime.trust();
  // Evidence travels with responses over the chunked transfer (exchange/evidence-transfer.ts).
  const transfers = evidence ? transferSettings(evidence.dataDir, env) : undefined;
  cases.federation = createCaseFederation(runtime, { ...(evidence && transfers ? { evidence: evidence.ev, transfers } : {}), ...(orderLog ? { orderLog } : {}) });
  cases.orderFederation = createOrderFederation(cases, runtime, orderLog ? { orderLog } : {});
  if (evidence) await protectTransferKeys(db, evidence.box);
  if (evidence && transfers) {
    // Once a complete transfer is stored, the sender is told (signed notice) and deletes its chunks.
    const confirm = async (row: IncomingTransferRow, sha256: string) => {
      const response = await db.selectFrom('exchange_inbox').select('payload').where('message_id', '=', row.message_id).executeTakeFirstOrThrow();
      const sender = (JSON.parse(response.payload) as { from: { authority: string } }).from.authority;
      const prepared = await runtime.prepare(transferReceivedNotice(row, sender, sha256), [], row.case_id);
      return { enqueue: prepared.enqueue, committed: () => runtime.relay.wake() };
    };
    fetcher = startTransferFetcher({ ev: evidence.ev, settings: transfers, box: evidence.box, trust: runtime.trust, confirm });
    closer = startTransferCloser(evidence.ev, transfers);
  }
  const stopRuntime = runtime.stop;
  const withTransfers = {
    ...runtime,
    ...(transfers ? { transfers } : {}),
    stop: async () => {
      await fetcher?.stop();
      await closer?.stop();
      await stopRuntime();
    },
  };
  const peerDir = env.COMITY_PEER_DIR;
  if (!peerDir) return withTransfers;
  // A trust folder: ours written there, the others' imported when new (a signature that does not
  // verify, or an older agreement, is refused as by `comity peers add`; the refusal is not fatal).
  mkdirSync(peerDir, { recursive: true });
  const own = `${identity.nodeId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
  writeFileSync(join(peerDir, own), JSON.stringify(await exportNode(db, keys, now, await logOriginOf(db, env)), null, 2));
  const seen = new Map<string, number>();
  const scan = async () => {
    for (const file of readdirSync(peerDir).filter((f) => f.endsWith('.json') && f !== own)) {
      const path = join(peerDir, file);
      const mtime = statSync(path).mtimeMs;
      if (seen.get(file) === mtime) continue;
      seen.set(file, mtime);
      try {
        await addPeer(db, readFileSync(path, 'utf8'), identity.nodeId, new Date());
        runtime.invalidateTrust();
      } catch (error) {
        if (!(error instanceof ExchangeError)) throw error;
      }
    }
  };
  await scan();
  const timer = setInterval(() => void scan().catch(() => undefined), 2000);
  timer.unref();
  const stop = withTransfers.stop;
  return {
    ...withTransfers,
    stop: async () => {
      clearInterval(timer);
      await stop();
    },
  };
}
