/**
 * The evidence of the response: items with their SHA-256 (downloads are recorded in the chain
 * of custody), the bundle for a court (ZIP to check offline), the chain of custody as a timeline
 * with names, and — for the requested side while the case is accepted or being executed — an
 * upload of any size with progress, cancel, and the digest once stored.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useLocale } from '../../hooks/useLocale';
import { forgetPending, readPending, ResumeMismatch, resumeEvidence, uploadEvidence, type PendingUpload } from '../../lib/evidence-upload';
import { formatBytes } from '../../lib/files';
import { ApiProblem } from '../../lib/problem';
import { formatDateTime } from '../../lib/time-left';
import type { CustodyRecord, EvidenceItemView } from '../../types';
import { asProblem, type Tx } from './shared';

const CATEGORIES = ['subscriber', 'identification', 'traffic', 'content', 'other'] as const;

export function Evidence(props: { caseId: string; items: readonly EvidenceItemView[] | undefined; custody: readonly CustodyRecord[] | undefined; problem: ApiProblem | undefined; onRetry: () => void; canUpload: boolean; onUploaded: () => void }) {
  const { caseId, items, custody, problem, onRetry, canUpload, onUploaded } = props;
  const { t } = useTranslation();
  const locale = useLocale();
  const present = (items ?? []).filter((i) => i.deletedAt === null);
  return (
    <section aria-labelledby="evidence-title" data-testid="case-evidence">
      <h2 id="evidence-title">{t('evidence.title')}</h2>
      {problem && <ProblemAlert problem={problem} onRetry={onRetry} />}
      {items && items.length === 0 && <p className="muted">{t('evidence.none')}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table compact">
            <caption className="visually-hidden">{t('evidence.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('evidence.name')}</th>
                <th scope="col">{t('evidence.category')}</th>
                <th scope="col" className="num">
                  {t('evidence.size')}
                </th>
                <th scope="col">{t('evidence.sha256')}</th>
                <th scope="col">{t('evidence.received')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} data-testid="evidence-row">
                  <th scope="row">
                    {item.deletedAt === null ? (
                      <a href={api.evidence.contentUrl(caseId, item.id)} download={item.name ?? undefined}>
                        {item.name}
                      </a>
                    ) : (
                      <span className="muted">{t('evidence.deleted', { at: formatDateTime(item.deletedAt, locale) })}</span>
                    )}
                    <span className="block small muted">
                      <code>{item.mediaType}</code> · {item.producer}
                    </span>
                  </th>
                  <td>{(t as unknown as Tx)(`evidence.categories.${item.dataCategory}`)}</td>
                  <td className="num">{formatBytes(item.size, locale)}</td>
                  <td>
                    <code className="digest" title={item.sha256}>
                      {item.sha256.slice(0, 16)}…
                    </code>
                  </td>
                  <td>
                    <time dateTime={item.receivedAt}>{formatDateTime(item.receivedAt, locale)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {present.length > 0 && (
        <p>
          <a className="button secondary" href={api.evidence.exportUrl(caseId)} download data-testid="evidence-export">
            {t('evidence.export')}
          </a>{' '}
          <span className="small muted">{t('evidence.exportHint')}</span>
        </p>
      )}
      {canUpload && <EvidenceUpload caseId={caseId} onUploaded={onUploaded} />}
      <Custody records={custody} />
    </section>
  );
}

function Custody({ records }: { records: readonly CustodyRecord[] | undefined }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!records || records.length === 0) return null;
  return (
    <>
      <h3>{t('evidence.custody.title')}</h3>
      <ol className="timeline" data-testid="custody-timeline">
        {records.map((r) => (
          <li key={r.seq}>
            <strong>{(t as unknown as Tx)(`evidence.custody.events.${r.event}`)}</strong> — <time dateTime={r.at}>{formatDateTime(r.at, locale)}</time>
            <span className="block small">
              {r.actorName}
              {r.authorityName ? ` (${r.authorityName})` : ''}
            </span>
            <span className="block small muted">{t('evidence.custody.signed', { key: r.keyId })}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

/**
 * An upload begun on this browser and interrupted (a reload, a closed tab): the same file chosen
 * again continues from the server's offset once its first bytes are shown to be those the server
 * holds; another file is refused, and nothing is sent.
 */
