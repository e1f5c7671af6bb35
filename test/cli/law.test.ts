import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n'), io };
}

async function json(...args: string[]): Promise<unknown> {
  const result = await run(...args, '--json');
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe('comity law bases', () => {
  test('FR→US preservation: the JSON contract', async () => {
    const out = (await json('law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'preservation', '--date', '2026-12-01')) as {
      applicable: { instrument: string; article: string; channel: string; verified: boolean; rank: number }[];
      notApplicable: { instrument: string; reason: string }[];
    };
    assert.deepEqual(
      out.applicable.map((b) => [b.rank, b.instrument, b.article, b.channel, b.verified]),
      [
        [1, 'ETS185', '29', 'party-to-party', true],
        [2, 'ETS185', '35(1)(b)', '24/7-network', true],
        // The bilateral treaty and the EU–US agreement rank after the Budapest Convention (ranking.json); their texts are not verified.
        [3, 'FR-US-MLAT', '1', 'central-authority', false],
        [4, 'EU-US-MLA', '7', 'central-authority', false],
      ],
    );
    const reasons = out.notApplicable.map((n) => n.reason);
    assert.ok(reasons.includes('CETS224: not in force on 2026-12-01, 3 of 5 consents'), reasons.join('\n'));
    assert.ok(reasons.some((r) => r.startsWith('EU-US: under negotiation')));
  });

  test('the readable table names the bases and the reasons', async () => {
    const { code, stdout } = await run('law', 'bases', '--from', 'FR', '--to', 'IE', '--measure', 'subscriber-info', '--date', '2026-12-01');
    assert.equal(code, 0);
    assert.match(stdout, /EU-2023-1543 Art\. 5/);
    assert.match(stdout, /ETS185: IE signed but has not ratified/);
    assert.match(stdout, /\[unverified\]/);
  });

  test('EU-2023-1543 before its application date', async () => {
    const out = (await json('law', 'bases', '--from', 'FR', '--to', 'DE', '--measure', 'subscriber-info', '--date', '2026-08-17')) as { notApplicable: { reason: string }[] };
    assert.ok(out.notApplicable.some((n) => n.reason === 'EU-2023-1543: applies from 2026-08-18'));
  });
});

describe('comity law status, party, deadlines, matrix', () => {
  test('status UNCC', async () => {
    const out = (await json('law', 'status', 'UNCC', '--date', '2026-12-01')) as Record<string, unknown>;
    assert.equal(out.instrument, 'UNCC');
    assert.equal(out.date, '2026-12-01');
    assert.equal(out.inForce, false);
    assert.equal(out.entryIntoForce, null);
    assert.equal(out.threshold, 40);
    assert.ok(Array.isArray(out.consents));
    assert.equal(out.signatureDaysLeft, 30);
  });

  test('status ETS185: in force since 2004-07-01', async () => {
    const out = (await json('law', 'status', 'ETS185', '--date', '2026-12-01')) as Record<string, unknown>;
    assert.equal(out.inForce, true);
    assert.equal(out.entryIntoForce, '2004-07-01');
  });

  test('party JP lists its CETS 224 reservations', async () => {
    const out = (await json('law', 'party', 'JP', '--date', '2026-12-01')) as {
      party: string;
      instruments: { instrument: string; status: string; entryIntoForce: string | null; reservations: { id: string }[] }[];
    };
    assert.equal(out.party, 'JP');
    const cets = out.instruments.find((i) => i.instrument === 'CETS224');
    assert.equal(cets?.status, 'consented');
    assert.deepEqual(cets?.reservations.map((r) => r.id).sort(), ['CETS224-7(9)(a)', 'CETS224-8(13)']);
    assert.equal(out.instruments.find((i) => i.instrument === 'ETS185')?.status, 'in-force');
  });

  test('deadlines EPOC: 10 days, and 8 hours in an emergency', async () => {
    const base = ['law', 'deadlines', '--instrument', 'EU-2023-1543', '--measure', 'subscriber-info', '--received', '2026-12-01T09:00:00+01:00', '--tz', 'Europe/Paris'];
    const normal = (await json(...base)) as { deadlines: { id: string; due: string; citation: unknown; verified: boolean }[] };
    assert.deepEqual(normal.deadlines.map((d) => [d.id, d.due]), [['epoc-production', '2026-12-12T00:00:00+01:00']]);
    const urgent = (await json(...base, '--emergency')) as { deadlines: { id: string; due: string }[] };
    assert.deepEqual(urgent.deadlines.map((d) => [d.id, d.due]), [['epoc-emergency-production', '2026-12-01T17:00:00+01:00']]);
  });

  test('deadlines without --tz count days in the offset of --received', async () => {
    const out = (await json('law', 'deadlines', '--instrument', 'ETS185', '--measure', 'preservation', '--received', '2026-12-01T23:30:00-05:00')) as {
      timeZone: string;
      deadlines: { id: string; due: string; verified: boolean }[];
    };
    assert.equal(out.timeZone, 'Etc/GMT+5');
    assert.deepEqual(out.deadlines.map((d) => [d.id, d.due, d.verified]), [['preservation-minimum', '2027-01-31T00:00:00-05:00', true]]);
  });

  test('matrix ETS185 as CSV', async () => {
    const { code, stdout } = await run('law', 'matrix', '--instrument', 'ETS185', '--date', '2026-12-01', '--format', 'csv');
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.equal(lines[0], 'requesting,requested,measures');
    assert.ok(lines.includes('FR,US,preservation;traffic-disclosure;subscriber-info;identification-data;traffic-data;content-data;domain-registration;realtime-traffic;interception;spontaneous-information'), 'FR,US row');
    assert.ok(!lines.some((l) => l.startsWith('IE,') || l.includes(',IE,')), 'Ireland has not ratified');
  });
});

describe('bad input: one line on stderr, exit 2, nothing on stdout', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown party', ['law', 'bases', '--from', 'FR', '--to', 'XX', '--measure', 'preservation'], /unknown requested party "XX"/],
    ['unknown measure', ['law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'search'], /unknown measure "search": allowed preservation/],
    ['impossible date', ['law', 'status', 'ETS185', '--date', '2026-02-30'], /invalid date "2026-02-30"/],
    ['unknown instrument', ['law', 'status', 'ETS999'], /unknown instrument "ETS999": allowed ETS185/],
    ['unknown offence', ['law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'preservation', '--offence', 'jaywalking'], /unknown offence "jaywalking"/],
    ['missing option', ['law', 'bases', '--to', 'US', '--measure', 'preservation'], /required option '--from <party>'/],
    ['bad instant', ['law', 'deadlines', '--instrument', 'ETS185', '--measure', 'preservation', '--received', 'yesterday'], /invalid --received "yesterday"/],
    ['unknown zone', ['law', 'deadlines', '--instrument', 'ETS185', '--measure', 'preservation', '--received', '2026-12-01T09:00:00Z', '--tz', 'Mars/Olympus'], /Mars\/Olympus/],
    ['bad format', ['law', 'matrix', '--instrument', 'ETS185', '--format', 'xml'], /unknown --format "xml"/],
    ['missing data dir', ['law', 'status', 'ETS185', '--data', '/nonexistent/comity'], /nonexistent/],
  ];
  for (const [name, args, pattern] of cases) {
    test(name, async () => {
      const { code, stdout, io } = await run(...args);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.equal(io.stderr.length, 1);
      assert.match(io.stderr[0] ?? '', pattern);
      assert.doesNotMatch(io.stderr[0] ?? '', /\n|at .*\(.*:\d+:\d+\)/);
    });
  }
});

describe('--data replaces the participation data', () => {
  const builtIn = readFileSync(new URL('../../src/law/data/participation.csv', import.meta.url), 'utf8');

  test('a row added by an administrator changes the answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-data-'));
    const extra = [
      'FR,France,CETS224,ratification,2026-09-01,https://example.org/fr,test row',
      'US,United States,CETS224,ratification,2026-09-15,https://example.org/us,test row',
    ].join('\n');
    writeFileSync(join(dir, 'participation.csv'), `${builtIn.trimEnd()}\n${extra}\n`);
    const out = (await json('law', 'status', 'CETS224', '--date', '2027-01-01', '--data', dir)) as { inForce: boolean; entryIntoForce: string };
    assert.equal(out.inForce, true);
    assert.equal(out.entryIntoForce, '2027-01-01');
  });

  test('a bad row rejects the whole file, naming file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-data-'));
    const lines = builtIn.trimEnd().split('\n');
    writeFileSync(join(dir, 'participation.csv'), `${lines.join('\n')}\nFR,France,CETS224,ratification,2026-13-01,https://example.org,x\n`);
    const { code, io } = await run('law', 'status', 'CETS224', '--data', dir);
    assert.equal(code, 2);
    assert.match(io.stderr[0] ?? '', new RegExp(`participation\\.csv:${lines.length + 1}: .*2026-13-01`));
  });
});

