/**
 * @module exchange/relay
 * Delivers the outbox: per peer in `seq` order (head of line: a message is sent only once every
 * earlier one to that peer has a final answer), peers in parallel, retries with capped exponential
 * backoff and jitter (AWS "equal jitter"), only in the process that holds the `relay` lease. It
 * runs when woken after a commit that queued a message (looking then only at the peers that
 * commit queued for, see `expect`), when the earliest retry it scheduled is due, and otherwise
 * every `pollMs` (for messages queued by another process). It reads a peer's pending messages a
 * batch at a time (`HEAD_BATCH`), still delivering them one after another in `seq` order. The
 * states it writes never run ahead of the facts: `delivered` or `rejected` only on a signed
 * receipt that verifies; `outcome-unknown` when a request may have arrived without an answer.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { preparedQuery } from '../db/prepared.js';
import { sha256Hex } from './envelope.js';
import { acquireLease, releaseLease } from './lease.js';
import { NO_LEDGER, type ExchangeLedger } from './ledger-port.js';
import { ReceiptError, verifyReceipt } from './receipt.js';
import type { Transport } from './transport.js';
import type { TrustList } from './trust.js';

export const RELAY_LEASE = 'relay';
const PENDING = ['queued', 'outcome-unknown'] as const;
/** The same states as literals: the predicate of the partial index `exchange_outbox_pending_idx` (migration 0079), which a query can use only when it states it so. */
const IS_PENDING = sql<boolean>`state in ('queued', 'outcome-unknown')`;

export interface RelayOptions {
  readonly db: Kysely<Database>;
  trust(): Promise<TrustList>;
  readonly transport: Transport;
  readonly ledger?: ExchangeLedger;
  /** This process's name for the lease. */
  readonly holder: string;
  readonly leaseTtlMs?: number;
  readonly pollMs?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Cap for emergencies: they are retried at least this often. */
  readonly maxEmergencyDelayMs?: number;
  readonly random?: () => number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
  /** Called when a message reaches a final state (after its commit). */
  readonly onSettled?: (messageId: string, state: 'delivered' | 'rejected') => void;
}

