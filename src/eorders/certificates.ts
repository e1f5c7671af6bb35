/**
 * @module eorders/certificates
 * The Regulation's forms as structured data: the same objects are what the workspace form
 * fills in, what travels between nodes in the message payload, and what the exported documents
 * print. EPOC (Annex I) and EPOC-PR (Annex II) are one certificate type with an `order` field;
 * Annex III (impossibility to execute), Annex V (confirmation of a subsequent request for
 * production) and Annex VI (extension of preservation) are the addressee's and issuing
 * authority's answers. Pure: no I/O (the web imports its types).
 */
import { z } from 'zod';
import { AUTHORITY_KINDS as ISSUER_KINDS, ORDER_DATA_CATEGORIES } from '../law/issuing-authorities.js';

const text = (max: number) => z.string().trim().min(3).max(max);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, 'an ISO 8601 date or date-time');

/** Annex I (EPOC) and Annex II (EPOC-PR): what the issuing authority certifies. */
export const orderCertificateSchema = z.strictObject({
  order: z.enum(['EPOC', 'EPOC-PR']),
  /** Section A: the issuing authority (its kind decides Art. 4). */
  issuer: z.strictObject({ kind: z.enum(ISSUER_KINDS), name: text(300), fileReference: text(100) }),
  /** Section B: the service provider (its designated establishment or legal representative receives the order). */
  provider: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  /** Section C: emergency (Art. 3(18)), with its reasons. */
  emergency: z.strictObject({ emergency: z.boolean(), reasons: text(2000).optional() }).refine((e) => !e.emergency || e.reasons !== undefined, { message: 'an emergency needs its reasons (Art. 3(18))', path: ['reasons'] }),
  /** Section D/E: data categories (Art. 3(9)-(12)) and the data sought. */
  categories: z.array(z.enum(ORDER_DATA_CATEGORIES)).min(1).max(4),
  identifiers: z.array(z.strictObject({ type: z.enum(['email', 'account', 'ip-address', 'phone', 'url', 'other']), value: z.string().trim().min(1).max(500) })).min(1).max(50),
  timeRange: z.strictObject({ from: isoDate, to: isoDate }),
  /** Section F: the offence and the legal provision; Art. 5(3)/(4). */
  offence: z.strictObject({ description: text(4000), nationalProvision: text(300), maxPenaltyYears: z.number().min(0).max(100), annexIV: z.boolean().default(false) }),
  /** Art. 5(2): necessary and proportionate, and could be ordered in a similar domestic case. */
  necessity: text(4000),
  /** Art. 8(2): the residence test, answered at the time of issuing. */
  residenceTest: z.strictObject({ offenceInIssuingState: z.boolean(), personResidesInIssuingState: z.boolean() }),
  /** Section L: the authority to which the data are to be transferred. */
  receivingAuthority: text(300).optional(),
  /** An EPOC following an EPOC-PR: the preservation order's reference. */
  precededBy: z.string().max(100).optional(),
  language: z.string().regex(/^[a-z]{2}$/).default('en'),
});
export type OrderCertificate = z.infer<typeof orderCertificateSchema>;
export type OrderCertificateInput = z.input<typeof orderCertificateSchema>;

/** Validation of the order (Art. 4(1)(b), (2)(b), (3)(b)) or ex-post validation (Art. 4(5)). */
export const validationSchema = z.strictObject({ kind: z.enum(ISSUER_KINDS), name: text(300), reference: text(100) });
export type ValidationRecord = z.infer<typeof validationSchema> & { at: string };

/** Annex III: the addressee cannot execute the order. */
export const annexIIISchema = z.strictObject({
  reason: z.enum(['incomplete', 'manifest-errors', 'insufficient-information', 'de-facto-impossibility', 'data-not-stored']),
  details: text(4000),
  /** Whether the data are preserved meanwhile (where possible). */
  dataPreserved: z.boolean(),
});
export type AnnexIII = z.infer<typeof annexIIISchema>;

/** Annex V: a subsequent request for production has been issued after an EPOC-PR. */
export const annexVSchema = z.strictObject({
  instrument: z.enum(['EPOC', 'EIO', 'MLA']),
  reference: text(100),
  issuedOn: isoDate,
});
export type AnnexV = z.infer<typeof annexVSchema>;

/** Annex VI: extension of the preservation by 30 days. */
export const annexVISchema = z.strictObject({ reasons: text(2000) });
export type AnnexVI = z.infer<typeof annexVISchema>;

/** Art. 17: reasoned objection for conflicting obligations under the law of a third country. */
export const objectionSchema = z.strictObject({
  thirdCountry: z.string().regex(/^[A-Z]{2}$/),
  law: text(500),
  applicability: text(4000),
  conflict: text(4000),
});
export type Objection = z.infer<typeof objectionSchema>;

/** The data produced: evidence items with their digests. */
export const productionSchema = z.strictObject({
  items: z
    .array(
      z.strictObject({
        description: text(500),
        category: z.enum(ORDER_DATA_CATEGORIES),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
        size: z.number().int().min(0).optional(),
        evidenceItem: z.string().max(64).optional(),
      }),
    )
    .min(1)
    .max(500),
  note: z.string().max(4000).optional(),
});
export type Production = z.infer<typeof productionSchema>;

/** Art. 12(1): a ground raised by the enforcing authority. */
export const groundSchema = z.strictObject({ ground: z.enum(['immunity-privilege-press', 'human-rights', 'ne-bis-in-idem', 'dual-criminality']), reasons: text(4000) });
export type Ground = z.infer<typeof groundSchema>;
