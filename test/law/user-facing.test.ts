/**
 * What users read: research notes (which copy was read, what was cut off, "law.md") never reach
 * them; every basis says which kinds of addressee its channel fits (issue 16).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BasesFinder, CHANNELS, MEASURES, loadKnowledgeBase, partyProfile } from '../../src/law/index.js';

const kb = loadKnowledgeBase();
const finder = new BasesFinder(kb);
const RESEARCH = /copy read|cut off|cut in the source|law\.md|legal reference §|presumably|team's reading|recollection|treaty-status\.md|content not read/i;

function assertNoResearch(value: unknown, where: string): void {
  const text = JSON.stringify(value);
  const m = RESEARCH.exec(text);
  assert.equal(m, null, `${where}: research note reaches a user: …${m ? text.slice(Math.max(0, m.index - 80), m.index + 40) : ''}…`);
  assert.ok(!/"note":/.test(text.replace(/"dualCriminality":\{[^}]*"note":/g, '')), `${where}: a citation note reaches a user`);
}

describe('research notes never reach a user', () => {
  it('not in the knowledge base as loaded (instruments, provisions, offences, reservations, measures)', () => {
    assertNoResearch([...kb.instruments.values()], 'instruments');
    assertNoResearch(kb.provisions, 'provisions');
    assertNoResearch([...kb.offences.values()], 'offences');
    assertNoResearch(kb.reservations, 'reservations');
    assertNoResearch([...kb.measures.values()], 'measures');
    assertNoResearch([kb.channels, kb.issuing, kb.reciprocity], 'channels, issuing rules, reciprocity');
  });

  it('not in answers or party profiles', () => {
    for (const [from, to] of [
      ['FR', 'US'],
      ['DE', 'AT'],
      ['FR', 'JP'],
      ['FR', 'RS'],
      ['FR', 'KP'],
    ] as const) {
      for (const measure of MEASURES) assertNoResearch(finder.find({ from, to, measure, date: '2026-12-01', emergency: true }), `${from}→${to} ${measure}`);
    }
    for (const party of ['JP', 'RS', 'MC', 'FI', 'CZ', 'QA']) assertNoResearch(partyProfile(kb, finder.index, party, '2026-12-01'), `profile ${party}`);
  });
});

describe('addressee kinds per channel', () => {
  it('every channel is described once, and every basis carries its channel’s addressees', () => {
    assert.deepEqual(kb.channels.map((c) => c.channel).sort(), [...CHANNELS].sort());
    const byChannel = new Map(kb.channels.map((c) => [c.channel, c.addressees]));
    for (const measure of MEASURES) {
      const result = finder.find({ from: 'FR', to: 'DE', measure, date: '2026-12-01', emergency: true });
      for (const b of [...result.applicable, ...result.noRequestNeeded]) {
        assert.ok(b.addressees.length > 0, b.provision);
        assert.deepEqual(b.addressees, byChannel.get(b.channel));
      }
    }
  });
});
