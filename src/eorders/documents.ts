/**
 * @module eorders/documents
 * The Regulation's certificates printed from an order's structured data — the same objects the
 * workspace form fills in and the API stores: EPOC (Annex I), EPOC-PR (Annex II), Annex III
 * (impossibility to execute, from the addressee's form), Annex V (confirmation of a subsequent
 * request for production) and Annex VI (extension of preservation), in English or French, as a
 * PDF through the documents renderer. Section letters follow the annexes where they were read
 * (law.md §4.8); where the exact wording was not read, the content the articles require.
 */
import type { DocumentField, DocumentModel, DocumentSection, FieldValue } from '../documents/model.js';
import { notApplicable, text } from '../documents/model.js';
import type { AnnexIII, AnnexV, AnnexVI } from './certificates.js';
import { OrderError } from './errors.js';
import { orderRules } from './rules.js';
import type { PresentedOrder } from './view.js';

export const ORDER_FORMS = ['annex-i', 'annex-ii', 'annex-iii', 'annex-v', 'annex-vi'] as const;
export type OrderForm = (typeof ORDER_FORMS)[number];
export const ORDER_FORM_LANGUAGES = ['en', 'fr'] as const;
type Lang = (typeof ORDER_FORM_LANGUAGES)[number];

const WORDS: Record<Lang, Record<string, string>> = {
  en: {
    'title.annex-i': 'European Production Order Certificate (EPOC)', 'title.annex-ii': 'European Preservation Order Certificate (EPOC-PR)', 'title.annex-iii': 'Information on the impossibility to execute an EPOC / EPOC-PR', 'title.annex-v': 'Confirmation of the issuance of a request for production following a European Preservation Order', 'title.annex-vi': 'Extension of the preservation of electronic evidence',
    'ref.annex-i': 'Regulation (EU) 2023/1543, Annex I', 'ref.annex-ii': 'Regulation (EU) 2023/1543, Annex II', 'ref.annex-iii': 'Regulation (EU) 2023/1543, Annex III (title not read in the official text)', 'ref.annex-v': 'Regulation (EU) 2023/1543, Annex V (title not read in the official text)', 'ref.annex-vi': 'Regulation (EU) 2023/1543, Annex VI (title not read in the official text)',
    'section.A': 'A. Issuing authority', 'section.B': 'B. Addressee', 'section.C': 'C. Deadlines and emergency', 'section.D': 'D. Data sought', 'section.E': 'E. Offence and grounds', 'section.G': 'G. Notification of the enforcing State (Art. 8)', 'section.L': 'L. Authority to receive the data', 'section.order': 'The order', 'section.reasons': 'Reasons', 'section.confirmation': 'Request for production',
    'field.issuerKind': 'Kind of issuing authority', 'field.issuer': 'Issuing authority', 'field.fileReference': 'File reference', 'field.account': 'Issued through', 'field.validation': 'Validation (Art. 4)', 'field.provider': 'Service provider', 'field.established': 'State of establishment', 'field.representative': 'Designated establishment or legal representative', 'field.emergency': 'Emergency case', 'field.emergencyReasons': 'Reasons for the emergency', 'field.deadlines': 'Deadlines', 'field.categories': 'Data categories', 'field.period': 'Period', 'field.offence': 'Offence', 'field.provision': 'Legal provision', 'field.penalty': 'Maximum penalty (years)', 'field.annexIV': 'Annex IV category', 'field.necessity': 'Necessity and proportionality (Art. 5(2))', 'field.notification': 'Notification', 'field.residence': 'Residence test (Art. 8(2))', 'field.receiving': 'Authority', 'field.precededBy': 'Preceded by the European Preservation Order', 'field.reference': 'Reference of the order', 'field.delivered': 'Received', 'field.reason': 'Reason', 'field.details': 'Details', 'field.preserved': 'Data preserved meanwhile', 'field.instrument': 'Instrument', 'field.subsequentReference': 'Its reference', 'field.issuedOn': 'Issued on', 'field.extensionReasons': 'Reasons for the extension', 'field.preservedUntil': 'Preserved until',
    yes: 'Yes', no: 'No', 'col.type': 'Type', 'col.value': 'Identifier', page: 'Page {page} of {pages}', notApplicable: 'Not applicable', unsigned: 'Printed by Comity from the order’s structured data; not signed.', signed: 'Printed by Comity from the order’s structured data. Signed by {authority} with a detached CAdES signature (the .p7s file of the same name): comity verify {file}.pdf --signature {file}.p7s', offenceHere: 'offence committed in the issuing State', residesHere: 'person resides in the issuing State',
    'subject.EPOC': 'European Production Order', 'subject.EIO': 'European Investigation Order', 'subject.MLA': 'Mutual legal assistance request',
  },
  fr: {
    'title.annex-i': 'Certificat d’injonction européenne de production (EPOC)', 'title.annex-ii': 'Certificat d’injonction européenne de conservation (EPOC-PR)', 'title.annex-iii': 'Informations sur l’impossibilité d’exécuter un EPOC / EPOC-PR', 'title.annex-v': 'Confirmation de l’émission d’une demande de production faisant suite à une injonction européenne de conservation', 'title.annex-vi': 'Prolongation de la conservation de preuves électroniques',
    'ref.annex-i': 'Règlement (UE) 2023/1543, annexe I', 'ref.annex-ii': 'Règlement (UE) 2023/1543, annexe II', 'ref.annex-iii': 'Règlement (UE) 2023/1543, annexe III (intitulé non lu dans le texte officiel)', 'ref.annex-v': 'Règlement (UE) 2023/1543, annexe V (intitulé non lu dans le texte officiel)', 'ref.annex-vi': 'Règlement (UE) 2023/1543, annexe VI (intitulé non lu dans le texte officiel)',
    'section.A': 'A. Autorité d’émission', 'section.B': 'B. Destinataire', 'section.C': 'C. Délais et urgence', 'section.D': 'D. Données demandées', 'section.E': 'E. Infraction et motifs', 'section.G': 'G. Notification de l’État d’exécution (art. 8)', 'section.L': 'L. Autorité destinataire des données', 'section.order': 'L’injonction', 'section.reasons': 'Motifs', 'section.confirmation': 'Demande de production',
    'field.issuerKind': 'Type d’autorité d’émission', 'field.issuer': 'Autorité d’émission', 'field.fileReference': 'Référence du dossier', 'field.account': 'Émise par', 'field.validation': 'Validation (art. 4)', 'field.provider': 'Fournisseur de services', 'field.established': 'État d’établissement', 'field.representative': 'Établissement désigné ou représentant légal', 'field.emergency': 'Cas d’urgence', 'field.emergencyReasons': 'Motifs de l’urgence', 'field.deadlines': 'Délais', 'field.categories': 'Catégories de données', 'field.period': 'Période', 'field.offence': 'Infraction', 'field.provision': 'Disposition légale', 'field.penalty': 'Peine maximale (années)', 'field.annexIV': 'Catégorie de l’annexe IV', 'field.necessity': 'Nécessité et proportionnalité (art. 5, § 2)', 'field.notification': 'Notification', 'field.residence': 'Critère de résidence (art. 8, § 2)', 'field.receiving': 'Autorité', 'field.precededBy': 'Précédée de l’injonction européenne de conservation', 'field.reference': 'Référence de l’injonction', 'field.delivered': 'Reçue le', 'field.reason': 'Motif', 'field.details': 'Précisions', 'field.preserved': 'Données conservées entre-temps', 'field.instrument': 'Instrument', 'field.subsequentReference': 'Sa référence', 'field.issuedOn': 'Émise le', 'field.extensionReasons': 'Motifs de la prolongation', 'field.preservedUntil': 'Conservées jusqu’au',
    yes: 'Oui', no: 'Non', 'col.type': 'Type', 'col.value': 'Identifiant', page: 'Page {page} sur {pages}', notApplicable: 'Sans objet', unsigned: 'Imprimé par Comity à partir des données structurées de l’injonction ; non signé.', signed: 'Imprimé par Comity à partir des données structurées de l’injonction. Signé par {authority} d’une signature CAdES détachée (le fichier .p7s du même nom) : comity verify {file}.pdf --signature {file}.p7s', offenceHere: 'infraction commise dans l’État d’émission', residesHere: 'la personne réside dans l’État d’émission',
    'subject.EPOC': 'Injonction européenne de production', 'subject.EIO': 'Décision d’enquête européenne', 'subject.MLA': 'Demande d’entraide judiciaire',
  },
};

