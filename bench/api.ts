/**
 * Benchmark: the HTTP API end to end — the real server (`node bin/comity.js serve --demo`) in a
 * separate process, on embedded SQLite in a fresh temporary data directory, loaded by autocannon
 * from this process over 127.0.0.1, each scenario for a fixed duration with 20 connections
 * (after a 1 s warm-up that is not counted):
 *
 * 1. bare:       GET /healthz — a public route of the same server (routing, hooks, security
 *                headers, rate-limit bookkeeping, no database): the baseline;
 * 2. createCase: POST /api/cases with an API token (scopes cases:read, cases:write) of
 *                officer@fr.demo; every request a distinct `references.requesting`;
 * 3. listCases:  GET /api/cases?limit=50 with the same token (the database then holds the cases
 *                created by scenario 2);
 * 4. underPublicLoad: scenario 3 again while one anonymous client hammers the most expensive
 *                public route, GET /api/law/matrix (ETS 185, a different date each time, so that
 *                every allowed request is a cache miss), back to back on one connection: its
 *                per-client limit (COMITY_COSTLY_RATE_LIMIT, default 30 a minute) lets some
 *                through and answers the rest 429. Its p99 is `p99_under_public_load_ms`
 *                (issue 10: the same as without the anonymous client, under 50 ms).
 *
 * The rate limiter stays in the request path, but with COMITY_RATE_LIMIT=1000000 per minute (the
 * largest value the configuration accepts) it never refuses, so it does not distort the figures.
 * Every response must be 2xx: any non-2xx, socket error or timeout fails the run (exit code 1)
 * with the status and body of a plain fetch of the same request.
 *
 * The last line printed is one JSON object:
 * {"name":"api","bare":{"rps","p99ms"},"createCase":{"rps","p99ms"},"listCases":{"rps","p99ms"},"ratioCreateToBare",
 *  "underPublicLoad":{"rps","p99ms","matrix200","matrix429"},"p99_under_public_load_ms"}
 *
 *   npm run bench:api [-- --duration 10 --connections 20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { totpCode, TOTP_STEP_SECONDS } from '../src/auth/index.js';
import { preservationRequestFrToUs } from '../src/demo/data.js';
import { readDemoLogins } from '../src/demo/seed.js';

// ---------------------------------------------------------------------------------------------
// Arguments

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positive = (name: string, fallback: number): number => {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
};
const DURATION_S = positive('--duration', 10);
const CONNECTIONS = positive('--connections', 20);
const WARMUP_S = 1;
const RATE_LIMIT = '1000000'; // COMITY_RATE_LIMIT's maximum (src/http/config.ts)
const USER = 'officer@fr.demo';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------------
// autocannon (CommonJS, no type declarations in the project): the part of its API used here.

interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (request: AcRequest, context: Record<string, unknown>) => AcRequest;
}
interface AcOptions {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  requests?: AcRequest[];
  timeout?: number;
}
interface AcResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  mismatches: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number; sent: number };
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: AcOptions) => Promise<AcResult>;

// ---------------------------------------------------------------------------------------------
// The server process

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  if (port === 0) throw new Error('could not find a free port');
  return port;
}

/** Last lines of the server's output, shown when something fails. */
const serverOutput: string[] = [];
function keepOutput(chunk: Buffer): void {
  // The demo logins banner (users and their TOTP secrets) is left out: only noise here.
  const lines = chunk.toString('utf8').split('\n');
  serverOutput.push(...lines.filter((line) => line.length > 0 && !/^(Demo logins|\s+\S+@\S+\s)/.test(line)));
  if (serverOutput.length > 40) serverOutput.splice(0, serverOutput.length - 40);
}

let child: ChildProcess | null = null;
let dataDir: string | null = null;

async function startServerProcess(port: number): Promise<void> {
  dataDir = await mkdtemp(join(tmpdir(), 'comity-bench-api-'));
  // Only the settings below: no DATABASE_URL, config file or secret key inherited from the shell,
  // so the server always runs on a fresh SQLite database in the temporary directory.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(COMITY_|DATABASE_)/.test(key)) env[key] = value;
  Object.assign(env, {
    COMITY_DATA_DIR: dataDir,
    COMITY_DEMO: 'true',
    COMITY_HOST: '127.0.0.1',
    COMITY_PORT: String(port),
    COMITY_LOG_LEVEL: 'warn',
    COMITY_RATE_LIMIT: RATE_LIMIT,
  });
  child = spawn(process.execPath, [join(ROOT, 'bin', 'comity.js'), 'serve', '--demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', keepOutput);
  child.stderr?.on('data', keepOutput);
}

async function waitReady(base: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited before it was ready (code ${child?.exitCode}, signal ${child?.signalCode})`);
    try {
      const response = await fetch(`${base}/readyz`);
      if (response.ok) return Date.now() - started;
      await response.body?.cancel();
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the server was not ready after ${timeoutMs / 1000} s`);
}

