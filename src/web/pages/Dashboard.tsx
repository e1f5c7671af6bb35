/**
 * The dashboard: my queue (cases waiting for a step I can take, from state + side + roles),
 * incoming requests, the legal clocks overdue and due soon (in the reader's time zone, with the
 * time left), and the authority's cases by state.
 *
 * Loads /api/stats and /api/deadlines, then /api/cases one state at a time, only for the states
 * that can matter to the reader and that have cases (lib/dashboard.ts).
 */
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useAuth, useMe } from '../auth';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { StateBadge } from '../components/StateBadge';
import { TimeLeft } from '../components/TimeLeft';
import { useApi } from '../hooks/useApi';
import { useNow } from '../hooks/useNow';
import { dashboardLists, PER_STATE_LIMIT, splitClocks, statesToFetch, type StatePage } from '../lib/dashboard';
import { withQuery } from '../lib/route';
import { DUE_SOON_HOURS, readerTimeZone } from '../lib/time-left';
import { Link } from '../router';
import { CASE_WORKERS, paths } from '../routes';
import { CASE_STATES } from '../../cases/workflow';
import { measureLabel } from '../i18n/labels';
import type { CaseDeadline, CaseSummary } from '../types';
import { Icon } from '../components/Icon';
import { CountTable } from '../components/CountTable';

function CaseLine({ c, children }: { c: CaseSummary; children?: ReactNode }) {
  const { t } = useTranslation();
  const { authorityName } = useAuth();
  const me = useMe();
  const counterpart = c.requestingAuthorityId === me.authorityId ? c.addresseeId : c.requestingAuthorityId;
  return (
    <li className="case-line">
      <div className="case-line-head">
        <Link to={paths.case(c.id)} className="case-ref">
          {c.reference}
        </Link>
        <StateBadge state={c.state} />
        {c.emergency && (
          <span className="badge badge-emergency">
            <Icon name="bolt" />
            {t('common.emergency')}
          </span>
        )}
      </div>
      <p className="small muted">
        {c.requestingAuthorityId === me.authorityId ? '→ ' : '← '}
        {authorityName(counterpart)} · {c.measures.map((m) => measureLabel(t, m)).join(', ')}
      </p>
      {children}
    </li>
  );
}

function ClockList({ clocks, empty, limit = 10 }: { clocks: CaseDeadline[]; empty: string; limit?: number }) {
  const { t } = useTranslation();
  if (clocks.length === 0) return <p className="muted">{empty}</p>;
  return (
    <>
      <ul className="plain-list">
        {clocks.slice(0, limit).map((d) => (
          <li key={d.id} className="clock-line">
            <div>
              <Link to={paths.case(d.caseId)} className="case-ref">
                {d.reference}
              </Link>{' '}
              <span className="small muted">
                {d.provision}
                {!d.verified && <DeadlineUnverified />}
              </span>
            </div>
            <p className="small">{d.description}</p>
            <TimeLeft dueAt={d.dueAt} clockTimeZone={d.timeZone} />
          </li>
        ))}
      </ul>
      {clocks.length > limit && <p className="small muted">{t('dashboard.deadlines.more', { count: clocks.length - limit })}</p>}
    </>
  );
}

function DeadlineUnverified() {
  const { t } = useTranslation();
  return <span className="unverified"> [{t('dashboard.deadlines.unverified')}]</span>;
}

/** Home of a user without a case-handling role (an administrator): what they can do, no refused panels. */
function AdminHome() {
  const { t } = useTranslation();
  const cards = [
    { title: t('admin.home.users'), text: t('admin.home.usersText'), to: paths.admin('users-title') },
    { title: t('admin.home.tokens'), text: t('admin.home.tokensText'), to: paths.admin('tokens-title') },
    { title: t('admin.home.authorities'), text: t('admin.home.authoritiesText'), to: paths.admin('authorities-title') },
    { title: t('admin.home.ledger'), text: t('admin.home.ledgerText'), to: paths.ledger() },
  ];
  return (
    <div className="dashboard" data-testid="admin-home">
      <PageTitle>{t('admin.home.title')}</PageTitle>
      <p className="lead">{t('admin.home.intro')}</p>
      <div className="dashboard-grid">
        {cards.map((c) => (
          <section key={c.title} className="panel">
            <h2>
              <Link to={c.to}>{c.title}</Link>
            </h2>
            <p>{c.text}</p>
          </section>
        ))}
      </div>
    </div>
  );
}

