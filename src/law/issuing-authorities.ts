/**
 * @module law/issuing-authorities
 * Regulation (EU) 2023/1543 Art. 4: which kinds of authority may issue a European Production
 * Order (EPOC) or a European Preservation Order (EPOC-PR) for each data category, which must
 * validate it, and the emergency route of Art. 4(5) (issued without prior validation, validated
 * afterwards within 48 hours). The rules are data (`data/issuing-authorities.json`, each cited);
 * this module answers "may authority kind K issue / validate order O for category C". The case
 * workflow enforces the answer when an order is approved (a later issue).
 */
import { z } from 'zod';
import { citationSchema, type Citation } from './model.js';

export const AUTHORITY_KINDS = ['judge', 'court', 'investigating-judge', 'public-prosecutor', 'other-competent-authority'] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];

export const ORDER_KINDS = ['EPOC', 'EPOC-PR'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

/** The Regulation's own data categories (Art. 3(9)-(12)): identification data are set apart from traffic data. */
export const ORDER_DATA_CATEGORIES = ['subscriber-data', 'identification-data', 'traffic-data', 'content-data'] as const;
export type OrderDataCategory = (typeof ORDER_DATA_CATEGORIES)[number];

const authorityKinds = z.array(z.enum(AUTHORITY_KINDS));

export const issuingRulesSchema = z.strictObject({
  rules: z
    .array(
      z.strictObject({
        order: z.enum(ORDER_KINDS),
        categories: z.array(z.enum(ORDER_DATA_CATEGORIES)).min(1),
        /** May issue on their own. */
        issuers: authorityKinds.min(1),
        /** May issue, but the order must be validated by one of `validators` before it is sent. */
        issuersNeedingValidation: authorityKinds,
        validators: authorityKinds.min(1),
        citation: citationSchema,
      }),
    )
    .min(1),
  emergency: z.strictObject({
    /** Orders and categories for which Art. 4(5) allows issuing without prior validation. */
    applies: z.array(z.strictObject({ order: z.enum(ORDER_KINDS), categories: z.array(z.enum(ORDER_DATA_CATEGORIES)).min(1) })).min(1),
    /** Ex-post validation is sought without undue delay, at the latest within this many hours. */
    validateWithinHours: z.number().int().positive(),
    conditions: z.array(z.string().min(1)).min(1),
    /** What happens when ex-post validation is refused. */
    ifRefused: z.string().min(1),
    citation: citationSchema,
  }),
  /**
   * Which Art. 4 kinds an authority of each directory kind (src/cases/authority-kinds.ts) can
   * have: the kind an order declares is checked against its issuing authority's account.
   */
  directoryKinds: z.strictObject({ kinds: z.record(z.string(), authorityKinds), text: z.string().min(1), citation: citationSchema }),
});
export type IssuingRules = z.infer<typeof issuingRulesSchema>;

export interface IssuingQuery {
  order: OrderKind;
  category: OrderDataCategory;
  authority: AuthorityKind;
  emergency: boolean;
}

export interface IssuingAnswer {
  mayIssue: boolean;
  /** `none`: no validation needed; `prior`: validated before sending; `ex-post`: Art. 4(5), validated afterwards. */
  validation: 'none' | 'prior' | 'ex-post';
  /** Kinds of authority that may validate it (empty when no validation is needed or it may not be issued). */
  validators: AuthorityKind[];
  /** For `ex-post`: the legal period for validation, in hours. */
  validateWithinHours: number | null;
  /** Conditions the issuing authority must meet and record (Art. 4(5)). */
  conditions: string[];
  reason: string;
  citations: Citation[];
}

function ruleFor(rules: IssuingRules, order: OrderKind, category: OrderDataCategory): IssuingRules['rules'][number] {
  const rule = rules.rules.find((r) => r.order === order && r.categories.includes(category));
  if (!rule) throw new Error(`issuing-authorities.json has no rule for ${order} ${category}`);
  return rule;
}

/**
 * May an authority of this kind issue this order for this category, and with what validation?
 *
 * @example mayIssue(kb.issuing, { order: 'EPOC', category: 'content-data', authority: 'public-prosecutor', emergency: false })
 * // { mayIssue: false, reason: '… Art. 4(2) …' }
 */
export function mayIssue(rules: IssuingRules, query: IssuingQuery): IssuingAnswer {
  const rule = ruleFor(rules, query.order, query.category);
  const what = `${query.order} for ${query.category}`;
  const base = { validateWithinHours: null, conditions: [] as string[], citations: [rule.citation] };
  if (rule.issuers.includes(query.authority)) {
    return { ...base, mayIssue: true, validation: 'none', validators: [], reason: `a ${query.authority} may issue an ${what} without validation` };
  }
  if (!rule.issuersNeedingValidation.includes(query.authority)) {
    return { ...base, mayIssue: false, validation: 'none', validators: [], reason: `a ${query.authority} may not issue an ${what}: only ${[...rule.issuers, ...rule.issuersNeedingValidation].join(', ')}` };
  }
  const emergency = rules.emergency;
  const exPost = query.emergency && emergency.applies.some((a) => a.order === query.order && a.categories.includes(query.category));
  if (exPost) {
    return {
      mayIssue: true,
      validation: 'ex-post',
      validators: rule.validators,
      validateWithinHours: emergency.validateWithinHours,
      conditions: emergency.conditions,
      reason: `in an emergency a ${query.authority} may issue an ${what} without prior validation; validation by ${rule.validators.join(', ')} must be sought within ${emergency.validateWithinHours} hours. ${emergency.ifRefused}`,
      citations: [rule.citation, emergency.citation],
    };
  }
  const noEmergencyRoute = query.emergency ? ' (the emergency route of Art. 4(5) does not cover it)' : '';
  return { ...base, mayIssue: true, validation: 'prior', validators: rule.validators, reason: `a ${query.authority} may issue an ${what} once validated by ${rule.validators.join(', ')}${noEmergencyRoute}` };
}

/** May an authority of this kind validate this order for this category (Art. 4(1)(b), (2)(b), (3)(b))? */
export function mayValidate(rules: IssuingRules, query: Omit<IssuingQuery, 'emergency'>): { mayValidate: boolean; reason: string; citation: Citation } {
  const rule = ruleFor(rules, query.order, query.category);
  const ok = rule.validators.includes(query.authority);
  return {
    mayValidate: ok,
    reason: ok ? `a ${query.authority} may validate an ${query.order} for ${query.category}` : `only ${rule.validators.join(', ')} may validate an ${query.order} for ${query.category}`,
    citation: rule.citation,
  };
}

export interface CompetenceAnswer {
  /** The declared kind is one this authority can have. */
  competent: boolean;
  /** The Art. 4 kinds the authority can have (empty: it issues nothing). */
  kinds: AuthorityKind[];
  reason: string;
  citation: Citation;
}

/**
 * Can an authority (its directory kind, and the Art. 4 kind recorded for it, if any) declare
 * `declared` as its Art. 4 kind? A recorded kind must itself be one its directory kind allows;
 * when it is, it is the only kind the authority declares.
 *
 * @example kindsOfAuthority(kb.issuing, { id: 'fr-247', kind: '24/7-point-of-contact', issuingKind: null }, 'judge')
 * // { competent: false, kinds: ['other-competent-authority'], … }
 */
export function kindsOfAuthority(rules: IssuingRules, authority: { id: string; kind: string; issuingKind?: string | null | undefined }, declared: string): CompetenceAnswer {
  const d = rules.directoryKinds;
  const allowed = (d.kinds[authority.kind] ?? []) as AuthorityKind[];
  const recorded = authority.issuingKind ?? null;
  if (recorded !== null && !allowed.includes(recorded as AuthorityKind)) {
    return { competent: false, kinds: [], reason: `${authority.id} is recorded as a ${recorded}, which a ${authority.kind} cannot be (only ${allowed.join(', ') || 'no Art. 4 kind'})`, citation: d.citation };
  }
  const kinds = recorded === null ? allowed : [recorded as AuthorityKind];
  if (kinds.length === 0) return { competent: false, kinds, reason: `${authority.id} (${authority.kind}) is not an issuing authority under Art. 4`, citation: d.citation };
  const competent = kinds.includes(declared as AuthorityKind);
  return {
    competent,
    kinds,
    reason: competent ? `${authority.id} (${authority.kind}) may act as a ${declared}` : `${authority.id} (${authority.kind}${recorded === null ? '' : `, recorded as ${recorded}`}) cannot act as a ${declared}: only as ${kinds.join(', ')}`,
    citation: d.citation,
  };
}
