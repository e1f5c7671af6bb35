import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { checkPasswordPolicy } from '../auth/index.js';
import { DEMO_USERS, newDemoPassword } from './seed.js';

const refusedFor = (password: string): string[] => DEMO_USERS.filter((user) => checkPasswordPolicy(password, { email: user.email }).length > 0).map((user) => user.email);

test('a demo password is never one the password policy refuses for a demo user (a random draw can hold "poc" or "jld")', () => {
  // What the draw alone gives: some of 10,000 hold a demo user's e-mail name (≈ 1 in 800).
  let plain = 0;
  for (let i = 0; i < 10_000; i += 1) if (refusedFor(`demo-${randomBytes(16).toString('base64url')}`).length > 0) plain += 1;
  assert.ok(plain > 0, 'the draw alone sometimes holds an e-mail name (else this test proves nothing)');
  for (let i = 0; i < 10_000; i += 1) {
    const password = newDemoPassword();
    assert.match(password, /^demo-[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(refusedFor(password), [], password);
  }
});
