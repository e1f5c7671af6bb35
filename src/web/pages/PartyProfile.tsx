/**
 * A party's profile (/treaties/:party?date=…&instrument=…): Council of Europe and EU membership,
 * and under every instrument its status on the date, signature, consent, entry into force
 * (derived dates marked), verification, reservations and declarations, and the knowledge base's
 * notes. `instrument` only remembers the explorer's view for the way back (and opens that
 * instrument first).
 */
import { useId } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { DerivedMark, StatusLabel, VerifiedFlag } from '../components/TreatyStatus';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import { formatIsoDate, isIsoDate, todayIso } from '../lib/dates';
import { eventKey, isInstrumentId, partyNamer, type EventRecordView, type InstrumentId, type PartyInstrumentStatus, type PartyProfile as Profile, type ReservationView, articleRef, periodOf } from '../lib/participation';
import { Link, navigate, useLocation, useParams } from '../router';
import { paths } from '../routes';

export default function PartyProfile() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { party: raw = '' } = useParams();
  const party = raw.toUpperCase();
  const { query } = useLocation();
  const dateId = useId();
  const today = todayIso();
  const requestedDate = query.get('date') ?? '';
  const date = isIsoDate(requestedDate) ? requestedDate : today;
  const from = query.get('instrument');
  const instrument: InstrumentId | undefined = isInstrumentId(from) ? from : undefined;
  const explorerDate = date === today ? undefined : date;

  const profile = useApi((signal) => api.law<Profile>(`/parties/${encodeURIComponent(party)}`, { date }, signal), [party, date]);
  const data = profile.data;
  const name = data ? partyNamer(locale)(data.party, data.name) : party;
  const ordered = data ? [...data.instruments].sort((a, b) => Number(b.instrument === instrument) - Number(a.instrument === instrument)) : [];

  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.treaties({ ...(instrument ? { instrument } : {}), ...(explorerDate ? { date: explorerDate } : {}) })} data-testid="back-to-explorer">
          ← {t('treaty.profile.back')}
        </Link>
      </p>
      <PageTitle title={name}>
        {name} <span className="muted party-code">{party}</span>
      </PageTitle>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('treaty.filters')}>
        <div className="field inline">
          <label htmlFor={dateId}>{t('treaty.date')}</label>
          <input
            id={dateId}
            type="date"
            value={date}
            min="1990-01-01"
            max="2100-12-31"
            data-testid="profile-date"
            onChange={(e) => {
              if (isIsoDate(e.target.value)) navigate(paths.party(party, { ...(instrument ? { instrument } : {}), ...(e.target.value !== today ? { date: e.target.value } : {}) }), { replace: true, keepFocus: true });
            }}
          />
        </div>
      </form>
      {profile.problem && <ProblemAlert problem={profile.problem} onRetry={profile.reload} />}
      {!data && !profile.problem && <Loading />}
      {data && (
        <div aria-busy={profile.loading} data-testid="party-profile" data-party={data.party}>
          <p className="lead">{t('treaty.profile.intro', { date: formatIsoDate(data.date, locale) })}</p>
          <section className="panel" aria-labelledby="profile-memberships">
            <h2 id="profile-memberships">{t('treaty.profile.memberships')}</h2>
            <dl className="facts" data-testid="profile-memberships">
              {(['CoE', 'EU'] as const).map((org) => (
                <div key={org} className="fact-row" data-org={org} data-member={data.memberOf.includes(org)}>
                  <dt>{t(`treaty.profile.org.${org}`)}</dt>
                  <dd>
                    {data.memberOf.includes(org) ? (
                      <>
                        <span aria-hidden="true">✓ </span>
                        {t('treaty.profile.member')}
                      </>
                    ) : (
                      <>
                        <span aria-hidden="true">– </span>
                        {t('treaty.profile.notMember')}
                      </>
                    )}
                  </dd>
                </div>
              ))}
            </dl>
            <p className="small muted">{t('treaty.profile.membershipNote')}</p>
          </section>
          <h2 className="section-title">{t('treaty.profile.instruments')}</h2>
          {ordered.map((status) => (
            <InstrumentCard key={status.instrument} status={status} highlighted={status.instrument === instrument} />
          ))}
          <p className="small muted">{t('treaty.derivedHint')}</p>
        </div>
      )}
    </>
  );
}

