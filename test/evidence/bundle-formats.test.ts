/**
 * Older bundle formats keep verifying: real bundles written by the Comity of commit b79fe66
 * (format 1: no tlog proofs, no ASiC-E signature; see fixtures/bundle-v1/README.md) verify with a
 * report naming their format and what it could not prove, and every single-byte change to them
 * is still detected. The current format stays strict: a bundle declaring format 2 without its
 * proofs or signature fails, and an unknown declared format is refused.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { exportBundle } from '../../src/evidence/bundle.js';
import { formatReport, verifyBundle, FORMAT_1_LIMITATIONS } from '../../src/evidence/bundle-verify.js';
import { addEvidence } from '../../src/evidence/index.js';
import { entryBuffer, readZipStructure } from '../../src/evidence/zip-reader.js';
import { memorySource, positions, rezip } from './bytes.js';
import { acceptedCaseDirect, openNode, US } from './node-fixture.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'bundle-v1');

async function entriesOf(bytes: Buffer): Promise<{ name: string; content: Buffer }[]> {
  const source = memorySource(bytes);
  const out: { name: string; content: Buffer }[] = [];
  for (const e of await readZipStructure(source)) out.push({ name: e.name, content: await entryBuffer(source, e) });
  return out;
}

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

describe('older bundle formats', () => {
  it('a format-1 bundle (full and partial) verifies, naming its format and what it could not prove', async () => {
    for (const [name, scope, files] of [
      ['v1-full.zip', 'full', 2],
      ['v1-partial.zip', 'partial', 1],
    ] as const) {
      const report = await verifyBundle(memorySource(await readFile(join(FIXTURES, name))));
      assert.equal(report.ok, true, `${name}: ${report.firstFailure?.check ?? ''} ${report.firstFailure?.detail ?? ''}`);
      assert.equal(report.scope, scope);
      assert.equal(report.files.length, files);
      assert.deepEqual(report.format, { version: 1, limitations: [...FORMAT_1_LIMITATIONS] });
      assert.equal(report.log, null);
      assert.equal(report.signer, null);
      // The checks of format 1 all ran: signatures, receipts (and the chain for the full one).
      assert.ok(report.checks.some((c) => c.check.endsWith(': signature')));
      assert.equal(report.checks.filter((c) => c.check.endsWith(': receipt')).length, files);
      const text = formatReport(report);
      assert.match(text, /Bundle format version 1 \(older; the current is 2\)/);
      assert.match(text, /this version could not prove: no transparency-log proofs/);
      assert.match(text, /this version could not prove: no signed ASiC-E manifest/);
      assert.match(text, /^VERIFIED \(format 1\)/m);
    }
    const cli = await run('verify', join(FIXTURES, 'v1-full.zip'), '--json');
    assert.equal(cli.code, 0, cli.stderr.join('\n'));
    assert.equal((JSON.parse(cli.stdout) as { format: { version: number } }).format.version, 1);
  });

  it('tamper: single-byte changes anywhere in a format-1 bundle (raw, and behind a consistent ZIP) are all detected', async () => {
    const original = await readFile(join(FIXTURES, 'v1-full.zip'));
    const entries = await readZipStructure(memorySource(original));
    const random = positions(0x5eed01, 1 << 30);
    let tried = 0;
    const accepted: string[] = [];
    // Raw: every byte outside entry contents (headers, names, central directory, end record), and
    // 1500 anywhere.
    const inData = (at: number) => entries.some((e) => at >= e.dataOffset && at < e.dataOffset + e.compressedSize);
    const raw = [...[...Array(original.length).keys()].filter((at) => !inData(at)), ...Array.from({ length: 1500 }, () => (random.next().value as number) % original.length)];
    for (const at of raw) {
      const bytes = Buffer.from(original);
      bytes[at] = (bytes[at] as number) ^ (1 + (at % 255));
      tried += 1;
      if ((await verifyBundle(memorySource(bytes))).ok) accepted.push(`raw@${at}`);
    }
    // Behind a consistent ZIP: 24 random bytes of every entry's content, every byte of the small ones.
    const contents = await entriesOf(original);
    assert.equal((await verifyBundle(memorySource(await rezip(contents)))).ok, true);
    for (const [i, entry] of contents.entries()) {
      if (entry.name === 'mimetype' || entry.content.length === 0) continue;
      const offsets = entry.content.length <= 128 ? [...entry.content.keys()] : Array.from({ length: 24 }, () => (random.next().value as number) % entry.content.length);
      for (const at of offsets) {
        const changed = Buffer.from(entry.content);
        changed[at] = (changed[at] as number) ^ (1 + (tried % 255));
        tried += 1;
        const rebuilt = await rezip(contents.map((c, j) => (j === i ? { name: c.name, content: changed } : c)));
        if ((await verifyBundle(memorySource(rebuilt))).ok) accepted.push(`${entry.name}@${at}`);
      }
    }
    console.log(`format-1 bundle tamper: ${tried} single-byte changes on a ${original.length}-byte bundle of ${entries.length} entries, ${tried - accepted.length} detected`);
    assert.deepEqual(accepted, []);
  });

  it('a format-1 bundle may not carry format-2 files it does not declare (only proof/README.txt under proof/)', async () => {
    const contents = await entriesOf(await readFile(join(FIXTURES, 'v1-full.zip')));
    const extra = await rezip([...contents, { name: 'proof/custody-00000001.tlog-proof', content: Buffer.from('x') }]);
    const report = await verifyBundle(memorySource(extra));
    assert.equal(report.ok, false);
    assert.deepEqual(report.firstFailure, { check: 'proof/custody-00000001.tlog-proof', ok: false, detail: 'an entry a Comity bundle does not have' });
  });

  describe('the current format stays strict', () => {
    let dir: string;
    let current: Buffer;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'comity-bundle-formats-'));
      const node = await openNode(join(dir, 'node'));
      const caseId = await acceptedCaseDirect(node.ev, 'FORMATS');
      await addEvidence(node.ev, US, caseId, { name: 'mail.mbox', length: 26, dataCategory: 'content', producer: 'Example Mail Inc.' }, Readable.from([Buffer.from('From a@example.com\n\nhello\n')]));
      const chunks: Buffer[] = [];
      await exportBundle(node.ev, US, caseId, new Writable({ write: (c: Buffer, _e, cb) => void (chunks.push(c), cb()) }), { record: false });
      current = Buffer.concat(chunks);
      await node.handle.close();
    });
    after(async () => rm(dir, { recursive: true, force: true }));

    it('declares format 2 and verifies as format 2 with nothing it could not prove', async () => {
      const contents = await entriesOf(current);
      assert.match(contents.find((c) => c.name === 'bag-info.txt')?.content.toString('utf8') ?? '', /^Comity-Bundle-Format: 2$/m);
      const report = await verifyBundle(memorySource(current));
      assert.equal(report.ok, true);
      assert.deepEqual(report.format, { version: 2, limitations: [] });
      assert.doesNotMatch(formatReport(report), /could not prove/);
    });

    it('without its signature or its log proofs, a bundle declaring format 2 fails (no downgrade to format 1)', async () => {
      const contents = await entriesOf(current);
      for (const drop of [(n: string) => n.startsWith('META-INF/ASiC') || n === 'META-INF/signature.p7s', (n: string) => n.startsWith('proof/'), (n: string) => n === 'META-INF/signature.p7s']) {
        const report = await verifyBundle(memorySource(await rezip(contents.filter((c) => !drop(c.name)))));
        assert.equal(report.ok, false);
        assert.equal(report.format?.version, 2);
        assert.match(report.firstFailure?.detail ?? '', /missing/);
      }
    });

    it('an unknown declared format is refused, naming it', async () => {
      const contents = await entriesOf(current);
      const bumped = contents.map((c) => (c.name === 'bag-info.txt' ? { name: c.name, content: Buffer.from(c.content.toString('utf8').replace('Comity-Bundle-Format: 2', 'Comity-Bundle-Format: 3')) } : c));
      const report = await verifyBundle(memorySource(await rezip(bumped)));
      assert.equal(report.ok, false);
      assert.equal(report.firstFailure?.check, 'bag-info.txt: Comity-Bundle-Format');
      assert.match(report.firstFailure?.detail ?? '', /format "3" is not one this verifier knows/);
    });
  });
});
