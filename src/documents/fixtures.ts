/**
 * @module documents/fixtures
 * Generated cases for the document tests: every form's basis, names in every script the
 * documents must print, facts of the maximum length (20,000 characters), many identifiers.
 */
import type { Authority } from '../cases/authorities.js';
import type { CaseDetail } from '../cases/presenter.js';
import { requestSchema, type RequestInput } from '../cases/request.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../demo/data.js';
import type { FormId } from './model.js';

/** A name in each script, and a reference that mixes them. */
export const NAMES = {
  latin: 'Éloïse Dupont-Laforêt',
  greek: 'Γιώργος Παπαδόπουλος',
  cyrillic: 'Иван Петрович Сидоров',
  arabic: 'محمد عبد الله',
  chinese: '王小明',
  japanese: '山田 太郎 やまだ たろう',
} as const;

export const MIXED_REFERENCE = 'PARQUET-2026-ΑΒΓ-ЖЗИ-案件-7731';

export function authority(id: string): Authority {
  const a = DEMO_AUTHORITIES.find((d) => d.id === id);
  if (!a) throw new Error(`no demo authority ${id}`);
  return { id: a.id, party: a.party, kind: a.kind, name: a.name, timeZone: a.timeZone, languages: [...a.languages], contact: { ...(a.contact ?? {}), phone: '+33 1 44 77 60 60' } as Record<string, string>, separationOfDuties: true, createdAt: '2026-11-28T00:00:00Z' };
}

/** Facts of exactly `length` characters, naming every person, in paragraphs. */
export function longFacts(length = 20_000): string {
  const names = Object.values(NAMES).join(', ');
  const paragraph = `The suspects (${names}) used the account to receive the exfiltrated files; the provider's logs show logins from several countries over six weeks, each recorded with its source address and port. `;
  let facts = '';
  for (let i = 1; facts.length < length; i += 1) facts += `${i}. ${paragraph}${i % 4 === 0 ? '\n\n' : ''}`;
  return facts.slice(0, length);
}

interface Scenario {
  readonly legalBasis: string;
  readonly measures: RequestInput['measures'];
  readonly addressee: string;
  readonly contents: Record<string, string>;
}

const SCENARIOS: Record<FormId, Scenario> = {
  'tcy-preservation': { legalBasis: 'ETS185:29', measures: ['preservation'], addressee: 'us-doj-oia', contents: { necessity: 'Logs are kept for 90 days only.', 'intent-to-request-mla': 'France will request disclosure under Art. 31.', 'custodian-or-location': `Example Mail Inc., servers in Virginia; account holder ${NAMES.greek}.` } },
  'tcy-subscriber-mla': { legalBasis: 'ETS185:31', measures: ['subscriber-info'], addressee: 'us-doj-oia', contents: { 'prosecution-or-court': 'Tribunal judiciaire de Paris, case 26/1187', 'domestic-legal-basis': 'Code de procédure pénale, art. 694 et seq.' } },
  epoc: { legalBasis: 'EU-2023-1543:5(3)', measures: ['subscriber-info'], addressee: 'ie-provider', contents: { 'criminal-law-provisions': 'Code pénal, art. 323-1', 'necessity-proportionality': 'Only the subscriber data of one account are sought.', 'case-summary': `Intrusion into a hospital's systems by ${NAMES.cyrillic}.` } },
  'epoc-pr': { legalBasis: 'EU-2023-1543:6', measures: ['preservation'], addressee: 'ie-provider', contents: { 'criminal-law-provisions': 'Code pénal, art. 323-1', 'necessity-proportionality': 'Preservation only, one account, six weeks.' } },
  'eu-annex-iii': { legalBasis: 'EU-2023-1543:5(3)', measures: ['subscriber-info'], addressee: 'ie-provider', contents: { 'criminal-law-provisions': 'Code pénal, art. 323-1', 'necessity-proportionality': 'Only the subscriber data of one account are sought.', 'case-summary': 'Intrusion into a hospital.' } },
  eio: { legalBasis: 'EU-2014-41:1', measures: ['subscriber-info', 'traffic-data'], addressee: 'de-sta-koeln', contents: { 'object-and-reasons': 'To identify the users of the account.', 'person-concerned': `${NAMES.arabic}, born 1990`, 'measures-and-evidence': 'Subscriber and traffic data of the account.' } },
  letter: { legalBasis: 'UNCC:44', measures: ['subscriber-info'], addressee: 'jp-247', contents: { 'subject-and-nature': 'Investigation of an intrusion.', purpose: `To identify ${NAMES.japanese}.`, 'assistance-sought': 'Subscriber information.' } },
};

/** A sent case (assessed, for Annex III) whose request fills form `form`. */
export function generatedCase(form: FormId, options: { facts?: string; language?: string; emergency?: boolean } = {}): { detail: CaseDetail; requesting: Authority; addressee: Authority } {
  const s = SCENARIOS[form];
  const request = requestSchema.parse(
    preservationRequestFrToUs({
      addressee: s.addressee,
      legalBasis: s.legalBasis,
      measures: s.measures,
      facts: options.facts ?? longFacts(),
      language: options.language ?? 'en',
      references: { requesting: MIXED_REFERENCE },
      contents: s.contents,
      emergency: options.emergency ? { emergency: true, justification: 'Imminent risk to the life of a patient whose records were taken.' } : { emergency: false },
      dataSought: {
        identifiers: [
          { type: 'email', value: 'attacker@mail.demo.invalid' },
          { type: 'account', value: NAMES.chinese, service: 'Example Chat' },
          { type: 'ip', value: '2001:db8::17', timestamp: '2026-11-03T22:15:00Z', port: 44321 },
          { type: 'phone', value: '+33612345678' },
          ...Array.from({ length: 40 }, (_, i) => ({ type: 'ip' as const, value: `198.51.100.${i + 1}`, timestamp: `2026-11-0${(i % 5) + 1}T0${i % 10}:00:00Z` })),
        ],
        categories: ['subscriber-info'],
        timeRange: { from: '2026-10-01T00:00:00Z', to: '2026-11-10T00:00:00Z' },
        relevance: `The account of ${NAMES.arabic} received the files.`,
      },
    }),
  );
  const assessed = form === 'eu-annex-iii';
  const detail: CaseDetail = {
    id: '0193a000-0000-7000-8000-000000000001',
    reference: `FR-2026-${form.toUpperCase().replace(/-/g, '')}`,
    state: assessed ? 'refused' : 'sent',
    requestingAuthorityId: 'fr-ca',
    addresseeId: s.addressee,
    requestingParty: 'FR',
    requestedParty: authority(s.addressee).party,
    legalBasis: s.legalBasis,
    measures: s.measures,
    emergency: options.emergency ?? false,
    version: 4,
    createdAt: '2026-11-28T10:00:00Z',
    updatedAt: '2026-11-28T11:00:00Z',
    sentAt: '2026-11-28T11:00:00Z',
    receivedAt: '2026-11-28T11:05:00Z',
    closedAt: null,
    request,
    review: DEMO_REVIEW,
    assessment: assessed ? { grounds: [{ ground: 'human-rights', applies: true, note: `The account belongs to a journalist, ${NAMES.greek}.` }], decision: 'refuse', reasons: `The data sought concern the sources of ${NAMES.greek}, among them ${NAMES.arabic} and ${NAMES.japanese}.`, conditions: [] } : null,
    purpose: 'investigation',
    retentionDays: 365,
    deleteAfter: null,
    purgedAt: null,
    allowedEvents: [],
    history: [],
    deadlines: [],
  };
  return { detail, requesting: authority('fr-ca'), addressee: authority(s.addressee) };
}
