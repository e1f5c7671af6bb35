import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { citeText, combineBases, unverifiedParts, type ApplicableBasis, type BasesResult } from './bases';

interface Server {
  cite(c: unknown, options?: { mark?: boolean }): string;
  loadKnowledgeBase(): { provisions: { id: string; citation: unknown; requiredContents: { citation: unknown }[] }[] };
  BasesFinder: new (kb: unknown) => { find(q: unknown): BasesResult };
}

async function server(): Promise<Server> {
  return (await import(new URL('../../law/index.ts', import.meta.url).href)) as Server;
}

describe('legal bases in the wizard', () => {
  it('cites as the server does (without the mark, shown as a badge)', async () => {
    const s = await server();
    const kb = s.loadKnowledgeBase();
    let n = 0;
    for (const p of kb.provisions) {
      for (const c of [p.citation, ...p.requiredContents.map((e) => e.citation)]) {
        assert.equal(citeText(c as Parameters<typeof citeText>[0]), s.cite(c, { mark: false }));
        n += 1;
      }
    }
    assert.ok(n > 50);
    assert.equal(citeText({ instrument: 'ETS185', article: '29', paragraph: '2(e)' }), 'ETS185 Art. 29(2)(e)');
  });

  it('keeps the bases that serve every measure, ranked for the first, and says why the others do not apply', async () => {
    const s = await server();
    const finder = new s.BasesFinder(s.loadKnowledgeBase());
    const q = (measure: string) => ({ measure, result: finder.find({ from: 'FR', to: 'US', measure, date: '2026-12-01', emergency: false, offence: 'illegal-access' }) });
    const single = combineBases([q('preservation')]);
    assert.ok(single.applicable.some((b) => b.provision === 'ETS185:29'));
    assert.deepEqual(single.applicable.map((b) => b.rank), single.applicable.map((_, i) => i + 1));
    assert.deepEqual(single.partial, []);
    const both = combineBases([q('preservation'), q('subscriber-info')]);
    assert.ok(!both.applicable.some((b) => b.provision === 'ETS185:29'), 'Art. 29 does not serve subscriber information');
    const partial = both.partial.find((p) => p.provision === 'ETS185:29');
    assert.deepEqual(partial?.missing, ['subscriber-info']);
    assert.equal(new Set(both.notApplicable.map((n) => n.reason)).size, both.notApplicable.length, 'each reason once');
    assert.deepEqual(combineBases([]), { applicable: [], partial: [], notApplicable: [], split: [] });
  });

  it('issue 16: proposes linked requests when no basis serves every measure — preservation first, then the production request', async () => {
    const s = await server();
    const finder = new s.BasesFinder(s.loadKnowledgeBase());
    // FR → JP: Budapest only (FR → US, the bilateral MLA treaty now serves both in one request: no split).
    for (const emergency of [false, true]) {
      const q = (measure: string) => ({ measure, result: finder.find({ from: 'FR', to: 'JP', measure, date: '2026-12-01', emergency, offence: 'illegal-access' }) });
      const both = combineBases([q('preservation'), q('subscriber-info')]);
      assert.deepEqual(both.applicable, [], 'no single basis (the practitioner’s complaint)');
      assert.deepEqual(both.split.map((g) => g.measures), [['preservation'], ['subscriber-info']]);
      assert.ok(both.split[0]?.bases.some((b) => b.provision === 'ETS185:29'));
      assert.ok(both.split[1]?.bases.some((b) => b.provision === 'ETS185:31'));
      // A basis serves both measures together: no split.
      assert.deepEqual(combineBases([q('subscriber-info'), q('traffic-data')]).split, []);
    }
    const us = (measure: string) => ({ measure, result: finder.find({ from: 'FR', to: 'US', measure, date: '2026-12-01', emergency: false, offence: 'illegal-access' }) });
    assert.deepEqual(combineBases([us('preservation'), us('subscriber-info')]).split, []);
  });

  it('marks unverified bases and parties', () => {
    const basis = { verified: false, citation: { verified: true }, requesting: { verified: true }, requested: { verified: false }, unverifiedElements: 2 } as unknown as ApplicableBasis;
    assert.deepEqual(unverifiedParts(basis), { basis: true, parties: true, elements: 2 });
  });
});
