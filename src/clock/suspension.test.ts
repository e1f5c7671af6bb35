import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { ClockError, dueInstant, dueWithSuspensions, formatInstant, lastDay } from './index.js';
import type { ClockErrorCode, DayPeriodRule, DueOptions, PeriodSpec, Suspension } from './index.js';

const PARIS: DueOptions = { timeZone: 'Europe/Paris', dayRule: 'end-of-last-day' };
const PARIS_NWD: DueOptions = { timeZone: 'Europe/Paris', dayRule: 'end-of-last-day-next-working-day' };
const days = (amount: number): PeriodSpec => ({ amount, unit: 'days' });
const hours = (amount: number): PeriodSpec => ({ amount, unit: 'hours' });
const FROM = '2026-12-01T09:00:00+01:00'; // Tuesday

function fmt(z: Temporal.ZonedDateTime | null): string | null {
  return z === null ? null : formatInstant(z);
}

describe('dueWithSuspensions: hours', () => {
  it('no suspension: same as dueInstant', () => {
    assert.equal(fmt(dueWithSuspensions(FROM, hours(8), PARIS, [])), '2026-12-01T17:00:00+01:00');
  });

  it('adds the suspended time inside the running period', () => {
    const s: Suspension[] = [{ from: '2026-12-01T10:00:00+01:00', to: '2026-12-01T12:00:00+01:00' }];
    assert.equal(fmt(dueWithSuspensions(FROM, hours(8), PARIS, s)), '2026-12-01T19:00:00+01:00');
  });

  it('a suspension in progress at the start delays the start of the clock', () => {
    const s: Suspension[] = [{ from: '2026-11-30T10:00:00+01:00', to: '2026-12-01T10:00:00+01:00' }];
    assert.equal(fmt(dueWithSuspensions(FROM, hours(8), PARIS, s)), '2026-12-01T18:00:00+01:00');
  });

  it('overlapping suspensions are counted once', () => {
    const s: Suspension[] = [
      { from: '2026-12-01T11:00:00+01:00', to: '2026-12-01T13:00:00+01:00' },
      { from: '2026-12-01T10:00:00+01:00', to: '2026-12-01T12:00:00+01:00' },
    ];
    assert.equal(fmt(dueWithSuspensions(FROM, hours(8), PARIS, s)), '2026-12-01T20:00:00+01:00');
  });

  it('a suspension starting at or after the deadline has no effect', () => {
    for (const start of ['2026-12-01T17:00:00+01:00', '2026-12-01T18:00:00+01:00']) {
      const s: Suspension[] = [{ from: start, to: '2026-12-02T09:00:00+01:00' }];
      assert.equal(fmt(dueWithSuspensions(FROM, hours(8), PARIS, s)), '2026-12-01T17:00:00+01:00');
    }
  });

  it('a suspension that pushes the deadline into a later one chains', () => {
    const s: Suspension[] = [
      { from: '2026-12-01T10:00:00+01:00', to: '2026-12-01T12:00:00+01:00' },
      { from: '2026-12-01T18:00:00+01:00', to: '2026-12-01T19:00:00+01:00' }, // after 17:00 but before 19:00
    ];
    assert.equal(fmt(dueWithSuspensions(FROM, hours(8), PARIS, s)), '2026-12-01T20:00:00+01:00');
  });

  it('an open suspension inside the running period makes the deadline indefinite', () => {
    assert.equal(dueWithSuspensions(FROM, hours(8), PARIS, [{ from: '2026-12-01T12:00:00+01:00', to: null }]), null);
  });

  it('an open suspension starting after expiry does not revive the deadline', () => {
    const due = dueWithSuspensions(FROM, hours(8), PARIS, [{ from: '2026-12-02T12:00:00+01:00', to: null }]);
    assert.equal(fmt(due), '2026-12-01T17:00:00+01:00');
  });

  it('suspended elapsed time across a DST change is exact', () => {
    // 25 wall-clock hours on 25 October 2026 in Paris: a suspension over that whole local day adds 25h.
    const s: Suspension[] = [{ from: '2026-10-25T00:00:00+02:00', to: '2026-10-26T00:00:00+01:00' }];
    const due = dueWithSuspensions('2026-10-24T20:00:00+02:00', hours(8), PARIS, s);
    assert.equal(fmt(due), '2026-10-26T04:00:00+01:00');
  });
});

