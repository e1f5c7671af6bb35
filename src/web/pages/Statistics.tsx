/**
 * Statistics (first version: cases by state). Loaded lazily (routes.tsx) because recharts is
 * heavy; every chart has the same figures in a table (text alternative).
 */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { CASE_STATES } from '../../cases/workflow';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Placeholder } from '../components/Placeholder';
import { ProblemAlert } from '../components/ProblemAlert';
import { StateBadge } from '../components/StateBadge';
import { useApi } from '../hooks/useApi';
import { formatNumber } from '../i18n/labels';
import { useLocale } from '../hooks/useLocale';

export default function Statistics() {
  const { t } = useTranslation();
  const locale = useLocale();
  const stats = useApi((signal) => api.stats(signal), []);
  const rows = stats.data ? CASE_STATES.filter((s) => (stats.data?.byState[s] ?? 0) > 0).map((s) => ({ state: s, label: t(`states.${s}`), count: stats.data?.byState[s] ?? 0 })) : [];
  return (
    <>
      <PageTitle>{t('statistics.title')}</PageTitle>
      <p className="lead">{t('statistics.intro')}</p>
      {stats.problem && <ProblemAlert problem={stats.problem} onRetry={stats.reload} />}
      {!stats.data && !stats.problem && <Loading />}
      {stats.data && (
        <>
          <section className="panel" aria-labelledby="stats-by-state">
            <h2 id="stats-by-state">{t('dashboard.byState.title')}</h2>
            <figure className="chart">
              <div className="chart-box" aria-hidden="true">
                <ResponsiveContainer width="100%" height={280}>
                  <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="label" interval={0} tick={{ fontSize: 12 }} />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Bar dataKey="count" name={t('dashboard.byState.count')} fill="#1d4f91" />
                  </BarChart>
                </ResponsiveContainer>
              </div>
              <figcaption className="small muted">{t('statistics.byStateChart')}</figcaption>
            </figure>
            <table className="table compact">
              <thead>
                <tr>
                  <th scope="col">{t('dashboard.byState.state')}</th>
                  <th scope="col" className="num">
                    {t('dashboard.byState.count')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.state}>
                    <th scope="row">
                      <StateBadge state={r.state} />
                    </th>
                    <td className="num">{formatNumber(r.count, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              {t('statistics.medianResponse')}: <strong>{stats.data.medianResponseHours === null ? t('statistics.none') : t('statistics.hours', { value: formatNumber(Math.round(stats.data.medianResponseHours), locale) })}</strong>
            </p>
          </section>
          <Placeholder />
        </>
      )}
    </>
  );
}
