/**
 * Statistics of the authority's cases: an overview (cases, responded, median time to response),
 * cases by state, outgoing requests by requested party and measure, incoming requests by
 * requesting party and measure, and refusals by ground — each chart with the same figures in a
 * table (the charts are hidden from assistive technology), and the whole as CSV
 * (/api/stats.csv). Loaded lazily (routes.tsx) because recharts is heavy; the figures are shaped
 * in lib/statistics.ts. Filters (period of sending, instrument, emergency) live in the URL and
 * apply to the page and to the CSV alike; outgoing figures count sent requests only.
 */
import { useId, type ReactElement } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { CASE_STATES } from '../../cases/workflow';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { StateBadge } from '../components/StateBadge';
import { useApi } from '../hooks/useApi';
import { navigate, useLocation } from '../router';
import { withQuery } from '../lib/route';
import { paths } from '../routes';
import { INSTRUMENTS } from '../lib/participation';
import { CountTable } from '../components/CountTable';
import { useLocale } from '../hooks/useLocale';
import { formatNumber, measureLabel } from '../i18n/labels';
import { partyNamer } from '../lib/participation';
import { groundRows, measureColour, partyChart, partyTableRows, REFUSAL_GROUNDS, splitHours, stateRows, type PartyMeasureCount } from '../lib/statistics';
import type { CaseStatistics } from '../types';

const BRAND = '#1d4f91';

export default function Statistics() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { query } = useLocation();
  const date = (key: string) => (/^\d{4}-\d{2}-\d{2}$/.test(query.get(key) ?? '') ? (query.get(key) as string) : undefined);
  const instrumentParam = query.get('instrument') ?? '';
  const emergencyParam = query.get('emergency');
  const filters: StatsFilters = {
    from: date('from'),
    to: date('to'),
    instrument: (INSTRUMENTS as readonly string[]).includes(instrumentParam) ? instrumentParam : undefined,
    emergency: emergencyParam === 'true' || emergencyParam === 'false' ? emergencyParam : undefined,
  };
  const filtersKey = JSON.stringify(filters);
  const stats = useApi((signal) => api.stats(filters, signal), [filtersKey]);
  const data = stats.data;
  const csv = withQuery('/api/stats.csv', { ...filters });
  return (
    <>
      <div className="page-head">
        <div>
          <PageTitle>{t('statistics.title')}</PageTitle>
          <p className="lead">{t('statistics.intro')}</p>
        </div>
        <p className="download">
          <a className="button secondary" href={csv} download data-testid="stats-csv">
            <span aria-hidden="true">↓</span> {t('stats.download')}
          </a>
          <span className="block small muted">{t('stats.downloadHint')}</span>
        </p>
      </div>
      <StatsFilterForm filters={filters} />
      {stats.problem && <ProblemAlert problem={stats.problem} onRetry={stats.reload} />}
      {!data && !stats.problem && <Loading />}
      {data && <Figures data={data} locale={locale} />}
    </>
  );
}

export interface StatsFilters {
  from: string | undefined;
  to: string | undefined;
  instrument: string | undefined;
  emergency: 'true' | 'false' | undefined;
}

