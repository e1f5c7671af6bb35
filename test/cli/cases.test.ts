import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { createApiToken, createAuthContext, createSecretBox, createUser, type Role } from '../../src/auth/index.js';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openDatabase, resolveDbConfig } from '../../src/db/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-cli-cases-'));
const file = (name: string, value: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await run(...args, '--json');
  assert.equal(result.code, 0, result.stderr.join('\n'));
  return JSON.parse(result.stdout) as T;
}

/** API tokens of real users, made as an administrator would (the CLI has no account commands). */
const tokens: Record<'officer' | 'judge' | 'us' | 'both', string> = { officer: '', judge: '', us: '', both: '' };

async function addUserWithToken(email: string, authorityId: string, roles: Role[]): Promise<string> {
  const handle = await openDatabase(resolveDbConfig(process.env));
  try {
    const auth = createAuthContext(handle.db, createSecretBox(randomBytes(32)));
    const user = await createUser(auth, { id: 'system', authorityId: null }, { email, displayName: email, authorityId, roles, password: 'a long enough passphrase 42' });
    const created = await createApiToken(auth, { id: user.id, authorityId }, { userId: user.id, name: 'cli', scopes: ['cases:read', 'cases:write'], expiresInDays: 1 });
    return created.token;
  } finally {
    await handle.close();
  }
}

