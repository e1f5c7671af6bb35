/**
 * The request wizard: /requests/new drafts a request, /requests/:id/edit edits a draft.
 *
 * 1. Addressee and measures (new-request/AddresseeStep): the requested authority, the measures,
 *    the emergency flag and its justification.
 * 2. Legal basis (new-request/BasisStep): the bases /api/law/bases finds for every measure,
 *    ranked, each with citation, channel, deadlines, conditions and contents, an "unverified" mark
 *    on every fact not checked against an official text, and why other instruments do not apply.
 * 3. Contents (new-request/ContentsStep): the elements the chosen basis requires — answered by
 *    structured fields (lib/request-form.ts ANSWERED_BY) or in free text.
 * 4. Safeguards (new-request/SafeguardsStep; required for coercive measures, Budapest Art. 15),
 *    then "Save draft" or "Submit for review".
 *
 * The form's state, checks and saving live in new-request/useRequestForm; this file lays out the
 * steps, the outcome and the error summary.
 */
import { useTranslation } from 'react-i18next';
import { ErrorSummary } from '../components/ErrorSummary';
import { Icon } from '../components/Icon';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { canEditDraft } from '../lib/case-actions';
import { stepOfField, WIZARD_STEPS, type WizardStep } from '../lib/request-form';
import { Link } from '../router';
import { paths } from '../routes';
import { AddresseeStep } from './new-request/AddresseeStep';
import { BasisStep } from './new-request/BasisStep';
import { ContentsStep } from './new-request/ContentsStep';
import { SafeguardsStep } from './new-request/SafeguardsStep';
import type { Tx } from './new-request/shared';
import { useRequestForm } from './new-request/useRequestForm';
import { useLocale } from '../hooks/useLocale';
import { measureLabel } from '../i18n/labels';
import { formatDateTime } from '../lib/time-left';

