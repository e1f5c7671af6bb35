/** The locale to format dates and numbers with (see formattingLocale in i18n/languages.ts). */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formattingLocale } from '../i18n/languages';

export function useLocale(): string {
  const { i18n } = useTranslation();
  const language = i18n.language;
  return useMemo(() => formattingLocale(language, typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language])), [language]);
}
