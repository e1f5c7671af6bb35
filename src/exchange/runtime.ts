/**
 * @module exchange/runtime
 * One node's exchange, assembled: trust list (cached briefly, reloaded when a peer is added or
 * removed), inbox, relay and transports (loopback for authorities hosted here, HTTP for peers),
 * and `send`, which seals a message and queues it in the transaction of the change it carries.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { KeyStore } from '../keys/index.js';
import { sealEnvelope, type EnvelopeLimits } from './envelope.js';
import { cachedKeyStore } from './key-cache.js';
import { ExchangeError } from './errors.js';
import type { NodeIdentity } from './identity.js';
import { ACCEPT_ALL, receiveEnvelope, type InboxAnswer, type InboxContext, type MessageHandler, type RefusalHook } from './inbox.js';
import type { ExchangeLedger } from './ledger-port.js';
import { MESSAGE_VERSION, type ExchangeMessage } from './message.js';
import { enqueueMessage } from './outbox.js';
import { startRelay, type Relay, type RelayOptions } from './relay.js';
import { createHttpTransport, createLoopbackTransport, routeTransport, type Transport } from './transport.js';
import { loadTrustList, type TrustList } from './trust.js';

export interface ExchangeRuntimeOptions {
  readonly db: Kysely<Database>;
  readonly keys: KeyStore;
  readonly identity: NodeIdentity;
  readonly handler?: MessageHandler;
  readonly ledger?: ExchangeLedger;
  readonly limits?: EnvelopeLimits;
  /** Called with every refused envelope, in the refusal's transaction (a provider's quarantine). */
  readonly onRefusal?: RefusalHook;
  /** Transport to peers (default HTTP). */
  readonly remote?: Transport;
  readonly relay?: Partial<Omit<RelayOptions, 'db' | 'trust' | 'transport' | 'ledger'>> & { autostart?: boolean };
  readonly now?: () => Date;
}

/** What a caller fills in; the runtime adds version, id, sender node and time. */
export type MessageDraft = Omit<ExchangeMessage, 'v' | 'id' | 'time' | 'from' | 'to'> & { id?: string; from: { authority: string }; to: { authority: string } };

export interface ExchangeRuntime {
  readonly identity: NodeIdentity;
  readonly db: Kysely<Database>;
  trust(): Promise<TrustList>;
  /** Forget the cached trust list (after `peers add` or `remove`, or a key rotation). */
  invalidateTrust(): void;
  receive(envelope: string): Promise<InboxAnswer>;
  /**
   * Seals `draft` and queues it inside one transaction with `work` (the change it carries).
   * @returns the message as sent.
   */
  send<T>(draft: MessageDraft, options?: { reviewers?: readonly string[]; caseId?: string | null; work?: (trx: Kysely<Database>) => Promise<T> }): Promise<{ message: ExchangeMessage; result: T | undefined }>;
  /** Seals `draft` now; `enqueue` queues it inside the caller's transaction. */
  prepare(draft: MessageDraft, reviewers?: readonly string[], caseId?: string | null): Promise<{ message: ExchangeMessage; enqueue(trx: Kysely<Database>): Promise<void> }>;
  readonly relay: Relay;
  stop(): Promise<void>;
}

export function createExchangeRuntime(given: ExchangeRuntimeOptions): ExchangeRuntime {
  // Keys taken out for every message are kept a few seconds (key-cache.ts).
  const options: ExchangeRuntimeOptions = { ...given, keys: cachedKeyStore(given.keys) };
  const now = options.now ?? (() => new Date());
  let cached: { list: TrustList; at: number } | null = null;
  const trust = async (): Promise<TrustList> => {
    if (cached !== null && Date.now() - cached.at < 1000) return cached.list;
    const list = await loadTrustList(options.db, options.keys, options.identity);
    cached = { list, at: Date.now() };
    return list;
  };
  const inbox: InboxContext = {
    db: options.db,
    keys: options.keys,
    identity: options.identity,
    trust,
    handler: options.handler ?? ACCEPT_ALL,
    ...(options.ledger ? { ledger: options.ledger } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.onRefusal ? { onRefusal: options.onRefusal } : {}),
    now,
  };
  const receive = (envelope: string) => receiveEnvelope(inbox, envelope);
  const transport = routeTransport(createLoopbackTransport(receive), options.remote ?? createHttpTransport());
  const { autostart, ...relayOptions } = options.relay ?? {};
  const relay = startRelay(
    { holder: `${options.identity.nodeId}/${process.pid}/${randomUUID()}`, ...relayOptions, db: options.db, trust, transport, ...(options.ledger ? { ledger: options.ledger } : {}), now },
    autostart ?? true,
  );

  return {
    identity: options.identity,
    db: options.db,
    trust,
    invalidateTrust: () => {
      cached = null;
    },
    receive,
    async prepare(draft, reviewers = [], caseId = null) {
      const list = await trust();
      const recipient = list.nodeOfAuthority(draft.to.authority);
      if (recipient === undefined) throw new ExchangeError('unknown-authority', `no trusted node hosts authority ${draft.to.authority}`);
      if (!list.self.authorities.has(draft.from.authority)) throw new ExchangeError('unknown-authority', `authority ${draft.from.authority} is not hosted by this node`);
      const at = now();
      const message: ExchangeMessage = {
        ...draft,
        v: MESSAGE_VERSION,
        id: draft.id ?? randomUUID(),
        time: at.toISOString(),
        from: { node: options.identity.nodeId, authority: draft.from.authority },
        to: { node: recipient.nodeId, authority: draft.to.authority },
      };
      const envelope = await sealEnvelope(options.keys, message, recipient, reviewers);
      return {
        message,
        enqueue: async (trx) => {
          await enqueueMessage(trx, { message, envelope, caseId }, at);
          // The wake after the commit need then look only at this peer (relay.ts, expect).
          relay.expect(message.to.node);
        },
      };
    },
    async send(draft, sendOptions = {}) {
      const prepared = await this.prepare(draft, sendOptions.reviewers ?? [], sendOptions.caseId ?? null);
      const result = await options.db.transaction().execute(async (trx) => {
        const out = sendOptions.work ? await sendOptions.work(trx) : undefined;
        await prepared.enqueue(trx);
        return out;
      });
      relay.wake();
      return { message: prepared.message, result };
    },
    relay,
    stop: () => relay.stop(),
  };
}
