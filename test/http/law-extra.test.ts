/**
 * The treaty explorer's and the statistics page's endpoints through `app.inject()`:
 * `GET /api/law/participation` (every party's status under one instrument at a date, in one
 * answer) and `GET /api/stats.csv` (the statistics as RFC 4180 CSV, long format
 * `section,key,party,value`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { csvCell, statisticsCsv, type CaseStatistics } from '../../src/http/stats.js';
import { assertProblem, buildTestApp, type TestApp } from './harness.js';

interface ParticipationRow {
  party: string;
  name: string;
  kind: string;
  status: 'in-force' | 'consented' | 'signed' | 'none';
  signature: { date: string | null } | null;
  consent: { event: string; date: string | null } | null;
  entryIntoForce: string | null;
  entryIntoForceDerived: boolean;
  verified: boolean;
  reservations: number;
  notes: string[];
}

interface Participation {
  instrument: string;
  date: string;
  title: string;
  shortTitle: string;
  signatureCloses: string | null;
  instrumentStatus: { inForce: boolean; threshold: number | null; consents: { party: string; date: string | null; verified: boolean }[]; entryIntoForce: string | null };
  counts: Record<'in-force' | 'consented' | 'signed' | 'none', number>;
  parties: ParticipationRow[];
}

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i += 1;
        continue;
      }
      cell += c;
      i += 1;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else {
      assert.ok(c !== '\n' && c !== '\r', `bare line break at ${i}`);
      cell += c;
      i += 1;
    }
  }
  assert.equal(cell, '', 'the file ends with CRLF');
  assert.equal(row.length, 0, 'the file ends with CRLF');
  return rows;
}

describe('treaty explorer and statistics endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(() => t?.close());

  describe('GET /api/law/participation', () => {
    it('answers every party in one response, public, counts adding up', async () => {
      const res = await t.anonymous.get('/api/law/participation', { query: { instrument: 'ETS185', date: '2026-06-01' } });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<Participation>();
      assert.equal(body.instrument, 'ETS185');
      assert.equal(body.date, '2026-06-01');
      assert.equal(body.shortTitle, 'Budapest Convention');
      assert.equal(body.parties.length, t.kb.parties.size);
      assert.deepEqual(body.parties.map((p) => p.party), [...t.kb.parties.keys()].sort());
      const sum = Object.values(body.counts).reduce((a, b) => a + b, 0);
      assert.equal(sum, body.parties.length);
      for (const status of ['in-force', 'consented', 'signed', 'none'] as const) assert.equal(body.counts[status], body.parties.filter((p) => p.status === status).length, status);
      assert.ok(body.counts['in-force'] > 50, 'Budapest binds dozens of parties in 2026');
      assert.equal(body.instrumentStatus.inForce, true);
    });

    it('says the same as GET /api/law/parties/:party for each party', async () => {
      const body = (await t.anonymous.get('/api/law/participation', { query: { instrument: 'ETS185', date: '2026-06-01' } })).json<Participation>();
      for (const party of ['FR', 'US', 'JP', 'MT', 'MC', 'SM', 'LI', 'AD', 'SG', 'IE', 'RU', 'CN', 'EU']) {
        const one = (await t.anonymous.get(`/api/law/parties/${party}`, { query: { date: '2026-06-01' } })).json<{ instruments: { instrument: string; status: string; entryIntoForce: string | null; entryIntoForceDerived: boolean; verified: boolean }[] }>();
        const expected = one.instruments.find((i) => i.instrument === 'ETS185');
        const row = body.parties.find((p) => p.party === party);
        assert.ok(expected && row, party);
        assert.deepEqual(
          { status: row.status, entryIntoForce: row.entryIntoForce, derived: row.entryIntoForceDerived, verified: row.verified },
          { status: expected.status, entryIntoForce: expected.entryIntoForce, derived: expected.entryIntoForceDerived, verified: expected.verified },
          party,
        );
      }
      const fr = body.parties.find((p) => p.party === 'FR');
      assert.equal(fr?.status, 'in-force');
      assert.equal(fr?.name, 'France');
      assert.ok(fr?.consent?.date && fr.signature?.date);
    });

    it('follows the date: before the Convention was opened for signature only undated (unverified) rows count', async () => {
      const body = (await t.anonymous.get('/api/law/participation', { query: { instrument: 'ETS185', date: '2001-01-01' } })).json<Participation>();
      assert.equal(body.instrumentStatus.inForce, false);
      assert.equal(body.counts['in-force'], 0);
      const some = body.parties.filter((p) => p.status !== 'none');
      assert.ok(some.length < 25, 'almost everybody is "none"');
      for (const p of some) assert.equal(p.verified, false, `${p.party} rests on an undated row`);
    });

    it('UNCC: threshold 40, signature window, unconfirmed ratifications marked unverified', async () => {
      const body = (await t.anonymous.get('/api/law/participation', { query: { instrument: 'UNCC', date: '2026-06-01' } })).json<Participation>();
      assert.equal(body.signatureCloses, '2026-12-31');
      assert.equal(body.instrumentStatus.threshold, 40);
      assert.equal(body.instrumentStatus.inForce, false);
      const undated = body.instrumentStatus.consents.filter((c) => !c.verified);
      assert.ok(undated.length > 0, 'the data hold undated (unconfirmed) ratifications');
      for (const c of undated) {
        const row = body.parties.find((p) => p.party === c.party);
        assert.equal(row?.status, 'consented', c.party);
        assert.equal(row?.verified, false, c.party);
      }
      assert.ok(body.parties.some((p) => p.status === 'signed'));
      assert.ok(!body.instrumentStatus.consents.some((c) => c.party === 'EU'), 'the EU’s instrument does not count toward the 40');
    });

    it('an instrument under negotiation: every party none', async () => {
      const body = (await t.anonymous.get('/api/law/participation', { query: { instrument: 'EU-US' } })).json<Participation>();
      assert.equal(body.counts.none, body.parties.length);
      assert.match(body.date, /^\d{4}-\d{2}-\d{2}$/, 'today by default');
    });

    it('refuses bad parameters with problem+json', async () => {
      assertProblem(await t.anonymous.get('/api/law/participation'), 400, 'invalid-request');
      assertProblem(await t.anonymous.get('/api/law/participation', { query: { instrument: 'nope' } }), 400, 'invalid-request');
      assertProblem(await t.anonymous.get('/api/law/participation', { query: { instrument: 'ETS185', date: '01/06/2026' } }), 400, 'invalid-request');
      assertProblem(await t.anonymous.get('/api/law/participation', { query: { instrument: 'ETS185', date: '2026-02-30' } }), 400, 'invalid-parameter');
      assertProblem(await t.anonymous.get('/api/law/participation', { query: { instrument: 'ETS185', extra: '1' } }), 400, 'invalid-request');
    });
  });

  describe('GET /api/stats.csv', () => {
    it('exports the same figures as /api/stats, RFC 4180, as an attachment', async () => {
      const officer = await t.as('officer@fr.demo');
      const json = (await officer.get('/api/stats')).json<CaseStatistics>();
      const res = await officer.get('/api/stats.csv');
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
      assert.match(String(res.headers['content-disposition']), /^attachment; filename="comity-statistics-\d{4}-\d{2}-\d{2}\.csv"$/);
      const rows = parseCsv(res.body);
      assert.deepEqual(rows[0], ['section', 'key', 'party', 'value']);
      assert.ok(rows.every((r) => r.length === 4), 'every record has four fields');
      const value = (section: string, key = '', party = '') => rows.find((r) => r[0] === section && r[1] === key && r[2] === party)?.[3];
      assert.equal(value('total'), String(json.total));
      assert.equal(value('responded'), String(json.responded));
      assert.equal(value('median-response-hours'), json.medianResponseHours === null ? '' : String(Math.round(json.medianResponseHours * 100) / 100));
      for (const [state, count] of Object.entries(json.byState)) assert.equal(value('state', state), String(count), state);
      for (const r of json.outgoing) assert.equal(value('outgoing', r.measure, r.party), String(r.count));
      for (const r of json.incoming) assert.equal(value('incoming', r.measure, r.party), String(r.count));
      for (const r of json.refusalsByGround) assert.equal(value('refusal-ground', r.ground), String(r.count));
      assert.equal(rows.length, 1 + 3 + Object.keys(json.byState).length + json.outgoing.length + json.incoming.length + json.refusalsByGround.length);
      assert.ok(json.total > 0, 'the demo gives the French authority cases');
    });

    it('has the policy of /api/stats', async () => {
      assertProblem(await t.anonymous.get('/api/stats.csv'), 401, 'unauthenticated');
      assertProblem(await (await t.as('admin@fr.demo')).get('/api/stats.csv'), 403, 'forbidden');
      const token = await t.token('officer@fr.demo', ['cases:read']);
      assert.equal((await t.bearer(token).get('/api/stats.csv')).statusCode, 200);
      const lawOnly = await t.token('officer@fr.demo', ['law:read']);
      assertProblem(await t.bearer(lawOnly).get('/api/stats.csv'), 403, 'forbidden');
    });

    it('quotes and neutralises cells (RFC 4180, no spreadsheet formulas)', () => {
      assert.equal(csvCell('plain'), 'plain');
      assert.equal(csvCell('a,b'), '"a,b"');
      assert.equal(csvCell('say "hi"'), '"say ""hi"""');
      assert.equal(csvCell('two\nlines'), '"two\nlines"');
      assert.equal(csvCell('=1+1'), "'=1+1");
      assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
      assert.equal(csvCell('-2'), "'-2");
      assert.equal(csvCell(-2), '-2');
      assert.equal(csvCell(null), '');
      assert.equal(csvCell(Number.NaN), '');
      const csv = statisticsCsv(
        { total: 2, byState: { sent: 1, draft: 1, zzz: 0 }, outgoing: [{ measure: 'preservation', party: 'US', count: 1 }], incoming: [], medianResponseHours: null, responded: 0, refusalsByGround: [{ ground: 'a "quoted", ground', count: 1 }] },
        ['draft', 'sent'],
      );
      assert.deepEqual(parseCsv(csv), [
        ['section', 'key', 'party', 'value'],
        ['total', '', '', '2'],
        ['responded', '', '', '0'],
        ['median-response-hours', '', '', ''],
        ['state', 'draft', '', '1'],
        ['state', 'sent', '', '1'],
        ['state', 'zzz', '', '0'],
        ['outgoing', 'preservation', 'US', '1'],
        ['refusal-ground', 'a "quoted", ground', '', '1'],
      ]);
    });
  });
});
