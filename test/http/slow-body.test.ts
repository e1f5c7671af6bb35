/**
 * A request body that trickles in closes its connection (src/http/slow-body.ts), over a real
 * socket: before, a client that sent its headers and then a byte now and then held its request
 * open indefinitely (Fastify's `requestTimeout` is 0). A body at or above the minimum rate is not
 * cut, however long it takes; nor is one the server is slow to read.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { guardBodyRate } from '../../src/http/slow-body.js';
import { buildTestApp, type TestApp } from './harness.js';

/** Opens a connection, sends `head`, then `pieces` bytes of body one `size`-byte piece every `everyMs`; resolves with what the server sent and how long the socket lived. */
async function trickle(port: number, head: string, pieces: number, size: number, everyMs: number, giveUpMs: number): Promise<{ answer: string; closedAfterMs: number | null }> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  const started = Date.now();
  let closedAt: number | null = null;
  const closed = new Promise<void>((resolve) => socket.once('close', () => ((closedAt = Date.now()), resolve())));
  socket.write(head);
  const sending = (async () => {
    for (let i = 0; i < pieces && closedAt === null; i += 1) {
      await new Promise((r) => setTimeout(r, everyMs));
      if (closedAt === null && !socket.destroyed) socket.write(Buffer.alloc(size, 0x61));
    }
  })();
  await Promise.race([closed, new Promise((r) => setTimeout(r, giveUpMs))]);
  const answer = Buffer.concat(chunks).toString('latin1');
  socket.destroy();
  await sending;
  return { answer, closedAfterMs: closedAt === null ? null : (closedAt as number) - started };
}

describe('a request body that arrives too slowly', () => {
  let t: TestApp;
  let port = 0;
  before(async () => {
    // 200 bytes per second over windows of 300 ms (60 bytes a window); the defaults are 500 B/s over 20 s.
    t = await buildTestApp('sqlite', { config: { bodyMinBytesPerSecond: 200, bodyRateWindowMs: 300 } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await t?.close();
  });
  const head = (length: number) => `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  it('closes the connection when a body brings a byte every 100 ms (10 bytes/s)', async () => {
    const { answer, closedAfterMs } = await trickle(port, head(1000), 1000, 1, 100, 5000);
    assert.notEqual(closedAfterMs, null, 'the connection was still open after 5 s');
    assert.ok((closedAfterMs as number) < 2000, `closed after ${closedAfterMs} ms`);
    assert.equal(answer, '', 'nothing is answered to a request cut so');
  });

  it('lets a body at 1,000 bytes/s through, though it takes four windows', async () => {
    const { answer } = await trickle(port, head(1200), 12, 100, 100, 10_000);
    // The whole body arrived: the login route read it and answered (the body is no JSON: 400).
    assert.match(answer, /^HTTP\/1\.1 400 /, answer.slice(0, 200));
  });

  it('leaves requests without a body alone', async () => {
    const { answer } = await trickle(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', 0, 0, 0, 3000);
    assert.match(answer, /^HTTP\/1\.1 200 /, answer.slice(0, 200));
  });
});

it('a body the server is slow to read is not held against the client', async (t) => {
  // The handler starts reading only after 1 s (three windows) while the whole body waits in the buffers.
  const server = createServer((req, res) => {
    guardBodyRate(req, res, { minBytesPerSecond: 1000, windowMs: 300 }, () => assert.fail('cut'));
    setTimeout(() => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(`read ${n}`));
    }, 1000);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const body = 200 * 1024;
  const { answer } = await trickle((server.address() as AddressInfo).port, `POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body}\r\n\r\n${'a'.repeat(body)}`, 0, 0, 0, 5000);
  assert.match(answer, new RegExp(`read ${body}$`), answer.slice(-100));
});
