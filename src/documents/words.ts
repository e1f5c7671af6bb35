/**
 * @module documents/words
 * The words of formal documents, per language, in `i18n/<lang>.json` — independent of the
 * workspace's interface language: a document is written in the language of the request. Adding a
 * language is adding a file with the same keys (a test checks that every file has every key).
 */
import { readFileSync, readdirSync } from 'node:fs';

const DIR = new URL('./i18n/', import.meta.url);
const cache = new Map<string, Readonly<Record<string, string>>>();

/** Languages a document can be written in. */
export function documentLanguages(): string[] {
  return readdirSync(DIR)
    .filter((f) => /^[a-z]{2,3}\.json$/.test(f))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function wordsOf(lang: string): Readonly<Record<string, string>> {
  let words = cache.get(lang);
  if (!words) {
    if (!documentLanguages().includes(lang)) throw new Error(`no document language ${lang}`);
    words = JSON.parse(readFileSync(new URL(`${lang}.json`, DIR), 'utf8')) as Record<string, string>;
    cache.set(lang, words);
  }
  return words;
}

/** A translator for one language: `{name}` placeholders are replaced; a missing key is a bug (throws). */
export type Translate = (key: string, vars?: Readonly<Record<string, string | number>>) => string;

export function translator(lang: string): Translate {
  const words = wordsOf(lang);
  return (key, vars = {}) => {
    const template = words[key];
    if (template === undefined) throw new Error(`document word "${key}" missing in ${lang}`);
    return template.replace(/\{(\w+)\}/g, (all, name: string) => (vars[name] === undefined ? all : String(vars[name])));
  };
}
