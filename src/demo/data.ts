/**
 * @module demo/data
 * The demo deployment: authorities of several parties and request templates. Used by the
 * server's demo seed and by tests, so both exercise the same realistic data. Names are
 * illustrative; no real person or account appears.
 */
import type { AuthorityInput, RequestInput } from '../cases/index.js';

/**
 * `issuingKind`: the Reg. 2023/1543 Art. 4 kind of each demo authority that issues or validates
 * orders, recorded as a deployment would (and published in its node's peer agreement, where a
 * provider's node checks it): the Parquet de Paris and the Staatsanwaltschaft Köln are public
 * prosecutors, the Paris juge d'instruction an investigating judge, the police 24/7 points of
 * contact (OFAC, BKA) other competent authorities acting as investigating authorities (Art.
 * 4(1)(b)). Which Art. 4 kind a directory kind can have: issuing-authorities.json
 * `directoryKinds` (this project's reading, unverified). Central authorities, the US and Japanese
 * ones (not bound by the Regulation), the provider and the enforcing authority have none recorded.
 */
export const DEMO_AUTHORITIES: readonly AuthorityInput[] = [
  { id: 'fr-ca', party: 'FR', kind: 'central-authority', name: 'France — Ministère de la Justice, Bureau de l’entraide pénale internationale', timeZone: 'Europe/Paris', languages: ['fr', 'en'], contact: { email: 'beepi@demo.invalid', officeHours: '09:00-18:00' } },
  { id: 'fr-parquet-paris', party: 'FR', kind: 'prosecutor-or-judge', name: 'France — Parquet de Paris, section cybercriminalité (J3)', timeZone: 'Europe/Paris', languages: ['fr'], contact: { email: 'j3@demo.invalid' }, issuingKind: 'public-prosecutor' },
  { id: 'de-sta-koeln', party: 'DE', kind: 'prosecutor-or-judge', name: 'Germany — Staatsanwaltschaft Köln, ZAC NRW', timeZone: 'Europe/Berlin', languages: ['de', 'en'], contact: { email: 'zac@demo.invalid' }, issuingKind: 'public-prosecutor' },
  { id: 'us-doj-oia', party: 'US', kind: 'central-authority', name: 'United States — Department of Justice, Office of International Affairs', timeZone: 'America/New_York', languages: ['en'], contact: { email: 'oia@demo.invalid', officeHours: '09:00-17:30' } },
  // Issue 16: the 24/7 points of contact of the demo parties that have one (Budapest Art. 35).
  { id: 'fr-247', party: 'FR', kind: '24/7-point-of-contact', name: 'France — OFAC (Office anti-cybercriminalité), 24/7 point of contact', timeZone: 'Europe/Paris', languages: ['fr', 'en'], contact: { email: 'poc247-fr@demo.invalid', officeHours: '24/7' }, issuingKind: 'other-competent-authority' },
  { id: 'de-247', party: 'DE', kind: '24/7-point-of-contact', name: 'Germany — Bundeskriminalamt, 24/7 point of contact', timeZone: 'Europe/Berlin', languages: ['de', 'en'], contact: { email: 'poc247-de@demo.invalid', officeHours: '24/7' }, issuingKind: 'other-competent-authority' },
  { id: 'us-247', party: 'US', kind: '24/7-point-of-contact', name: 'United States — DOJ Computer Crime and Intellectual Property Section, 24/7 point of contact', timeZone: 'America/New_York', languages: ['en'], contact: { email: 'poc247-us@demo.invalid', officeHours: '24/7' } },
  { id: 'jp-247', party: 'JP', kind: '24/7-point-of-contact', name: 'Japan — National Police Agency, 24/7 point of contact', timeZone: 'Asia/Tokyo', languages: ['ja', 'en'], contact: { email: 'poc247@demo.invalid' } },
  { id: 'ie-provider', party: 'IE', kind: 'service-provider', name: 'Example Mail — legal representative in Ireland (Dublin)', timeZone: 'Europe/Dublin', languages: ['en'], contact: { email: 'lawenforcement@demo.invalid' } },
  // Regulation (EU) 2023/1543: a French investigating judge issues orders; Ireland's enforcing authority is notified (Art. 8).
  { id: 'fr-tj-paris', party: 'FR', kind: 'prosecutor-or-judge', name: 'France — Tribunal judiciaire de Paris, juge d’instruction (pôle cyber)', timeZone: 'Europe/Paris', languages: ['fr', 'en'], contact: { email: 'ji-cyber@demo.invalid' }, issuingKind: 'investigating-judge' },
  { id: 'ie-enforcing', party: 'IE', kind: 'eu-enforcing-authority', name: 'Ireland — enforcing authority under Regulation (EU) 2023/1543', timeZone: 'Europe/Dublin', languages: ['en', 'ga'], contact: { email: 'eevidence@demo.invalid' } },
];

/** Service providers (Reg. 2023/1543; Directive (EU) 2023/1544): a US provider with its legal representative in Ireland. */
export const DEMO_PROVIDERS = [
  { id: 'example-mail', name: 'Example Mail Inc.', establishedIn: 'US', representative: 'ie-provider', representativeKind: 'legal-representative' },
] as const;

/** A French preservation request to the United States under Budapest Art. 29. */
export function preservationRequestFrToUs(overrides: Partial<RequestInput> = {}): RequestInput {
  return {
    requestingAuthority: 'fr-ca',
    addressee: 'us-doj-oia',
    measures: ['preservation'],
    legalBasis: 'ETS185:29',
    offences: [{ category: 'illegal-access', nationalProvision: 'Code pénal, art. 323-1', maxPenaltyYears: 3 }],
    facts: 'Between 3 and 5 November 2026 an intruder accessed the mail server of a Paris hospital and exfiltrated patient records; the attacker logged in to a webmail account hosted in the United States.',
    dataSought: {
      identifiers: [{ type: 'email', value: 'attacker@mail.demo.invalid' }],
      categories: ['subscriber-info', 'traffic-data', 'content-data'],
      timeRange: { from: '2026-10-01T00:00:00Z', to: '2026-11-10T00:00:00Z' },
      relevance: 'The account received the exfiltrated files and was used to send the ransom demand.',
    },
    emergency: { emergency: false },
    confidentiality: 'confidential',
    language: 'en',
    translation: { required: false },
    references: { requesting: 'PARQUET-PARIS-2026-04417' },
    contents: {
      necessity: 'The provider keeps logs for 90 days only; without preservation the data will be deleted before a mutual assistance request can be executed.',
      'intent-to-request-mla': 'France will submit a request for mutual assistance under Art. 31 for the disclosure of the preserved data.',
    },
    safeguards: {
      grounds: 'Reasonable grounds to believe the account was used to commit and profit from the intrusion (forensic report of 6 November 2026).',
      proportionality: 'Preservation only, limited to one account and six weeks; no disclosure before a court-authorised request.',
      scope: 'One account; subscriber, traffic and content data from 1 October to 10 November 2026.',
      durationDays: 90,
    },
    dataProtection: { purpose: 'Criminal investigation PARQUET-PARIS-2026-04417 (intrusion into a hospital information system).', retentionDays: 365 },
    ...overrides,
  };
}

export const DEMO_REVIEW = {
  reviewer: 'Juge des libertés et de la détention, Tribunal judiciaire de Paris',
  role: 'judge',
  at: '2026-11-20T10:00:00+01:00',
  reference: 'JLD-2026-1187',
  decision: 'approved',
} as const;
