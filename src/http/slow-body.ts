/**
 * @module http/slow-body
 * A request body that trickles in is cut ("slow POST", slowloris): Fastify sets no request timeout
 * by default (`requestTimeout: 0`), so a client that sent its headers and then a byte a minute
 * held its connection, its socket and its request open for as long as it liked — a few thousand
 * such clients tie up a node's file descriptors and memory. A fixed time limit would also cut
 * large evidence uploads on slow lines; a minimum rate does not (as Apache's mod_reqtimeout
 * `MinRate`): while a body is arriving, each window of `windowMs` must bring at least
 * `minBytesPerSecond × windowMs / 1000` bytes, or the connection is closed. A window in which the
 * server itself is not reading (the body waits in its buffers: a handler not yet reading, a disk
 * behind) is never held against the client. Resumable uploads (`PATCH …/evidence/uploads/…`) go
 * on from the offset received. Headers are bounded apart (Node's `headersTimeout`, 60 s).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BodyRate {
  /** Bytes per second a body must average over each window; 0 turns the check off. */
  minBytesPerSecond: number;
  windowMs: number;
}

/** Whether the request announces a body (a length above zero, or chunked transfer). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Watches the body of `req` until it has all arrived (or the exchange ends): a window that brought
 * fewer bytes than the rate asks, while nothing was waiting to be read, closes the connection and
 * calls `onCut`.
 */
export function guardBodyRate(req: IncomingMessage, res: ServerResponse, rate: BodyRate, onCut: () => void): void {
  if (rate.minBytesPerSecond <= 0 || req.complete || !hasBody(req)) return;
  const socket = req.socket;
  const least = (rate.minBytesPerSecond * rate.windowMs) / 1000;
  let seen = socket.bytesRead;
  const timer = setInterval(() => {
    if (req.complete || res.writableEnded || socket.destroyed) return stop();
    const read = socket.bytesRead;
    const waiting = req.readableLength > 0 || socket.readableLength > 0;
    if (read - seen < least && !waiting) {
      stop();
      socket.destroy();
      onCut();
      return;
    }
    seen = read;
  }, rate.windowMs);
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    req.off('end', stop);
    res.off('close', stop);
  };
  req.once('end', stop);
  res.once('close', stop);
}
