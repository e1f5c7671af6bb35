/**
 * @module documents/fonts
 * Fonts for every script a name or reference may be written in — Latin, Greek, Cyrillic, Arabic,
 * Chinese, Japanese — taken from the @fontsource Noto packages (SIL Open Font License), so that a
 * document prints the same on every machine and never depends on system fonts. Each package ships
 * a font as files per Unicode range, described by its CSS (`unicode-range`); this module reads
 * those ranges and picks, for each character, the first file in the fallback order that covers
 * it. pdfkit (fontkit) embeds only the glyphs used, and shapes Arabic and lays it out right to left.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Faces of right-to-left scripts. */
const RTL_FACE = /arabic/;

export type FontWeight = 'regular' | 'bold';

interface FontFace {
  /** Name under which pdfkit registers the file. */
  readonly name: string;
  readonly file: string;
  readonly ranges: readonly (readonly [number, number])[];
}

/** Fallback order: Latin/Greek/Cyrillic first, then Arabic, Japanese (kana, kanji), simplified Chinese. */
const PACKAGES = ['@fontsource/noto-sans', '@fontsource/noto-sans-arabic', '@fontsource/noto-sans-jp', '@fontsource/noto-sans-sc'] as const;
const WEIGHT_FILE: Record<FontWeight, string> = { regular: '400.css', bold: '700.css' };

const require = createRequire(import.meta.url);

function parseRanges(value: string): [number, number][] {
  return value.split(',').map((part) => {
    const [from, to] = part.trim().replace(/^U\+/i, '').split('-');
    const start = Number.parseInt(from ?? '', 16);
    return [start, to === undefined ? start : Number.parseInt(to, 16)];
  });
}

function facesOf(pkg: string, weight: FontWeight): FontFace[] {
  const root = dirname(require.resolve(`${pkg}/package.json`));
  const css = readFileSync(join(root, WEIGHT_FILE[weight]), 'utf8');
  const faces: FontFace[] = [];
  // WOFF (zlib) rather than WOFF2: fontkit reads both, WOFF needs no Brotli decoder.
  for (const block of css.matchAll(/@font-face\s*{([^}]*)}/g)) {
    const body = block[1] ?? '';
    const file = /url\(\.\/files\/([^)]+\.woff)\)\s*format\('woff'\)/.exec(body)?.[1];
    const ranges = /unicode-range:\s*([^;]+);/.exec(body)?.[1];
    if (file === undefined || ranges === undefined) continue;
    faces.push({ name: file.replace(/\.woff$/, ''), file: join(root, 'files', file), ranges: parseRanges(ranges) });
  }
  return faces;
}

/** A piece of text printed in one font. */
export interface TextRun {
  readonly text: string;
  readonly font: string;
}

/** The fonts of one weight, and the choice of a font per character. */
export class FontSet {
  private readonly faces: FontFace[];
  private readonly cache = new Map<number, FontFace>();
  readonly used = new Map<string, string>();

  constructor(readonly weight: FontWeight) {
    this.faces = PACKAGES.flatMap((pkg) => facesOf(pkg, weight));
    if (this.faces.length === 0) throw new Error('no fonts found in the @fontsource packages');
  }

  /** The face covering a character; the Latin face for a character no font has (it prints as a box, never as "?"). */
  private faceFor(codePoint: number): FontFace {
    const cached = this.cache.get(codePoint);
    if (cached) return cached;
    const face = this.faces.find((f) => f.ranges.some(([from, to]) => codePoint >= from && codePoint <= to)) ?? (this.faces.find((f) => f.name.includes('-latin-400') || f.name.includes('-latin-700')) as FontFace);
    this.cache.set(codePoint, face);
    return face;
  }

  /** Does a face have a character (its ranges say so; every subset carries the space). */
  private covers(face: FontFace, codePoint: number): boolean {
    return codePoint === 0x20 || face.ranges.some(([from, to]) => codePoint >= from && codePoint <= to);
  }

  /**
   * Splits text into runs of one font. Spaces stay in the run they are in (an Arabic phrase stays
   * one run, laid out right to left as a whole); other characters take the first face that has them.
   */
  runs(text: string): TextRun[] {
    const runs: { text: string; face: FontFace }[] = [];
    for (const char of text) {
      const codePoint = char.codePointAt(0) ?? 0x20;
      const last = runs[runs.length - 1];
      if (last && this.covers(last.face, codePoint)) {
        last.text += char;
        continue;
      }
      runs.push({ text: char, face: this.faceFor(codePoint) });
    }
    const latin = this.faceFor(0x41);
    const out: TextRun[] = [];
    const push = (text: string, face: FontFace) => {
      if (text === '') return;
      this.used.set(face.name, face.file);
      out.push({ text, font: face.name });
    };
    for (const run of runs) {
      if (!RTL_FACE.test(run.face.name)) {
        push(run.text, run.face);
        continue;
      }
      // Unicode Bidirectional Algorithm, reduced to what names need: the words of a right-to-left
      // run are placed in reverse order (fontkit lays out each word right to left; pdfkit places
      // words left to right), spaces printed apart so none is lost inside a reversed word.
      const lead = /^ */.exec(run.text)?.[0] ?? '';
      const trail = / *$/.exec(run.text)?.[0] ?? '';
      const core = run.text.slice(lead.length, run.text.length - trail.length);
      push(lead, latin);
      for (const token of core.split(/( +)/).reverse()) push(token, token.startsWith(' ') ? latin : run.face);
      push(trail, latin);
    }
    return out;
  }

  /** The file of a face this set chose (to register it with pdfkit). */
  fileOf(name: string): string {
    const file = this.used.get(name) ?? this.faces.find((f) => f.name === name)?.file;
    if (file === undefined) throw new Error(`unknown font ${name}`);
    return file;
  }
}

let cached: Record<FontWeight, FontSet> | undefined;

/** The two weights documents use (loaded once per process). */
export function documentFonts(): Record<FontWeight, FontSet> {
  cached ??= { regular: new FontSet('regular'), bold: new FontSet('bold') };
  return cached;
}
