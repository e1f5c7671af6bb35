/**
 * @module exchange/transport
 * How an envelope reaches a node: HTTP to a peer's endpoint, or loopback to this node's own inbox
 * for authorities hosted on the same node (one envelope path for both). Three outcomes, not two
 * (exchange-evidence.md §7): a signed answer, surely not sent (the connection was refused), or
 * *unknown* (a timeout or a cut connection after the request left: it may have arrived).
 */
import { attemptSignal } from '../net/attempt-signal.js';
import type { InboxAnswer } from './inbox.js';
import type { TrustedNode } from './trust.js';

export type DeliveryResult =
  | { readonly kind: 'answered'; readonly receipt: string }
  | { readonly kind: 'not-sent'; readonly error: string }
  | { readonly kind: 'unknown'; readonly error: string };

export interface Transport {
  /** `signal`: abort the attempt (the relay stops); its outcome is then unknown. */
  deliver(peer: TrustedNode, envelope: string, signal?: AbortSignal): Promise<DeliveryResult>;
}

export const EXCHANGE_MEDIA_TYPE = 'application/jose';
export const EXCHANGE_PATH = '/api/exchange/messages';

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** HTTP POST of the envelope to `<endpoint>/api/exchange/messages`; the body of a 200 is the receipt. */
export function createHttpTransport(options: { timeoutMs?: number } = {}): Transport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async deliver(peer, envelope, stop) {
      const url = new URL(EXCHANGE_PATH, peer.endpoint.endsWith('/') ? peer.endpoint : `${peer.endpoint}/`);
      // One signal for the timeout and the relay's stop, undone after the attempt (net/attempt-signal.ts).
      const attempt = attemptSignal(timeoutMs, stop);
      try {
        let response: Response;
        try {
          response = await fetch(url, { method: 'POST', headers: { 'content-type': EXCHANGE_MEDIA_TYPE }, body: envelope, signal: attempt.signal });
        } catch (error) {
          if (attempt.stopped()) return { kind: 'unknown', error: `${url.host}: the relay stopped while waiting for the answer` };
          const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { name?: string }).name ?? 'error';
          return NOT_SENT_CODES.has(code) ? { kind: 'not-sent', error: `${url.host}: ${code}` } : { kind: 'unknown', error: `${url.host}: ${code}` };
        }
        let body: string;
        try {
          body = await response.text();
        } catch {
          return { kind: 'unknown', error: `${url.host}: ${attempt.stopped() ? 'the relay stopped while reading the answer' : 'connection cut while reading the answer'}` };
        }
        if (response.status === 200 && (response.headers.get('content-type') ?? '').startsWith(EXCHANGE_MEDIA_TYPE)) return { kind: 'answered', receipt: body };
        // The peer does not know this node (or the signing authority or key) yet: nothing was applied.
        if (response.status === 503 && /"code"\s*:\s*"trust-pending"/.test(body)) return { kind: 'not-sent', error: `${url.host}: trust-pending (the peer has not imported this node's agreement yet)` };
        return { kind: 'unknown', error: `${url.host}: HTTP ${response.status}` };
      } finally {
        attempt.done();
      }
    },
  };
}

/** Delivery to this node's own inbox (authorities hosted on the same node). */
export function createLoopbackTransport(receive: (envelope: string) => Promise<InboxAnswer>): Transport {
  return {
    async deliver(_peer, envelope) {
      const answer = await receive(envelope);
      if (answer.outcome === 'deferred') return { kind: 'not-sent', error: 'trust-pending (this node does not list the signing authority or key yet)' };
      return { kind: 'answered', receipt: answer.receipt };
    },
  };
}

/** Loopback for this node, `remote` for peers. */
export function routeTransport(loopback: Transport, remote: Transport): Transport {
  return { deliver: (peer, envelope, stop) => (peer.self ? loopback : remote).deliver(peer, envelope, stop) };
}
