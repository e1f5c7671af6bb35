/**
 * @module documents/forms/eu
 * The certificates of Regulation (EU) 2023/1543 — Annex I (EPOC, production), Annex II
 * (EPOC-PR, preservation), Annex III (information on the impossibility to execute, completed by
 * the addressee: Art. 16(1)) — and the European Investigation Order form of Directive 2014/41/EU,
 * Annex A. Section letters follow the annexes as read (law.md §4.8, §5.3); sections whose exact
 * wording was not read carry the content the articles require (Regulation Arts 5, 6, 9;
 * Directive Art. 5).
 */
import { cite } from '../../law/index.js';
import { text, notApplicable, type DocumentModel } from '../model.js';
import type { FormContext } from './common.js';
import { base } from './tcy.js';

function issuing(c: FormContext) {
  return [
    c.section('euIssuing', [c.field('eu.reference', c.references()), c.field('eu.date', text(c.date(c.input.issuedAt))), ...c.authorityFields('requesting', c.input.requesting, true), c.field('eu.validating', c.review())]),
    c.section('euAddressee', c.authorityFields('requested', c.input.addressee, false)),
  ];
}

function deadlinesOf(c: FormContext) {
  const p = c.provision;
  if (!p) return notApplicable;
  const emergency = c.request.emergency.emergency;
  const lines = p.deadlines
    .filter((d) => (emergency ? d.emergency !== 'never' : d.emergency !== 'only'))
    .map((d) => `${c.law(`${p.id}/deadline/${d.id}`, d.description)} (${cite(d.citation, { mark: false })})`);
  return lines.length === 0 ? notApplicable : text(lines.join('\n'));
}

function conditions(c: FormContext) {
  return c.section('euConditions', [
    c.field('offence.offences', c.offences()),
    c.field('eu.criminalLaw', c.content('criminal-law-provisions')),
    c.field('offence.facts', text(c.request.facts), true),
    c.field('eu.caseSummary', c.content('case-summary')),
    c.field('eu.necessity', c.content('necessity-proportionality')),
    c.field('handling.legalBasis', c.legalBasis()),
  ]);
}

function certificate(c: FormContext, form: 'epoc' | 'epoc-pr'): DocumentModel {
  return {
    ...base(c, form),
    sections: [
      ...issuing(c),
      c.section('euDeadlines', [c.field('eu.deadlines', deadlinesOf(c)), c.field('handling.urgency', c.urgency()), c.field('eu.emergencyReasons', c.content('emergency-reasons'))]),
      c.section('euPrevious', [c.field('eu.previous', c.request.references.requested ? text(c.request.references.requested) : notApplicable)]),
      c.section(
        'euData',
        [c.field('data.measures', text(c.measures())), c.field('data.categories', c.categories()), c.field('data.period', c.period()), c.field('data.identifiers', c.identifiersSummary()), c.field('data.relevance', text(c.request.dataSought.relevance))],
        c.identifiersTable(),
      ),
      conditions(c),
      c.section('euNotification', [c.field('eu.enforcing', form === 'epoc' && c.input.detail.measures.some((m) => m === 'traffic-data' || m === 'content-data') ? text(c.t('word.notificationRequired')) : notApplicable)]),
      c.section('euReceive', [c.field('eu.receive', text(`${c.input.requesting.name} — ${c.input.personInCharge.email}`)), c.field('handling.confidentiality', c.confidentiality()), c.field('handling.language', c.language())]),
      c.section('other', [...c.safeguardFields(), ...c.otherContents(['issuing-authority', 'addressee', 'user-identifier', 'data-category', 'time-range', 'criminal-law-provisions', 'emergency-reasons', 'necessity-proportionality', 'case-summary'])]),
    ],
  };
}

export const epoc = (c: FormContext) => certificate(c, 'epoc');
export const epocPr = (c: FormContext) => certificate(c, 'epoc-pr');

