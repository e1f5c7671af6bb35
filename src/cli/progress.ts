/**
 * @module cli/progress
 * A progress bar for long transfers: bytes done, rate and time left, redrawn on one line of a
 * terminal's stderr (at most 10 times a second); without a terminal, nothing until the end.
 */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${String(m).padStart(2, '0')}:${rest}`;
}

/** One line: `name [#####.....]  45%  1.2 GiB/2.6 GiB  310.4 MiB/s  00:04 left`. */
export function progressLine(name: string, done: number, total: number, elapsedSeconds: number, width = 24): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const left = rate > 0 ? (total - done) / rate : Number.NaN;
  return `${name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${formatBytes(done)}/${formatBytes(total)}  ${formatBytes(rate)}/s  ${done >= total ? 'done' : `${formatDuration(left)} left`}`;
}

export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function progressBar(name: string, total: number, stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): Progress {
  const started = now();
  let last = -Infinity;
  let done = 0;
  const draw = (): void => {
    if (stream.isTTY) stream.write(`\r${progressLine(name, done, total, (now() - started) / 1000)}\u001b[K`);
  };
  return {
    update(value) {
      done = value;
      const t = now();
      if (t - last >= 100) {
        last = t;
        draw();
      }
    },
    finish() {
      if (stream.isTTY) {
        draw();
        stream.write('\n');
      }
    },
  };
}
