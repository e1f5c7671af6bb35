/**
 * Unit and property tests of the final-clause date arithmetic in entry-into-force.ts:
 * first day of the month after N months (Budapest Arts 36(3)-(4), 37(2)), N days after
 * (UNCC Art. 65), the threshold of consents and the date for a later consent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import {
  addDays,
  entryIntoForceForConsent,
  firstDayOfMonthAfter,
  generalEntryIntoForce,
  thresholdReached,
  type Consent,
} from './entry-into-force.js';
import type { Citation, EntryIntoForceRule } from './model.js';

const CITATION: Citation = { instrument: 'TEST', article: '1', source: 'https://example.org/treaty', verified: true };

/** Budapest Art. 36(3)-(4): five States including three CoE members; first day of the month after three months. */
const BUDAPEST_FIELDS = {
  kind: 'first-day-of-month-after' as const,
  threshold: 5,
  minimumCoeMembers: 3,
  months: 3,
  laterConsentMonths: 3,
  citation: CITATION,
  laterConsentCitation: CITATION,
};
const BUDAPEST: EntryIntoForceRule = BUDAPEST_FIELDS;

/** UNCC Art. 65: ninetieth day after the fortieth instrument (REIO not counted); thirtieth day for later ones. */
const UNCC: EntryIntoForceRule = {
  kind: 'nth-day-after',
  threshold: 40,
  days: 90,
  excludeRegionalOrganisations: true,
  laterConsentDays: 30,
  citation: CITATION,
  laterConsentCitation: CITATION,
};

const EU_ACT: EntryIntoForceRule = { kind: 'eu-act', appliesFrom: '2026-08-18', citation: CITATION };
const NOT_CONCLUDED: EntryIntoForceRule = { kind: 'not-concluded', citation: CITATION };

const consent = (party: string, date: string | null, coeMember = false, regionalOrganisation = false): Consent => ({
  party,
  date,
  coeMember,
  regionalOrganisation,
});

// ---------------------------------------------------------------------------------------------
// Arbitraries

const DAY_MS = 86_400_000;
const MIN_DAY = Date.UTC(2000, 0, 1) / DAY_MS;
const MAX_DAY = Date.UTC(2030, 11, 31) / DAY_MS;

/** A calendar date between 2000-01-01 and 2030-12-31, computed with Date (not with addDays). */
const dateArb = fc.integer({ min: MIN_DAY, max: MAX_DAY }).map((day) => new Date(day * DAY_MS).toISOString().slice(0, 10));

const citationArb = fc.constant(CITATION);

const treatyRuleArb: fc.Arbitrary<EntryIntoForceRule> = fc.oneof(
  fc
    .record({
      threshold: fc.integer({ min: 1, max: 6 }),
      coeShare: fc.integer({ min: 0, max: 6 }),
      months: fc.integer({ min: 1, max: 24 }),
      laterConsentMonths: fc.integer({ min: 1, max: 24 }),
      citation: citationArb,
    })
    .map(
      ({ threshold, coeShare, months, laterConsentMonths, citation }): EntryIntoForceRule => ({
        kind: 'first-day-of-month-after',
        threshold,
        minimumCoeMembers: Math.min(coeShare, threshold),
        months,
        laterConsentMonths,
        citation,
        laterConsentCitation: citation,
      }),
    ),
  fc
    .record({
      threshold: fc.integer({ min: 1, max: 6 }),
      days: fc.integer({ min: 1, max: 400 }),
      excludeRegionalOrganisations: fc.boolean(),
      laterConsentDays: fc.integer({ min: 1, max: 400 }),
      citation: citationArb,
    })
    .map(({ citation, ...rest }): EntryIntoForceRule => ({ kind: 'nth-day-after', ...rest, citation, laterConsentCitation: citation })),
);

/** Dated consents of distinct parties P0, P1, ... */
const datedConsentsArb = fc
  .array(fc.record({ date: dateArb, coeMember: fc.boolean(), regionalOrganisation: fc.boolean() }), { minLength: 0, maxLength: 12 })
  .map((items) => items.map((item, i) => consent(`P${i}`, item.date, item.coeMember, item.regionalOrganisation)));

// ---------------------------------------------------------------------------------------------

