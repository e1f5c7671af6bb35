/**
 * @module exchange/json-limits
 * JSON from another node is parsed only within limits: a size cap before parsing, and a nesting
 * depth cap checked on the text before `JSON.parse` builds anything (a deeply nested document
 * can exhaust the stack of a recursive consumer even when parsing succeeds).
 */
import { ExchangeError } from './errors.js';

export interface JsonLimits {
  /** Largest text, in UTF-8 bytes. */
  readonly maxBytes: number;
  /** Deepest nesting of arrays and objects. */
  readonly maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = Object.freeze({ maxBytes: 4 * 1024 * 1024, maxDepth: 32 });

/** The nesting depth of JSON text, counting brackets outside strings (one pass, no allocation). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * Parses `text` as JSON within `limits`.
 * @throws {ExchangeError} `too-large`, `too-deep` or `malformed` (naming `what`).
 */
export function parseLimitedJson(text: string, what: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) throw new ExchangeError('too-large', `${what} is ${bytes} bytes, more than the limit of ${limits.maxBytes}`);
  const depth = jsonDepth(text);
  if (depth > limits.maxDepth) throw new ExchangeError('too-deep', `${what} is nested ${depth} levels deep, more than the limit of ${limits.maxDepth}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ExchangeError('malformed', `${what} is not valid JSON`);
  }
}
