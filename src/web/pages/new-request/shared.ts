/** What the wizard's steps share: the i18n lookup type, the field labels of the error summary. */
import type { FormIssue } from '../../lib/request-form';

/** i18n lookups with keys built at run time (messages of lib/ modules). */
export type Tx = (key: string, values?: Record<string, unknown>) => string;

/** A field's errors, already translated, and the handler that marks it touched. */
export interface FieldHelpers {
  errorsOf: (field: string) => string[];
  touch: (field: string) => () => void;
}

export function dedupe(issues: FormIssue[]): FormIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.field}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** i18n keys of the form's fields, for the error summary. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  addressee: 'wizard.addressee.label',
  measures: 'wizard.measures.legend',
  'emergency.justification': 'wizard.emergency.justification',
  legalBasis: 'wizard.basis.legend',
  offences: 'wizard.offences.legend',
  facts: 'wizard.facts.label',
  'dataSought.identifiers': 'wizard.identifiers.legend',
  'dataSought.categories': 'wizard.categories.legend',
  'dataSought.timeRange.from': 'wizard.timeRange.from',
  'dataSought.timeRange.to': 'wizard.timeRange.to',
  'dataSought.relevance': 'wizard.relevance.label',
  confidentiality: 'wizard.handling.confidentiality',
  language: 'wizard.handling.language',
  'translation.language': 'wizard.handling.translationLanguage',
  'references.requesting': 'wizard.references.requesting',
  'references.requested': 'wizard.references.requested',
  'references.follows': 'wizard.references.follows',
  'safeguards.grounds': 'wizard.safeguards.grounds',
  'safeguards.proportionality': 'wizard.safeguards.proportionality',
  'safeguards.scope': 'wizard.safeguards.scope',
  'safeguards.durationDays': 'wizard.safeguards.durationDays',
  'dataProtection.purpose': 'wizard.dataProtection.purpose',
  'dataProtection.retentionDays': 'wizard.dataProtection.retentionDays',
};
