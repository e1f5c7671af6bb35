import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_CLOCK_REGRESSION_MS,
  RFC9562_MAX_UNIX_TS_MS,
  UUIDV7_COUNTER_MAX,
  createRandomPool,
  createUuidv7Generator,
  formatUuidv7,
  isUuidv7,
  nextUuidv7State,
  uuidv7,
  uuidv7Timestamp,
} from '../../src/db/ids.js';

const zeros = (n: number): Uint8Array => new Uint8Array(n);
const ones = (n: number): Uint8Array => new Uint8Array(n).fill(0xff);
const times = fc.integer({ min: 0, max: RFC9562_MAX_UNIX_TS_MS - 1 });

describe('uuidv7 (RFC 9562 §5.7)', () => {
  it('encodes the timestamp, version 7 and variant 10', () => {
    fc.assert(
      fc.property(times, fc.uint8Array({ minLength: 10, maxLength: 10 }), (ms, bytes) => {
        const id = createUuidv7Generator()(ms, () => bytes);
        assert.ok(isUuidv7(id), id);
        assert.equal(uuidv7Timestamp(id), ms);
        assert.equal(id[14], '7');
        assert.ok('89ab'.includes(id[19]!), id);
      }),
    );
  });

  it('matches the layout of the RFC 9562 Appendix A.6 example time', () => {
    // A.6: unix_ts_ms 0x017F22E279B0 (Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00).
    const id = createUuidv7Generator()(0x017f22e279b0, zeros);
    assert.equal(id.slice(0, 15), '017f22e2-79b0-7');
    assert.equal(id, '017f22e2-79b0-7000-8000-000000000000');
  });

  it('ids for later milliseconds sort later, whatever the random bits', () => {
    fc.assert(
      fc.property(times, times, fc.uint8Array({ minLength: 10, maxLength: 10 }), fc.uint8Array({ minLength: 10, maxLength: 10 }), (a, b, ra, rb) => {
        fc.pre(a !== b);
        const idA = createUuidv7Generator()(a, () => ra);
        const idB = createUuidv7Generator()(b, () => rb);
        assert.equal(idA < idB, a < b);
      }),
    );
  });

  it('ids from one generator strictly increase, also within a millisecond and when the clock steps back a little', () => {
    fc.assert(
      fc.property(times, fc.array(fc.integer({ min: -MAX_CLOCK_REGRESSION_MS, max: 5 }), { maxLength: 200 }), (start, steps) => {
        const next = createUuidv7Generator();
        let ms = start;
        let latest = start;
        let previous = next(ms);
        for (const step of steps) {
          // Never more than MAX_CLOCK_REGRESSION_MS behind the latest time seen.
          ms = Math.min(Math.max(0, latest - MAX_CLOCK_REGRESSION_MS, ms + step), RFC9562_MAX_UNIX_TS_MS - 1);
          latest = Math.max(latest, ms);
          const id = next(ms);
          assert.ok(previous < id, `${previous} < ${id}`);
          previous = id;
        }
      }),
    );
  });

  it('counts up by one within a millisecond (RFC 9562 §6.2 Method 1)', () => {
    const next = createUuidv7Generator(zeros);
    assert.equal(next(0x017f22e279b0), '017f22e2-79b0-7000-8000-000000000000');
    assert.equal(next(0x017f22e279b0), '017f22e2-79b0-7000-8000-000100000000');
    assert.equal(next(0x017f22e279b0 - 5), '017f22e2-79b0-7000-8000-000200000000', 'a small step back keeps counting');
  });

  it('seeds the counter with its top bit clear, leaving room to count', () => {
    const state = nextUuidv7State(undefined, 1000, ones(10));
    assert.equal(state.counter, 2 ** 41 - 1);
    assert.equal(formatUuidv7(state, ones(10)), '00000000-03e8-77ff-bfff-ffffffffffff');
  });

  it('advances the timestamp by 1 ms when the counter overflows', () => {
    const state = nextUuidv7State({ ms: 2000, counter: UUIDV7_COUNTER_MAX }, 2000, zeros(10));
    assert.deepEqual(state, { ms: 2001, counter: 0 });
    const before = formatUuidv7({ ms: 2000, counter: UUIDV7_COUNTER_MAX }, ones(10));
    assert.ok(before < formatUuidv7(state, zeros(10)));
    assert.throws(() => nextUuidv7State({ ms: RFC9562_MAX_UNIX_TS_MS, counter: UUIDV7_COUNTER_MAX }, RFC9562_MAX_UNIX_TS_MS, zeros(10)), RangeError);
  });

  it('resets to the new time after a large backwards clock step', () => {
    const next = createUuidv7Generator();
    const late = next(1_000_000);
    const early = next(1_000_000 - MAX_CLOCK_REGRESSION_MS - 1);
    assert.equal(uuidv7Timestamp(early), 1_000_000 - MAX_CLOCK_REGRESSION_MS - 1);
    assert.ok(early < late);
  });

  it('rejects timestamps outside 0..2^48-1 and short random sources', () => {
    for (const bad of [-1, 1.5, NaN, 2 ** 48]) assert.throws(() => uuidv7(bad), RangeError);
    assert.throws(() => createUuidv7Generator()(0, () => new Uint8Array(9)), RangeError);
    assert.throws(() => uuidv7Timestamp('not-a-uuid'), RangeError);
  });

  it('uses crypto.randomBytes by default and stays monotonic across calls', () => {
    const now = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 1000 }, () => uuidv7(now));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('createRandomPool', () => {
  it('hands out fresh bytes from one refill until the pool is used up, then refills', () => {
    const draw = createRandomPool(32);
    const seen: number[][] = [];
    for (let i = 0; i < 12; i += 1) seen.push([...draw(10)]);
    for (const bytes of seen) assert.equal(bytes.length, 10);
    // 10-byte draws from a 32-byte pool: three per refill; 12 draws of random bytes are all distinct.
    assert.equal(new Set(seen.map((b) => b.join(','))).size, 12);
  });

  it('rejects a draw larger than the pool or not a whole number of bytes', () => {
    const draw = createRandomPool(16);
    assert.throws(() => draw(17), RangeError);
    assert.throws(() => draw(-1), RangeError);
    assert.throws(() => draw(1.5), RangeError);
    assert.equal(draw(16).length, 16);
  });

  it('ids from the default (pooled) source stay unique and increasing', () => {
    const next = createUuidv7Generator();
    const ids = Array.from({ length: 5000 }, () => next(1_800_000_000_000));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
    assert.ok(ids.every(isUuidv7));
  });
});
