/**
 * @module evidence/bundle-layout
 * What an evidence bundle holds and where (shared by the writer and the offline verifier).
 *
 * - `mimetype` first, stored, `application/vnd.etsi.asic-e+zip` (ETSI EN 319 162-1 ASiC-E layout);
 * - BagIt 1.0 (RFC 8493): `bagit.txt`, `bag-info.txt`, `manifest-sha256.txt`,
 *   `tagmanifest-sha256.txt` (`sha256sum -c` reads both), payload under `data/<item id>/<name>`;
 * - `custody/events.jsonl` (the signed custody statements, one canonical JSON line each, exactly
 *   the bytes signed), `custody/events.sig` (one base64 Ed25519 signature per line),
 *   `custody/keys/<key id>.pem` (public keys), `custody/case.jsonld` (CASE/UCO);
 * - `documents/request.json`, `documents/response.json`: the request and the response history;
 * - `proof/`: the transparency-log proofs, `VERIFY.txt`;
 * - `META-INF/ASiCManifest.xml` and `META-INF/signature.p7s`: the signed ASiC-E manifest.
 */
/**
 * Bundle formats: 1 (before 2026-12-03: no log proofs, no ASiC-E signature; no declaration) and
 * 2 (the current one, declared in bag-info.txt as `Comity-Bundle-Format: 2`).
 */
export type BundleFormat = 1 | 2;
export const BUNDLE_FORMAT: BundleFormat = 2;
export const FORMAT_FIELD = 'Comity-Bundle-Format';
export const ASIC_MIMETYPE = 'application/vnd.etsi.asic-e+zip';
export const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const EVENTS_FILE = 'custody/events.jsonl';
export const SIGNATURES_FILE = 'custody/events.sig';
export const KEYS_DIR = 'custody/keys/';
export const MANIFEST = 'manifest-sha256.txt';
export const TAG_MANIFEST = 'tagmanifest-sha256.txt';

/** RFC 8493 §2.1.3: percent-encode CR, LF and % in manifest paths. */
export function bagPath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function unbagPath(path: string): string {
  return path.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%25/g, '%');
}

export function dataPath(itemId: string, name: string): string {
  return `data/${itemId}/${name}`;
}

export function manifestText(entries: readonly { path: string; sha256: string }[]): string {
  return entries.map((e) => `${e.sha256}  ${bagPath(e.path)}\n`).join('');
}

/** Parses `<hex>  <path>` lines strictly; null when malformed. */
export function parseManifest(text: string): Map<string, string> | null {
  const result = new Map<string, string>();
  if (text.length === 0) return result;
  if (!text.endsWith('\n')) return null;
  for (const line of text.slice(0, -1).split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!match) return null;
    const path = unbagPath(match[2] as string);
    if (result.has(path)) return null;
    result.set(path, match[1] as string);
  }
  return result;
}
