/** One typed identifier of the data sought (e-mail, phone, account, IP address with its time). */
import { useTranslation } from 'react-i18next';
import { SelectField, TextField } from '../../components/Field';
import { IDENTIFIER_TYPES, type IdentifierForm, type IdentifierType } from '../../lib/identifiers';
import { fieldId } from '../../lib/request-form';
import type { Tx } from './shared';

export function IdentifierRow({
  index,
  value,
  onChange,
  onRemove,
  canRemove,
  errorsOf,
  touch,
}: {
  index: number;
  value: IdentifierForm;
  onChange: (value: IdentifierForm) => void;
  onRemove: () => void;
  canRemove: boolean;
  errorsOf: (field: string) => string[];
  touch: (field: string) => () => void;
}) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const base = `dataSought.identifiers.${index}`;
  const type = value.type;
  return (
    <fieldset className="repeat" data-testid={`wizard-identifier-${index}`}>
      <legend>{t('wizard.identifiers.item', { n: index + 1 })}</legend>
      <div className="field-row">
        <SelectField id={fieldId(`${base}.type`)} testId={`wizard-identifier-${index}-type`} label={t('wizard.identifiers.parts.type')} value={type} onChange={(v) => onChange({ ...value, type: v as IdentifierType })}>
          {IDENTIFIER_TYPES.map((ty) => (
            <option key={ty} value={ty}>
              {tx(`wizard.identifiers.types.${ty}`)}
            </option>
          ))}
        </SelectField>
        <TextField id={fieldId(`${base}.value`)} testId={`wizard-identifier-${index}-value`} label={tx(`wizard.identifiers.valueLabel.${type}`)} hint={tx(`wizard.identifiers.valueHint.${type}`)} value={value.value} onChange={(v) => onChange({ ...value, value: v })} onBlur={touch(`${base}.value`)} errors={errorsOf(`${base}.value`)} type={type === 'email' ? 'email' : type === 'phone' ? 'tel' : 'text'} />
      </div>
      {type === 'account' && (
        <TextField id={fieldId(`${base}.service`)} testId={`wizard-identifier-${index}-service`} label={t('wizard.identifiers.parts.service')} hint={t('wizard.identifiers.serviceHint')} value={value.service} onChange={(v) => onChange({ ...value, service: v })} onBlur={touch(`${base}.service`)} errors={errorsOf(`${base}.service`)} />
      )}
      {type === 'ip' && (
        <div className="field-row">
          <TextField id={fieldId(`${base}.timestamp`)} testId={`wizard-identifier-${index}-timestamp`} label={t('wizard.identifiers.parts.timestamp')} hint={t('wizard.identifiers.timestampHint')} value={value.timestamp} onChange={(v) => onChange({ ...value, timestamp: v })} onBlur={touch(`${base}.timestamp`)} errors={errorsOf(`${base}.timestamp`)} placeholder="2026-11-04T21:13:07Z" />
          <TextField id={fieldId(`${base}.port`)} testId={`wizard-identifier-${index}-port`} type="number" inputMode="numeric" min={0} max={65535} label={t('wizard.identifiers.parts.port')} hint={t('wizard.identifiers.portHint')} requiredText={t('wizard.optional')} value={value.port} onChange={(v) => onChange({ ...value, port: v })} onBlur={touch(`${base}.port`)} errors={errorsOf(`${base}.port`)} className="narrow" />
        </div>
      )}
      {canRemove && (
        <button type="button" className="button secondary" onClick={onRemove}>
          {t('wizard.identifiers.remove', { n: index + 1 })}
        </button>
      )}
    </fieldset>
  );
}
