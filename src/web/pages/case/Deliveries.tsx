/**
 * The messages of a case that crossed to another node (federation, issue 12), with their delivery
 * state: queued, relayed, delivered (the peer's workflow accepted it — never shown before the
 * peer's signed receipt verified), read, rejected (with the peer's reason) or outcome unknown.
 * Shown only when the case has such messages: a single-node case has none.
 */
import { useTranslation } from 'react-i18next';
import { useLocale } from '../../hooks/useLocale';
import { formatDateTime } from '../../lib/time-left';
import type { DeliveryView } from '../../types';

export function Deliveries({ items }: { items: readonly DeliveryView[] | undefined }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!items || items.length === 0) return null;
  return (
    <section aria-labelledby="deliveries-title" data-testid="case-deliveries">
      <h2 id="deliveries-title">{t('case.deliveries.title')}</h2>
      <div className="table-wrap">
        <table className="table compact">
          <caption className="visually-hidden">{t('case.deliveries.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('case.deliveries.message')}</th>
              <th scope="col">{t('case.deliveries.to')}</th>
              <th scope="col">{t('case.deliveries.state')}</th>
              <th scope="col">{t('case.deliveries.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.messageId} data-testid="delivery-row" data-state={d.state}>
                <th scope="row">
                  {d.type}
                  {d.emergency && <span className="block small">{t('case.deliveries.emergency')}</span>}
                </th>
                <td>
                  {d.to}
                  <span className="block small muted">{d.peer}</span>
                </td>
                <td>
                  <strong>{t(`case.deliveries.states.${d.state}`)}</strong>
                  <span className="block small muted">{t(`case.deliveries.explain.${d.state}`)}</span>
                  {d.lastError && (d.state === 'rejected' || d.state === 'outcome-unknown' || d.state === 'queued') && <span className="block small">{d.lastError}</span>}
                </td>
                <td>
                  <time dateTime={d.updatedAt}>{formatDateTime(d.updatedAt, locale)}</time>
                  {d.attempts > 1 && <span className="block small muted">{t('case.deliveries.attempts', { count: d.attempts })}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
