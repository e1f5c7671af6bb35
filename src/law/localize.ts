/**
 * @module law/localize
 * The legal engine's answers in another language: every text of an applicable basis — title,
 * summary, conditions, required contents, deadlines, safeguards, refusal grounds, dual
 * criminality — replaced by its translation (`i18n.ts`), citations untouched. Conditions the
 * finder writes itself (`bases.ts`) are matched by their English template and rewritten with
 * the translated one, keeping the values they carry.
 */
import type { ApplicableBasis, BasesResult } from './bases.js';
import { GENERATED_TEXTS, lawTextIn, sourceDigest } from './i18n.js';
import type { Offence } from './model.js';

function escape(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

/** A generated sentence in `lang`, or the sentence itself when it matches no template. */
function localizeGenerated(lang: string, sentence: string): string {
  const law = lawTextIn(lang);
  for (const g of GENERATED_TEXTS) {
    const names: string[] = [];
    const pattern = new RegExp(`^${escape(g.text).replace(/\\?\{(\w+)\\?\}/g, (_all, name: string) => (names.push(name), '(.+?)'))}$`);
    const match = pattern.exec(sentence);
    if (!match) continue;
    const translated = law(g.key, g.text);
    return translated.replace(/\{(\w+)\}/g, (all, name: string) => match[names.indexOf(name) + 1] ?? all);
  }
  return sentence;
}

export function localizeBasis(basis: ApplicableBasis, lang: string): ApplicableBasis {
  if (lang === 'en') return basis;
  const law = lawTextIn(lang);
  const p = basis.provision;
  const noteKey = (text: string) => `${p}/condition/note/${sourceDigest8(text)}`;
  return {
    ...basis,
    title: law(`${p}/title`, basis.title),
    summary: law(`${p}/summary`, basis.summary),
    conditions: basis.conditions.map((c) => {
      const translated = law(noteKey(c.text), c.text);
      return { ...c, text: translated !== c.text ? translated : localizeGenerated(lang, c.text) };
    }),
    requiredContents: basis.requiredContents.map((e) => ({ ...e, text: law(`${p}/content/${e.id}`, e.text) })),
    deadlines: basis.deadlines.map((d) => ({ ...d, description: law(`${p}/deadline/${d.id}`, d.description) })),
    safeguards: basis.safeguards.map((s) => ({ ...s, text: law(`${p}/safeguard/${s.id}`, s.text) })),
    refusalGrounds: basis.refusalGrounds.map((g) => ({ ...g, text: law(`${p}/refusal/${g.ground}`, g.text) })),
    dualCriminality: { ...basis.dualCriminality, text: law(`${p}/dual-criminality`, basis.dualCriminality.text) },
  };
}

export function localizeBases(result: BasesResult, lang: string): BasesResult {
  return lang === 'en' ? result : { ...result, applicable: result.applicable.map((b) => localizeBasis(b, lang)), notApplicable: result.notApplicable.map((n) => ({ ...n, reason: localizeGenerated(lang, n.reason) })) };
}

export function localizeOffence(offence: Offence, lang: string): Offence {
  if (lang === 'en') return offence;
  const law = lawTextIn(lang);
  return { ...offence, name: law(`offence/${offence.id}/name`, offence.name), description: law(`offence/${offence.id}/description`, offence.description) };
}

function sourceDigest8(text: string): string {
  return sourceDigest(text).slice(0, 8);
}