function EventLine({ event }: { event: EventRecordView | null }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!event) return <>—</>;
  return (
    <>
      {t(`treaty.events.${eventKey(event.event)}`)} ·{' '}
      {event.date !== null ? (
        formatIsoDate(event.date, locale)
      ) : (
        <span className="unverified">{event.notBefore ? t('treaty.profile.dateUnknownNotBefore', { date: formatIsoDate(event.notBefore, locale) }) : t('treaty.table.dateUnknown')}</span>
      )}{' '}
      <a href={event.source} target="_blank" rel="noreferrer noopener" className="small">
        {t('treaty.profile.source')}
      </a>
    </>
  );
}

/** The period of a reservation in the reader's language and date format. */
function reservationPeriod(r: ReservationView, t: TFunction, locale: string): string {
  const period = periodOf(r);
  const date = (d: string): string => formatIsoDate(d, locale);
  switch (period.kind) {
    case 'since':
      return t('treaty.profile.periodSince', { date: date(period.from) });
    case 'withdrawn':
      return t('treaty.profile.periodWithdrawn', { from: period.from === null ? startUnknown(period.notBefore, t, date) : date(period.from), until: date(period.until) });
    case 'unknown':
      return startUnknown(period.notBefore, t, date);
  }
}

function startUnknown(notBefore: string | null, t: TFunction, date: (d: string) => string): string {
  return notBefore === null ? t('treaty.table.dateUnknown') : t('treaty.profile.dateUnknownNotBefore', { date: date(notBefore) });
}

function InstrumentCard({ status, highlighted }: { status: PartyInstrumentStatus; highlighted: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const id = `instrument-${status.instrument}`;
  const instrumentName = isInstrumentId(status.instrument) ? t(`treaty.instruments.${status.instrument}`) : status.instrument;
  return (
    <section className={`panel instrument-card${highlighted ? ' highlighted' : ''}`} aria-labelledby={id} data-testid="profile-instrument" data-instrument={status.instrument} data-status={status.status}>
      <h3 id={id}>
        {instrumentName} <StatusLabel status={status.status} />
      </h3>
      <dl className="facts">
        <dt>{t('treaty.table.signature')}</dt>
        <dd>
          <EventLine event={status.signature} />
        </dd>
        <dt>{t('treaty.table.consent')}</dt>
        <dd>
          <EventLine event={status.consent} />
        </dd>
        <dt>{t('treaty.table.entryIntoForce')}</dt>
        <dd>
          {status.entryIntoForce ? formatIsoDate(status.entryIntoForce, locale) : '—'}
          {status.entryIntoForce && status.entryIntoForceDerived && (
            <>
              {' '}
              <DerivedMark />
            </>
          )}
        </dd>
        <dt>{t('treaty.table.verification')}</dt>
        <dd>
          <VerifiedFlag verified={status.verified} />
        </dd>
        <dt>{t('treaty.profile.reservations')}</dt>
        <dd>
          {status.reservations.length === 0 ? (
            <span className="muted">{t('treaty.profile.noReservations')}</span>
          ) : (
            <ul className="reservations">
              {status.reservations.map((r) => (
                <li key={r.id} data-testid="profile-reservation" data-applies={r.applies}>
                  <strong>{r.kind === 'declaration' ? t('treaty.profile.declaration') : t('treaty.profile.reservation')}</strong>
                  {' · '}
                  {t('treaty.citation', { article: articleRef(r.citation) })}
                  {' · '}
                  <span data-testid="reservation-period">{reservationPeriod(r, t, locale)}</span>
                  {!r.applies && <span className="muted"> · {t('treaty.profile.notApplying')}</span>} <VerifiedFlag verified={r.citation.verified} />
                  <span className="block" lang="en">
                    {r.text}
                  </span>
                  {r.citation.source && (
                    <a href={r.citation.source} target="_blank" rel="noreferrer noopener" className="small">
                      {t('treaty.profile.source')}
                    </a>
                  )}
                </li>
              ))}
            </ul>
          )}
        </dd>
        {status.notes.length > 0 && (
          <>
            <dt>{t('treaty.profile.notes')}</dt>
            <dd>
              <ul className="notes" lang="en">
                {status.notes.map((note) => (
                  <li key={note}>{note}</li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
