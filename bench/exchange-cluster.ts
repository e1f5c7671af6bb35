/**
 * Nodes as separate processes (bench/exchange-node.ts) behind fault-injecting HTTP proxies, for
 * bench:exchange and the fault test. Every peer reaches a node through its proxy (the endpoint in
 * the node's agreement is the proxy's URL), so faults hit real connections between processes.
 *
 * Proxy faults, each per request with its probability: `drop` (the request is never forwarded and
 * the connection is cut), `cutHalfway` (half the body is forwarded, then both connections are cut),
 * `loseAnswer` (forwarded and applied, the answer is cut: outcome unknown), `duplicate` (forwarded
 * twice, the copy after a random delay — duplicates arrive late and out of order), `delayMs`
 * (uniform random delay), and `partitioned` (everything is cut while true; or from the
 * `partitionAfter`-th forwarded request on).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';

export interface Faults {
  drop: number;
  cutHalfway: number;
  loseAnswer: number;
  duplicate: number;
  delayMs: number;
  partitioned: boolean;
  /** Partitioned once this many requests were forwarded in all (cuts a transfer halfway, deterministically). */
  partitionAfter?: number;
}

export const NO_FAULTS: Faults = { drop: 0, cutHalfway: 0, loseAnswer: 0, duplicate: 0, delayMs: 0, partitioned: false };

export async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  return port;
}

export interface FaultProxy {
  readonly url: string;
  faults: Faults;
  readonly counts: Record<keyof Omit<Faults, 'delayMs' | 'partitioned' | 'partitionAfter'> | 'forwarded' | 'partitioned', number>;
  close(): Promise<void>;
}

export async function startProxy(upstreamPort: number, random: () => number = Math.random): Promise<FaultProxy> {
  const counts = { drop: 0, cutHalfway: 0, loseAnswer: 0, duplicate: 0, forwarded: 0, partitioned: 0 };
  const proxy: { faults: Faults } = { faults: { ...NO_FAULTS } };
  const forward = (method: string, path: string, headers: Record<string, string>, body: Buffer, half = false): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | null> =>
    new Promise((resolve) => {
      const upstream = httpRequest({ host: '127.0.0.1', port: upstreamPort, method, path, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: { 'content-type': String(res.headers['content-type'] ?? '') }, body: Buffer.concat(chunks) }));
        res.on('error', () => resolve(null));
      });
      upstream.on('error', () => resolve(null));
      if (half) {
        upstream.write(body.subarray(0, Math.floor(body.length / 2)));
        setTimeout(() => {
          upstream.destroy();
          resolve(null);
        }, 5);
        return;
      }
      upstream.end(body);
    });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const f = proxy.faults;
        const cut = () => res.socket?.destroy();
        if (f.partitioned || (f.partitionAfter !== undefined && counts.forwarded >= f.partitionAfter)) return void (counts.partitioned++, cut());
        if (f.delayMs > 0) await new Promise((r) => setTimeout(r, random() * f.delayMs));
        if (random() < f.drop) return void (counts.drop++, cut());
        const headers = { 'content-type': String(req.headers['content-type'] ?? 'application/octet-stream') };
        if (random() < f.cutHalfway) {
          counts.cutHalfway++;
          await forward(req.method ?? 'POST', req.url ?? '/', headers, body, true);
          return cut();
        }
        if (random() < f.duplicate) {
          counts.duplicate++;
          setTimeout(() => void forward(req.method ?? 'POST', req.url ?? '/', headers, body), random() * 200);
        }
        const answer = await forward(req.method ?? 'POST', req.url ?? '/', headers, body);
        counts.forwarded++;
        if (answer === null) return cut();
        if (random() < f.loseAnswer) return void (counts.loseAnswer++, cut());
        res.writeHead(answer.status, answer.headers).end(answer.body);
      })();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get faults() {
      return proxy.faults;
    },
    set faults(value: Faults) {
      proxy.faults = value;
    },
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface NodeProcess {
  readonly name: string;
  readonly port: number;
  readonly direct: string;
  readonly proxy: FaultProxy;
  child: ChildProcess;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  control<T>(path: string, body?: unknown): Promise<T>;
}

export async function startNode(name: string, db: string, dir: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  const port = await freePort();
  const proxy = await startProxy(port);
  const masterKey = env.MASTER_KEY ?? randomBytes(32).toString('hex');
  const node: NodeProcess = {
    name,
    port,
    direct: `http://127.0.0.1:${port}`,
    proxy,
    child: undefined as unknown as ChildProcess,
    async start() {
      // BENCH_CPU_PROF=DIR: each node process writes a V8 CPU profile there when it exits (profiling the exchange path).
      const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
      const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(import.meta.dirname, 'exchange-node.ts')], {
        env: { ...process.env, ...env, NODE_NAME: name, DB: db, PORT: String(port), ENDPOINT: proxy.url, DIR: dir, MASTER_KEY: masterKey },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      node.child = child;
      await new Promise<void>((resolve, reject) => {
        let buffer = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          if (buffer.includes('"ready"')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code} before it was ready`)));
      });
    },
    async kill(signal = 'SIGKILL') {
      if (node.child.exitCode !== null || node.child.signalCode !== null) return;
      node.child.kill(signal);
      await once(node.child, 'exit');
    },
    async control<T>(path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${node.direct}${path}`, { method: 'POST', body: JSON.stringify(body ?? {}), headers: { 'content-type': 'application/json' } });
      if (!response.ok) throw new Error(`${name} ${path}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
  };
  await node.start();
  return node;
}

/** Every node imports every other's agreement. */
export async function connect(nodes: readonly NodeProcess[], dir: string): Promise<void> {
  for (const node of nodes) await node.control('/control/peers', nodes.filter((n) => n !== node).map((n) => join(dir, `${n.name}-agreement.json`)));
}

export interface NodeState {
  outbox: Record<string, number>;
  inbox: Record<string, number>;
  effects: { total: number; distinct: number };
  effectIds: string[];
  sent: { id: string; state: string; receipt: boolean; to: string }[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
