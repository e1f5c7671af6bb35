/**
 * The provider's inbox (issue 14 part B): every order that reached this provider, with a badge
 * per verification check — signature by a key of the trust list, the issuing authority's power
 * under the law (Art. 4), the issuing node's log, the emergency's second signature, replay — and,
 * for a quarantined order, its reasons. A quarantined order has no case and no answer action: it
 * cannot be answered with data. A verified order links to its case, where the answer is given.
 */
import { useTranslation } from 'react-i18next';
import { Link } from '../router';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import { CHECKS, type CheckStatus, type ProviderOrderView } from '../lib/provider';
import { formatDateTime } from '../lib/time-left';
import { paths } from '../routes';

const BADGE: Record<CheckStatus, string> = { pass: 'badge-done', fail: 'badge-emergency', 'not-checked': 'badge-preparing', 'not-applicable': 'badge-ended' };
const ICON: Record<CheckStatus, string> = { pass: '✓', fail: '✗', 'not-checked': '?', 'not-applicable': '–' };

export default function ProviderInbox() {
  const { t } = useTranslation();
  const orders = useApi((signal) => api.provider.orders(signal), []);
  const quarantined = orders.data?.filter((o) => o.status === 'quarantined').length ?? 0;
  return (
    <>
      <div className="page-head">
        <div>
          <PageTitle>{t('provider.title')}</PageTitle>
          <p className="lead">{t('provider.intro')}</p>
        </div>
        <p className="download">
          <Link className="button secondary" to={paths.providerReport()}>
            {t('provider.report.link')}
          </Link>
        </p>
      </div>
      {orders.problem && <ProblemAlert problem={orders.problem} onRetry={orders.reload} />}
      {!orders.data && !orders.problem && <Loading />}
      {orders.data && quarantined > 0 && (
        <div className="alert alert-info" role="status" data-testid="provider-quarantine-note">
          {t('provider.quarantinedNote', { count: quarantined })}
        </div>
      )}
      {orders.data && (orders.data.length === 0 ? <p className="empty">{t('provider.empty')}</p> : <OrderTable orders={orders.data} />)}
    </>
  );
}

function OrderTable({ orders }: { orders: ProviderOrderView[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <table className="table" data-testid="provider-orders">
      <caption className="visually-hidden">{t('provider.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('provider.col.received')}</th>
          <th scope="col">{t('provider.col.order')}</th>
          <th scope="col">{t('provider.col.checks')}</th>
          <th scope="col">{t('provider.col.status')}</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr key={o.id} data-testid="provider-order" data-status={o.status}>
            <td>
              <time dateTime={o.receivedAt}>{formatDateTime(o.receivedAt, locale)}</time>
            </td>
            <td>
              <strong>{o.orderKind ?? t('provider.unknown')}</strong> · {o.category ? t(`provider.category.${o.category}`, { defaultValue: o.category }) : t('provider.unknown')}
              {o.emergency && (
                <>
                  {' '}
                  <span className="badge badge-emergency">{t('provider.emergency')}</span>
                </>
              )}
              <span className="block small muted">
                {t('provider.from', { authority: o.issuingAuthority ?? t('provider.unknown'), party: o.issuingParty ?? '??', node: o.senderNode ?? t('provider.unknown') })}
              </span>
              {o.instrument && <span className="block small muted">{o.instrument}</span>}
            </td>
            <td>
              <ul className="plain-list" aria-label={t('provider.col.checks')}>
                {CHECKS.map((name) => {
                  const check = o.checks[name];
                  return (
                    <li key={name} data-testid={`check-${name}`} data-check-status={check.status}>
                      <span className={`badge ${BADGE[check.status]}`}>
                        <span className="badge-icon" aria-hidden="true">
                          {ICON[check.status]}
                        </span>
                        {t(`provider.check.${name}`)}: {t(`provider.checkStatus.${check.status}`)}
                      </span>
                      {check.status === 'fail' && <span className="block small">{check.code ? t(`provider.reason.${check.code}`, { defaultValue: check.code }) : ''}</span>}
                      {check.status === 'fail' && <span className="block small muted">{check.detail}</span>}
                      {check.citation && !check.citation.verified && <span className="block small muted">{t('provider.unverifiedRule')}</span>}
                    </li>
                  );
                })}
              </ul>
            </td>
            <td>
              {o.status === 'quarantined' ? (
                <>
                  <span className="badge badge-emergency">{t('provider.status.quarantined')}</span>
                  <span className="block small">{t('provider.notAnswerable')}</span>
                  <span className="block small muted">
                    {t('provider.reasons')}: <code>{o.reasons.join(', ')}</code>
                  </span>
                </>
              ) : (
                <>
                  <span className="badge badge-done">{t('provider.status.verified')}</span>
                  <span className="block small">{t(`provider.outcome.${o.outcome}`)}</span>
                  {o.dueAt && (
                    <span className="block small muted">
                      {t('provider.due')} <time dateTime={o.dueAt}>{formatDateTime(o.dueAt, locale)}</time>
                    </span>
                  )}
                  {o.caseId && o.answerable && (
                    <Link className="block small" to={paths.case(o.caseId)}>
                      {t('provider.openCase')}
                    </Link>
                  )}
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
