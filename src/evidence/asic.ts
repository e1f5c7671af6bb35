/**
 * @module evidence/asic
 * The ASiC-E signature of an evidence bundle (ETSI EN 319 162-1 §4.4, ASiC-E with CAdES):
 * `META-INF/ASiCManifest.xml` lists every data object of the container — each entry but
 * `mimetype` and `META-INF/` — with its SHA-256, and `META-INF/signature.p7s` is a detached CAdES
 * baseline signature (CMS SignedData, EN 319 122-1 B-B: content-type, message-digest,
 * signing-certificate-v2, signing-time) over the manifest's bytes, made with the node's
 * document-signing key (ECDSA P-256) under its self-issued certificate, carried in the CMS.
 *
 * ECDSA signatures differ at every signing: the signature of a manifest is made once and kept
 * (`evidence_signatures`), so the same case state still exports to the same bytes.
 *
 * Verification here is pure (no database): used by `comity verify`. `openssl cms -verify`
 * checks the same signature independently (VERIFY.txt).
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { children, issueCertificate, issuerAndSerial } from '../documents/certificate.js';
import { signedData } from '../documents/cms.js';
import { explicit, integer, octetString, OID, oid, sequence, set } from '../documents/der.js';
import { NODE_OWNER } from '../keys/index.js';
import type { EvidenceContext } from './context.js';

export const ASIC_MANIFEST = 'META-INF/ASiCManifest.xml';
export const ASIC_SIGNATURE = 'META-INF/signature.p7s';
const ASIC_NS = 'http://uri.etsi.org/02918/v1.2.1#';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const SHA256_URI = 'http://www.w3.org/2001/04/xmlenc#sha256';
const CERTIFICATE_YEARS = 5;

export interface DataObject {
  path: string;
  mediaType: string;
  /** SHA-256, hex. */
  sha256: string;
}

