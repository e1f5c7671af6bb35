import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import i18next from 'i18next';
import { CASE_EVENTS, CASE_STATES } from '../../cases/workflow';
import { PROBLEM_CODES } from '../lib/problem';
import { formatTimeLeft, timeLeft } from '../lib/time-left';
import { ROLES } from '../types';
import { DEFAULT_LANGUAGE, findLanguage, formattingLocale, LANGUAGES, pickLanguage } from './languages';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const baseKey = (key: string) => key.replace(PLURAL_SUFFIX, '');
const variables = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]).sort();

const reference = LANGUAGES.find((l) => l.code === DEFAULT_LANGUAGE);
assert.ok(reference, 'the default language is registered');
const referenceKeys = flatten(reference.resources as unknown as Tree);

describe('i18n resources', () => {
  for (const language of LANGUAGES) {
    const keys = flatten(language.resources as unknown as Tree);

    it(`${language.code}: has exactly the keys of ${DEFAULT_LANGUAGE} (plural forms aside)`, () => {
      const mine = new Set([...keys.keys()].map(baseKey));
      const theirs = new Set([...referenceKeys.keys()].map(baseKey));
      assert.deepEqual([...theirs].filter((k) => !mine.has(k)), [], 'missing keys');
      assert.deepEqual([...mine].filter((k) => !theirs.has(k)), [], 'keys unknown to the reference language');
    });

    it(`${language.code}: has every plural form the language needs`, () => {
      const categories = new Intl.PluralRules(language.code).resolvedOptions().pluralCategories;
      const plural = new Set([...keys.keys()].filter((k) => PLURAL_SUFFIX.test(k)).map(baseKey));
      for (const key of plural) {
        for (const category of categories) assert.ok(keys.has(`${key}_${category}`), `${language.code}: ${key}_${category}`);
      }
      for (const key of [...referenceKeys.keys()].filter((k) => PLURAL_SUFFIX.test(k)).map(baseKey)) assert.ok(plural.has(key), `${language.code}: ${key} needs plural forms`);
    });

    it(`${language.code}: uses the same {{variables}} as ${DEFAULT_LANGUAGE}`, () => {
      for (const [key, text] of keys) {
        const ref = referenceKeys.get(key) ?? referenceKeys.get(`${baseKey(key)}_other`);
        if (ref === undefined) continue;
        assert.deepEqual(variables(text), variables(ref), `${language.code}: ${key}`);
      }
    });

    it(`${language.code}: no empty string`, () => {
      for (const [key, text] of keys) assert.ok(text.trim().length > 0, `${language.code}: ${key} is empty`);
    });
  }

  it('name every problem code, state, event and role', () => {
    const expected = [...PROBLEM_CODES.map((c) => `problems.${c}`), ...CASE_STATES.map((s) => `states.${s}`), ...CASE_EVENTS.map((e) => `events.${e}`), ...ROLES.map((r) => `roles.${r}`)];
    for (const key of expected) assert.ok(referenceKeys.has(key), key);
  });

  it('language names and codes are unique', () => {
    assert.equal(new Set(LANGUAGES.map((l) => l.code)).size, LANGUAGES.length);
  });
});

describe('language choice', () => {
  it('prefers the stored choice, then the browser languages, then the default', () => {
    assert.equal(pickLanguage('fr', ['en-US']), 'fr');
    assert.equal(pickLanguage(null, ['de-DE', 'fr-CA', 'en']), 'fr');
    assert.equal(pickLanguage('xx', ['de']), DEFAULT_LANGUAGE);
    assert.equal(findLanguage('FR')?.code, 'fr');
    assert.equal(findLanguage(''), undefined);
  });

  it('formats dates in the reader’s regional variant of the chosen language', () => {
    assert.equal(formattingLocale('en', ['en-GB', 'fr-FR']), 'en-GB');
    assert.equal(formattingLocale('fr', ['en-GB', 'fr-BE']), 'fr-BE');
    assert.equal(formattingLocale('fr', ['de-DE']), 'fr');
    assert.equal(formattingLocale('en', []), 'en');
  });
});

describe('time left, translated', () => {
  it('reads naturally in every language', async () => {
    const instance = i18next.createInstance();
    await instance.init({ lng: 'en', resources: Object.fromEntries(LANGUAGES.map((l) => [l.code, { translation: l.resources }])), interpolation: { escapeValue: false } });
    const now = Date.parse('2026-11-20T10:00:00Z');
    const H = 3_600_000;
    const t = instance.t.bind(instance) as unknown as Parameters<typeof formatTimeLeft>[1];
    assert.equal(formatTimeLeft(timeLeft(now + 3 * 24 * H + 4 * H, now), t), 'in 3 days 4 h');
    assert.equal(formatTimeLeft(timeLeft(now + 24 * H + 5 * 60_000, now), t), 'in 1 day');
    assert.equal(formatTimeLeft(timeLeft(now - 2 * H, now), t), 'overdue by 2 h');
    await instance.changeLanguage('fr');
    assert.equal(formatTimeLeft(timeLeft(now + 3 * 24 * H + 4 * H, now), t), 'dans 3 jours 4 h');
    assert.equal(formatTimeLeft(timeLeft(now + 24 * H, now), t), 'dans 1 jour');
    assert.equal(formatTimeLeft(timeLeft(now - 2 * H - 5 * 60_000, now), t), 'en retard de 2 h 5 min');
  });
});
