/**
 * Properties of instrument and party status at a date (status.ts) against the real knowledge
 * base, a consistency check of the Budapest participation rows against Art. 36(4)/37(2), and the
 * `--data` path (a participation.csv in another folder).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { entryIntoForceForConsent } from './entry-into-force.js';
import { loadKnowledgeBase } from './knowledge-base.js';
import { CONSENT_EVENTS, INSTRUMENT_IDS, type ParticipationRow } from './model.js';
import { DataError } from './participation.js';
import { ParticipationIndex, type PartyStatusValue } from './status.js';

const kb = loadKnowledgeBase();
const index = new ParticipationIndex(kb);
const parties = index.parties();

const DAY_MS = 86_400_000;
const MIN_DAY = Date.UTC(2000, 0, 1) / DAY_MS;
const MAX_DAY = Date.UTC(2030, 11, 31) / DAY_MS;
const dayToDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Dates where status changes: every dated row, every general entry-into-force date, and the day before each. */
const boundaries = [
  ...new Set(
    [
      ...kb.participation.flatMap((r) => (r.date === null ? [] : [r.date])),
      ...INSTRUMENT_IDS.flatMap((id) => {
        const s = index.instrumentStatus(id, '2100-01-01');
        return s.entryIntoForce === null ? [] : [s.entryIntoForce];
      }),
    ].flatMap((d) => {
      const day = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / DAY_MS;
      return [d, dayToDate(day - 1)];
    }),
  ),
]
  .filter((d) => d >= '2000-01-01' && d <= '2030-12-31')
  .sort();

/** A date between 2000-01-01 and 2030-12-31; half of the time a date where some status changes. */
const dateArb = fc.oneof(fc.integer({ min: MIN_DAY, max: MAX_DAY }).map(dayToDate), fc.constantFrom(...boundaries));

const RANK: Record<PartyStatusValue, number> = { none: 0, signed: 1, consented: 2, 'in-force': 3 };

