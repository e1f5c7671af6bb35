/**
 * @module law/model
 * The shape of the legal knowledge base. Every rule a lawyer would check carries a citation
 * (instrument, article, paragraph, source URL) and a `verified` flag: `false` means the fact was
 * not checked against the official text and must be shown as such to users.
 */
import { z } from 'zod';

export const INSTRUMENT_IDS = [
  'ETS185',
  'ETS189',
  'CETS224',
  'UNCC',
  'EU-2023-1543',
  'EU-2014-41',
  'EU-US',
  'ETS30',
  'ETS182',
  'EU-US-MLA',
  'FR-US-MLAT',
] as const;
export type InstrumentId = (typeof INSTRUMENT_IDS)[number];

export const MEASURES = [
  'preservation',
  'traffic-disclosure',
  'subscriber-info',
  'identification-data',
  'traffic-data',
  'content-data',
  'domain-registration',
  'realtime-traffic',
  'interception',
  'video-conference',
  'joint-investigation',
  'spontaneous-information',
] as const;
export type Measure = (typeof MEASURES)[number];

export const CHANNELS = ['party-to-party', 'direct-to-provider', '24/7-network', 'central-authority', 'no-request'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Who can receive a request on a channel (issue 16: the workflow refuses a basis whose channel
 * does not fit the addressee). `judicial-authority`: a court, judge or prosecutor executing
 * directly; `central-authority`: the authority designated for mutual assistance (Budapest
 * Art. 27(2)); `24/7-point-of-contact`: Budapest Art. 35; `service-provider`: the provider, its
 * designated establishment or legal representative; `none`: no request is sent (Art. 32).
 */
export const ADDRESSEE_KINDS = ['judicial-authority', 'central-authority', '24/7-point-of-contact', 'service-provider', 'none'] as const;
export type AddresseeKind = (typeof ADDRESSEE_KINDS)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** Where a fact comes from. */
export const citationSchema = z.strictObject({
  instrument: z.enum(INSTRUMENT_IDS).or(z.string().min(1)),
  article: z.string().min(1),
  paragraph: z.string().optional(),
  source: z.url(),
  verified: z.boolean(),
  note: z.string().optional(),
});
export type Citation = z.infer<typeof citationSchema>;

/** A rule on when an instrument enters into force, as written in its final clauses. */
export const entryIntoForceRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('first-day-of-month-after'),
    /** Number of consents needed. */
    threshold: z.number().int().positive(),
    /** Of which at least this many Council of Europe member States (Budapest Art. 36(3)). */
    minimumCoeMembers: z.number().int().nonnegative().default(0),
    /** Months between the threshold-reaching consent and the start of the following month. */
    months: z.number().int().positive(),
    /** Rule for a State consenting after the instrument is in force. */
    laterConsentMonths: z.number().int().positive(),
    /** Only consents of Parties to this instrument count (CETS 224: Parties to ETS 185). */
    consentRequiresPartyTo: z.enum(INSTRUMENT_IDS).optional(),
    citation: citationSchema,
    laterConsentCitation: citationSchema,
  }),
  z.strictObject({
    kind: z.literal('nth-day-after'),
    threshold: z.number().int().positive(),
    days: z.number().int().positive(),
    /** A regional economic integration organisation's instrument does not count in addition. */
    excludeRegionalOrganisations: z.boolean(),
    laterConsentDays: z.number().int().positive(),
    citation: citationSchema,
    laterConsentCitation: citationSchema,
  }),
  z.strictObject({
    /** EU secondary law: binds the listed member States from a fixed date. */
    kind: z.literal('eu-act'),
    appliesFrom: isoDate,
    citation: citationSchema,
  }),
  z.strictObject({
    kind: z.literal('not-concluded'),
    citation: citationSchema,
  }),
  z.strictObject({
    /**
     * A treaty between two sides (a bilateral treaty; the EU–US agreement: the United States on
     * one side, the EU member States on the other). It binds from `entryIntoForce.date`; a
     * request runs from one side to the other, never within one side.
     */
    kind: z.literal('between'),
    sides: z.tuple([z.array(z.string().regex(/^[A-Z]{2}$/)).min(1), z.array(z.string().regex(/^[A-Z]{2}$/)).min(1)]),
    signed: isoDate,
    citation: citationSchema,
  }),
]);
export type EntryIntoForceRule = z.infer<typeof entryIntoForceRuleSchema>;