/** Who signs a form: the addressee its Annex III, the issuing authority every other. */
export function signerOf(order: Pick<PresentedOrder, 'issuingAuthority' | 'addressee'>, form: OrderForm): { id: string; name: string; party: string } {
  return form === 'annex-iii' ? order.addressee : order.issuingAuthority;
}

const FORM_EVENT: Partial<Record<OrderForm, string>> = { 'annex-iii': 'report-impossibility', 'annex-v': 'confirm-production', 'annex-vi': 'extend' };

/**
 * The date printed on a form, and in the PDF's metadata: when what it certifies was sent or
 * recorded — so the same form of the same order prints to the same bytes, and a detached
 * signature fetched apart from the PDF signs the very file the reader has.
 */
export function documentIssuedAt(order: Pick<PresentedOrder, 'events' | 'sentAt' | 'createdAt'>, form: OrderForm): Date {
  const event = FORM_EVENT[form];
  const at = event === undefined ? (order.sentAt ?? order.createdAt) : (order.events.filter((e) => e.event === event).at(-1)?.at ?? order.createdAt);
  return new Date(at);
}

/** The file name (without extension) of a form. */
export function documentFileName(order: Pick<PresentedOrder, 'reference'>, form: OrderForm): string {
  return `${order.reference}-${form}`;
}

