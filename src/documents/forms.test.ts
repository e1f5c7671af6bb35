/**
 * Golden structure of every form: the official form's fields, in order, each with the case's
 * value or marked not applicable; labels and values in words (no codes, no placeholders, no
 * internal state); the document in the language asked for, whatever else is going on.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MEASURES, loadKnowledgeBase } from '../law/index.js';
import { generatedCase } from './fixtures.js';
import { DOCUMENT_LANGUAGES } from './forms-for.js';
import { buildDocument } from './forms/index.js';
import { FORM_IDS, type DocumentModel, type FormId } from './model.js';
import { documentLanguages, wordsOf } from './words.js';

const kb = loadKnowledgeBase();
const GOLDEN = new URL('./forms.golden.json', import.meta.url);
const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<FormId, string[]>;

function model(form: FormId, language = 'en', facts?: string): DocumentModel {
  const c = generatedCase(form, { language, ...(facts ? { facts } : {}) });
  return buildDocument(form, { ...c, kb, personInCharge: { name: 'Claire Martin', email: 'claire.martin@justice.demo.invalid' }, issuer: form === 'eu-annex-iii' ? c.addressee : c.requesting, issuedAt: new Date('2026-12-01T09:30:00Z'), language, node: 'comity.test' });
}

const keysOf = (m: DocumentModel) => m.sections.flatMap((s) => s.fields.map((f) => `${s.key}/${f.key}`));
const texts = (m: DocumentModel) => [m.title, m.formReference, ...m.marks, ...m.signature, ...m.sections.flatMap((s) => [s.heading, ...s.fields.flatMap((f) => [f.label, 'text' in f.value ? f.value.text : '']), ...(s.table ? [...s.table.columns, ...s.table.rows.flat()] : [])])];

// Codes that must never reach a reader: hyphenated codes anywhere, one-word codes as a whole value.
const CODES = [...MEASURES, 'strictly-confidential', 'human-rights', 'prosecutor-or-judge', 'central-authority', 'execute-partially'].filter((c) => c.includes('-'));
const WHOLE_CODES = new Set([...MEASURES, 'email', 'ip', 'account', 'phone', 'domain', 'normal', 'confidential', 'sent', 'refused', 'draft', 'judge', 'refuse']);
const PLACEHOLDERS = /\{\w+\}|TODO|_{3,}|\(given in|undefined|\bnull\b|\[object|NaN/;

describe('form structure', () => {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(GOLDEN, `${JSON.stringify(Object.fromEntries(FORM_IDS.map((f) => [f, keysOf(model(f))])), null, 2)}\n`);
  }
  for (const form of FORM_IDS) {
    it(`${form}: every field of the official form, in order, with a value or "not applicable", in words`, () => {
      const m = model(form);
      assert.deepEqual(keysOf(m), golden[form], 'fields differ from the golden structure (UPDATE_GOLDEN=1 after review)');
      for (const s of m.sections) {
        for (const f of s.fields) {
          assert.ok('text' in f.value ? f.value.text.trim().length > 0 : f.value.notApplicable, `${f.key}: empty value`);
          assert.ok(f.label.trim().length > 0);
        }
      }
      for (const t of texts(m)) {
        assert.doesNotMatch(t, PLACEHOLDERS, `placeholder in "${t.slice(0, 80)}"`);
        assert.ok(!WHOLE_CODES.has(t.trim()), `raw code "${t}"`);
        for (const code of CODES) assert.ok(!new RegExp(`(^|[\\s:;(])${code}([\\s,;.)]|$)`).test(t), `raw code "${code}" in "${t.slice(0, 120)}"`);
      }
      // No internal state: no workflow state, version or case id.
      const all = texts(m).join('\n');
      assert.ok(!all.includes('0193a000-0000-7000-8000-000000000001'), 'internal case id printed');
      assert.ok(!/\b(Status|Statut)\s*:/.test(all), 'workflow state printed');
      // The legal basis is cited (instrument and article).
      if (form !== 'eu-annex-iii') assert.match(all, /(ETS185|EU-2023-1543|EU-2014-41|UNCC) Art\. /);
    });

    it(`${form}: in French, labels and legal texts are French, citations unchanged`, () => {
      const en = model(form, 'en');
      const fr = model(form, 'fr');
      assert.deepEqual(keysOf(fr), keysOf(en), 'same fields in every language');
      assert.notEqual(fr.title, en.title);
      const enLabels = new Set(en.sections.flatMap((s) => s.fields.map((f) => f.label)));
      const translatedLabels = fr.sections.flatMap((s) => s.fields.map((f) => f.label)).filter((l) => !enLabels.has(l));
      assert.ok(translatedLabels.length > fr.sections.flatMap((s) => s.fields).length * 0.7, 'labels in French');
      const basis = (m: DocumentModel) => m.sections.flatMap((s) => s.fields).find((f) => f.key === 'handling.legalBasis');
      const frBasis = basis(fr);
      const enBasis = basis(en);
      if (frBasis && enBasis && 'text' in frBasis.value && 'text' in enBasis.value) {
        assert.notEqual(frBasis.value.text, enBasis.value.text, 'legal basis title in French');
        assert.equal(/^\S+ Art\. \S+/.exec(frBasis.value.text)?.[0], /^\S+ Art\. \S+/.exec(enBasis.value.text)?.[0], 'same citation');
      }
    });
  }

  it('a request written in French gives a French document even when English is asked for nothing else', () => {
    // The document language is the request's (or the one chosen), never the reader's interface.
    assert.match(model('letter', 'fr').words.page, /sur/);
    assert.match(model('letter', 'en').words.page, /of/);
  });

  it('the workspace offers exactly the languages that have a words file', () => {
    assert.deepEqual([...DOCUMENT_LANGUAGES].sort(), documentLanguages());
  });

  it('every document language has every word of English, and no other', () => {
    const en = Object.keys(wordsOf('en')).sort();
    for (const lang of documentLanguages()) assert.deepEqual(Object.keys(wordsOf(lang)).sort(), en, lang);
  });
});
