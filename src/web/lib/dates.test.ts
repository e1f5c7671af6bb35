import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, daysBetween, formatIsoDate, isIsoDate, todayIso } from './dates';

describe('calendar dates', () => {
  it('recognises real dates only', () => {
    assert.equal(isIsoDate('2026-12-31'), true);
    assert.equal(isIsoDate('2024-02-29'), true);
    assert.equal(isIsoDate('2026-02-29'), false);
    assert.equal(isIsoDate('2026-13-01'), false);
    assert.equal(isIsoDate('31/12/2026'), false);
    assert.equal(isIsoDate(''), false);
  });

  it('adds and counts days across months, years and daylight-saving changes', () => {
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2026-03-28', 2), '2026-03-30');
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2026-10-25', 90), '2027-01-23');
    assert.equal(daysBetween('2026-06-01', '2026-12-31'), 213);
    assert.equal(daysBetween('2026-12-31', '2026-12-31'), 0);
    assert.equal(daysBetween('2027-01-01', '2026-12-31'), -1);
    assert.throws(() => addDays('2026-02-30', 1));
  });

  it('today in a time zone', () => {
    const instant = new Date('2026-12-31T23:30:00Z');
    assert.equal(todayIso(instant, 'UTC'), '2026-12-31');
    assert.equal(todayIso(instant, 'Europe/Paris'), '2027-01-01');
    assert.equal(todayIso(instant, 'America/New_York'), '2026-12-31');
  });

  it('formats in the reader’s language, whatever the time zone', () => {
    assert.equal(formatIsoDate('2026-12-31', 'en-GB'), '31 December 2026');
    assert.equal(formatIsoDate('2026-12-31', 'fr'), '31 décembre 2026');
    assert.equal(formatIsoDate('2026-12-31', 'en-US'), 'December 31, 2026');
    assert.equal(formatIsoDate('not a date', 'en'), 'not a date');
  });
});
