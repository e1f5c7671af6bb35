/**
 * @module law/provider-path
 * The rules of the service provider's path (issue 14 part B), as data with citations
 * (`data/provider-path.json`): which orders each instrument lets an authority send straight to a
 * provider (Reg. 2023/1543: EPOC, EPOC-PR; CETS 224 Art. 7: subscriber information), for which
 * data categories, who may issue them, the provider's deadline, the reservations that close the
 * path, and the statistics of Reg. 2023/1543 Art. 28.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ORDER_DATA_CATEGORIES } from './issuing-authorities.js';
import { citationSchema, type Citation } from './model.js';

export const PROVIDER_ORDER_KINDS = ['EPOC', 'EPOC-PR', 'CETS224-ART7'] as const;
export type ProviderOrderKind = (typeof PROVIDER_ORDER_KINDS)[number];

const deadlineSchema = z.strictObject({ orderKind: z.enum(PROVIDER_ORDER_KINDS), emergency: z.boolean(), hours: z.number().int().positive(), text: z.string().min(1), citation: citationSchema });

const pathSchema = z.strictObject({
  id: z.string().min(1),
  instrument: z.string().min(1),
  orderKinds: z.array(z.enum(PROVIDER_ORDER_KINDS)).min(1),
  categories: z.array(z.enum(ORDER_DATA_CATEGORIES)).min(1),
  /** `art4`: Reg. 2023/1543 Art. 4 (issuing-authorities.json); `any-competent`: any issuing authority of a Party. */
  issuers: z.enum(['art4', 'any-competent']),
  emergencyRoute: z.boolean(),
  reservationArticles: z.array(z.string()).optional(),
  issuerNote: z.string().optional(),
  issuerCitation: citationSchema.optional(),
  reservationCitation: citationSchema.optional(),
  deadlines: z.array(deadlineSchema).min(1),
});

export const providerPathRulesSchema = z.strictObject({
  paths: z.array(pathSchema).min(1),
  art28: z.strictObject({ text: z.string(), citation: citationSchema, figures: z.array(z.strictObject({ id: z.string(), text: z.string() })).min(1) }),
});
export type ProviderPathRules = z.infer<typeof providerPathRulesSchema>;
export type ProviderPath = ProviderPathRules['paths'][number];

let loaded: ProviderPathRules | null = null;

/** The rules, read once from `data/provider-path.json` (validated; a bad file stops the start). */
export function providerPathRules(): ProviderPathRules {
  loaded ??= providerPathRulesSchema.parse(JSON.parse(readFileSync(new URL('./data/provider-path.json', import.meta.url), 'utf8')));
  return loaded;
}

/** The path that carries an order of `kind`, or undefined. */
export function pathOfOrderKind(rules: ProviderPathRules, kind: ProviderOrderKind): ProviderPath | undefined {
  return rules.paths.find((p) => p.orderKinds.includes(kind));
}

/** The provider's deadline for an order, with its citation. */
export function providerDeadline(path: ProviderPath, kind: ProviderOrderKind, emergency: boolean): { hours: number; text: string; citation: Citation } | undefined {
  return path.deadlines.find((d) => d.orderKind === kind && d.emergency === emergency);
}