describe('firstDayOfMonthAfter', () => {
  it('consent on the 1st of a month: the period ends in month M+N, in force on the 1st of M+N+1', () => {
    assert.equal(firstDayOfMonthAfter('2004-03-01', 3), '2004-07-01');
    assert.equal(firstDayOfMonthAfter('2012-06-01', 3), '2012-10-01');
  });

  it('consent on the 31st of a month', () => {
    assert.equal(firstDayOfMonthAfter('2004-03-31', 3), '2004-07-01');
    assert.equal(firstDayOfMonthAfter('2012-08-31', 3), '2012-12-01');
    assert.equal(firstDayOfMonthAfter('2021-01-31', 1), '2021-03-01');
  });

  it('the documented Budapest example: 18 March 2004 → 1 July 2004', () => {
    assert.equal(firstDayOfMonthAfter('2004-03-18', 3), '2004-07-01');
  });

  it('consent in December (and the autumn) rolls over into the next year', () => {
    assert.equal(firstDayOfMonthAfter('2012-12-15', 3), '2013-04-01');
    assert.equal(firstDayOfMonthAfter('2012-12-31', 3), '2013-04-01');
    assert.equal(firstDayOfMonthAfter('2012-09-20', 3), '2013-01-01');
    assert.equal(firstDayOfMonthAfter('2012-08-20', 3), '2012-12-01');
    assert.equal(firstDayOfMonthAfter('2012-12-01', 11), '2013-12-01');
    assert.equal(firstDayOfMonthAfter('2012-12-01', 12), '2014-01-01');
    assert.equal(firstDayOfMonthAfter('2012-12-01', 24), '2015-01-01');
  });

  it('consent on a leap day (29 February)', () => {
    assert.equal(firstDayOfMonthAfter('2024-02-29', 3), '2024-06-01');
    assert.equal(firstDayOfMonthAfter('2000-02-29', 3), '2000-06-01');
    assert.equal(firstDayOfMonthAfter('2024-02-29', 12), '2025-03-01');
  });

  it('data rows of the Budapest Convention agree with the rule (Art. 36(4), 37(2))', () => {
    assert.equal(firstDayOfMonthAfter('2012-06-13', 3), '2012-10-01'); // Austria
    assert.equal(firstDayOfMonthAfter('2012-11-30', 3), '2013-03-01'); // Australia
    assert.equal(firstDayOfMonthAfter('2006-09-29', 3), '2007-01-01'); // United States
  });

  it('property: always the first day of month M+N+1 (Temporal as oracle) and after the date', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 36 }), (date, months) => {
        const result = firstDayOfMonthAfter(date, months);
        const expected = Temporal.PlainDate.from(date).with({ day: 1 }).add({ months: months + 1 }).toString();
        assert.equal(result, expected);
        assert.ok(result.endsWith('-01'));
        assert.ok(result > date);
      }),
    );
  });
});

describe('addDays', () => {
  it('within a month, and zero days', () => {
    assert.equal(addDays('2025-10-25', 0), '2025-10-25');
    assert.equal(addDays('2025-10-25', 5), '2025-10-30');
  });

  it('across a year end', () => {
    assert.equal(addDays('2025-12-31', 1), '2026-01-01');
    assert.equal(addDays('2025-12-15', 30), '2026-01-14');
    assert.equal(addDays('2026-01-01', -1), '2025-12-31');
  });

  it('across leap days (2024, 2000) and non-leap Februaries (2100 is not a leap year)', () => {
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2024-02-29', 1), '2024-03-01');
    assert.equal(addDays('2023-02-28', 1), '2023-03-01');
    assert.equal(addDays('2000-02-28', 1), '2000-02-29');
    assert.equal(addDays('2100-02-28', 1), '2100-03-01');
    assert.equal(addDays('2024-01-01', 366), '2025-01-01');
    assert.equal(addDays('2023-01-01', 365), '2024-01-01');
  });

  it('UNCC Art. 65: the 90th day after a deposit', () => {
    assert.equal(addDays('2026-01-15', 90), '2026-04-15');
    assert.equal(addDays('2024-12-01', 90), '2025-03-01');
    assert.equal(addDays('2023-12-01', 90), '2024-02-29');
  });

  it('property: agrees with Temporal and is invertible', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -800, max: 800 }), (date, days) => {
        const result = addDays(date, days);
        assert.equal(result, Temporal.PlainDate.from(date).add({ days }).toString());
        assert.equal(addDays(result, -days), date);
      }),
    );
  });
});

