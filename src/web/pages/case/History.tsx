/**
 * The case's history (every event with its actor, the time in the reader's time zone and the
 * written reasons) and, for auditors and administrators, the audit trail (digests only).
 */
import { useTranslation } from 'react-i18next';
import { Loading } from '../../components/Loading';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useLocale } from '../../hooks/useLocale';
import type { ApiProblem } from '../../lib/problem';
import { formatDateTime, readerTimeZone } from '../../lib/time-left';
import type { AuditEventView, CaseDetail } from '../../types';
import type { Tx } from './shared';

export function Timeline({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const locale = useLocale();
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t('case.history.title')}</h2>
      <p className="small muted">{t('case.history.zone', { zone: readerTimeZone() })}</p>
      <ol className="timeline" data-testid="case-timeline">
        {c.history.map((e) => {
          const label = e.event === 'create' || e.event === 'edit' ? tx(`case.history.${e.event}`) : t(`events.${e.event}`);
          const summary = e.event === 'respond' && typeof (e.payload as { summary?: unknown } | null)?.summary === 'string' ? (e.payload as { summary: string }).summary : null;
          return (
            <li key={e.seq} data-testid="timeline-event" data-event={e.event}>
              <p className="timeline-head">
                <strong>{label}</strong>{' '}
                <span className="small muted">
                  {e.fromState && e.fromState !== e.toState ? t('case.history.transition', { from: t(`states.${e.fromState}`), to: t(`states.${e.toState}`) }) : t(`states.${e.toState}`)}
                </span>
              </p>
              <p className="small">
                <time dateTime={e.at}>{formatDateTime(e.at, locale)}</time> · {t('case.history.by', { actor: e.actor })} · {tx(`case.history.side.${e.side}`)}
              </p>
              {e.reason && (
                <blockquote className="reason">
                  <p className="small muted">{t('case.history.reason')}</p>
                  <p className="prose">{e.reason}</p>
                </blockquote>
              )}
              {summary && (
                <blockquote className="reason">
                  <p className="small muted">{t('response.summary')}</p>
                  <p className="prose">{summary}</p>
                </blockquote>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

export function AuditTrail({ events, problem, onRetry }: { events: readonly AuditEventView[] | undefined; problem: ApiProblem | undefined; onRetry: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <section aria-labelledby="audit-title" data-testid="case-audit">
      <h2 id="audit-title">{t('case.audit.title')}</h2>
      <p className="small muted">{t('case.audit.intro')}</p>
      {problem && <ProblemAlert problem={problem} onRetry={onRetry} />}
      {!events && !problem && <Loading />}
      {events && (
        <div className="table-wrap">
          <table className="table compact">
            <caption className="visually-hidden">{t('case.audit.caption')}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('case.audit.seq')}
                </th>
                <th scope="col">{t('case.audit.action')}</th>
                <th scope="col">{t('case.audit.actor')}</th>
                <th scope="col">{t('case.audit.at')}</th>
                <th scope="col">{t('case.audit.digests')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((a) => (
                <tr key={a.id}>
                  <td className="num">{a.seq}</td>
                  <th scope="row">
                    <code>{a.action}</code>
                  </th>
                  <td>
                    <code>{a.actor}</code>
                  </td>
                  <td>
                    <time dateTime={a.at}>{formatDateTime(a.at, locale)}</time>
                  </td>
                  <td className="small">
                    <span className="block">
                      {t('case.audit.before')}{' '}
                      <code className="digest" title={a.beforeDigest ?? undefined}>
                        {a.beforeDigest ? `${a.beforeDigest.slice(0, 12)}…` : '—'}
                      </code>
                    </span>
                    <span className="block">
                      {t('case.audit.after')}{' '}
                      <code className="digest" title={a.afterDigest ?? undefined}>
                        {a.afterDigest ? `${a.afterDigest.slice(0, 12)}…` : '—'}
                      </code>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
