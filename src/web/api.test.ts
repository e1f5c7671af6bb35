import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiClient, createApi, newIdempotencyKey } from './api';
import { readCookie } from './lib/cookies';
import { ApiProblem } from './lib/problem';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(respond: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const impl = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call = { url: String(input), init };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  return { calls, impl };
}

const json = (status: number, body: unknown, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    assert.equal(readCookie('a=1; comity_csrf=abc%2Bdef; b=2', 'comity_csrf'), 'abc+def');
    assert.equal(readCookie('comity_csrf_x=1', 'comity_csrf'), null);
    assert.equal(readCookie('', 'comity_csrf'), null);
    assert.equal(readCookie('comity_csrf=%E0%A4%A', 'comity_csrf'), '%E0%A4%A');
  });
});

describe('ApiClient', () => {
  it('sends the CSRF token from the cookie on unsafe methods only, same-origin', async () => {
    const { calls, impl } = fakeFetch(() => json(200, { ok: true }));
    const client = new ApiClient({ fetch: impl, cookies: () => 'comity_csrf=tok-1' });
    await client.get('/api/cases', { query: { state: 'sent', limit: 25, offset: undefined } });
    await client.post('/api/cases/c1/events/send', { expectedVersion: 2 });
    await client.delete('/api/tokens/t1');
    assert.equal(calls[0]?.url, '/api/cases?state=sent&limit=25');
    assert.equal(calls[0]?.init.credentials, 'same-origin');
    assert.equal((calls[0]?.init.headers as Record<string, string>)['x-csrf-token'], undefined);
    const post = calls[1];
    assert.equal(post?.init.method, 'POST');
    assert.equal((post?.init.headers as Record<string, string>)['x-csrf-token'], 'tok-1');
    assert.equal((post?.init.headers as Record<string, string>)['content-type'], 'application/json');
    assert.equal(post?.init.body, '{"expectedVersion":2}');
    assert.equal((calls[2]?.init.headers as Record<string, string>)['x-csrf-token'], 'tok-1');
  });

  it('sends an idempotency key with a create when given one; keys are 32 hex digits and fresh', async () => {
    const { calls, impl } = fakeFetch(() => json(201, { id: 'c1' }));
    const api = createApi(new ApiClient({ fetch: impl, cookies: () => 'comity_csrf=tok-1' }));
    await api.cases.create({ facts: 'x' }, 'k-1');
    await api.cases.create({ facts: 'x' });
    assert.equal((calls[0]?.init.headers as Record<string, string>)['idempotency-key'], 'k-1');
    assert.equal((calls[0]?.init.headers as Record<string, string>)['x-csrf-token'], 'tok-1');
    assert.equal((calls[1]?.init.headers as Record<string, string>)['idempotency-key'], undefined);
    const keys = new Set(Array.from({ length: 100 }, () => newIdempotencyKey()));
    assert.equal(keys.size, 100);
    for (const key of keys) assert.match(key, /^[0-9a-f]{32}$/);
  });

  it('falls back to the token of the last sign-in when the cookie is unreadable', async () => {
    const { calls, impl } = fakeFetch((call) => (call.url === '/api/auth/login' ? json(200, { csrfToken: 'from-login', mfaRequired: true, mfaEnrolmentRequired: false }) : json(200, { mfaPassed: true })));
    const api = createApi(new ApiClient({ fetch: impl, cookies: () => '' }));
    await api.auth.login('officer@fr.demo', 'pw');
    assert.equal((calls[0]?.init.headers as Record<string, string>)['x-csrf-token'], undefined);
    await api.auth.totp('123456');
    assert.equal((calls[1]?.init.headers as Record<string, string>)['x-csrf-token'], 'from-login');
    assert.equal(calls[1]?.init.body, '{"code":"123456"}');
  });

  it('throws an ApiProblem with code and issues for a problem answer', async () => {
    const { impl } = fakeFetch(() =>
      json(422, { type: '/errors#validation-failed', title: 'x', status: 422, code: 'validation-failed', issues: [{ field: 'facts', message: 'required' }] }, 'application/problem+json; charset=utf-8'),
    );
    const client = new ApiClient({ fetch: impl, cookies: () => '' });
    await assert.rejects(client.post('/api/cases', {}), (error: unknown) => {
      assert.ok(error instanceof ApiProblem);
      assert.equal(error.code, 'validation-failed');
      assert.deepEqual(error.issues, [{ field: 'facts', message: 'required' }]);
      return true;
    });
  });

  it('tells the listeners when the session is gone', async () => {
    const { impl } = fakeFetch(() => json(401, { code: 'unauthenticated', status: 401, title: 'Sign in' }, 'application/problem+json'));
    const client = new ApiClient({ fetch: impl, cookies: () => '' });
    const seen: string[] = [];
    const off = client.onUnauthenticated((p) => seen.push(p.code));
    await assert.rejects(client.get('/api/stats'));
    off();
    await assert.rejects(client.get('/api/stats'));
    assert.deepEqual(seen, ['unauthenticated']);
  });

  it('turns a failed request into network-error, but lets an abort through', async () => {
    const client = new ApiClient({
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
      cookies: () => '',
    });
    await assert.rejects(client.get('/api/stats'), (e: unknown) => e instanceof ApiProblem && e.code === 'network-error');
    const controller = new AbortController();
    controller.abort();
    const aborting = new ApiClient({
      fetch: (async () => {
        throw new DOMException('aborted', 'AbortError');
      }) as typeof fetch,
      cookies: () => '',
    });
    await assert.rejects(aborting.get('/api/stats', { signal: controller.signal }), (e: unknown) => e instanceof DOMException && e.name === 'AbortError');
  });

  it('returns undefined for 204 and parses JSON otherwise', async () => {
    const { impl } = fakeFetch((call) => (call.url.endsWith('logout') ? new Response(null, { status: 204 }) : json(200, { total: 1, cases: [] })));
    const api = createApi(new ApiClient({ fetch: impl, cookies: () => '' }));
    assert.equal(await api.auth.logout(), undefined);
    assert.deepEqual(await api.cases.list({ limit: 10, offset: 20 }), { total: 1, cases: [] });
  });

  it('encodes path parameters', async () => {
    const { calls, impl } = fakeFetch(() => json(200, {}));
    const api = createApi(new ApiClient({ fetch: impl, cookies: () => '' }));
    await api.cases.get('a/b');
    await api.law('/parties/FR', { date: '2026-11-20' });
    assert.equal(calls[0]?.url, '/api/cases/a%2Fb');
    assert.equal(calls[1]?.url, '/api/law/parties/FR?date=2026-11-20');
  });
});
