/**
 * A body refused as too large (413) over a real socket: the server reads and discards the rest of
 * the body before it answers and closes (a "lingering close"), so a client still sending gets the
 * 413 problem instead of a reset (EPIPE / ECONNRESET, which depended on socket buffers and timing:
 * test/security/fuzz.test.ts's 2 MiB login body failed that way on some machines). Beyond the
 * bounds (REFUSED_BODY_LINGER, src/http/refused-body.ts) the answer goes out anyway.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { drainRefusedBody } from '../../src/http/refused-body.js';
import { buildTestApp, type TestApp } from './harness.js';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';

const BODY = 2 * 1_048_576;

/** Everything the server sends until it closes, and whether the socket failed. */
function collect(socket: Socket): { text: () => string; firstByte: Promise<void>; closed: Promise<Error | null> } {
  const chunks: Buffer[] = [];
  let error: Error | null = null;
  const firstByte = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', (e) => (error = e));
  const closed = new Promise<Error | null>((resolve) => socket.on('close', () => resolve(error)));
  return { text: () => Buffer.concat(chunks).toString('latin1'), firstByte, closed };
}

describe('a body refused as too large, over a real socket', () => {
  let t: TestApp;
  let port = 0;
  before(async () => {
    t = await buildTestApp('sqlite');
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await t?.close();
  });

  it('answers only once the client has sent the whole body, then 413 problem+json and a clean close', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const answer = collect(socket);
    let answered = false;
    void answer.firstByte.then(() => (answered = true));
    socket.write(`POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${BODY}\r\n\r\n`);
    // All but the last byte, then a pause: the server must still be reading, not answering.
    const piece = Buffer.alloc(64 * 1024, 0x61);
    for (let sent = 0; sent < BODY - 1; ) {
      const n = Math.min(piece.length, BODY - 1 - sent);
      if (!socket.write(piece.subarray(0, n))) await new Promise((r) => socket.once('drain', r));
      sent += n;
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered, false, 'the 413 went out while the body was still being sent');
    socket.end('a');
    assert.equal(await answer.closed, null, 'the connection failed instead of closing cleanly');
    const text = answer.text();
    assert.match(text, /^HTTP\/1\.1 413 /);
    assert.match(text, /content-type: application\/problem\+json/i);
    assert.match(text, /"code":"payload-too-large"/);
  });

  it('stops reading past its bounds: a body larger than the limit, or one that stalls, is answered anyway', async () => {
    const endless = new Readable({ read() { this.push(Buffer.alloc(65_536)); } }) as unknown as IncomingMessage;
    const started = Date.now();
    await drainRefusedBody(endless, { maxBytes: 1_048_576, maxMs: 60_000 });
    assert.ok(Date.now() - started < 30_000);
    const stalled = new Readable({ read() {} }) as unknown as IncomingMessage;
    await drainRefusedBody(stalled, { maxBytes: 1_048_576, maxMs: 50 });
  });
});
