/**
 * The request wizard's logic, without the DOM: the form's state, the request JSON it becomes
 * (POST /api/cases, PUT /api/cases/:id), which required-content elements of the chosen legal
 * basis are answered by structured fields (a mirror of ANSWERED_BY in src/cases/validate.ts,
 * request-form.test.ts checks the two agree) and which need free text, the client-side checks
 * (what the server's schema would refuse; what the law requires before review), and where a
 * server issue belongs in the form.
 *
 * Field keys are the request's dotted paths (`facts`, `offences.0.category`,
 * `dataSought.identifiers.1.timestamp`, `contents.necessity`, `safeguards.grounds`): the same as
 * the `field` of the server's issues, so that both land next to the same input.
 */
import { emptyIdentifier, fromIdentifier, identifierIssues, toIdentifier, type Identifier, type IdentifierForm } from './identifiers';
import type { ContentElement, LawCitation } from './bases';

export const DATA_CATEGORIES = ['subscriber-info', 'traffic-data', 'content-data'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export const CONFIDENTIALITY = ['normal', 'confidential', 'strictly-confidential'] as const;
export type Confidentiality = (typeof CONFIDENTIALITY)[number];

/**
 * Measures with whether they are coercive and the data categories they concern: a mirror of
 * src/law/data/measures.json (request-form.test.ts checks it). Coercive measures need the
 * safeguards of Budapest Art. 15.
 */
export const MEASURE_RULES = {
  preservation: { coercive: true, dataCategories: ['subscriber-info', 'traffic-data', 'content-data'] },
  'traffic-disclosure': { coercive: true, dataCategories: ['traffic-data'] },
  'subscriber-info': { coercive: true, dataCategories: ['subscriber-info'] },
  'identification-data': { coercive: true, dataCategories: ['traffic-data'] },
  'traffic-data': { coercive: true, dataCategories: ['traffic-data'] },
  'content-data': { coercive: true, dataCategories: ['content-data'] },
  'domain-registration': { coercive: false, dataCategories: ['subscriber-info'] },
  'realtime-traffic': { coercive: true, dataCategories: ['traffic-data'] },
  interception: { coercive: true, dataCategories: ['content-data'] },
  'video-conference': { coercive: false, dataCategories: [] },
  'joint-investigation': { coercive: false, dataCategories: [] },
  'spontaneous-information': { coercive: false, dataCategories: [] },
} as const satisfies Record<string, { coercive: boolean; dataCategories: readonly DataCategory[] }>;

export type Measure = keyof typeof MEASURE_RULES;
export const MEASURES = Object.keys(MEASURE_RULES) as Measure[];

export function isCoercive(measures: readonly string[]): boolean {
  return measures.some((m) => (MEASURE_RULES as Record<string, { coercive: boolean }>)[m]?.coercive === true);
}

export interface OffenceForm {
  category: string;
  nationalProvision: string;
  /** Years; empty: not stated. */
  maxPenaltyYears: string;
}

export interface RequestForm {
  requestingAuthority: string;
  addressee: string;
  measures: string[];
  emergency: boolean;
  emergencyJustification: string;
  legalBasis: string;
  offences: OffenceForm[];
  facts: string;
  identifiers: IdentifierForm[];
  categories: string[];
  /** YYYY-MM-DD (UTC): the period starts at 00:00 and ends at 23:59:59 UTC. */
  timeFrom: string;
  timeTo: string;
  relevance: string;
  confidentiality: Confidentiality;
  language: string;
  translationRequired: boolean;
  translationLanguage: string;
  referenceRequesting: string;
  referenceRequested: string;
  /** Issue 16: the reference of the earlier request this one follows (linked requests). */
  referenceFollows: string;
  /** Free-text answers to required-content elements, by element id. */
  contents: Record<string, string>;
  grounds: string;
  proportionality: string;
  scope: string;
  durationDays: string;
  purpose: string;
  retentionDays: string;
}

export const emptyOffence = (): OffenceForm => ({ category: '', nationalProvision: '', maxPenaltyYears: '' });

export function emptyRequestForm(requestingAuthority: string): RequestForm {
  return {
    requestingAuthority,
    addressee: '',
    measures: [],
    emergency: false,
    emergencyJustification: '',
    legalBasis: '',
    offences: [emptyOffence()],
    facts: '',
    identifiers: [emptyIdentifier()],
    categories: [],
    timeFrom: '',
    timeTo: '',
    relevance: '',
    confidentiality: 'confidential',
    language: 'en',
    translationRequired: false,
    translationLanguage: '',
    referenceRequesting: '',
    referenceRequested: '',
    referenceFollows: '',
    contents: {},
    grounds: '',
    proportionality: '',
    scope: '',
    durationDays: '',
    purpose: '',
    retentionDays: '365',
  };
}

/** The request document the API takes (src/cases/request.ts), as the workspace builds it. */
export interface RequestDocument {
  requestingAuthority: string;
  addressee: string;
  measures: string[];
  legalBasis: string;
  offences: { category: string; nationalProvision: string; maxPenaltyYears: number | null }[];
  facts: string;
  dataSought: { identifiers: Identifier[]; categories: string[]; timeRange?: { from: string; to: string }; relevance?: string };
  emergency: { emergency: boolean; justification?: string };
  confidentiality: Confidentiality;
  language: string;
  translation: { required: boolean; language?: string };
  references: { requesting: string; requested?: string; follows?: string };
  contents: Record<string, string>;
  safeguards: { grounds?: string; proportionality?: string; scope?: string; durationDays?: number };
  dataProtection: { purpose: string; retentionDays: number };
}

export function isBlankIdentifier(id: IdentifierForm): boolean {
  return id.value.trim() === '' && id.service.trim() === '' && id.timestamp.trim() === '' && id.port.trim() === '';
}

const text = (value: string): string | undefined => {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

const number = (value: string): number | null => {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed.replace(',', '.'));
  return Number.isFinite(n) ? n : Number.NaN;
};

function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The request for the API. Empty optional fields are left out; free-text contents are kept only
 * for the elements of the chosen basis that need them (`freeTextIds`), when given.
 */
export function toRequest(form: RequestForm, freeTextIds?: readonly string[]): RequestDocument {
  const keep = freeTextIds ? new Set(freeTextIds) : null;
  const contents: Record<string, string> = {};
  for (const [id, answer] of Object.entries(form.contents)) {
    const value = text(answer);
    if (value !== undefined && (keep === null || keep.has(id))) contents[id] = value;
  }
  const from = form.timeFrom.trim();
  const to = form.timeTo.trim();
  const relevance = text(form.relevance);
  const justification = text(form.emergencyJustification);
  const requested = text(form.referenceRequested);
  const duration = number(form.durationDays);
  return {
    requestingAuthority: form.requestingAuthority,
    addressee: form.addressee,
    measures: [...form.measures],
    legalBasis: form.legalBasis,
    offences: form.offences.map((o) => ({ category: o.category, nationalProvision: o.nationalProvision.trim(), maxPenaltyYears: number(o.maxPenaltyYears) })),
    facts: form.facts.trim(),
    dataSought: omitUndefined({
      identifiers: form.identifiers.filter((i) => !isBlankIdentifier(i)).map(toIdentifier),
      categories: [...form.categories],
      timeRange: from !== '' || to !== '' ? { from: from === '' ? '' : `${from}T00:00:00Z`, to: to === '' ? '' : `${to}T23:59:59Z` } : undefined,
      relevance,
    }),
    emergency: omitUndefined({ emergency: form.emergency, justification: form.emergency ? justification : undefined }),
    confidentiality: form.confidentiality,
    language: form.language.trim(),
    translation: omitUndefined({ required: form.translationRequired, language: form.translationRequired ? text(form.translationLanguage) : undefined }),
    references: omitUndefined({ requesting: form.referenceRequesting.trim(), requested, follows: text(form.referenceFollows) }),
    contents,
    safeguards: omitUndefined({ grounds: text(form.grounds), proportionality: text(form.proportionality), scope: text(form.scope), durationDays: duration === null ? undefined : duration }),
    dataProtection: { purpose: form.purpose.trim(), retentionDays: number(form.retentionDays) ?? Number.NaN },
  };
}

/** A saved request (GET /api/cases/:id `request`) back into the form, e.g. to edit a draft. */
export function fromRequest(request: RequestDocument): RequestForm {
  const range = request.dataSought.timeRange;
  return {
    requestingAuthority: request.requestingAuthority,
    addressee: request.addressee,
    measures: [...request.measures],
    emergency: request.emergency.emergency,
    emergencyJustification: request.emergency.justification ?? '',
    legalBasis: request.legalBasis,
    offences: request.offences.length > 0 ? request.offences.map((o) => ({ category: o.category, nationalProvision: o.nationalProvision, maxPenaltyYears: o.maxPenaltyYears === null ? '' : String(o.maxPenaltyYears) })) : [emptyOffence()],
    facts: request.facts,
    identifiers: request.dataSought.identifiers.length > 0 ? request.dataSought.identifiers.map(fromIdentifier) : [emptyIdentifier()],
    categories: [...request.dataSought.categories],
    timeFrom: range ? range.from.slice(0, 10) : '',
    timeTo: range ? range.to.slice(0, 10) : '',
    relevance: request.dataSought.relevance ?? '',
    confidentiality: request.confidentiality,
    language: request.language,
    translationRequired: request.translation.required,
    translationLanguage: request.translation.language ?? '',
    referenceRequesting: request.references.requesting,
    referenceRequested: request.references.requested ?? '',
    referenceFollows: request.references.follows ?? '',
    contents: { ...request.contents },
    grounds: request.safeguards.grounds ?? '',
    proportionality: request.safeguards.proportionality ?? '',
    scope: request.safeguards.scope ?? '',
    durationDays: request.safeguards.durationDays === undefined ? '' : String(request.safeguards.durationDays),
    purpose: request.dataProtection.purpose,
    retentionDays: String(request.dataProtection.retentionDays),
  };
}

// ── Required contents ─────────────────────────────────────────────────────────────────────────

const has = (value: string | undefined): boolean => value !== undefined && value.trim().length > 0;

export interface StructuredAnswer {
  /** The form fields that answer the element (the first is where its issues go). */
  fields: readonly string[];
  answered: (r: RequestDocument) => boolean;
}

/**
 * Required-content elements answered by structured fields of the request, by element id: the
 * server's ANSWERED_BY (src/cases/validate.ts), with the fields that answer each. Other elements
 * are answered in `contents[elementId]`.
 */
export const ANSWERED_BY: Readonly<Record<string, StructuredAnswer>> = {
  'requesting-authority': { fields: ['requestingAuthority'], answered: () => true },
  'issuing-authority': { fields: ['requestingAuthority'], answered: () => true },
  'authority-seeking': { fields: ['requestingAuthority'], answered: () => true },
  'requested-authority': { fields: ['addressee'], answered: () => true },
  addressee: { fields: ['addressee'], answered: () => true },
  provider: { fields: ['addressee'], answered: () => true },
  'statement-of-basis': { fields: ['legalBasis'], answered: () => true },
  reference: { fields: ['references.requesting'], answered: (r) => has(r.references.requesting) },
  offence: { fields: ['offences'], answered: (r) => r.offences.length > 0 },
  'offence-and-facts': { fields: ['offences', 'facts'], answered: (r) => r.offences.length > 0 && has(r.facts) },
  'criminal-law-provisions': { fields: ['offences'], answered: (r) => r.offences.every((o) => has(o.nationalProvision)) },
  'case-summary': { fields: ['facts'], answered: (r) => has(r.facts) },
  'subject-and-nature': { fields: ['facts'], answered: (r) => has(r.facts) },
  'object-and-reasons': { fields: ['facts'], answered: (r) => has(r.facts) },
  'data-and-relationship': { fields: ['dataSought.identifiers', 'dataSought.relevance'], answered: (r) => r.dataSought.identifiers.length > 0 && has(r.dataSought.relevance) },
  'data-sought': { fields: ['dataSought.identifiers'], answered: (r) => r.dataSought.identifiers.length > 0 },
  'subscriber-info-sought': { fields: ['dataSought.identifiers'], answered: (r) => r.dataSought.identifiers.length > 0 },
  'domain-and-data-elements': { fields: ['dataSought.identifiers'], answered: (r) => r.dataSought.identifiers.some((i) => i.type === 'domain') },
  'user-identifier': { fields: ['dataSought.identifiers'], answered: (r) => r.dataSought.identifiers.length > 0 },
  'target-identifier': { fields: ['dataSought.identifiers'], answered: (r) => r.dataSought.identifiers.length > 0 },
  'data-category': { fields: ['dataSought.categories'], answered: (r) => r.dataSought.categories.length > 0 },
  'time-range': { fields: ['dataSought.timeRange.from'], answered: (r) => r.dataSought.timeRange !== undefined },
  'emergency-facts': { fields: ['emergency.justification'], answered: (r) => has(r.emergency.justification) },
  'emergency-reasons': { fields: ['emergency.justification'], answered: (r) => !r.emergency.emergency || has(r.emergency.justification) },
  'necessity-proportionality': { fields: ['safeguards.proportionality'], answered: (r) => has(r.safeguards.proportionality) },
  purpose: { fields: ['dataProtection.purpose'], answered: (r) => has(r.dataProtection.purpose) },
};

export interface ContentPlan {
  /** Elements a structured field answers: shown with a pointer to that field. */
  structured: { element: ContentElement; fields: readonly string[] }[];
  /** Elements that need a free-text answer in `contents[element.id]`. */
  freeText: ContentElement[];
}

/** How the form answers each required-content element of the chosen basis. */
export function contentPlan(requiredContents: readonly ContentElement[]): ContentPlan {
  const plan: ContentPlan = { structured: [], freeText: [] };
  for (const element of requiredContents) {
    const structured = ANSWERED_BY[element.id];
    if (structured) plan.structured.push({ element, fields: structured.fields });
    else plan.freeText.push(element);
  }
  return plan;
}

// ── Checks ────────────────────────────────────────────────────────────────────────────────────

/** A problem with one field; `message` is an i18n key under `wizard.errors`. */
export interface FormIssue {
  field: string;
  message: string;
  values?: Record<string, string | number>;
  citation?: LawCitation;
}

const len = (value: string) => value.trim().length;

/**
 * What the server's request schema would refuse: the draft cannot be saved with these.
 * (Legal completeness — required contents, safeguards — is {@link legalIssues}.)
 */
export function schemaIssues(form: RequestForm): FormIssue[] {
  const issues: FormIssue[] = [];
  const need = (ok: boolean, field: string, message: string, values?: FormIssue['values']) => {
    if (!ok) issues.push({ field, message, ...(values ? { values } : {}) });
  };
  need(form.addressee !== '', 'addressee', 'chooseAddressee');
  need(form.measures.length > 0, 'measures', 'chooseMeasure');
  need(form.legalBasis !== '', 'legalBasis', 'chooseBasis');
  need(form.offences.length > 0, 'offences', 'addOffence');
  form.offences.forEach((o, i) => {
    need(o.category !== '', `offences.${i}.category`, 'chooseOffence');
    need(len(o.nationalProvision) > 0, `offences.${i}.nationalProvision`, 'required');
    need(len(o.nationalProvision) <= 500, `offences.${i}.nationalProvision`, 'tooLong', { max: 500 });
    const penalty = number(o.maxPenaltyYears);
    need(penalty === null || (penalty > 0 && penalty <= 100), `offences.${i}.maxPenaltyYears`, 'penalty');
  });
  need(len(form.facts) >= 20, 'facts', 'minLength', { min: 20 });
  need(len(form.facts) <= 20000, 'facts', 'tooLong', { max: 20000 });
  form.identifiers.forEach((id, i) => {
    // An empty row is a spare line of the form, not an identifier (toRequest leaves it out).
    if (isBlankIdentifier(id)) return;
    for (const issue of identifierIssues(id)) issues.push({ field: `dataSought.identifiers.${i}.${issue.part}`, message: `identifier.${issue.message}` });
  });
  const from = form.timeFrom.trim();
  const to = form.timeTo.trim();
  if (from !== '' || to !== '') {
    need(/^\d{4}-\d{2}-\d{2}$/.test(from), 'dataSought.timeRange.from', 'date');
    need(/^\d{4}-\d{2}-\d{2}$/.test(to), 'dataSought.timeRange.to', 'date');
    if (/^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to)) need(from <= to, 'dataSought.timeRange.to', 'rangeOrder');
  }
  need(len(form.relevance) <= 5000, 'dataSought.relevance', 'tooLong', { max: 5000 });
  if (form.emergency && len(form.emergencyJustification) > 0) need(len(form.emergencyJustification) >= 20, 'emergency.justification', 'minLength', { min: 20 });
  need(/^[a-z]{2,3}$/.test(form.language.trim()), 'language', 'language');
  if (form.translationRequired && len(form.translationLanguage) > 0) need(/^[a-z]{2,3}$/.test(form.translationLanguage.trim()), 'translation.language', 'language');
  need(len(form.referenceRequesting) > 0, 'references.requesting', 'required');
  need(len(form.referenceRequesting) <= 200, 'references.requesting', 'tooLong', { max: 200 });
  need(len(form.referenceRequested) <= 200, 'references.requested', 'tooLong', { max: 200 });
  need(len(form.referenceFollows) <= 200, 'references.follows', 'tooLong', { max: 200 });
  for (const [id, answer] of Object.entries(form.contents)) need(len(answer) <= 10000, `contents.${id}`, 'tooLong', { max: 10000 });
  if (len(form.grounds) > 0) need(len(form.grounds) >= 10, 'safeguards.grounds', 'minLength', { min: 10 });
  if (len(form.proportionality) > 0) need(len(form.proportionality) >= 10, 'safeguards.proportionality', 'minLength', { min: 10 });
  if (len(form.scope) > 0) need(len(form.scope) >= 3, 'safeguards.scope', 'minLength', { min: 3 });
  const duration = number(form.durationDays);
  need(duration === null || (Number.isInteger(duration) && duration >= 1 && duration <= 3650), 'safeguards.durationDays', 'days');
  need(len(form.purpose) >= 5, 'dataProtection.purpose', 'minLength', { min: 5 });
  const retention = number(form.retentionDays);
  need(retention !== null && Number.isInteger(retention) && retention >= 1 && retention <= 3650, 'dataProtection.retentionDays', 'days');
  return issues;
}

