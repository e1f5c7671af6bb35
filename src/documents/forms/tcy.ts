/**
 * @module documents/forms/tcy
 * The Council of Europe T-CY standard request templates, adopted at the T-CY's 19th plenary
 * (9 July 2018): T-CY(2018)11, data preservation under Budapest Arts 29 and 30, and
 * T-CY(2018)10, mutual legal assistance for subscriber information under Art. 31. Fields 1-7 of
 * the first and 1-11 of the second follow the templates as read (law.md §6); the remaining fields
 * carry the elements of Art. 29(2) and of the Art. 31 request, in the templates' order.
 */
import { text, notApplicable, type DocumentModel } from '../model.js';
import type { FormContext } from './common.js';

function base(c: FormContext, form: DocumentModel['form']) {
  return {
    form,
    language: c.input.language,
    title: c.t(`form.${form}.title`),
    formReference: c.t(`form.${form}.reference`),
    reference: c.input.detail.reference,
    issuer: c.input.issuer.name,
    marks: c.marks(),
    signature: c.signature(),
    words: { page: c.t('word.page'), notApplicable: c.t('word.notApplicable') },
  };
}

function header(c: FormContext, status: string) {
  return [
    c.section('request', [
      c.field('tcy.date', text(c.date(c.input.issuedAt))),
      c.field('tcy.reference', c.references()),
      c.field('tcy.status', text(status)),
    ]),
    c.section('requested', c.authorityFields('requested', c.input.addressee, false)),
    c.section('requesting', [
      ...c.authorityFields('requesting', c.input.requesting, true),
      c.field('tcy.expedited', text(c.t('word.expeditedByEmail', { email: c.input.personInCharge.email }))),
    ]),
    c.section('contact', c.contactFields('contact')),
    c.section('investigative', [c.field('investigative.authority', notApplicable)]),
  ];
}

/** T-CY(2018)11: preservation (Art. 29) and expedited disclosure of preserved traffic data (Art. 30). */
export function tcyPreservation(c: FormContext): DocumentModel {
  const traffic = c.input.detail.measures.includes('traffic-disclosure');
  return {
    ...base(c, 'tcy-preservation'),
    sections: [
      ...header(c, c.t('word.newRequest')),
      c.section('offence', [c.field('offence.offences', c.offences()), c.field('offence.facts', text(c.request.facts), true)]),
      c.section(
        'preserve',
        [
          c.field('data.identifiers', c.identifiersSummary()),
          c.field('data.categories', c.categories()),
          c.field('data.period', c.period()),
          c.field('data.relevance', text(c.request.dataSought.relevance ?? c.request.contents['data-and-relationship'])),
          c.field('data.custodian', c.content('custodian-or-location')),
        ],
        c.identifiersTable(),
      ),
      c.section('necessity', [c.field('preserve.necessity', c.content('necessity')), c.field('preserve.mla', c.content('intent-to-request-mla')), c.field('preserve.duration', c.request.safeguards.durationDays === undefined ? notApplicable : text(c.t('word.days', { days: c.request.safeguards.durationDays })))]),
      c.section('trafficDisclosure', [c.field('preserve.traffic', traffic ? text(c.t('word.trafficDisclosureRequested')) : notApplicable)]),
      c.section('handling', [c.field('handling.confidentiality', c.confidentiality()), c.field('handling.urgency', c.urgency()), c.field('handling.language', c.language()), c.field('handling.legalBasis', c.legalBasis())]),
      c.section('other', [...c.safeguardFields(), ...c.otherContents(['requesting-authority', 'offence-and-facts', 'data-and-relationship', 'custodian-or-location', 'necessity', 'intent-to-request-mla'])]),
    ],
  };
}

/** T-CY(2018)10: mutual legal assistance for subscriber information (Art. 31). */
export function tcySubscriberMla(c: FormContext): DocumentModel {
  const previous = c.request.references.requested;
  return {
    ...base(c, 'tcy-subscriber-mla'),
    sections: [
      ...header(c, previous ? c.t('word.followUp', { reference: previous }) : c.t('word.newRequest')),
      c.section('court', [c.field('court.prosecution', c.content('prosecution-or-court')), c.field('court.decisions', c.review())]),
      c.section('previous', [c.field('previous.mla', notApplicable), c.field('previous.preservation', previous ? text(previous) : notApplicable)]),
      c.section('domestic', [c.field('domestic.basis', c.content('domestic-legal-basis'))]),
      c.section('offence', [c.field('offence.offences', c.offences()), c.field('offence.facts', text(c.request.facts), true)]),
      c.section(
        'sought',
        [c.field('data.identifiers', c.identifiersSummary()), c.field('data.categories', c.categories()), c.field('data.period', c.period()), c.field('data.relevance', text(c.request.dataSought.relevance)), c.field('data.measures', text(c.measures()))],
        c.identifiersTable(),
      ),
      c.section('handling', [c.field('handling.confidentiality', c.confidentiality()), c.field('handling.urgency', c.urgency()), c.field('handling.language', c.language()), c.field('handling.legalBasis', c.legalBasis())]),
      c.section('other', [...c.safeguardFields(), ...c.otherContents(['reference', 'requested-authority', 'requesting-authority', 'prosecution-or-court', 'domestic-legal-basis', 'offence-and-facts', 'data-sought'])]),
    ],
  };
}

export { base };
