/**
 * @module documents/forms/letter
 * A formal letter of request for every basis without an official form (CETS 224, the UN
 * Convention, Budapest Arts 26, 33, 34, 35): letterhead, addressee, subject, the legal basis with
 * its citation, then every element the basis requires that the request gives, each with its
 * citation — in the order the provision lists them.
 */
import { cite } from '../../law/index.js';
import { text, notApplicable, type DocumentModel } from '../model.js';
import type { FormContext } from './common.js';
import { base } from './tcy.js';

export function letter(c: FormContext): DocumentModel {
  const p = c.provision;
  const elements = (p?.requiredContents ?? []).map((e) => ({
    key: `content.${e.id}`,
    label: `${c.law(`${p?.id ?? ''}/content/${e.id}`, e.text)} (${cite(e.citation, { mark: false })})`,
    value: c.content(e.id),
  }));
  return {
    ...base(c, 'letter'),
    sections: [
      c.section('request', [c.field('tcy.date', text(c.date(c.input.issuedAt))), c.field('tcy.reference', c.references()), c.field('letter.subject', text(c.t('word.subject', { measures: c.measures() }))), c.field('handling.legalBasis', c.legalBasis())]),
      c.section('requested', c.authorityFields('requested', c.input.addressee, false)),
      c.section('requesting', c.authorityFields('requesting', c.input.requesting, true)),
      c.section('offence', [c.field('offence.offences', c.offences()), c.field('offence.facts', text(c.request.facts), true)]),
      c.section('sought', [c.field('data.measures', text(c.measures())), c.field('data.categories', c.categories()), c.field('data.period', c.period()), c.field('data.identifiers', c.identifiersSummary()), c.field('data.relevance', text(c.request.dataSought.relevance))], c.identifiersTable()),
      c.section('elements', elements.length > 0 ? elements : [c.field('letter.elements', notApplicable)]),
      c.section('handling', [c.field('handling.confidentiality', c.confidentiality()), c.field('handling.urgency', c.urgency()), c.field('handling.language', c.language())]),
      c.section('other', c.safeguardFields()),
    ],
  };
}