let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const proc = child;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  })();
  return cleaning;
}

// ---------------------------------------------------------------------------------------------
// Signing in (login, TOTP) and the API token

class HttpFailure extends Error {
  override name = 'HttpFailure';
}

async function expectOk(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new HttpFailure(`${what}: HTTP ${response.status} ${text}`);
  return text.length > 0 ? (JSON.parse(text) as unknown) : null;
}

async function apiToken(base: string): Promise<string> {
  // The demo password is generated at the server's first start and kept beside its data.
  const demo = readDemoLogins(join(dataDir as string, 'demo-logins.json'));
  const secret = demo.users.find((u) => u.email === USER)?.totpSecret;
  if (!secret) throw new Error(`no TOTP secret for ${USER} in demo-logins.json`);

  const cookiesOf = (response: Response): string =>
    response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => !c?.startsWith('comity_device='))
      .join('; ');
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: USER, password: demo.password }) });
  let cookie = cookiesOf(login);
  const session = (await expectOk(login, `POST /api/auth/login as ${USER}`)) as { csrfToken: string; mfaRequired: boolean };
  let headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken };
  if (session.mfaRequired) {
    // The seed confirmed the enrolment with the code of the current step moments ago, and a step
    // is accepted once only: use the next step's code (within the server's ±1 step window).
    const code = totpCode(secret, new Date(Date.now() + TOTP_STEP_SECONDS * 1000));
    const passed = await fetch(`${base}/api/auth/totp`, { method: 'POST', headers, body: JSON.stringify({ code }) });
    // The session is replaced once the second factor has passed: new cookies, new CSRF token.
    cookie = cookiesOf(passed);
    const rotated = (await expectOk(passed, 'POST /api/auth/totp')) as { csrfToken: string };
    headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': rotated.csrfToken };
  }
  const created = (await expectOk(
    await fetch(`${base}/api/tokens`, { method: 'POST', headers, body: JSON.stringify({ name: 'bench-api', scopes: ['cases:read', 'cases:write'], expiresInDays: 1 }) }),
    'POST /api/tokens',
  )) as { token: string };
  return created.token;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  key: 'bare' | 'createCase' | 'listCases';
  label: string;
  url: string;
  /** The autocannon request (method, headers, a body built per request). */
  request: AcRequest;
  /** One request with a plain fetch: the preflight check, and the error body on failure. */
  probe: () => Promise<Response>;
}

function scenarios(base: string, token: string): Scenario[] {
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  // A distinct references.requesting per request: the body is a template around a counter.
  const marker = 'BENCH_REFERENCE_PLACEHOLDER';
  const [head, tail] = JSON.stringify(preservationRequestFrToUs({ references: { requesting: marker } })).split(marker) as [string, string];
  const runId = Date.now().toString(36).toUpperCase();
  let seq = 0;
  const nextBody = (): string => `${head}BENCH-API-${runId}-${++seq}${tail}`;
  return [
    { key: 'bare', label: 'GET /healthz (bare route)', url: `${base}/healthz`, request: { method: 'GET' }, probe: () => fetch(`${base}/healthz`) },
    {
      key: 'createCase',
      label: 'POST /api/cases (API token)',
      url: `${base}/api/cases`,
      request: { method: 'POST', path: '/api/cases', headers: json, setupRequest: (request) => ({ ...request, body: nextBody() }) },
      probe: () => fetch(`${base}/api/cases`, { method: 'POST', headers: json, body: nextBody() }),
    },
    {
      key: 'listCases',
      label: 'GET /api/cases?limit=50 (API token)',
      url: `${base}/api/cases?limit=50`,
      request: { method: 'GET', path: '/api/cases?limit=50', headers: auth },
      probe: () => fetch(`${base}/api/cases?limit=50`, { headers: auth }),
    },
  ];
}

async function run(scenario: Scenario, duration: number): Promise<AcResult> {
  return autocannon({ url: scenario.url, connections: CONNECTIONS, duration, timeout: 30, requests: [scenario.request] });
}

