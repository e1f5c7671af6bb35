/**
 * @module db/ids
 * UUID version 7 (RFC 9562 §5.7): 48-bit big-endian Unix time in milliseconds, version `0111`,
 * 12-bit `rand_a`, variant `10`, 62-bit `rand_b`. Ids generated later sort later, as strings and
 * as bytes, so they make good primary keys for append-mostly tables.
 *
 * Monotonicity (RFC 9562 §6.2, Method 1 "fixed-length dedicated counter bits"): the 42 bits
 * `rand_a` + the top 30 bits of `rand_b` are a counter, seeded randomly with its top bit clear at
 * each new millisecond and incremented for each further id in the same millisecond (or when the
 * clock steps back), so ids from one generator strictly increase. When the counter overflows, the
 * timestamp is advanced by 1 ms (§6.2 allows this). The remaining 32 bits are random per id.
 * A clock that steps back by more than {@link MAX_CLOCK_REGRESSION_MS} resets the generator to
 * the new time instead of stamping ids with a time far in the future.
 *
 * Pure apart from the counter state; time and randomness are parameters.
 */
import { randomFillSync } from 'node:crypto';

/** Source of `n` random bytes (default {@link pooledRandomBytes}). */
export type RandomSource = (n: number) => Uint8Array;

/** Bytes drawn from the operating system's CSPRNG at a time by {@link pooledRandomBytes}. */
export const RANDOM_POOL_SIZE = 4096;

/**
 * `n` bytes from the operating system's CSPRNG (`crypto.randomFillSync`), drawn
 * {@link RANDOM_POOL_SIZE} bytes at a time: one system call for ~400 ids instead of one per id
 * (`crypto.randomUUID` pools the same way). The returned view is valid until the next call —
 * every id generator here uses it at once — and no byte is ever handed out twice.
 */
export function createRandomPool(size = RANDOM_POOL_SIZE): RandomSource {
  const pool = new Uint8Array(size);
  let offset = size;
  return (n) => {
    if (!Number.isInteger(n) || n < 0 || n > size) throw new RangeError(`random pool: cannot draw ${String(n)} bytes (pool of ${size})`);
    if (offset + n > size) {
      randomFillSync(pool);
      offset = 0;
    }
    const bytes = pool.subarray(offset, offset + n);
    offset += n;
    return bytes;
  };
}

/** The process-wide pool used by default. */
export const pooledRandomBytes: RandomSource = createRandomPool();

/** Largest timestamp representable in the 48-bit `unix_ts_ms` field. */
export const RFC9562_MAX_UNIX_TS_MS = 2 ** 48 - 1;
/** A backwards clock step larger than this (ms) resets the counter to the new time. */
export const MAX_CLOCK_REGRESSION_MS = 10_000;

const COUNTER_BITS = 42;
const UUIDV7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Generates UUIDv7 strings for the given millisecond timestamps. */
export type Uuidv7Generator = (now: number, random?: RandomSource) => string;

/** Generator state: the timestamp and counter of the last id. */
export interface Uuidv7State {
  readonly ms: number;
  readonly counter: number;
}

/** Largest value of the 42-bit counter. */
export const UUIDV7_COUNTER_MAX = 2 ** COUNTER_BITS - 1;

/**
 * The state for the next id at `now` (pure): a new millisecond reseeds the counter from
 * `bytes[4..9]`; the same or a slightly earlier millisecond increments it; an overflow moves to
 * the next millisecond.
 */
export function nextUuidv7State(previous: Uuidv7State | undefined, now: number, bytes: Uint8Array): Uuidv7State {
  if (!Number.isSafeInteger(now) || now < 0 || now > RFC9562_MAX_UNIX_TS_MS) {
    throw new RangeError(`uuidv7: timestamp must be an integer from 0 to 2^48-1 ms, got ${String(now)}`);
  }
  if (bytes.length < 10) throw new RangeError(`uuidv7: random source returned ${bytes.length} bytes, need 10`);
  if (previous === undefined || now > previous.ms || now < previous.ms - MAX_CLOCK_REGRESSION_MS) {
    return { ms: now, counter: seedCounter(bytes) };
  }
  if (previous.counter < UUIDV7_COUNTER_MAX) return { ms: previous.ms, counter: previous.counter + 1 };
  if (previous.ms < RFC9562_MAX_UNIX_TS_MS) return { ms: previous.ms + 1, counter: seedCounter(bytes) };
  throw new RangeError('uuidv7: counter exhausted at the largest timestamp');
}

