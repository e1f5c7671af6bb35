/**
 * The access log of a case for auditors: who read or downloaded what, when, by name, and the
 * record's index in the node's transparency log.
 */
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { Loading } from '../../components/Loading';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useApi } from '../../hooks/useApi';
import { useLocale } from '../../hooks/useLocale';
import { formatDateTime } from '../../lib/time-left';

export function AccessLog({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const records = useApi((signal) => api.cases.access(caseId, signal), [caseId]);
  return (
    <section aria-labelledby="access-title" data-testid="case-access-log">
      <h2 id="access-title">{t('case.access.title')}</h2>
      <p className="small muted">{t('case.access.intro')}</p>
      {records.problem && <ProblemAlert problem={records.problem} onRetry={records.reload} />}
      {!records.data && !records.problem && <Loading />}
      {records.data && (
        <div className="table-wrap">
          <table className="table compact">
            <caption className="visually-hidden">{t('case.access.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('case.access.at')}</th>
                <th scope="col">{t('case.access.who')}</th>
                <th scope="col">{t('case.access.what')}</th>
                <th scope="col">{t('case.audit.log')}</th>
              </tr>
            </thead>
            <tbody>
              {records.data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <time dateTime={r.at}>{formatDateTime(r.at, locale)}</time>
                  </td>
                  <th scope="row">{r.actorName}</th>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td className="small">{r.logIndex === null ? '—' : <code>#{r.logIndex}</code>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