describe('comity cases', () => {
  before(async () => {
    process.env.COMITY_DATA_DIR = join(dir, 'data');
    delete process.env.DATABASE_URL;
    delete process.env.COMITY_TOKEN;
    // The operator (the OS user, no token) registers the authorities: that is an operator's right.
    for (const [i, authority] of DEMO_AUTHORITIES.entries()) {
      const created = await run('authorities', 'create', file(`authority-${i}.json`, authority));
      assert.equal(created.code, 0, created.stderr.join('\n'));
    }
    tokens.officer = await addUserWithToken('officer@cli.test', 'fr-ca', ['drafter', 'central-authority-officer']);
    tokens.judge = await addUserWithToken('judge@cli.test', 'fr-ca', ['reviewer']);
    tokens.us = await addUserWithToken('officer-us@cli.test', 'us-doj-oia', ['central-authority-officer']);
    tokens.both = await addUserWithToken('both@cli.test', 'fr-ca', ['drafter', 'reviewer']);
  });

  test('create, transition, show, list and deadlines, with --json, each as the user of its token', async () => {
    const created = await json<{ id: string; state: string; reference: string }>('cases', 'create', file('request.json', preservationRequestFrToUs()), '--token', tokens.officer);
    assert.equal(created.state, 'draft');
    await json('cases', 'transition', created.id, 'approve', '--data', file('review.json', { review: DEMO_REVIEW }), '--token', tokens.judge);
    const sent = await json<{ state: string; version: number }>('cases', 'transition', created.id, 'send', '--expect-version', '2', '--token', tokens.officer);
    assert.deepEqual([sent.state, sent.version], ['sent', 3]);
    process.env.COMITY_TOKEN = tokens.us;
    try {
      await json('cases', 'transition', created.id, 'receive');
    } finally {
      delete process.env.COMITY_TOKEN;
    }
    const detail = await json<{ history: { event: string; actor: string }[]; deadlines: { deadlineId: string }[] }>('cases', 'show', created.id, '--token', tokens.officer);
    assert.deepEqual(detail.history.map((e) => e.event), ['create', 'approve', 'send', 'receive']);
    const tokenId = (token: string) => `token:${/^cmt_([a-z2-7]+)_/.exec(token)?.[1] ?? ''}`;
    assert.deepEqual(detail.history.map((e) => e.actor), [tokenId(tokens.officer), tokenId(tokens.judge), tokenId(tokens.officer), tokenId(tokens.us)], 'each change recorded as the real user’s token');
    assert.deepEqual(detail.deadlines.map((d) => d.deadlineId), ['preservation-minimum']);
    const list = await json<{ total: number; cases: { id: string }[] }>('cases', 'list', '--state', 'received', '--token', tokens.us);
    assert.ok(list.cases.some((c) => c.id === created.id));
    const table = await run('cases', 'list', '--token', tokens.officer);
    assert.match(table.stdout, new RegExp(created.reference));
    assert.ok(Array.isArray(await json('cases', 'deadlines', '--overdue')), 'the operator watches clocks');
  });

  test('no acting as anyone: --as is gone; the operator may not act in a case; a token carries its user’s roles, side and separation of duties', async () => {
    const request = file('identity.json', preservationRequestFrToUs({ references: { requesting: 'CLI-IDENTITY' } }));
    const refused: [string[], RegExp][] = [
      [['cases', 'create', request, '--as', 'user:someone'], /unknown option '--as'/],
      [['cases', 'create', request], new RegExp(`forbidden: the operator \\(os:${userInfo().username}\\) may run only`)],
      [['cases', 'list'], /forbidden: the operator/],
      [['cases', 'create', request, '--token', 'cmt_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'], /the API token is not valid/],
      [['cases', 'create', request, '--token', tokens.judge], /forbidden: requires one of the roles drafter/],
      [['cases', 'list', '--authority', 'us-doj-oia', '--token', tokens.officer], /forbidden: a user sees only the cases of their own authority/],
    ];
    for (const [args, pattern] of refused) {
      const { code, stdout, stderr } = await run(...args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stdout, '');
      assert.equal(stderr.length, 1, stderr.join('\n'));
      assert.match(stderr[0] ?? '', pattern);
    }
    const created = await json<{ id: string }>('cases', 'create', request, '--token', tokens.both);
    // Separation of duties: who drafted the request (and holds the reviewer role too) cannot approve it.
    const review = file('review-sod.json', { review: DEMO_REVIEW });
    const self = await run('cases', 'transition', created.id, 'approve', '--data', review, '--token', tokens.both);
    assert.equal(self.code, 2);
    assert.match(self.stderr[0] ?? '', /forbidden: separation of duties: who drafted the request cannot approve it/);
    assert.equal((await run('cases', 'transition', created.id, 'approve', '--data', review, '--token', tokens.judge)).code, 0, 'another reviewer may');
    const own = await run('cases', 'transition', created.id, 'receive', '--token', tokens.officer);
    assert.equal(own.code, 2);
    assert.match(own.stderr[0] ?? '', /forbidden: receive is for the requested side/);
    const foreign = await run('cases', 'show', created.id, '--token', tokens.us);
    assert.equal(foreign.code, 2);
    assert.match(foreign.stderr[0] ?? '', /not-found: no case/, 'a draft of another authority is invisible');
  });

  test('create --idempotency-key: a retry prints the case created the first time; another file under the key is refused', async () => {
    process.env.COMITY_TOKEN = tokens.officer;
    const request = file('once.json', preservationRequestFrToUs({ references: { requesting: 'CLI-ONCE' } }));
    const first = await run('cases', 'create', request, '--idempotency-key', 'cli-key-1');
    assert.equal(first.code, 0);
    assert.match(first.stdout, /^created /);
    const again = await run('cases', 'create', request, '--idempotency-key', 'cli-key-1');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^already created /);
    assert.equal(again.stdout.replace('already created', 'created'), first.stdout);
    const other = await run('cases', 'create', file('other.json', preservationRequestFrToUs({ references: { requesting: 'CLI-OTHER' } })), '--idempotency-key', 'cli-key-1');
    assert.equal(other.code, 2);
    assert.match(other.stderr[0] ?? '', /idempotency-key-reused/);
    delete process.env.COMITY_TOKEN;
  });

  test('bad input: one line on stderr, exit 2, nothing written', async () => {
    process.env.COMITY_TOKEN = tokens.officer;
    const before = await json<{ total: number }>('cases', 'list');
    const cases: [string[], RegExp][] = [
      [['cases', 'create', file('bad.json', '{not json')], /not valid JSON/],
      [['cases', 'create', file('empty.json', {})], /^comity: invalid-request: invalid request — requestingAuthority/],
      [['cases', 'create', file('unknown-basis.json', preservationRequestFrToUs({ legalBasis: 'ETS185:99' }))], /unknown legal basis "ETS185:99"/],
      [['cases', 'create', file('unknown-authority.json', preservationRequestFrToUs({ addressee: 'xx-nobody' }))], /unknown authority "xx-nobody"/],
      [['cases', 'create', join(dir, 'missing.json')], /cannot read/],
      [['cases', 'create', file('key.json', preservationRequestFrToUs()), '--idempotency-key', 'no spaces allowed'], /invalid idempotency key/],
      [['cases', 'list', '--state', 'flying'], /unknown state "flying"/],
      [['cases', 'list', '--limit', '0'], /invalid --limit "0"/],
      [['cases', 'show', 'no-such-case'], /not-found: no case no-such-case/],
      [['cases', 'transition', 'no-such-case', 'send'], /not-found/],
    ];
    for (const [args, pattern] of cases) {
      const { code, stdout, stderr } = await run(...args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stdout, '');
      assert.equal(stderr.length, 1, stderr.join('\n'));
      assert.match(stderr[0] ?? '', pattern);
    }
    const created = await json<{ id: string }>('cases', 'create', file('request2.json', preservationRequestFrToUs()));
    const invalid = await run('cases', 'transition', created.id, 'send');
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr[0] ?? '', /cannot send a case that is draft/);
    const unapprovable = await run('cases', 'transition', created.id, 'approve', '--token', tokens.judge);
    assert.equal(unapprovable.code, 2);
    assert.match(unapprovable.stderr[0] ?? '', /review: .*independent review/);
    const after = await json<{ total: number; cases: { id: string; version: number }[] }>('cases', 'list');
    assert.equal(after.total, before.total + 1, 'only the valid create was written');
    assert.equal(after.cases.find((c) => c.id === created.id)?.version, 1, 'rejected transitions changed nothing');
    delete process.env.COMITY_TOKEN;
  });
});