describe('the installed bin', () => {
  test('npx comity: real process, exit 2 and one line on bad input', () => {
    const bin = new URL('../../bin/comity.js', import.meta.url).pathname;
    const bad = spawnSync(process.execPath, [bin, 'law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'nope'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const good = spawnSync(process.execPath, [bin, 'law', 'status', 'ETS185', '--date', '2026-12-01', '--json'], { encoding: 'utf8' });
    assert.equal(good.status, 0, good.stderr);
    assert.equal(JSON.parse(good.stdout).inForce, true);
  });
});

describe('issues 14-16: representative, reservations, reciprocity, Art. 4', () => {
  type Bases = { applicable: { instrument: string; article: string; addressees: string[] }[]; noRequestNeeded: { article: string }[]; fallback: { text: string } | null };

  test('--provider-rep IE lists EU-2023-1543 for a US provider; --provider-rep DK does not', async () => {
    const ie = (await json('law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'subscriber-info', '--provider-rep', 'IE', '--date', '2026-12-01')) as Bases;
    assert.ok(ie.applicable.some((b) => b.instrument === 'EU-2023-1543' && b.article === '5(3)'));
    const dk = (await json('law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'subscriber-info', '--provider-rep', 'DK', '--date', '2026-12-01')) as Bases;
    assert.ok(!dk.applicable.some((b) => b.instrument === 'EU-2023-1543'));
  });

  test('a bad --provider-rep: one line on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await run('law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'subscriber-info', '--provider-rep', 'XX');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /unknown provider's legal representative "XX"/);
    assert.ok(!stderr.trim().includes('\n'));
  });

  test('identification-data is a measure; in an emergency the 24/7 network ranks first', async () => {
    const out = (await json('law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'identification-data', '--emergency', '--date', '2026-12-01')) as Bases;
    assert.deepEqual([out.applicable[0]?.article, out.applicable[0]?.addressees], ['35(1)(c)', ['24/7-point-of-contact']]);
    assert.deepEqual(out.noRequestNeeded.map((b) => b.article), ['32']);
  });

  test('nothing applies: the reciprocity answer', async () => {
    const out = (await json('law', 'bases', '--from', 'FR', '--to', 'KP', '--measure', 'preservation', '--date', '2026-12-01')) as Bases;
    assert.deepEqual(out.applicable, []);
    assert.match(out.fallback?.text ?? '', /reciprocity/);
    const { stdout } = await run('law', 'bases', '--from', 'FR', '--to', 'KP', '--measure', 'preservation', '--date', '2026-12-01');
    assert.match(stdout, /^Reciprocity: .*no obligation/m);
  });

  test('party AT shows its Art. 29(4) reservation with its period; CZ its withdrawal', async () => {
    const { stdout } = await run('law', 'party', 'CZ', '--date', '2026-12-01');
    assert.match(stdout, /ETS185 reservation ETS185 Art\. 29\(4\) — 2013-12-01 – 2019-07-05 \(withdrawn\) — does not apply on 2026-12-01/);
    const at = (await json('law', 'party', 'AT', '--date', '2026-12-01')) as { instruments: { instrument: string; reservations: { period: string; applies: boolean }[] }[] };
    assert.deepEqual(at.instruments.find((i) => i.instrument === 'ETS185')?.reservations.map((r) => [r.period, r.applies]), [['since 2012-10-01', true]]);
  });

  test('law issuing: a prosecutor’s content-data EPOC needs a judge’s validation (Art. 4(2))', async () => {
    const out = (await json('law', 'issuing', '--order', 'EPOC', '--category', 'content-data', '--authority', 'public-prosecutor')) as { mayIssue: boolean; validation: string; validators: string[] };
    assert.deepEqual([out.mayIssue, out.validation, out.validators], [true, 'prior', ['judge', 'court', 'investigating-judge']]);
    const bad = await run('law', 'issuing', '--order', 'EPOC', '--category', 'content', '--authority', 'judge');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown category "content"/);
  });
});