export const instrumentSchema = z.strictObject({
  id: z.enum(INSTRUMENT_IDS),
  title: z.string().min(1),
  shortTitle: z.string().min(1),
  kind: z.enum(['convention', 'protocol', 'eu-regulation', 'eu-directive', 'agreement']),
  /** The instrument is a Protocol to / depends on this one (a Party must be Party to it). */
  supplements: z.enum(INSTRUMENT_IDS).optional(),
  status: z.enum(['adopted', 'under-negotiation']),
  adopted: isoDate.optional(),
  openedForSignature: isoDate.optional(),
  signatureCloses: isoDate.optional(),
  signatureWindowCitation: citationSchema.optional(),
  /** Known general entry-into-force date; when absent it is derived from consents. */
  entryIntoForce: z.strictObject({ date: isoDate, citation: citationSchema }).optional(),
  entryIntoForceRule: entryIntoForceRuleSchema,
  /** EU acts: the member States bound, and those that take no part, with reasons. */
  scope: z
    .strictObject({
      boundMemberStates: z.array(z.string().length(2)),
      notBound: z.array(z.strictObject({ party: z.string().length(2), reason: z.string(), citation: citationSchema })),
    })
    .optional(),
  /** Calendar rule for periods expressed in days (see src/clock). */
  dayPeriodRule: z.strictObject({
    rule: z.enum(['end-of-last-day', 'end-of-last-day-next-working-day']),
    /** The text of the counting rule. */
    citation: citationSchema,
    /** Whether that rule governs this instrument's periods, when that is a separate question (Reg. 1182/71 Art. 1). */
    applicability: citationSchema.optional(),
  }),
  officialUrl: z.url(),
  notes: z.array(z.string()).default([]),
  /** A general mutual legal assistance treaty: Budapest Art. 27 and 28 apply only where none is in force (Art. 27(1)). */
  mlaTreaty: z.boolean().default(false),
  /** Comity's data do not record who is bound: the finder says so instead of "not a party". */
  participationNotRecorded: z.boolean().default(false),
  /** Between two parties both bound by this other instrument, it replaces this one (Dir. 2014/41 Art. 34(1)). */
  replacedBetweenPartiesBoundBy: z.strictObject({ instrument: z.enum(INSTRUMENT_IDS), citation: citationSchema }).optional(),
});
export type Instrument = z.infer<typeof instrumentSchema>;

export const deadlineSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string().min(1),
  amount: z.number().int().positive(),
  unit: z.enum(['hours', 'days']),
  /** The event the period runs from. */
  runsFrom: z.enum(['receipt', 'notification', 'decision', 'service-on-provider', 'preservation-effected']),
  /** `maximum`: must be done by then; `minimum`: must last at least until then. */
  kind: z.enum(['maximum', 'minimum']),
  emergency: z.enum(['only', 'never', 'both']),
  /** Measures this deadline concerns; empty = every measure of the provision. */
  measures: z.array(z.enum(MEASURES)).default([]),
  /** Deadline that may be extended by this many days (e.g. EPOC-PR Art. 11(1)). */
  extensionDays: z.number().int().positive().optional(),
  /** What must be done by then: acknowledge, decide, serve the provider, produce; `expiry`: an obligation ends. */
  act: z.enum(['acknowledgement', 'decision', 'service', 'production', 'expiry']).default('production'),
  /** The clock stops while the requested side waits for a clarification, where the law says so. */
  suspendedDuringClarification: citationSchema.optional(),
  citation: citationSchema,
});
export type Deadline = z.infer<typeof deadlineSchema>;

export const contentElementSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  text: z.string().min(1),
  /** Element may be omitted when not known ("any available information"). */
  optional: z.boolean().default(false),
  /**
   * `law`: the instrument requires it; `model`: recommended by a non-binding model form (e.g. the
   * T-CY templates for Budapest Arts 29 and 31), never a legal requirement.
   */
  basis: z.enum(['law', 'model']).default('law'),
  citation: citationSchema,
});
export type ContentElement = z.infer<typeof contentElementSchema>;

export const REFUSAL_GROUND_IDS = [
  'political-offence',
  'essential-interests',
  'discrimination',
  'human-rights',
  'immunity-privilege-press',
  'ne-bis-in-idem',
  'dual-criminality',
  'territoriality',
  'offence-threshold',
  'domestic-law',
  'national-security',
  'prejudice-to-own-investigation',
  'no-consent',
  'fundamental-principles',
] as const;
export type RefusalGroundId = (typeof REFUSAL_GROUND_IDS)[number];

export const refusalGroundSchema = z.strictObject({
  ground: z.enum(REFUSAL_GROUND_IDS),
  text: z.string().min(1),
  /** `refuse`: a ground to refuse; `postpone`: a ground only to postpone. */
  effect: z.enum(['refuse', 'postpone']).default('refuse'),
  /** Only available if the requested Party made this reservation (e.g. Budapest Art. 29(4)). */
  requiresReservation: z.string().optional(),
  /** Not available for offences established under this instrument (Budapest Art. 29(4): Arts 2-11). */
  notForOffencesUnder: z.string().optional(),
  /**
   * Only where no mutual assistance treaty is in force between the parties (Budapest Art. 27(1):
   * the Art. 27(4) grounds); otherwise the treaty's grounds apply (Art. 25(4)).
   */
  onlyAbsentTreaty: z.boolean().optional(),
  /** Not available for these measures (EIO Art. 11(2): (g) and (h) not for the Art. 10(2) measures). */
  notForMeasures: z.array(z.enum(MEASURES)).optional(),
  notForMeasuresCitation: citationSchema.optional(),
  citation: citationSchema,
});
export type RefusalGround = z.infer<typeof refusalGroundSchema>;

