/**
 * @module db/write-path-switches
 * On/off switches for the caches and combiners of the write path, so that `npm run bench:cases`
 * measures what each one gains, in the same run (issue 12: only those whose gain is at least
 * 20 % stay). All on in production; only the benchmark turns one off at a time. Turning one off
 * never changes what is written, only how (each is a pure optimisation).
 *
 * Measured and removed (gain under 20 %): the row cache of cases this process wrote last
 * (PostgreSQL). Kept: the group commit (SQLite; switched by the runner, not here), the write
 * combiner, prepared queries, PostgreSQL named statements and the authority cache — README "Write
 * path" has the figures. SQLite's per-connection statement cache, removed once on that measure
 * (+1.8 % at load ≈ 8), is back for the exchange path and measured again (+38.8 %); bench:exchange's
 * nodes take the parts to turn off from `BENCH_WRITE_PATH_OFF`.
 */
export const WRITE_PATH_PARTS = ['prepared-queries', 'pg-named-statements', 'write-combiner', 'authority-cache', 'sqlite-statement-cache'] as const;
export type WritePathPart = (typeof WRITE_PATH_PARTS)[number];

const off = new Set<WritePathPart>();

/** Whether `part` is on (the default). */
export function writePathOn(part: WritePathPart): boolean {
  return off.size === 0 || !off.has(part);
}

/** Turns the parts in `parts` off and every other on (benchmarks only). */
export function setWritePathOff(parts: Iterable<WritePathPart>): void {
  off.clear();
  for (const part of parts) off.add(part);
}
