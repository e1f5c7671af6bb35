/** Step 4 of the wizard: the safeguards (required for coercive measures, Budapest Art. 15). */
import { useTranslation } from 'react-i18next';
import { TextArea, TextField } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { fieldId, isCoercive, type RequestForm } from '../../lib/request-form';
import type { FieldHelpers } from './shared';

interface Props extends FieldHelpers {
  form: RequestForm;
  update: (changes: Partial<RequestForm>) => void;
}

export function SafeguardsStep({ form, update, errorsOf, touch }: Props) {
  const { t } = useTranslation();
  const coercive = isCoercive(form.measures);
  return (
    <fieldset className="choices">
      <legend>{t('wizard.safeguards.legend')}</legend>
      <p className="hint">
        <Icon name="info" /> {coercive ? t('wizard.safeguards.requiredHint') : t('wizard.safeguards.optionalHint')}
      </p>
      <TextArea id={fieldId('safeguards.grounds')} testId="wizard-safeguards-grounds" label={t('wizard.safeguards.grounds')} hint={t('wizard.safeguards.groundsHint')} requiredText={coercive ? t('wizard.required') : t('wizard.optional')} required={coercive} value={form.grounds} onChange={(v) => update({ grounds: v })} onBlur={touch('safeguards.grounds')} errors={errorsOf('safeguards.grounds')} />
      <TextArea id={fieldId('safeguards.proportionality')} testId="wizard-safeguards-proportionality" label={t('wizard.safeguards.proportionality')} hint={t('wizard.safeguards.proportionalityHint')} requiredText={coercive ? t('wizard.required') : t('wizard.optional')} required={coercive} value={form.proportionality} onChange={(v) => update({ proportionality: v })} onBlur={touch('safeguards.proportionality')} errors={errorsOf('safeguards.proportionality')} />
      <TextArea id={fieldId('safeguards.scope')} testId="wizard-safeguards-scope" label={t('wizard.safeguards.scope')} hint={t('wizard.safeguards.scopeHint')} requiredText={t('wizard.optional')} value={form.scope} onChange={(v) => update({ scope: v })} onBlur={touch('safeguards.scope')} errors={errorsOf('safeguards.scope')} rows={2} />
      <TextField id={fieldId('safeguards.durationDays')} testId="wizard-safeguards-duration" type="number" inputMode="numeric" min={1} max={3650} label={t('wizard.safeguards.durationDays')} hint={t('wizard.safeguards.durationHint')} requiredText={coercive ? t('wizard.required') : t('wizard.optional')} required={coercive} value={form.durationDays} onChange={(v) => update({ durationDays: v })} onBlur={touch('safeguards.durationDays')} errors={errorsOf('safeguards.durationDays')} className="narrow" />
    </fieldset>
  );
}
