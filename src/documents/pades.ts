/**
 * @module documents/pades
 * PAdES signatures (ETSI EN 319 142-1, ISO 32000-1 §12.8) on documents pdfkit writes: an
 * invisible signature field whose /V dictionary has a /ByteRange and a /Contents placeholder;
 * once the file is complete, the byte range is filled in, everything but the placeholder is
 * hashed and a CMS SignedData ({@link signedData}) is written into it.
 */
import type { KeyObject } from 'node:crypto';
import { signedData } from './cms.js';

/** Room for the CMS (a P-256 signature with one certificate needs about 1.5 KB). */
const CONTENTS_BYTES = 8192;
/** Ten-digit numbers that the real byte range overwrites, padded with spaces. */
const BYTE_RANGE_PLACEHOLDER = 9_999_999_999;

export interface SignatureFieldInfo {
  readonly signerName: string;
  readonly reason: string;
  readonly location: string;
  readonly contactInfo: string;
  readonly signedAt: Date;
}

/** Adds the signature field and its placeholder to a pdfkit document (call before `end()`). */
export function addSignaturePlaceholder(doc: PDFKit.PDFDocument, info: SignatureFieldInfo): void {
  const pdf = doc as unknown as {
    ref(data: Record<string, unknown>): { end(): void };
    _root: { data: Record<string, unknown> };
    _acroform?: unknown;
    page: { dictionary: unknown; annotations: unknown[] };
  };
  const signature = pdf.ref({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached',
    ByteRange: [0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER],
    Contents: Buffer.alloc(CONTENTS_BYTES),
    // pdfkit writes a String object as a PDF text string (a plain string would be a name).
    Name: new String(info.signerName),
    Reason: new String(info.reason),
    Location: new String(info.location),
    ContactInfo: new String(info.contactInfo),
    M: info.signedAt,
  });
  signature.end();
  const widget = pdf.ref({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', Rect: [0, 0, 0, 0], V: signature, T: new String('Signature1'), F: 132, P: pdf.page.dictionary });
  widget.end();
  pdf.page.annotations.push(widget);
  // pdfkit ends the AcroForm itself (endAcroForm) when the document ends; it needs its own bookkeeping.
  pdf._acroform = { fonts: {}, defaultFont: 'signature' };
  pdf._root.data.AcroForm = pdf.ref({ Fields: [widget], SigFlags: 3, DR: { Font: {} } });
}

/** Fills the byte range and signs. @throws when the document has no placeholder. */
export function signPlaceholder(pdf: Buffer, certificate: Buffer, privateKey: KeyObject): Buffer {
  const text = pdf.toString('latin1');
  const rangeAt = text.indexOf(`/ByteRange [0 ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER}]`);
  const contentsAt = text.indexOf(`/Contents <${'00'.repeat(CONTENTS_BYTES)}>`);
  if (rangeAt < 0 || contentsAt < 0) throw new Error('no signature placeholder in the document');
  const gapStart = contentsAt + '/Contents '.length;
  const gapEnd = gapStart + CONTENTS_BYTES * 2 + 2;
  const placeholder = `/ByteRange [0 ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER}]`;
  const range = `/ByteRange [0 ${gapStart} ${gapEnd} ${pdf.length - gapEnd}]`.padEnd(placeholder.length, ' ');
  const out = Buffer.from(pdf);
  out.write(range, rangeAt, 'latin1');
  const signed = Buffer.concat([out.subarray(0, gapStart), out.subarray(gapEnd)]);
  const cms = signedData({ content: signed, certificate, privateKey });
  if (cms.length > CONTENTS_BYTES) throw new Error('signature larger than its placeholder');
  out.write(`<${cms.toString('hex').padEnd(CONTENTS_BYTES * 2, '0')}>`, gapStart, 'latin1');
  return out;
}