/** A ZIP entry name as a manifest URI (each segment percent-encoded, RFC 3986). */
export function entryUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The ASiCManifest (EN 319 162-1 Annex A.4), data objects in the given order. */
export function asicManifestXml(objects: readonly DataObject[]): string {
  const refs = objects.map(
    (o) =>
      `  <asic:DataObjectReference URI="${escapeXml(entryUri(o.path))}" MimeType="${escapeXml(o.mediaType)}">\n` +
      `    <ds:DigestMethod Algorithm="${SHA256_URI}"/>\n` +
      `    <ds:DigestValue>${Buffer.from(o.sha256, 'hex').toString('base64')}</ds:DigestValue>\n` +
      '  </asic:DataObjectReference>\n',
  );
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<asic:ASiCManifest xmlns:asic="${ASIC_NS}" xmlns:ds="${DS_NS}">\n  <asic:SigReference URI="${ASIC_SIGNATURE}" MimeType="application/pkcs7-signature"/>\n${refs.join('')}</asic:ASiCManifest>\n`;
}

/**
 * Parses a manifest this module wrote (strictly: it must re-serialise to the same bytes).
 * Returns entry name → SHA-256 hex, or null.
 */
export function parseAsicManifest(text: string): Map<string, string> | null {
  const objects: DataObject[] = [];
  const re = /<asic:DataObjectReference URI="([^"]*)" MimeType="([^"]*)">\n {4}<ds:DigestMethod Algorithm="[^"]*"\/>\n {4}<ds:DigestValue>([A-Za-z0-9+/]{43}=)<\/ds:DigestValue>/g;
  const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
  for (const m of text.matchAll(re)) {
    try {
      objects.push({ path: decodeURIComponent(unescape(m[1] as string)), mediaType: unescape(m[2] as string), sha256: Buffer.from(m[3] as string, 'base64').toString('hex') });
    } catch {
      return null;
    }
  }
  if (asicManifestXml(objects) !== text) return null;
  const out = new Map<string, string>();
  for (const o of objects) {
    if (out.has(o.path)) return null;
    out.set(o.path, o.sha256);
  }
  return out;
}

/** The node's name in its certificate: the log origin's host part (COMITY_LOG_ORIGIN). */
function nodeName(origin: string): string {
  return origin.split('/')[0] ?? origin;
}

/**
 * The CAdES signature (DER CMS) of `manifest` for a bundle of `caseId`: the one kept for this
 * manifest, else a new one, kept.
 */
export async function signAsicManifest(ev: EvidenceContext, caseId: string, manifest: Buffer): Promise<Buffer> {
  const db = ev.cases.db;
  const digest = createHash('sha256').update(manifest).digest('hex');
  const kept = await db.selectFrom('evidence_signatures').select('signature').where('manifest_sha256', '=', digest).executeTakeFirst();
  if (kept !== undefined) return Buffer.from(kept.signature, 'base64');
  const now = ev.cases.now();
  const key = await ev.keys.ensure(NODE_OWNER, 'document-signing', 'ECDSA-P256', now);
  if (key.publicKeyDer === null) throw new Error('document-signing key without public key');
  const privateKey = await ev.keys.privateKey(key.id, 'sign');
  const name = nodeName(ev.ledger.origin);
  const notBefore = new Date(key.notBefore);
  const certificate = issueCertificate({
    subject: { commonName: `Comity node ${name} (evidence bundles)`, country: null, authorityId: NODE_OWNER, node: name },
    publicKeyDer: key.publicKeyDer,
    privateKey,
    keyId: key.id,
    notBefore,
    notAfter: new Date(Date.UTC(notBefore.getUTCFullYear() + CERTIFICATE_YEARS, notBefore.getUTCMonth(), notBefore.getUTCDate())),
  });
  const signature = signedData({ content: manifest, certificate, privateKey, signingTime: new Date(Math.floor(now.getTime() / 1000) * 1000) });
  await db
    .insertInto('evidence_signatures')
    .values({ manifest_sha256: digest, case_id: caseId, key_id: key.id, signature: signature.toString('base64'), signed_at: now.toISOString() })
    .onConflict((oc) => oc.column('manifest_sha256').doNothing())
    .execute();
  const stored = await db.selectFrom('evidence_signatures').select('signature').where('manifest_sha256', '=', digest).executeTakeFirstOrThrow();
  return Buffer.from(stored.signature, 'base64');
}

export interface CadesCheck {
  ok: boolean;
  detail: string;
  /** The signer's certificate subject and SHA-256 fingerprint, when readable. */
  signer?: { subject: string; sha256Fingerprint: string; signingTime: string | null };
}

/** Content of a DER element (after its header). */
function contentOf(element: Buffer): Buffer {
  const first = element[1] ?? 0;
  return element.subarray(first < 0x80 ? 2 : 2 + (first & 0x7f));
}

function derTime(element: Buffer): string | null {
  const text = contentOf(element).toString('ascii');
  const m = element[0] === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const year = element[0] === 0x17 ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  return `${year}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
}

/**
 * Verifies a detached CAdES signature (as {@link signAsicManifest} makes it) over `content`:
 * the message-digest attribute is the content's SHA-256, signing-certificate-v2 names the
 * embedded certificate, and the signature over the signed attributes verifies with the
 * certificate's key. Any structural surprise fails (a bundle's signature has one shape).
 */
