/**
 * The node's transparency log for auditors and administrators: origin and verifier key, the
 * latest signed checkpoint with the cosignatures witnesses returned for it, open incidents (the
 * node refuses to sign), open forks (split views of this log or of a peer's it witnesses) and the
 * result of the last full verification (`comity ledger verify`).
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
            <dt>{t('ledger.cosignatures')}</dt>
            <dd data-testid="ledger-cosignatures">
              {s.cosignatures.length === 0 ? (
                t('ledger.noCosignatures')
              ) : (
                <table className="small">
                  <caption className="visually-hidden">{t('ledger.cosignaturesCaption', { size: s.checkpoint?.size ?? 0 })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('ledger.witness')}</th>
                      <th scope="col">{t('ledger.keyId')}</th>
                      <th scope="col">{t('ledger.cosignedAt')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.cosignatures.map((c) => (
                      <tr key={c.witness}>
                        <th scope="row">
                          <code>{c.witness}</code>
                        </th>
                        <td>
                          <code className="keep">{c.keyId ?? '—'}</code>
                        </td>
                        <td>
                          <time dateTime={c.signedAt ?? c.collectedAt}>{formatDateTime(c.signedAt ?? c.collectedAt, locale)}</time>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </dd>
            <dt>{t('ledger.forks')}</dt>
            <dd data-testid="ledger-forks">
              {s.forks.length === 0 ? (
                t('ledger.noForks')
              ) : (
                <div className="alert error" role="alert">
                  <ul>
                    {s.forks.map((f) => (
                      <li key={`${f.origin} ${f.size} ${f.how}`}>
                        <strong>{f.ownLog ? t('ledger.forkOwn', { size: f.size }) : t('ledger.forkPeer', { origin: f.origin, size: f.size })}</strong> · <time dateTime={f.detectedAt}>{formatDateTime(f.detectedAt, locale)}</time>
                        <br />
                        <span className="small">{f.how}</span>
                      </li>
                    ))}
                  </ul>
                  <p className="small">{t('ledger.forkHint')}</p>
                </div>
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