/**
 * What the law requires before the request may be reviewed (src/cases/validate.ts
 * missingContents and missingSafeguards, without the review record itself): every required
 * element of the chosen basis answered, the emergency shown, and for a coercive measure the
 * safeguards of Budapest Art. 15.
 */
export function legalIssues(form: RequestForm, requiredContents: readonly ContentElement[]): FormIssue[] {
  const request = toRequest(form);
  const issues: FormIssue[] = [];
  for (const element of requiredContents) {
    if (element.optional) continue;
    const structured = ANSWERED_BY[element.id];
    const answered = structured ? structured.answered(request) : has(request.contents[element.id]);
    if (!answered) issues.push({ field: structured ? (structured.fields[0] as string) : `contents.${element.id}`, message: 'missingContent', values: { element: element.text }, citation: element.citation });
  }
  if (form.emergency && len(form.emergencyJustification) === 0) issues.push({ field: 'emergency.justification', message: 'emergencyJustification' });
  if (isCoercive(form.measures)) {
    const art15: LawCitation = { instrument: 'ETS185', article: '15', paragraph: '2', verified: true };
    const need = (ok: boolean, field: string, message: string) => {
      if (!ok) issues.push({ field, message, citation: art15 });
    };
    const categoriesNeeded = form.measures.some((m) => ((MEASURE_RULES as Record<string, { coercive: boolean; dataCategories: readonly string[] }>)[m]?.dataCategories.length ?? 0) > 0 && (MEASURE_RULES as Record<string, { coercive: boolean }>)[m]?.coercive);
    need(has(request.safeguards.grounds), 'safeguards.grounds', 'safeguardGrounds');
    need(has(request.safeguards.proportionality), 'safeguards.proportionality', 'safeguardProportionality');
    need(request.dataSought.identifiers.length > 0 || has(request.safeguards.scope), 'dataSought.identifiers', 'safeguardScope');
    need(request.dataSought.categories.length > 0 || !categoriesNeeded, 'dataSought.categories', 'safeguardCategories');
    need(request.dataSought.timeRange !== undefined, 'dataSought.timeRange.from', 'safeguardTimeRange');
    need(request.safeguards.durationDays !== undefined, 'safeguards.durationDays', 'safeguardDuration');
  }
  // One issue per field: the first found.
  const seen = new Set<string>();
  return issues.filter((i) => (seen.has(i.field) ? false : (seen.add(i.field), true)));
}

