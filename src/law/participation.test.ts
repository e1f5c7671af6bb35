import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { z } from 'zod';
import { INSTRUMENT_IDS, PARTICIPATION_EVENTS, membershipSchema, partySchema } from './model.js';
import { loadReservationsFile } from './reservations.js';
import { DataError, isCalendarDate, loadParticipationFile, parseCsv, parseParticipationCsv, PARTICIPATION_HEADER } from './participation.js';

const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8'));

const parties = z.array(partySchema).parse(readJson('parties.json'));
const memberships = z.array(membershipSchema).parse(readJson('memberships.json'));
const reservations = loadReservationsFile(new URL('./data/reservations.csv', import.meta.url), 'reservations.csv', new Set(parties.map((p) => p.id)));
const partyIds: ReadonlySet<string> = new Set(parties.map((p) => p.id));
const csvPath = fileURLToPath(new URL('./data/participation.csv', import.meta.url));

const HEADER = PARTICIPATION_HEADER.join(',');
const GOOD = [
  'FR,France,ETS185,signature,2001-11-23,https://example.org/a,CoE member',
  'JP,Japan,CETS224,acceptance,2023-08-10,https://example.org/b,"note, with comma and ""quotes"""',
  'ZA,South Africa,ETS185,signature,,http://example.org/c,date UNCONFIRMED',
];

/** Builds a file: header, the good rows, then `extra` rows; returns it with the line of the first extra row. */
function file(extra: string[], eol = '\n'): { text: string; line: number } {
  return { text: [HEADER, ...GOOD, ...extra].join(eol) + eol, line: GOOD.length + 2 };
}

