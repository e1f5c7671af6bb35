/** The language switch: a labelled <select> of the languages in i18n/languages.ts. */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { findLanguage, LANGUAGES } from '../i18n/languages';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const current = findLanguage(i18n.language)?.code ?? i18n.language;
  return (
    <div className="language-switch">
      <label htmlFor={id}>{t('header.language')}</label>
      <select id={id} value={current} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}
