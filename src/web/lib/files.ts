/**
 * Files of a response, without the DOM: the base64 content of a `data:` URL (what
 * FileReader.readAsDataURL gives), the media type to send for a file, its size for people, and
 * the upload limit (src/cases/attachments.ts ATTACHMENT_MAX_BYTES). Pure.
 */

/** Largest attachment: 5 MiB (the server's limit). */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

/** The base64 content of a data URL (`data:text/plain;base64,SGVsbG8=` → `SGVsbG8=`). */
export function base64OfDataUrl(dataUrl: string): string {
  const comma = dataUrl.indexOf(',');
  if (!dataUrl.startsWith('data:') || comma === -1 || !dataUrl.slice(0, comma).endsWith(';base64')) throw new Error('not a base64 data URL');
  return dataUrl.slice(comma + 1);
}

/** The media type to declare: the browser's, when it is a plain `type/subtype`, else octet-stream. */
export function mediaTypeOf(browserType: string): string {
  const type = browserType.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(type) ? type : 'application/octet-stream';
}

/** A file name the server accepts: no path, no control characters, at most 255 characters. */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim();
  const base = cleaned === '' || cleaned === '.' || cleaned === '..' ? 'attachment' : cleaned;
  return base.length > 255 ? base.slice(base.length - 255) : base;
}

/** "1.2 MB", "340 kB", "12 byte" in the reader's locale (binary multiples, as file managers count: 5 MiB is "5 MB"). */
export function formatBytes(bytes: number, locale: string): string {
  const units = [
    ['gigabyte', 1024 ** 3],
    ['megabyte', 1024 ** 2],
    ['kilobyte', 1024],
  ] as const;
  for (const [unit, size] of units) {
    if (bytes >= size) return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(bytes / size);
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'short' }).format(bytes);
}