/** The filters, applied as soon as one changes (each change is a new URL, so Back undoes it). */
function StatsFilterForm({ filters }: { filters: StatsFilters }) {
  const { t } = useTranslation();
  const ids = { from: useId(), to: useId(), instrument: useId(), emergency: useId() };
  const go = (changes: Partial<StatsFilters>) => navigate(withQuery(paths.statistics(), { ...filters, ...changes }), { keepFocus: true });
  return (
    <form className="filters" role="search" aria-label={t('stats.filters.label')} onSubmit={(e) => e.preventDefault()} data-testid="stats-filters">
      <div className="field inline">
        <label htmlFor={ids.from}>{t('stats.filters.from')}</label>
        <input id={ids.from} type="date" value={filters.from ?? ''} data-testid="stats-from" onChange={(e) => go({ from: e.target.value || undefined })} />
      </div>
      <div className="field inline">
        <label htmlFor={ids.to}>{t('stats.filters.to')}</label>
        <input id={ids.to} type="date" value={filters.to ?? ''} data-testid="stats-to" onChange={(e) => go({ to: e.target.value || undefined })} />
      </div>
      <div className="field inline">
        <label htmlFor={ids.instrument}>{t('stats.filters.instrument')}</label>
        <select id={ids.instrument} value={filters.instrument ?? ''} data-testid="stats-instrument" onChange={(e) => go({ instrument: e.target.value || undefined })}>
          <option value="">{t('stats.filters.allInstruments')}</option>
          {INSTRUMENTS.map((id) => (
            <option key={id} value={id}>
              {t(`treaty.instruments.${id}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field inline">
        <label htmlFor={ids.emergency}>{t('stats.filters.emergency')}</label>
        <select id={ids.emergency} value={filters.emergency ?? ''} data-testid="stats-emergency" onChange={(e) => go({ emergency: e.target.value === 'true' || e.target.value === 'false' ? e.target.value : undefined })}>
          <option value="">{t('stats.filters.emergencyAll')}</option>
          <option value="true">{t('stats.filters.emergencyOnly')}</option>
          <option value="false">{t('stats.filters.emergencyNone')}</option>
        </select>
      </div>
      <p className="small muted">{t('stats.filters.note')}</p>
    </form>
  );
}

function Figures({ data, locale }: { data: CaseStatistics; locale: string }) {
  const { t } = useTranslation();
  const n = (value: number) => formatNumber(value, locale);
  const states = stateRows(data.byState, CASE_STATES).map((r) => ({ ...r, label: t(`states.${r.state}`) }));
  const median = data.medianResponseHours === null ? null : splitHours(data.medianResponseHours);
  const refusals = groundRows(data.refusalsByGround).map((r) => ({ ...r, label: groundLabel(t, r.ground) }));
  return (
    <>
      <section className="panel" aria-labelledby="stats-overview">
        <h2 id="stats-overview">{t('stats.overview.title')}</h2>
        <dl className="tiles" data-testid="stats-overview">
          <div className="tile">
            <dt>{t('stats.overview.total')}</dt>
            <dd data-testid="stats-total">{n(data.total)}</dd>
          </div>
          <div className="tile">
            <dt>{t('stats.overview.responded')}</dt>
            <dd data-testid="stats-responded">{n(data.responded)}</dd>
          </div>
          <div className="tile">
            <dt>{t('statistics.medianResponse')}</dt>
            <dd data-testid="stats-median">
              {median === null ? (
                <span className="muted">{t('stats.overview.noMedian')}</span>
              ) : (
                <>
                  {formatMedian(t, median)}
                  {median.days > 0 && <span className="block small muted">{t('statistics.hours', { value: n(median.totalHours) })}</span>}
                </>
              )}
            </dd>
          </div>
        </dl>
        <p className="small muted">{t('stats.overview.medianNote', { count: data.responded })}</p>
      </section>

      <section className="panel" aria-labelledby="stats-by-state">
        <h2 id="stats-by-state">{t('dashboard.byState.title')}</h2>
        {states.length === 0 ? (
          <p className="empty">{t('dashboard.byState.empty')}</p>
        ) : (
          <>
            <Chart caption={t('statistics.byStateChart')} height={260}>
              <BarChart data={states} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="label" interval={0} tick={{ fontSize: 12 }} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="count" name={t('dashboard.byState.count')} fill={BRAND} maxBarSize={72} isAnimationActive={false} />
              </BarChart>
            </Chart>
            <CountTable
              testId="stats-table-state"
              caption={t('dashboard.byState.title')}
              what={t('dashboard.byState.state')}
              countHeader={t('dashboard.byState.count')}
              rows={states.map((r) => ({ key: r.state, label: <StateBadge state={r.state} />, count: r.count }))}
              total={{ label: t('dashboard.byState.total'), count: data.total }}
            />
          </>
        )}
      </section>

      <PartySection id="outgoing" rows={data.outgoing} locale={locale} />
      <PartySection id="incoming" rows={data.incoming} locale={locale} />

      <section className="panel" aria-labelledby="stats-refusals">
        <h2 id="stats-refusals">{t('stats.refusals.title')}</h2>
        {refusals.length === 0 ? (
          <p className="empty">{t('stats.refusals.empty')}</p>
        ) : (
          <>
            <Chart caption={t('stats.refusals.chart')} height={Math.max(120, 44 * refusals.length + 40)}>
              <BarChart data={refusals} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="label" width={220} tick={{ fontSize: 12 }} />
                <Tooltip />
                <Bar dataKey="count" name={t('stats.refusals.count')} fill="#a4161a" maxBarSize={32} isAnimationActive={false} />
              </BarChart>
            </Chart>
            <CountTable
              testId="stats-table-refusals"
              caption={t('stats.refusals.title')}
              what={t('stats.refusals.ground')}
              countHeader={t('stats.refusals.count')}
              rows={refusals.map((r) => ({ key: r.ground, label: r.label, count: r.count }))}
            />
          </>
        )}
        <p className="small muted">{t('stats.refusals.note')}</p>
      </section>
    </>
  );
}

// i18next's TFunction: `ReturnType<typeof useTranslation>['t']` hits TS2589 (instantiation too deep) once en.json passes ~700 keys.
type Translate = TFunction;

/** "2 days 2 h", "1 h 30 min", "12 min", "less than a minute". */
function formatMedian(t: Translate, d: ReturnType<typeof splitHours>): string {
  if (d.days > 0) return d.hours > 0 ? `${t('time.day', { count: d.days })} ${t('time.hour', { count: d.hours })}` : t('time.day', { count: d.days });
  if (d.hours > 0) return d.minutes > 0 ? `${t('time.hour', { count: d.hours })} ${t('time.minute', { count: d.minutes })}` : t('time.hour', { count: d.hours });
  return d.minutes > 0 ? t('time.minute', { count: d.minutes }) : t('time.lessThanMinute');
}

function groundLabel(t: Translate, ground: string): string {
  return (REFUSAL_GROUNDS as readonly string[]).includes(ground) ? t(`stats.grounds.${ground as (typeof REFUSAL_GROUNDS)[number]}`) : ground;
}

/** A chart hidden from assistive technology (the table after it has the figures), with a caption. */
function Chart({ caption, height, children }: { caption: string; height: number; children: ReactElement }) {
  return (
    <figure className="chart">
      <div className="chart-box" aria-hidden="true" style={{ minHeight: height }}>
        <ResponsiveContainer width="100%" height={height}>
          {children}
        </ResponsiveContainer>
      </div>
      <figcaption className="small muted">{caption}</figcaption>
    </figure>
  );
}

/** Requests by party and measure: a stacked bar per party, then the table. */
function PartySection({ id, rows, locale }: { id: 'outgoing' | 'incoming'; rows: PartyMeasureCount[]; locale: string }) {
  const { t } = useTranslation();
  const n = (value: number) => formatNumber(value, locale);
  const name = partyNamer(locale);
  const chart = partyChart(rows);
  const data = chart.data.map((r) => ({ ...r, label: name(r.party) }));
  const tableRows = partyTableRows(rows);
  return (
    <section className="panel" aria-labelledby={`stats-${id}`} data-testid={`stats-${id}`}>
      <h2 id={`stats-${id}`}>{t(`stats.${id}.title`)}</h2>
      {rows.length === 0 ? (
        <p className="empty">{t(`stats.${id}.empty`)}</p>
      ) : (
        <>
          <Chart caption={t(`stats.${id}.chart`)} height={300}>
            <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="label" interval={0} tick={{ fontSize: 12 }} />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              {chart.measures.map((m) => (
                <Bar key={m} dataKey={m} stackId="measures" name={measureLabel(t, m)} fill={measureColour(m)} maxBarSize={72} isAnimationActive={false} />
              ))}
            </BarChart>
          </Chart>
          <table className="table compact" data-testid={`stats-table-${id}`}>
            <caption className="visually-hidden">{t(`stats.${id}.title`)}</caption>
            <thead>
              <tr>
                <th scope="col">{t('stats.measure')}</th>
                <th scope="col">{t(`stats.${id}.party`)}</th>
                <th scope="col" className="num">
                  {t('stats.requests')}
                </th>
              </tr>
            </thead>
            <tbody>
              {tableRows.map((r) => (
                <tr key={`${r.measure}|${r.party}`}>
                  <th scope="row">{measureLabel(t, r.measure)}</th>
                  <td>
                    {name(r.party)} <span className="party muted">{r.party}</span>
                  </td>
                  <td className="num">{n(r.count)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  {t('dashboard.byState.total')}
                </th>
                <td className="num">{n(chart.total)}</td>
              </tr>
            </tfoot>
          </table>
        </>
      )}
    </section>
  );
}
