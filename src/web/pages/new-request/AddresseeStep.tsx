/** Step 1 of the wizard: the requested authority, the measures, the emergency and its justification. */
import { useTranslation } from 'react-i18next';
import type { Authority } from '../../types';
import { CheckboxField, FieldErrors, SelectField, TextArea } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { measureLabel } from '../../i18n/labels';
import { fieldId, isCoercive, MEASURES, type RequestForm } from '../../lib/request-form';
import type { FieldHelpers } from './shared';

interface Props extends FieldHelpers {
  form: RequestForm;
  update: (changes: Partial<RequestForm>) => void;
  authorities: readonly Authority[];
  ownAuthorityId: string | undefined;
}

export function AddresseeStep({ form, update, authorities, ownAuthorityId, errorsOf, touch }: Props) {
  const { t } = useTranslation();
  const addressee = authorities.find((a) => a.id === form.addressee);
  const coercive = isCoercive(form.measures);
  return (
    <>
      <SelectField id={fieldId('addressee')} label={t('wizard.addressee.label')} hint={t('wizard.addressee.hint')} requiredText={t('wizard.required')} required value={form.addressee} onChange={(v) => update({ addressee: v, legalBasis: '' })} onBlur={touch('addressee')} errors={errorsOf('addressee')} testId="wizard-addressee">
        <option value="">{t('wizard.addressee.choose')}</option>
        {authorities
          .filter((a) => a.id !== ownAuthorityId)
          .map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.party})
            </option>
          ))}
      </SelectField>
      {addressee && (
        <p className="small muted" data-testid="wizard-addressee-details">
          {t('wizard.addressee.details', { party: addressee.party, zone: addressee.timeZone, languages: addressee.languages.join(', ') })}
        </p>
      )}
      <fieldset id={fieldId('measures')} tabIndex={-1} className="choices" aria-describedby={errorsOf('measures').length ? `${fieldId('measures')}-error` : undefined}>
        <legend>
          {t('wizard.measures.legend')} <span className="muted small">({t('wizard.required')})</span>
        </legend>
        <p className="hint">{t('wizard.measures.hint')}</p>
        <div className="choice-grid">
          {MEASURES.map((m) => (
            <CheckboxField
              key={m}
              id={`measure-${m}`}
              testId={`wizard-measure-${m}`}
              label={measureLabel(t, m)}
              checked={form.measures.includes(m)}
              onChange={(on) => update({ measures: on ? MEASURES.filter((x) => x === m || form.measures.includes(x)) : form.measures.filter((x) => x !== m), legalBasis: '' })}
            />
          ))}
        </div>
        {coercive && (
          <p className="hint">
            <Icon name="info" /> {t('wizard.measures.coercive')}
          </p>
        )}
        <FieldErrors id={`${fieldId('measures')}-error`} errors={errorsOf('measures')} />
      </fieldset>
      <fieldset className="choices">
        <legend>{t('wizard.emergency.legend')}</legend>
        <CheckboxField id={fieldId('emergency.emergency')} testId="wizard-emergency" label={t('wizard.emergency.flag')} hint={t('wizard.emergency.hint')} checked={form.emergency} onChange={(on) => update({ emergency: on, legalBasis: '' })} />
        {form.emergency && (
          <TextArea id={fieldId('emergency.justification')} testId="wizard-emergency-justification" label={t('wizard.emergency.justification')} hint={t('wizard.emergency.justificationHint')} requiredText={t('wizard.required')} required value={form.emergencyJustification} onChange={(v) => update({ emergencyJustification: v })} onBlur={touch('emergency.justification')} errors={errorsOf('emergency.justification')} />
        )}
      </fieldset>
    </>
  );
}