export default function Dashboard() {
  const me = useMe();
  return me.roles.some((r) => CASE_WORKERS.includes(r)) ? <WorkerDashboard /> : <AdminHome />;
}

function WorkerDashboard() {
  const { t, i18n } = useTranslation();
  const lawLang = i18n.language.slice(0, 2);
  const me = useMe();
  const now = useNow();
  const reader = useMemo(() => ({ authorityId: me.authorityId, roles: me.roles }), [me]);

  const stats = useApi((signal) => api.stats({}, signal), []);
  const deadlines = useApi((signal) => api.deadlines({ lang: lawLang }, signal), [lawLang]);
  // Federation: messages stuck without an answer (policy: officers and administrators only).
  const seesStuck = me.roles.some((r) => r === 'central-authority-officer' || r === '24/7-officer' || r === 'administrator');
  const stuck = useApi((signal) => (seesStuck ? api.stuckMessages(signal) : Promise.resolve([])), [seesStuck]);
  const refused = useApi((signal) => (seesStuck ? api.incomingRejections(signal) : Promise.resolve([])), [seesStuck]);
  const states = useMemo(() => (stats.data ? statesToFetch(stats.data.byState, reader) : null), [stats.data, reader]);
  const statesKey = states?.join(',') ?? null;
  const lists = useApi(
    async (signal) => {
      if (!states) return null;
      const pages: StatePage[] = await Promise.all(states.map((state) => api.cases.list({ state, limit: PER_STATE_LIMIT }, signal).then((p) => ({ state, ...p }))));
      return dashboardLists(pages, reader);
    },
    [statesKey, reader],
  );
  const clocks = useMemo(() => (deadlines.data ? splitClocks(deadlines.data, now) : null), [deadlines.data, now]);

  const listProblem = stats.problem ?? lists.problem;
  const reload = () => {
    stats.reload();
    deadlines.reload();
    lists.reload();
    stuck.reload();
  };

  return (
    <div className="dashboard">
      <div className="page-head">
        <div>
          <PageTitle>{t('dashboard.title')}</PageTitle>
          <p className="lead">{t('dashboard.intro')}</p>
        </div>
        <button type="button" className="button secondary" onClick={reload}>
          <Icon name="refresh" />
          {t('dashboard.refresh')}
        </button>
      </div>

      <div className="dashboard-grid">
        <section className="panel" aria-labelledby="queue-title">
          <h2 id="queue-title">{t('dashboard.queue.title')}</h2>
          <p className="small muted">{t('dashboard.queue.intro')}</p>
          {listProblem && <ProblemAlert problem={listProblem} onRetry={reload} />}
          {!lists.data && !stats.problem && !lists.problem && <Loading />}
          {lists.data &&
            (lists.data.queue.length === 0 ? (
              <p className="empty">
                <Icon name="check" />{' '}
                {t('dashboard.queue.empty')}
              </p>
            ) : (
              <ul className="plain-list">
                {lists.data.queue.slice(0, 20).map(({ case: c, next }) => (
                  <CaseLine key={c.id} c={c}>
                    <p className="next-step">
                      <span className="small muted">{t('dashboard.queue.next')}: </span>
                      <strong>{next.map((e) => t(`events.${e}`)).join(' / ')}</strong>
                    </p>
                  </CaseLine>
                ))}
              </ul>
            ))}
          {lists.data?.truncated.map((tr) => (
            <p key={tr.state} className="small">
              <Link to={withQuery(paths.cases(), { state: tr.state })}>
                {t(`states.${tr.state}`)}: {t('dashboard.queue.more', { shown: tr.shown, total: tr.total })}
              </Link>
            </p>
          ))}
        </section>

        {stuck.data && stuck.data.length > 0 && (
          <section className="panel" aria-labelledby="stuck-title" data-testid="dashboard-stuck">
            <h2 id="stuck-title">{t('dashboard.stuck.title')}</h2>
            <p className="small muted">{t('dashboard.stuck.intro')}</p>
            <ul className="plain-list">
              {stuck.data.slice(0, 20).map((m) => (
                <li key={m.messageId}>
                  {m.caseId ? <Link to={paths.case(m.caseId)}>{m.type}</Link> : m.type} → {m.to} ({m.peer}){m.emergency ? ` — ${t('case.deliveries.emergency')}` : ''}
                  <span className="block small">
                    {t(`case.deliveries.states.${m.state}`)}
                    {m.lastError ? ` — ${m.lastError}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}

        {refused.data && refused.data.length > 0 && (
          <section className="panel" aria-labelledby="refused-title" data-testid="dashboard-refused">
            <h2 id="refused-title">{t('dashboard.rejected.title')}</h2>
            <p className="small muted">{t('dashboard.rejected.intro')}</p>
            <ul className="plain-list">
              {refused.data.slice(0, 20).map((m) => (
                <li key={m.messageId}>
                  {m.type} {t('dashboard.rejected.from', { from: m.from, peer: m.peer })}
                  <span className="block small">{m.reason}</span>
                </li>
              ))}
            </ul>
          </section>
        )}

        <section className="panel" aria-labelledby="clocks-title">
          <h2 id="clocks-title">{t('dashboard.deadlines.title')}</h2>
          <p className="small muted">{t('dashboard.deadlines.zoneNote', { zone: readerTimeZone() })}</p>
          {deadlines.problem && <ProblemAlert problem={deadlines.problem} onRetry={deadlines.reload} />}
          {!clocks && !deadlines.problem && <Loading />}
          {clocks && (
            <>
              <h3>
                <Icon name="warning" />{' '}
                {t('dashboard.deadlines.overdue')} <span className="count">({clocks.overdue.length})</span>
              </h3>
              <ClockList clocks={clocks.overdue} empty={t('dashboard.deadlines.emptyOverdue')} />
              <h3>
                <Icon name="clock" />{' '}
                {t('dashboard.deadlines.dueSoon', { hours: DUE_SOON_HOURS })} <span className="count">({clocks.dueSoon.length})</span>
              </h3>
              <ClockList clocks={clocks.dueSoon} empty={t('dashboard.deadlines.emptyDueSoon', { hours: DUE_SOON_HOURS })} />
              <h3>
                {t('dashboard.deadlines.later')} <span className="count">({clocks.later.length})</span>
              </h3>
              <ClockList clocks={clocks.later} empty={t('dashboard.deadlines.emptyLater')} limit={5} />
            </>
          )}
        </section>

        <section className="panel" aria-labelledby="incoming-title">
          <h2 id="incoming-title">{t('dashboard.incoming.title')}</h2>
          <p className="small muted">{t('dashboard.incoming.intro')}</p>
          {!lists.data && !lists.problem && !stats.problem && <Loading />}
          {lists.data &&
            (lists.data.incoming.length === 0 ? (
              <p className="empty">{t('dashboard.incoming.empty')}</p>
            ) : (
              <ul className="plain-list">
                {lists.data.incoming.slice(0, 20).map((c) => (
                  <CaseLine key={c.id} c={c} />
                ))}
              </ul>
            ))}
        </section>

        <section className="panel" aria-labelledby="by-state-title">
          <h2 id="by-state-title">{t('dashboard.byState.title')}</h2>
          {!stats.data && !stats.problem && <Loading />}
          {stats.data &&
            (stats.data.total === 0 ? (
              <p className="empty">{t('dashboard.byState.empty')}</p>
            ) : (
              <CountTable
                what={t('dashboard.byState.state')}
                countHeader={t('dashboard.byState.count')}
                rows={CASE_STATES.filter((s) => (stats.data?.byState[s] ?? 0) > 0).map((s) => ({
                  key: s,
                  label: (
                    <Link to={withQuery(paths.cases(), { state: s })}>
                      <StateBadge state={s} />
                    </Link>
                  ),
                  count: stats.data?.byState[s] ?? 0,
                }))}
                total={{ label: t('dashboard.byState.total'), count: stats.data.total }}
              />
            ))}
        </section>
      </div>
    </div>
  );
}