describe('dueWithSuspensions: days', () => {
  it('no suspension: same as dueInstant', () => {
    assert.equal(fmt(dueWithSuspensions(FROM, days(10), PARIS, [])), '2026-12-12T00:00:00+01:00');
  });

  it('a partial day of suspension adds one day', () => {
    const s: Suspension[] = [{ from: '2026-12-03T10:00:00+01:00', to: '2026-12-03T11:00:00+01:00' }];
    const due = dueWithSuspensions(FROM, days(10), PARIS, s);
    assert.ok(due);
    assert.equal(lastDay(due, 'days'), '2026-12-12');
  });

  it('two hours across local midnight touch two days', () => {
    const s: Suspension[] = [{ from: '2026-12-03T23:00:00+01:00', to: '2026-12-04T01:00:00+01:00' }];
    const due = dueWithSuspensions(FROM, days(10), PARIS, s);
    assert.ok(due);
    assert.equal(lastDay(due, 'days'), '2026-12-13');
  });

  it('a suspension ending exactly at local midnight does not touch the next day', () => {
    const s: Suspension[] = [{ from: '2026-12-04T09:00:00+01:00', to: '2026-12-05T00:00:00+01:00' }];
    const due = dueWithSuspensions(FROM, days(10), PARIS, s);
    assert.ok(due);
    assert.equal(lastDay(due, 'days'), '2026-12-12');
  });

  it('days are local days in timeZone, not UTC days', () => {
    // 23:30Z–00:30Z spans two UTC days but is 00:30–01:30 on 6 December in Paris: one local day.
    const s: Suspension[] = [{ from: '2026-12-05T23:30:00Z', to: '2026-12-06T00:30:00Z' }];
    const due = dueWithSuspensions(FROM, days(10), PARIS, s);
    assert.ok(due);
    assert.equal(lastDay(due, 'days'), '2026-12-12');
  });

  it('suspension on the event day only, or after the last day, has no effect', () => {
    const s: Suspension[] = [
      { from: '2026-12-01T10:00:00+01:00', to: '2026-12-01T20:00:00+01:00' },
      { from: '2026-12-12T10:00:00+01:00', to: '2026-12-20T10:00:00+01:00' },
    ];
    assert.equal(fmt(dueWithSuspensions(FROM, days(10), PARIS, s)), '2026-12-12T00:00:00+01:00');
  });

  it('a suspension over the last day extends the period past it', () => {
    // Last day 11 December is suspended (partially), so 12 December becomes the last day.
    const s: Suspension[] = [{ from: '2026-12-11T16:00:00+01:00', to: '2026-12-11T17:00:00+01:00' }];
    assert.equal(fmt(dueWithSuspensions(FROM, days(10), PARIS, s)), '2026-12-13T00:00:00+01:00');
  });

  it('the day rule is applied after the suspended days are added', () => {
    // One suspended day moves the last day to Saturday 12 December → Monday 14 December.
    const s: Suspension[] = [{ from: '2026-12-03T10:00:00+01:00', to: '2026-12-03T11:00:00+01:00' }];
    const due = dueWithSuspensions(FROM, days(10), PARIS_NWD, s);
    assert.equal(fmt(due), '2026-12-15T00:00:00+01:00');
  });

  it('an open suspension inside the running period makes the deadline indefinite', () => {
    assert.equal(dueWithSuspensions(FROM, days(10), PARIS, [{ from: '2026-12-05T10:00:00+01:00', to: null }]), null);
  });

  it('an open suspension starting after the last day does not revive the deadline', () => {
    const due = dueWithSuspensions(FROM, days(10), PARIS, [{ from: '2026-12-12T00:00:00+01:00', to: null }]);
    assert.equal(fmt(due), '2026-12-12T00:00:00+01:00');
  });
});

