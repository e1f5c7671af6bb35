/**
 * @module http/refused-body
 * The lingering close of a request whose body was refused as too large (413).
 */
import type { IncomingMessage } from 'node:http';

/** What a refused body may still send before the connection is closed anyway (see drainRefusedBody). */
export const REFUSED_BODY_LINGER = { maxBytes: 16 * 1_048_576, maxMs: 3_000 };

/**
 * A body refused as too large was not read (its Content-Length said so, or it passed the limit
 * mid-way), and Fastify closes the connection after the answer. Closing while the client is still
 * sending resets the connection, and the client then sees a network error (EPIPE, ECONNRESET)
 * instead of the 413 — whether it does depends on socket buffers and timing. So the rest of the
 * body is read and discarded first, as servers do on a "lingering close" (RFC 9112 §9.6), within
 * bounds: past REFUSED_BODY_LINGER's bytes or time the answer goes out regardless.
 */
export function drainRefusedBody(raw: IncomingMessage, limits = REFUSED_BODY_LINGER): Promise<void> {
  if (raw.complete || raw.destroyed || raw.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (): void => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', finish);
      raw.off('close', finish);
      raw.off('error', finish);
      resolve();
    };
    const giveUp = (): void => {
      raw.pause();
      finish();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > limits.maxBytes) giveUp();
    };
    const timer = setTimeout(giveUp, limits.maxMs);
    raw.on('data', onData);
    raw.once('end', finish);
    raw.once('close', finish);
    raw.once('error', finish);
    raw.resume();
  });
}
