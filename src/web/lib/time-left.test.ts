import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDateTime, formatSpan, formatTimeLeft, timeLeft, urgency, type Translate } from './time-left';

/** An English-like translation function (the real resources are tested in i18n.test.ts). */
const t: Translate = (key, options = {}) => {
  const count = options.count ?? 0;
  switch (key) {
    case 'time.day':
      return `${count} ${count === 1 ? 'day' : 'days'}`;
    case 'time.hour':
      return `${count} h`;
    case 'time.minute':
      return `${count} min`;
    case 'time.lessThanMinute':
      return 'less than a minute';
    case 'time.in':
      return `in ${options.span}`;
    case 'time.overdueBy':
      return `overdue by ${options.span}`;
  }
};

const NOW = Date.parse('2026-11-20T10:00:00Z');
const H = 3_600_000;

describe('timeLeft', () => {
  it('splits the span into days, hours and minutes (floored)', () => {
    const left = timeLeft(new Date(NOW + 3 * 24 * H + 4 * H + 59 * 60_000 + 59_000), NOW);
    assert.deepEqual({ ...left, ms: undefined }, { overdue: false, ms: undefined, days: 3, hours: 4, minutes: 59 });
  });

  it('is overdue at and after the due moment', () => {
    assert.equal(timeLeft(NOW, NOW).overdue, true);
    const late = timeLeft(NOW - 2 * H - 30_000, NOW);
    assert.equal(late.overdue, true);
    assert.equal(late.hours, 2);
    assert.equal(late.minutes, 0);
    assert.ok(late.ms < 0);
  });

  it('accepts ISO strings with offsets', () => {
    assert.equal(timeLeft('2026-11-20T12:00:00+01:00', '2026-11-20T10:00:00Z').hours, 1);
  });

  it('rejects an invalid date', () => {
    assert.throws(() => timeLeft('not a date', NOW), RangeError);
  });
});

describe('formatTimeLeft', () => {
  it('shows the two largest units', () => {
    assert.equal(formatTimeLeft(timeLeft(NOW + 3 * 24 * H + 4 * H + 10 * 60_000, NOW), t), 'in 3 days 4 h');
    assert.equal(formatTimeLeft(timeLeft(NOW + 24 * H, NOW), t), 'in 1 day');
    assert.equal(formatTimeLeft(timeLeft(NOW + 4 * H + 12 * 60_000, NOW), t), 'in 4 h 12 min');
    assert.equal(formatTimeLeft(timeLeft(NOW + 12 * 60_000, NOW), t), 'in 12 min');
    assert.equal(formatTimeLeft(timeLeft(NOW + 30_000, NOW), t), 'in less than a minute');
  });

  it('says how long a clock has been overdue', () => {
    assert.equal(formatTimeLeft(timeLeft(NOW - 2 * H, NOW), t), 'overdue by 2 h');
    assert.equal(formatTimeLeft(timeLeft(NOW - 26 * H, NOW), t), 'overdue by 1 day 2 h');
    assert.equal(formatTimeLeft(timeLeft(NOW, NOW), t), 'overdue by less than a minute');
  });

  it('formatSpan omits a zero second unit', () => {
    assert.equal(formatSpan({ days: 2, hours: 0, minutes: 59 }, t), '2 days');
    assert.equal(formatSpan({ days: 0, hours: 5, minutes: 0 }, t), '5 h');
  });
});

describe('urgency', () => {
  it('classifies overdue, due soon (72 h by default) and later', () => {
    assert.equal(urgency(timeLeft(NOW - 1, NOW)), 'overdue');
    assert.equal(urgency(timeLeft(NOW + 72 * H, NOW)), 'due-soon');
    assert.equal(urgency(timeLeft(NOW + 72 * H + 1, NOW)), 'later');
    assert.equal(urgency(timeLeft(NOW + 5 * H, NOW), 4), 'later');
  });
});

describe('formatDateTime', () => {
  it('formats in the given time zone and names it', () => {
    const paris = formatDateTime('2026-11-20T10:00:00Z', 'en-GB', 'Europe/Paris');
    assert.match(paris, /11:00/);
    assert.match(paris, /20 Nov 2026/);
    assert.match(paris, /CET|GMT\+1/);
    const tokyo = formatDateTime('2026-11-20T20:00:00Z', 'fr', 'Asia/Tokyo');
    assert.match(tokyo, /21 nov\. 2026/);
    assert.match(tokyo, /05:00/);
  });
});
