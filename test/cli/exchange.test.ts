/**
 * `comity node …` and `comity peers …` on two data directories (two nodes): each exports its
 * signed agreement, imports the other's, lists and removes it; bad files are refused in one line
 * naming the field, and nothing is stored.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { DEMO_AUTHORITIES } from '../../src/demo/data.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-cli-exchange-'));
const savedDataDir = process.env.COMITY_DATA_DIR;
const savedSecretKey = process.env.COMITY_SECRET_KEY;
// Each node its own master key (the way a real deployment gives it: outside the data directory).
const masterKeys = { fr: randomBytes(32).toString('hex'), us: randomBytes(32).toString('hex') };

async function on(node: 'fr' | 'us', ...args: string[]) {
  process.env.COMITY_DATA_DIR = join(dir, node);
  process.env.COMITY_SECRET_KEY = masterKeys[node];
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function ok(node: 'fr' | 'us', ...args: string[]): Promise<string> {
  const result = await on(node, ...args);
  assert.equal(result.code, 0, result.stderr.join('\n'));
  return result.stdout;
}

describe('comity node and comity peers', () => {
  before(async () => {
    delete process.env.DATABASE_URL;
    for (const node of ['fr', 'us'] as const) {
      for (const [i, authority] of DEMO_AUTHORITIES.entries()) await ok(node, 'authorities', 'create', write(`${node}-authority-${i}.json`, JSON.stringify(authority)));
    }
    await ok('fr', 'node', 'init', '--id', 'FR:justice.gouv.fr', '--endpoint', 'http://127.0.0.1:9101', '--host', 'fr-ca,fr-parquet-paris');
    await ok('us', 'node', 'init', '--id', 'US:oia.justice.gov', '--endpoint', 'http://127.0.0.1:9102', '--host', 'us-doj-oia');
  });
  after(() => {
    if (savedDataDir === undefined) delete process.env.COMITY_DATA_DIR;
    else process.env.COMITY_DATA_DIR = savedDataDir;
    if (savedSecretKey === undefined) delete process.env.COMITY_SECRET_KEY;
    else process.env.COMITY_SECRET_KEY = savedSecretKey;
  });

  test('export, add, list, update after a rotation, remove', async () => {
    const frFile = join(dir, 'fr-agreement.json');
    assert.match(await ok('fr', 'node', 'export', '--out', frFile), /node FR:justice\.gouv\.fr, fingerprint [A-Za-z0-9_-]{43}/);
    // A folder that does not exist: one line naming the file (it said "cannot read" of a file to write).
    const nowhere = await on('fr', 'node', 'export', '--out', join(dir, 'missing', 'fr.json'));
    assert.equal(nowhere.code, 2);
    assert.deepEqual(nowhere.stderr, [`comity: ${JSON.stringify(join(dir, 'missing', 'fr.json'))}: no such file or directory (ENOENT)`]);
    const added = await ok('us', 'peers', 'add', frFile);
    assert.match(added, /^added peer FR:justice\.gouv\.fr at http:\/\/127\.0\.0\.1:9101, fingerprint [A-Za-z0-9_-]{43}, authorities fr-ca, fr-parquet-paris$/);
    const list = JSON.parse(await ok('us', 'peers', 'list', '--json')) as { nodeId: string; authorities: { id: string; kind: string }[] }[];
    assert.deepEqual(list.map((p) => p.nodeId), ['FR:justice.gouv.fr']);
    assert.deepEqual(list[0]?.authorities.map((a) => a.kind), ['central-authority', 'prosecutor-or-judge']);
    // The same file again is not newer: refused, naming the field.
    const again = await on('us', 'peers', 'add', frFile);
    assert.equal(again.code, 2);
    assert.match(again.stderr.join(''), /field agreement\.issuedAt: .* is not newer/);
    // A rotation keeps the old key published with its window closed; the new agreement replaces the old one.
    assert.match(await ok('fr', 'node', 'rotate', 'fr-ca'), /retired \(still verifies what it signed\)/);
    await ok('fr', 'node', 'export', '--out', frFile);
    const rotated = JSON.parse(readFileSync(frFile, 'utf8')) as { agreement: { jwks: { keys: { owner: string; exp?: number }[] } } };
    const frCaKeys = rotated.agreement.jwks.keys.filter((k) => k.owner === 'fr-ca');
    assert.equal(frCaKeys.length, 2);
    assert.equal(frCaKeys.filter((k) => k.exp !== undefined).length, 1);
    assert.match(await ok('us', 'peers', 'add', frFile), /^updated peer FR:justice\.gouv\.fr/);
    // A node does not add itself.
    const self = await on('fr', 'peers', 'add', frFile);
    assert.equal(self.code, 2);
    assert.match(self.stderr.join(''), /field agreement\.node\.id: FR:justice\.gouv\.fr is this node itself/);
    assert.equal(await ok('us', 'peers', 'remove', 'FR:justice.gouv.fr'), 'removed peer FR:justice.gouv.fr');
    assert.deepEqual(JSON.parse(await ok('us', 'peers', 'list', '--json')), []);
    const unknown = await on('us', 'peers', 'remove', 'FR:justice.gouv.fr');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr.join(''), /no peer "FR:justice\.gouv\.fr"/);
  });

  test('bad files are refused in one line naming the field, and nothing is stored', async () => {
    const good = JSON.parse(await ok('fr', 'node', 'export')) as { agreement: Record<string, unknown> & { authorities: Record<string, unknown>[]; jwks: { keys: Record<string, unknown>[] } }; signature: { signature: string } };
    const variants: [string, (f: typeof good) => unknown, RegExp][] = [
      ['missing endpoint', (f) => ({ ...f, agreement: { ...f.agreement, node: { id: 'FR:justice.gouv.fr' } } }), /field agreement\.node\.endpoint: /],
      ['bad node id', (f) => ({ ...f, agreement: { ...f.agreement, node: { id: 'France', endpoint: 'http://x' } } }), /field agreement\.node\.id: a node id "CC:unique-identifier"/],
      ['bad kind', (f) => ({ ...f, agreement: { ...f.agreement, authorities: f.agreement.authorities.map((a, i) => (i === 1 ? { ...a, kind: 'police' } : a)) } }), /field agreement\.authorities\[1\]\.kind: /],
      ['unknown member', (f) => ({ ...f, agreement: { ...f.agreement, pmode: 'x' } }), /field agreement: Unrecognized key: "pmode"/],
      ['bad key', (f) => ({ ...f, agreement: { ...f.agreement, jwks: { keys: f.agreement.jwks.keys.map((k, i) => (i === 0 ? { ...k, x: 'short' } : k)) } } }), /field agreement\.jwks\.keys\[0\]\.x: 32 bytes in base64url/],
      ['authority without key', (f) => ({ ...f, agreement: { ...f.agreement, jwks: { keys: f.agreement.jwks.keys.filter((k) => k.owner !== 'fr-parquet-paris') } } }), /field agreement\.authorities\[1\]: no signing key for authority "fr-parquet-paris"/],
      ['altered', (f) => ({ ...f, agreement: { ...f.agreement, node: { id: 'FR:justice.gouv.fr', endpoint: 'http://evil.example' } } }), /field signature\.signature: does not verify/],
      ['no signature', (f) => ({ agreement: f.agreement }), /field signature: /],
    ];
    for (const [name, mutate, expected] of variants) {
      const result = await on('us', 'peers', 'add', write(`bad-${name}.json`, JSON.stringify(mutate(good))));
      assert.equal(result.code, 2, name);
      assert.equal(result.stderr.length, 1, name);
      assert.match(result.stderr[0] ?? '', expected, name);
    }
    const notJson = await on('us', 'peers', 'add', write('bad.json', '{"agreement": '));
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr.join(''), /peer agreement: the peer agreement is not valid JSON/);
    assert.deepEqual(JSON.parse(await ok('us', 'peers', 'list', '--json')), []);
  });

  test('node init refuses a bad id or an unknown authority', async () => {
    const badId = await on('us', 'node', 'init', '--id', 'USA-OIA', '--endpoint', 'http://x', '--host', 'us-doj-oia');
    assert.equal(badId.code, 2);
    assert.match(badId.stderr.join(''), /invalid node id "USA-OIA"/);
    const badHost = await on('us', 'node', 'init', '--id', 'US:oia.justice.gov', '--endpoint', 'http://x', '--host', 'nope');
    assert.match(badHost.stderr.join(''), /unknown hosted authority "nope"/);
  });
});
