/**
 * @module law/i18n
 * The knowledge base's texts in other languages. The provision files stay in English (the legal
 * engineers edit them); each translation lives in `data/i18n/<lang>.json`, keyed by a stable id
 * built from the provision and element ids, and records a digest of the English text it
 * translates, so that a changed English text shows up as a stale translation instead of a wrong
 * one. A translation never carries its own citation: the element's citation is the same in every
 * language (the presenter keeps it).
 *
 * Keys: `<provision>/title`, `/summary`, `/content/<id>`, `/deadline/<id>`, `/refusal/<ground>`,
 * `/safeguard/<id>`, `/dual-criminality`, `/condition/<kind>[/<sha>]`, `/reservation/<id>`;
 * `offence/<id>/name`, `offence/<id>/description`, `measure/<id>/name`, `instrument/<id>/title`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import type { KnowledgeBase } from './knowledge-base.js';
import type { Provision } from './model.js';

/** An English text of the knowledge base with its stable key. */
export interface LawText {
  readonly key: string;
  readonly text: string;
}

export interface Translation {
  readonly text: string;
  /** First 12 hex digits of SHA-256 of the English text translated. */
  readonly source: string;
}

export type TranslationTable = Readonly<Record<string, Translation>>;

export function sourceDigest(english: string): string {
  return createHash('sha256').update(english).digest('hex').slice(0, 12);
}

/** Sentences the finder generates (bases.ts `evaluate`), with `{name}` for the values they carry. */
export const GENERATED_TEXTS: readonly LawText[] = [
  { key: 'generated/emergency-only', text: 'Only in an emergency: the request must show the facts demonstrating it.' },
  { key: 'generated/offence-in-catalogue', text: 'The offence ({offence}) is established under {catalogue}.' },
  { key: 'generated/offence-listed', text: 'The offence ({offence}) is on the list {list}: no penalty threshold.' },
  { key: 'generated/offence-threshold', text: 'Only if the offence is punishable in the issuing State by a custodial sentence of a maximum of at least {years} years, or is listed in {list}.' },
  { key: 'generated/reason-negotiation', text: '{id}: under negotiation; not a legal basis until concluded and in force' },
  { key: 'generated/reason-applies-from', text: '{id}: applies from {date}' },
  { key: 'generated/reason-not-in-force-unconfirmed-pending', text: '{id}: not in force on {date}, {count} of {threshold} consents ({undated} more reported without a confirmed date, not counted); enters into force on {entry}' },
  { key: 'generated/reason-not-in-force-pending', text: '{id}: not in force on {date}, {count} of {threshold} consents; enters into force on {entry}' },
  { key: 'generated/reason-not-in-force-unconfirmed', text: '{id}: not in force on {date}, {count} of {threshold} consents ({undated} more reported without a confirmed date, not counted)' },
  { key: 'generated/reason-not-in-force', text: '{id}: not in force on {date}, {count} of {threshold} consents' },
  { key: 'generated/reason-not-taking-part', text: '{id}: {party} does not take part \u2014 {note}' },
  { key: 'generated/reason-applies-to-from', text: '{id}: applies to {party} from {date}' },
  { key: 'generated/reason-not-bound-member', text: '{id}: {party} is not a member State bound by it' },
  { key: 'generated/reason-consented-on-from', text: '{id}: {party} consented on {date}; in force for it from {entry}' },
  { key: 'generated/reason-consented-from', text: '{id}: {party} consented; in force for it from {entry}' },
  { key: 'generated/reason-consented-on', text: '{id}: {party} consented on {date}' },
  { key: 'generated/reason-consented', text: '{id}: {party} consented' },
  { key: 'generated/reason-signed', text: '{id}: {party} signed but has not ratified' },
  { key: 'generated/reason-has-consented', text: '{id}: {party} has consented' },
  { key: 'generated/reason-not-party', text: '{id}: {party} is not a party' },
  { key: 'generated/reason-same-party', text: '{id}: requesting and requested party are the same ({party}); domestic law governs' },
  { key: 'generated/reason-no-provision', text: '{id}: no provision for {measure}' },
  { key: 'generated/reason-emergency-only', text: '{label}: only in an emergency' },
  { key: 'generated/reason-reservation', text: '{label}: {party} reserved the right not to apply it ({reservation})' },
  { key: 'generated/reason-catalogue-none', text: '{label}: only for offences established under {catalogue} (no offence given)' },
  { key: 'generated/reason-catalogue-other', text: '{label}: only for offences established under {catalogue} ({offence} is not one of them)' },
  { key: 'generated/reason-bound-not-recorded', text: "{id}: who is bound is not recorded in Comity's data; check the treaty office ({url})" },
  { key: 'generated/reason-not-party-treaty', text: '{id}: {party} is not a party to this treaty' },
  { key: 'generated/reason-representative-issuing', text: "{id}: the provider's legal representative is in the issuing State ({party}): a domestic order under its own law" },
  { key: 'generated/reason-representative-not-bound-note', text: "{id}: the provider's legal representative or designated establishment is in {party}, not a member State bound by it ({note})" },
  { key: 'generated/reason-representative-not-bound', text: "{id}: the provider's legal representative or designated establishment is in {party}, not a member State bound by it" },
  { key: 'generated/reason-replaced', text: '{id}: replaced between {from} and {to} by {other} (Art. {article})' },
  { key: 'generated/reason-same-side', text: '{id}: {from} and {to} are on the same side of the agreement' },
  { key: 'generated/reason-between-not-in-force-from', text: '{id}: not in force on {date}; in force from {entry}' },
  { key: 'generated/reason-between-not-in-force', text: '{id}: not in force on {date}' },
];