export const dualCriminalitySchema = z.strictObject({
  rule: z.enum(['not-required', 'may-be-required', 'required-unless-listed', 'not-applicable']),
  text: z.string().min(1),
  /** For `required-unless-listed`: the offence list that lifts the check (EIO Annex D). */
  listedCatalogue: z.string().optional(),
  citation: citationSchema,
  /** A different rule for some measures (EIO Art. 11(2): no dual criminality for Art. 10(2) measures). */
  exceptions: z
    .array(
      z.strictObject({
        measures: z.array(z.enum(MEASURES)).min(1),
        rule: z.enum(['not-required', 'may-be-required', 'required-unless-listed', 'not-applicable']),
        text: z.string().min(1),
        citation: citationSchema,
      }),
    )
    .optional(),
});

export const safeguardSchema = z.strictObject({
  id: z.enum([
    'independent-review',
    'grounds-justifying',
    'proportionality',
    'scope-limits',
    'duration-limits',
    'data-protection',
    'issuing-authority',
    'emergency-justification',
    'effective-remedy',
  ]),
  text: z.string().min(1),
  citation: citationSchema,
});
export type Safeguard = z.infer<typeof safeguardSchema>;

/** A condition the finder evaluates, each one cited. */
export const conditionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('emergency-only'), citation: citationSchema }),
  z.strictObject({
    /** Not available where the requested Party reserved the right not to apply it. */
    kind: z.literal('reservation-excludes'),
    reservation: z.string(),
    measures: z.array(z.enum(MEASURES)).default([]),
    citation: citationSchema,
  }),
  z.strictObject({
    /** Only for offences established under this instrument (First Protocol Art. 8). */
    kind: z.literal('offence-in-catalogue'),
    catalogue: z.string(),
    citation: citationSchema,
  }),
  z.strictObject({
    /** Applies only if the offence is listed, or the issuing State's maximum penalty reaches N years. */
    kind: z.literal('offence-threshold'),
    measures: z.array(z.enum(MEASURES)),
    minimumMaxPenaltyYears: z.number().positive(),
    listedCatalogue: z.string(),
    citation: citationSchema,
  }),
  z.strictObject({
    /** Information the practitioner must know or check; the finder passes it on. */
    kind: z.literal('note'),
    text: z.string(),
    /** Shown only where no mutual assistance treaty is in force between the parties (Budapest Art. 28). */
    onlyAbsentTreaty: z.boolean().optional(),
    citation: citationSchema,
  }),
  z.strictObject({
    /**
     * Whether a mutual assistance treaty is in force between the parties (Budapest Art. 27(1)):
     * the finder names it, or says that none is recorded and Arts 27-28 govern.
     */
    kind: z.literal('mla-treaty'),
    citation: citationSchema,
  }),
  z.strictObject({
    /** Shown only in an emergency (urgent transmission, shorter deadlines). */
    kind: z.literal('emergency-note'),
    text: z.string(),
    citation: citationSchema,
  }),
  z.strictObject({
    /**
     * A reservation or declaration of the requested Party that limits the provision without
     * excluding it (Finland's Art. 14(3) reservations limit Arts 33-34): shown, cited, to check.
     */
    kind: z.literal('reservation-limits'),
    reservation: z.string(),
    measures: z.array(z.enum(MEASURES)).default([]),
    citation: citationSchema,
  }),
]);
export type Condition = z.infer<typeof conditionSchema>;

export const provisionSchema = z.strictObject({
  id: z.string().regex(/^[A-Z0-9-]+:[0-9A-Za-z().-]+$/),
  instrument: z.enum(INSTRUMENT_IDS),
  /** Article number, optionally with a paragraph: "29", "8(6)". */
  article: z.string().min(1),
  title: z.string().min(1),
  measures: z.array(z.enum(MEASURES)).min(1),
  channel: z.enum(CHANNELS),
  /** What the provision is for, in one sentence a practitioner understands. */
  summary: z.string().min(1),
  conditions: z.array(conditionSchema).default([]),
  requiredContents: z.array(contentElementSchema).default([]),
  deadlines: z.array(deadlineSchema).default([]),
  refusalGrounds: z.array(refusalGroundSchema).default([]),
  dualCriminality: dualCriminalitySchema,
  safeguards: z.array(safeguardSchema).default([]),
  reservationsPossible: z.array(z.strictObject({ id: z.string(), text: z.string(), citation: citationSchema })).default([]),
  citation: citationSchema,
});
export type Provision = z.infer<typeof provisionSchema>;

