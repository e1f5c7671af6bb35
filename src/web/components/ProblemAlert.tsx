/** An API problem for people: the translated message for its code, its issues, the request id. */
import { useTranslation } from 'react-i18next';
import { problemMessageKey, type ApiProblem } from '../lib/problem';
import { Icon } from './Icon';

export interface ProblemAlertProps {
  problem: ApiProblem;
  /** Offers "Try again". */
  onRetry?: () => void;
  /** Element id, e.g. for aria-describedby / aria-errormessage on a form field. */
  id?: string;
}

export function ProblemAlert({ problem, onRetry, id }: ProblemAlertProps) {
  const { t } = useTranslation();
  return (
    <div className="alert alert-error" role="alert" id={id}>
      <p className="alert-message">
        <Icon name="warning" />{' '}
        {t(problemMessageKey(problem.code))}
      </p>
      {problem.issues.length > 0 && (
        <details open>
          <summary>{t('problem.issues')}</summary>
          <ul>
            {problem.issues.map((issue, i) => (
              <li key={`${issue.field}-${i}`}>
                {issue.field && <code>{issue.field}</code>} {issue.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      {problem.instance && <p className="muted small">{t('problem.requestId', { id: problem.instance })}</p>}
      {onRetry && (
        <button type="button" className="button secondary" onClick={onRetry}>
          {t('problem.retry')}
        </button>
      )}
    </div>
  );
}
