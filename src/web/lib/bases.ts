/**
 * The legal bases of a request as the wizard shows them: the answers of /api/law/bases for each
 * measure of the request combined into the bases that serve every measure (the server requires
 * the chosen basis to be applicable for each one), ranked as the engine ranks them for the first
 * measure, with the reasons the others do not apply; citations in their human form with the
 * "unverified" mark. Shapes mirror src/law/bases.ts (ApplicableBasis). Pure.
 */

export interface LawCitation {
  instrument: string;
  article: string;
  paragraph?: string;
  source?: string;
  verified: boolean;
  note?: string;
}

export interface ContentElement {
  id: string;
  text: string;
  optional?: boolean;
  citation: LawCitation;
}

export interface RefusalGround {
  ground: string;
  text: string;
  effect?: 'refuse' | 'postpone';
  citation: LawCitation;
}

export interface BasisDeadline {
  id: string;
  description: string;
  amount: number;
  unit: string;
  runsFrom: string;
  kind: string;
  citation: LawCitation;
}

export interface BasisCondition {
  text: string;
  state: 'met' | 'to-check';
  citation: LawCitation;
  /** Issue 16: an urgent step to take now (an emergency rule), shown as an action. */
  action?: boolean;
}

export interface BasisSafeguard {
  id: string;
  text: string;
  citation: LawCitation;
}

/** One applicable basis (src/law/bases.ts ApplicableBasis). */
export interface ApplicableBasis {
  rank: number;
  provision: string;
  instrument: string;
  article: string;
  title: string;
  channel: string;
  /** Kinds of addressee the channel reaches (issue 16). */
  addressees?: string[];
  summary: string;
  verified: boolean;
  unverifiedElements: number;
  citation: LawCitation;
  requesting: { party: string; status: string; entryIntoForce: string | null; verified: boolean };
  requested: { party: string; status: string; entryIntoForce: string | null; verified: boolean };
  conditions: BasisCondition[];
  deadlines: BasisDeadline[];
  requiredContents: ContentElement[];
  safeguards: BasisSafeguard[];
  refusalGrounds: RefusalGround[];
  dualCriminality: { rule: string; text: string; citation: LawCitation; note?: string };
}

export interface NotApplicable {
  instrument: string;
  article?: string;
  reason: string;
}

export interface BasesResult {
  query: { from: string; to: string; measure: string; date: string; emergency: boolean; offence?: string };
  applicable: ApplicableBasis[];
  notApplicable: NotApplicable[];
}

/** An offence category of GET /api/law/offences. */
export interface OffenceCategory {
  id: string;
  name: string;
  description?: string;
}

/**
 * `ETS185 Art. 29(2)(e)`, as the server's `cite()` (src/law/cite.ts) writes it, without the
 * `[unverified]` mark: the workspace shows that mark as a badge.
 */
export function citeText(citation: Pick<LawCitation, 'instrument' | 'article' | 'paragraph'>): string {
  const paragraph = citation.paragraph === undefined ? '' : citation.paragraph.replace(/^([^()]+)/, '($1)');
  const article = /^[0-9]/.test(citation.article) ? `Art. ${citation.article}${paragraph}` : `${citation.article}${paragraph ? ` ${paragraph}` : ''}`;
  return `${citation.instrument} ${article}`;
}

/** A not-applicable entry for a basis that serves some measures of the request but not all. */
export interface PartialBasis {
  provision: string;
  title: string;
  citation: LawCitation;
  /** The measures it does not serve. */
  missing: string[];
}

export interface CombinedBases {
  /** Bases applicable to every measure, in the engine's rank for the first measure (renumbered). */
  applicable: ApplicableBasis[];
  /** Bases that serve only some of the measures. */
  partial: PartialBasis[];
  /** Why other instruments or articles do not apply (each reason once). */
  notApplicable: NotApplicable[];
  /** Issue 16: when no basis serves every measure, the linked requests proposed instead (else empty). */
  split: SplitGroup[];
}

/** Combines the answers for each measure of a request (in the request's order). */
export function combineBases(results: readonly { measure: string; result: BasesResult }[]): CombinedBases {
  const first = results[0];
  if (!first) return { applicable: [], partial: [], notApplicable: [], split: [] };
  const servedBy = results.map(({ result }) => new Set(result.applicable.map((b) => b.provision)));
  const everyMeasure = (provision: string) => servedBy.every((set) => set.has(provision));
  const applicable = first.result.applicable.filter((b) => everyMeasure(b.provision)).map((b, i) => ({ ...b, rank: i + 1 }));
  const partial: PartialBasis[] = [];
  const seen = new Set<string>();
  for (const { result } of results) {
    for (const b of result.applicable) {
      if (seen.has(b.provision) || everyMeasure(b.provision)) continue;
      seen.add(b.provision);
      partial.push({ provision: b.provision, title: b.title, citation: b.citation, missing: results.filter((_, i) => !servedBy[i]?.has(b.provision)).map((r) => r.measure) });
    }
  }
  const reasons = new Set<string>();
  const notApplicable: NotApplicable[] = [];
  for (const { result } of results) {
    for (const n of result.notApplicable) {
      if (reasons.has(n.reason)) continue;
      reasons.add(n.reason);
      notApplicable.push(n);
    }
  }
  return { applicable, partial, notApplicable, split: applicable.length === 0 ? proposeSplit(results) : [] };
}

/** One request of a proposed split: its measures and the bases that serve all of them. */
export interface SplitGroup {
  measures: string[];
  bases: { provision: string; title: string; citation: LawCitation }[];
}

/**
 * Issue 16: when no basis serves every measure, linked requests that each have one — in the
 * request's order, so a preservation comes first and the production request follows it.
 * Greedy: a measure joins the current request while some basis still serves them all.
 */
export function proposeSplit(results: readonly { measure: string; result: BasesResult }[]): SplitGroup[] {
  const groups: { measures: string[]; served: ApplicableBasis[] }[] = [];
  for (const { measure, result } of results) {
    const last = groups.at(-1);
    const common = last ? last.served.filter((b) => result.applicable.some((x) => x.provision === b.provision)) : [];
    if (last && common.length > 0) {
      last.measures.push(measure);
      last.served = common;
    } else {
      groups.push({ measures: [measure], served: [...result.applicable] });
    }
  }
  if (groups.length < 2 || groups.some((g) => g.served.length === 0)) return [];
  return groups.map((g) => ({ measures: g.measures, bases: g.served.map((b) => ({ provision: b.provision, title: b.title, citation: b.citation })) }));
}

/** Whether a basis must be shown as unverified, and which of its parts are. */
export function unverifiedParts(basis: ApplicableBasis): { basis: boolean; parties: boolean; elements: number } {
  return { basis: !basis.verified || !basis.citation.verified, parties: !basis.requesting.verified || !basis.requested.verified, elements: basis.unverifiedElements };
}
