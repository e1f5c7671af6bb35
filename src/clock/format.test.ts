import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { calendarDateIn } from './index.js';

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Australia/Lord_Howe', 'Asia/Tokyo', 'Europe/Dublin'];

describe('calendarDateIn', () => {
  it('agrees with Temporal for any instant of years 1970–2200 in zones with odd offsets and DST', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }), fc.constantFrom(...ZONES), (ms, zone) => {
        const expected = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate().toString();
        assert.equal(calendarDateIn(ms, zone), expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('turns the date at local midnight, not UTC midnight, across a DST change', () => {
    // Paris, 29 March 2026: clocks go from 02:00 to 03:00 (UTC+1 → UTC+2).
    assert.equal(calendarDateIn(Date.parse('2026-03-28T22:59:59.999Z'), 'Europe/Paris'), '2026-03-28');
    assert.equal(calendarDateIn(Date.parse('2026-03-28T23:00:00Z'), 'Europe/Paris'), '2026-03-29');
    assert.equal(calendarDateIn(Date.parse('2026-03-29T21:59:59.999Z'), 'Europe/Paris'), '2026-03-29');
    assert.equal(calendarDateIn(Date.parse('2026-03-29T22:00:00Z'), 'Europe/Paris'), '2026-03-30');
    // Kiritimati is UTC+14: a day ahead of Pago Pago (UTC-11) for most of the day.
    assert.equal(calendarDateIn(Date.parse('2026-12-01T12:00:00Z'), 'Pacific/Kiritimati'), '2026-12-02');
    assert.equal(calendarDateIn(Date.parse('2026-12-01T08:00:00Z'), 'Pacific/Pago_Pago'), '2026-11-30');
  });

  it('pads years before 1000 and rejects an unknown zone', () => {
    assert.equal(calendarDateIn(Date.UTC(999, 11, 31, 12), 'UTC'), '0999-12-31');
    assert.throws(() => calendarDateIn(0, 'Mars/Olympus_Mons'), RangeError);
  });
});
