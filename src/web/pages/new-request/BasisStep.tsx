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
import type { Authority } from '../../types';
import { ADDRESSEE_KIND_OF } from '../../../cases/channel-fit';
import type { AuthorityKind } from '../../../cases/authorities';
import type { SplitGroup } from '../../lib/bases';
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
  addressee,
  authorities,
  onReaddress,
  onSplit,
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
  /** Issue 16: the chosen addressee, the directory (to propose one whose kind the channel reaches), and the split into linked requests. */
  addressee?: Authority | undefined;
  authorities?: readonly Authority[];
  onReaddress?: (authorityId: string, provision: string) => void;
  onSplit?: (groups: SplitGroup[]) => void;
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
        {combined.applicable.length === 0 && combined.split.length > 1 && onSplit && (
          <section className="alert alert-info linked-requests" aria-labelledby="wizard-split-title" data-testid="wizard-split">
            <h3 id="wizard-split-title">{t('wizard.split.title')}</h3>
            <p>{t('wizard.split.intro')}</p>
            <ol>
              {combined.split.map((g, i) => (
                <li key={g.measures.join('+')}>
                  <strong>{g.measures.map((m) => measureLabel(t, m)).join(', ')}</strong> — {t('wizard.split.bases', { bases: g.bases.map((b) => `${b.title} (${citeText(b.citation)})`).join('; ') })}
                  {i > 0 && <span className="block small">{t('wizard.split.follows', { n: i })}</span>}
                </li>
              ))}
            </ol>
            <button type="button" className="button primary" onClick={() => onSplit(combined.split)} data-testid="wizard-split-start">
              {t('wizard.split.start', { measures: combined.split[0]?.measures.map((m) => measureLabel(t, m)).join(', ') ?? '' })}
            </button>
          </section>
        )}
        <ol className="plain-list bases">
          {combined.applicable.map((b) => {
            const inputId = `basis-${b.provision.replace(/[^A-Za-z0-9-]+/g, '-')}`;
            const unverifiedBasis = !b.verified || !b.citation.verified;
            const misfit = addressee && b.addressees && !b.addressees.includes(ADDRESSEE_KIND_OF[addressee.kind as AuthorityKind] ?? addressee.kind);
            const fitting = misfit ? (authorities ?? []).filter((a) => a.party === addressee.party && b.addressees?.includes(ADDRESSEE_KIND_OF[a.kind as AuthorityKind] ?? a.kind)) : [];
            const actions = b.conditions.filter((c) => c.action);
            const conditions = b.conditions.filter((c) => !c.action);
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
                {misfit && (
                  <div className="alert alert-error small" data-testid={`wizard-misfit-${b.provision}`}>
                    <p>
                      <Icon name="warning" /> {t('wizard.basis.misfit', { channel: tx(`wizard.channels.${b.channel}`), kinds: (b.addressees ?? []).map((k) => tx(`wizard.addresseeKinds.${k}`)).join(', '), addressee: addressee.name })}
                    </p>
                    {fitting.map((a) => (
                      <button key={a.id} type="button" className="button secondary" onClick={() => onReaddress?.(a.id, b.provision)} data-testid={`wizard-readdress-${a.id}`}>
                        {t('wizard.basis.readdress', { name: a.name })}
                      </button>
                    ))}
                  </div>
                )}
                {actions.length > 0 && (
                  <div className="urgent-actions emergency-note" data-testid={`wizard-urgent-actions-${b.provision}`}>
                    <p>
                      <Icon name="warning" /> {t('wizard.basis.urgentActions')}
                    </p>
                    <ul>
                      {actions.map((c, i) => (
                        <li key={i}>
                          {c.text} <Cite citation={c.citation} />
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
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
                  {conditions.length > 0 && (
                    <>
                      <dt>{t('wizard.basis.conditions')}</dt>
                      <dd>
                        <ul>
                          {conditions.map((c, i) => (
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
