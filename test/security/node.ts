/**
 * @module test/security/node
 * The security suite's target: a Comity node started as users start it (`node bin/comity.js
 * serve --demo` in its own process, a fresh data directory, the demo deployment), probed from
 * outside over real HTTP with `fetch` — no `inject`, no shared memory. `COMITY_TRUST_PROXY=true`
 * lets a test speak from many client addresses (`X-Forwarded-For`), as clients behind a reverse
 * proxy do.
 *
 * A {@link Client} keeps its own cookies (session, CSRF, device) like a browser, and echoes the
 * CSRF token on unsafe methods.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { totpCode, totpStep, TOTP_STEP_SECONDS } from '../../src/auth/index.js';
import { readDemoLogins, type SeededUser } from '../../src/demo/seed.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or null. */
  json: unknown;
}

export class Client {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly node: Node,
    readonly address?: string,
  ) {}

  async request(method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.address) headers['x-forwarded-for'] = this.address;
    const csrf = this.cookies.get('comity_csrf');
    if (csrf && !['GET', 'HEAD'].includes(method)) headers['x-csrf-token'] = decodeURIComponent(csrf);
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.node.base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  get(path: string, headers?: Record<string, string>): Promise<Answer> {
    return this.request('GET', path, headers ? { headers } : {});
  }

  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
    return this.request('POST', path, { ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  }

  /** Password, then (when asked) the next unused TOTP code. Throws unless both pass. */
  async signIn(email: string, password = this.node.password): Promise<void> {
    const login = await this.post('/api/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`sign-in of ${email}: ${login.status} ${login.text}`);
    if (!(login.json as { mfaRequired: boolean }).mfaRequired) return;
    const passed = await this.post('/api/auth/totp', { code: await this.node.nextCode(email) });
    if (passed.status !== 200) throw new Error(`second factor of ${email}: ${passed.status} ${passed.text}`);
  }
}

export class Node {
  base = '';
  password = '';
  users: SeededUser[] = [];
  private child: ChildProcess | null = null;
  private dataDir = '';
  private readonly output: string[] = [];
  private readonly lastStep = new Map<string, number>();

  /** Starts `comity serve --demo` with these extra settings and waits until it is ready. */
  static async start(env: Record<string, string> = {}): Promise<Node> {
    const node = new Node();
    node.dataDir = await mkdtemp(join(tmpdir(), 'comity-security-'));
    const port = await freePort();
    const inherited: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(COMITY_|DATABASE_)/.test(key)) inherited[key] = value;
    node.child = spawn(process.execPath, [join(ROOT, 'bin', 'comity.js'), 'serve', '--demo'], {
      cwd: ROOT,
      env: { ...inherited, COMITY_DATA_DIR: node.dataDir, COMITY_PORT: String(port), COMITY_HOST: '127.0.0.1', COMITY_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      node.output.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
      if (node.output.length > 200) node.output.splice(0, node.output.length - 200);
    };
    node.child.stdout?.on('data', keep);
    node.child.stderr?.on('data', keep);
    node.base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (node.child.exitCode !== null) throw new Error(`the node exited: ${node.log()}`);
      if (i > 900) throw new Error(`the node was not ready after 90 s: ${node.log()}`);
      const ready = await fetch(`${node.base}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      await sleep(100);
    }
    const demo = readDemoLogins(join(node.dataDir, 'demo-logins.json'));
    node.password = demo.password;
    node.users = demo.users;
    // The seed confirmed every enrolment with the code of the current step.
    for (const user of demo.users) if (user.totpSecret) node.lastStep.set(user.email, totpStep(new Date()));
    return node;
  }

  client(address?: string): Client {
    return new Client(this, address);
  }

  /** The server's output lines (its log: warnings and alerts). */
  log(): string {
    return this.output.join('\n');
  }

  /** A TOTP code of a step this user has not used yet (waiting for the next step when needed). */
  async nextCode(email: string): Promise<string> {
    const secret = this.users.find((u) => u.email === email)?.totpSecret;
    if (!secret) throw new Error(`${email} has no TOTP secret`);
    const now = totpStep(new Date());
    const step = Math.max(now, (this.lastStep.get(email) ?? 0) + 1);
    // The server accepts the current step and one either side.
    while (step > totpStep(new Date()) + 1) await sleep(1000);
    this.lastStep.set(email, step);
    return totpCode(secret, new Date(step * TOTP_STEP_SECONDS * 1000 + 1000));
  }

  async close(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** Asserts the shape of an RFC 9457 problem and returns its code. */
export function problemCode(answer: Answer): string | null {
  if (!/^application\/problem\+json/.test(answer.headers.get('content-type') ?? '')) return null;
  const body = answer.json as { code?: unknown; status?: unknown } | null;
  return body && typeof body.code === 'string' && body.status === answer.status ? body.code : null;
}