describe('generalEntryIntoForce', () => {
  it('first-day-of-month-after: first day of the month after `months` months', () => {
    assert.equal(generalEntryIntoForce(BUDAPEST, '2004-03-18'), '2004-07-01');
    const oneMonth: EntryIntoForceRule = { ...BUDAPEST_FIELDS, months: 1 };
    assert.equal(generalEntryIntoForce(oneMonth, '2004-03-18'), '2004-05-01');
  });

  it('nth-day-after: `days` days after the threshold-reaching deposit', () => {
    assert.equal(generalEntryIntoForce(UNCC, '2026-10-02'), '2026-12-31');
    assert.equal(generalEntryIntoForce(UNCC, '2026-10-03'), '2027-01-01');
  });

  it('eu-act: the fixed date it applies from, whatever the threshold date', () => {
    assert.equal(generalEntryIntoForce(EU_ACT, '2000-01-01'), '2026-08-18');
    assert.equal(generalEntryIntoForce(EU_ACT, '2030-01-01'), '2026-08-18');
  });

  it('not-concluded: never', () => {
    assert.equal(generalEntryIntoForce(NOT_CONCLUDED, '2026-01-01'), null);
  });
});

describe('entryIntoForceForConsent', () => {
  it('a consent before the threshold date takes effect with the general date (Budapest)', () => {
    // Albania ratified on 2002-06-20; the Convention entered into force on 2004-07-01.
    assert.equal(entryIntoForceForConsent(BUDAPEST, '2002-06-20', '2004-07-01'), '2004-07-01');
    // The threshold-reaching consent itself.
    assert.equal(entryIntoForceForConsent(BUDAPEST, '2004-03-18', '2004-07-01'), '2004-07-01');
  });

  it('a later consent gets its own date (Budapest Art. 36(4))', () => {
    assert.equal(entryIntoForceForConsent(BUDAPEST, '2012-06-13', '2004-07-01'), '2012-10-01');
    assert.equal(entryIntoForceForConsent(BUDAPEST, '2024-06-20', '2004-07-01'), '2024-10-01');
  });

  it('UNCC: a consent before the threshold, or during the 90 days, takes effect with the general date', () => {
    const general = generalEntryIntoForce(UNCC, '2027-01-01'); // 2027-04-01
    assert.equal(general, '2027-04-01');
    assert.equal(entryIntoForceForConsent(UNCC, '2026-05-01', general), '2027-04-01');
    // Deposited after the threshold but its own 30th day (2027-03-03) comes before the general date.
    assert.equal(entryIntoForceForConsent(UNCC, '2027-02-01', general), '2027-04-01');
    // Own 30th day after the general date.
    assert.equal(entryIntoForceForConsent(UNCC, '2027-03-15', general), '2027-04-14');
    assert.equal(entryIntoForceForConsent(UNCC, '2028-12-15', general), '2029-01-14');
  });

  it('no general date (threshold not reached): no date for anyone', () => {
    assert.equal(entryIntoForceForConsent(BUDAPEST, '2024-01-01', null), null);
    assert.equal(entryIntoForceForConsent(UNCC, '2024-01-01', null), null);
  });

  it('eu-act: the date it applies from; not-concluded: null', () => {
    assert.equal(entryIntoForceForConsent(EU_ACT, '2020-01-01', '2026-08-18'), '2026-08-18');
    assert.equal(entryIntoForceForConsent(NOT_CONCLUDED, '2020-01-01', '2026-08-18'), null);
  });
});

