/**
 * @module test/exchange/federated
 * A test node's exchange served over real HTTP on loopback (node:http, as the server's route does),
 * with its case context wired to the federation, and a wait for a case's messages to settle.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCaseContext, type CaseContext } from '../../src/cases/index.js';
import { createCaseFederation, createCaseMessageHandler } from '../../src/exchange/case-bridge.js';
import { requireNodeIdentity } from '../../src/exchange/index.js';
import { deliveriesOf } from '../../src/exchange/outbox.js';
import { createExchangeRuntime, type ExchangeRuntime } from '../../src/exchange/runtime.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { initNode } from '../../src/exchange/node.js';
import { createTestNode, NODE_PLANS, type NodeName, type TestNode } from './nodes.js';

const kb = loadKnowledgeBase();

/**
 * A clock the test moves: the real time plus an offset that only grows. Given to a node's case
 * context (order and case events, sweeps) and exchange runtime (message times, receipts' receivedAt,
 * the relay's schedule), so that "ten days later" is reached by `advance`, on every node that
 * shares it, without touching stored rows. Messages keep their age limits (a node on another clock
 * would refuse them as stale or from the future), which is why nodes that talk share one clock.
 */
export interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

export function testClock(): TestClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError('a test clock only moves forward');
      offset += ms;
    },
  };
}

/**
 * A node:http server in front of a runtime's inbox, answering as the API route does (a deferred
 * message — sender not trusted yet — is a 503 trust-pending). `runtime` may be a getter, for a
 * runtime created after the server (its endpoint is needed first).
 */
export async function serve(runtime: Pick<ExchangeRuntime, 'receive'> | (() => Pick<ExchangeRuntime, 'receive'>)): Promise<Server> {
  const current = typeof runtime === 'function' ? runtime : () => runtime;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      current()
        .receive(Buffer.concat(chunks).toString('utf8'))
        .then(
          (answer) =>
            answer.outcome === 'deferred'
              ? res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5' }).end(JSON.stringify({ status: 503, code: 'trust-pending' }))
              : res.writeHead(200, { 'content-type': 'application/jose' }).end(answer.receipt),
          () => res.writeHead(500).end(),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export async function federated(node: TestNode, t: { after(fn: () => Promise<void>): void }, clock?: TestClock): Promise<{ cases: CaseContext; runtime: ExchangeRuntime; url: string }> {
  const cases = createCaseContext(node.db, kb, clock ? { now: clock.now } : {});
  const runtime = createExchangeRuntime({ db: node.db, keys: node.keys, identity: await requireNodeIdentity(node.db), handler: createCaseMessageHandler(cases), relay: { baseDelayMs: 10, maxDelayMs: 100, pollMs: 250 }, ...(clock ? { now: clock.now } : {}) });
  cases.federation = createCaseFederation(runtime);
  const server = await serve(runtime);
  t.after(async () => {
    await runtime.stop();
    await closeServer(server);
  });
  return { cases, runtime, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Closes a test node's server: stops listening and cuts every connection, idle or in a request.
 * Node 20's `server.close()` alone waits for the connections busy when it is called and goes on
 * serving their next requests: a peer's relay retrying over its keep-alive connection (every
 * 10–100 ms in these tests, each answer a 500 once this node's database is closed) then keeps the
 * server — and the test's teardown — open for ever. (The real server, Fastify, answers requests
 * that arrive while it closes with a 503 and `Connection: close`.)
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

type Cleanup = { after(fn: () => Promise<void> | void): void };

/**
 * A peer that takes every request and never answers (a hung node, a black-holed connection):
 * `received` lists the requests it got; closed after the test.
 */
export async function silentPeer(t: Cleanup): Promise<{ url: string; received: IncomingMessage[] }> {
  const received: IncomingMessage[] = [];
  const server = createServer((req) => {
    received.push(req);
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => closeServer(server));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** Waits (up to 15 s) until `received` holds a request. */
export async function firstRequest(received: readonly IncomingMessage[]): Promise<void> {
  const until = Date.now() + 15_000;
  while (received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

/**
 * A test node on `handle`, served over HTTP with its case context wired to the federation, and
 * re-initialised with its real endpoint (known only once the server listens), hosting the plan's
 * authorities or `hosted`, on `clock` when given. Peers still have
 * to import its agreement (`trustEachOther`, then `runtime.invalidateTrust()`).
 */
export async function federatedNode(name: NodeName, handle: DatabaseHandle, t: Cleanup, hosted: readonly string[] = NODE_PLANS[name].hosted, clock?: TestClock): Promise<{ node: TestNode; cases: CaseContext; runtime: ExchangeRuntime; url: string }> {
  const node = await createTestNode(name, handle, undefined, hosted);
  const side = await federated(node, t as { after(fn: () => Promise<void>): void }, clock);
  // After the relay stops and the server closes (node:test runs `after` hooks in the order they were added).
  t.after(() => handle.close());
  await initNode(node.db, node.keys, { nodeId: node.nodeId, endpoint: side.url, hosted: [...hosted] }, clock?.now() ?? new Date());
  return { node, ...side };
}

export async function settled(ctx: CaseContext, caseId: string): Promise<void> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const deliveries = await deliveriesOf(ctx.db, { caseId });
    if (deliveries.every((d) => d.state === 'delivered' || d.state === 'rejected')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('messages not settled');
}

