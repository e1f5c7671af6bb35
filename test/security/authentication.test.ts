/**
 * Security suite — authentication and throttling, against a node started as users start it,
 * over real HTTP, from many client addresses (X-Forwarded-For behind COMITY_TRUST_PROXY).
 * Each test names the finding of issue 10 or 18 it guards; each failed on f3b6134.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Node, problemCode, type Answer } from './node.js';

let node: Node;
let address = 0;
/** A client address nobody used yet in this suite. */
const fresh = (): string => `10.${Math.floor(++address / 250)}.${address % 250}.7`;

const withoutInstance = (answer: Answer): unknown => {
  const { instance: _ignored, ...rest } = answer.json as Record<string, unknown>;
  return { status: answer.status, ...rest };
};

describe('security: authentication and throttling [node over HTTP]', () => {
  before(async () => {
    node = await Node.start({ COMITY_TRUST_PROXY: 'true' });
  });
  after(async () => {
    await node?.close();
  });

  it('issue 10: wrong API tokens are throttled per address like passwords, and the answer never tells unknown, revoked or expired apart', async () => {
    const owner = node.client(fresh());
    await owner.signIn('officer@fr.demo');
    const created = await owner.post('/api/tokens', { name: 'to revoke', scopes: ['cases:read'], expiresInDays: 1 });
    assert.equal(created.status, 201, created.text);
    const { id, token } = created.json as { id: string; token: string };
    assert.equal((await owner.request('DELETE', `/api/tokens/${id}`)).status, 200);
    const prober = node.client(fresh());
    const revoked = await prober.get('/api/cases', { authorization: `Bearer ${token}` });
    const unknown = await prober.get('/api/cases', { authorization: `Bearer cmt_${'a'.repeat(16)}_${'b'.repeat(43)}` });
    const malformed = await prober.get('/api/cases', { authorization: 'Bearer cmt_x' });
    assert.deepEqual(withoutInstance(revoked), withoutInstance(unknown), 'a revoked token answers exactly like one that never existed');
    assert.deepEqual(withoutInstance(malformed), withoutInstance(unknown));
    assert.equal(problemCode(unknown), 'unauthenticated');

    // Ten failed credentials per address are free; then the address waits, doubling.
    const guesser = node.client(fresh());
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await guesser.get('/api/cases', { authorization: `Bearer cmt_${'c'.repeat(16)}_${String(i).padStart(43, 'x')}` })).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.ok(statuses.slice(10).every((s) => s === 429), `then 429: ${statuses.join(',')}`);
    const waiting = await guesser.get('/api/cases', { authorization: `Bearer ${token}` });
    assert.equal(problemCode(waiting), 'throttled');
    assert.match(waiting.headers.get('retry-after') ?? '', /^\d+$/);
    // Another address is not held up.
    const valid = await owner.post('/api/tokens', { name: 'valid', scopes: ['cases:read'], expiresInDays: 1 });
    assert.equal((await node.client(fresh()).get('/api/cases', { authorization: `Bearer ${(valid.json as { token: string }).token}` })).status, 200);
  });

  it('issue 18: an attacker from many addresses cannot keep the real user out; the real password and second factor still work', async () => {
    const email = 'officer@us.demo';
    // The real user signed in on this browser before: it holds the account's device cookie.
    const browser = node.client(fresh());
    await browser.signIn(email);
    assert.ok(browser.cookies.has('comity_device'), 'a complete sign-in leaves a device cookie');
    await browser.post('/api/auth/logout');
    // The attack: wrong passwords from 40 addresses.
    const answers: string[] = [];
    for (let i = 0; i < 40; i++) {
      const attacker = node.client(fresh());
      answers.push(problemCode(await attacker.post('/api/auth/login', { email, password: `guess-${i}-of-a-long-password` })) ?? 'none');
    }
    assert.ok(answers.filter((c) => c === 'invalid-credentials').length <= 10, `the account slows strangers down: ${answers.join(',')}`);
    assert.ok(answers.includes('throttled'));
    assert.ok(!answers.includes('locked'));
    // The real user, from yet another address, with the right password and code: in.
    browser.cookies.delete('comity_session');
    const real = node.client(fresh());
    real.cookies.set('comity_device', browser.cookies.get('comity_device') as string);
    await real.signIn(email);
    const cases = await real.get('/api/cases');
    assert.equal(cases.status, 200, cases.text);
    // A stranger's device (no cookie) is held up for at most the ceiling, never locked.
    const stranger = await node.client(fresh()).post('/api/auth/login', { email, password: node.password });
    assert.ok(stranger.status === 200 || (problemCode(stranger) === 'throttled' && Number(stranger.headers.get('retry-after')) <= 60), stranger.text);
  });

  it('issue 10: the session is rotated after the second factor', async () => {
    const c = node.client(fresh());
    const login = await c.post('/api/auth/login', { email: 'judge@fr.demo', password: node.password });
    assert.equal(login.status, 200);
    const before = c.cookies.get('comity_session') as string;
    const old = node.client(fresh());
    old.cookies.set('comity_session', before);
    const passed = await c.post('/api/auth/totp', { code: await node.nextCode('judge@fr.demo') });
    assert.equal(passed.status, 200, passed.text);
    assert.notEqual(c.cookies.get('comity_session'), before, 'a new session token');
    assert.equal((await c.get('/api/cases')).status, 200);
    assert.equal(problemCode(await old.get('/api/cases')), 'unauthenticated', 'the token seen before the second factor is dead');
  });

  it('issue 10: a token scoped to reading the law cannot list or revoke its owner’s tokens; the explicit scope can', async () => {
    const owner = node.client(fresh());
    await owner.signIn('drafter@fr.demo');
    const lawOnly = ((await owner.post('/api/tokens', { name: 'law', scopes: ['law:read'], expiresInDays: 1 })).json as { token: string }).token;
    const other = (await owner.post('/api/tokens', { name: 'other', scopes: ['cases:read'], expiresInDays: 1 })).json as { id: string };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const machine = node.client(fresh());
    assert.equal(problemCode(await machine.get('/api/tokens', bearer(lawOnly))), 'forbidden');
    assert.equal(problemCode(await machine.request('DELETE', `/api/tokens/${other.id}`, { headers: bearer(lawOnly) })), 'forbidden');
    const manager = ((await owner.post('/api/tokens', { name: 'manager', scopes: ['tokens'], expiresInDays: 1 })).json as { token: string }).token;
    assert.equal((await machine.get('/api/tokens', bearer(manager))).status, 200);
    assert.equal(problemCode(await machine.post('/api/tokens', { name: 'x', scopes: ['law:read'], expiresInDays: 1 }, bearer(manager))), 'forbidden', 'a token never mints a token');
  });

  it('issue 10: the body is read only after authentication (an anonymous 1 MiB body is refused unread)', async () => {
    const anonymous = node.client(fresh());
    const answer = await anonymous.request('POST', '/api/cases', { raw: `{"facts":"${'x'.repeat(900_000)}"` });
    // Malformed JSON would be a 400 if it were parsed: the 401 shows it never was.
    assert.equal(problemCode(answer), 'unauthenticated');
  });

  it('issue 10: /metrics is not public', async () => {
    const answer = await node.client(fresh()).get('/metrics');
    assert.equal(answer.status, 404);
    assert.ok(!answer.text.includes('comity_http_requests_total'));
  });
});
