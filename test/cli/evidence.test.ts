import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { progressLine } from '../../src/cli/progress.js';
import { acceptedCaseDirect, FIXED_MASTER_KEY, openNode } from '../evidence/node-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-cli-evidence-'));

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

describe('comity evidence and comity verify', () => {
  let caseId: string;
  before(async () => {
    process.env.COMITY_DATA_DIR = join(dir, 'data');
    process.env.COMITY_SECRET_KEY = FIXED_MASTER_KEY.toString('hex');
    delete process.env.DATABASE_URL;
    const node = await openNode(join(dir, 'data'));
    caseId = await acceptedCaseDirect(node.ev, 'CLI-EVIDENCE');
    await node.handle.close();
  });
  after(async () => {
    delete process.env.COMITY_SECRET_KEY;
    await rm(dir, { recursive: true, force: true });
  });

  test('add streams files in, list and custody show them, export writes a bundle that verify accepts', async () => {
    writeFileSync(join(dir, 'mailbox.mbox'), 'From alice@example.com Mon Nov  2 10:00:00 2026\nSubject: hi\n\nhello\n');
    writeFileSync(join(dir, 'logs.csv'), 'a,b,c\n1,2,3\n');
    const added = await run('evidence', 'add', caseId, join(dir, 'mailbox.mbox'), join(dir, 'logs.csv'), '--producer', 'Example Mail Inc.', '--authority', 'us-doj-oia', '--produced-at', '2026-11-20T09:00:00Z', '--no-progress', '--json');
    assert.equal(added.code, 0, added.stderr.join('\n'));
    const items = JSON.parse(added.stdout) as { id: string; name: string; mediaType: string; sha256: string }[];
    assert.deepEqual(items.map((i) => [i.name, i.mediaType]), [['mailbox.mbox', 'application/mbox'], ['logs.csv', 'text/csv']]);
    assert.match((await run('evidence', 'list', caseId)).stdout, /mailbox\.mbox/);
    assert.match((await run('evidence', 'custody', caseId)).stdout, /received/);
    assert.equal((await run('evidence', 'check', caseId, '--deep')).code, 0);
    const out = join(dir, 'bundle.zip');
    const exported = await run('evidence', 'export', caseId, '--out', out, '--authority', 'us-doj-oia');
    assert.equal(exported.code, 0, exported.stderr.join('\n'));
    assert.ok(existsSync(out));
    const verified = await run('verify', out);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /VERIFIED/);
    // The export is in the chain now; a disclosure to the defence too.
    assert.match((await run('evidence', 'custody', caseId)).stdout, /exported/);
    const disclosed = await run('evidence', 'export', caseId, '--out', join(dir, 'defence.zip'), '--items', items[0]?.id ?? '', '--disclose-to', 'Defence counsel (Me Martin)');
    assert.equal(disclosed.code, 0, disclosed.stderr.join('\n'));
    assert.equal((await run('verify', join(dir, 'defence.zip'))).code, 0);
    assert.match((await run('evidence', 'custody', caseId)).stdout, /disclosed/);
  });

  test('bad input: one line on stderr, exit 2, nothing changed', async () => {
    const missing = await run('evidence', 'add', caseId, join(dir, 'nope.bin'), '--producer', 'X');
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.length, 1);
    const category = await run('evidence', 'add', caseId, join(dir, 'logs.csv'), '--producer', 'X', '--category', 'gossip');
    assert.equal(category.code, 2);
    const exists = await run('evidence', 'export', caseId, '--out', join(dir, 'bundle.zip'));
    assert.equal(exists.code, 2);
    const notZip = await run('verify', join(dir, 'logs.csv'));
    assert.equal(notZip.code, 1);
    // A case id that names no case: refused, not an empty list nor "OK" from `check`.
    for (const command of ['list', 'custody', 'check']) {
      const unknown = await run('evidence', command, '0190a000-0000-7000-8000-0000000000ff');
      assert.equal(unknown.code, 2, command);
      assert.deepEqual(unknown.stderr, ['comity: not-found: no case 0190a000-0000-7000-8000-0000000000ff'], command);
      assert.equal(unknown.stdout, '', command);
    }
  });

  test('verifier-page writes the offline verifier', async () => {
    const out = join(dir, 'verifier.html');
    assert.equal((await run('evidence', 'verifier-page', '--out', out)).code, 0);
    assert.ok(existsSync(out));
    assert.equal((await run('evidence', 'verifier-page', '--out', out)).code, 2);
  });

  test('the progress line shows rate and time left', () => {
    assert.equal(progressLine('disk.img', 512 * 1024 * 1024, 1024 * 1024 * 1024, 2, 10), 'disk.img [#####.....]  50%  512.0 MiB/1.0 GiB  256.0 MiB/s  00:02 left');
  });
});
