/**
 * Rate limits count per user, not per token (issue 18): a user with several tokens has one budget.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './harness.js';

describe('rate limits per user [sqlite]', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(async () => {
    await t?.close();
  });

  it('two tokens of one user share one limit; another user has their own', async () => {
    const limited = await t.appWith({ rateLimitPerMinute: 4 });
    const [a, b] = [await t.token('officer@fr.demo', ['cases:read']), await t.token('officer@fr.demo', ['cases:read'])];
    const other = await t.token('drafter@fr.demo', ['cases:read']);
    const get = (token: string) => limited.inject({ method: 'GET', url: '/api/cases', headers: { authorization: `Bearer ${token}` } });
    const statuses = [];
    for (const token of [a, a, b, b, b, a]) statuses.push((await get(token)).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
    assert.equal((await get(other)).statusCode, 200);
  });
});
