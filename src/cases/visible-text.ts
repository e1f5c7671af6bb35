/**
 * @module cases/visible-text
 * Text is shown to the next reader as it was typed, so it must not hide what it says.
 * Names and references (one line: file names, case references, provisions) may hold no control,
 * format or separator character at all (Unicode Cc, Cf — bidirectional controls, zero-width
 * characters, the BOM — and the line and paragraph separators). Free text may hold the marks a
 * right-to-left language needs, but not the embedding, override and isolate controls that reorder
 * what a reader sees ("Trojan Source", CVE-2021-42574).
 */

/** Control, format and separator characters: never in a name or reference. */
export const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
export const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;

export const VISIBLE_NAME_MESSAGE = 'no invisible, control or bidirectional characters';

/** Whether a one-line name or reference shows exactly what it holds. */
export function isVisibleName(text: string): boolean {
  return !INVISIBLE_CHARACTERS.test(text);
}

/** Whether free text shows its characters in the order they were typed. */
export function isVisibleText(text: string): boolean {
  return !BIDI_CONTROLS.test(text);
}

/** Every string inside `value` (keys included), with its path; bounded by the value's own size. */
export function* stringsOf(value: unknown, path: string[] = []): Generator<[string[], string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* stringsOf(item, [...path, String(i)]);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield [[...path, key], key];
      yield* stringsOf(item, [...path, key]);
    }
  }
}
