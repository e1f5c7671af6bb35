/** scrypt hashing: round trip, wrong password, tampered or malformed hashes, and the policy. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkPasswordPolicy, hashPassword, needsRehash, verifyPassword } from './passwords.js';

describe('password hashing (scrypt)', () => {
  it('hashes in the documented format with a random salt', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    assert.match(a, /^scrypt\$15\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(a, b, 'a fresh salt each time');
    assert.equal(needsRehash(a), false);
    assert.equal(needsRehash('scrypt$14$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='), true);
  });

  it('verifies the password and nothing else (property, few runs: scrypt is slow by design)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), async (password, other) => {
        const stored = await hashPassword(password);
        assert.equal(await verifyPassword(password, stored), true);
        if (other.normalize('NFKC') !== password.normalize('NFKC')) assert.equal(await verifyPassword(other, stored), false);
      }),
      { numRuns: 4 },
    );
  });

  it('normalises Unicode (NFKC): a composed and a decomposed é verify alike', async () => {
    const stored = await hashPassword('Caf\u00e9 au lait 2026');
    assert.equal(await verifyPassword('Cafe\u0301 au lait 2026', stored), true);
  });

  it('rejects a wrong password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword('correct horse battery stapler', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('rejects tampered and malformed hashes without throwing', async () => {
    const password = 'correct horse battery staple';
    const stored = await hashPassword(password);
    const parts = stored.split('$');
    const flip = (text: string, i: number) => text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    const tampered = [
      [...parts.slice(0, 5), flip(parts[5] as string, 3)].join('$'), // the key
      [...parts.slice(0, 4), flip(parts[4] as string, 3), parts[5]].join('$'), // the salt
      ['scrypt', '14', ...parts.slice(2)].join('$'), // the cost
      ['scrypt', '15', '4', ...parts.slice(3)].join('$'),
      ['scrypt', '15', '8', '2', ...parts.slice(4)].join('$'),
      ['scrypt', '40', ...parts.slice(2)].join('$'), // absurd cost: refused before any work
      ['scrypt', '15', '8', '1', parts[4], ''].join('$'),
      stored.replace('scrypt$', 'bcrypt$'),
      `${stored}$`,
      stored.slice(0, -4),
      '',
      'not a hash',
      password,
    ];
    for (const hash of tampered) assert.equal(await verifyPassword(password, hash), false, hash);
  });
});

describe('password policy', () => {
  const codes = (password: string, email?: string) => checkPasswordPolicy(password, email === undefined ? {} : { email }).map((i) => i.code);

  it('accepts long passphrases and mixed passwords', () => {
    assert.deepEqual(codes('correct horse battery staple 9'), []);
    assert.deepEqual(codes('Tr0ub4dor&3-xyz'), []);
    assert.deepEqual(codes('Ένας κωδικός 2026'), []);
  });

  it('requires at least 12 characters, counted in code points', () => {
    assert.ok(codes('Short1!').includes('too-short'));
    assert.ok(codes('').includes('too-short'));
    assert.ok(codes('😀😀😀😀😀a1b2c').includes('too-short'), '11 code points');
    assert.ok(!codes('x'.repeat(1024)).includes('too-long'));
    assert.ok(codes('aB1'.repeat(400)).includes('too-long'));
  });

  it('refuses a single character class, too few distinct characters, the e-mail, well-known passwords', () => {
    assert.ok(codes('abcdefghijklmnop').includes('one-character-class'));
    assert.ok(codes('123456789012345').includes('one-character-class'));
    assert.ok(codes('ABCDEFGHIJKLMNOP').includes('one-character-class'));
    assert.ok(codes('aaaaaaaaaaaaaaaA').includes('too-few-distinct'));
    assert.ok(codes('alice.martin-2026!', 'Alice.Martin@justice.example').includes('contains-email'));
    assert.ok(codes('Password2026!').includes('common'));
    assert.ok(codes('Qwerty123456!').includes('common'));
    assert.ok(!codes('my password is long and mine 42').includes('common'));
  });

  it('lists every issue with a message', () => {
    const issues = checkPasswordPolicy('aaaa');
    assert.deepEqual(issues.map((i) => i.code).sort(), ['one-character-class', 'too-few-distinct', 'too-short']);
    assert.ok(issues.every((i) => i.message.length > 0));
  });
});
