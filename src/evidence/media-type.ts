/**
 * @module evidence/media-type
 * The media type of evidence from its first bytes (magic numbers), not from what the uploader
 * claims: a forensic record states what the content is. Unknown binary content is
 * `application/octet-stream`; UTF-8 text without NUL is `text/plain` (or JSON/mbox/mail by shape).
 */
const SIGNATURES: readonly { type: string; offset: number; bytes: readonly number[] }[] = [
  { type: 'application/pdf', offset: 0, bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { type: 'image/png', offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', offset: 0, bytes: [0x47, 0x49, 0x46, 0x38] },
  { type: 'application/zip', offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/gzip', offset: 0, bytes: [0x1f, 0x8b] },
  { type: 'application/x-7z-compressed', offset: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: 'application/x-xz', offset: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { type: 'application/x-bzip2', offset: 0, bytes: [0x42, 0x5a, 0x68] },
  { type: 'application/vnd.sqlite3', offset: 0, bytes: [...Buffer.from('SQLite format 3\u0000', 'latin1')] },
  { type: 'application/vnd.tcpdump.pcap', offset: 0, bytes: [0xd4, 0xc3, 0xb2, 0xa1] },
  { type: 'application/vnd.tcpdump.pcap', offset: 0, bytes: [0xa1, 0xb2, 0xc3, 0xd4] },
  { type: 'application/x-pcapng', offset: 0, bytes: [0x0a, 0x0d, 0x0d, 0x0a] },
  { type: 'application/x-ewf', offset: 0, bytes: [0x45, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00] },
  { type: 'application/x-tar', offset: 257, bytes: [0x75, 0x73, 0x74, 0x61, 0x72] },
];

/** How many leading bytes {@link sniffMediaType} looks at. */
export const SNIFF_BYTES = 4096;

export function sniffMediaType(head: Buffer): string {
  for (const sig of SIGNATURES) {
    if (head.length < sig.offset + sig.bytes.length) continue;
    if (sig.bytes.every((b, i) => head[sig.offset + i] === b)) return sig.type;
  }
  if (head.length === 0 || head.includes(0)) return 'application/octet-stream';
  // Cut at the last complete character so that a split sequence does not count as invalid.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, head.length));
  const bad = (text.match(/\uFFFD/g) ?? []).length;
  if (bad > 3) return 'application/octet-stream';
  const start = text.trimStart();
  if (start.startsWith('From ')) return 'application/mbox';
  if (/^(Return-Path|Received|From|Message-ID|MIME-Version|Date|Subject):/im.test(start.slice(0, 200)) && /\r?\n\r?\n/.test(text)) return 'message/rfc822';
  if (start.startsWith('{') || start.startsWith('[')) return 'application/json';
  if (/^(?:\w[\w ]*,){2,}/.test(start)) return 'text/csv';
  return 'text/plain';
}
