/**
 * The treaty explorer: who takes part in an instrument on a date. A world (or Europe) map coloured
 * by status, its legend in text, the UN Convention's way to entry into force and signature
 * window, and the table of parties by status — the accessible equivalent of the map. The view
 * (instrument, date, map) lives in the URL (?instrument=UNCC&date=2026-06-01&view=europe).
 *
 * Loaded lazily (routes.tsx): d3-geo, topojson-client and world-atlas never reach the first load.
 */
import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { ThresholdPanel } from '../components/ThresholdPanel';
import { DerivedMark, StatusLabel, VerifiedFlag } from '../components/TreatyStatus';
import { WorldMap } from '../components/WorldMap';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import { formatNumber } from '../i18n/labels';
import { formatIsoDate, isIsoDate, todayIso } from '../lib/dates';
import { eventKey, groupByStatus, INSTRUMENTS, isInstrumentId, legendEntries, STATUS_ORDER, type InstrumentId, type NamedRow, type Participation, type ParticipationStatus } from '../lib/participation';
import { withQuery } from '../lib/route';
import type { MapView } from '../lib/world-map';
import { Link, navigate, useLocation } from '../router';
import { paths } from '../routes';

const DEFAULT_INSTRUMENT: InstrumentId = 'ETS185';

export default function TreatyExplorer() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { query } = useLocation();
  const instrumentId = useId();
  const dateId = useId();
  const viewId = useId();

  const requested = query.get('instrument');
  const instrument: InstrumentId = isInstrumentId(requested) ? requested : DEFAULT_INSTRUMENT;
  const requestedDate = query.get('date') ?? '';
  const today = todayIso();
  const date = isIsoDate(requestedDate) ? requestedDate : today;
  const view: MapView = query.get('view') === 'europe' ? 'europe' : 'world';

  const href = (changes: { instrument?: InstrumentId; date?: string; view?: MapView }) => {
    const next = { instrument, date, view, ...changes };
    return withQuery(paths.treaties(), { instrument: next.instrument, date: next.date === today ? undefined : next.date, view: next.view === 'world' ? undefined : next.view });
  };

  const participation = useApi((signal) => api.law<Participation>('/participation', { instrument, date }, signal), [instrument, date]);
  const data = participation.data;
  const groups = useMemo(() => (data ? groupByStatus(data.parties, locale) : null), [data, locale]);
  const byParty = useMemo(() => {
    const map = new Map<string, NamedRow>();
    if (groups) for (const status of STATUS_ORDER) for (const row of groups[status]) map.set(row.party, row);
    return map;
  }, [groups]);

  const instrumentName = t(`treaty.instruments.${instrument}`);
  const formatDate = (iso: string) => formatIsoDate(iso, locale);
  const summary = data
    ? t('treaty.summary', {
        date: formatDate(data.date),
        instrument: instrumentName,
        inForce: formatNumber(data.counts['in-force'], locale),
        consented: formatNumber(data.counts.consented, locale),
        signed: formatNumber(data.counts.signed, locale),
        none: formatNumber(data.counts.none, locale),
      })
    : '';
  const describe = (row: NamedRow) => {
    const status = t(`treaty.status.${row.status}`);
    const text = row.entryIntoForce && (row.status === 'in-force' || row.status === 'consented') ? t('treaty.describeDate', { name: row.label, status, date: formatDate(row.entryIntoForce) }) : t('treaty.describe', { name: row.label, status });
    return row.verified ? text : t('treaty.describeUnverified', { text });
  };
  const openParty = (party: string) => navigate(paths.party(party, { instrument, date: date === today ? undefined : date }));

  return (
    <>
      <PageTitle>{t('treaties.title')}</PageTitle>
      <p className="lead">{t('treaty.intro')}</p>

      <form className="filters" role="search" aria-label={t('treaty.filters')} onSubmit={(e) => e.preventDefault()} data-testid="treaty-filters">
        <div className="field inline">
          <label htmlFor={instrumentId}>{t('treaty.instrument')}</label>
          <select id={instrumentId} value={instrument} data-testid="treaty-instrument" onChange={(e) => navigate(href({ instrument: isInstrumentId(e.target.value) ? e.target.value : DEFAULT_INSTRUMENT }), { replace: true, keepFocus: true })}>
            {INSTRUMENTS.map((id) => (
              <option key={id} value={id}>
                {t(`treaty.instruments.${id}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor={dateId}>{t('treaty.date')}</label>
          <input
            id={dateId}
            type="date"
            value={date}
            min="1990-01-01"
            max="2100-12-31"
            data-testid="treaty-date"
            onChange={(e) => {
              if (isIsoDate(e.target.value)) navigate(href({ date: e.target.value }), { replace: true, keepFocus: true });
            }}
          />
          {date !== today && (
            <button type="button" className="button secondary" onClick={() => navigate(href({ date: today }), { replace: true, keepFocus: true })}>
              {t('treaty.today')}
            </button>
          )}
        </div>
        <div className="field inline">
          <label htmlFor={viewId}>{t('treaty.view')}</label>
          <select id={viewId} value={view} data-testid="treaty-view" onChange={(e) => navigate(href({ view: e.target.value === 'europe' ? 'europe' : 'world' }), { replace: true, keepFocus: true })}>
            <option value="world">{t('treaty.views.world')}</option>
            <option value="europe">{t('treaty.views.europe')}</option>
          </select>
        </div>
      </form>

      {participation.problem && <ProblemAlert problem={participation.problem} onRetry={participation.reload} />}
      {!data && !participation.problem && <Loading />}
      {data && groups && (
        <div aria-busy={participation.loading} className="treaty-explorer">
          <p className="treaty-summary" data-testid="treaty-summary">
            {summary}
          </p>
          <InstrumentLine data={data} />

          {data.entryIntoForceRule.kind === 'nth-day-after' && <ThresholdPanel data={data} names={byParty} />}

          <section className="panel map-panel" aria-labelledby="treaty-map-title">
            <h2 id="treaty-map-title">{t('treaty.map.title')}</h2>
            <a className="skip-map" href="#treaty-table-title" data-testid="skip-map">
              {t('treaty.map.skip')}
            </a>
            <div className="map-layout">
              <WorldMap view={view} rows={byParty} summary={summary} describe={describe} onOpen={openParty} />
              <div className="map-legend" data-testid="map-legend">
                <h3 id="treaty-legend-title">{t('treaty.map.legend')}</h3>
                <ul className="plain-list" aria-labelledby="treaty-legend-title">
                  {legendEntries(data.counts).map((entry) => (
                    <li key={entry.status} className="legend-item" data-status={entry.status}>
                      <span className={`legend-swatch${entry.status === 'no-data' ? ' legend-swatch-no-data' : ''}`} aria-hidden="true" style={{ background: entry.fill }}>
                        {entry.icon}
                      </span>
                      <span>
                        {t(entry.labelKey)}
                        {entry.count !== null && <span className="count"> ({formatNumber(entry.count, locale)})</span>}
                      </span>
                    </li>
                  ))}
                  <li className="legend-item">
                    <span className="legend-swatch legend-swatch-hatched" aria-hidden="true" />
                    <span>{t('treaty.map.hatched')}</span>
                  </li>
                  <li className="legend-item">
                    <span className="legend-swatch legend-swatch-dot" aria-hidden="true">
                      <span className="legend-dot" />
                    </span>
                    <span>{t('treaty.map.dots')}</span>
                  </li>
                </ul>
              </div>
            </div>
            <p className="small muted">{t('treaty.map.caption')}</p>
          </section>

          <section className="treaty-table" aria-labelledby="treaty-table-title" data-testid="treaty-table">
            <h2 id="treaty-table-title" tabIndex={-1}>
              {t('treaty.table.title')}
            </h2>
            <p className="muted">{t('treaty.table.intro', { instrument: instrumentName, date: formatDate(data.date) })}</p>
            {STATUS_ORDER.filter((s) => s !== 'none').map((status) => (
              <StatusTable key={status} status={status} rows={groups[status]} instrument={instrument} date={date === today ? undefined : date} />
            ))}
            <p className="small muted">{t('treaty.derivedHint')}</p>
            <details className="none-list" data-testid="treaty-none">
              <summary>
                <StatusLabel status="none" /> <span className="count">({formatNumber(groups.none.length, locale)})</span>
              </summary>
              <ul className="party-columns">
                {groups.none.map((row) => (
                  <li key={row.party}>
                    <Link to={paths.party(row.party, { instrument, date: date === today ? undefined : date })}>{row.label}</Link>
                    {!row.verified && (
                      <>
                        {' '}
                        <VerifiedFlag verified={false} />
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </details>
          </section>
        </div>
      )}
    </>
  );
}

/** The instrument's own status on the date, in one line. */
function InstrumentLine({ data }: { data: Participation }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const status = data.instrumentStatus;
  const rule = data.entryIntoForceRule;
  let text: string;
  if (rule.kind === 'not-concluded') text = t('treaty.underNegotiation');
  else if (rule.kind === 'eu-act') text = status.inForce ? t('treaty.appliesSince', { date: formatIsoDate(rule.appliesFrom, locale) }) : t('treaty.appliesFrom', { date: formatIsoDate(rule.appliesFrom, locale) });
  else if (status.inForce && status.entryIntoForce) text = t('treaty.inForceSince', { date: formatIsoDate(status.entryIntoForce, locale) });
  else if (status.entryIntoForce) text = t('treaty.entersIntoForce', { date: formatIsoDate(status.entryIntoForce, locale) });
  else text = t('treaty.notInForce', { date: formatIsoDate(data.date, locale) });
  return (
    <p className="instrument-line" data-testid="instrument-line">
      <strong>{text}</strong>{' '}
      {status.threshold !== null && rule.kind === 'first-day-of-month-after' && !status.inForce && <span className="muted">{t('treaty.consentsCounted', { count: status.counted, threshold: status.threshold })} </span>}
      <VerifiedFlag verified={status.verified} />
    </p>
  );
}

function StatusTable({ status, rows, instrument, date }: { status: ParticipationStatus; rows: NamedRow[]; instrument: InstrumentId; date: string | undefined }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const formatDate = (iso: string | null) => (iso === null ? t('treaty.table.dateUnknown') : formatIsoDate(iso, locale, 'medium'));
  return (
    <section className="status-group" aria-labelledby={`status-${status}`} data-testid={`treaty-group-${status}`}>
      <h3 id={`status-${status}`}>
        <StatusLabel status={status} /> <span className="count">({formatNumber(rows.length, locale)})</span>
      </h3>
      {rows.length === 0 ? (
        <p className="empty">{t('treaty.table.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table compact">
            <caption className="visually-hidden">{t(`treaty.status.${status}`)}</caption>
            <thead>
              <tr>
                <th scope="col">{t('treaty.table.party')}</th>
                <th scope="col">{t('treaty.table.signature')}</th>
                <th scope="col">{t('treaty.table.consent')}</th>
                <th scope="col">{t('treaty.table.entryIntoForce')}</th>
                <th scope="col">{t('treaty.table.verification')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.party} data-party={row.party}>
                  <th scope="row">
                    <Link to={paths.party(row.party, { instrument, ...(date ? { date } : {}) })}>{row.label}</Link> <span className="party muted">{row.party}</span>
                  </th>
                  <td>{row.signature ? formatDate(row.signature.date) : '—'}</td>
                  <td>{row.consent ? `${t(`treaty.events.${eventKey(row.consent.event)}`)} · ${formatDate(row.consent.date)}` : '—'}</td>
                  <td>
                    {row.entryIntoForce ? formatDate(row.entryIntoForce) : '—'}
                    {row.entryIntoForce && row.entryIntoForceDerived && (
                      <>
                        {' '}
                        <DerivedMark />
                      </>
                    )}
                  </td>
                  <td>
                    <VerifiedFlag verified={row.verified} />
                    {row.notes.length > 0 && (
                      <span className="block small muted" lang="en">
                        {row.notes.join(' ')}
                      </span>
                    )}
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
