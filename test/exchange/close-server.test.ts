/**
 * A test node's server closes even while a peer's relay keeps retrying over its keep-alive
 * connection (`closeServer` in federated.ts). With `server.close()` alone, Node 20 goes on serving
 * the requests of a connection that was busy when close was called, and the close never ends —
 * a teardown then waits for ever, idle, with one loopback connection open.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { closeServer } from './federated.js';

it('closes while a client keeps sending over a keep-alive connection that was busy when close was called', async () => {
  let served = 0;
  let closing: Promise<string> | null = null;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      served += 1;
      // Close in the middle of a request, as a teardown racing a relay's retry does.
      if (served === 3) closing = closeServer(server).then(() => 'closed');
      setTimeout(() => res.writeHead(500).end(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let stop = false;
  const client = (async () => {
    // A relay's retries: one after another on the same keep-alive connection, a few ms apart.
    while (!stop) {
      await fetch(url, { method: 'POST', body: 'envelope' }).then((r) => r.text(), () => null);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  while (closing === null) await new Promise((r) => setTimeout(r, 10));
  const outcome = await Promise.race([closing as Promise<string>, new Promise<string>((r) => setTimeout(() => r('still open after 5 s'), 5000))]);
  stop = true;
  await client;
  assert.equal(outcome, 'closed');
  assert.ok(served <= 4, `served ${served} requests: none after the close but the one in progress (and at most one that raced it)`);
});
