/**
 * @module cases/media-type
 * The media type of an uploaded file, from its content (its "magic bytes", as in the WHATWG MIME
 * Sniffing Standard §7), never from what the uploader claims: a file claimed to be a PDF that is
 * HTML must not reach the next reader's browser as HTML. Unknown binary content is
 * `application/octet-stream`; UTF-8 text without NUL is `text/plain` (served as UTF-8) — markup included, which is
 * shown as text, never rendered. Downloads also carry `Content-Disposition: attachment` and
 * `X-Content-Type-Options: nosniff`.
 */

interface Signature {
  type: string;
  /** Bytes at `offset` (null: any byte). */
  bytes: readonly (number | null)[];
  offset?: number;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** The formats evidence usually comes in; the first match wins. */
export const SIGNATURES: readonly Signature[] = [
  { type: 'application/pdf', bytes: ascii('%PDF-') },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: ascii('GIF87a') },
  { type: 'image/gif', bytes: ascii('GIF89a') },
  { type: 'image/webp', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WEBP')] },
  { type: 'image/tiff', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { type: 'image/tiff', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { type: 'image/bmp', bytes: ascii('BM') },
  { type: 'audio/wav', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WAVE')] },
  { type: 'video/mp4', bytes: ascii('ftyp'), offset: 4 },
  // ZIP: also Office documents (docx, xlsx) and e-mail exports; served as a ZIP archive.
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { type: 'application/gzip', bytes: [0x1f, 0x8b, 0x08] },
  { type: 'application/x-7z-compressed', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: 'application/vnd.tcpdump.pcap', bytes: [0xd4, 0xc3, 0xb2, 0xa1] },
  { type: 'application/vnd.tcpdump.pcap', bytes: [0xa1, 0xb2, 0xc3, 0xd4] },
  { type: 'application/x-sqlite3', bytes: ascii('SQLite format 3\u0000') },
  { type: 'message/rfc822', bytes: ascii('Return-Path:') },
];

function matches(content: Uint8Array, signature: Signature): boolean {
  const offset = signature.offset ?? 0;
  if (content.length < offset + signature.bytes.length) return false;
  return signature.bytes.every((b, i) => b === null || content[offset + i] === b);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The media type of `content`, from its bytes. */
export function sniffMediaType(content: Uint8Array): string {
  for (const signature of SIGNATURES) if (matches(content, signature)) return signature.type;
  if (!content.includes(0)) {
    try {
      utf8.decode(content);
      return 'text/plain';
    } catch {
      // not UTF-8 text
    }
  }
  return 'application/octet-stream';
}
