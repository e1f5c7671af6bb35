import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { HttpProblem } from '../problems.js';
import { registerWebRoutes, resolveWebFile } from './web.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

async function appWith(root: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof HttpProblem) return reply.code(404).type('application/problem+json').send({ code: error.code, detail: error.message });
    return reply.code(500).send({ code: 'internal-error' });
  });
  app.get('/api/stats', async () => ({ ok: true }));
  await registerWebRoutes(app, {} as AppDeps, { root });
  await app.ready();
  return app;
}

describe('web workspace routes', () => {
  let dir: string;
  let built: FastifyInstance;
  let empty: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'comity-web-'));
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    mkdirSync(join(dist, '.vite'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Comity</title><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, '.vite', 'manifest.json'), '{}');
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    built = await appWith(dist);
    empty = await appWith(join(dir, 'missing'));
  });

  after(async () => {
    await built.close();
    await empty.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / (revalidated, never cached as immutable)', async () => {
    const res = await built.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.body, /id="root"/);
    assert.equal(res.headers['cache-control'], 'no-cache');
  });

  it('serves hashed assets as immutable', async () => {
    const res = await built.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.match(String(res.headers['cache-control']), /immutable/);
  });

  it('falls back to index.html for workspace paths a browser navigates to', async () => {
    for (const url of ['/cases', '/cases/01900000-0000-7000-8000-000000000001', '/statistics?x=1', '/requests/new']) {
      const res = await built.inject({ method: 'GET', url, headers: HTML });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /id="root"/, url);
    }
  });

  it('answers 404 problems for API paths, missing assets, dotfiles and non-HTML clients', async () => {
    for (const [url, headers] of [
      ['/api/nope', HTML],
      ['/api', HTML],
      ['/docs/nope', HTML],
      ['/assets/missing-123.js', HTML],
      ['/favicon.ico', HTML],
      ['/.vite/manifest.json', HTML],
      ['/cases', { accept: 'application/json' }],
      ['/cases', {}],
      ['/../secret.txt', HTML],
      ['/%2e%2e/secret.txt', HTML],
      ['/assets/%2e%2e/%2e%2e/secret.txt', HTML],
    ] as const) {
      const res = await built.inject({ method: 'GET', url, headers });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().code, 'not-found', url);
    }
  });

  it('leaves other routes alone', async () => {
    const res = await built.inject({ method: 'GET', url: '/api/stats' });
    assert.deepEqual(res.json(), { ok: true });
  });

  it('says how to build the workspace when it is not built', async () => {
    for (const url of ['/', '/cases']) {
      const res = await empty.inject({ method: 'GET', url, headers: HTML });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /npm run build:web/, url);
      assert.doesNotMatch(res.body, /<script/i, 'no inline script (CSP)');
    }
    assert.equal((await empty.inject({ method: 'GET', url: '/assets/x.js', headers: HTML })).statusCode, 404);
  });

  it('resolveWebFile stays inside the root', () => {
    const root = join(dir, 'dist');
    assert.equal(resolveWebFile(root, '/assets/index-abc123.js'), 'assets/index-abc123.js');
    assert.equal(resolveWebFile(root, '/assets'), null, 'a directory');
    assert.equal(resolveWebFile(root, '/../secret.txt'), null);
    assert.equal(resolveWebFile(root, '/assets/..%5C..%5Csecret.txt'), null);
    assert.equal(resolveWebFile(root, '/%E0%A4%A'), null);
    assert.equal(resolveWebFile(root, '/a%00b'), null);
  });
});
