/**
 * The request of a case as both sides read it: offences, facts, data sought, handling,
 * references, the answers to the elements the basis requires (with their citations), safeguards
 * and data protection; then the record of the review, the assessment and the response.
 */
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { useLocale } from '../../hooks/useLocale';
import type { ApplicableBasis, OffenceCategory } from '../../lib/bases';
import type { RequestDocument } from '../../lib/request-form';
import { formatDateTime } from '../../lib/time-left';
import type { CaseDetail } from '../../types';
import { Cite, type Tx } from './shared';

interface Review {
  reviewer: string;
  role: string;
  at: string;
  reference: string;
  decision: string;
  notes?: string;
}

interface AssessmentRecord {
  grounds: { ground: string; applies: boolean; note?: string }[];
  decision: string;
  reasons?: string;
  conditions?: string[];
  partialScope?: string;
}

export function RequestView({ c, basis, offences }: { c: CaseDetail; basis: ApplicableBasis | null; offences: readonly OffenceCategory[] }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const locale = useLocale();
  const request = c.request as RequestDocument | null;
  if (!request) {
    return (
      <p className="alert alert-info" data-testid="case-purged">
        <Icon name="info" /> {t('case.request.purged', { date: c.purgedAt ? formatDateTime(c.purgedAt, locale) : '—' })}
      </p>
    );
  }
  const offenceName = (id: string) => offences.find((o) => o.id === id)?.name ?? id;
  const range = request.dataSought.timeRange;
  const elements = basis?.requiredContents ?? [];
  const contentIds = [...new Set([...elements.filter((e) => request.contents[e.id] !== undefined).map((e) => e.id), ...Object.keys(request.contents)])];
  return (
    <div data-testid="case-request">
      <dl className="facts">
        <dt>{t('case.request.offences')}</dt>
        <dd>
          <ul className="plain-list">
            {request.offences.map((o, i) => (
              <li key={i}>
                <strong>{offenceName(o.category)}</strong> — {o.nationalProvision}
                {o.maxPenaltyYears !== null && <> ({t('case.request.maxPenalty', { years: o.maxPenaltyYears })})</>}
              </li>
            ))}
          </ul>
        </dd>
        <dt>{t('case.request.facts')}</dt>
        <dd className="prose">{request.facts}</dd>
        <dt>{t('case.request.identifiers')}</dt>
        <dd>
          {request.dataSought.identifiers.length === 0 ? (
            <span className="muted">{t('case.request.none')}</span>
          ) : (
            <ul className="plain-list">
              {request.dataSought.identifiers.map((id, i) => (
                <li key={i}>
                  <span className="muted">{tx(`wizard.identifiers.types.${id.type}`)}:</span> <code>{id.value}</code>
                  {id.type === 'account' && <> ({id.service})</>}
                  {id.type === 'ip' && (
                    <>
                      {' '}
                      {t('case.request.ipAt', { at: id.timestamp })}
                      {id.port !== undefined && <>, {t('case.request.port', { port: id.port })}</>}
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>{t('case.request.categories')}</dt>
        <dd>{request.dataSought.categories.length === 0 ? <span className="muted">{t('case.request.none')}</span> : request.dataSought.categories.map((cat) => tx(`wizard.categories.${cat}`)).join(', ')}</dd>
        <dt>{t('case.request.period')}</dt>
        <dd>{range ? t('case.request.periodValue', { from: formatDateTime(range.from, locale, 'UTC'), to: formatDateTime(range.to, locale, 'UTC') }) : <span className="muted">{t('case.request.none')}</span>}</dd>
        {request.dataSought.relevance && (
          <>
            <dt>{t('case.request.relevance')}</dt>
            <dd className="prose">{request.dataSought.relevance}</dd>
          </>
        )}
        {request.emergency.emergency && (
          <>
            <dt>{t('case.request.emergency')}</dt>
            <dd className="prose">{request.emergency.justification ?? '—'}</dd>
          </>
        )}
        <dt>{t('case.request.confidentiality')}</dt>
        <dd>{tx(`wizard.handling.levels.${request.confidentiality}`)}</dd>
        <dt>{t('case.request.language')}</dt>
        <dd>
          {request.language}
          {request.translation.required && <> — {t('case.request.translation', { language: request.translation.language ?? '—' })}</>}
        </dd>
        <dt>{t('case.request.references')}</dt>
        <dd>
          {request.references.requesting}
          {request.references.requested && <> / {request.references.requested}</>}
        </dd>
      </dl>

      {contentIds.length > 0 && (
        <>
          <h3>{t('case.request.contents')}</h3>
          <dl className="facts stacked" data-testid="case-contents">
            {contentIds.map((id) => {
              const element = elements.find((e) => e.id === id);
              return (
                <div key={id} className="facts-row">
                  <dt>
                    {element ? element.text : id} {element && <Cite citation={element.citation} />}
                  </dt>
                  <dd className="prose">{request.contents[id]}</dd>
                </div>
              );
            })}
          </dl>
        </>
      )}

      <h3>{t('case.request.safeguards')}</h3>
      <dl className="facts">
        <dt>{t('wizard.safeguards.grounds')}</dt>
        <dd className="prose">{request.safeguards.grounds ?? <span className="muted">—</span>}</dd>
        <dt>{t('wizard.safeguards.proportionality')}</dt>
        <dd className="prose">{request.safeguards.proportionality ?? <span className="muted">—</span>}</dd>
        <dt>{t('wizard.safeguards.scope')}</dt>
        <dd className="prose">{request.safeguards.scope ?? <span className="muted">—</span>}</dd>
        <dt>{t('wizard.safeguards.durationDays')}</dt>
        <dd>{request.safeguards.durationDays !== undefined ? t('case.request.days', { days: request.safeguards.durationDays }) : <span className="muted">—</span>}</dd>
        <dt>{t('wizard.dataProtection.purpose')}</dt>
        <dd className="prose">{request.dataProtection.purpose}</dd>
        <dt>{t('wizard.dataProtection.retentionDays')}</dt>
        <dd>{t('case.request.days', { days: request.dataProtection.retentionDays })}</dd>
      </dl>
    </div>
  );
}

export function ReviewRecord({ review }: { review: unknown }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const locale = useLocale();
  if (!review) return null;
  const r = review as Review;
  return (
    <section aria-labelledby="review-title" data-testid="case-review">
      <h3 id="review-title">{t('case.review.title')}</h3>
      <dl className="facts">
        <dt>{t('case.review.reviewer')}</dt>
        <dd>
          {r.reviewer} ({tx(`case.review.roles.${r.role}`)})
        </dd>
        <dt>{t('case.review.at')}</dt>
        <dd>
          <time dateTime={r.at}>{formatDateTime(r.at, locale)}</time>
        </dd>
        <dt>{t('case.review.reference')}</dt>
        <dd>{r.reference}</dd>
        <dt>{t('case.review.decision')}</dt>
        <dd>{t('case.review.approved')}</dd>
        {r.notes && (
          <>
            <dt>{t('case.review.notes')}</dt>
            <dd className="prose">{r.notes}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

export function AssessmentRecord({ assessment, basis }: { assessment: unknown; basis: ApplicableBasis | null }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  if (!assessment) return null;
  const a = assessment as AssessmentRecord;
  const groundText = (id: string) => basis?.refusalGrounds.find((g) => g.ground === id)?.text ?? id;
  return (
    <section aria-labelledby="assessment-record-title" data-testid="case-assessment">
      <h3 id="assessment-record-title">{t('assessment.record.title')}</h3>
      <dl className="facts">
        <dt>{t('assessment.decision')}</dt>
        <dd>
          <strong>{tx(`assessment.decisions.${a.decision}`)}</strong>
        </dd>
        {a.reasons && (
          <>
            <dt>{t('assessment.reasons')}</dt>
            <dd className="prose">{a.reasons}</dd>
          </>
        )}
        {a.conditions && a.conditions.length > 0 && (
          <>
            <dt>{t('assessment.conditions')}</dt>
            <dd>
              <ul>
                {a.conditions.map((c, i) => (
                  <li key={i}>{c}</li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {a.partialScope && (
          <>
            <dt>{t('assessment.partialScope')}</dt>
            <dd className="prose">{a.partialScope}</dd>
          </>
        )}
      </dl>
      {a.grounds.length > 0 && (
        <div className="table-wrap">
          <table className="table compact">
            <caption className="visually-hidden">{t('assessment.record.groundsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('assessment.record.ground')}</th>
                <th scope="col">{t('assessment.record.applies')}</th>
                <th scope="col">{t('assessment.record.note')}</th>
              </tr>
            </thead>
            <tbody>
              {a.grounds.map((g) => (
                <tr key={g.ground}>
                  <th scope="row">{groundText(g.ground)}</th>
                  <td>{g.applies ? t('assessment.applies') : t('assessment.doesNotApply')}</td>
                  <td>{g.note ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The requested side's answer: the `respond` event's summary. */
export function ResponseRecord({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const event = [...c.history].reverse().find((e) => e.event === 'respond');
  if (!event) return null;
  const payload = (event.payload ?? {}) as { summary?: unknown };
  return (
    <section aria-labelledby="response-record-title" data-testid="case-response">
      <h3 id="response-record-title">{t('response.record.title')}</h3>
      <p className="small muted">
        {t('response.record.at', { at: formatDateTime(event.at, locale) })}
      </p>
      <p className="prose">{typeof payload.summary === 'string' && payload.summary.trim() ? payload.summary : t('response.record.noSummary')}</p>
    </section>
  );
}
