import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
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

describe('comity cases', () => {
  before(async () => {
    process.env.COMITY_DATA_DIR = join(dir, 'data');
    delete process.env.DATABASE_URL;
    for (const [i, authority] of DEMO_AUTHORITIES.entries()) {
      const created = await run('authorities', 'create', file(`authority-${i}.json`, authority));
      assert.equal(created.code, 0, created.stderr.join('\n'));
    }
  });

  test('create, transition, show, list and deadlines, with --json', async () => {
    const created = await json<{ id: string; state: string; reference: string }>('cases', 'create', file('request.json', preservationRequestFrToUs()));
    assert.equal(created.state, 'draft');
    await json('cases', 'transition', created.id, 'approve', '--data', file('review.json', { review: DEMO_REVIEW }));
    const sent = await json<{ state: string; version: number }>('cases', 'transition', created.id, 'send', '--expect-version', '2');
    assert.deepEqual([sent.state, sent.version], ['sent', 3]);
    await json('cases', 'transition', created.id, 'receive', '--as', 'bob@us-doj-oia');
    const detail = await json<{ history: { event: string; actor: string }[]; deadlines: { deadlineId: string }[] }>('cases', 'show', created.id);
    assert.deepEqual(detail.history.map((e) => e.event), ['create', 'approve', 'send', 'receive']);
    assert.equal(detail.history[3]?.actor, 'bob@us-doj-oia');
    assert.deepEqual(detail.deadlines.map((d) => d.deadlineId), ['preservation-minimum']);
    const list = await json<{ total: number; cases: { id: string }[] }>('cases', 'list', '--state', 'received');
    assert.ok(list.cases.some((c) => c.id === created.id));
    const table = await run('cases', 'list');
    assert.match(table.stdout, new RegExp(created.reference));
    assert.ok(Array.isArray(await json('cases', 'deadlines', '--overdue')));
  });

  test('create --idempotency-key: a retry prints the case created the first time; another file under the key is refused', async () => {
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
  });

  test('bad input: one line on stderr, exit 2, nothing written', async () => {
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
    const unapprovable = await run('cases', 'transition', created.id, 'approve');
    assert.equal(unapprovable.code, 2);
    assert.match(unapprovable.stderr[0] ?? '', /review: .*independent review/);
    const after = await json<{ total: number; cases: { id: string; version: number }[] }>('cases', 'list');
    assert.equal(after.total, before.total + 1, 'only the valid create was written');
    assert.equal(after.cases.find((c) => c.id === created.id)?.version, 1, 'rejected transitions changed nothing');
  });
});
