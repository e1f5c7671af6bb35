/**
 * When a legal clock is due: the moment in the reader's time zone (and locale), the time left
 * ("in 3 days 4 h" / "overdue by 2 h", in words), and a warning icon for an overdue clock and a
 * clock icon with "Due soon" for one due soon — never colour alone.
 */
import { useTranslation } from 'react-i18next';
import { useNow } from '../hooks/useNow';
import { formatDateTime, formatTimeLeft, readerTimeZone, timeLeft, urgency } from '../lib/time-left';
import { Icon } from './Icon';
import { useLocale } from '../hooks/useLocale';

export interface TimeLeftProps {
  dueAt: string | null;
  /** The time zone the clock runs in (the authority's); mentioned when it differs from the reader's. */
  clockTimeZone?: string;
}

export function TimeLeft({ dueAt, clockTimeZone }: TimeLeftProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const now = useNow();
  if (dueAt === null) return <span className="muted">{t('time.noDue')}</span>;
  const left = timeLeft(dueAt, now);
  const level = urgency(left);
  const readerZone = readerTimeZone();
  return (
    <span className={`time-left time-left-${level}`}>
      {level === 'overdue' && (
        // The text right after says "overdue by …": the flag adds the icon, not the word again.
        <span className="flag flag-overdue">
          <Icon name="warning" />
        </span>
      )}
      {level === 'due-soon' && (
        <strong className="flag flag-due-soon">
          <Icon name="clock" />{' '}
          {t('time.dueSoon')}
        </strong>
      )}{' '}
      <span className="time-left-relative">{formatTimeLeft(left, t)}</span>{' '}
      <span className="time-left-absolute">
        ({t('time.due')} <time dateTime={dueAt}>{formatDateTime(dueAt, locale)}</time>)
      </span>
      {clockTimeZone && clockTimeZone !== readerZone && <span className="muted small block">{t('dashboard.deadlines.clockZone', { zone: clockTimeZone })}</span>}
    </span>
  );
}