// ── Where things go ───────────────────────────────────────────────────────────────────────────

export const WIZARD_STEPS = ['addressee', 'basis', 'contents', 'safeguards'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

/** The step of the wizard that holds a field (null: no field of the form, e.g. the review). */
export function stepOfField(field: string): WizardStep | null {
  if (field === 'addressee' || field === 'measures' || field.startsWith('emergency')) return 'addressee';
  if (field === 'legalBasis') return 'basis';
  if (field.startsWith('safeguards.')) return 'safeguards';
  if (/^(offences|facts|dataSought|confidentiality|language|translation|references|contents|dataProtection)(\.|$)/.test(field)) return 'contents';
  return null;
}

/**
 * The form field of a server issue: `body.` (request validation) dropped, required-content
 * element ids mapped to the structured field that answers them, a time range to its start.
 * Null when the issue is about no field of the form (e.g. the review record).
 */
export function fieldOfIssue(field: string): string | null {
  let key = field.replace(/^body\./, '');
  if (key === 'dataSought.timeRange') key = 'dataSought.timeRange.from';
  if (key === 'emergency') key = 'emergency.justification';
  const structured = ANSWERED_BY[key];
  if (structured) key = structured.fields[0] as string;
  if (key === 'requestingAuthority') return null;
  return stepOfField(key) === null ? null : key;
}

/** The DOM id of a field's input. */
export function fieldId(field: string): string {
  return `f-${field.replace(/[^A-Za-z0-9-]+/g, '-')}`;
}