export function verifyCades(p7s: Buffer, content: Buffer): CadesCheck {
  try {
    const [typeOid, wrapped] = children(p7s);
    if (!typeOid?.equals(oid(OID.signedData)) || wrapped === undefined || p7s.length !== headerAndLength(p7s)) return { ok: false, detail: 'not a CMS SignedData' };
    const sd = children(wrapped)[0];
    const parts = sd === undefined ? [] : children(sd);
    const [, , encap, certs, signerInfos] = parts;
    if (parts.length !== 5 || encap === undefined || certs === undefined || signerInfos === undefined) return { ok: false, detail: 'unexpected SignedData structure' };
    if (children(encap).length !== 1) return { ok: false, detail: 'the signature is not detached' };
    const certificate = children(certs)[0];
    const signerInfo = children(signerInfos)[0];
    if (certificate === undefined || signerInfo === undefined || children(certs).length !== 1 || children(signerInfos).length !== 1) return { ok: false, detail: 'one certificate and one signer expected' };
    const x509 = new X509Certificate(certificate);
    const fingerprint = createHash('sha256').update(certificate).digest('hex');
    const si = children(signerInfo);
    const signedAttrs = si[3];
    const signatureValue = si[5];
    if (si.length !== 6 || signedAttrs?.[0] !== 0xa0 || signatureValue === undefined) return { ok: false, detail: 'unexpected SignerInfo structure' };
    const attrs = new Map<string, Buffer>();
    for (const attribute of children(signedAttrs)) {
      const [type, values] = children(attribute);
      if (type === undefined || values === undefined) return { ok: false, detail: 'malformed signed attribute' };
      attrs.set(type.toString('hex'), children(values)[0] ?? Buffer.alloc(0));
    }
    const attr = (dotted: string) => attrs.get(oid(dotted).toString('hex'));
    const signingTimeAttr = attr(OID.signingTime);
    const signer = { subject: x509.subject.replace(/\n/g, ', '), sha256Fingerprint: fingerprint, signingTime: signingTimeAttr ? derTime(signingTimeAttr) : null };
    const digest = attr(OID.messageDigest);
    if (digest === undefined || !contentOf(digest).equals(createHash('sha256').update(content).digest())) return { ok: false, detail: 'the message digest is not the SHA-256 of the signed manifest', signer };
    const certRef = attr(OID.signingCertificateV2);
    if (certRef === undefined || !certRef.includes(createHash('sha256').update(certificate).digest())) return { ok: false, detail: 'signing-certificate-v2 does not name the embedded certificate', signer };
    const toBeSigned = Buffer.concat([Buffer.from([0x31]), signedAttrs.subarray(1)]);
    if (!verify('sha256', toBeSigned, x509.publicKey, contentOf(signatureValue))) return { ok: false, detail: 'the signature does not verify with the certificate', signer };
    // One encoding only: the container must be exactly the one built from its signed parts.
    const alg = sequence(oid(OID.sha256));
    const rebuilt = sequence(
      oid(OID.signedData),
      explicit(0, sequence(integer(1), set(alg), sequence(oid(OID.data)), explicit(0, certificate), set(sequence(integer(1), issuerAndSerial(certificate), alg, signedAttrs, sequence(oid(OID.ecdsaWithSha256)), octetString(contentOf(signatureValue)))))),
    );
    if (!rebuilt.equals(p7s)) return { ok: false, detail: 'the CMS structure is not the canonical one of a Comity bundle signature', signer };
    const expectedAttrs = [OID.contentType, OID.messageDigest, OID.signingCertificateV2, OID.signingTime].map((o) => oid(o).toString('hex')).sort();
    if ([...attrs.keys()].sort().join() !== expectedAttrs.join() || children(signedAttrs).length !== 4) return { ok: false, detail: 'unexpected signed attributes', signer };
    return { ok: true, detail: `CAdES signature by ${signer.subject} (certificate SHA-256 ${fingerprint}), signed ${signer.signingTime ?? '?'}`, signer };
  } catch (error) {
    return { ok: false, detail: `unreadable signature: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The total length (header + content) of the DER element at the start of `buffer`. */
function headerAndLength(buffer: Buffer): number {
  const first = buffer[1] ?? 0;
  if (first < 0x80) return 2 + first;
  let n = 0;
  for (let i = 0; i < (first & 0x7f); i += 1) n = n * 256 + (buffer[2 + i] ?? 0);
  return 2 + (first & 0x7f) + n;
}
