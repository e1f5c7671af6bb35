/**
 * Completeness of the knowledge base's translations: every text (titles, summaries, required
 * contents, conditions, refusal grounds, clock descriptions, offences, measures, instruments) has
 * a translation of its current English wording in every language file — except the ids listed,
 * after review, in `data/i18n/untranslated.json` (texts added after the last translation pass).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { lawLanguages, lawTexts, localizeLawText, sourceDigest, translationTable } from './i18n.js';
import { loadKnowledgeBase } from './knowledge-base.js';

const kb = loadKnowledgeBase();
const allowed = JSON.parse(readFileSync(new URL('./data/i18n/untranslated.json', import.meta.url), 'utf8')) as Record<string, string[]>;

describe('knowledge-base translations', () => {
  it('has French', () => assert.ok(lawLanguages().includes('fr')));

  for (const lang of lawLanguages()) {
    it(`${lang}: every text translated from its current English wording (or listed in untranslated.json)`, () => {
      const table = translationTable(lang);
      const allow = new Set(allowed[lang] ?? []);
      const missing = lawTexts(kb)
        .filter((t) => table[t.key]?.source !== sourceDigest(t.text))
        .map((t) => `${t.key}${table[t.key] ? ' (stale: the English text changed)' : ''}`)
        .filter((line) => !allow.has(line.split(' ')[0] ?? ''));
      assert.deepEqual(missing, [], `untranslated ${lang} ids:\n${missing.join('\n')}`);
    });

    it(`${lang}: no translation of a text that no longer exists, no empty translation`, () => {
      const keys = new Set(lawTexts(kb).map((t) => t.key));
      const table = translationTable(lang);
      const orphans = Object.keys(table).filter((k) => !keys.has(k));
      assert.deepEqual(orphans, []);
      for (const [key, t] of Object.entries(table)) assert.ok(t.text.trim().length > 0, key);
    });
  }

  it('a stale translation is never shown: the English text is', () => {
    const [first] = lawTexts(kb);
    assert.ok(first);
    assert.notEqual(localizeLawText('fr', first.key, first.text), first.text);
    assert.equal(localizeLawText('fr', first.key, `${first.text} (amended)`), `${first.text} (amended)`);
    assert.equal(localizeLawText('en', first.key, first.text), first.text);
  });
});