describe('thresholdReached', () => {
  const members = ['M1', 'M2', 'M3', 'M4', 'M5'];
  const others = ['N1', 'N2', 'N3', 'N4', 'N5'];

  it('Budapest: five CoE members reach it on the fifth consent', () => {
    const consents = members.map((p, i) => consent(p, `2003-0${i + 1}-10`, true));
    assert.equal(thresholdReached(BUDAPEST, consents).reachedOn, '2003-05-10');
  });

  it('Budapest: four consents are not enough', () => {
    const consents = members.slice(0, 4).map((p, i) => consent(p, `2003-0${i + 1}-10`, true));
    assert.equal(thresholdReached(BUDAPEST, consents).reachedOn, null);
  });

  it('Budapest: five non-members do not reach it (at least three CoE members are required)', () => {
    const consents = others.map((p, i) => consent(p, `2003-0${i + 1}-10`, false));
    const result = thresholdReached(BUDAPEST, consents);
    assert.equal(result.reachedOn, null);
    assert.equal(result.counted.length, 5);
  });

  it('Budapest: two members among the first five do not reach it; the third member does', () => {
    const consents = [
      consent('N1', '2003-01-10'),
      consent('M1', '2003-02-10', true),
      consent('N2', '2003-03-10'),
      consent('M2', '2003-04-10', true),
      consent('N3', '2003-05-10'),
      consent('N4', '2003-06-10'),
      consent('M3', '2003-07-10', true),
    ];
    assert.equal(thresholdReached(BUDAPEST, consents.slice(0, 6)).reachedOn, null);
    assert.equal(thresholdReached(BUDAPEST, consents).reachedOn, '2003-07-10');
  });

  it('Budapest: three members among the first five reach it on the fifth consent', () => {
    const consents = [
      consent('M1', '2003-01-10', true),
      consent('N1', '2003-02-10'),
      consent('M2', '2003-03-10', true),
      consent('N2', '2003-04-10'),
      consent('M3', '2003-05-10', true),
    ];
    assert.equal(thresholdReached(BUDAPEST, consents).reachedOn, '2003-05-10');
  });

  it('Budapest: five non-members then three members: reached when the third member consents', () => {
    const consents = [
      ...others.map((p, i) => consent(p, `2003-0${i + 1}-10`, false)),
      consent('M1', '2004-01-10', true),
      consent('M2', '2004-02-10', true),
      consent('M3', '2004-03-10', true),
    ];
    assert.equal(thresholdReached(BUDAPEST, consents).reachedOn, '2004-03-10');
  });

  it('consents are taken in date order, whatever the input order', () => {
    const consents = [
      consent('M5', '2003-05-10', true),
      consent('M3', '2003-03-10', true),
      consent('M1', '2003-01-10', true),
      consent('M4', '2003-04-10', true),
      consent('M2', '2003-02-10', true),
      consent('M6', '2002-12-10', true),
    ];
    const result = thresholdReached(BUDAPEST, consents);
    assert.equal(result.reachedOn, '2003-04-10');
    assert.deepEqual(
      result.counted.map((c) => c.party),
      ['M6', 'M1', 'M2', 'M3', 'M4', 'M5'],
    );
  });

  it('UNCC: the regional economic integration organisation is not counted', () => {
    const states = Array.from({ length: 39 }, (_, i) => consent(`S${String(i).padStart(2, '0')}`, addDays('2026-01-01', i)));
    const eu = consent('EU', '2026-01-01', false, true);
    const withEu = thresholdReached(UNCC, [...states, eu]);
    assert.equal(withEu.reachedOn, null, '39 States and the EU are not 40 instruments');
    assert.ok(!withEu.counted.some((c) => c.party === 'EU'));
    assert.equal(withEu.counted.length, 39);
    const fortieth = consent('S39', '2026-06-30');
    assert.equal(thresholdReached(UNCC, [...states, eu, fortieth]).reachedOn, '2026-06-30');
  });

  it('a rule that does not exclude regional organisations counts them', () => {
    const rule: EntryIntoForceRule = {
      kind: 'nth-day-after',
      threshold: 2,
      days: 90,
      excludeRegionalOrganisations: false,
      laterConsentDays: 30,
      citation: CITATION,
      laterConsentCitation: CITATION,
    };
    const result = thresholdReached(rule, [consent('S1', '2026-01-01'), consent('EU', '2026-02-01', false, true)]);
    assert.equal(result.reachedOn, '2026-02-01');
  });

  it('undated consents never determine the date', () => {
    const dated = members.slice(0, 4).map((p, i) => consent(p, `2003-0${i + 1}-10`, true));
    const undated = [consent('U1', null, true), consent('U2', null, true), consent('U3', null, true)];
    const result = thresholdReached(BUDAPEST, [...undated, ...dated]);
    assert.equal(result.reachedOn, null, 'four dated and three undated consents: date unknown');
    assert.equal(result.counted.length, 7, 'the undated consents are still counted');
    assert.deepEqual(
      result.counted.slice(4).map((c) => c.date),
      [null, null, null],
      'undated consents come last',
    );
    const fifth = consent('M5', '2003-09-10', true);
    assert.equal(thresholdReached(BUDAPEST, [...undated, ...dated, fifth]).reachedOn, '2003-09-10');
  });

  it('EU acts and instruments not concluded have no threshold', () => {
    assert.deepEqual(thresholdReached(EU_ACT, [consent('FR', '2020-01-01', true)]), { reachedOn: null, counted: [] });
    assert.deepEqual(thresholdReached(NOT_CONCLUDED, [consent('FR', '2020-01-01', true)]), { reachedOn: null, counted: [] });
  });

  it('does not reorder the caller’s array', () => {
    const consents = [consent('B', '2003-02-01', true), consent('A', '2003-01-01', true)];
    thresholdReached(BUDAPEST, consents);
    assert.deepEqual(
      consents.map((c) => c.party),
      ['B', 'A'],
    );
  });

  it('property: adding undated consents never changes the date', () => {
    fc.assert(
      fc.property(treatyRuleArb, datedConsentsArb, fc.integer({ min: 0, max: 5 }), (rule, dated, extra) => {
        const undated = Array.from({ length: extra }, (_, i) => consent(`U${i}`, null, i % 2 === 0, false));
        assert.equal(thresholdReached(rule, [...undated, ...dated]).reachedOn, thresholdReached(rule, dated).reachedOn);
      }),
    );
  });

  it('property: the threshold date is the date of a counted consent, and enough consents precede it', () => {
    fc.assert(
      fc.property(treatyRuleArb, datedConsentsArb, (rule, consents) => {
        const { reachedOn, counted } = thresholdReached(rule, consents);
        if (reachedOn === null) return;
        assert.ok(counted.some((c) => c.date === reachedOn));
        const upTo = counted.filter((c) => c.date !== null && c.date <= reachedOn);
        assert.ok(rule.kind === 'first-day-of-month-after' || rule.kind === 'nth-day-after');
        assert.ok(upTo.length >= rule.threshold);
      }),
    );
  });
});

