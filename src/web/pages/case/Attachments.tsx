/**
 * The files of the response: name, type, size, SHA-256 (to check what was received), who and
 * when, a download link (each download is recorded); and, for the requested side while the case
 * is accepted or being executed, an upload form (a file input read as base64).
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { FieldErrors } from '../../components/Field';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useLocale } from '../../hooks/useLocale';
import { formatBytes, MAX_ATTACHMENT_BYTES } from '../../lib/files';
import type { ApiProblem } from '../../lib/problem';
import { formatDateTime } from '../../lib/time-left';
import type { AttachmentView } from '../../types';
import { uploadFiles, useFileChoice } from './Actions';

export function Attachments({ caseId, items, problem, onRetry, canUpload, onUploaded }: { caseId: string; items: readonly AttachmentView[] | undefined; problem: ApiProblem | undefined; onRetry: () => void; canUpload: boolean; onUploaded: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <section aria-labelledby="attachments-title" data-testid="case-attachments">
      <h2 id="attachments-title">{t('response.attachments.title')}</h2>
      {problem && <ProblemAlert problem={problem} onRetry={onRetry} />}
      {items && items.length === 0 && <p className="muted">{t('response.attachments.none')}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table compact">
            <caption className="visually-hidden">{t('response.attachments.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('response.attachments.name')}</th>
                <th scope="col">{t('response.attachments.type')}</th>
                <th scope="col" className="num">
                  {t('response.attachments.size')}
                </th>
                <th scope="col">{t('response.attachments.sha256')}</th>
                <th scope="col">{t('response.attachments.uploaded')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-testid="attachment-row">
                  <th scope="row">
                    <a href={api.cases.attachmentUrl(caseId, a.id)} download={a.name} data-testid="attachment-download">
                      {a.name}
                    </a>
                  </th>
                  <td>
                    <code>{a.mediaType}</code>
                  </td>
                  <td className="num">{formatBytes(a.size, locale)}</td>
                  <td>
                    <code className="digest" title={a.sha256}>
                      {a.sha256.slice(0, 16)}…
                    </code>
                  </td>
                  <td>
                    <time dateTime={a.uploadedAt}>{formatDateTime(a.uploadedAt, locale)}</time>
                    <span className="block small muted">{a.uploadedBy}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canUpload && <UploadForm caseId={caseId} onUploaded={onUploaded} />}
    </section>
  );
}

function UploadForm({ caseId, onUploaded }: { caseId: string; onUploaded: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const choice = useFileChoice();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [required, setRequired] = useState(false);
  const [inputKey, setInputKey] = useState(0);
  const [done, setDone] = useState<number | null>(null);
  const errors = [...(required ? [t('response.errors.chooseFile')] : []), ...choice.errors];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    if (choice.files.length === 0) {
      setRequired(true);
      document.getElementById('attachments-file')?.focus();
      return;
    }
    if (choice.errors.length > 0) {
      document.getElementById('attachments-file')?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    const failed = await uploadFiles(caseId, choice.files);
    setBusy(false);
    if (failed) {
      setProblem(failed);
      return;
    }
    setDone(choice.files.length);
    choice.setFiles([]);
    setInputKey((k) => k + 1);
    onUploaded();
  };
  return (
    <form className="card upload" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="upload-title">
      <h3 id="upload-title">{t('response.attachments.upload')}</h3>
      <div className="field">
        <label htmlFor="attachments-file">{t('response.files')}</label>
        <p id="attachments-file-hint" className="hint">
          {t('response.filesHint', { max: formatBytes(MAX_ATTACHMENT_BYTES, locale) })}
        </p>
        <input
          key={inputKey}
          id="attachments-file"
          type="file"
          multiple
          data-testid="attachments-file"
          aria-describedby={`attachments-file-hint${errors.length ? ' attachments-file-error' : ''}`}
          aria-invalid={errors.length > 0 || undefined}
          onChange={(e) => {
            setRequired(false);
            choice.setFiles(Array.from(e.target.files ?? []));
          }}
        />
        <FieldErrors id="attachments-file-error" errors={errors} />
      </div>
      {problem && <ProblemAlert problem={problem} />}
      {done !== null && (
        <p role="status" className="small">
          {t('response.attachments.uploadedCount', { count: done })}
        </p>
      )}
      <button type="submit" className="button secondary" disabled={busy} data-testid="attachments-upload">
        {busy ? t('case.actions.working') : t('response.attachments.uploadButton')}
      </button>
    </form>
  );
}
