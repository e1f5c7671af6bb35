/**
 * What the caller chooses to receive, per kind: in the workspace and by e-mail (offered when the
 * node has an SMTP server; e-mails carry only a link, never request content).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useApi } from '../hooks/useApi';
import { ApiProblem } from '../lib/problem';
import { Link } from '../router';
import { paths } from '../routes';
import type { NotificationPreference } from '../types';

export default function NotificationSettings() {
  const { t } = useTranslation();
  const loaded = useApi((signal) => api.me.preferences(signal), []);
  const [prefs, setPrefs] = useState<NotificationPreference[] | null>(null);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  useEffect(() => {
    if (loaded.data) setPrefs(loaded.data.preferences);
  }, [loaded.data]);
  const toggle = (kind: string, channel: 'inApp' | 'email', value: boolean) => {
    setSaved(false);
    setPrefs((list) => (list ?? []).map((p) => (p.kind === kind ? { ...p, [channel]: value } : p)));
  };
  const save = async () => {
    if (!prefs) return;
    try {
      const answer = await api.me.setPreferences(prefs);
      setPrefs(answer.preferences);
      setProblem(undefined);
      setSaved(true);
    } catch (error) {
      if (error instanceof ApiProblem) setProblem(error);
    }
  };
  const email = loaded.data?.email ?? false;
  return (
    <>
      <PageTitle>{t('notifications.settingsTitle')}</PageTitle>
      <p className="lead">{t('notifications.settingsIntro')}</p>
      {!email && loaded.data && <p className="alert info">{t('notifications.noEmail')}</p>}
      {loaded.problem && <ProblemAlert problem={loaded.problem} onRetry={loaded.reload} />}
      {problem && <ProblemAlert problem={problem} />}
      {!prefs && !loaded.problem && <Loading />}
      {prefs && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <div className="table-wrap">
            <table className="table" data-testid="notification-preferences">
              <caption className="visually-hidden">{t('notifications.settingsTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('notifications.kind')}</th>
                  <th scope="col">{t('notifications.inApp')}</th>
                  <th scope="col">{t('notifications.email')}</th>
                </tr>
              </thead>
              <tbody>
                {prefs.map((p) => (
                  <tr key={p.kind}>
                    <th scope="row">{t(`notifications.kinds.${p.kind}`)}</th>
                    <td>
                      <input type="checkbox" aria-label={`${t(`notifications.kinds.${p.kind}`)} — ${t('notifications.inApp')}`} checked={p.inApp} onChange={(e) => toggle(p.kind, 'inApp', e.target.checked)} />
                    </td>
                    <td>
                      <input type="checkbox" aria-label={`${t(`notifications.kinds.${p.kind}`)} — ${t('notifications.email')}`} checked={p.email} disabled={!email} onChange={(e) => toggle(p.kind, 'email', e.target.checked)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <button type="submit" className="button">
              {t('notifications.save')}
            </button>{' '}
            <Link to={paths.notifications()}>{t('notifications.back')}</Link>
          </p>
          <p role="status">{saved ? t('notifications.saved') : ''}</p>
        </form>
      )}
    </>
  );
}