async function explainFailure(scenario: Scenario, result: AcResult): Promise<string> {
  const codes = Object.entries(result.statusCodeStats)
    .map(([code, s]) => `${code}×${s.count}`)
    .join(', ');
  let sample: string;
  try {
    const response = await scenario.probe();
    sample = `plain fetch of the same request: HTTP ${response.status} ${await response.text()}`;
  } catch (error) {
    sample = `plain fetch of the same request failed: ${(error as Error).message}`;
  }
  return [
    `${scenario.label}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts (status codes: ${codes || 'none'})`,
    sample,
    ...(serverOutput.length > 0 ? ['server output (last lines):', ...serverOutput.map((l) => `  ${l}`)] : []),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await startServerProcess(port);
  const readyMs = await waitReady(base);
  console.log(`server: node bin/comity.js serve --demo, pid ${child?.pid}, ${base}, SQLite in ${dataDir}, ready in ${(readyMs / 1000).toFixed(1)} s`);
  console.log(`server settings: COMITY_LOG_LEVEL=warn, COMITY_RATE_LIMIT=${RATE_LIMIT} per minute (the maximum accepted; the limiter stays in the path but never refuses, so it does not distort the figures)`);
  const token = await apiToken(base);
  console.log(`signed in as ${USER} (password + TOTP), API token with scopes cases:read, cases:write`);
  console.log(`load: autocannon from this process, ${CONNECTIONS} connections, ${DURATION_S} s per scenario after a ${WARMUP_S} s warm-up`);

  const figures: Record<string, { rps: number; p99ms: number }> = {};
  for (const scenario of scenarios(base, token)) {
    const probe = await scenario.probe();
    if (!probe.ok) throw new HttpFailure(`${scenario.label}: preflight HTTP ${probe.status} ${await probe.text()}`);
    await probe.body?.cancel();
    const warm = await run(scenario, WARMUP_S);
    const result = await run(scenario, DURATION_S);
    for (const r of [warm, result]) {
      if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) throw new HttpFailure(await explainFailure(scenario, r));
    }
    figures[scenario.key] = { rps: Number(result.requests.average.toFixed(1)), p99ms: result.latency.p99 };
    console.log(
      `  ${scenario.label.padEnd(36)} ${result.requests.average.toFixed(1).padStart(9)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  max ${result.latency.max} ms  ` +
        `(${result.requests.total} requests in ${result.duration.toFixed(1)} s, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`,
    );
  }
  const bare = figures.bare as { rps: number; p99ms: number };
  const createCase = figures.createCase as { rps: number; p99ms: number };
  const ratio = Number((createCase.rps / bare.rps).toFixed(4));
  console.log(`createCase / bare throughput: ${ratio}`);

  // 4. Signed-in reads while one anonymous client hammers the costliest public route.
  const list = scenarios(base, token).find((s) => s.key === 'listCases') as Scenario;
  let hammering = true;
  const matrixStatuses: Record<number, number> = {};
  let day = 0;
  const hammer = (async () => {
    while (hammering) {
      // A new date each time: every request the limit lets through is a cache miss.
      const date = new Date(Date.UTC(2020, 0, 1) + (day += 1) * 86_400_000).toISOString().slice(0, 10);
      const response = await fetch(`${base}/api/law/matrix?instrument=ETS185&date=${date}`);
      await response.body?.cancel();
      matrixStatuses[response.status] = (matrixStatuses[response.status] ?? 0) + 1;
    }
  })();
  await run(list, WARMUP_S);
  const loaded = await run(list, DURATION_S);
  hammering = false;
  await hammer;
  if (loaded.non2xx > 0 || loaded.errors > 0 || loaded.timeouts > 0) throw new HttpFailure(await explainFailure(list, loaded));
  const unexpected = Object.keys(matrixStatuses).filter((code) => code !== '200' && code !== '429');
  if (unexpected.length > 0) throw new HttpFailure(`the anonymous matrix client got unexpected statuses: ${JSON.stringify(matrixStatuses)}`);
  const underPublicLoad = { rps: Number(loaded.requests.average.toFixed(1)), p99ms: loaded.latency.p99, matrix200: matrixStatuses[200] ?? 0, matrix429: matrixStatuses[429] ?? 0 };
  console.log(
    `  ${'GET /api/cases under matrix load'.padEnd(36)} ${loaded.requests.average.toFixed(1).padStart(9)} req/s  p50 ${loaded.latency.p50} ms  p99 ${loaded.latency.p99} ms  max ${loaded.latency.max} ms  ` +
      `(anonymous GET /api/law/matrix: ${underPublicLoad.matrix200} computed, ${underPublicLoad.matrix429} refused 429)`,
  );
  console.log(JSON.stringify({ name: 'api', bare, createCase, listCases: figures.listCases, ratioCreateToBare: ratio, underPublicLoad, p99_under_public_load_ms: loaded.latency.p99 }));
}

process.once('SIGINT', () => {
  console.error('interrupted: stopping the server');
  void cleanup().finally(() => process.exit(130));
});

try {
  await main();
} catch (error) {
  console.error(`bench:api FAILED\n${error instanceof HttpFailure ? error.message : ((error as Error).stack ?? String(error))}`);
  if (!(error instanceof HttpFailure) && serverOutput.length > 0) console.error(['server output (last lines):', ...serverOutput.map((l) => `  ${l}`)].join('\n'));
  process.exitCode = 1;
} finally {
  await cleanup();
}
