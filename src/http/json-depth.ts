/**
 * @module http/json-depth
 * A bound on the nesting of every JSON body, checked on the raw text before it is parsed: no
 * value the API takes nests deeper than {@link MAX_JSON_DEPTH} (a request is about five levels),
 * so a body of ten thousand nested arrays is a 400 `invalid-request`, not work for the parser,
 * the validators or the canonical-JSON hashing of the audit trail (which recurse).
 */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of arrays and objects in JSON text (strings and escapes skipped). Linear, no recursion. */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return max;
}
