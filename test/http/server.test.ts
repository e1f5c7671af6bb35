import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { startServer } from '../../src/server.js';
import { DEMO_USERS } from '../../src/demo/seed.js';

test('comity serve: demo deployment on a fresh SQLite database, printed logins, readiness, close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-serve-'));
  const lines: string[] = [];
  const server = await startServer({ COMITY_DATA_DIR: dir, COMITY_PORT: '0', COMITY_DEMO: 'true', COMITY_LOG_LEVEL: 'silent' }, { print: (line) => lines.push(line), logger: false });
  try {
    assert.match(lines[0] ?? '', /^Comity is running at http:\/\/localhost:\d+/);
    assert.ok(lines.some((l) => l.includes('officer@fr.demo') && l.includes('TOTP secret')), 'demo logins printed');
    assert.equal(server.demoUsers.length, DEMO_USERS.length, 'every demo login is seeded on a single server');
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'sqlite' });
    await server.close();
    await assert.rejects(fetch(`${server.url}/healthz`), 'the server no longer accepts connections');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('comity serve: a bad setting stops the start with one line naming it', async () => {
  await assert.rejects(startServer({ COMITY_PORT: 'eighty', COMITY_DATA_DIR: mkdtempSync(join(tmpdir(), 'comity-serve-')) }, { print: () => undefined, logger: false }), /COMITY_PORT="eighty": expected an integer from 0 to 65535/);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

test('SIGTERM finishes the request in flight, then the process exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-sigterm-'));
  const port = await freePort();
  const bin = new URL('../../bin/comity.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'serve'], { env: { PATH: process.env.PATH ?? '', COMITY_DATA_DIR: dir, COMITY_SECRET_KEY: randomBytes(32).toString('hex'), COMITY_PORT: String(port), COMITY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200 && !(await fetch(`${url}/readyz`).then((r) => r.ok, () => false)); i += 1) await new Promise((r) => setTimeout(r, 100));
    // The whole ETS 185 matrix keeps the server busy for a while: SIGTERM arrives mid-request.
    const inFlight = fetch(`${url}/api/law/matrix?instrument=ETS185&date=2026-12-01`);
    await new Promise((resolve) => setTimeout(resolve, 40));
    child.kill('SIGTERM');
    const response = await inFlight;
    assert.equal(response.status, 200);
    // The answer closes its keep-alive connection: without it, the connection (busy when the close
    // began) would hold the shutdown until the keep-alive timeout, 72 s.
    assert.equal(response.headers.get('connection'), 'close');
    assert.ok(((await response.json()) as { pairs: unknown[] }).pairs.length > 1000);
    const answered = Date.now();
    assert.equal(await exited, 0, output);
    const exitSeconds = (Date.now() - answered) / 1000;
    assert.ok(exitSeconds < 30, `the process exited ${exitSeconds.toFixed(1)} s after answering: it waited for the client's keep-alive connection`);
    assert.match(output, /SIGTERM: finishing in-flight requests and shutting down/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