export default function RequestWizard() {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const w = useRequestForm();
  const locale = useLocale();
  const { id, me, form, update, saved, step, stepIndex, goTo, setStep, next, save, busy, outcome, problem, attempt, summaryItems, errorsOf, touch, draft, loadedFor, addressee, own, bases, combined, basis, headingRef, outcomeRef } = w;

  // An existing case that is no longer an editable draft.
  // (Not the draft this page has just submitted: its outcome is shown below.)
  if (id && draft.data && draft.data.id === id && !(outcome === 'submitted' && saved?.id === id) && !canEditDraft(draft.data, { authorityId: me.authorityId, roles: me.roles })) {
    return (
      <>
        <PageTitle>{t('wizard.editTitle', { reference: draft.data.reference })}</PageTitle>
        <p role="status">{t('wizard.notEditable')}</p>
        <p>
          <Link to={paths.case(draft.data.id)}>{t('wizard.toCase')}</Link>
        </p>
      </>
    );
  }

  // Editing: no form before the draft is in it (an edit made earlier would be overwritten).
  if (id && loadedFor.current !== id) {
    return (
      <>
        <PageTitle>{t('wizard.title')}</PageTitle>
        {draft.problem ? <ProblemAlert problem={draft.problem} onRetry={draft.reload} /> : <Loading />}
      </>
    );
  }

  const title = saved ? t('wizard.editTitle', { reference: saved.reference }) : t('wizard.title');
  const fromParty = own?.party;

  return (
    <>
      <PageTitle>{title}</PageTitle>
      <p className="lead">{t('wizard.intro')}</p>

      <nav aria-label={t('wizard.stepsLabel')}>
        <ol className="steps">
          {WIZARD_STEPS.map((s, i) => (
            <li key={s} className={s === step ? 'current' : i < stepIndex ? 'done' : undefined}>
              {i < stepIndex ? (
                <button type="button" className="link-button" onClick={() => goTo(s)} data-testid={`wizard-step-${s}`}>
                  {t('wizard.stepNumber', { n: i + 1 })} {tx(`wizard.steps.${s}`)}
                </button>
              ) : (
                <span aria-current={s === step ? 'step' : undefined} data-testid={`wizard-step-${s}`}>
                  {t('wizard.stepNumber', { n: i + 1 })} {tx(`wizard.steps.${s}`)}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>

      {outcome && saved && (
        <div className="alert alert-success" role="status" tabIndex={-1} ref={outcomeRef} data-testid={outcome === 'saved' ? 'wizard-saved' : 'wizard-submitted'}>
          {outcome === 'saved' ? (
            <p className="alert-message">
              <Icon name="check" /> {t('wizard.saved', { reference: saved.reference, version: saved.version })}
            </p>
          ) : (
            <>
              <h2>
                <Icon name="check" /> {t('wizard.submitted.title')}
              </h2>
              <p>{t('wizard.submitted.body', { reference: saved.reference })}</p>
              <ol>
                <li>{t('wizard.submitted.reviewer')}</li>
                <li>{t('wizard.submitted.approve')}</li>
                <li>{t('wizard.submitted.send')}</li>
              </ol>
            </>
          )}
          <p>
            <Link to={paths.case(saved.id)} data-testid="wizard-open-case">
              {t('wizard.toCase')}
            </Link>
          </p>
          {w.followUpHref && w.planned[0] && (
            <p>
              <a href={w.followUpHref} data-testid="wizard-follow-up">
                {t('wizard.split.next', { measures: w.planned[0].map((m) => measureLabel(t, m)).join(', ') })}
              </a>
            </p>
          )}
        </div>
      )}

      {w.restoredNotice && (
        <div className="alert alert-info" role="status" data-testid="wizard-restored">
          <p>
            <Icon name="info" /> {t('wizard.draft.restored', { date: formatDateTime(w.restoredNotice, locale) })}
          </p>
          <button type="button" className="button secondary" onClick={w.discardLocal} data-testid="wizard-discard-local">
            {t('wizard.draft.discard')}
          </button>
        </div>
      )}
      {w.planned.length > 0 && (
        <p className="alert alert-info linked-requests" data-testid="wizard-planned">
          <Icon name="info" /> {t('wizard.split.planned', { measures: w.planned.map((g) => g.map((m) => measureLabel(t, m)).join(' + ')).join('; ') })}
        </p>
      )}
      {problem && <ProblemAlert problem={problem} />}
      <ErrorSummary
        title={t('wizard.errorSummary')}
        items={summaryItems}
        attempt={attempt}
        onSelect={(item) => {
          const s = item.field ? stepOfField(item.field) : null;
          if (s && s !== step) setStep(s);
        }}
        testId="wizard-errors"
      />

      {outcome !== 'submitted' && (
      <form className="wizard card" onSubmit={next} noValidate aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title" ref={headingRef} tabIndex={-1}>
          {t('wizard.stepNumber', { n: stepIndex + 1 })} {tx(`wizard.steps.${step}`)}
        </h2>


        {step === 'addressee' && <AddresseeStep form={form} update={update} authorities={w.authorities} ownAuthorityId={me.authorityId ?? undefined} errorsOf={errorsOf} touch={touch} />}

        {step === 'basis' && (
          <BasisStep
            loading={bases.loading}
            problem={bases.problem}
            onRetry={bases.reload}
            ready={w.basesReady}
            combined={combined}
            chosen={form.legalBasis}
            onChoose={(provision) => update({ legalBasis: provision })}
            errors={errorsOf('legalBasis')}
            from={fromParty ?? ''}
            to={addressee?.party ?? ''}
            addressee={addressee}
            authorities={w.authorities}
            onReaddress={(authorityId, provision) => update({ addressee: authorityId, legalBasis: provision })}
            onSplit={w.startSplit}
          />
        )}

        {step === 'contents' && <ContentsStep form={form} update={update} errorsOf={errorsOf} touch={touch} basis={basis} offences={w.offences.data ?? []} addresseeLanguages={addressee?.languages ?? []} />}

        {step === 'safeguards' && <SafeguardsStep form={form} update={update} errorsOf={errorsOf} touch={touch} />}

        <div className="form-actions">
          {stepIndex > 0 && (
            <button type="button" className="button secondary" onClick={() => goTo(WIZARD_STEPS[stepIndex - 1] as WizardStep)} data-testid="wizard-back">
              <span aria-hidden="true">← </span>
              {t('wizard.back')}
            </button>
          )}
          {stepIndex < WIZARD_STEPS.length - 1 && (
            <button type="submit" className="button primary" data-testid="wizard-next">
              {t('wizard.next')}
              <span aria-hidden="true"> →</span>
            </button>
          )}
          {stepIndex >= 2 && (
            <button type="button" className="button secondary" disabled={busy} onClick={() => void save('save')} data-testid="wizard-save">
              {busy ? t('wizard.saving') : t('wizard.saveDraft')}
            </button>
          )}
          {step === 'safeguards' && (
            <button type="button" className="button primary" disabled={busy} onClick={() => void save('submit')} data-testid="wizard-submit">
              {t('wizard.submitForReview')}
            </button>
          )}
        </div>
      </form>
      )}
    </>
  );
}
