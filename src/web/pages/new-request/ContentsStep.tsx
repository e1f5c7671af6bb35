/** Step 3 of the wizard: the contents the chosen basis requires, structured or in free text. */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Cite } from '../../components/Citation';
import { focusWhenPresent } from '../../components/ErrorSummary';
import { CheckboxField, FieldErrors, SelectField, TextArea, TextField } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { citeText, type ApplicableBasis, type OffenceCategory } from '../../lib/bases';
import { emptyIdentifier, type IdentifierForm } from '../../lib/identifiers';
import { ANSWERED_BY, CONFIDENTIALITY, contentPlan, DATA_CATEGORIES, emptyOffence, fieldId, toRequest, type OffenceForm, type RequestForm } from '../../lib/request-form';
import { IdentifierRow } from './IdentifierRow';
import { FIELD_LABELS, type Tx } from './shared';


interface ContentsProps {
  form: RequestForm;
  update: (changes: Partial<RequestForm>) => void;
  errorsOf: (field: string) => string[];
  touch: (field: string) => () => void;
  basis: ApplicableBasis | null;
  offences: OffenceCategory[];
  addresseeLanguages: string[];
}

export function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="form-section" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

export function ContentsStep({ form, update, errorsOf, touch, basis, offences, addresseeLanguages }: ContentsProps) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const request = toRequest(form);
  const plan = basis ? contentPlan(basis.requiredContents) : null;
  const languages = [...new Set([...addresseeLanguages, 'en', 'fr', 'de', 'es', 'it', 'ja'])];
  const setOffence = (i: number, changes: Partial<OffenceForm>) => update({ offences: form.offences.map((o, j) => (j === i ? { ...o, ...changes } : o)) });
  const setIdentifier = (i: number, value: IdentifierForm) => update({ identifiers: form.identifiers.map((x, j) => (j === i ? value : x)) });
  const req = t('wizard.required');
  const opt = t('wizard.optional');

  return (
    <>
      <Section id="sec-contents" title={t('wizard.contents.title')}>
        {!basis ? (
          <p className="alert alert-error">
            <Icon name="warning" /> {t('wizard.contents.noBasis')}
          </p>
        ) : (
          <>
            <p className="hint">{t('wizard.contents.hint', { basis: `${basis.title} (${citeText(basis.citation)})` })}</p>
            <ul className="plain-list contents-checklist" data-testid="wizard-contents">
              {plan?.structured.map(({ element, fields }) => {
                const answered = ANSWERED_BY[element.id]?.answered(request) ?? false;
                const first = fields[0] as string;
                return (
                  <li key={element.id} className="content-line" data-testid={`wizard-content-${element.id}`} data-answered={answered}>
                    <p>
                      {answered ? <Icon name="check" /> : <Icon name="warning" />} <strong>{element.text}</strong> <Cite citation={element.citation} />
                      {element.optional ? <span className="muted small"> ({opt})</span> : null}
                    </p>
                    <p className="small">
                      {answered ? t('wizard.contents.answered') : t('wizard.contents.notAnswered')}{' '}
                      {first === 'requestingAuthority' || first === 'addressee' || first === 'legalBasis' ? (
                        tx(`wizard.contents.auto.${first}`)
                      ) : (
                        <a
                          href={`#${fieldId(first)}`}
                          onClick={(e) => {
                            e.preventDefault();
                            focusWhenPresent(fieldId(first));
                          }}
                        >
                          {t('wizard.contents.answeredBy', { field: fields.map((f) => tx(FIELD_LABELS[f] ?? f)).join(' + ') })}
                        </a>
                      )}
                    </p>
                  </li>
                );
              })}
              {plan?.freeText.map((element) => (
                <li key={element.id} className="content-line" data-testid={`wizard-content-${element.id}`}>
                  <TextArea
                    id={fieldId(`contents.${element.id}`)}
                    testId={`wizard-contents-${element.id}`}
                    label={
                      <>
                        {element.text} <Cite citation={element.citation} />
                      </>
                    }
                    requiredText={element.optional ? opt : req}
                    required={!element.optional}
                    value={form.contents[element.id] ?? ''}
                    onChange={(v) => update({ contents: { ...form.contents, [element.id]: v } })}
                    onBlur={touch(`contents.${element.id}`)}
                    errors={errorsOf(`contents.${element.id}`)}
                    rows={3}
                  />
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>

      <Section id="sec-offences" title={t('wizard.offences.legend')}>
        <fieldset id={fieldId('offences')} tabIndex={-1} className="choices">
          <legend className="visually-hidden">{t('wizard.offences.legend')}</legend>
          <FieldErrors id={`${fieldId('offences')}-error`} errors={errorsOf('offences')} />
          {form.offences.map((o, i) => (
            <fieldset key={i} className="repeat" data-testid={`wizard-offence-${i}`}>
              <legend>{t('wizard.offences.item', { n: i + 1 })}</legend>
              <SelectField id={fieldId(`offences.${i}.category`)} testId={`wizard-offence-${i}-category`} label={t('wizard.offences.category')} hint={t('wizard.offences.categoryHint')} requiredText={req} required value={o.category} onChange={(v) => setOffence(i, { category: v })} onBlur={touch(`offences.${i}.category`)} errors={errorsOf(`offences.${i}.category`)}>
                <option value="">{t('wizard.offences.choose')}</option>
                {offences.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </SelectField>
              <TextField id={fieldId(`offences.${i}.nationalProvision`)} testId={`wizard-offence-${i}-provision`} label={t('wizard.offences.nationalProvision')} hint={t('wizard.offences.nationalProvisionHint')} requiredText={req} required value={o.nationalProvision} onChange={(v) => setOffence(i, { nationalProvision: v })} onBlur={touch(`offences.${i}.nationalProvision`)} errors={errorsOf(`offences.${i}.nationalProvision`)} />
              <TextField id={fieldId(`offences.${i}.maxPenaltyYears`)} testId={`wizard-offence-${i}-penalty`} type="number" inputMode="decimal" min={0} max={100} step="any" label={t('wizard.offences.maxPenaltyYears')} hint={t('wizard.offences.maxPenaltyHint')} requiredText={opt} value={o.maxPenaltyYears} onChange={(v) => setOffence(i, { maxPenaltyYears: v })} onBlur={touch(`offences.${i}.maxPenaltyYears`)} errors={errorsOf(`offences.${i}.maxPenaltyYears`)} className="narrow" />
              {form.offences.length > 1 && (
                <button type="button" className="button secondary" onClick={() => update({ offences: form.offences.filter((_, j) => j !== i) })}>
                  {t('wizard.offences.remove', { n: i + 1 })}
                </button>
              )}
            </fieldset>
          ))}
          {form.offences.length < 20 && (
            <button type="button" className="button secondary" onClick={() => update({ offences: [...form.offences, emptyOffence()] })} data-testid="wizard-add-offence">
              {t('wizard.offences.add')}
            </button>
          )}
        </fieldset>
      </Section>

      <Section id="sec-facts" title={t('wizard.facts.label')}>
        <TextArea id={fieldId('facts')} testId="wizard-facts" label={t('wizard.facts.label')} hint={t('wizard.facts.hint')} requiredText={req} required value={form.facts} onChange={(v) => update({ facts: v })} onBlur={touch('facts')} errors={errorsOf('facts')} rows={6} />
      </Section>

      <Section id="sec-data" title={t('wizard.data.title')}>
        <fieldset id={fieldId('dataSought.identifiers')} tabIndex={-1} className="choices">
          <legend>{t('wizard.identifiers.legend')}</legend>
          <p className="hint">{t('wizard.identifiers.hint')}</p>
          <FieldErrors id={`${fieldId('dataSought.identifiers')}-error`} errors={errorsOf('dataSought.identifiers')} />
          {form.identifiers.map((value, i) => (
            <IdentifierRow key={i} index={i} value={value} onChange={(v) => setIdentifier(i, v)} onRemove={() => update({ identifiers: form.identifiers.filter((_, j) => j !== i) })} canRemove={form.identifiers.length > 1} errorsOf={errorsOf} touch={touch} />
          ))}
          <button type="button" className="button secondary" onClick={() => update({ identifiers: [...form.identifiers, emptyIdentifier(form.identifiers.at(-1)?.type ?? 'email')] })} data-testid="wizard-add-identifier">
            {t('wizard.identifiers.add')}
          </button>
        </fieldset>

        <fieldset id={fieldId('dataSought.categories')} tabIndex={-1} className="choices">
          <legend>{t('wizard.categories.legend')}</legend>
          <div className="choice-grid">
            {DATA_CATEGORIES.map((c) => (
              <CheckboxField key={c} id={`category-${c}`} testId={`wizard-category-${c}`} label={tx(`wizard.categories.${c}`)} checked={form.categories.includes(c)} onChange={(on) => update({ categories: on ? DATA_CATEGORIES.filter((x) => x === c || form.categories.includes(x)) : form.categories.filter((x) => x !== c) })} />
            ))}
          </div>
          <FieldErrors id={`${fieldId('dataSought.categories')}-error`} errors={errorsOf('dataSought.categories')} />
        </fieldset>

        <fieldset className="choices">
          <legend>{t('wizard.timeRange.legend')}</legend>
          <p className="hint">{t('wizard.timeRange.hint')}</p>
          <div className="field-row">
            <TextField id={fieldId('dataSought.timeRange.from')} testId="wizard-time-from" type="date" label={t('wizard.timeRange.from')} value={form.timeFrom} onChange={(v) => update({ timeFrom: v })} onBlur={touch('dataSought.timeRange.from')} errors={errorsOf('dataSought.timeRange.from')} />
            <TextField id={fieldId('dataSought.timeRange.to')} testId="wizard-time-to" type="date" label={t('wizard.timeRange.to')} value={form.timeTo} onChange={(v) => update({ timeTo: v })} onBlur={touch('dataSought.timeRange.to')} errors={errorsOf('dataSought.timeRange.to')} />
          </div>
        </fieldset>

        <TextArea id={fieldId('dataSought.relevance')} testId="wizard-relevance" label={t('wizard.relevance.label')} hint={t('wizard.relevance.hint')} requiredText={opt} value={form.relevance} onChange={(v) => update({ relevance: v })} onBlur={touch('dataSought.relevance')} errors={errorsOf('dataSought.relevance')} rows={3} />
      </Section>

      <Section id="sec-handling" title={t('wizard.handling.title')}>
        <SelectField id={fieldId('confidentiality')} testId="wizard-confidentiality" label={t('wizard.handling.confidentiality')} value={form.confidentiality} onChange={(v) => update({ confidentiality: v as RequestForm['confidentiality'] })}>
          {CONFIDENTIALITY.map((c) => (
            <option key={c} value={c}>
              {tx(`wizard.handling.levels.${c}`)}
            </option>
          ))}
        </SelectField>
        <SelectField id={fieldId('language')} testId="wizard-language" label={t('wizard.handling.language')} hint={t('wizard.handling.languageHint', { languages: addresseeLanguages.join(', ') || '—' })} value={form.language} onChange={(v) => update({ language: v })} errors={errorsOf('language')}>
          {[...new Set([form.language, ...languages])].filter(Boolean).map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </SelectField>
        <CheckboxField id={fieldId('translation.required')} testId="wizard-translation" label={t('wizard.handling.translationRequired')} checked={form.translationRequired} onChange={(on) => update({ translationRequired: on })} />
        {form.translationRequired && (
          <TextField id={fieldId('translation.language')} testId="wizard-translation-language" label={t('wizard.handling.translationLanguage')} hint={t('wizard.handling.translationLanguageHint')} requiredText={opt} value={form.translationLanguage} onChange={(v) => update({ translationLanguage: v })} onBlur={touch('translation.language')} errors={errorsOf('translation.language')} className="narrow" />
        )}
      </Section>

      <Section id="sec-references" title={t('wizard.references.title')}>
        <div className="field-row">
          <TextField id={fieldId('references.requesting')} testId="wizard-reference" label={t('wizard.references.requesting')} hint={t('wizard.references.requestingHint')} requiredText={req} required value={form.referenceRequesting} onChange={(v) => update({ referenceRequesting: v })} onBlur={touch('references.requesting')} errors={errorsOf('references.requesting')} />
          <TextField id={fieldId('references.follows')} testId="wizard-reference-follows" label={t('wizard.references.follows')} hint={t('wizard.references.followsHint')} requiredText={opt} value={form.referenceFollows} onChange={(v) => update({ referenceFollows: v })} onBlur={touch('references.follows')} errors={errorsOf('references.follows')} />
          <TextField id={fieldId('references.requested')} testId="wizard-reference-requested" label={t('wizard.references.requested')} requiredText={opt} value={form.referenceRequested} onChange={(v) => update({ referenceRequested: v })} onBlur={touch('references.requested')} errors={errorsOf('references.requested')} />
        </div>
      </Section>

      <Section id="sec-protection" title={t('wizard.dataProtection.title')}>
        <TextArea id={fieldId('dataProtection.purpose')} testId="wizard-purpose" label={t('wizard.dataProtection.purpose')} hint={t('wizard.dataProtection.purposeHint')} requiredText={req} required value={form.purpose} onChange={(v) => update({ purpose: v })} onBlur={touch('dataProtection.purpose')} errors={errorsOf('dataProtection.purpose')} rows={2} />
        <TextField id={fieldId('dataProtection.retentionDays')} testId="wizard-retention" type="number" inputMode="numeric" min={1} max={3650} label={t('wizard.dataProtection.retentionDays')} hint={t('wizard.dataProtection.retentionHint')} requiredText={req} required value={form.retentionDays} onChange={(v) => update({ retentionDays: v })} onBlur={touch('dataProtection.retentionDays')} errors={errorsOf('dataProtection.retentionDays')} className="narrow" />
      </Section>
    </>
  );
}
