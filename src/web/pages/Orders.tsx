/**
 * Regulation (EU) 2023/1543 orders the user's authority takes part in: as issuing authority,
 * as addressee (a provider's designated establishment or legal representative) once delivered, or
 * as enforcing authority once notified. Each row shows the party played and the next clock.
 */
import type { ParseKeys } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useMe } from '../auth';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import type { OrderFormOptionsView, OrderSummaryView } from '../lib/orders';
import { formatDateTime } from '../lib/time-left';
import { Link } from '../router';
import { paths } from '../routes';

export default function Orders() {
  const { t } = useTranslation();
  const tk = (key: string) => t(key as ParseKeys);
  const locale = useLocale();
  const me = useMe();
  const list = useApi((signal) => api.client.get<OrderSummaryView[]>('/api/orders', { signal }), []);
  const drafterRole = me.roles.some((r) => r === 'drafter' || r === 'central-authority-officer' || r === '24/7-officer');
  // A drafting role is not enough: the account's authority must be an Art. 4 issuing authority
  // (an enforcing authority's officer drafts nothing). The same data the server checks.
  const form = useApi((signal) => (drafterRole ? api.client.get<OrderFormOptionsView>('/api/orders/form', { signal }) : Promise.resolve(null)), [drafterRole]);
  const mayDraft = drafterRole && (form.data?.issuerKinds.length ?? 0) > 0;
  return (
    <>
      <PageTitle>{t('orders.title')}</PageTitle>
      <p className="lead">{t('orders.intro')}</p>
      {mayDraft && (
        <p>
          <Link to={paths.newOrder()} className="button primary" data-testid="orders-new">
            {t('orders.new')}
          </Link>
        </p>
      )}
      {drafterRole && form.data && !mayDraft && (
        <p className="small" data-testid="orders-not-issuing">
          {t('orders.issuerKindsNone', { authority: form.data.issuingAuthority?.name ?? '' })}
        </p>
      )}
      {list.problem && <ProblemAlert problem={list.problem} onRetry={list.reload} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && list.data.length === 0 && <p data-testid="orders-empty">{t('orders.empty')}</p>}
      {list.data && list.data.length > 0 && (
        <table data-testid="orders-table">
          <caption className="visually-hidden">{t('orders.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('orders.reference')}</th>
              <th scope="col">{t('orders.kind')}</th>
              <th scope="col">{t('orders.provider')}</th>
              <th scope="col">{t('orders.yourParty')}</th>
              <th scope="col">{t('orders.stateLabel')}</th>
              <th scope="col">{t('orders.nextDue')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((o) => (
              <tr key={o.id} data-testid="orders-row" data-state={o.state}>
                <td>
                  <Link to={paths.order(o.id)}>{o.reference}</Link>
                  {o.emergency && <strong className="badge"> {t('orders.emergency')}</strong>}
                </td>
                <td>{o.kind}</td>
                <td>{o.provider}</td>
                <td>{o.yourParties.map((p) => tk(`orders.party.${p}`)).join(', ')}</td>
                <td>{tk(`orders.state.${o.state}`)}</td>
                <td>{o.nextDue ? <time dateTime={o.nextDue}>{formatDateTime(o.nextDue, locale)}</time> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