function expectDataError(text: string, line: number | null, ...fragments: string[]): DataError {
  let caught: unknown;
  try {
    parseParticipationCsv(text, 'participation.csv', partyIds);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${String(caught)}`);
  assert.equal(caught.file, 'participation.csv');
  assert.equal(caught.line, line);
  assert.ok(!caught.message.includes('\n'), 'message is one line');
  assert.ok(caught.message.startsWith(`participation.csv:${line}: `), caught.message);
  for (const f of fragments) assert.ok(caught.message.includes(f), `${JSON.stringify(caught.message)} should name ${JSON.stringify(f)}`);
  return caught;
}

const ROW = (over: Partial<Record<(typeof PARTICIPATION_HEADER)[number], string>>): string => {
  const r = { iso2: 'DE', state: 'Germany', instrument: 'ETS185', event: 'ratification', date: '2009-03-09', source_url: 'https://example.org/d', notes: '', ...over };
  return PARTICIPATION_HEADER.map((k) => r[k]).join(',');
};

describe('data/parties.json', () => {
  it('has the 249 ISO 3166-1 codes plus the EU, sorted and unique', () => {
    assert.equal(parties.length, 250);
    assert.equal(parties.filter((p) => p.kind === 'state').length, 249);
    assert.deepEqual(
      parties.filter((p) => p.kind === 'regional-organisation'),
      [{ id: 'EU', name: 'European Union', kind: 'regional-organisation' }],
    );
    const ids = parties.map((p) => p.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(partyIds.size, ids.length);
    assert.equal(parties.find((p) => p.id === 'FR')?.name, 'France');
  });
});

describe('data/memberships.json', () => {
  it('validates, has CoE (46) and EU (27) with members that are known parties', () => {
    const byOrg = new Map(memberships.map((m) => [m.organisation, m]));
    assert.equal(memberships.length, 2);
    const coe = byOrg.get('CoE');
    const eu = byOrg.get('EU');
    assert.ok(coe && eu);
    assert.equal(coe.members.length, 46);
    assert.equal(eu.members.length, 27);
    for (const m of memberships) {
      assert.equal(new Set(m.members).size, m.members.length, `${m.organisation} has duplicates`);
      for (const id of m.members) assert.ok(partyIds.has(id), `${m.organisation} member ${id} not in parties.json`);
    }
    assert.ok(eu.members.includes('GR') && !eu.members.includes('EL'));
    for (const id of eu.members) assert.ok(coe.members.includes(id), `EU member ${id} should be a CoE member`);
  });
});

describe('data/reservations.csv', () => {
  it('validates and names known parties', () => {
    assert.ok(reservations.some((r) => r.party === 'JP' && r.id === 'CETS224-7(9)(a)' && r.citation.verified));
    assert.ok(reservations.some((r) => r.party === 'JP' && r.id === 'CETS224-8(13)' && !r.citation.verified));
    for (const r of reservations) assert.ok(partyIds.has(r.party));
  });
});

describe('data/participation.csv', () => {
  const rows = loadParticipationFile(csvPath, partyIds);

  it('parses all 291 rows with the parties.json ids', () => {
    assert.equal(rows.length, 291);
    assert.equal(rows[0]?.line, 2);
    assert.equal(rows.at(-1)?.line, 292);
  });

  it('keeps undated rows as null and flags them UNCONFIRMED', () => {
    const undated = rows.filter((r) => r.date === null);
    assert.ok(undated.length > 0);
    for (const r of undated) assert.match(r.notes, /UNCONFIRMED/);
    const jp = rows.find((r) => r.iso2 === 'JP' && r.instrument === 'CETS224' && r.event === 'acceptance');
    assert.equal(jp?.date, '2023-08-10');
  });

  it('agrees with memberships.json on which ETS185 parties are CoE members', () => {
    const coe = new Set(memberships.find((m) => m.organisation === 'CoE')?.members);
    for (const r of rows.filter((x) => x.instrument === 'ETS185')) {
      if (r.notes.startsWith('CoE member')) assert.ok(coe.has(r.iso2), `line ${r.line}: ${r.iso2}`);
      else if (r.notes.startsWith('CoE non-member')) assert.ok(!coe.has(r.iso2), `line ${r.line}: ${r.iso2}`);
      // The 2 Dec 2026 review added entry-into-force rows (NL, SM) whose notes name only their source;
      // the party's consent row carries the membership note.
      else if (r.event === 'entry_into_force') assert.ok(rows.some((x) => x.iso2 === r.iso2 && x.instrument === 'ETS185' && x.notes.startsWith('CoE')), `line ${r.line}`);
      else assert.fail(`line ${r.line}: ETS185 notes should start with "CoE member" or "CoE non-member"`);
    }
  });
});

describe('parseParticipationCsv', () => {
  it('parses a small file with quoted fields, LF or CRLF, with or without a final line end', () => {
    for (const eol of ['\n', '\r\n']) {
      const { text } = file([], eol);
      for (const t of [text, text.slice(0, -eol.length)]) {
        const rows = parseParticipationCsv(t, 'x.csv', partyIds);
        assert.equal(rows.length, 3);
        assert.equal(rows[1]?.notes, 'note, with comma and "quotes"');
        assert.equal(rows[2]?.date, null);
        assert.deepEqual(rows.map((r) => r.line), [2, 3, 4]);
      }
    }
  });

  it('rejects a wrong header', () => {
    expectDataError('iso2,state,instrument,event,date,url,notes\n', 1, '"iso2,state,instrument,event,date,url,notes"');
    expectDataError(`${HEADER},extra\n`, 1, 'extra');
    expectDataError('', 1, 'empty file');
  });

  it('rejects a wrong column count', () => {
    const { text, line } = file(['FR,France,ETS185,ratification,2006-01-10,https://example.org']);
    expectDataError(text, line, 'expected 7 columns', 'found 6');
    expectDataError(file([ROW({}) + ',x']).text, line, 'found 8');
    expectDataError(file(['']).text, line, 'found 1');
  });

  it('rejects an unknown party', () => {
    const { text, line } = file([ROW({ iso2: 'XX' })]);
    expectDataError(text, line, 'unknown party iso2 "XX"', 'parties.json');
    expectDataError(file([ROW({ iso2: 'fr' })]).text, line, '"fr"');
  });

  it('rejects an unknown instrument, listing the allowed ones', () => {
    const { text, line } = file([ROW({ instrument: 'XYZ' })]);
    expectDataError(text, line, `unknown instrument "XYZ" (allowed: ${INSTRUMENT_IDS.join(', ')})`);
  });

  it('rejects an unknown event, listing the allowed ones', () => {
    const { text, line } = file([ROW({ event: 'invitation' })]);
    expectDataError(text, line, 'unknown event "invitation"', PARTICIPATION_EVENTS.join(', '));
  });

  it('rejects dates that are not real calendar dates', () => {
    for (const bad of ['2026-02-30', '2025-02-29', '2024-13-01', '2024-04-31', '2024-1-01', '01-02-2024', '2024-00-10', 'unknown']) {
      const { text, line } = file([ROW({ date: bad })]);
      expectDataError(text, line, `invalid date ${JSON.stringify(bad)}`);
    }
    assert.equal(parseParticipationCsv(file([ROW({ date: '2024-02-29' })]).text, 'x', partyIds).at(-1)?.date, '2024-02-29');
    assert.ok(isCalendarDate('2000-02-29'));
    assert.ok(!isCalendarDate('1900-02-29'));
  });

  it('rejects an empty date unless the notes say UNCONFIRMED', () => {
    const { text, line } = file([ROW({ date: '', notes: 'date not known' })]);
    expectDataError(text, line, 'empty date', '"date not known"', 'UNCONFIRMED');
    expectDataError(file([ROW({ date: '', notes: 'unconfirmed' })]).text, line, '"unconfirmed"');
  });

  it('rejects a source_url that is not an http(s) URL', () => {
    for (const bad of ['ftp://example.org/x', 'example.org', '', 'https://exa mple.org', 'mailto:a@example.org']) {
      const { text, line } = file([ROW({ source_url: bad })]);
      expectDataError(text, line, `invalid source_url ${JSON.stringify(bad)}`, 'http');
    }
  });

  it('rejects a duplicate (iso2, instrument, event), naming both lines', () => {
    const { text, line } = file([ROW({}), ROW({ date: '2010-01-01', notes: 'other source' })]);
    expectDataError(text, line + 1, 'duplicate row "DE,ETS185,ratification"', `first at line ${line}`);
    // Same party and instrument, other event: fine.
    parseParticipationCsv(file([ROW({}), ROW({ event: 'signature' })]).text, 'x', partyIds);
  });

  it('reports physical lines when an earlier quoted field spans lines', () => {
    const { text, line } = file([ROW({ notes: '"first\nsecond\r\nthird"' }), ROW({ iso2: 'XX' })], '\r\n');
    expectDataError(text, line + 3, '"XX"');
  });

  it('rejects malformed quoting with the line of the problem', () => {
    const { line } = file([]);
    expectDataError(file([ROW({ notes: '"open' })]).text, line, 'unterminated quoted field');
    expectDataError(file([ROW({ notes: '"closed"x' })]).text, line, 'after a closing quote', '"x"');
    expectDataError(file([ROW({ notes: 'a "quoted" word' })]).text, line, 'quote inside unquoted field');
    expectDataError(file([ROW({ notes: 'bare\rreturn' })]).text, line, 'carriage return');
  });

  it('returns nothing when a later row is bad', () => {
    const { text } = file([ROW({}), ROW({ iso2: 'FR', event: 'nope' })]);
    assert.throws(() => parseParticipationCsv(text, 'participation.csv', partyIds), DataError);
  });

  it('round-trips rows whose notes need quoting', () => {
    const note = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', 'ü', 'UNCONFIRMED') });
    fc.assert(
      fc.property(fc.array(note, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), (notes, eol) => {
        const lines = notes.map((n, k) => ROW({ iso2: parties[k]?.id, state: 'X', notes: `"${n.replaceAll('"', '""')}"` }));
        const rows = parseParticipationCsv([HEADER, ...lines].join(eol), 'p.csv', partyIds);
        assert.deepEqual(rows.map((r) => r.notes), notes);
        let expectedLine = 2;
        rows.forEach((r, k) => {
          assert.equal(r.line, expectedLine);
          expectedLine += (notes[k]?.split('\n').length ?? 1);
        });
      }),
    );
  });
});