/** Annex III: the addressee tells the issuing authority why it cannot execute (Art. 16(1)). */
export function annexIII(c: FormContext): DocumentModel {
  const a = c.input.detail.assessment;
  const p = c.provision;
  const grounds = a?.grounds.filter((g) => g.applies).map((g) => {
    const ground = p?.refusalGrounds.find((r) => r.ground === g.ground);
    const label = ground && p ? `${c.law(`${p.id}/refusal/${ground.ground}`, ground.text)} (${cite(ground.citation, { mark: false })})` : c.t(`ground.${g.ground}`);
    return g.note ? `${label}: ${g.note}` : label;
  });
  return {
    ...base(c, 'eu-annex-iii'),
    sections: [
      c.section('euAddresseeFrom', c.authorityFields('requesting', c.input.addressee, true)),
      c.section('euIssuingTo', c.authorityFields('requested', c.input.requesting, false)),
      c.section('euCertificate', [
        c.field('eu.certificateReference', c.references()),
        c.field('eu.received', c.input.detail.receivedAt ? text(c.instant(c.input.detail.receivedAt)) : notApplicable),
        c.field('handling.legalBasis', c.legalBasis()),
      ]),
      c.section('euImpossibility', [
        c.field('eu.decision', a ? text(c.t(`decision.${a.decision}`)) : notApplicable),
        c.field('eu.grounds', grounds && grounds.length > 0 ? text(grounds.join('\n')) : notApplicable),
        c.field('eu.reasons', text(a?.reasons)),
        c.field('eu.partial', text(a?.partialScope)),
        c.field('eu.conditions', a && a.conditions.length > 0 ? text(a.conditions.join('\n')) : notApplicable),
      ]),
    ],
  };
}

/** Directive 2014/41/EU, Annex A: the European Investigation Order. */
export function eio(c: FormContext): DocumentModel {
  const interception = c.input.detail.measures.includes('interception');
  return {
    ...base(c, 'eio'),
    sections: [
      c.section('eioA', [c.field('eu.reference', c.references()), c.field('eu.date', text(c.date(c.input.issuedAt))), c.field('eio.issuingState', text(c.partyName(c.input.requesting.party))), c.field('eio.executingState', text(c.partyName(c.input.addressee.party))), c.field('requested.organisation', text(c.input.addressee.name))]),
      c.section('eioB', [c.field('handling.urgency', c.urgency()), c.field('eu.deadlines', deadlinesOf(c))]),
      c.section('eioC', [c.field('data.measures', text(c.measures())), c.field('data.categories', c.categories()), c.field('data.period', c.period()), c.field('data.identifiers', c.identifiersSummary()), c.field('eio.evidence', c.content('measures-and-evidence'))], c.identifiersTable()),
      c.section('eioD', [c.field('eio.previous', c.request.references.requested ? text(c.request.references.requested) : notApplicable)]),
      c.section('eioE', [c.field('eio.person', c.content('person-concerned'))]),
      c.section('eioF', [c.field('eio.proceedings', text(c.t('word.criminalProceedings')))]),
      c.section('eioG', [c.field('eio.reasons', c.content('object-and-reasons')), c.field('offence.offences', c.offences()), c.field('offence.facts', text(c.request.facts), true), c.field('handling.legalBasis', c.legalBasis())]),
      c.section('eioH', [
        c.field('eio.interceptionSubject', interception ? c.content('subject-identification') : notApplicable),
        c.field('eio.interceptionDuration', interception ? c.content('duration') : notApplicable),
        c.field('eio.interceptionTarget', interception ? c.content('target-identifier') : notApplicable),
      ]),
      c.section('eioI', [c.field('handling.confidentiality', c.confidentiality()), c.field('handling.language', c.language())]),
      c.section('eioJ', [c.field('eio.remedies', notApplicable)]),
      c.section('eioK', [...c.authorityFields('requesting', c.input.requesting, true)]),
      c.section('eioL', [c.field('eu.validating', c.review())]),
      c.section('other', [...c.safeguardFields(), ...c.otherContents(['issuing-authority', 'object-and-reasons', 'person-concerned', 'offence-and-facts', 'measures-and-evidence', 'subject-identification', 'duration', 'target-identifier'])]),
    ],
  };
}
