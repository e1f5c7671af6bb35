/**
 * The single-file offline verifier page (verifier/verifier.html), opened from disk in Chromium
 * with the network disabled: a bundle is chosen, the page shows the same verdict as `comity
 * verify` — VERIFIED for a good bundle (full and partial), NOT VERIFIED naming the first failing
 * check for a tampered one — and it makes no network request at all.
 */
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { exportBundle } from '../../src/evidence/bundle.js';
import { verifyBundle } from '../../src/evidence/bundle-verify.js';
import { addEvidence } from '../../src/evidence/index.js';
import { entryBuffer, readZipStructure } from '../../src/evidence/zip-reader.js';
import yazl from 'yazl';
import { acceptedCaseDirect, openNode, US } from '../evidence/node-fixture.js';
import { CHROMIUM, chromiumSkipReason, ROOT } from './harness.js';

const skip = chromiumSkipReason();
/** The archive rebuilt canonically with one entry's content changed by `change` (CRC-32 right). */
async function rebuiltWith(bytes: Buffer, name: string, change: (content: Buffer) => Buffer): Promise<Buffer> {
  const source = memory(bytes);
  const zip = new yazl.ZipFile();
  for (const e of await readZipStructure(source)) {
    const content = await entryBuffer(source, e);
    zip.addBuffer(e.name === name ? change(content) : content, e.name, { mtime: new Date(1980, 0, 1, 0, 0, 0), forceDosTimestamp: true, mode: 0o100644, compress: false });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
const memory = (bytes: Buffer) => ({ size: bytes.length, read: async (o: number, l: number) => bytes.subarray(o, o + l) });

describe('offline verifier page in Chromium', { skip }, () => {
  let dir: string;
  let browser: Browser;
  const bundles: Record<string, string> = {};
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'comity-verifier-page-'));
    const node = await openNode(join(dir, 'node'));
    const caseId = await acceptedCaseDirect(node.ev, 'VERIFIER-PAGE');
    const meta = (name: string, length: number) => ({ name, length, dataCategory: 'content', producer: 'Example Mail Inc.' });
    const a = await addEvidence(node.ev, US, caseId, meta('mail é.mbox', 26), Readable.from([Buffer.from('From a@example.com\n\nhello\n')]));
    const big = Buffer.alloc(300_000, 'x');
    await addEvidence(node.ev, US, caseId, meta('big.log', big.length), Readable.from([big]));
    const write = async (name: string, options: { items?: string[] } = {}) => {
      const path = join(dir, name);
      await exportBundle(node.ev, US, caseId, createWriteStream(path), { ...options, record: false });
      bundles[name] = path;
      return path;
    };
    const full = await write('full.zip');
    await write('partial.zip', { items: [a.id] });
    const bytes = await readFile(full);
    const entry = (await readZipStructure(memory(bytes))).find((e) => e.name.endsWith('big.log'));
    assert.ok(entry);
    bytes[entry.dataOffset + 10] = 'y'.charCodeAt(0);
    bundles['tampered.zip'] = join(dir, 'tampered.zip');
    await writeFile(bundles['tampered.zip'], bytes);
    // Behind a consistent ZIP: a proof hash, the checkpoint's signature, the CAdES signature.
    const original = await readFile(full);
    const flip = (at: (c: Buffer) => number) => (c: Buffer) => {
      const copy = Buffer.from(c);
      const i = at(copy);
      copy[i] = copy[i] === 0x41 ? 0x42 : 0x41;
      return copy;
    };
    const proofName = (await readZipStructure(memory(original))).find((e) => e.name.endsWith('.tlog-proof'))?.name as string;
    for (const [name, entryName, at] of [
      ['proof.zip', proofName, (c: Buffer) => c.indexOf('\n\n') - 5],
      ['checkpoint.zip', 'proof/checkpoint', (c: Buffer) => c.length - 10],
      ['cades.zip', 'META-INF/signature.p7s', (c: Buffer) => c.length - 3],
    ] as const) {
      bundles[name] = join(dir, name);
      await writeFile(bundles[name], await rebuiltWith(original, entryName, flip(at)));
    }
    await node.handle.close();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function check(file: string): Promise<{ ok: string; report: string; requests: string[] }> {
    const context = await browser.newContext({ offline: true });
    const requests: string[] = [];
    context.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await context.route(/^(?!file:)/, (route) => route.abort());
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(ROOT, 'verifier', 'verifier.html')).href);
    await page.setInputFiles('#file', file);
    await page.waitForSelector('#status[data-ok]', { timeout: 15_000 });
    const ok = (await page.getAttribute('#status', 'data-ok')) ?? '';
    const report = (await page.textContent('#report')) ?? '';
    await context.close();
    return { ok, report, requests };
  }

  it('a good bundle: VERIFIED, as comity verify says, with no network request', async () => {
    const result = await check(bundles['full.zip'] as string);
    assert.equal(result.ok, 'true', result.report);
    assert.match(result.report, /VERIFIED: every digest/);
    assert.match(result.report, /mail é\.mbox/);
    assert.deepEqual(result.requests, []);
    const cli = await verifyBundle(memory(await readFile(bundles['full.zip'] as string)));
    assert.equal(cli.ok, true);
    // The same checks ran: as many, the log proofs and the ASiC-E signature among them.
    assert.ok(result.report.includes(`${cli.checks.length} check(s)`), `${result.report}\n-- CLI: ${cli.checks.length} checks`);
    assert.ok(result.report.includes(`transparency log ${cli.log?.origin ?? '?'}: checkpoint of ${cli.log?.size ?? '?'} entries`), result.report);
    assert.ok(result.report.includes(`bundle signed (CAdES), certificate SHA-256 ${cli.signer?.sha256Fingerprint ?? '?'}`), result.report);
  });

  it('a format-1 bundle (written before the log proofs and the ASiC-E signature): VERIFIED (format 1), saying what it could not prove, as comity verify', async () => {
    const fixture = join(ROOT, 'test', 'evidence', 'fixtures', 'bundle-v1', 'v1-full.zip');
    const result = await check(fixture);
    assert.equal(result.ok, 'true', result.report);
    assert.match(result.report, /Bundle format version 1 \(older; the current is 2\)/);
    assert.match(result.report, /this version could not prove: no transparency-log proofs/);
    assert.match(result.report, /^VERIFIED \(format 1\)/m);
    const cli = await verifyBundle(memory(await readFile(fixture)));
    assert.ok(result.report.includes(`${cli.checks.length} check(s)`), `${result.report}\n-- CLI: ${cli.checks.length} checks`);
    // Changed behind a consistent ZIP, it no longer verifies, and the page names what the CLI names.
    const changed = join(dir, 'v1-changed.zip');
    await writeFile(changed, await rebuiltWith(await readFile(fixture), 'documents/request.json', (c) => Buffer.from(c.toString('utf8').replace('OLD-BUNDLE-V1', 'OLD-BUNDLE-V2'))));
    const bad = await check(changed);
    assert.equal(bad.ok, 'false', bad.report);
    const cliBad = await verifyBundle(memory(await readFile(changed)));
    assert.equal(cliBad.ok, false);
    assert.ok(bad.report.includes(`first failure: ${cliBad.firstFailure?.check ?? '?'}`), `${bad.report}\n-- CLI: ${JSON.stringify(cliBad.firstFailure)}`);
  });

  it('a partial export: VERIFIED', async () => {
    const result = await check(bundles['partial.zip'] as string);
    assert.equal(result.ok, 'true', result.report);
  });

  it('a tampered bundle: NOT VERIFIED, naming the same first failure as comity verify', async () => {
    const result = await check(bundles['tampered.zip'] as string);
    assert.equal(result.ok, 'false');
    const cli = await verifyBundle(memory(await readFile(bundles['tampered.zip'] as string)));
    assert.equal(cli.ok, false);
    assert.ok(result.report.includes(`first failure: ${cli.firstFailure?.check ?? '?'}`), `${result.report}\n-- CLI: ${JSON.stringify(cli.firstFailure)}`);
  });

  for (const name of ['proof.zip', 'checkpoint.zip', 'cades.zip']) {
    it(`a changed ${name.replace('.zip', '')} behind a consistent ZIP: NOT VERIFIED, every failure as comity verify names it`, async () => {
      const result = await check(bundles[name] as string);
      assert.equal(result.ok, 'false', result.report);
      const cli = await verifyBundle(memory(await readFile(bundles[name] as string)));
      assert.equal(cli.ok, false);
      for (const failed of cli.checks.filter((c) => !c.ok)) assert.ok(result.report.includes(`FAIL ${failed.check}:`), `${result.report}\n-- CLI: ${JSON.stringify(failed)}`);
    });
  }
});