/** The UUIDv7 string for a state; `bytes[0..3]` fill the last 32 random bits. */
export function formatUuidv7(state: Uuidv7State, bytes: Uint8Array): string {
  return format(state.ms, state.counter, bytes);
}

/**
 * A generator with its own counter state, e.g. one per test.
 *
 * @example
 * const next = createUuidv7Generator();
 * next(Date.now()) < next(Date.now()); // true
 */
export function createUuidv7Generator(defaultRandom: RandomSource = pooledRandomBytes): Uuidv7Generator {
  let state: Uuidv7State | undefined;
  return (now, random = defaultRandom) => {
    const bytes = random(10);
    state = nextUuidv7State(state, now, bytes);
    return format(state.ms, state.counter, bytes);
  };
}

const shared = createUuidv7Generator();

/**
 * A UUIDv7 for the instant `now` (ms since the Unix epoch), monotonic within this process.
 *
 * @example
 * uuidv7(Date.UTC(2026, 0, 1)); // '019b76da-a800-7…'
 */
export function uuidv7(now: number, random: RandomSource = pooledRandomBytes): string {
  return shared(now, random);
}

/** Whether `value` is a lowercase UUIDv7 string as produced by {@link uuidv7}. */
export function isUuidv7(value: string): boolean {
  return UUIDV7_PATTERN.test(value);
}

/** The millisecond timestamp encoded in a UUIDv7 string. */
export function uuidv7Timestamp(id: string): number {
  if (!isUuidv7(id)) throw new RangeError(`not a UUIDv7: ${JSON.stringify(id)}`);
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** Random counter start with the top bit clear, leaving at least 2^41 increments before overflow. */
function seedCounter(bytes: Uint8Array): number {
  // 41 bits from bytes 4..9 (the last 6 of 10; bytes 0..3 are the per-id random tail).
  const high = (bytes[4]! & 0x01) * 2 ** 40;
  return high + (bytes[5]! * 2 ** 32) + ((bytes[6]! << 24) >>> 0) + (bytes[7]! << 16) + (bytes[8]! << 8) + bytes[9]!;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function format(ms: number, counter: number, bytes: Uint8Array): string {
  const out = new Uint8Array(16);
  // unix_ts_ms: 48 bits big-endian.
  const msHigh = Math.floor(ms / 2 ** 16);
  out[0] = (msHigh >>> 24) & 0xff;
  out[1] = (msHigh >>> 16) & 0xff;
  out[2] = (msHigh >>> 8) & 0xff;
  out[3] = msHigh & 0xff;
  out[4] = (ms >>> 8) & 0xff;
  out[5] = ms & 0xff;
  // ver (0111) + rand_a = counter bits 41..30.
  const counterHigh = Math.floor(counter / 2 ** 30); // 12 bits
  const counterLow = counter % 2 ** 30; // 30 bits
  out[6] = 0x70 | (counterHigh >>> 8);
  out[7] = counterHigh & 0xff;
  // var (10) + rand_b: counter bits 29..0, then 32 random bits.
  out[8] = 0x80 | (counterLow >>> 24);
  out[9] = (counterLow >>> 16) & 0xff;
  out[10] = (counterLow >>> 8) & 0xff;
  out[11] = counterLow & 0xff;
  out[12] = bytes[0]!;
  out[13] = bytes[1]!;
  out[14] = bytes[2]!;
  out[15] = bytes[3]!;
  let text = '';
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += HEX[out[i]!]!;
  }
  return text;
}