export const offenceSchema = z.strictObject({
  /** Common category, e.g. `illegal-access`; what `--offence` takes. */
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  description: z.string().min(1),
  /** Where each instrument criminalises it. */
  provisions: z.array(citationSchema.extend({ title: z.string().min(1) })).min(1),
  /** Lists the offence appears on (e.g. EU-2023-1543 Art. 5(4)(b), EIO Annex D). */
  lists: z.array(z.strictObject({ list: z.string(), entry: z.string(), citation: citationSchema })).default([]),
  /**
   * A category that no instrument establishes as an offence ("any other criminal offence"): its
   * `provisions` cite where co-operation covers it, and it never counts as an offence established
   * under an instrument (Budapest Art. 29(4), First Protocol Art. 8).
   */
  generic: z.boolean().default(false),
});
export type Offence = z.infer<typeof offenceSchema>;

export const RESERVATION_KINDS = ['reservation', 'declaration', 'reservation-or-declaration'] as const;

/**
 * A reservation or declaration in time (Budapest Art. 42-43: made at signature or consent; a
 * withdrawal takes effect on the date the Secretary General receives it). Loaded from
 * `data/reservations.csv`, one row each (see `reservations.ts`).
 */
export const reservationSchema = z.strictObject({
  party: z.string().length(2),
  instrument: z.enum(INSTRUMENT_IDS),
  /** Stable id the finder matches on: instrument and article, e.g. `CETS224-7(9)(a)`, `ETS185-29(4)`. */
  id: z.string().min(1),
  kind: z.enum(RESERVATION_KINDS),
  /** What a user reads: the reservation's effect, never a research note. */
  text: z.string().min(1),
  /** Takes effect (YYYY-MM-DD); absent when the source gives no date. */
  from: isoDate.optional(),
  /** Withdrawn with effect from this date (Budapest Art. 43(1)); it no longer applies on that day. */
  until: isoDate.optional(),
  /**
   * For an undated start: the earliest date it can have taken effect (the party's consent, or the
   * instrument's opening for signature). Set by the loader, shown as "date unknown, not before …".
   */
  notBefore: isoDate.optional(),
  citation: citationSchema,
});
export type Reservation = z.infer<typeof reservationSchema>;

export const partySchema = z.strictObject({
  id: z.string().regex(/^[A-Z]{2}$/),
  name: z.string().min(1),
  kind: z.enum(['state', 'regional-organisation']),
});
export type Party = z.infer<typeof partySchema>;

export const PARTICIPATION_EVENTS = ['signature', 'ratification', 'acceptance', 'approval', 'accession', 'entry_into_force'] as const;
export type ParticipationEvent = (typeof PARTICIPATION_EVENTS)[number];
/** Events that express consent to be bound. */
export const CONSENT_EVENTS: readonly ParticipationEvent[] = ['ratification', 'acceptance', 'approval', 'accession'];

export interface ParticipationRow {
  iso2: string;
  state: string;
  instrument: InstrumentId;
  event: ParticipationEvent;
  /** Empty when the date is not confirmed: the event happened, its date is unknown. */
  date: string | null;
  sourceUrl: string;
  notes: string;
  /** 1-based line in the file the row came from. */
  line: number;
}

export const membershipSchema = z.strictObject({
  organisation: z.enum(['CoE', 'EU']),
  members: z.array(z.string().regex(/^[A-Z]{2}$/)),
  citation: citationSchema,
});
export type Membership = z.infer<typeof membershipSchema>;

/** Preference order used to rank applicable bases; the reasons are data too. */
export const rankingSchema = z.strictObject({
  instrumentOrder: z.array(z.strictObject({ instrument: z.enum(INSTRUMENT_IDS), reason: z.string() })),
  channelOrder: z.array(z.strictObject({ channel: z.enum(CHANNELS), reason: z.string() })),
  emergencyChannelOrder: z.array(z.strictObject({ channel: z.enum(CHANNELS), reason: z.string() })),
});
export type Ranking = z.infer<typeof rankingSchema>;

export const DATA_CATEGORIES = ['subscriber-info', 'traffic-data', 'content-data'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** A measure: whether it is coercive (needs the Budapest Art. 15 safeguards) and the data it concerns. */
export const measureSchema = z.strictObject({
  id: z.enum(MEASURES),
  name: z.string().min(1),
  coercive: z.boolean(),
  dataCategories: z.array(z.enum(DATA_CATEGORIES)),
  citation: citationSchema,
});
export type MeasureInfo = z.infer<typeof measureSchema>;