describe('party status against instrument status (built-in data)', () => {
  it('a party in force implies the instrument in force, and its entry into force is not after the date', () => {
    fc.assert(
      fc.property(dateArb, (date) => {
        for (const id of INSTRUMENT_IDS) {
          const instrument = index.instrumentStatus(id, date);
          for (const party of parties) {
            const status = index.partyStatus(party, id, date);
            if (status.status !== 'in-force') continue;
            assert.ok(instrument.inForce, `${party} in force under ${id} on ${date} but the instrument is not`);
            if (status.entryIntoForce !== null) {
              assert.ok(status.entryIntoForce <= date, `${party} ${id}: in force on ${date}, entry into force ${status.entryIntoForce}`);
            }
            if (instrument.entryIntoForce !== null && status.entryIntoForce !== null) {
              assert.ok(status.entryIntoForce >= instrument.entryIntoForce, `${party} ${id}: in force before the instrument`);
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a party’s entry into force is never before its own consent date', () => {
    fc.assert(
      fc.property(dateArb, (date) => {
        for (const id of INSTRUMENT_IDS) {
          for (const party of parties) {
            const { consent, entryIntoForce } = index.partyStatus(party, id, date);
            if (consent?.date && entryIntoForce !== null) {
              assert.ok(entryIntoForce >= consent.date, `${party} ${id}: entry into force ${entryIntoForce} before consent ${consent.date}`);
            }
          }
        }
      }),
      { numRuns: 20 },
    );
  });

  it('once in force, still in force later (no denunciations in the data); the status never goes back', () => {
    fc.assert(
      fc.property(dateArb, dateArb, (a, b) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        for (const id of INSTRUMENT_IDS) {
          assert.ok(!index.instrumentStatus(id, early).inForce || index.instrumentStatus(id, late).inForce, `${id} in force on ${early}, not on ${late}`);
          for (const party of parties) {
            const before = index.partyStatus(party, id, early).status;
            const later = index.partyStatus(party, id, late).status;
            if (before === 'in-force') assert.equal(later, 'in-force', `${party} ${id}: in force on ${early}, ${later} on ${late}`);
            assert.ok(RANK[later] >= RANK[before], `${party} ${id}: ${before} on ${early}, ${later} on ${late}`);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the instrument’s entry into force is not after the date whenever it is in force', () => {
    fc.assert(
      fc.property(dateArb, (date) => {
        for (const id of INSTRUMENT_IDS) {
          const s = index.instrumentStatus(id, date);
          if (s.inForce) assert.ok(s.entryIntoForce !== null && s.entryIntoForce <= date);
          for (const c of s.consents) assert.ok(c.date === null || c.date <= date, `${id}: consent of ${c.party} on ${c.date} counted on ${date}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('known dates: Budapest from 2004-07-01, EIO from 2017-05-22, e-Evidence Regulation from 2026-08-18', () => {
    assert.equal(index.instrumentStatus('ETS185', '2004-06-30').inForce, false);
    assert.equal(index.instrumentStatus('ETS185', '2004-07-01').inForce, true);
    assert.equal(index.instrumentStatus('EU-2014-41', '2017-05-21').inForce, false);
    assert.equal(index.instrumentStatus('EU-2014-41', '2017-05-22').inForce, true);
    assert.equal(index.instrumentStatus('EU-2023-1543', '2026-08-17').inForce, false);
    assert.equal(index.instrumentStatus('EU-2023-1543', '2026-08-18').inForce, true);
    assert.equal(index.instrumentStatus('CETS224', '2030-12-31').inForce, false, 'three consents of five in the built-in data');
    assert.equal(index.instrumentStatus('EU-US', '2030-12-31').inForce, false);
    assert.equal(index.partyStatus('LT', 'ETS185', '2004-07-01').status, 'in-force');
    assert.equal(index.partyStatus('LT', 'ETS185', '2004-06-30').status, 'consented');
    assert.equal(index.partyStatus('DK', 'EU-2023-1543', '2027-01-01').status, 'none');
    assert.equal(index.partyStatus('FR', 'EU-2023-1543', '2027-01-01').status, 'in-force');
  });
});

describe('Budapest participation rows against Art. 36(4) / 37(2)', () => {
  it('every ETS185 row with a dated consent and an entry_into_force row has the derived date', () => {
    const instrument = kb.instruments.get('ETS185');
    assert.ok(instrument?.entryIntoForce, 'ETS185 has a known general entry-into-force date');
    const general = instrument.entryIntoForce.date;
    const rows = kb.participation.filter((r) => r.instrument === 'ETS185');
    const consents = new Map<string, ParticipationRow>();
    const entries = new Map<string, ParticipationRow>();
    for (const row of rows) {
      if (CONSENT_EVENTS.includes(row.event)) consents.set(row.iso2, row);
      if (row.event === 'entry_into_force') entries.set(row.iso2, row);
    }
    const checked: string[] = [];
    const disagreeing: string[] = [];
    for (const [party, consent] of consents) {
      const entry = entries.get(party);
      if (consent.date === null || !entry?.date) continue;
      checked.push(party);
      const derived = entryIntoForceForConsent(instrument.entryIntoForceRule, consent.date, general);
      if (derived !== entry.date) disagreeing.push(`${party}: consent ${consent.date}, row ${entry.date}, derived ${derived}`);
    }
    assert.ok(checked.length >= 30, `expected the ~31 dated pairs, checked ${checked.length}`);
    // All rows agree with the rule (checked on the built-in data: 31 parties).
    assert.deepEqual(disagreeing, []);
  });

  it('the derived general date agrees with the known one (five CoE members by 18 March 2004)', () => {
    const status = index.instrumentStatus('ETS185', '2004-07-01');
    const dated = status.consents.filter((c) => c.date !== null);
    assert.deepEqual(
      dated.map((c) => c.party),
      ['AL', 'HR', 'EE', 'HU', 'LT'],
    );
    assert.equal(status.entryIntoForce, '2004-07-01');
  });
});

describe('--data: a participation.csv in another folder', () => {
  const builtIn = readFileSync(new URL('./data/participation.csv', import.meta.url), 'utf8');
  const body = builtIn.trimEnd();
  const SOURCE = 'https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=224';
  let dir = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'comity-law-'));
  });
  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  function writeCsv(extra: string[]): string {
    const path = join(dir, 'participation.csv');
    writeFileSync(path, [body, ...extra].join('\n') + '\n');
    return path;
  }

  it('two more CETS 224 consents by Parties to ETS 185 bring it into force on 2027-01-01', () => {
    const path = writeCsv([
      `FR,France,CETS224,ratification,2026-09-01,${SOURCE},HYPOTHETICAL test row`,
      `US,United States,CETS224,ratification,2026-09-01,${SOURCE},HYPOTHETICAL test row`,
    ]);
    const custom = loadKnowledgeBase({ dataDir: dir });
    assert.equal(custom.participationSource, path);
    const idx = new ParticipationIndex(custom);
    const on = idx.instrumentStatus('CETS224', '2027-01-01');
    assert.equal(on.inForce, true);
    assert.equal(on.entryIntoForce, '2027-01-01');
    assert.equal(on.entryIntoForceDerived, true);
    assert.deepEqual(on.consents.map((c) => c.party).sort(), ['FR', 'HU', 'JP', 'RS', 'US']);
    assert.equal(idx.instrumentStatus('CETS224', '2026-12-31').inForce, false);
    assert.equal(idx.instrumentStatus('CETS224', '2026-12-31').entryIntoForce, '2027-01-01', 'threshold reached: date known');
    assert.equal(idx.instrumentStatus('CETS224', '2026-08-31').entryIntoForce, null, 'threshold not yet reached');
    // Earlier consents take effect with the Protocol; the new ones too (same date).
    for (const party of ['RS', 'JP', 'HU', 'FR', 'US']) {
      const s = idx.partyStatus(party, 'CETS224', '2027-01-01');
      assert.equal(s.status, 'in-force', party);
      assert.equal(s.entryIntoForce, '2027-01-01', party);
    }
    assert.equal(idx.partyStatus('RS', 'CETS224', '2026-12-31').status, 'consented');
    assert.equal(idx.partyStatus('DE', 'CETS224', '2027-01-01').status, 'signed');
    // The built-in knowledge base is not affected.
    assert.equal(index.instrumentStatus('CETS224', '2027-01-01').inForce, false);
  });

  it('a consent by a State that is not Party to ETS 185 does not count toward CETS 224', () => {
    writeCsv([
      `FR,France,CETS224,ratification,2026-09-01,${SOURCE},HYPOTHETICAL test row`,
      `CN,China,CETS224,ratification,2026-09-01,${SOURCE},HYPOTHETICAL test row`,
    ]);
    const idx = new ParticipationIndex(loadKnowledgeBase({ dataDir: dir }));
    const s = idx.instrumentStatus('CETS224', '2030-01-01');
    assert.equal(s.inForce, false);
    assert.ok(!s.consents.some((c) => c.party === 'CN'));
  });

  it(
    'a State that is not Party to ETS 185 is not bound by CETS 224 even with a consent row',
    () => {
      writeCsv([
        `FR,France,CETS224,ratification,2026-09-01,${SOURCE},HYPOTHETICAL test row`,
        `US,United States,CETS224,ratification,2026-09-01,${SOURCE},HYPOTHETICAL test row`,
        `CN,China,CETS224,ratification,2026-09-01,${SOURCE},HYPOTHETICAL test row`,
      ]);
      const idx = new ParticipationIndex(loadKnowledgeBase({ dataDir: dir }));
      assert.equal(idx.instrumentStatus('CETS224', '2027-06-01').inForce, true);
      assert.equal(idx.partyStatus('CN', 'ETS185', '2027-06-01').status, 'none');
      assert.notEqual(idx.partyStatus('CN', 'CETS224', '2027-06-01').status, 'in-force');
    },
  );

  it('a bad row makes loadKnowledgeBase throw a DataError naming the file and the line', () => {
    const path = writeCsv([`FR,France,CETS224,ratification,2026-02-30,${SOURCE},bad date`]);
    const line = body.split('\n').length + 1;
    assert.throws(
      () => loadKnowledgeBase({ dataDir: dir }),
      (err: unknown) => {
        assert.ok(err instanceof DataError, String(err));
        assert.equal(err.file, path);
        assert.equal(err.line, line);
        assert.ok(err.message.startsWith(`${path}:${line}: `), err.message);
        assert.ok(err.message.includes('"2026-02-30"'), err.message);
        return true;
      },
    );
  });

  it('a folder without participation.csv is a DataError naming the path', () => {
    const empty = mkdtempSync(join(tmpdir(), 'comity-law-empty-'));
    try {
      assert.throws(
        () => loadKnowledgeBase({ dataDir: empty }),
        (err: unknown) => err instanceof DataError && err.file === join(empty, 'participation.csv') && err.line === null,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