describe('parseCsv', () => {
  const field = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('x', ',', '"', '\r', '\n', '\r\n', ' ', 'é') }));

  /** RFC 4180 encoding: quote a field when it needs it, or always. */
  function encode(records: string[][], eol: string, alwaysQuote: boolean): string {
    return records
      .map((rec) =>
        rec
          .map((f) => (alwaysQuote || /[",\r\n]/.test(f) || (rec.length === 1 && f === '') ? `"${f.replaceAll('"', '""')}"` : f))
          .join(','),
      )
      .join(eol);
  }

  it('decodes any encoded records, with their physical start lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        (records, eol, alwaysQuote, finalEol) => {
          const text = encode(records, eol, alwaysQuote) + (finalEol ? eol : '');
          const parsed = parseCsv(text, 't.csv');
          assert.deepEqual(
            parsed.map((r) => r.fields),
            records,
          );
          let line = 1;
          parsed.forEach((r, k) => {
            assert.equal(r.line, line);
            line += records[k]!.join(',').split('\n').length;
          });
        },
      ),
    );
  });

  it('ignores a UTF-8 byte order mark', () => {
    assert.deepEqual(parseCsv('\uFEFFa,b\n', 'x').map((r) => r.fields), [['a', 'b']]);
  });
});

describe('loadParticipationFile', () => {
  it('reports an unreadable file by path with line null', () => {
    const missing = fileURLToPath(new URL('./data/no-such-file.csv', import.meta.url));
    assert.throws(
      () => loadParticipationFile(missing, partyIds),
      (err: unknown) => err instanceof DataError && err.file === missing && err.line === null && err.message.startsWith(`${missing}: `) && err.message.includes('ENOENT'),
    );
  });

  it('names the path in row errors', () => {
    assert.throws(
      () => loadParticipationFile(csvPath, new Set(['AL'])),
      (err: unknown) => err instanceof DataError && err.file === csvPath && err.line === 5 && err.message.includes('"AD"'),
    );
  });
});
