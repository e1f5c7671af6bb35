/**
 * One case (placeholder for the full case page: request, history, clocks, assessment and the
 * event buttons). Reading a case is recorded by the server (who, when).
 */
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useAuth, useMe } from '../auth';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Placeholder } from '../components/Placeholder';
import { ProblemAlert } from '../components/ProblemAlert';
import { StateBadge } from '../components/StateBadge';
import { TimeLeft } from '../components/TimeLeft';
import { useApi } from '../hooks/useApi';
import { myNextEvents } from '../lib/queue';
import { Link, useParams } from '../router';
import { paths } from '../routes';

export default function CasePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const me = useMe();
  const { authorityName } = useAuth();
  const detail = useApi((signal) => api.cases.get(id, signal), [id]);
  const c = detail.data;
  const next = c ? myNextEvents(c, { authorityId: me.authorityId, roles: me.roles }) : [];
  return (
    <>
      <p className="small">
        <Link to={paths.cases()}>
          <span aria-hidden="true">← </span>
          {t('case.backToCases')}
        </Link>
      </p>
      <PageTitle>{c ? t('case.title', { reference: c.reference }) : t('case.loadingTitle')}</PageTitle>
      {detail.problem && <ProblemAlert problem={detail.problem} onRetry={detail.reload} />}
      {!c && !detail.problem && <Loading />}
      {c && (
        <>
          <dl className="facts">
            <dt>{t('case.state')}</dt>
            <dd>
              <StateBadge state={c.state} />
            </dd>
            <dt>{t('cases.from')}</dt>
            <dd>{authorityName(c.requestingAuthorityId)}</dd>
            <dt>{t('cases.to')}</dt>
            <dd>{authorityName(c.addresseeId)}</dd>
            <dt>{t('cases.legalBasis')}</dt>
            <dd>
              <code>{c.legalBasis}</code>
            </dd>
          </dl>
          <h2>{t('case.nextSteps')}</h2>
          {next.length === 0 ? (
            <p className="muted">{t('case.noNextStep')}</p>
          ) : (
            <ul>
              {next.map((e) => (
                <li key={e}>{t(`events.${e}`)}</li>
              ))}
            </ul>
          )}
          {c.deadlines.length > 0 && (
            <>
              <h2>{t('dashboard.deadlines.title')}</h2>
              <ul className="plain-list">
                {c.deadlines.map((d) => (
                  <li key={d.id} className="clock-line">
                    <p className="small">
                      {d.description} <span className="muted">({d.provision})</span>
                    </p>
                    {d.status === 'running' ? <TimeLeft dueAt={d.dueAt} clockTimeZone={d.timeZone} /> : <span className="muted small">{d.status}</span>}
                  </li>
                ))}
              </ul>
            </>
          )}
          <Placeholder>
            <p className="small">{t('case.placeholder')}</p>
          </Placeholder>
        </>
      )}
    </>
  );
}
