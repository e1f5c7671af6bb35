/**
 * The wizard and the case page build some i18n keys at run time (events, decisions, identifier
 * types, the messages of lib/request-form.ts and lib/assessment-form.ts, …): every one of them
 * must exist in every language.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CASE_EVENTS } from '../../cases/workflow';
import { DECISIONS, assessmentFormIssues, emptyAssessment } from '../lib/assessment-form';
import { ACTION_KIND } from '../lib/case-actions';
import { emptyIdentifier, identifierIssues, IDENTIFIER_TYPES } from '../lib/identifiers';
import { CONFIDENTIALITY, DATA_CATEGORIES, emptyRequestForm, legalIssues, schemaIssues, WIZARD_STEPS, type RequestForm } from '../lib/request-form';
import { LANGUAGES } from './languages';

type Tree = { [key: string]: string | Tree };

function has(tree: Tree, key: string): boolean {
  let node: string | Tree | undefined = tree;
  const parts = key.split('.');
  for (const [i, part] of parts.entries()) {
    if (typeof node !== 'object') return false;
    const next: string | Tree | undefined = node[part];
    if (next === undefined) return i === parts.length - 1 && (node[`${part}_other`] !== undefined || node[`${part}_one`] !== undefined);
    node = next;
  }
  return typeof node === 'string';
}

/** Messages the wizard's checks can produce, found by running them on broken forms. */
function wizardMessages(): string[] {
  const base = emptyRequestForm('fr-ca');
  const broken: RequestForm[] = [
    base,
    { ...base, facts: 'x'.repeat(20001), relevance: 'x'.repeat(5001), referenceRequesting: 'x'.repeat(201), timeFrom: '2026-11-02', timeTo: '2026-11-01', language: 'english', durationDays: '0', retentionDays: 'x', grounds: 'short', emergency: true, emergencyJustification: 'short' },
    { ...base, offences: [] },
    { ...base, measures: ['preservation'], emergency: true, timeFrom: 'x', offences: [{ category: '', nationalProvision: 'x'.repeat(501), maxPenaltyYears: '-1' }] },
  ];
  const messages = new Set<string>();
  const elements = [{ id: 'necessity', text: 'The necessity.', citation: { instrument: 'ETS185', article: '29', verified: true } }];
  for (const form of broken) {
    for (const issue of [...schemaIssues(form), ...legalIssues(form, elements)]) messages.add(issue.message);
  }
  for (const m of ['basisNotApplicable', 'chooseBasis']) messages.add(m);
  for (const type of IDENTIFIER_TYPES) {
    for (const value of ['', 'x', 'x'.repeat(201)]) for (const i of identifierIssues({ ...emptyIdentifier(type), value, port: 'x', timestamp: 'x', service: type === 'account' ? 'x'.repeat(201) : '' })) messages.add(`identifier.${i.message}`);
  }
  return [...messages];
}

function assessmentMessages(): string[] {
  const grounds = [{ ground: 'essential-interests', text: 'x', effect: 'refuse' as const, citation: { instrument: 'ETS185', article: '29', verified: true } }];
  const messages = new Set<string>();
  const blank = emptyAssessment(grounds);
  for (const decision of ['', ...DECISIONS] as const) {
    for (const i of assessmentFormIssues({ ...blank, decision, reasons: 'x'.repeat(20001), conditions: `x\n${'y\n'.repeat(21)}`, grounds: blank.grounds.map((g) => ({ ...g, note: 'x'.repeat(5001) })) }, grounds)) messages.add(i.message);
    for (const i of assessmentFormIssues({ ...blank, decision }, grounds)) messages.add(i.message);
  }
  return [...messages];
}

describe('run-time i18n keys of the wizard and the case page', () => {
  const keys = [
    ...CASE_EVENTS.map((e) => `case.actions.help.${e}`),
    ...CASE_EVENTS.filter((e) => ACTION_KIND[e] === 'text').map((e) => `case.actions.text.${e}`),
    ...DECISIONS.flatMap((d) => [`assessment.decisions.${d}`, `assessment.decisionHints.${d}`]),
    ...IDENTIFIER_TYPES.flatMap((ty) => [`wizard.identifiers.types.${ty}`, `wizard.identifiers.valueLabel.${ty}`, `wizard.identifiers.valueHint.${ty}`]),
    ...['type', 'value', 'service', 'timestamp', 'port'].map((p) => `wizard.identifiers.parts.${p}`),
    ...['category', 'nationalProvision', 'maxPenaltyYears'].map((p) => `wizard.offences.${p}`),
    ...DATA_CATEGORIES.map((c) => `wizard.categories.${c}`),
    ...CONFIDENTIALITY.map((c) => `wizard.handling.levels.${c}`),
    ...WIZARD_STEPS.map((s) => `wizard.steps.${s}`),
    ...['party-to-party', 'direct-to-provider', '24/7-network', 'central-authority'].map((c) => `wizard.channels.${c}`),
    ...['in-force', 'consented', 'signed', 'none'].map((s) => `wizard.partyStatus.${s}`),
    ...['requestingAuthority', 'addressee', 'legalBasis'].map((f) => `wizard.contents.auto.${f}`),
    ...['days', 'hours'].map((u) => `wizard.basis.period.${u}`),
    ...['running', 'suspended', 'met', 'cancelled', 'informational'].map((s) => `case.clocks.status.${s}`),
    ...['requesting', 'requested', 'system'].map((s) => `case.history.side.${s}`),
    ...['create', 'edit'].map((e) => `case.history.${e}`),
    ...['judge', 'prosecutor', 'independent-authority'].map((r) => `case.review.roles.${r}`),
    ...wizardMessages().map((m) => `wizard.errors.${m}`),
    ...assessmentMessages().map((m) => `assessment.errors.${m}`),
  ];

  it('the checks produce the messages expected', () => {
    assert.ok(wizardMessages().length >= 20);
    assert.ok(assessmentMessages().length >= 8);
  });

  for (const language of LANGUAGES) {
    it(`${language.code}: has every key`, () => {
      const missing = keys.filter((k) => !has(language.resources as unknown as Tree, k));
      assert.deepEqual(missing, []);
    });
  }
});
