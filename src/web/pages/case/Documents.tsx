/**
 * The case's formal documents: the official form for its legal basis (T-CY template, EPOC,
 * EPOC-PR, EIO, or a formal letter; Annex III for the addressee once assessed) in a language of
 * the reader's choice — by default the request's, whatever the interface language. The server
 * signs it when the reader issues it for the issuing authority; anyone else gets a marked copy.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { answerFormsFor, DOCUMENT_LANGUAGES, requestFormsFor } from '../../../documents/forms-for';
import type { CaseDetail } from '../../types';
import type { Tx } from './shared';

export function Documents({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const forms = [...requestFormsFor(c.legalBasis), ...answerFormsFor(c.legalBasis, c.assessment !== null)];
  const requestLanguage = (c.request as { language?: string } | null)?.language ?? 'en';
  const [form, setForm] = useState<string>(forms[0] ?? 'letter');
  const [language, setLanguage] = useState<string>((DOCUMENT_LANGUAGES as readonly string[]).includes(requestLanguage) ? requestLanguage : 'en');
  if (c.request === null) return null;
  const href = `${api.cases.pdfUrl(c.id)}?form=${encodeURIComponent(form)}&language=${encodeURIComponent(language)}`;
  return (
    <section aria-labelledby="documents-title" data-testid="case-documents">
      <h2 id="documents-title">{t('documents.title')}</h2>
      <p className="small">{t('documents.hint')}</p>
      <div className="document-choice">
        <label htmlFor="document-form">{t('documents.form')}</label>
        <select id="document-form" data-testid="document-form" value={form} onChange={(e) => setForm(e.target.value)}>
          {forms.map((f) => (
            <option key={f} value={f}>
              {tx(`documents.forms.${f}`)}
            </option>
          ))}
        </select>
        <label htmlFor="document-language">{t('documents.language')}</label>
        <select id="document-language" data-testid="document-language" value={language} onChange={(e) => setLanguage(e.target.value)}>
          {DOCUMENT_LANGUAGES.map((l) => (
            <option key={l} value={l} lang={l}>
              {tx(`documents.languages.${l}`)}
            </option>
          ))}
        </select>
        <a className="button secondary" href={href} download={`${c.reference}-${form}-${language}.pdf`} data-testid="document-download">
          {t('documents.download')}
        </a>
      </div>
    </section>
  );
}
