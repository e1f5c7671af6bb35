/**
 * @module cases/validate
 * Checks a request against the law before it may leave the draft: the chosen basis must be one
 * the engine finds applicable for every measure on the day of sending; every required content
 * element of that basis must be present (named with its citation when missing); coercive
 * measures need the safeguards of Budapest Art. 15 and an independent review.
 */
import { cite, type BasesFinder, type Citation, type KnowledgeBase, type Provision } from '../law/index.js';
import type { Request, Review } from './request.js';

export interface ValidationIssue {
  code: 'missing-content' | 'missing-safeguard' | 'basis-not-applicable' | 'unknown-basis' | 'unknown-offence' | 'emergency-justification' | 'invalid-time-range';
  /** Where in the request, e.g. `contents.necessity`. */
  field: string;
  message: string;
  citation?: Citation;
}

const has = (text: string | undefined): boolean => text !== undefined && text.trim().length > 0;

/**
 * Structured request fields that answer a required-content element, by element id. Elements not
 * listed here are answered in `contents[elementId]`.
 */
export const ANSWERED_BY: Readonly<Record<string, (r: Request) => boolean>> = {
  'requesting-authority': () => true,
  'issuing-authority': () => true,
  'authority-seeking': () => true,
  'requested-authority': () => true,
  addressee: () => true,
  provider: () => true,
  'statement-of-basis': () => true,
  reference: (r) => has(r.references.requesting),
  offence: (r) => r.offences.length > 0,
  'offence-and-facts': (r) => r.offences.length > 0 && has(r.facts),
  'criminal-law-provisions': (r) => r.offences.every((o) => has(o.nationalProvision)),
  'case-summary': (r) => has(r.facts),
  'subject-and-nature': (r) => has(r.facts),
  'object-and-reasons': (r) => has(r.facts),
  'data-and-relationship': (r) => r.dataSought.identifiers.length > 0 && has(r.dataSought.relevance),
  'data-sought': (r) => r.dataSought.identifiers.length > 0,
  'subscriber-info-sought': (r) => r.dataSought.identifiers.length > 0,
  'domain-and-data-elements': (r) => r.dataSought.identifiers.some((i) => i.type === 'domain'),
  'user-identifier': (r) => r.dataSought.identifiers.length > 0,
  'target-identifier': (r) => r.dataSought.identifiers.length > 0,
  'data-category': (r) => r.dataSought.categories.length > 0,
  'time-range': (r) => r.dataSought.timeRange !== undefined,
  'emergency-facts': (r) => has(r.emergency.justification),
  'emergency-reasons': (r) => !r.emergency.emergency || has(r.emergency.justification),
  'necessity-proportionality': (r) => has(r.safeguards.proportionality),
  purpose: (r) => has(r.dataProtection.purpose),
};

/** Every required content element of the basis that the request does not answer. */
export function missingContents(provision: Provision, request: Request): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const element of provision.requiredContents) {
    if (element.optional) continue;
    const answered = ANSWERED_BY[element.id]?.(request) ?? has(request.contents[element.id]);
    if (!answered) {
      issues.push({
        code: 'missing-content',
        field: ANSWERED_BY[element.id] ? element.id : `contents.${element.id}`,
        message: `missing ${element.id}: ${element.text} (${cite(element.citation, { mark: false })})`,
        citation: element.citation,
      });
    }
  }
  return issues;
}

/** Budapest Art. 15: grounds, proportionality, limits of scope and duration, independent review. */
export function missingSafeguards(kb: KnowledgeBase, request: Request, review: Review | null): ValidationIssue[] {
  const coercive = request.measures.filter((m) => kb.measures.get(m)?.coercive);
  if (coercive.length === 0) return [];
  const art15: Citation = { instrument: 'ETS185', article: '15', paragraph: '2', source: 'https://rm.coe.int/1680081561', verified: true };
  const art15p1: Citation = { ...art15, paragraph: '1' };
  const issues: ValidationIssue[] = [];
  const need = (ok: boolean, field: string, what: string, citation: Citation): void => {
    if (!ok) issues.push({ code: 'missing-safeguard', field, message: `${coercive.join(', ')} is coercive: ${what} (${cite(citation, { mark: false })})`, citation });
  };
  need(has(request.safeguards.grounds), 'safeguards.grounds', 'state the grounds justifying the measure', art15);
  need(has(request.safeguards.proportionality), 'safeguards.proportionality', 'explain why the measure is proportionate', art15p1);
  need(request.dataSought.identifiers.length > 0 || has(request.safeguards.scope), 'dataSought.identifiers', 'limit the scope to specified identifiers', art15);
  need(request.dataSought.categories.length > 0 || !coercive.some((m) => kb.measures.get(m)?.dataCategories.length), 'dataSought.categories', 'limit the scope to data categories', art15);
  need(request.dataSought.timeRange !== undefined, 'dataSought.timeRange', 'limit the scope to a time range', art15);
  need(request.safeguards.durationDays !== undefined, 'safeguards.durationDays', 'limit the duration', art15);
  need(review !== null, 'review', 'record the judicial or other independent review (who, when, reference, decision)', art15);
  const range = request.dataSought.timeRange;
  if (range && Date.parse(range.from) > Date.parse(range.to)) {
    issues.push({ code: 'invalid-time-range', field: 'dataSought.timeRange', message: 'the time range ends before it starts' });
  }
  return issues;
}

/** The chosen basis must be applicable for every measure between the two parties on `date`. */
export function basisIssues(finder: BasesFinder, kb: KnowledgeBase, request: Request, from: string, to: string, date: string): ValidationIssue[] {
  const provision = kb.provisions.find((p) => p.id === request.legalBasis);
  if (!provision) return [{ code: 'unknown-basis', field: 'legalBasis', message: `unknown legal basis ${JSON.stringify(request.legalBasis)}: use a provision id from \`comity law bases\`, e.g. ETS185:29` }];
  const issues: ValidationIssue[] = [];
  for (const offence of request.offences) {
    if (!kb.offences.has(offence.category)) issues.push({ code: 'unknown-offence', field: 'offences', message: `unknown offence category ${JSON.stringify(offence.category)}: see \`comity law offences\`` });
  }
  if (request.emergency.emergency && !has(request.emergency.justification)) {
    issues.push({ code: 'emergency-justification', field: 'emergency.justification', message: 'an emergency request must state the facts demonstrating the emergency' });
  }
  for (const measure of request.measures) {
    const offence = request.offences.map((o) => o.category).find((c) => kb.offences.has(c));
    const result = finder.find({ from, to, measure, date, emergency: request.emergency.emergency, ...(offence ? { offence } : {}) });
    if (!result.applicable.some((b) => b.provision === provision.id)) {
      const why = result.notApplicable.find((n) => n.instrument === provision.instrument && (n.article === undefined || n.article === provision.article));
      issues.push({
        code: 'basis-not-applicable',
        field: 'legalBasis',
        message: `${provision.id} is not an applicable basis for ${measure} from ${from} to ${to} on ${date}${why ? `: ${why.reason}` : ''}`,
        citation: provision.citation,
      });
    }
  }
  return [...issues, ...missingContents(provision, request)];
}
