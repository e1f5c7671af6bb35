/**
 * The /api/law routes after the knowledge-base review (issues 14-16): the provider's legal
 * representative as a query parameter, party profiles with reservation periods, and one count
 * of the UN Convention's consents shared by the API (the treaty explorer) and the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { assertProblem, buildTestApp, type TestApp } from './harness.js';

interface Bases {
  applicable: { instrument: string; article: string; addressees: string[]; requested: { party: string } }[];
  notApplicable: { instrument: string; reason: string }[];
}

describe('/api/law after the review', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(() => t?.close());

  it('GET /api/law/bases?providerRep=IE offers Reg. 2023/1543 for a US provider; providerRep=DK does not', async () => {
    const query = { from: 'FR', to: 'US', measure: 'subscriber-info', date: '2026-12-01' };
    const ie = (await t.anonymous.get('/api/law/bases', { query: { ...query, providerRep: 'IE' } })).json<Bases>();
    const epoc = ie.applicable.find((b) => b.instrument === 'EU-2023-1543');
    assert.ok(epoc, JSON.stringify(ie.applicable.map((b) => b.instrument)));
    assert.equal(epoc.requested.party, 'IE');
    assert.deepEqual(epoc.addressees, ['service-provider']);
    const dk = (await t.anonymous.get('/api/law/bases', { query: { ...query, providerRep: 'DK' } })).json<Bases>();
    assert.ok(!dk.applicable.some((b) => b.instrument === 'EU-2023-1543'));
    assert.ok(dk.notApplicable.some((n) => n.instrument === 'EU-2023-1543' && n.reason.includes('DK')));
    const none = (await t.anonymous.get('/api/law/bases', { query })).json<Bases>();
    assert.ok(!none.applicable.some((b) => b.instrument === 'EU-2023-1543'), 'without a representative the US provider is not reached');
  });

  it('an unknown representative is a 400 problem naming it', async () => {
    const res = await t.anonymous.get('/api/law/bases', { query: { from: 'FR', to: 'US', measure: 'subscriber-info', providerRep: 'XX' } });
    assertProblem(res, 400);
    assert.match(res.body, /XX/);
  });

  it('GET /api/law/parties/CZ lists the withdrawn reservation with its period', async () => {
    const body = (await t.anonymous.get('/api/law/parties/CZ', { query: { date: '2026-12-01' } })).json<{
      instruments: { instrument: string; reservations: { id: string; from: string | null; until: string | null; period: string; applies: boolean }[] }[];
    }>();
    const r = body.instruments.find((i) => i.instrument === 'ETS185')?.reservations.find((x) => x.id === 'ETS185-29(4)');
    assert.deepEqual(r && { from: r.from, until: r.until, period: r.period, applies: r.applies }, { from: '2013-12-01', until: '2019-07-05', period: '2013-12-01 – 2019-07-05 (withdrawn)', applies: false });
  });

  it('one count of the UN Convention’s consents: the explorer’s API and the CLI agree (0 of 40, 3 unconfirmed)', async () => {
    const api = (await t.anonymous.get('/api/law/participation', { query: { instrument: 'UNCC', date: '2026-12-01' } })).json<{
      instrumentStatus: { counted: number; unconfirmed: number; threshold: number };
    }>();
    const io = captureIo();
    assert.equal(await main(['node', 'comity', 'law', 'status', 'UNCC', '--date', '2026-12-01', '--json'], io), 0);
    const cli = JSON.parse(io.stdout.join('\n')) as { counted: number; unconfirmed: number; threshold: number };
    assert.deepEqual(
      { counted: api.instrumentStatus.counted, unconfirmed: api.instrumentStatus.unconfirmed, threshold: api.instrumentStatus.threshold },
      { counted: cli.counted, unconfirmed: cli.unconfirmed, threshold: cli.threshold },
    );
    assert.deepEqual([cli.counted, cli.unconfirmed, cli.threshold], [0, 3, 40]);
    const text = captureIo();
    await main(['node', 'comity', 'law', 'status', 'UNCC', '--date', '2026-12-01'], text);
    assert.match(text.stdout.join('\n'), /Consents counted: 0 of 40 \(3 more reported without a confirmed date, not counted\)/);
  });
});
