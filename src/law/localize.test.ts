import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BasesFinder } from './bases.js';
import { loadKnowledgeBase } from './knowledge-base.js';
import { localizeBases } from './localize.js';

const kb = loadKnowledgeBase();
const finder = new BasesFinder(kb);

describe('the engine in French', () => {
  it('every text of a basis is French, every citation identical', () => {
    const en = finder.find({ from: 'FR', to: 'US', measure: 'preservation', date: '2026-12-01', emergency: false });
    const fr = localizeBases(en, 'fr');
    const basis = fr.applicable.find((b) => b.provision === 'ETS185:29');
    const original = en.applicable.find((b) => b.provision === 'ETS185:29');
    assert.ok(basis && original);
    assert.equal(basis.title, 'Conservation rapide de données informatiques stockées');
    assert.notEqual(basis.summary, original.summary);
    assert.deepEqual(basis.requiredContents.map((e) => e.citation), original.requiredContents.map((e) => e.citation));
    for (const [i, e] of basis.requiredContents.entries()) assert.notEqual(e.text, original.requiredContents[i]?.text, e.id);
    for (const [i, d] of basis.deadlines.entries()) assert.notEqual(d.description, original.deadlines[i]?.description, d.id);
    for (const [i, g] of basis.refusalGrounds.entries()) assert.notEqual(g.text, original.refusalGrounds[i]?.text, g.ground);
    assert.notEqual(basis.dualCriminality.text, original.dualCriminality.text);
    assert.deepEqual(fr.notApplicable.map((n) => n.instrument), en.notApplicable.map((n) => n.instrument));
  });

  it('conditions the finder writes are translated with the values they carry', () => {
    const en = finder.find({ from: 'FR', to: 'IE', measure: 'traffic-data', date: '2026-12-01', emergency: false, offence: 'illegal-access' });
    const fr = localizeBases(en, 'fr');
    const conditions = fr.applicable.flatMap((b) => b.conditions.map((c) => c.text));
    const english = en.applicable.flatMap((b) => b.conditions.map((c) => c.text));
    assert.ok(english.length > 0, 'the query has conditions to translate');
    assert.equal(conditions.length, english.length);
    for (const [i, text] of conditions.entries()) assert.notEqual(text, english[i], text);
  });

  it('every reason why a basis does not apply is translated, with its values', () => {
    const parties = ['FR', 'US', 'IE', 'JP', 'DE', 'GB', 'BR', 'DK'];
    let reasons = 0;
    for (const from of parties) {
      for (const to of parties) {
        for (const measure of ['preservation', 'subscriber-info', 'traffic-data', 'interception'] as const) {
          for (const date of ['2026-06-01', '2026-12-01']) {
            for (const emergency of [false, true]) {
              const en = finder.find({ from, to, measure, date, emergency, offence: 'illegal-access' });
              const fr = localizeBases(en, 'fr');
              fr.notApplicable.forEach((n, i) => {
                reasons += 1;
                assert.notEqual(n.reason, en.notApplicable[i]?.reason, `untranslated reason: ${n.reason}`);
              });
            }
          }
        }
      }
    }
    assert.ok(reasons > 100);
  });
});
