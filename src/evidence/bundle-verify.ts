/**
 * @module evidence/bundle-verify
 * Verifies an evidence bundle offline — no database, no server, no key store: the archive's
 * structure (strict, see `zip-reader.ts`), the ASiC-E `mimetype`, the BagIt manifests, every
 * payload digest, every custody signature, the hash chain (full exports), and that each file is
 * the one logged at receipt (its signed `received` line names the same SHA-256 and size). The
 * report lists every check in order; the first that fails is named.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parseVerifierKey } from '../ledger/note.js';
import { openCheckpoint } from '../ledger/checkpoint.js';
import { verifyTlogProof } from '../ledger/tlog-proof.js';
import { ASIC_MANIFEST, ASIC_SIGNATURE, parseAsicManifest, verifyCades } from './asic.js';
import { custodyLeafText, PROOF_CHECKPOINT, PROOF_DIR, PROOF_VKEY, proofPath } from './custody-proof.js';
import { ASIC_MIMETYPE, BAGIT_TXT, BUNDLE_FORMAT, FORMAT_FIELD, type BundleFormat, EVENTS_FILE, KEYS_DIR, MANIFEST, parseManifest, SIGNATURES_FILE, TAG_MANIFEST } from './bundle-layout.js';
import { GENESIS_PREV, lineHash, parseCustodyLine, verifyLineSignature, type CustodyStatement } from './custody-line.js';
import { entryBuffer, entryContent, readZipStructure, ZipError, type RandomAccess, type ZipEntry } from './zip-reader.js';

export interface VerifyCheck {
  /** What was checked, e.g. `data/…/mail.mbox: SHA-256`. */
  check: string;
  ok: boolean;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  firstFailure: VerifyCheck | null;
  caseId: string | null;
  reference: string | null;
  scope: 'full' | 'partial' | null;
  files: { path: string; sha256: string; size: number }[];
  custodyEvents: number;
  keys: { id: string; sha256Fingerprint: string }[];
  /** The transparency log the proofs verify against (compare `vkey` with the one the node publishes). */
  log: { origin: string; vkey: string; size: number; root: string } | null;
  /** The signer of the ASiC-E signature (compare the fingerprint with the node's published one). */
  signer: { subject: string; sha256Fingerprint: string; signingTime: string | null } | null;
  /**
   * The bundle format: 2 (current: tlog proofs, signed ASiC-E manifest) or 1 (bundles written
   * by Comity before them), with what that version cannot prove.
   */
  format: { version: BundleFormat; limitations: string[] } | null;
  checks: VerifyCheck[];
}

export { BUNDLE_FORMAT, FORMAT_FIELD, type BundleFormat } from './bundle-layout.js';

/**
 * What a format-1 bundle (written by Comity before 2026-12-03: no `proof/` log proofs, no
 * ASiC-E signed manifest) cannot prove; its digests, custody signatures, chain and receipts are
 * checked exactly as before.
 */
export const FORMAT_1_LIMITATIONS: readonly string[] = [
  'no transparency-log proofs: that each custody line was in the node\'s public log (and not signed afterwards with the same key) is not proven',
  'no signed ASiC-E manifest: the tag files (bag-info, documents, CASE/UCO, VERIFY.txt) are covered by the tag manifest only, which nobody signed; the evidence files are still bound to their signed custody lines',
];

/** Format 1: no ASiC-E signature files; under proof/ only the README placeholder. */
const ALLOWED_V1 = /^(mimetype|META-INF\/manifest\.xml|bagit\.txt|bag-info\.txt|manifest-sha256\.txt|tagmanifest-sha256\.txt|VERIFY\.txt|data\/[^/]+\/[^/]+|custody\/(events\.jsonl|events\.sig|case\.jsonld|keys\/[A-Za-z0-9-]{1,64}\.pem)|documents\/[^/]+|proof\/README\.txt)$/;
const ALLOWED = /^(mimetype|META-INF\/(manifest|ASiCManifest)\.xml|META-INF\/signature\.p7s|bagit\.txt|bag-info\.txt|manifest-sha256\.txt|tagmanifest-sha256\.txt|VERIFY\.txt|data\/[^/]+\/[^/]+|custody\/(events\.jsonl|events\.sig|case\.jsonld|keys\/[A-Za-z0-9-]{1,64}\.pem)|documents\/[^/]+|proof\/[^/]+)$/;

/** A file on disk as random access (one descriptor, positional reads). */
export async function fileSource(path: string): Promise<RandomAccess & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size) throw new ZipError('read outside the archive');
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) throw new ZipError('archive shorter than expected');
        done += bytesRead;
      }
      return buffer;
    },
    close: () => handle.close(),
  };
}