function ResumeUpload({ pending, offset, onDone, onDiscarded }: { pending: PendingUpload; offset: number; onDone: (item: EvidenceItemView) => void; onDiscarded: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [file, setFile] = useState<File | null>(null);
  const [checking, setChecking] = useState<{ done: number; total: number } | null>(null);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const abort = useRef<AbortController | null>(null);
  const busy = checking !== null || progress !== null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setRefusal(null);
    setProblem(null);
    const controller = new AbortController();
    abort.current = controller;
    try {
      setChecking({ done: 0, total: offset });
      const item = await resumeEvidence(
        pending,
        file,
        (sent, total) => {
          setChecking(null);
          setProgress({ sent, total });
        },
        controller.signal,
        (done, total) => setChecking({ done, total }),
      );
      onDone(item);
    } catch (error) {
      if (error instanceof ResumeMismatch) {
        const size = formatBytes(pending.size, locale);
        setRefusal(
          error.reason === 'name'
            ? t('evidence.upload.resumeWrongName', { name: pending.name })
            : error.reason === 'size'
              ? t('evidence.upload.resumeWrongSize', { name: pending.name, size })
              : error.message === 'busy'
                ? t('evidence.upload.resumeBusy')
                : t('evidence.upload.resumeWrongContent', { name: pending.name, size: formatBytes(Number(error.message), locale) }),
        );
      } else if (controller.signal.aborted) onDiscarded();
      else if (error instanceof ApiProblem && error.status === 404) {
        forgetPending(pending.caseId);
        onDiscarded();
      } else setProblem(asProblem(error));
    } finally {
      abort.current = null;
      setChecking(null);
      setProgress(null);
    }
  };

  const discard = async () => {
    setRefusal(null);
    await api.evidence.cancel(pending.caseId, pending.uploadId).catch(() => undefined);
    forgetPending(pending.caseId);
    onDiscarded();
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="stack" data-testid="evidence-resume">
      <h3>{t('evidence.upload.resumeTitle')}</h3>
      <p>{t('evidence.upload.interrupted', { name: pending.name, sent: formatBytes(offset, locale), total: formatBytes(pending.size, locale) })}</p>
      <label>
        {t('evidence.upload.resumeFile', { name: pending.name })}
        <input type="file" onChange={(e) => (setFile(e.target.files?.[0] ?? null), setRefusal(null))} required disabled={busy} />
      </label>
      {refusal && (
        <p className="alert alert-error" role="alert" data-testid="evidence-resume-refused">
          {refusal}
        </p>
      )}
      {problem && <ProblemAlert problem={problem} />}
      {checking && (
        <p role="status">
          {t('evidence.upload.checking', { done: formatBytes(checking.done, locale), total: formatBytes(checking.total, locale) })}
        </p>
      )}
      {progress && <UploadProgress progress={progress} onCancel={() => abort.current?.abort()} />}
      <p>
        <button type="submit" disabled={busy}>
          {t('evidence.upload.resume')}
        </button>{' '}
        <button type="button" className="secondary" disabled={busy} onClick={() => void discard()}>
          {t('evidence.upload.discard')}
        </button>
      </p>
    </form>
  );
}

/** Bytes sent of an upload, with its Cancel button. */
function UploadProgress({ progress, onCancel }: { progress: { sent: number; total: number }; onCancel: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <p role="status">
      <progress max={progress.total || 1} value={progress.sent} aria-label={t('evidence.upload.progress')} /> {formatBytes(progress.sent, locale)} / {formatBytes(progress.total, locale)}{' '}
      <button type="button" className="secondary" onClick={onCancel}>
        {t('evidence.upload.cancel')}
      </button>
    </p>
  );
}

function EvidenceUpload({ caseId, onUploaded }: { caseId: string; onUploaded: () => void }) {
  const { t } = useTranslation();
  const [pending, setPending] = useState<{ upload: PendingUpload; offset: number } | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [producer, setProducer] = useState('');
  const [category, setCategory] = useState<string>('content');
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [stored, setStored] = useState<EvidenceItemView | null>(null);
  const abort = useRef<AbortController | null>(null);

  // An upload this browser began and did not finish: still on the server? Then offer to resume it.
  useEffect(() => {
    const remembered = readPending(caseId);
    if (!remembered) return;
    const controller = new AbortController();
    api.evidence.status(caseId, remembered.uploadId, controller.signal).then(
      (status) => setPending({ upload: remembered, offset: status.offset }),
      (error: unknown) => {
        // Gone (expired, cancelled elsewhere, another authority's): forget it.
        if (error instanceof ApiProblem && error.status === 404) forgetPending(caseId);
      },
    );
    return () => controller.abort();
  }, [caseId]);

  if (pending) {
    return (
      <ResumeUpload
        pending={pending.upload}
        offset={pending.offset}
        onDone={(item) => {
          setPending(null);
          setStored(item);
          onUploaded();
        }}
        onDiscarded={() => setPending(null)}
      />
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || producer.trim() === '') return;
    setProblem(null);
    setStored(null);
    const controller = new AbortController();
    abort.current = controller;
    try {
      const item = await uploadEvidence(caseId, file, { name: file.name, dataCategory: category, producer: producer.trim() }, (sent, total) => setProgress({ sent, total }), controller.signal);
      setStored(item);
      onUploaded();
    } catch (error) {
      if (!controller.signal.aborted) setProblem(asProblem(error));
    } finally {
      abort.current = null;
      setProgress(null);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="stack" data-testid="evidence-upload">
      <h3>{t('evidence.upload.title')}</h3>
      <label>
        {t('evidence.upload.file')}
        <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
      </label>
      <label>
        {t('evidence.upload.producer')}
        <input type="text" value={producer} onChange={(e) => setProducer(e.target.value)} required maxLength={200} />
      </label>
      <label>
        {t('evidence.category')}
        <select value={category} onChange={(e) => setCategory(e.target.value)}>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`evidence.categories.${c}`)}
            </option>
          ))}
        </select>
      </label>
      {problem && <ProblemAlert problem={problem} />}
      {progress && <UploadProgress progress={progress} onCancel={() => abort.current?.abort()} />}
      {stored && (
        <p role="status" data-testid="evidence-stored">
          {t('evidence.upload.stored', { name: stored.name ?? '' })} <code className="digest">{stored.sha256}</code>
        </p>
      )}
      <button type="submit" disabled={progress !== null}>
        {t('evidence.upload.submit')}
      </button>
    </form>
  );
}
