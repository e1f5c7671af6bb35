/**
 * @module evidence/bundle
 * Writes an evidence bundle (see `bundle-layout.ts`) as a ZIP stream (`zip-writer.ts`): fixed entry
 * order, fixed timestamps (1980-01-01, DOS format, no extra fields), fixed modes, every entry stored
 * (no compression): evidence is often compressed already, and a deflate stream has bits that no
 * reader looks at (the padding of its last byte), which would let a bundle change without any
 * check noticing; stored entries leave no byte unchecked. The same case state gives the same bytes.
 *
 * The bundle carries the chain as it stands before the export; the export itself is then
 * recorded as an `exported` custody event naming the items and the bundle's SHA-256, so the next
 * bundle of the case shows it. A partial export (`items`) carries the custody lines of its
 * items only: each file is still proven to be the one logged at receipt by its signed `received`
 * line.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Actor } from '../cases/index.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { ASIC_MIMETYPE, BAGIT_TXT, BUNDLE_FORMAT, dataPath, FORMAT_FIELD, EVENTS_FILE, KEYS_DIR, MANIFEST, manifestText, SIGNATURES_FILE, TAG_MANIFEST } from './bundle-layout.js';
import { ASIC_MANIFEST, ASIC_SIGNATURE, asicManifestXml, signAsicManifest } from './asic.js';
import { bundleProofs } from './bundle-proofs.js';
import { caseUcoGraph } from './case-uco.js';
import type { EvidenceContext } from './context.js';
import { appendCustody, signerFor } from './custody.js';
import { parseCustodyLine, lineHash } from './custody-line.js';
import { EvidenceError } from './errors.js';
import { itemPlaintext } from './items.js';
import { verifyText } from './verify-text.js';
import { StoredZipWriter } from './zip-writer.js';

/** DOS time of every entry: the local-time constructor gives the same fields in any time zone. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

export interface BundleOptions {
  /** Only these items (a partial export, e.g. for the defence); default every item not deleted. */
  items?: readonly string[];
  /** Record the export in the chain of custody (default true). */
  record?: boolean;
  /** Why the bundle is made, recorded with the export (e.g. "disclosure to the defence"). */
  purpose?: string;
  /** Given: the bundle is handed to this recipient (e.g. the defence), recorded as `disclosed`. */
  disclosedTo?: string;
}

export interface BundleResult {
  sha256: string;
  bytes: number;
  items: string[];
}

/**
 * Writes the bundle of a case to `out`; resolves when the last byte is written.
 * @example await exportBundle(ev, actor, caseId, createWriteStream('case.zip'))
 */