describe('dueWithSuspensions: errors', () => {
  function expectClockError(fn: () => unknown, code: ClockErrorCode, mentions: string): void {
    assert.throws(fn, (error: unknown) => {
      assert.ok(error instanceof ClockError);
      assert.equal(error.code, code);
      assert.ok(error.message.includes(mentions), error.message);
      assert.ok(!/[\r\n]/.test(error.message));
      return true;
    });
  }

  it('invalid-instant: suspension start without offset', () => {
    expectClockError(
      () => dueWithSuspensions(FROM, days(1), PARIS, [{ from: '2026-12-02T10:00', to: null }]),
      'invalid-instant',
      '2026-12-02T10:00',
    );
  });
  it('invalid-instant: impossible suspension end', () => {
    expectClockError(
      () => dueWithSuspensions(FROM, days(1), PARIS, [{ from: '2026-12-02T10:00Z', to: '2026-12-32T10:00Z' }]),
      'invalid-instant',
      '2026-12-32T10:00Z',
    );
  });
  it('invalid-period: suspension ending before it starts', () => {
    expectClockError(
      () => dueWithSuspensions(FROM, days(1), PARIS, [{ from: '2026-12-02T10:00Z', to: '2026-12-02T09:00Z' }]),
      'invalid-period',
      '2026-12-02T09:00Z',
    );
  });
  it('validates the period and zone like dueInstant', () => {
    expectClockError(() => dueWithSuspensions(FROM, days(0), PARIS, []), 'invalid-period', '0');
    expectClockError(
      () => dueWithSuspensions(FROM, days(1), { timeZone: 'Mars/Olympus', dayRule: 'end-of-last-day' }, []),
      'invalid-time-zone',
      'Mars/Olympus',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests, including brute-force oracles for both units
// ---------------------------------------------------------------------------------------------

const ZONES = ['Europe/Paris', 'America/New_York', 'America/Santiago', 'Asia/Tokyo', 'Australia/Lord_Howe', 'UTC'] as const;
const RULES: readonly DayPeriodRule[] = ['end-of-last-day', 'end-of-last-day-next-working-day'];
const MINUTE_MS = 60_000;
const zoneArb = fc.constantFrom(...ZONES);
const ruleArb = fc.constantFrom(...RULES);
/** Minute-aligned start, so that the minute-stepping oracle below is exact. */
const baseArb = fc.integer({ min: Date.UTC(2000, 0, 1) / MINUTE_MS, max: Date.UTC(2050, 0, 1) / MINUTE_MS });

interface RelSuspension {
  /** Minutes relative to `from`. */
  start: number;
  /** Length in minutes; null = open. */
  length: number | null;
}
const suspensionArb = (horizonMinutes: number): fc.Arbitrary<RelSuspension> =>
  fc.record({
    start: fc.integer({ min: -2 * 24 * 60, max: horizonMinutes }),
    length: fc.option(fc.integer({ min: 0, max: 3 * 24 * 60 }), { freq: 8 }),
  });

function toSuspensions(baseMinute: number, zone: string, rel: readonly RelSuspension[]): Suspension[] {
  const at = (m: number): string => formatInstant(Temporal.Instant.fromEpochMilliseconds((baseMinute + m) * MINUTE_MS).toZonedDateTimeISO(zone));
  return rel.map((r) => ({ from: at(r.start), to: r.length === null ? null : at(r.start + r.length) }));
}

/** Oracle for hours: step minute by minute, counting only minutes in which the clock runs. */
function hoursOracle(n: number, rel: readonly RelSuspension[]): number | null {
  let t = 0;
  let remaining = n * 60;
  while (remaining > 0) {
    const covering = rel.find((r) => r.start <= t && (r.length === null || t < r.start + r.length));
    if (covering === undefined) {
      remaining -= 1;
      t += 1;
    } else if (covering.length === null) {
      return null;
    } else {
      t = covering.start + covering.length;
    }
  }
  return t;
}

/** Oracle for days: walk local days one by one; a day counts unless any suspension overlaps it. */
function daysOracle(
  fromMinute: number,
  n: number,
  timeZone: string,
  dayRule: DayPeriodRule,
  holidays: ReadonlySet<string>,
  rel: readonly RelSuspension[],
): Temporal.ZonedDateTime | null {
  const ms = (m: number): number => (fromMinute + m) * MINUTE_MS;
  const startOf = (d: Temporal.PlainDate): number => d.toZonedDateTime(timeZone).startOfDay().epochMilliseconds;
  let day = Temporal.Instant.fromEpochMilliseconds(ms(0)).toZonedDateTimeISO(timeZone).toPlainDate();
  let counted = 0;
  while (counted < n) {
    day = day.add({ days: 1 });
    const dayStart = startOf(day);
    const dayEnd = startOf(day.add({ days: 1 }));
    const overlapping = rel.filter(
      (r) => (r.length === null || r.length > 0) && ms(r.start) < dayEnd && (r.length === null || ms(r.start + r.length) > dayStart),
    );
    if (overlapping.some((r) => r.length === null)) return null;
    if (overlapping.length === 0) counted += 1;
  }
  if (dayRule === 'end-of-last-day-next-working-day') {
    while (day.dayOfWeek >= 6 || holidays.has(day.toString())) day = day.add({ days: 1 });
  }
  return day.add({ days: 1 }).toZonedDateTime(timeZone).startOfDay();
}

describe('dueWithSuspensions: properties', () => {
  it('hours: matches a minute-by-minute simulation', () => {
    fc.assert(
      fc.property(
        baseArb,
        fc.integer({ min: 1, max: 72 }),
        zoneArb,
        fc.array(suspensionArb(80 * 60), { maxLength: 5 }),
        (base, n, timeZone, rel) => {
          const from = formatInstant(Temporal.Instant.fromEpochMilliseconds(base * MINUTE_MS).toZonedDateTimeISO(timeZone));
          const due = dueWithSuspensions(from, hours(n), { timeZone, dayRule: 'end-of-last-day' }, toSuspensions(base, timeZone, rel));
          const expected = hoursOracle(n, rel);
          if (expected === null) assert.equal(due, null);
          else assert.equal(due?.epochMilliseconds, (base + expected) * MINUTE_MS);
        },
      ),
    );
  });

  it('days: matches a day-by-day walk', () => {
    fc.assert(
      fc.property(
        baseArb,
        fc.integer({ min: 1, max: 30 }),
        zoneArb,
        ruleArb,
        fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 10 }),
        fc.array(suspensionArb(40 * 24 * 60), { maxLength: 5 }),
        (base, n, timeZone, dayRule, holidayOffsets, rel) => {
          const from = formatInstant(Temporal.Instant.fromEpochMilliseconds(base * MINUTE_MS).toZonedDateTimeISO(timeZone));
          const eventDay = Temporal.Instant.fromEpochMilliseconds(base * MINUTE_MS).toZonedDateTimeISO(timeZone).toPlainDate();
          const holidays = new Set(holidayOffsets.map((d) => eventDay.add({ days: d }).toString()));
          const options = { timeZone, dayRule, holidays };
          const due = dueWithSuspensions(from, days(n), options, toSuspensions(base, timeZone, rel));
          const expected = daysOracle(base, n, timeZone, dayRule, holidays, rel);
          if (expected === null) assert.equal(due, null);
          else {
            assert.ok(due !== null, `expected ${expected.toString()}, got null`);
            assert.ok(due.equals(expected), `expected ${expected.toString()}, got ${due.toString()}`);
          }
        },
      ),
    );
  });

  it('suspensions never make a deadline earlier (and none changes nothing)', () => {
    fc.assert(
      fc.property(
        baseArb,
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom('hours' as const, 'days' as const),
        zoneArb,
        ruleArb,
        fc.array(suspensionArb(60 * 24 * 60), { maxLength: 6 }),
        fc.array(suspensionArb(60 * 24 * 60), { maxLength: 3 }),
        (base, amount, unit, timeZone, dayRule, relA, relB) => {
          const from = formatInstant(Temporal.Instant.fromEpochMilliseconds(base * MINUTE_MS).toZonedDateTimeISO(timeZone));
          const options = { timeZone, dayRule };
          const period = { amount, unit };
          const plain = dueInstant(from, period, options);
          const none = dueWithSuspensions(from, period, options, []);
          assert.ok(none !== null && none.equals(plain));
          const some = dueWithSuspensions(from, period, options, toSuspensions(base, timeZone, relA));
          const more = dueWithSuspensions(from, period, options, toSuspensions(base, timeZone, [...relA, ...relB]));
          // null = indefinite = later than any instant.
          if (some !== null) assert.ok(Temporal.ZonedDateTime.compare(some, plain) >= 0);
          if (some === null) assert.equal(more, null);
          else if (more !== null) assert.ok(Temporal.ZonedDateTime.compare(more, some) >= 0);
        },
      ),
    );
  });
});
