/**
 * @module documents/poppler
 * Test helpers around Debian's poppler-utils (pdfinfo, pdftotext, pdfsig): what a reader of
 * the PDF sees, checked by an independent implementation rather than by our own parser.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A reason to skip the suites that read PDFs back, or false to run them. With CI=true nothing is skipped: .ci/run installs poppler-utils. */
export function popplerSkipReason(): string | false {
  if (spawnSync('pdfsig', ['-v']).error === undefined || process.env.CI === 'true') return false;
  return 'poppler-utils not installed (apt-get install poppler-utils)';
}

function withFile<T>(pdf: Buffer, use: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'comity-doc-'));
  try {
    const path = join(dir, 'document.pdf');
    writeFileSync(path, pdf);
    return use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pageCount(pdf: Buffer): number {
  return withFile(pdf, (path) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))?.[1] ?? 0));
}

/**
 * The text of each page as pdftotext extracts it, with the bidirectional embedding marks it adds
 * around right-to-left text removed and white space collapsed.
 */
export function pageTexts(pdf: Buffer): string[] {
  return withFile(pdf, (path) => {
    const all = execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return all
      .split('\f')
      .slice(0, -1)
      .map((page) => page.replace(/[\u202a-\u202e]/g, '').replace(/\s+/g, ' ').trim());
  });
}

/** pdfsig's report: valid when every signature verifies and covers the whole document. */
export function signatureReport(pdf: Buffer): { valid: boolean; output: string } {
  return withFile(pdf, (path) => {
    const result = spawnSync('pdfsig', [path], { encoding: 'utf8' });
    const output = `${result.stdout}${result.stderr}`;
    return { valid: /Signature Validation: Signature is Valid\./.test(output) && /Total document signed/.test(output) && !/Signature is Invalid|Digest Mismatch/.test(output), output };
  });
}

/** Pairs of words pdftotext finds printed over each other on one line (by more than a third of the narrower), per page. */
export function overlappingWords(pdf: Buffer): string[] {
  return withFile(pdf, (path) => {
    const html = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const found: string[] = [];
    html.split('<page ').slice(1).forEach((page, index) => {
      const words = [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({ x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]), text: m[5] ?? '' }));
      for (let i = 0; i < words.length; i += 1) {
        const a = words[i];
        if (!a) continue;
        for (let j = i + 1; j < words.length; j += 1) {
          const b = words[j];
          // Same line (vertical centres close: fonts of other scripts have taller boxes), overlapping horizontally.
          if (!b || Math.abs((a.y0 + a.y1) / 2 - (b.y0 + b.y1) / 2) > Math.min(a.y1 - a.y0, b.y1 - b.y0) * 0.3) continue;
          const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
          if (w > Math.min(a.x1 - a.x0, b.x1 - b.x0) / 3) found.push(`page ${index + 1}: "${a.text}" over "${b.text}"`);
        }
      }
    });
    return found;
  });
}