export async function exportBundle(ev: EvidenceContext, actor: Actor, caseId: string, out: Writable, options: BundleOptions = {}): Promise<BundleResult> {
  const db = ev.cases.db;
  const caseRow = await db.selectFrom('cases').select(['id', 'reference', 'request', 'requesting_authority_id', 'addressee_id']).where('id', '=', caseId).executeTakeFirst();
  if (!caseRow) throw new EvidenceError('not-found', `no case ${caseId}`);
  let rows = await db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).where('deleted_at', 'is', null).orderBy('received_at').orderBy('id').execute();
  const partial = options.items !== undefined;
  if (options.items !== undefined) {
    const wanted = new Set(options.items);
    const unknown = [...wanted].filter((id) => !rows.some((r) => r.id === id));
    if (unknown.length > 0) throw new EvidenceError('not-found', `no evidence ${unknown.join(', ')} in case ${caseId}`);
    rows = rows.filter((r) => wanted.has(r.id));
  }
  if (rows.length === 0) throw new EvidenceError('invalid-request', `case ${caseId} has no evidence to export`);
  const chosen = new Set(rows.map((r) => r.id));
  const custodyRows = await db.selectFrom('evidence_custody').select(['seq', 'line', 'signature', 'key_id', 'item_id']).where('case_id', '=', caseId).orderBy('seq').execute();
  const lines = custodyRows.filter((r) => !partial || (r.item_id !== null && chosen.has(r.item_id)));
  const statements = lines.map((l) => parseCustodyLine(l.line)).filter((s) => s !== null);
  const keyIds = [...new Set(lines.map((l) => l.key_id))].sort();
  const keys: { path: string; pem: string }[] = [];
  for (const id of keyIds) {
    const info = await ev.keys.get(id);
    if (!info?.publicKeyDer) throw new EvidenceError('integrity', `the signing key ${id} of the chain is missing`);
    keys.push({ path: `${KEYS_DIR}${id}.pem`, pem: createPublicKey({ key: info.publicKeyDer, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString() });
  }
  const events = await db.selectFrom('case_events').select(['seq', 'event', 'side', 'actor', 'at', 'reason', 'payload']).where('case_id', '=', caseId).orderBy('seq').execute();
  const files = rows.map((r) => ({ row: r, path: dataPath(r.id, r.original_name ?? `${r.sha256}.bin`) }));
  const payloadBytes = files.reduce((n, f) => n + Number(f.row.size), 0);
  const last = custodyRows[custodyRows.length - 1];
  const baggingDate = (statements[statements.length - 1]?.at ?? '1980-01-01').slice(0, 10);

  const text = (value: string) => Buffer.from(value, 'utf8');
  const proofFiles = await bundleProofs(ev, caseId, lines);
  const tags: { path: string; content: Buffer }[] = [
    { path: 'bagit.txt', content: text(BAGIT_TXT) },
    {
      path: 'bag-info.txt',
      content: text(
        [
          'Source-Organization: Comity node',
          `External-Identifier: ${caseRow.reference}`,
          `Bagging-Date: ${baggingDate}`,
          `Payload-Oxum: ${payloadBytes}.${files.length}`,
          'Bag-Software-Agent: Comity 0.1.0',
          `Comity-Case: ${caseRow.id}`,
          `Comity-Scope: ${partial ? 'partial' : 'full'}`,
          `Comity-Chain-Head: ${last ? `${last.seq} ${lineHash(last.line)}` : '0'}`,
          `${FORMAT_FIELD}: ${BUNDLE_FORMAT}`,
          '',
        ].join('\n'),
      ),
    },
    { path: MANIFEST, content: text(manifestText(files.map((f) => ({ path: f.path, sha256: f.row.sha256 })).sort((a, b) => (a.path < b.path ? -1 : 1)))) },
    { path: EVENTS_FILE, content: text(lines.map((l) => `${l.line}\n`).join('')) },
    { path: SIGNATURES_FILE, content: text(lines.map((l) => `${l.signature}\n`).join('')) },
    ...keys.map((k) => ({ path: k.path, content: text(k.pem) })),
    {
      path: 'custody/case.jsonld',
      content: text(`${JSON.stringify(caseUcoGraph({ id: caseRow.id, reference: caseRow.reference }, rows.map((r) => ({ id: r.id, name: r.original_name ?? '', size: Number(r.size), sha256: r.sha256, mediaType: r.media_type })), statements), null, 2)}\n`),
    },
    { path: 'documents/request.json', content: text(`${canonicalJson({ case: caseRow.id, reference: caseRow.reference, requestingAuthority: caseRow.requesting_authority_id, addressee: caseRow.addressee_id, request: caseRow.request === null ? null : (JSON.parse(caseRow.request) as unknown) })}\n`) },
    { path: 'documents/response.json', content: text(`${canonicalJson({ case: caseRow.id, history: events.map((e) => ({ seq: Number(e.seq), event: e.event, side: e.side, actor: e.actor, at: e.at, reason: e.reason, payload: e.payload === null ? null : (JSON.parse(e.payload) as unknown) })) })}\n`) },
    ...proofFiles,
    { path: 'VERIFY.txt', content: text(verifyText(caseRow.reference, partial)) },
  ];
  const metaManifest = text(
    `<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">\n  <manifest:file-entry manifest:full-path="/" manifest:media-type="${ASIC_MIMETYPE}"/>\n${files
      .map((f) => `  <manifest:file-entry manifest:full-path="${escapeXml(f.path)}" manifest:media-type="${escapeXml(f.row.media_type)}"/>\n`)
      .join('')}</manifest:manifest>\n`,
  );

  const tagManifest = text(manifestText([...tags, { path: 'META-INF/manifest.xml', content: metaManifest }].map((t) => ({ path: t.path, sha256: sha256Hex(t.content) })).sort((a, b) => (a.path < b.path ? -1 : 1))));
  // ASiC-E: every data object (all but mimetype and META-INF/) in the signed manifest.
  const asicManifest = text(
    asicManifestXml(
      [
        ...tags.map((t) => ({ path: t.path, mediaType: tagMediaType(t.path), sha256: sha256Hex(t.content) })),
        { path: TAG_MANIFEST, mediaType: 'text/plain', sha256: sha256Hex(tagManifest) },
        ...files.map((f) => ({ path: f.path, mediaType: f.row.media_type, sha256: f.row.sha256 })),
      ].sort((a, b) => (a.path < b.path ? -1 : 1)),
    ),
  );
  const signature = await signAsicManifest(ev, caseId, asicManifest);
  const zip = new StoredZipWriter({ mtime: FIXED_MTIME, mode: FILE_MODE });
  const hash = createHash('sha256');
  // The bundle's bytes in order, each hashed as it is handed on (pipeline() writes them to `out`
  // with its backpressure). Payload entries are opened one after another: one blob open at a time.
  async function* bundleBytes(): AsyncGenerator<Buffer> {
    const head = [{ path: 'mimetype', content: text(ASIC_MIMETYPE) }, { path: 'META-INF/manifest.xml', content: metaManifest }, { path: ASIC_MANIFEST, content: asicManifest }, { path: ASIC_SIGNATURE, content: signature }, ...tags.slice(0, 3), { path: TAG_MANIFEST, content: tagManifest }];
    for (const entry of head) for (const part of zip.buffer(entry.path, entry.content)) yield hashed(part);
    for (const file of files) {
      // A payload that fails its digest or its decryption stops the bundle: never a ZIP with altered bytes.
      const plaintext = await itemPlaintext(ev, file.row);
      try {
        yield hashed(zip.beginStream(file.path, Number(file.row.size)));
        for await (const pieces of plaintext.chunks) {
          for (const piece of pieces) {
            zip.update(piece);
            yield hashed(piece);
          }
        }
      } finally {
        await plaintext.close();
      }
      yield hashed(zip.endStream());
    }
    for (const tag of tags.slice(3)) for (const part of zip.buffer(tag.path, tag.content)) yield hashed(part);
    yield hashed(zip.end());
  }
  const hashed = (bytes: Buffer): Buffer => {
    hash.update(bytes);
    return bytes;
  };
  await pipeline(bundleBytes(), out);
  const bytes = zip.bytes;
  const result = { sha256: hash.digest('hex'), bytes, items: rows.map((r) => r.id) };
  if (options.record ?? true) {
    const now = ev.cases.now();
    const signer = await signerFor(ev.keys, actor.authorityId, now);
    await ev.cases.transaction(async (trx) => {
      await appendCustody(trx, signer, {
        id: ev.cases.newId(),
        caseId,
        event: options.disclosedTo ? 'disclosed' : 'exported',
        at: now.toISOString(),
        actor: actor.id,
        authorityId: actor.authorityId,
        item: null,
        details: { bundleSha256: result.sha256, bundleBytes: result.bytes, items: result.items, scope: partial ? 'partial' : 'full', ...(options.purpose ? { purpose: options.purpose } : {}), ...(options.disclosedTo ? { recipient: options.disclosedTo } : {}) },
      });
    });
  }
  return result;
}

function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function tagMediaType(path: string): string {
  if (path.endsWith('.jsonld')) return 'application/ld+json';
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.jsonl')) return 'application/jsonl';
  if (path.endsWith('.pem')) return 'application/x-pem-file';
  return 'text/plain';
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
