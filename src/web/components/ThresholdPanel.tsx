/**
 * An instrument that enters into force on the n-th day after the m-th instrument (the UN
 * Convention against Cybercrime, Art. 65(1): 90 days after the 40th): progress toward the
 * threshold (a progress bar with its figures in text; unconfirmed instruments listed and marked,
 * never counted), the projected entry into force, and the days left in the signature window
 * (Art. 64), all at the chosen date. The arithmetic is lib/uncc.ts.
 */
import { useTranslation } from 'react-i18next';
import { useLocale } from '../hooks/useLocale';
import { formatNumber } from '../i18n/labels';
import { formatIsoDate } from '../lib/dates';
import type { NamedRow, Participation } from '../lib/participation';
import { signatureWindow, thresholdProgress } from '../lib/uncc';
import { Link } from '../router';
import { paths } from '../routes';
import { VerifiedFlag } from './TreatyStatus';

export function ThresholdPanel({ data, names }: { data: Participation; names: ReadonlyMap<string, NamedRow> }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const rule = data.entryIntoForceRule;
  if (rule.kind !== 'nth-day-after') return null;
  const progress = thresholdProgress(data.instrumentStatus.consents, rule, data.date);
  // One source for the count toward the threshold: the server's (the CLI prints the same, issue 16).
  const counted = data.instrumentStatus.counted;
  const signature = signatureWindow(data.date, data.openedForSignature, data.signatureCloses);
  const date = (iso: string) => formatIsoDate(iso, locale);
  const count = (n: number) => formatNumber(n, locale);
  const label = (party: string) => names.get(party)?.label ?? party;

  let projection: string;
  if (progress.projectedEntryIntoForce === null) projection = t('treaty.threshold.notProjected', { days: rule.days, threshold: rule.threshold });
  else if (progress.inForce) projection = t('treaty.threshold.inForce', { date: date(progress.projectedEntryIntoForce), days: rule.days, threshold: rule.threshold, reached: date(progress.reachedOn as string) });
  else projection = t('treaty.threshold.projected', { date: date(progress.projectedEntryIntoForce), days: rule.days, threshold: rule.threshold, reached: date(progress.reachedOn as string) });

  let windowText: string;
  switch (signature.state) {
    case 'not-open':
      windowText = t('treaty.window.notOpen', { count: signature.daysUntilOpen, date: date(signature.opens) });
      break;
    case 'open':
      windowText = signature.lastDay ? t('treaty.window.lastDay', { date: date(signature.closes) }) : t('treaty.window.open', { count: signature.daysLeft, date: date(signature.closes), from: date(data.date) });
      break;
    case 'closed':
      windowText = t('treaty.window.closed', { date: date(signature.closes) });
      break;
    case 'unlimited':
      windowText = t('treaty.window.unlimited');
      break;
  }

  return (
    <section className="panel threshold-panel" aria-labelledby="threshold-title" data-testid="threshold-panel">
      <h2 id="threshold-title">{t('treaty.threshold.title', { instrument: t(`treaty.instruments.${data.instrument}` as 'treaty.instruments.UNCC') })}</h2>
      <div className="threshold-grid">
        <div>
          <h3 id="threshold-progress-label">{t('treaty.threshold.progressTitle', { threshold: rule.threshold })}</h3>
          <div className="progress-row">
            <progress id="threshold-progress" max={rule.threshold} value={Math.min(counted, rule.threshold)} aria-labelledby="threshold-progress-label" aria-describedby="threshold-progress-text" data-testid="threshold-progress" />
          </div>
          <p id="threshold-progress-text" className="progress-text" data-testid="threshold-progress-text">
            <strong>{t('treaty.threshold.progress', { count: counted, counted: count(counted), threshold: count(rule.threshold) })}</strong>
            {progress.remaining > 0 && <> {t('treaty.threshold.remaining', { count: progress.remaining, remaining: count(progress.remaining) })}</>}
          </p>
          {progress.unconfirmed.length > 0 && (
            <div className="unconfirmed" data-testid="threshold-unconfirmed">
              <p>{t('treaty.threshold.unconfirmed', { count: progress.unconfirmed.length, unconfirmed: count(progress.unconfirmed.length) })}</p>
              <ul>
                {progress.unconfirmed.map((c) => (
                  <li key={c.party}>
                    <Link to={paths.party(c.party, { instrument: data.instrument, date: data.date })}>{label(c.party)}</Link>{' '}
                    <span className="unverified">
                      <span aria-hidden="true">⚠ </span>
                      {t('treaty.threshold.unconfirmedMark')}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {rule.excludeRegionalOrganisations && <p className="small muted">{t('treaty.threshold.euNote')}</p>}
        </div>
        <div>
          <h3>{t('treaty.threshold.entryIntoForce')}</h3>
          <p data-testid="threshold-projection">{projection}</p>
          <p className="small muted">
            {t('treaty.citation', { article: rule.citation.paragraph ? `${rule.citation.article}(${rule.citation.paragraph})` : rule.citation.article })} <VerifiedFlag verified={rule.citation.verified} />
          </p>
          <h3>{t('treaty.window.title')}</h3>
          <p data-testid="signature-window" data-state={signature.state}>
            {windowText}
          </p>
          {data.signatureWindowCitation && (
            <p className="small muted">
              {t('treaty.citation', { article: data.signatureWindowCitation.article })} <VerifiedFlag verified={data.signatureWindowCitation.verified} />
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