describe('entry into force: properties over random dated consents', () => {
  it('the derived date is never before the consent date nor before the threshold date', () => {
    fc.assert(
      fc.property(treatyRuleArb, datedConsentsArb, (rule, consents) => {
        const { reachedOn, counted } = thresholdReached(rule, consents);
        if (reachedOn === null) return;
        const general = generalEntryIntoForce(rule, reachedOn);
        assert.ok(general !== null && general > reachedOn, `general ${general} after threshold ${reachedOn}`);
        for (const c of counted) {
          assert.ok(c.date !== null);
          const own = entryIntoForceForConsent(rule, c.date, general);
          assert.ok(own !== null);
          assert.ok(own >= c.date, `${own} before consent ${c.date}`);
          assert.ok(own >= reachedOn, `${own} before threshold ${reachedOn}`);
          assert.ok(own >= general, `${own} before the general date ${general}`);
        }
      }),
    );
  });

  it('entryIntoForceForConsent is monotonic in the consent date', () => {
    fc.assert(
      fc.property(treatyRuleArb, dateArb, dateArb, dateArb, (rule, threshold, a, b) => {
        const general = generalEntryIntoForce(rule, threshold);
        const [early, late] = a <= b ? [a, b] : [b, a];
        const x = entryIntoForceForConsent(rule, early, general);
        const y = entryIntoForceForConsent(rule, late, general);
        assert.ok(x !== null && y !== null);
        assert.ok(x <= y, `consent ${early} → ${x}, later consent ${late} → ${y}`);
      }),
    );
  });

  it('every consent takes effect strictly after it was given', () => {
    fc.assert(
      fc.property(treatyRuleArb, dateArb, dateArb, (rule, threshold, date) => {
        const general = generalEntryIntoForce(rule, threshold);
        const own = entryIntoForceForConsent(rule, date, general);
        assert.ok(own !== null && own > date);
      }),
    );
  });
});
