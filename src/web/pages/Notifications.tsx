/**
 * The caller's notifications: newest first, unread ones marked, each linked to its case (opening
 * it marks it read), "mark all read", and a link to the settings. No request content: the kind,
 * the case reference and when.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Icon } from '../components/Icon';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import { notificationsChanged } from '../hooks/useUnread';
import { formatDateTime } from '../lib/time-left';
import { ApiProblem } from '../lib/problem';
import { Link } from '../router';
import { paths } from '../routes';

export default function Notifications() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useApi((signal) => api.me.notifications({ unread: unreadOnly, limit: 200 }, signal), [unreadOnly]);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const mark = async (ids: string[] | 'all') => {
    try {
      await api.me.markRead(ids);
      setProblem(undefined);
      notificationsChanged();
      list.reload();
    } catch (error) {
      if (error instanceof ApiProblem) setProblem(error);
    }
  };
  const items = list.data?.items ?? [];
  return (
    <>
      <PageTitle>{t('notifications.title')}</PageTitle>
      <p className="lead">{t('notifications.intro')}</p>
      <div className="toolbar">
        <label className="inline-check">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> {t('notifications.unreadOnly')}
        </label>
        <button type="button" className="button secondary" disabled={!list.data || list.data.unread === 0} onClick={() => void mark('all')}>
          {t('notifications.markAllRead')}
        </button>
        <Link to={paths.notificationSettings()}>{t('notifications.settings')}</Link>
      </div>
      {problem && <ProblemAlert problem={problem} />}
      {list.problem && <ProblemAlert problem={list.problem} onRetry={list.reload} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && (
        <>
          <p role="status" className="list-status">
            {t('notifications.unreadCount', { count: list.data.unread })}
          </p>
          {items.length === 0 ? (
            <p>{t('notifications.empty')}</p>
          ) : (
            <ul className="notification-list" data-testid="notification-list">
              {items.map((n) => (
                <li key={n.id} className={n.readAt === null ? 'unread' : 'read'} data-kind={n.kind}>
                  <p>
                    {n.readAt === null && <span className="badge badge-new">{t('notifications.new')}</span>}{' '}
                    <strong>{t(`notifications.kinds.${n.kind}`)}</strong>{' '}
                    {n.emergency && (
                      <span className="badge badge-emergency">
                        <Icon name="bolt" />
                        {t('cases.emergency')}
                      </span>
                    )}
                  </p>
                  <p>
                    <Link to={paths.case(n.caseId)} className="case-ref" onClick={() => (n.readAt === null ? void mark([n.id]) : undefined)}>
                      {n.reference ?? t('notifications.case')}
                    </Link>{' '}
                    · <time dateTime={n.createdAt}>{formatDateTime(n.createdAt, locale)}</time>
                    {n.readAt === null && (
                      <>
                        {' '}
                        ·{' '}
                        <button type="button" className="link-button" onClick={() => void mark([n.id])}>
                          {t('notifications.markRead')}
                          <span className="visually-hidden"> — {n.reference ?? ''}</span>
                        </button>
                      </>
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
