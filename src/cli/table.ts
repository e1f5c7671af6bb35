/**
 * @module cli/table
 * Plain-text tables for terminal output: columns padded to the widest cell, no colours.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Marks an unverified fact so that a reader never takes it as certain. */
export function verifiedMark(verified: boolean): string {
  return verified ? 'yes' : 'NO (unverified)';
}
