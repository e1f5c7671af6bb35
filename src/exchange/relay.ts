/**
 * @module exchange/relay
 * Delivers the outbox: in commit (`seq`) order within each conversation to a peer — a message is
 * sent only once every earlier message of its conversation to that peer has a final answer —
 * and, to one peer, up to `concurrency` conversations side by side, peers in parallel; retries
 * with capped exponential backoff and jitter (AWS "equal jitter"), only in the process that holds
 * the `relay` lease. Order is kept where it matters (a case's or an order's messages form one
 * conversation), and only there: a message a peer keeps failing holds back its own conversation,
 * not the other cases' messages to that peer nor an emergency (emergencies go first among the
 * messages ready). It runs when woken after a commit that queued a message (looking then only at
 * the peers that commit queued for, see `expect`), when the earliest retry it scheduled is due,
 * and otherwise every `pollMs` (for messages queued by another process). The states it writes
 * never run ahead of the facts: `delivered` or `rejected` only on a signed receipt that
 * verifies; `outcome-unknown` when a request may have arrived without an answer.
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
  /** Messages to one peer in flight at once, each of another conversation (default {@link DEFAULT_CONCURRENCY}). */
  readonly concurrency?: number;
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
 * The messages ready to go to `peer`: in each conversation with messages pending to that peer,
 * the first one (lowest `seq`) — emergencies first, then in `seq` order, at most `limit` — with
 * the number of messages of its conversation pending to that peer (`pending`). Served by the
 * partial index of the pending rows (migration 0079): it reads only those, however many messages
 * were delivered before.
 */
export function pendingHeadQuery(db: Kysely<Database>, peer: string, limit = 1) {
  const firsts = db
    .selectFrom('exchange_outbox')
    .select((eb) => ['conversation_id', eb.fn.min<number>('seq').as('first_seq'), eb.fn.countAll<number>().as('pending')])
    .where('peer_node_id', '=', peer)
    .where(IS_PENDING)
    .groupBy('conversation_id')
    .as('h');
  return db
    .selectFrom(firsts)
    .innerJoin('exchange_outbox as o', (join) => join.on('o.peer_node_id', '=', peer).onRef('o.seq', '=', 'h.first_seq').on(sql<boolean>`o.state in ('queued', 'outcome-unknown')`))
    .select(['o.message_id', 'o.peer_node_id', 'o.conversation_id', 'o.seq', 'o.envelope', 'o.digest', 'o.state', 'o.attempts', 'o.next_attempt_at', 'o.emergency', 'h.pending'])
    .orderBy('o.emergency', 'desc')
    .orderBy('o.seq')
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
 * How many ready messages of a peer (each the first of its conversation) one query reads, beyond
 * the conversations a pass already holds back. Envelopes are small (attachments travel in chunks,
 * transfer.ts) and at most 2 MiB, so a batch holds at most 16 MiB.
 */
export const HEAD_BATCH = 8;

/**
 * Messages to one peer in flight at once by default, each of another conversation: a slow answer
 * (a large envelope, a peer's busy moment) does not hold the other conversations, and a node with
 * many cases keeps both ends busy. Real load is small (about a message a second); more gains nothing.
 */
export const DEFAULT_CONCURRENCY = 4;

type Head = { message_id: string; peer_node_id: string; conversation_id: string; pending: number; seq: number; envelope: string; digest: string; state: string; attempts: number; next_attempt_at: string; emergency: number };

export function startRelay(options: RelayOptions, autostart = true): Relay {
  const { db } = options;
  const ledger = options.ledger ?? NO_LEDGER;
  const ttl = options.leaseTtlMs ?? 5000;
  const pollMs = options.pollMs ?? 250;
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 5 * 60_000;
  const emergencyCap = options.maxEmergencyDelayMs ?? 15_000;
  const random = options.random ?? Math.random;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
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

  async function heads(peer: string, limit: number): Promise<Head[]> {
    const { rows } = await pendingHead.execute(db, { peer, limit });
    return rows.map((row) => ({ ...row, seq: Number(row.seq), attempts: Number(row.attempts), emergency: Number(row.emergency), pending: Number(row.pending) }));
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

  /**
   * Delivers what is ready for `peer`, round after round: the first message of each conversation
   * not held back, `concurrency` at a time. A conversation is held back for the rest of the pass
   * once an attempt of it fails or its next message is not due yet; after a message is settled,
   * the next of its conversation is ready in the next round.
   */
  async function drainPeer(peer: string, trust: TrustList): Promise<number> {
    let attempts = 0;
    const held = new Set<string>();
    while (!stopped) {
      if (!(await holdLease())) return attempts;
      // Each held conversation has at most one message among the heads: read that many more.
      const limit = HEAD_BATCH + held.size;
      const batch = await heads(peer, limit);
      const ready: Head[] = [];
      for (const row of batch) {
        if (held.has(row.conversation_id)) continue;
        const due = Date.parse(row.next_attempt_at);
        if (due > now().getTime()) {
          nextDue = Math.min(nextDue, due);
          held.add(row.conversation_id);
        } else ready.push(row);
      }
      if (ready.length === 0) return attempts;
      let more = batch.length === limit;
      await inTurns(ready, concurrency, async (row) => {
        if (stopped || !(await holdLease())) return;
        attempts++;
        if (await attempt(row, trust)) more ||= row.pending > 1;
        else held.add(row.conversation_id);
      });
      // Nothing else pending behind what was settled, and every head was read: the pass is done.
      if (!more) return attempts;
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

/**
 * Runs `task` over `items`, at most `limit` at a time, and waits for all of them — one that fails
 * does not leave the others running unwatched (its message could be sent again by the next pass
 * while in flight); then throws the first error.
 */
async function inTurns<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && failure === null) {
        const item = items[next++] as T;
        try {
          await task(item);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure !== null) throw (failure as { error: unknown }).error;
}
