/**
 * The node's transparency log for auditors and administrators: origin and verifier key, the
 * latest signed checkpoint, open incidents (the node refuses to sign), and the result of the
 * last full verification (`comity ledger verify`).
 */
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import { formatDateTime } from '../lib/time-left';

export default function LedgerPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const status = useApi((signal) => api.ledger(signal), []);
  const s = status.data;
  return (
    <>
      <PageTitle>{t('ledger.title')}</PageTitle>
      <p className="lead">{t('ledger.intro')}</p>
      {status.problem && <ProblemAlert problem={status.problem} onRetry={status.reload} />}
      {!s && !status.problem && <Loading />}
      {s && (
        <div data-testid="ledger-status">
          {s.incidents.length > 0 && (
            <div className="alert error" role="alert">
              <strong>{t('ledger.refusing')}</strong>
              <ul>
                {s.incidents.map((i) => (
                  <li key={i.id}>
                    <time dateTime={i.raisedAt}>{formatDateTime(i.raisedAt, locale)}</time>: {i.reason}
                  </li>
                ))}
              </ul>
              <p className="small">{t('ledger.resolveHint')}</p>
            </div>
          )}
          <dl className="facts">
            <dt>{t('ledger.origin')}</dt>
            <dd>
              <code>{s.origin}</code>
            </dd>
            <dt>{t('ledger.key')}</dt>
            <dd>
              <code className="digest">{s.verifierKey}</code>
            </dd>
            <dt>{t('ledger.size')}</dt>
            <dd>{s.treeSize}</dd>
            <dt>{t('ledger.checkpoint')}</dt>
            <dd data-testid="ledger-checkpoint">
              {s.checkpoint === null ? (
                t('ledger.noCheckpoint')
              ) : (
                <>
                  {t('ledger.checkpointOf', { size: s.checkpoint.size })} · <time dateTime={s.checkpoint.signedAt}>{formatDateTime(s.checkpoint.signedAt, locale)}</time>
                  <pre className="small">{s.checkpoint.note}</pre>
                </>
              )}
            </dd>
            <dt>{t('ledger.verification')}</dt>
            <dd data-testid="ledger-verification">
              {s.lastVerification === null ? (
                t('ledger.neverVerified')
              ) : (
                <>
                  <strong className={s.lastVerification.ok ? 'ok' : 'error'}>{s.lastVerification.ok ? t('ledger.verifiedOk', { size: s.lastVerification.size, checkpoints: s.lastVerification.checkpoints }) : t('ledger.verifiedFailed', { index: s.lastVerification.firstBadIndex ?? '—' })}</strong>{' '}
                  · <time dateTime={s.lastVerification.finishedAt}>{formatDateTime(s.lastVerification.finishedAt, locale)}</time>
                  {!s.lastVerification.ok && (
                    <ul className="small">
                      {s.lastVerification.problems.map((p) => (
                        <li key={p}>{p}</li>
                      ))}
                    </ul>
                  )}
                </>
              )}
            </dd>
          </dl>
        </div>
      )}
    </>
  );
}
