/**
 * The workspace's languages. To add one: write `xx.json` beside en.json with every key (the
 * i18n test checks key parity and plural forms), and add one line to LANGUAGES below.
 * Pure (no DOM): the tests and the browser set-up (./index.ts) both read it.
 */
import en from './en.json';
import fr from './fr.json';

/** The shape of a resource file: en.json is the reference. */
export type Resources = typeof en;

export interface Language {
  /** BCP 47 code, also set as <html lang>. */
  code: string;
  /** The language's name in itself, for the language switch. */
  name: string;
  dir: 'ltr' | 'rtl';
  resources: Resources;
}

export const LANGUAGES: readonly Language[] = [
  { code: 'en', name: 'English', dir: 'ltr', resources: en },
  { code: 'fr', name: 'Français', dir: 'ltr', resources: fr },
];

export const DEFAULT_LANGUAGE = 'en';

/** Where the chosen language is kept in localStorage. */
export const LANGUAGE_STORAGE_KEY = 'comity.language';

export function findLanguage(code: string | null | undefined): Language | undefined {
  if (!code) return undefined;
  const lower = code.toLowerCase();
  return LANGUAGES.find((l) => l.code === lower) ?? LANGUAGES.find((l) => l.code === lower.split('-')[0]);
}

/** The language to start with: the stored choice, else the browser's first supported language. */
export function pickLanguage(stored: string | null | undefined, preferred: readonly string[]): string {
  const chosen = findLanguage(stored);
  if (chosen) return chosen.code;
  for (const candidate of preferred) {
    const found = findLanguage(candidate);
    if (found) return found.code;
  }
  return DEFAULT_LANGUAGE;
}

/**
 * The locale for dates and numbers: the reader's own regional variant of the chosen language
 * when the browser has one (English chosen, browser en-GB → 24-hour clock, day first), else the
 * language itself.
 */
export function formattingLocale(language: string, preferred: readonly string[]): string {
  const base = (language.split('-')[0] ?? language).toLowerCase();
  return preferred.find((p) => (p.split('-')[0] ?? p).toLowerCase() === base) ?? language;
}