function provisionTexts(p: Provision): LawText[] {
  const k = (suffix: string, text: string): LawText => ({ key: `${p.id}/${suffix}`, text });
  return [
    k('title', p.title),
    k('summary', p.summary),
    ...p.requiredContents.map((e) => k(`content/${e.id}`, e.text)),
    ...p.deadlines.map((d) => k(`deadline/${d.id}`, d.description)),
    ...p.refusalGrounds.map((g) => k(`refusal/${g.ground}`, g.text)),
    ...p.safeguards.map((s) => k(`safeguard/${s.id}`, s.text)),
    k('dual-criminality', p.dualCriminality.text),
    ...p.conditions.flatMap((c) => (c.kind === 'note' ? [k(`condition/note/${sourceDigest(c.text).slice(0, 8)}`, c.text)] : [])),
    ...p.reservationsPossible.map((r) => k(`reservation/${r.id}`, r.text)),
  ];
}

/** Every translatable text of the knowledge base, in a stable order. Duplicate keys keep the first. */
export function lawTexts(kb: KnowledgeBase): LawText[] {
  const all = [
    ...kb.provisions.flatMap(provisionTexts),
    ...[...kb.offences.values()].flatMap((o) => [
      { key: `offence/${o.id}/name`, text: o.name },
      { key: `offence/${o.id}/description`, text: o.description },
    ]),
    ...[...kb.measures.values()].map((m) => ({ key: `measure/${m.id}/name`, text: m.name })),
    ...[...kb.instruments.values()].map((i) => ({ key: `instrument/${i.id}/title`, text: i.title })),
    ...GENERATED_TEXTS,
  ];
  const seen = new Set<string>();
  return all.filter((t) => (seen.has(t.key) ? false : (seen.add(t.key), true)));
}

const DIR = new URL('./data/i18n/', import.meta.url);
const tables = new Map<string, TranslationTable>();

/** Languages with a translation file, besides English. */
export function lawLanguages(): string[] {
  return readdirSync(DIR)
    .filter((f) => /^[a-z]{2,3}\.json$/.test(f))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** The translation table of a language (empty for English or a language without a file). */
export function translationTable(lang: string): TranslationTable {
  if (lang === 'en' || !/^[a-z]{2,3}$/.test(lang)) return {};
  let table = tables.get(lang);
  if (!table) {
    try {
      table = JSON.parse(readFileSync(new URL(`${lang}.json`, DIR), 'utf8')) as TranslationTable;
    } catch {
      table = {};
    }
    tables.set(lang, table);
  }
  return table;
}

/**
 * A knowledge-base text in `lang`: the translation when there is one for this exact English text,
 * else the English text (a stale or missing translation never shows an outdated meaning).
 */
export function localizeLawText(lang: string, key: string, english: string): string {
  const t = translationTable(lang)[key];
  return t !== undefined && t.source === sourceDigest(english) ? t.text : english;
}

/** A localizer bound to one language. */
export function lawTextIn(lang: string): (key: string, english: string) => string {
  return (key, english) => localizeLawText(lang, key, english);
}
