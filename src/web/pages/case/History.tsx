/**
 * The case's history (every event with its actor, the time in the reader's time zone and the
 * written reasons) and, for auditors and administrators, the audit trail (digests only).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { verifyLogProof, type ProofVerdict } from '../../lib/tlog-verify';
import { Loading } from '../../components/Loading';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useLocale } from '../../hooks/useLocale';
import type { ApiProblem } from '../../lib/problem';
import { formatDateTime, readerTimeZone } from '../../lib/time-left';
import type { AuditEventView, CaseDetail } from '../../types';
import type { Tx } from './shared';
import { ActorName } from '../../components/ActorName';

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
                <time dateTime={e.at}>{formatDateTime(e.at, locale)}</time> · {t('case.history.byPrefix')} <ActorName actor={e.actor} view={c.actors?.[e.actor]} /> · {tx(`case.history.side.${e.side}`)}
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

export function AuditTrail({ caseId, events, problem, onRetry }: { caseId: string; events: readonly AuditEventView[] | undefined; problem: ApiProblem | undefined; onRetry: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  // Each logged event's proof, checked here with WebCrypto against the node's log key (issue 11).
  const [verdicts, setVerdicts] = useState<Record<string, ProofVerdict | 'checking'>>({});
  const [checked, setChecked] = useState<number | null>(null);
  const verifyAll = async (): Promise<void> => {
    if (!events) return;
    let size: number | null = null;
    for (const a of events) {
      if (a.logIndex === null) continue;
      setVerdicts((v) => ({ ...v, [a.id]: 'checking' }));
      let verdict: ProofVerdict;
      try {
        const proof = await api.cases.auditProof(caseId, a.id);
        verdict = await verifyLogProof(proof);
      } catch {
        verdict = { ok: false, reason: 'bad-proof' };
      }
      if (verdict.ok) size = verdict.size;
      setVerdicts((v) => ({ ...v, [a.id]: verdict }));
    }
    setChecked(size);
  };
  return (
    <section aria-labelledby="audit-title" data-testid="case-audit">
      <h2 id="audit-title">{t('case.audit.title')}</h2>
      <p className="small muted">{t('case.audit.intro')}</p>
      {problem && <ProblemAlert problem={problem} onRetry={onRetry} />}
      {!events && !problem && <Loading />}
      {events && events.some((a) => a.logIndex !== null) && (
        <p className="small">
          {t('case.audit.logIntro', { size: events[0]?.checkpointSize ?? 0 })}{' '}
          <button type="button" className="button secondary small" data-testid="audit-verify" onClick={() => void verifyAll()}>
            {t('case.audit.verify')}
          </button>
          {checked !== null && <span role="status"> {t('case.audit.verifiedAll', { size: checked })}</span>}
        </p>
      )}
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
                <th scope="col">{t('case.audit.log')}</th>
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
                    <ActorName actor={a.actor} view={a.actorView} />
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
                  <td className="small" data-testid="audit-log-cell">
                    {a.logIndex === null ? '—' : <code>#{a.logIndex}</code>} <LogVerdict verdict={verdicts[a.id]} />
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

function LogVerdict({ verdict }: { verdict: ProofVerdict | 'checking' | undefined }) {
  const { t } = useTranslation();
  if (verdict === undefined) return null;
  if (verdict === 'checking') return <span className="muted">{t('case.audit.checking')}</span>;
  if (verdict.ok) return <span className="ok">{t('case.audit.verified', { size: verdict.size })}</span>;
  return <strong className="error">{t(`case.audit.failed.${verdict.reason}`)}</strong>;
}
