/**
 * i18next for the workspace (react-i18next): every UI string comes from the resource files of
 * ./languages.ts. The chosen language is kept in localStorage and set on <html lang dir>.
 * Use `const { t } = useTranslation()` in components; keys are type-checked against en.json.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_LANGUAGE, findLanguage, LANGUAGE_STORAGE_KEY, LANGUAGES, pickLanguage, type Resources } from './languages';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Resources };
  }
}

function storedLanguage(): string | null {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

function applyToDocument(code: string): void {
  const language = findLanguage(code);
  document.documentElement.lang = language?.code ?? code;
  document.documentElement.dir = language?.dir ?? 'ltr';
}

export async function initI18n(): Promise<typeof i18next> {
  const lng = pickLanguage(storedLanguage(), navigator.languages ?? [navigator.language]);
  i18next.on('languageChanged', (code) => {
    applyToDocument(code);
    try {
      window.localStorage.setItem(LANGUAGE_STORAGE_KEY, code);
    } catch {
      // Storage may be disabled: the choice then lasts for this page only.
    }
  });
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: LANGUAGES.map((l) => l.code),
    resources: Object.fromEntries(LANGUAGES.map((l) => [l.code, { translation: l.resources }])),
    interpolation: { escapeValue: false }, // React escapes.
    returnNull: false,
  });
  applyToDocument(i18next.language);
  return i18next;
}

export { i18next, LANGUAGES };