export interface Relay {
  /** Looks at the outbox now (after a commit that queued a message). */
  wake(): void;
  /**
   * A message to `peer` is being queued by this process (the runtime's enqueue, inside its
   * transaction): the pass that the following {@link wake} starts may look at only the peers so
   * announced, without first listing every peer with pending messages. Passes started by the
   * poll timer, or by a wake with nothing announced, still list them all.
   */
  expect(peer: string): void;
  /** One pass: delivers what is due (to `peers` only, when given); returns the number of attempts made (0 without the lease). */
  runOnce(peers?: readonly string[]): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The delay before retrying a message that failed `attempts` times before this failure: none
 * after its first failure — a cut or refused connection (a keep-alive socket the peer had closed,
 * a packet lost) is most often gone at once, and a peer that did apply it answers the retry with
 * its original receipt — then capped exponential backoff with equal jitter (half fixed, half
 * random): base, 2 × base, … up to the cap.
 */
export function backoffMs(attempts: number, baseMs: number, capMs: number, random: () => number): number {
  if (attempts === 0) return 0;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The first messages still to deliver to `peer` (lowest `seq` among the pending, at most `limit`).
 * Served by the partial index of the pending rows (migration 0079): it reads only those, however
 * many messages were delivered before.
 */
export function pendingHeadQuery(db: Kysely<Database>, peer: string, limit = 1) {
  return db
    .selectFrom('exchange_outbox')
    .select(['message_id', 'peer_node_id', 'seq', 'envelope', 'digest', 'state', 'attempts', 'next_attempt_at', 'emergency'])
    .where('peer_node_id', '=', peer)
    .where(IS_PENDING)
    .orderBy('seq')
    .limit(limit);
}

// Prepared (db/prepared.ts), as they run for every message delivered: the head query above (the
// same builder, so the same SQL and plan) and the final state with its receipt.
const pendingHead = preparedQuery<Omit<Head, never>>((db, p) => pendingHeadQuery(db, p.value<string>('peer'), p.value<number>('limit')));
const settleRow = preparedQuery((db, p) =>
  db
    .updateTable('exchange_outbox')
    .set({ state: p.value<string>('state'), receipt: p.value<string>('receipt'), attempts: p.value<number>('attempts'), last_error: p.value<string | null>('last_error'), updated_at: p.value<string>('updated_at') })
    .where('message_id', '=', p.value<string>('message_id'))
    .where(IS_PENDING),
);

/**
 * How many pending messages of a peer one query reads (in `seq` order). A pass delivers them one
 * after another and queries again only when it read a full batch: when it read fewer, it has seen
 * every message pending at the time, and a later one queued by this process wakes another pass
 * (one queued by another process is seen at the next poll). Envelopes are small (attachments
 * travel in chunks, transfer.ts) and at most 2 MiB, so a batch holds at most 16 MiB.
 */
export const HEAD_BATCH = 8;

type Head = { message_id: string; peer_node_id: string; seq: number; envelope: string; digest: string; state: string; attempts: number; next_attempt_at: string; emergency: number };

export function startRelay(options: RelayOptions, autostart = true): Relay {
  const { db } = options;
  const ledger = options.ledger ?? NO_LEDGER;
  const ttl = options.leaseTtlMs ?? 5000;
  const pollMs = options.pollMs ?? 250;
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 5 * 60_000;
  const emergencyCap = options.maxEmergencyDelayMs ?? 15_000;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  let stopped = false;
  // Aborted by stop(): an attempt waiting for a slow peer ends at once, its outcome unknown (retried
  // by the next relay; the peer answers a repeat with its original receipt), instead of holding a
  // shutdown until the transport's timeout.
  const stopping = new AbortController();
  let leaseRenewedAt = 0;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  /** Peers announced by expect() since the last pass started. */
  let expected = new Set<string>();
  /** When the earliest retry seen in this pass is due (ms): the loop sleeps until then, not a whole poll interval. */
  let nextDue = Number.POSITIVE_INFINITY;

  async function holdLease(): Promise<boolean> {
    const at = now();
    if (at.getTime() - leaseRenewedAt < ttl / 3) return true;
    const held = await acquireLease(db, RELAY_LEASE, options.holder, at, ttl);
    leaseRenewedAt = held ? at.getTime() : 0;
    return held;
  }

  async function heads(peer: string): Promise<Head[]> {
    const { rows } = await pendingHead.execute(db, { peer, limit: HEAD_BATCH });
    return rows.map((row) => ({ ...row, seq: Number(row.seq), attempts: Number(row.attempts), emergency: Number(row.emergency) }));
  }

  async function retryLater(row: Head, state: string, error: string): Promise<void> {
    const delay = backoffMs(row.attempts, base, row.emergency === 1 ? emergencyCap : cap, random);
    const at = now();
    nextDue = Math.min(nextDue, at.getTime() + delay);
    await db
      .updateTable('exchange_outbox')
      .set({ state, attempts: row.attempts + 1, last_error: error.slice(0, 300), next_attempt_at: new Date(at.getTime() + delay).toISOString(), updated_at: at.toISOString() })
      .where('message_id', '=', row.message_id)
      .where('state', 'in', [...PENDING])
      .execute();
  }

  /** One attempt; true when the message reached a final state. */
  async function attempt(row: Head, trust: TrustList): Promise<boolean> {
    const peer = trust.node(row.peer_node_id);
    if (peer === undefined) {
      await retryLater(row, row.state, `peer ${row.peer_node_id} is not trusted (no agreement)`);
      return false;
    }
    const result = await options.transport.deliver(peer, row.envelope, stopping.signal);
    if (result.kind === 'not-sent') {
      await retryLater(row, row.state, result.error);
      return false;
    }
    if (result.kind === 'unknown') {
      await retryLater(row, 'outcome-unknown', result.error);
      return false;
    }
    try {
      const receipt = await verifyReceipt(result.receipt, peer, { messageId: row.message_id, envelopeDigest: row.digest });
      const at = now().toISOString();
      await db.transaction().execute(async (trx) => {
        const updated = await settleRow.execute(trx, { state: receipt.outcome === 'accepted' ? 'delivered' : 'rejected', receipt: result.receipt, attempts: row.attempts + 1, last_error: receipt.reason === null ? null : `${receipt.reason.code}: ${receipt.reason.message}`.slice(0, 300), updated_at: at, message_id: row.message_id });
        if ((updated.numAffectedRows ?? 0n) > 0n) await ledger.append(trx, { kind: 'receipt-received', outcome: receipt.outcome === 'accepted' ? 'accepted' : 'rejected', messageId: row.message_id, peer: row.peer_node_id, digest: sha256Hex(result.receipt), at });
      });
      options.onSettled?.(row.message_id, receipt.outcome === 'accepted' ? 'delivered' : 'rejected');
      return true;
    } catch (error) {
      if (!(error instanceof ReceiptError)) throw error;
      await retryLater(row, 'outcome-unknown', `bad receipt: ${error.message}`);
      return false;
    }
  }

  async function drainPeer(peer: string, trust: TrustList): Promise<number> {
    let attempts = 0;
    while (!stopped) {
      if (!(await holdLease())) return attempts;
      const batch = await heads(peer);
      for (const row of batch) {
        if (stopped || !(await holdLease())) return attempts;
        const due = Date.parse(row.next_attempt_at);
        if (due > now().getTime()) {
          nextDue = Math.min(nextDue, due);
          return attempts;
        }
        attempts++;
        if (!(await attempt(row, trust))) return attempts;
      }
      if (batch.length < HEAD_BATCH) return attempts;
    }
    return attempts;
  }

  async function runOnce(only?: readonly string[]): Promise<number> {
    // A full pass recomputes the earliest retry; a pass over announced peers only lowers it.
    if (only === undefined) nextDue = Number.POSITIVE_INFINITY;
    if (!(await holdLease())) return 0;
    const peers = only ?? (await db.selectFrom('exchange_outbox').select('peer_node_id').distinct().where(IS_PENDING).execute()).map((p) => p.peer_node_id);
    if (peers.length === 0) return 0;
    const trust = await options.trust();
    const counts = await Promise.all(peers.map((p) => drainPeer(p, trust)));
    return counts.reduce((a, b) => a + b, 0);
  }

  const loop = (async () => {
    if (!autostart) return;
    // The first pass, and every pass the timer starts, lists all peers with pending messages; so
    // does a woken pass once `pollMs` has gone by since the last full one or a retry is due — under
    // steady local sending every pass is woken, and retries to other peers, messages queued by
    // another process and an announcement a pass took before its commit was visible must still be
    // seen within `pollMs`.
    let full = true;
    let lastFull = Number.NEGATIVE_INFINITY;
    while (!stopped) {
      const at = now().getTime();
      if (at - lastFull >= pollMs || at >= nextDue) full = true;
      const only = full || expected.size === 0 ? undefined : [...expected];
      if (only === undefined) lastFull = at;
      expected = new Set();
      try {
        await runOnce(only);
      } catch (error) {
        options.onError?.(error);
      }
      if (stopped) break;
      full = false;
      if (!woken) {
        // Until the next poll, or sooner when a retry falls due before it (a backoff of 20 ms is not stretched to the poll interval).
        const wait = Math.max(1, Math.min(pollMs, nextDue - now().getTime()));
        full = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), wait);
          wakeUp = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
      }
      woken = false;
      wakeUp = null;
    }
  })();

  return {
    wake() {
      woken = true;
      wakeUp?.();
    },
    expect(peer) {
      expected.add(peer);
    },
    runOnce,
    async stop() {
      stopped = true;
      stopping.abort();
      wakeUp?.();
      await loop;
      if (leaseRenewedAt > 0) await releaseLease(db, RELAY_LEASE, options.holder).catch(() => undefined);
    },
  };
}