/** The model of one of the order's forms; the form must exist for the order (Annex III once reported, …). */
export function orderDocumentModel(order: PresentedOrder, form: OrderForm, language: string, signed = false): DocumentModel {
  const lang: Lang = (ORDER_FORM_LANGUAGES as readonly string[]).includes(language) ? (language as Lang) : 'en';
  const w = (key: string) => WORDS[lang][key] ?? WORDS.en[key] ?? key;
  const f = (key: string, value: FieldValue, long = false): DocumentField => ({ key, label: w(`field.${key}`), value, ...(long ? { long } : {}) });
  const s = (key: string, fields: DocumentField[], table?: DocumentSection['table']): DocumentSection => ({ key, heading: w(`section.${key}`), fields, ...(table ? { table } : {}) });
  const cert = order.certificate;
  const yesNo = (b: boolean) => text(b ? w('yes') : w('no'));
  const payloadOf = <T>(event: string): T | null => (order.events.filter((e) => e.event === event).at(-1)?.payload as T | undefined) ?? null;
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new OrderError('invalid-transition', `${what} does not exist for this order yet`);
  };
  const orderSection = s('order', [f('reference', text(order.reference)), f('issuer', text(`${order.issuingAuthority.name} — ${cert.issuer.name}`)), f('provider', text(order.provider ? `${order.provider.name} — ${order.provider.representative.name} (${order.provider.representative.state})` : order.addressee.name)), f('delivered', text(order.deliveredAt))]);
  let sections: DocumentSection[];
  if (form === 'annex-i' || form === 'annex-ii') {
    need((form === 'annex-i') === (order.kind === 'EPOC'), form === 'annex-i' ? 'Annex I (EPOC)' : 'Annex II (EPOC-PR)');
    const rules = orderRules();
    const deadlines = rules.clocks.filter((c) => c.order === order.kind && c.emergency === order.emergency && c.party === 'addressee').map((c) => c.text);
    sections = [
      s('A', [f('issuerKind', text(cert.issuer.kind)), f('issuer', text(cert.issuer.name)), f('fileReference', text(cert.issuer.fileReference)), f('account', text(`${order.issuingAuthority.name} (${order.issuingAuthority.party})`)), f('validation', order.validation ? text(`${order.validation.kind}: ${order.validation.name} (${order.validation.reference}), ${order.validation.at}`) : text(order.issuing.reasons.join(' ')))]),
      s('B', [f('provider', text(order.provider?.name)), f('established', text(order.provider?.establishedIn)), f('representative', text(order.provider ? `${order.provider.representative.name} (${order.provider.representative.kind}, ${order.provider.representative.state})` : order.addressee.name))]),
      s('C', [f('emergency', yesNo(cert.emergency.emergency)), f('emergencyReasons', text(cert.emergency.reasons)), f('deadlines', deadlines.length > 0 ? text(deadlines.join('\n')) : notApplicable, true)]),
      s('D', [f('categories', text(cert.categories.join(', '))), f('period', text(`${cert.timeRange.from} – ${cert.timeRange.to}`))], { columns: [w('col.type'), w('col.value')], rows: cert.identifiers.map((i) => [i.type, i.value]) }),
      s('E', [f('offence', text(cert.offence.description), true), f('provision', text(cert.offence.nationalProvision)), f('penalty', text(String(cert.offence.maxPenaltyYears))), f('annexIV', yesNo(cert.offence.annexIV ?? false)), f('necessity', text(cert.necessity), true)]),
      s('G', [f('notification', text(order.notification.reason), true), f('residence', text(`${w('offenceHere')}: ${w(cert.residenceTest.offenceInIssuingState ? 'yes' : 'no')}; ${w('residesHere')}: ${w(cert.residenceTest.personResidesInIssuingState ? 'yes' : 'no')}`))]),
      s('L', [f('receiving', text(cert.receivingAuthority)), f('precededBy', text(cert.precededBy))]),
    ];
  } else if (form === 'annex-iii') {
    const a = payloadOf<AnnexIII>('report-impossibility');
    need(a !== null, 'Annex III');
    const reason = orderRules().impossibility.reasons.find((r) => r.id === a?.reason);
    sections = [orderSection, s('reasons', [f('reason', text(reason?.text ?? a?.reason)), f('details', text(a?.details), true), f('preserved', yesNo(a?.dataPreserved ?? false))])];
  } else if (form === 'annex-v') {
    const a = payloadOf<AnnexV>('confirm-production');
    need(a !== null, 'Annex V');
    sections = [orderSection, s('confirmation', [f('instrument', text(w(`subject.${a?.instrument ?? 'EPOC'}`))), f('subsequentReference', text(a?.reference)), f('issuedOn', text(a?.issuedOn))])];
  } else {
    const a = payloadOf<AnnexVI>('extend');
    need(a !== null, 'Annex VI');
    const clock = order.clocks.find((c) => c.clock === 'preservation');
    sections = [orderSection, s('reasons', [f('extensionReasons', text(a?.reasons), true), f('preservedUntil', text(clock?.dueAt))])];
  }
  return {
    form: form === 'annex-i' ? 'epoc' : form === 'annex-ii' ? 'epoc-pr' : form === 'annex-iii' ? 'eu-annex-iii' : form === 'annex-v' ? 'eu-annex-v' : 'eu-annex-vi',
    language: lang,
    title: w(`title.${form}`),
    formReference: w(`ref.${form}`),
    reference: order.reference,
    issuer: form === 'annex-iii' ? order.addressee.name : order.issuingAuthority.name,
    marks: order.emergency ? ['EMERGENCY / URGENCE'] : [],
    sections,
    signature: [signed ? w('signed').replace('{authority}', signerOf(order, form).name).replaceAll('{file}', documentFileName(order, form)) : w('unsigned')],
    words: { page: w('page'), notApplicable: w('notApplicable') },
  };
}

export async function orderDocument(order: PresentedOrder, form: OrderForm, language: string, issuedAt: Date = documentIssuedAt(order, form), signed = false): Promise<Buffer> {
  // PDFKit and its fonts load on the first document, not with the server (tens of MiB resident).
  const { renderDocument } = await import('../documents/render.js');
  return renderDocument(orderDocumentModel(order, form, language, signed), { issuedAt });
}
