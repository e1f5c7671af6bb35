/**
 * Evidence bundles: byte-identical for the same state, checkable with standard tools (unzip,
 * sha256sum -c, openssl), verified offline by `verifyBundle` and `comity verify`, partial
 * exports proving their files against the receipt log, the export recorded in the chain, and
 * thousands of random single-byte changes to every part of a bundle — all detected.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { exportBundle } from '../../src/evidence/bundle.js';
import { verifyBundle, type VerifyReport } from '../../src/evidence/bundle-verify.js';
import { listCustody } from '../../src/evidence/index.js';
import { entryBuffer, readZipStructure } from '../../src/evidence/zip-reader.js';
import { buildTestApp, type TestApp } from '../http/harness.js';
import { memorySource, positions, rezip } from './bytes.js';
import { acceptedCase, upload } from './fixture.js';

function sink(): { stream: Writable; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return { stream: new Writable({ write: (c: Buffer, _e, cb) => void (chunks.push(c), cb()) }), bytes: () => Buffer.concat(chunks) };
}

describe('evidence bundles [sqlite]', () => {
  let t: TestApp;
  let caseId: string;
  let dir: string;
  const items: { id: string; sha256: string }[] = [];
  before(async () => {
    t = await buildTestApp('sqlite');
    dir = await mkdtemp(join(tmpdir(), 'comity-bundle-'));
    caseId = await acceptedCase(t, 'BUNDLE-1');
    const us = await t.as('officer@us.demo');
    items.push(await upload(us, caseId, 'subscriber record.txt', Buffer.from('Subscriber: J. Doe, since 2021-03-04\n')));
    items.push(await upload(us, caseId, 'traffic%log.csv', Buffer.from('time,src,dst\n2026-11-01T10:00Z,10.0.0.1,10.0.0.2\n'), { dataCategory: 'traffic' }));
    items.push(await upload(us, caseId, 'image.bin', randomBytes(1_500_000)));
    const fr = await t.as('officer@fr.demo');
    assert.equal((await fr.get(`/api/cases/${caseId}/evidence/${items[0]?.id}/content`)).statusCode, 200);
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the same case state exports to a byte-identical ZIP; the export is then recorded in the chain', async () => {
    const actor = { id: 'user:test', authorityId: 'fr-ca' };
    const a = sink();
    const b = sink();
    await exportBundle(t.evidence, actor, caseId, a.stream, { record: false });
    const before = await listCustody(t.cases.db, caseId);
    const result = await exportBundle(t.evidence, actor, caseId, b.stream);
    assert.ok(a.bytes().equals(b.bytes()), 'byte-identical');
    assert.equal(result.sha256, createHash('sha256').update(b.bytes()).digest('hex'));
    const afterExport = await listCustody(t.cases.db, caseId);
    assert.equal(afterExport.length, before.length + 1);
    const exported = JSON.parse(afterExport[afterExport.length - 1]?.line ?? '{}') as { event: string; details: { bundleSha256: string } };
    assert.equal(exported.event, 'exported');
    assert.equal(exported.details.bundleSha256, result.sha256);
    await writeFile(join(dir, 'full.zip'), b.bytes());
  });

  it('verifies offline, and with standard tools: unzip, sha256sum -c, openssl', async () => {
    const bytes = await readFile(join(dir, 'full.zip'));
    const report = await verifyBundle(memorySource(bytes));
    assert.equal(report.ok, true, JSON.stringify(report.firstFailure));
    assert.equal(report.scope, 'full');
    assert.equal(report.files.length, 3);
    assert.ok(bytes.subarray(30, 38).toString() === 'mimetype', 'mimetype is the first entry, at offset 30');
    const out = join(dir, 'unpacked');
    execFileSync('unzip', ['-q', join(dir, 'full.zip'), '-d', out]);
    execFileSync('sha256sum', ['-c', '--quiet', 'tagmanifest-sha256.txt'], { cwd: out });
    // A name with % is percent-encoded in the manifest (RFC 8493): check the others with sha256sum.
    const manifest = (await readFile(join(out, 'manifest-sha256.txt'), 'utf8')).split('\n').filter((l) => l && !l.includes('%'));
    await writeFile(join(dir, 'plain-manifest.txt'), `${manifest.join('\n')}\n`);
    execFileSync('sha256sum', ['-c', '--quiet', join(dir, 'plain-manifest.txt')], { cwd: out });
    const line = (await readFile(join(out, 'custody/events.jsonl'), 'utf8')).split('\n')[0] as string;
    const signature = (await readFile(join(out, 'custody/events.sig'), 'utf8')).split('\n')[0] as string;
    await writeFile(join(dir, 'line.bin'), line);
    await writeFile(join(dir, 'line.sig'), Buffer.from(signature, 'base64'));
    const key = (JSON.parse(line) as { key: string }).key;
    const verified = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(out, 'custody/keys', `${key}.pem`), '-rawin', '-in', join(dir, 'line.bin'), '-sigfile', join(dir, 'line.sig')]).toString();
    assert.match(verified, /Signature Verified Successfully/);
    // ASiC-E: the CAdES signature over META-INF/ASiCManifest.xml, checked by OpenSSL (detached CMS).
    const cms = execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(out, 'META-INF/signature.p7s'), '-content', join(out, 'META-INF/ASiCManifest.xml'), '-noverify', '-out', '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(cms.toString(), '');
    // The manifest's digests are those of the files (base64 SHA-256 per data object).
    const asic = await readFile(join(out, 'META-INF/ASiCManifest.xml'), 'utf8');
    const signedDigest = /URI="documents\/request.json"[^]*?<ds:DigestValue>([^<]+)</.exec(asic)?.[1];
    assert.equal(signedDigest, createHash('sha256').update(await readFile(join(out, 'documents/request.json'))).digest('base64'));
    // A changed manifest is refused by OpenSSL too.
    await writeFile(join(dir, 'asic-changed.xml'), asic.replace('sha256', 'sha512'));
    assert.throws(() => execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(out, 'META-INF/signature.p7s'), '-content', join(dir, 'asic-changed.xml'), '-noverify', '-out', '/dev/null'], { stdio: 'pipe' }));
    // Transparency-log proofs: one per custody line, all against proof/checkpoint, signed by proof/log.vkey.
    const events = (await readFile(join(out, 'custody/events.jsonl'), 'utf8')).trim().split('\n');
    assert.ok(report.log && report.log.size >= events.length);
    for (const l of events) {
      const seq = (JSON.parse(l) as { seq: number }).seq;
      const proof = await readFile(join(out, 'proof', `custody-${String(seq).padStart(8, '0')}.tlog-proof`), 'utf8');
      assert.ok(proof.startsWith('c2sp.org/tlog-proof@v1\nextra '));
      assert.ok(proof.endsWith(await readFile(join(out, 'proof/checkpoint'), 'utf8')));
    }
    assert.equal(report.checks.filter((c) => c.check.endsWith('log inclusion') && c.ok).length, events.length);
    // VERIFY.txt's own recipes (steps 8b and 8c), run as written, on the last custody line.
    const verifyTxt = await readFile(join(out, 'VERIFY.txt'), 'utf8');
    const step = (from: string, to: string) => verifyTxt.slice(verifyTxt.indexOf(from), verifyTxt.indexOf(to)).split('\n').filter((l) => l.startsWith(' '.repeat(10))).map((l) => l.slice(10)).filter((l) => !l.startsWith('#'));
    const lastSeq = (JSON.parse(events[events.length - 1] as string) as { seq: number }).seq;
    const setP = `P=proof/custody-$(printf %08d ${lastSeq}).tlog-proof`;
    const signatureSteps = step('b. the checkpoint', 'c. the entry').join('\n');
    const signed = execFileSync("bash", ["-euc", signatureSteps], { cwd: out, stdio: "pipe" }).toString();
    assert.match(signed, /Signature Verified Successfully/, `${signatureSteps}\n=> ${signed}`);
    const python = step('c. the entry', 'The checkpoint is the earliest');
    assert.equal(execFileSync('bash', ['-euc', `${setP}\n${python.join('\n')}`], { cwd: out }).toString().trim(), 'included');
    const leafCmd = step('a. the logged entry', 'b. the checkpoint')[0] as string;
    const leaf = JSON.parse(execFileSync('bash', ['-euc', `${setP}\n${leafCmd}`], { cwd: out }).toString()) as { line_sha256: string };
    assert.equal(leaf.line_sha256, createHash('sha256').update(events[events.length - 1] as string).digest('hex'));
    assert.ok(report.signer?.subject.includes('Comity node'));
  });

  it('payloads ending at a chunk boundary (an empty final chunk) and empty files export with the right CRC-32 (unzip -t, verify)', async () => {
    const other = await acceptedCase(t, 'BUNDLE-EDGES');
    const us = await t.as('officer@us.demo');
    await upload(us, other, 'one chunk.bin', randomBytes(1024 * 1024));
    await upload(us, other, 'two chunks.bin', randomBytes(2 * 1024 * 1024));
    await upload(us, other, 'empty.txt', Buffer.alloc(0));
    const out = sink();
    await exportBundle(t.evidence, { id: 'user:test', authorityId: 'fr-ca' }, other, out.stream, { record: false });
    const report = await verifyBundle(memorySource(out.bytes()));
    assert.equal(report.ok, true, JSON.stringify(report.firstFailure));
    await writeFile(join(dir, 'edges.zip'), out.bytes());
    assert.match(execFileSync('unzip', ['-t', join(dir, 'edges.zip')]).toString(), /No errors detected/);
  });

  it('comity verify: exit 0 and a readable report; --json; exit 1 naming the first failure', async () => {
    const io = captureIo();
    assert.equal(await main(['node', 'comity', 'verify', join(dir, 'full.zip')], io), 0, io.stderr.join('\n'));
    assert.match(io.stdout.join('\n'), /VERIFIED/);
    const json = captureIo();
    assert.equal(await main(['node', 'comity', 'verify', join(dir, 'full.zip'), '--json'], json), 0);
    assert.equal((JSON.parse(json.stdout.join('\n')) as VerifyReport).ok, true);
    const bytes = await readFile(join(dir, 'full.zip'));
    const entry = (await readZipStructure(memorySource(bytes))).find((e) => e.name.endsWith('image.bin'));
    assert.ok(entry);
    bytes[entry.dataOffset + 1000] = (bytes[entry.dataOffset + 1000] as number) ^ 0x40;
    await writeFile(join(dir, 'bad.zip'), bytes);
    const bad = captureIo();
    assert.equal(await main(['node', 'comity', 'verify', join(dir, 'bad.zip')], bad), 1);
    assert.match(bad.stderr.join('\n'), /image\.bin/);
    const missing = captureIo();
    assert.equal(await main(['node', 'comity', 'verify', join(dir, 'nope.zip')], missing), 2);
  });

  it('a partial export (for the defence) proves its files are those logged at receipt', async () => {
    const out = sink();
    await exportBundle(t.evidence, { id: 'user:test', authorityId: 'fr-ca' }, caseId, out.stream, { items: [items[1]?.id as string], record: false, purpose: 'disclosure to the defence' });
    const report = await verifyBundle(memorySource(out.bytes()));
    assert.equal(report.ok, true, JSON.stringify(report.firstFailure));
    assert.equal(report.scope, 'partial');
    assert.deepEqual(report.files.map((f) => f.sha256), [items[1]?.sha256]);
    assert.ok(report.checks.some((c) => c.check.endsWith(': receipt') && c.ok));
  });

  it('tamper: random single-byte changes to every part of a bundle are all detected', async () => {
    const out = sink();
    await exportBundle(t.evidence, { id: 'user:test', authorityId: 'fr-ca' }, caseId, out.stream, { items: [items[0]?.id as string, items[1]?.id as string], record: false });
    const original = out.bytes();
    assert.equal((await verifyBundle(memorySource(original))).ok, true);
    let tried = 0;
    // Every byte outside entry contents (local headers, names, data descriptors, central
    // directory, end records), at least 8 bytes in each entry's content, and 1500 more at random.
    const entries = await readZipStructure(memorySource(original));
    const inData = (at: number) => entries.some((e) => at >= e.dataOffset && at < e.dataOffset + e.compressedSize);
    const structural = [...Array(original.length).keys()].filter((at) => !inData(at));
    const random = positions(0xc0ffee, 1 << 30);
    const perEntry = entries.flatMap((e) => Array.from({ length: Math.min(8, e.compressedSize) }, () => e.dataOffset + ((random.next().value as number) % e.compressedSize)));
    const anywhere = Array.from({ length: 1500 }, () => (random.next().value as number) % original.length);
    const all = [...structural, ...perEntry];
    const targets = [...all, ...anywhere];
    const accepted: number[] = [];
    for (const [n, at] of targets.entries()) {
      const bytes = Buffer.from(original);
      const delta = n < all.length ? 0x01 : 1 + (n % 255);
      bytes[at] = (bytes[at] as number) ^ delta;
      const report = await verifyBundle(memorySource(bytes));
      tried += 1;
      if (report.ok) accepted.push(at);
    }
    console.log(`bundle tamper: ${tried} single-byte changes tried on a ${original.length}-byte bundle, ${tried - accepted.length} detected`);
    assert.deepEqual(accepted, []);
  });

  it('tamper behind a consistent ZIP (CRC-32 recomputed): every byte of the signature, checkpoint, log key and a proof, and bytes of every other entry', async () => {
    const out = sink();
    await exportBundle(t.evidence, { id: 'user:test', authorityId: 'fr-ca' }, caseId, out.stream, { items: [items[0]?.id as string], record: false });
    const source = memorySource(out.bytes());
    const contents: { name: string; content: Buffer }[] = [];
    for (const e of await readZipStructure(source)) contents.push({ name: e.name, content: await entryBuffer(source, e) });
    // Rebuilt unchanged, the archive verifies (the rebuild itself is faithful).
    assert.equal((await verifyBundle(memorySource(await rezip(contents)))).ok, true);
    const everyByte = new Set(['META-INF/signature.p7s', 'proof/checkpoint', 'proof/log.vkey', contents.find((c) => c.name.endsWith('.tlog-proof'))?.name]);
    const random = positions(0xbadcafe, 1 << 30);
    let tried = 0;
    const accepted: string[] = [];
    const perFile = new Map<string, number>();
    for (const [i, entry] of contents.entries()) {
      if (entry.name === 'mimetype' || entry.content.length === 0) continue;
      const offsets = everyByte.has(entry.name) ? [...entry.content.keys()] : Array.from({ length: Math.min(entry.content.length, entry.name === 'META-INF/ASiCManifest.xml' ? 200 : 24) }, () => (random.next().value as number) % entry.content.length);
      for (const at of offsets) {
        const changed = Buffer.from(entry.content);
        changed[at] = (changed[at] as number) ^ (1 + (tried % 255));
        const report = await verifyBundle(memorySource(await rezip(contents.map((c, j) => (j === i ? { name: c.name, content: changed } : c)))));
        tried += 1;
        perFile.set(entry.name, (perFile.get(entry.name) ?? 0) + 1);
        if (report.ok) accepted.push(`${entry.name}@${at}`);
      }
    }
    console.log(`bundle content tamper (consistent ZIP): ${tried} single-byte changes in ${perFile.size} entries, ${tried - accepted.length} detected`);
    assert.deepEqual(accepted, []);
  });
});
