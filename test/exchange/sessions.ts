/**
 * @module test/exchange/sessions
 * Signing in to a real `comity serve --demo` process through its API (password, then the TOTP
 * code of the next step: the seed used the current one), and waiting for a peer's effect.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { base32Decode, totpCode, totpStep, TOTP_STEP_SECONDS } from '../../src/auth/index.js';
import { freePort } from '../../bench/exchange-cluster.js';

export interface DemoServer {
  url: string;
  totp: Map<string, string>;
  password: string;
  seedStep: number;
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** Collects the demo password and the TOTP secrets from a server's start-up output. */
export function readDemoOutput(output: string, totp: Map<string, string>): string {
  for (const match of output.matchAll(/^(?:\[[^\]]+\] )?\s+(\S+@\S+)\s.*TOTP secret ([A-Z2-7]+)/gm)) totp.set(match[1]!, match[2]!);
  return /password for all: (\S+)/.exec(output)?.[1] ?? '';
}

export async function signIn(server: DemoServer, email: string): Promise<ApiCall> {
  let cookies = '';
  let csrf = '';
  // PATCH_BYTES: a whole tus upload from offset 0; GET_BYTES: the raw body (as a Buffer).
  const call: ApiCall = async (verb, path, body) => {
    const bytes = verb === 'PATCH_BYTES';
    const method = bytes ? 'PATCH' : verb === 'GET_BYTES' ? 'GET' : verb;
    // A full URL: the same session on another process of the node.
    const response = await fetch(path.startsWith('http') ? path : `${server.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': bytes ? 'application/offset+octet-stream' : 'application/json' }),
        ...(bytes ? { 'upload-offset': '0', 'tus-resumable': '1.0.0' } : {}),
        ...(cookies ? { cookie: cookies } : {}),
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
      },
      ...(body === undefined ? {} : { body: bytes ? (body as Buffer) : JSON.stringify(body) }),
    });
    if (verb === 'GET_BYTES' && response.ok) return Buffer.from(await response.arrayBuffer()) as unknown as Record<string, unknown>;
    const set = response.headers.getSetCookie();
    if (set.length > 0) cookies = set.map((c) => c.split(';')[0]).join('; ');
    const text = await response.text();
    const json = text && response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return json;
  };
  const login = await call('POST', '/api/auth/login', { email, password: server.password });
  csrf = String(login.csrfToken);
  const secret = server.totp.get(email);
  if (secret) {
    const code = totpCode(base32Decode(secret), new Date((server.seedStep + 1) * TOTP_STEP_SECONDS * 1000));
    const confirmed = await call('POST', '/api/auth/totp', { code });
    if (typeof confirmed.csrfToken === 'string') csrf = confirmed.csrfToken;
  }
  return call;
}

export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A `comity serve --demo` federation node process, restartable on the same port and data. */
export interface NodeServer extends DemoServer {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

export async function startNodeServer(options: { dir: string; name: string; nodeId: string; hosted: string; databaseUrl?: string | null; port?: number; endpoint?: string; env?: Record<string, string> }): Promise<NodeServer> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(COMITY_|DATABASE_)/.test(key)) env[key] = value;
  Object.assign(env, {
    COMITY_DATA_DIR: join(options.dir, options.name),
    COMITY_HOST: '127.0.0.1',
    COMITY_PORT: String(port),
    COMITY_LOG_LEVEL: 'warn',
    COMITY_SECURE_COOKIES: 'false',
    COMITY_NODE_ID: options.nodeId,
    COMITY_NODE_ENDPOINT: options.endpoint ?? `http://127.0.0.1:${port}`,
    COMITY_NODE_HOST: options.hosted,
    COMITY_PEER_DIR: join(options.dir, 'peers'),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  const totp = new Map<string, string>();
  let output = '';
  const server: NodeServer = {
    url: `http://127.0.0.1:${port}`,
    totp,
    password: '',
    seedStep: totpStep(new Date()),
    child: undefined as unknown as ChildProcess,
    output: () => output,
    async kill(signal = 'SIGKILL') {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill(signal);
      await exited;
    },
    async restart() {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'comity.js'), 'serve', '--demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
      server.child = child;
      running.add(child);
      child.once('exit', () => running.delete(child));
      let mine = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          mine += chunk.toString();
          output += chunk.toString();
          const password = readDemoOutput(mine, totp);
          if (server.password === '' && password !== '') server.password = password;
          if (mine.includes('Federation node') && /TOTP secret/.test(mine)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`${options.name} exited (${code}): ${mine}`)));
      });
      // The login lines follow the start-up line: wait for the last one.
      await until(async () => mine, (m) => /\n\s+admin@\S+.*\n/.test(m) || /All|Demo logins[^\n]*\n(?:.*\n){3,}/.test(m), 'the demo logins', 10_000).catch(() => undefined);
    },
  };
  await server.restart();
  // Sign-ins use the TOTP step after this one: the seed used an earlier one.
  server.seedStep = totpStep(new Date());
  return server;
}

const ROOT = join(import.meta.dirname, '..', '..');
const running = new Set<ChildProcess>();
/** Kills every node process still running (an `after` hook). */
export function killNodeServers(): void {
  for (const child of running) child.kill('SIGKILL');
}
