/**
 * The cases list: server-side pages (limit/offset) of /api/cases, filtered by state. The state,
 * page and page size live in the URL (?state=sent&page=3&size=50), so links, reload and the back
 * button keep the view. Only one page of rows is ever rendered, whatever the total.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CASE_STATES } from '../../cases/workflow';
import { api } from '../api';
import { useAuth } from '../auth';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Pagination } from '../components/Pagination';
import { ProblemAlert } from '../components/ProblemAlert';
import { StateBadge } from '../components/StateBadge';
import { useApi } from '../hooks/useApi';
import { formatNumber, measureLabel } from '../i18n/labels';
import { intParam, withQuery } from '../lib/route';
import { formatDateTime } from '../lib/time-left';
import { Link, navigate, useLocation } from '../router';
import { paths } from '../routes';
import type { CaseState } from '../types';
import { Icon } from '../components/Icon';
import { useLocale } from '../hooks/useLocale';

const PAGE_SIZES = [25, 50, 100] as const;
const DEFAULT_SIZE = 25;

function parseState(value: string | null): CaseState | undefined {
  return value !== null && (CASE_STATES as readonly string[]).includes(value) ? (value as CaseState) : undefined;
}

export default function Cases() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { authorityName, me } = useAuth();
  const { query } = useLocation();
  const stateId = useId();
  const sizeId = useId();

  const state = parseState(query.get('state'));
  const filters = {
    q: query.get('q') ?? undefined,
    addressee: query.get('addressee') ?? undefined,
    emergency: query.get('emergency') === 'true' ? ('true' as const) : undefined,
    from: /^\d{4}-\d{2}-\d{2}$/.test(query.get('from') ?? '') ? (query.get('from') as string) : undefined,
    to: /^\d{4}-\d{2}-\d{2}$/.test(query.get('to') ?? '') ? (query.get('to') as string) : undefined,
  };
  const filtersKey = JSON.stringify(filters);
  const searchId = useId();
  const addresseeId = useId();
  const fromId = useId();
  const toId = useId();
  const { authorities } = useAuth();
  const requestedSize = intParam(query, 'size', DEFAULT_SIZE);
  const size = (PAGE_SIZES as readonly number[]).includes(requestedSize) ? requestedSize : DEFAULT_SIZE;
  const page = intParam(query, 'page', 1, { max: 1_000_000 });

  const list = useApi((signal) => api.cases.list({ ...(state ? { state } : {}), ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)), limit: size, offset: (page - 1) * size }, signal), [state, size, page, filtersKey]);
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / size));

  type Filters = typeof filters;
  const href = (changes: { state?: CaseState | undefined; page?: number; size?: number } & Partial<Filters>) => {
    const next = { state, page, size, ...filters, ...changes };
    return withQuery(paths.cases(), {
      state: next.state,
      q: next.q || undefined,
      addressee: next.addressee || undefined,
      emergency: next.emergency,
      from: next.from || undefined,
      to: next.to || undefined,
      page: next.page > 1 ? next.page : undefined,
      size: next.size !== DEFAULT_SIZE ? next.size : undefined,
    });
  };
  const [draftSearch, setDraftSearch] = useState(filters.q ?? '');

  const rows = list.data?.cases ?? [];
  const from = total === 0 ? 0 : (page - 1) * size + 1;
  const to = Math.min(total, (page - 1) * size + rows.length);

  return (
    <>
      <PageTitle>{t('cases.title')}</PageTitle>
      <p className="lead">{t('cases.intro')}</p>

      <form
        className="filters"
        role="search"
        aria-label={t('cases.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href({ q: draftSearch.trim() || undefined, page: 1 }), { keepFocus: true });
        }}
      >
        <div className="field inline">
          <label htmlFor={searchId}>{t('cases.search')}</label>
          <input id={searchId} type="search" value={draftSearch} placeholder={t('cases.searchHint')} onChange={(e) => setDraftSearch(e.target.value)} data-testid="cases-search" />
          <button type="submit" className="button secondary">
            {t('cases.searchButton')}
          </button>
        </div>
        <div className="field inline">
          <label htmlFor={addresseeId}>{t('cases.to')}</label>
          <select id={addresseeId} value={filters.addressee ?? ''} onChange={(e) => navigate(href({ addressee: e.target.value || undefined, page: 1 }), { keepFocus: true })}>
            <option value="">{t('cases.anyAddressee')}</option>
            {authorities.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label className="inline-check">
            <input type="checkbox" checked={filters.emergency === 'true'} onChange={(e) => navigate(href({ emergency: e.target.checked ? 'true' : undefined, page: 1 }), { keepFocus: true })} /> {t('cases.emergencyOnly')}
          </label>
        </div>
        <div className="field inline">
          <label htmlFor={fromId}>{t('cases.createdFrom')}</label>
          <input id={fromId} type="date" value={filters.from ?? ''} onChange={(e) => navigate(href({ from: e.target.value || undefined, page: 1 }), { keepFocus: true })} />
        </div>
        <div className="field inline">
          <label htmlFor={toId}>{t('cases.createdTo')}</label>
          <input id={toId} type="date" value={filters.to ?? ''} onChange={(e) => navigate(href({ to: e.target.value || undefined, page: 1 }), { keepFocus: true })} />
        </div>
        <div className="field inline">
          <label htmlFor={stateId}>{t('cases.state')}</label>
          <select id={stateId} value={state ?? ''} onChange={(e) => navigate(href({ state: parseState(e.target.value), page: 1 }), { keepFocus: true })}>
            <option value="">{t('cases.allStates')}</option>
            {CASE_STATES.map((s) => (
              <option key={s} value={s}>
                {t(`states.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor={sizeId}>{t('cases.pageSize')}</label>
          <select id={sizeId} value={size} onChange={(e) => navigate(href({ size: Number(e.target.value), page: 1 }), { keepFocus: true })}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </form>

      {list.problem && <ProblemAlert problem={list.problem} onRetry={list.reload} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && (
        <>
          <p className="list-status" role="status">
            {list.loading ? t('cases.updating') : total === 0 ? t('cases.empty') : t('cases.showing', { from: formatNumber(from, locale), to: formatNumber(to, locale), total: formatNumber(total, locale) })}
          </p>
          {rows.length === 0 ? null : (
            <div className="table-wrap">
              <table className="table" aria-busy={list.loading}>
                <caption className="visually-hidden">{t('cases.caption', { page: formatNumber(page, locale), pages: formatNumber(pages, locale) })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('cases.reference')}</th>
                    <th scope="col">{t('cases.state')}</th>
                    <th scope="col">{t('cases.from')}</th>
                    <th scope="col">{t('cases.to')}</th>
                    <th scope="col">{t('cases.measures')}</th>
                    <th scope="col">{t('cases.legalBasis')}</th>
                    <th scope="col">{t('cases.updated')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((c) => (
                    <tr key={c.id} className={c.emergency ? 'emergency-row' : undefined}>
                      <th scope="row">
                        <Link to={paths.case(c.id)} className="case-ref">
                          {c.reference}
                        </Link>
                        {c.emergency && (
                          <span className="badge badge-emergency">
                            <Icon name="bolt" />
                            {t('cases.emergency')}
                          </span>
                        )}
                      </th>
                      <td>
                        <StateBadge state={c.state} />
                      </td>
                      <td className={c.requestingAuthorityId === me?.authorityId ? 'own' : undefined}>
                        <span className="party">{c.requestingParty}</span> {authorityName(c.requestingAuthorityId)}
                      </td>
                      <td className={c.addresseeId === me?.authorityId ? 'own' : undefined}>
                        <span className="party">{c.requestedParty}</span> {authorityName(c.addresseeId)}
                      </td>
                      <td>{c.measures.map((m) => measureLabel(t, m)).join(', ')}</td>
                      <td>
                        <code>{c.legalBasis}</code>
                      </td>
                      <td>
                        <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt, locale)}</time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination page={Math.min(page, pages)} pages={pages} hrefFor={(p) => href({ page: p })} />
        </>
      )}
    </>
  );
}
