/**
 * The provider's transparency report (issue 14 part B): orders by issuing State, instrument and
 * data category, stacked by outcome, with the response time — each chart followed by the same
 * figures in a table (charts are hidden from assistive technology) — the CSV
 * (/api/provider/report.csv, also `comity provider report --csv`), and the figures of Reg.
 * 2023/1543 Art. 28 with their (unverified) citation. Loaded lazily: recharts is heavy.
 */
import type { ReactElement } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Cite } from '../components/Citation';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useApi } from '../hooks/useApi';
import { CountTable } from '../components/CountTable';
import { useLocale } from '../hooks/useLocale';
import { formatNumber } from '../i18n/labels';
import { figureText, OUTCOMES, type Art28View, type ReportGroup, type TransparencyReportView } from '../lib/provider';

const COLOURS: Record<(typeof OUTCOMES)[number], string> = { answered: '#1b6e3a', refused: '#8a5a00', pending: '#1d4f91', quarantined: '#a4161a' };

export default function ProviderReport() {
  const { t } = useTranslation();
  const report = useApi((signal) => api.provider.report(signal), []);
  const art28 = useApi((signal) => api.provider.art28(signal), []);
  return (
    <>
      <div className="page-head">
        <div>
          <PageTitle>{t('provider.report.title')}</PageTitle>
          <p className="lead">{t('provider.report.intro')}</p>
        </div>
        <p className="download">
          <a className="button secondary" href="/api/provider/report.csv" download data-testid="provider-csv">
            <span aria-hidden="true">↓</span> {t('provider.report.download')}
          </a>
          <span className="block small muted">{t('provider.report.downloadHint')}</span>
        </p>
      </div>
      {report.problem && <ProblemAlert problem={report.problem} onRetry={report.reload} />}
      {!report.data && !report.problem && <Loading />}
      {report.data && <Figures data={report.data} />}
      {art28.data && <Art28 data={art28.data} />}
    </>
  );
}

function Figures({ data }: { data: TransparencyReportView }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const n = (value: number) => formatNumber(value, locale);
  return (
    <>
      <section className="panel" aria-labelledby="provider-overview">
        <h2 id="provider-overview">{t('provider.report.overview')}</h2>
        <dl className="tiles" data-testid="provider-overview">
          <div className="tile">
            <dt>{t('provider.report.total')}</dt>
            <dd data-testid="provider-total">{n(data.total)}</dd>
          </div>
          {OUTCOMES.map((o) => (
            <div className="tile" key={o}>
              <dt>{t(`provider.outcome.${o}`)}</dt>
              <dd data-testid={`provider-outcome-${o}`}>{n(data.byOutcome[o])}</dd>
            </div>
          ))}
          <div className="tile">
            <dt>{t('provider.report.median')}</dt>
            <dd>{data.responseHours.median === null ? <span className="muted">{t('provider.report.noAnswer')}</span> : t('provider.report.hours', { value: n(data.responseHours.median) })}</dd>
          </div>
          <div className="tile">
            <dt>{t('provider.report.p90')}</dt>
            <dd>{data.responseHours.p90 === null ? <span className="muted">{t('provider.report.noAnswer')}</span> : t('provider.report.hours', { value: n(data.responseHours.p90) })}</dd>
          </div>
        </dl>
      </section>
      <GroupSection id="state" title={t('provider.report.byState')} groups={data.byState} />
      <GroupSection id="instrument" title={t('provider.report.byInstrument')} groups={data.byInstrument} />
      <GroupSection id="category" title={t('provider.report.byCategory')} groups={data.byCategory} label={(key) => t(`provider.category.${key}`, { defaultValue: key })} />
      {data.byReason.length > 0 && (
        <section className="panel" aria-labelledby="provider-reasons">
          <h2 id="provider-reasons">{t('provider.report.byReason')}</h2>
          <CountTable
            testId="provider-table-reasons"
            caption={t('provider.report.byReason')}
            what={t('provider.reasons')}
            countHeader={t('provider.report.count')}
            rows={data.byReason.map((r) => ({
              key: r.key,
              label: (
                <>
                  {t(`provider.reason.${r.key}`, { defaultValue: r.key })} <code className="small">{r.key}</code>
                </>
              ),
              count: r.count,
            }))}
          />
        </section>
      )}
    </>
  );
}

function GroupSection({ id, title, groups, label = (key) => key }: { id: string; title: string; groups: ReportGroup[]; label?: (key: string) => string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const n = (value: number) => formatNumber(value, locale);
  const data = groups.map((g) => ({ ...g, label: label(g.key) }));
  return (
    <section className="panel" aria-labelledby={`provider-by-${id}`}>
      <h2 id={`provider-by-${id}`}>{title}</h2>
      {groups.length === 0 ? (
        <p className="empty">{t('provider.empty')}</p>
      ) : (
        <>
          <Chart caption={t('provider.report.chartCaption', { what: title })} height={Math.max(140, 44 * data.length + 60)}>
            <BarChart data={data} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="label" width={180} tick={{ fontSize: 12 }} />
              <Tooltip />
              <Legend />
              {OUTCOMES.map((o) => (
                <Bar key={o} dataKey={o} stackId="outcome" name={t(`provider.outcome.${o}`)} fill={COLOURS[o]} maxBarSize={32} isAnimationActive={false} />
              ))}
            </BarChart>
          </Chart>
          {/* Six columns: scrolled sideways inside the panel on a narrow window (focusable, to scroll by keyboard). */}
          <div className="scroll-x" role="region" aria-label={title} tabIndex={0}>
            <table className="table compact" data-testid={`provider-table-${id}`}>
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{title}</th>
                  {OUTCOMES.map((o) => (
                    <th scope="col" className="num" key={o}>
                      {t(`provider.outcome.${o}`)}
                    </th>
                  ))}
                  <th scope="col" className="num">
                    {t('provider.report.total')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.map((g) => (
                  <tr key={g.key}>
                    <th scope="row">{g.label}</th>
                    {OUTCOMES.map((o) => (
                      <td className="num" key={o}>
                        {n(g[o])}
                      </td>
                    ))}
                    <td className="num">{n(g.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Art28({ data }: { data: Art28View }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="provider-art28">
      <h2 id="provider-art28">{t('provider.report.art28Title', { year: data.year })}</h2>
      <p className="small">{t('provider.report.art28Intro')}</p>
      <p className="small"><Cite citation={data.citation} /></p>
      <table className="table compact" data-testid="provider-art28">
        <caption className="visually-hidden">{t('provider.report.art28Title', { year: data.year })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('provider.report.figure')}</th>
            <th scope="col">{t('provider.report.value')}</th>
          </tr>
        </thead>
        <tbody>
          {data.figures.map((f) => (
            <tr key={f.id}>
              <th scope="row">{t(`provider.art28.${f.id}`, { defaultValue: f.text })}</th>
              <td>{figureText(f.value) ?? <span className="muted">{t('provider.report.notRecorded')}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
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
