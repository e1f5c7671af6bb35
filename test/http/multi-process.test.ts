/**
 * One node as two processes on one PostgreSQL database, as behind a load balancer (issue 12):
 * a session opened on one process works on the other (sessions are rows, not process memory),
 * and the HTTP rate limit is one count per client across both (the PostgreSQL store), where the
 * in-memory store would give each process its own allowance.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { totpStep } from '../../src/auth/index.js';
import { freePort } from '../../bench/exchange-cluster.js';
import { postgresProbe } from '../db/dialects.js';
import { freshPostgresDatabase } from '../exchange/pg-database.js';
import { readDemoOutput, signIn, type DemoServer } from '../exchange/sessions.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'comity-multi-'));
const children: ChildProcess[] = [];
let dropDb: (() => Promise<void>) | null = null;
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
});

async function start(databaseUrl: string, totp: Map<string, string>): Promise<{ url: string; output: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(COMITY_|DATABASE_)/.test(key)) env[key] = value;
  Object.assign(env, { COMITY_DATA_DIR: dir, COMITY_HOST: '127.0.0.1', COMITY_PORT: String(port), COMITY_LOG_LEVEL: 'warn', COMITY_SECURE_COOKIES: 'false', COMITY_RATE_LIMIT: '30', DATABASE_URL: databaseUrl });
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'comity.js'), 'serve', '--demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      readDemoOutput(output, totp);
      if (/running at/.test(output) && /TOTP secret[^\n]*\n[\s\S]*admin@comity\.demo[^\n]*\n/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}): ${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, output };
}

it('two processes of one node on PostgreSQL: sessions and the rate limit are shared', { skip: !postgresProbe.reachable && 'PostgreSQL not reachable', timeout: 120_000 }, async () => {
  const database = await freshPostgresDatabase('comity_multi');
  dropDb = database.drop;
  const totp = new Map<string, string>();
  // The first process migrates and seeds; the second finds the database ready.
  const a = await start(database.url, totp);
  const b = await start(database.url, totp);
  const server: DemoServer = { url: a.url, totp, password: readDemoOutput(a.output, totp), seedStep: totpStep(new Date()) };

  // A session opened on process A (password and second factor) is valid on process B.
  const officer = await signIn(server, 'officer@fr.demo');
  const me = await officer('GET', `${b.url}/api/auth/me`);
  assert.equal((me.user as { email?: string } | undefined)?.email ?? me.email, 'officer@fr.demo');

  // The limit (30 per minute per client) counts across both processes: 40 anonymous requests,
  // alternating between A and B, get exactly 10 refusals (each process alone would allow 30).
  let limited = 0;
  for (let i = 0; i < 40; i++) {
    const response = await fetch(`${i % 2 === 0 ? a.url : b.url}/api/law/parties`);
    await response.body?.cancel();
    if (response.status === 429) limited += 1;
  }
  assert.equal(limited, 10, `${limited} requests refused of 40 (limit 30 across both processes)`);
});
