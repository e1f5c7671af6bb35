/**
 * @module cases/request
 * The request for electronic evidence as a requesting authority drafts it: addressee, measures,
 * legal basis, offences, facts, typed identifiers of the data sought, emergency, confidentiality,
 * language, references, safeguards and data-protection terms. Strict: unknown fields are
 * rejected, so a typo never silently drops a safeguard.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DATA_CATEGORIES, MEASURES } from '../law/index.js';
import { isVisibleName, isVisibleText, stringsOf, VISIBLE_NAME_MESSAGE } from './visible-text.js';

const instant = z.iso.datetime({ offset: true });

/** A typed identifier of the data sought; providers reject requests with malformed ones. */
export const identifierSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('email'), value: z.email() }),
  z.strictObject({ type: z.literal('account'), value: z.string().min(1).max(200), service: z.string().min(1).max(200) }),
  z.strictObject({ type: z.literal('phone'), value: z.string().regex(/^\+[1-9]\d{6,14}$/, 'E.164 number, e.g. +33612345678') }),
  z.strictObject({
    type: z.literal('ip'),
    value: z.string().refine((v) => isIP(v) !== 0, 'an IPv4 or IPv6 address'),
    // An IP address identifies a user only with the instant (and, behind NAT, the source port).
    timestamp: instant,
    port: z.number().int().min(0).max(65535).optional(),
  }),
  z.strictObject({ type: z.literal('domain'), value: z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'a domain name') }),
]);
export type Identifier = z.infer<typeof identifierSchema>;

export const offenceEntrySchema = z.strictObject({
  /** Convention category from the offence catalogue (`comity law offences`). */
  category: z.string().min(1),
  nationalProvision: z.string().min(1).max(500).refine(isVisibleName, VISIBLE_NAME_MESSAGE),
  maxPenaltyYears: z.number().positive().max(100).nullable(),
});

export const safeguardsSchema = z.strictObject({
  /** Grounds justifying the measure (Budapest Art. 15(2)). */
  grounds: z.string().min(10).max(5000).optional(),
  proportionality: z.string().min(10).max(5000).optional(),
  /** Limits of scope; the identifiers, categories and time range are in `dataSought`. */
  scope: z.string().min(3).max(2000).optional(),
  /** Limit of duration in days (e.g. of preservation or interception). */
  durationDays: z.number().int().positive().max(3650).optional(),
});

export const requestSchema = z.strictObject({
  requestingAuthority: z.string().min(1),
  /** Authority or service provider the request is addressed to. */
  addressee: z.string().min(1),
  measures: z.array(z.enum(MEASURES)).min(1).max(MEASURES.length),
  /** A provision id from the legal engine, e.g. "ETS185:29"; validated at the moment of sending. */
  legalBasis: z.string().min(1),
  offences: z.array(offenceEntrySchema).min(1).max(20),
  facts: z.string().min(20).max(20000),
  dataSought: z.strictObject({
    identifiers: z.array(identifierSchema).max(500).default([]),
    categories: z.array(z.enum(DATA_CATEGORIES)).default([]),
    timeRange: z.strictObject({ from: instant, to: instant }).optional(),
    relevance: z.string().max(5000).optional(),
  }),
  emergency: z.strictObject({ emergency: z.boolean(), justification: z.string().min(20).max(5000).optional() }).default({ emergency: false }),
  confidentiality: z.enum(['normal', 'confidential', 'strictly-confidential']).default('normal'),
  language: z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639 language code'),
  translation: z.strictObject({ required: z.boolean(), language: z.string().regex(/^[a-z]{2,3}$/).optional() }).default({ required: false }),
  references: z.strictObject({ requesting: z.string().min(1).max(200).refine(isVisibleName, VISIBLE_NAME_MESSAGE), requested: z.string().max(200).refine(isVisibleName, VISIBLE_NAME_MESSAGE).optional(),
    /** Issue 16: the reference of the earlier request this one follows (e.g. the Art. 29 preservation before the MLA request). */
    follows: z.string().min(1).max(200).refine(isVisibleName, VISIBLE_NAME_MESSAGE).optional() }),
  /** Free-text answers to required-content elements not covered by structured fields, by element id. */
  contents: z.record(z.string().regex(/^[a-z0-9-]+$/), z.string().min(1).max(10000)).default({}),
  safeguards: safeguardsSchema.default({}),
  dataProtection: z.strictObject({ purpose: z.string().min(5).max(2000), retentionDays: z.number().int().positive().max(3650) }),
}).superRefine((request, issues) => {
  // Free text reads in the order it was typed (src/cases/visible-text.ts).
  for (const [path, text] of stringsOf(request)) {
    if (!isVisibleText(text)) issues.addIssue({ code: 'custom', path, message: 'no bidirectional embedding, override or isolate characters' });
  }
});
export type RequestInput = z.input<typeof requestSchema>;
export type Request = z.output<typeof requestSchema>;

/** The independent or judicial review recorded on approval (Budapest Art. 15(2)). */
export const reviewSchema = z.strictObject({
  reviewer: z.string().min(1).max(200),
  role: z.enum(['judge', 'prosecutor', 'independent-authority']),
  at: instant,
  reference: z.string().min(1).max(200),
  decision: z.literal('approved'),
  notes: z.string().max(5000).optional(),
});
export type Review = z.infer<typeof reviewSchema>;

