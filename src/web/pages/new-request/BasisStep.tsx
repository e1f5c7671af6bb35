/** Step 2 of the wizard: the legal bases that serve every measure, ranked, with their facts. */
import { useTranslation } from 'react-i18next';
import { Cite, UnverifiedMark } from '../../components/Citation';
import { FieldErrors } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { Loading } from '../../components/Loading';
import { ProblemAlert } from '../../components/ProblemAlert';
import { measureLabel } from '../../i18n/labels';
import { citeText, type combineBases } from '../../lib/bases';
import type { ApiProblem } from '../../lib/problem';
import { fieldId } from '../../lib/request-form';
import type { Tx } from './shared';


export function BasisStep({
  loading,
  problem,
  onRetry,
  ready,
  combined,
  chosen,
  onChoose,
  errors,
  from,
  to,
}: {
  loading: boolean;
  problem: ApiProblem | undefined;
  onRetry: () => void;
  ready: boolean;
  combined: ReturnType<typeof combineBases> | null;
  chosen: string;
  onChoose: (provision: string) => void;
  errors: string[];
  from: string;
  to: string;
}) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  if (!ready) return <p>{t('wizard.basis.notReady')}</p>;
  if (problem) return <ProblemAlert problem={problem} onRetry={onRetry} />;
  if (!combined || (loading && combined.applicable.length === 0)) return <Loading label={t('wizard.basis.loading')} />;
  const errorId = `${fieldId('legalBasis')}-error`;
  return (
    <>
      <fieldset id={fieldId('legalBasis')} tabIndex={-1} className="choices" aria-describedby={errors.length ? errorId : undefined} data-testid="wizard-bases">
        <legend>
          {t('wizard.basis.legend')} <span className="muted small">({t('wizard.required')})</span>
        </legend>
        <p className="hint">{t('wizard.basis.hint', { from, to })}</p>
        <FieldErrors id={errorId} errors={errors} />
        {combined.applicable.length === 0 && (
          <p className="alert alert-error" role="status">
            <Icon name="warning" /> {t('wizard.basis.none')}
          </p>
        )}
        <ol className="plain-list bases">
          {combined.applicable.map((b) => {
            const inputId = `basis-${b.provision.replace(/[^A-Za-z0-9-]+/g, '-')}`;
            const unverifiedBasis = !b.verified || !b.citation.verified;
            return (
              <li key={b.provision} className={`basis-card${chosen === b.provision ? ' chosen' : ''}`} data-testid={`wizard-basis-${b.provision}`}>
                <div className="basis-choice">
                  <input type="radio" id={inputId} name="legalBasis" value={b.provision} checked={chosen === b.provision} onChange={() => onChoose(b.provision)} aria-describedby={`${inputId}-summary`} />
                  <label htmlFor={inputId}>
                    <span className="basis-rank">{t('wizard.basis.rank', { rank: b.rank })}</span> <strong>{b.title}</strong> — {citeText(b.citation)}
                  </label>
                </div>
                <p className="basis-flags">
                  {unverifiedBasis ? (
                    <span className="unverified" data-verified="false" data-testid="basis-unverified">
                      <Icon name="warning" /> {t('wizard.basis.unverifiedBasis')}
                    </span>
                  ) : (
                    <span className="verified">
                      <Icon name="check" /> {t('wizard.basis.verifiedBasis')}
                    </span>
                  )}
                  {b.unverifiedElements > 0 && (
                    <span className="unverified" data-verified="false">
                      {' '}
                      · <Icon name="warning" /> {t('wizard.basis.unverifiedElements', { count: b.unverifiedElements })}
                    </span>
                  )}
                </p>
                <p id={`${inputId}-summary`} className="small">
                  {b.summary}
                </p>
                <dl className="basis-facts small">
                  <dt>{t('wizard.basis.citation')}</dt>
                  <dd>
                    <Cite citation={b.citation} />
                  </dd>
                  <dt>{t('wizard.basis.channel')}</dt>
                  <dd>{tx(`wizard.channels.${b.channel}`)}</dd>
                  <dt>{t('wizard.basis.parties')}</dt>
                  <dd>
                    {[b.requesting, b.requested].map((p) => (
                      <span key={p.party} className="block">
                        {p.party}: {tx(`wizard.partyStatus.${p.status}`)}
                        {p.entryIntoForce ? ` (${t('wizard.basis.since', { date: p.entryIntoForce })})` : ''}
                        {!p.verified && <UnverifiedMark />}
                      </span>
                    ))}
                  </dd>
                  <dt>{t('wizard.basis.deadlines')}</dt>
                  <dd>
                    {b.deadlines.length === 0 ? (
                      <span className="muted">{t('wizard.basis.noDeadline')}</span>
                    ) : (
                      <ul>
                        {b.deadlines.map((d) => (
                          <li key={d.id}>
                            <strong>{tx(`wizard.basis.period.${d.unit === 'hours' ? 'hours' : 'days'}`, { amount: d.amount })}</strong> — {d.description} <Cite citation={d.citation} />
                          </li>
                        ))}
                      </ul>
                    )}
                  </dd>
                  {b.conditions.length > 0 && (
                    <>
                      <dt>{t('wizard.basis.conditions')}</dt>
                      <dd>
                        <ul>
                          {b.conditions.map((c, i) => (
                            <li key={i}>
                              {c.state === 'met' ? <Icon name="check" /> : <Icon name="info" />} {c.state === 'met' ? t('wizard.basis.conditionMet') : t('wizard.basis.conditionToCheck')}: {c.text} <Cite citation={c.citation} />
                            </li>
                          ))}
                        </ul>
                      </dd>
                    </>
                  )}
                  <dt>{t('wizard.basis.contents')}</dt>
                  <dd>
                    <ul>
                      {b.requiredContents.map((e) => (
                        <li key={e.id}>
                          {e.text}
                          {e.optional ? ` (${t('wizard.optional')})` : ''} <Cite citation={e.citation} />
                        </li>
                      ))}
                    </ul>
                  </dd>
                  <dt>{t('wizard.basis.dualCriminality')}</dt>
                  <dd>
                    {b.dualCriminality.text} <Cite citation={b.dualCriminality.citation} />
                    {b.dualCriminality.note && <span className="block">{b.dualCriminality.note}</span>}
                  </dd>
                  <dt>{t('wizard.basis.refusalGrounds')}</dt>
                  <dd>
                    {b.refusalGrounds.length === 0 ? (
                      <span className="muted">{t('wizard.basis.noRefusalGround')}</span>
                    ) : (
                      <ul>
                        {b.refusalGrounds.map((g) => (
                          <li key={`${g.ground}-${citeText(g.citation)}`}>
                            {g.text} <Cite citation={g.citation} />
                          </li>
                        ))}
                      </ul>
                    )}
                  </dd>
                </dl>
              </li>
            );
          })}
        </ol>
      </fieldset>
      {combined.partial.length > 0 && (
        <section aria-labelledby="bases-partial">
          <h3 id="bases-partial">{t('wizard.basis.partialTitle')}</h3>
          <ul>
            {combined.partial.map((p) => (
              <li key={p.provision}>
                {p.title} — {citeText(p.citation)}: {t('wizard.basis.partialMissing', { measures: p.missing.map((m) => measureLabel(t, m)).join(', ') })}
              </li>
            ))}
          </ul>
        </section>
      )}
      <details className="not-applicable" data-testid="wizard-not-applicable">
        <summary>{t('wizard.basis.notApplicable', { count: combined.notApplicable.length })}</summary>
        <ul>
          {combined.notApplicable.map((n) => (
            <li key={n.reason}>{n.reason}</li>
          ))}
        </ul>
      </details>
    </>
  );
}
