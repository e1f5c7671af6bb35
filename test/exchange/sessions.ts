/**
 * @module test/exchange/sessions
 * Signing in to a real `comity serve --demo` process through its API (password, then the TOTP
 * code of the next step: the seed used the current one), and waiting for a peer's effect.
 */
import assert from 'node:assert/strict';
import { base32Decode, totpCode, TOTP_STEP_SECONDS } from '../../src/auth/index.js';

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
  const call: ApiCall = async (method, path, body) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(cookies ? { cookie: cookies } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
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