export async function verifyBundle(source: RandomAccess): Promise<VerifyReport> {
  const checks: VerifyCheck[] = [];
  const report: VerifyReport = { ok: false, firstFailure: null, caseId: null, reference: null, scope: null, files: [], custodyEvents: 0, keys: [], log: null, signer: null, format: null, checks };
  const pass = (check: string, detail = 'ok') => checks.push({ check, ok: true, detail });
  const fail = (check: string, detail: string) => {
    checks.push({ check, ok: false, detail });
  };
  const finish = (): VerifyReport => {
    report.firstFailure = checks.find((c) => !c.ok) ?? null;
    report.ok = report.firstFailure === null && checks.length > 0;
    return report;
  };

  let entries: ZipEntry[];
  try {
    entries = await readZipStructure(source);
    pass('archive structure', `${entries.length} entries, canonical ZIP`);
  } catch (error) {
    fail('archive structure', error instanceof Error ? error.message : String(error));
    return finish();
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const read = async (name: string): Promise<Buffer | null> => {
    const entry = byName.get(name);
    if (!entry) return null;
    try {
      return await entryBuffer(source, entry);
    } catch (error) {
      fail(name, error instanceof Error ? error.message : String(error));
      return null;
    }
  };

  // ASiC-E: mimetype first, stored, exact.
  const first = entries[0];
  const mimetype = first?.name === 'mimetype' && first.method === 0 ? await read('mimetype') : null;
  if (mimetype?.toString('latin1') === ASIC_MIMETYPE) pass('mimetype', ASIC_MIMETYPE);
  else fail('mimetype', 'the first entry must be "mimetype", stored, holding application/vnd.etsi.asic-e+zip');

  // The format: declared in bag-info.txt since format 2; a bundle without the declaration is of
  // format 2 if it holds any format-2 file (written before the declaration), else of format 1.
  const declaredText = byName.has('bag-info.txt') ? ((await read('bag-info.txt'))?.toString('utf8') ?? '') : '';
  const declared = new RegExp(`^${FORMAT_FIELD}:(.*)$`, 'm').exec(declaredText)?.[1]?.trim();
  let format: BundleFormat;
  if (declared !== undefined) {
    if (declared !== String(BUNDLE_FORMAT)) {
      fail(`bag-info.txt: ${FORMAT_FIELD}`, `format ${JSON.stringify(declared)} is not one this verifier knows (1, ${BUNDLE_FORMAT}): use a newer Comity`);
      return finish();
    }
    format = BUNDLE_FORMAT;
  } else format = entries.some((e) => e.name === ASIC_MANIFEST || e.name === ASIC_SIGNATURE || e.name === PROOF_CHECKPOINT || e.name === PROOF_VKEY) ? 2 : 1;
  report.format = { version: format, limitations: format === 1 ? [...FORMAT_1_LIMITATIONS] : [] };
  if (format === 1) pass('format', `version 1 (Comity before 2026-12-03); could not prove: ${FORMAT_1_LIMITATIONS.join('; ')}`);
  else pass('format', `version ${format}${declared === undefined ? ' (not declared: written before the declaration)' : ''}`);
  const allowed = format === 1 ? ALLOWED_V1 : ALLOWED;

  for (const entry of entries) {
    if (!allowed.test(entry.name)) fail(`${entry.name}`, 'an entry a Comity bundle does not have');
    // Deflate streams have bits no reader looks at: a canonical bundle stores every entry.
    else if (entry.method !== 0) fail(entry.name, 'entries of a bundle are stored, not compressed');
  }
  const requiredNames = ['bagit.txt', 'bag-info.txt', MANIFEST, TAG_MANIFEST, EVENTS_FILE, SIGNATURES_FILE, 'VERIFY.txt', ...(format === 1 ? [] : [ASIC_MANIFEST, ASIC_SIGNATURE, PROOF_CHECKPOINT, PROOF_VKEY])];
  for (const required of requiredNames) {
    if (!byName.has(required)) fail(required, 'missing');
  }
  if (checks.some((c) => !c.ok)) return finish();

  // Tag files: every non-payload entry but mimetype and the tag manifest itself, exactly.
  const tagManifestBytes = await read(TAG_MANIFEST);
  const tagManifest = parseManifest(tagManifestBytes?.toString('utf8') ?? '\u0000');
  // The ASiC manifest and its signature cover the tag manifest: they are not in it.
  const tagNames = entries.map((e) => e.name).filter((n) => n !== 'mimetype' && n !== TAG_MANIFEST && n !== ASIC_MANIFEST && n !== ASIC_SIGNATURE && !n.startsWith('data/'));
  const tagContent = new Map<string, Buffer>();
  if (tagManifest === null) fail(TAG_MANIFEST, 'malformed');
  else {
    const listed = [...tagManifest.keys()].sort();
    if (listed.join('\n') !== [...tagNames].sort().join('\n')) fail(TAG_MANIFEST, 'does not list exactly the tag files of the archive');
    for (const name of tagNames) {
      const content = await read(name);
      if (content === null) continue;
      tagContent.set(name, content);
      const digest = createHash('sha256').update(content).digest('hex');
      if (tagManifest.get(name) === digest) pass(`${name}: SHA-256`, digest);
      else fail(`${name}: SHA-256`, `is ${digest}, the tag manifest says ${tagManifest.get(name) ?? '(nothing)'}`);
    }
  }
  if (tagContent.get('bagit.txt')?.toString('utf8') === BAGIT_TXT) pass('bagit.txt', 'BagIt 1.0');
  else fail('bagit.txt', 'not the BagIt 1.0 declaration');
  const info = new Map(
    (tagContent.get('bag-info.txt')?.toString('utf8') ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as const),
  );
  report.caseId = info.get('Comity-Case') ?? null;
  report.reference = info.get('External-Identifier') ?? null;
  const scope = info.get('Comity-Scope');
  report.scope = scope === 'full' || scope === 'partial' ? scope : null;
  if (report.scope === null) fail('bag-info.txt', 'Comity-Scope must be full or partial');

  // Payload: exactly the data/ entries, each digest recomputed from the bytes.
  const manifest = parseManifest(tagContent.get(MANIFEST)?.toString('utf8') ?? '\u0000');
  const dataEntries = entries.filter((e) => e.name.startsWith('data/'));
  const actual = new Map<string, { sha256: string; size: number }>();
  if (manifest === null) fail(MANIFEST, 'malformed');
  else {
    if ([...manifest.keys()].sort().join('\n') !== dataEntries.map((e) => e.name).sort().join('\n')) fail(MANIFEST, 'does not list exactly the files under data/');
    for (const entry of dataEntries) {
      const hash = createHash('sha256');
      try {
        for await (const piece of entryContent(source, entry)) hash.update(piece);
      } catch (error) {
        fail(`${entry.name}: content`, error instanceof Error ? error.message : String(error));
        continue;
      }
      const digest = hash.digest('hex');
      actual.set(entry.name, { sha256: digest, size: entry.size });
      report.files.push({ path: entry.name, sha256: digest, size: entry.size });
      if (manifest.get(entry.name) === digest) pass(`${entry.name}: SHA-256`, digest);
      else fail(`${entry.name}: SHA-256`, `is ${digest}, the manifest says ${manifest.get(entry.name) ?? '(nothing)'}`);
    }
    const oxum = `${dataEntries.reduce((n, e) => n + e.size, 0)}.${dataEntries.length}`;
    if (info.get('Payload-Oxum') === oxum) pass('bag-info.txt: Payload-Oxum', oxum);
    else fail('bag-info.txt: Payload-Oxum', `is ${oxum}, bag-info says ${info.get('Payload-Oxum') ?? '(nothing)'}`);
  }

  // Custody: every line canonical, signed by the key it names, chained (full export).
  const lines = splitLines(tagContent.get(EVENTS_FILE));
  const signatures = splitLines(tagContent.get(SIGNATURES_FILE));
  const keys = new Map<string, KeyObject>();
  for (const name of entries.map((e) => e.name).filter((n) => n.startsWith(KEYS_DIR))) {
    const id = name.slice(KEYS_DIR.length, -'.pem'.length);
    try {
      const key = createPublicKey({ key: tagContent.get(name) ?? Buffer.alloc(0), format: 'pem' });
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
      keys.set(id, key);
      report.keys.push({ id, sha256Fingerprint: createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex') });
    } catch {
      fail(name, 'not an Ed25519 public key');
    }
  }
  const statements: CustodyStatement[] = [];
  const statementLines: string[] = [];
  if (lines === null || signatures === null || lines.length !== signatures.length) fail(EVENTS_FILE, 'custody lines and signatures do not pair up');
  else {
    let prev: CustodyStatement | null = null;
    let prevLine = '';
    for (const [i, line] of lines.entries()) {
      const label = `custody line ${i + 1}`;
      const s = parseCustodyLine(line);
      if (s === null) {
        fail(label, 'not a canonical custody statement');
        continue;
      }
      if (report.caseId !== null && s.case !== report.caseId) fail(label, `belongs to case ${s.case}, the bundle to ${report.caseId}`);
      const key = keys.get(s.key);
      const der = key?.export({ type: 'spki', format: 'der' });
      if (!der || !verifyLineSignature(line, signatures[i] as string, der)) fail(`${label}: signature`, `does not verify with key ${s.key}`);
      else pass(`${label}: signature`, `${s.event} ${s.at}, key ${s.key}`);
      if (report.scope === 'full') {
        const expectedPrev = prev === null ? GENESIS_PREV : lineHash(prevLine);
        const expectedSeq = prev === null ? 1 : prev.seq + 1;
        if (s.prev !== expectedPrev || s.seq !== expectedSeq) fail(`${label}: chain`, `seq ${s.seq}, prev ${s.prev.slice(0, 16)}…: expected seq ${expectedSeq}, prev ${expectedPrev.slice(0, 16)}…`);
        else pass(`${label}: chain`);
      } else if (prev !== null && s.seq <= prev.seq) fail(`${label}: order`, 'sequence numbers must increase');
      statements.push(s);
      statementLines.push(line);
      prev = s;
      prevLine = line;
    }
    report.custodyEvents = statements.length;
    if (report.scope === 'full' && prev !== null) {
      const head = `${prev.seq} ${lineHash(prevLine)}`;
      if (info.get('Comity-Chain-Head') === head) pass('bag-info.txt: chain head', head);
      else fail('bag-info.txt: chain head', `the last line is ${head}, bag-info says ${info.get('Comity-Chain-Head') ?? '(nothing)'}`);
    }
  }

  if (format >= 2) {
    // Transparency log: every custody line of the bundle is a leaf (recomputed from the line)
    // included in the checkpoint, which the log's key signed.
    const vkeyText = tagContent.get(PROOF_VKEY)?.toString('utf8') ?? '';
    const checkpointNote = tagContent.get(PROOF_CHECKPOINT)?.toString('utf8') ?? '';
    let logOk = false;
    let origin = '';
    let logVerifier: ReturnType<typeof parseVerifierKey> | null = null;
    try {
      if (!/^[^\n]+\n$/.test(vkeyText)) throw new Error('one line expected');
      logVerifier = parseVerifierKey(vkeyText.slice(0, -1));
      origin = logVerifier.name;
      const checkpoint = openCheckpoint(checkpointNote, origin, logVerifier);
      report.log = { origin, vkey: vkeyText.slice(0, -1), size: checkpoint.size, root: checkpoint.root.toString('base64') };
      logOk = true;
      pass(`${PROOF_CHECKPOINT}: log signature`, `tree of ${checkpoint.size} entries signed by ${origin}`);
    } catch (error) {
      fail(`${PROOF_CHECKPOINT}: log signature`, `does not verify with ${PROOF_VKEY}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const expectedProofs = new Set([PROOF_CHECKPOINT, PROOF_VKEY]);
    for (const [i, s] of statements.entries()) {
      const path = proofPath(s.seq);
      expectedProofs.add(path);
      const label = `custody line ${i + 1}: log inclusion`;
      const text = tagContent.get(path)?.toString('utf8');
      if (text === undefined) fail(label, `${path} is missing`);
      else if (!logOk || logVerifier === null) fail(label, 'no verified checkpoint');
      else {
        try {
          if (!text.endsWith(`\n\n${checkpointNote}`)) throw new Error(`its checkpoint is not ${PROOF_CHECKPOINT}`);
          const line = statementLines[i] ?? '';
          const proven = verifyTlogProof(text, origin, logVerifier, { entry: Buffer.from(custodyLeafText(s, line), 'utf8') });
          pass(label, `entry ${proven.index} of ${proven.checkpoint.size}`);
        } catch (error) {
          fail(label, `${path}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    for (const name of entries.map((e) => e.name).filter((n) => n.startsWith(PROOF_DIR))) {
      if (!expectedProofs.has(name)) fail(name, 'a proof of no custody line of the bundle');
    }

    // ASiC-E: the signed manifest lists every data object with its SHA-256; the CAdES signature holds.
    const asicBytes = await read(ASIC_MANIFEST);
    const signatureBytes = await read(ASIC_SIGNATURE);
    const asic = asicBytes === null ? null : parseAsicManifest(asicBytes.toString('utf8'));
    if (asic === null || asicBytes === null || signatureBytes === null) fail(ASIC_MANIFEST, 'malformed ASiC manifest');
    else {
      const objects = entries.map((e) => e.name).filter((n) => n !== 'mimetype' && !n.startsWith('META-INF/'));
      if ([...asic.keys()].sort().join('\n') !== objects.sort().join('\n')) fail(ASIC_MANIFEST, 'does not list exactly the data objects of the container');
      else {
        const digestOf = (name: string): string | undefined =>
          name === TAG_MANIFEST ? (tagManifestBytes ? createHash('sha256').update(tagManifestBytes).digest('hex') : undefined) : name.startsWith('data/') ? actual.get(name)?.sha256 : tagContent.has(name) ? createHash('sha256').update(tagContent.get(name) as Buffer).digest('hex') : undefined;
        const wrong = objects.find((name) => digestOf(name) !== asic.get(name));
        if (wrong !== undefined) fail(`${ASIC_MANIFEST}: ${wrong}`, `the signed manifest says ${asic.get(wrong) ?? '?'}, the entry is ${digestOf(wrong) ?? '(unreadable)'}`);
        else pass(ASIC_MANIFEST, `${objects.length} data objects, every SHA-256 as signed`);
      }
      const cades = verifyCades(signatureBytes, asicBytes);
      if (cades.signer) report.signer = cades.signer;
      if (cades.ok) pass(`${ASIC_SIGNATURE}: CAdES`, cades.detail);
      else fail(`${ASIC_SIGNATURE}: CAdES`, cades.detail);
    }
  }

  // Each payload file is the one logged at receipt.
  for (const entry of dataEntries) {
    const [, itemId, name] = entry.name.split('/') as [string, string, string];
    const received = statements.find((s) => s.event === 'received' && s.item?.id === itemId);
    const got = actual.get(entry.name);
    if (!received?.item) fail(`${entry.name}: receipt`, `no signed "received" event for item ${itemId}`);
    else if (got && (received.item.sha256 !== got.sha256 || received.item.size !== got.size)) fail(`${entry.name}: receipt`, `logged at receipt as ${received.item.sha256} (${received.item.size} bytes), the file is ${got.sha256} (${got.size} bytes)`);
    else if (received.details.name !== name) fail(`${entry.name}: receipt`, `logged at receipt under the name ${JSON.stringify(received.details.name)}`);
    else if (got) pass(`${entry.name}: receipt`, `received ${received.at} by ${received.actor}`);
  }
  return finish();
}

function splitLines(content: Buffer | undefined): string[] | null {
  if (content === undefined) return null;
  const text = content.toString('utf8');
  if (text.length === 0) return [];
  if (!text.endsWith('\n')) return null;
  return text.slice(0, -1).split('\n');
}

/** The report as text: one line per failed check (all of them), a summary, and the files. */
export function formatReport(report: VerifyReport): string {
  const out: string[] = [];
  out.push(`Bundle of case ${report.reference ?? '?'} (${report.caseId ?? '?'}), ${report.scope ?? '?'} export`);
  out.push(`${report.files.length} file(s), ${report.custodyEvents} custody event(s), ${report.checks.length} check(s)`);
  if (report.format) out.push(`Bundle format version ${report.format.version}${report.format.version < BUNDLE_FORMAT ? ` (older; the current is ${BUNDLE_FORMAT})` : ''}`);
  for (const limit of report.format?.limitations ?? []) out.push(`  this version could not prove: ${limit}`);
  for (const file of report.files) out.push(`  ${file.sha256}  ${file.path}  (${file.size} bytes)`);
  for (const key of report.keys) out.push(`  signing key ${key.id}: SHA-256 fingerprint ${key.sha256Fingerprint}`);
  if (report.log) out.push(`  transparency log ${report.log.origin}: checkpoint of ${report.log.size} entries, root ${report.log.root}, key ${report.log.vkey}`);
  if (report.signer) out.push(`  bundle signed (CAdES) by ${report.signer.subject}, certificate SHA-256 ${report.signer.sha256Fingerprint}, at ${report.signer.signingTime ?? '?'}`);
  const failed = report.checks.filter((c) => !c.ok);
  for (const c of failed) out.push(`FAIL ${c.check}: ${c.detail}`);
  out.push(report.ok ? (report.format?.version === 1 ? 'VERIFIED (format 1): every digest, signature and chain link holds; see above what this version could not prove.' : 'VERIFIED: every digest, signature, chain link and log proof holds.') : `NOT VERIFIED: first failure: ${report.firstFailure?.check ?? '?'}: ${report.firstFailure?.detail ?? ''}`);
  return out.join('\n');
}
