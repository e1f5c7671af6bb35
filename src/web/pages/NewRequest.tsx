/**
 * The request wizard: /requests/new drafts a request, /requests/:id/edit edits a draft.
 *
 * 1. Addressee and measures: the requested authority (from /api/authorities), the measures, the
 *    emergency flag and its justification.
 * 2. Legal basis: the bases /api/law/bases finds for every measure, ranked, each with citation,
 *    channel, deadlines, conditions and contents, an "unverified" mark on every fact not checked
 *    against an official text, and why other instruments do not apply.
 * 3. Contents: the elements the chosen basis requires — answered by structured fields
 *    (lib/request-form.ts ANSWERED_BY) or in free text — offences, facts, typed identifiers,
 *    data categories, period, relevance, confidentiality, language, references, data protection.
 * 4. Safeguards (required for coercive measures, Budapest Art. 15), then "Save draft" (POST, then
 *    PUT) or "Submit for review" (saves, with the legal checks, and says what the reviewer does).
 *
 * Checks run in the browser (lib/request-form.ts) and the server's issues are shown next to the
 * fields they concern; an error summary links to each field.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey } from '../api';
import { useAuth, useMe } from '../auth';
import { ErrorSummary, focusWhenPresent, type SummaryItem } from '../components/ErrorSummary';
import { Cite, UnverifiedMark } from '../components/Citation';
import { CheckboxField, FieldErrors, SelectField, TextArea, TextField } from '../components/Field';
import { Icon } from '../components/Icon';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useApi } from '../hooks/useApi';
import { measureLabel } from '../i18n/labels';
import { citeText, combineBases, type ApplicableBasis, type BasesResult, type OffenceCategory } from '../lib/bases';
import { emptyIdentifier, IDENTIFIER_TYPES, type IdentifierForm, type IdentifierType } from '../lib/identifiers';
import { ApiProblem } from '../lib/problem';
import {
  ANSWERED_BY,
  CONFIDENTIALITY,
  contentPlan,
  DATA_CATEGORIES,
  emptyOffence,
  emptyRequestForm,
  fieldId,
  fieldOfIssue,
  fromRequest,
  isCoercive,
  legalIssues,
  MEASURES,
  schemaIssues,
  stepOfField,
  toRequest,
  WIZARD_STEPS,
  type FormIssue,
  type OffenceForm,
  type RequestDocument,
  type RequestForm,
  type WizardStep,
} from '../lib/request-form';
import { canEditDraft } from '../lib/case-actions';
import { Link, navigate, useParams } from '../router';
import { paths } from '../routes';

const asProblem = (error: unknown) => (error instanceof ApiProblem ? error : new ApiProblem({ status: 0, code: 'unexpected-response', detail: String(error) }));

/** i18n lookups with keys built at run time (messages of lib/ modules). */
type Tx = (key: string, values?: Record<string, unknown>) => string;

type Check = { mode: 'step' | 'save' | 'submit'; step: WizardStep };

export default function RequestWizard() {
  const { t, i18n } = useTranslation();
  // The knowledge base's texts in the interface language (the server translates them).
  const lawLang = i18n.language.slice(0, 2);
  const tx = t as unknown as Tx;
  const { id } = useParams();
  const me = useMe();
  const { authorities } = useAuth();
  const [form, setForm] = useState<RequestForm>(() => emptyRequestForm(me.authorityId ?? ''));
  const [saved, setSaved] = useState<{ id: string; version: number; reference: string } | null>(null);
  const [step, setStep] = useState<WizardStep>('addressee');
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [check, setCheck] = useState<Check | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [problem, setProblem] = useState<ApiProblem>();
  const [outcome, setOutcome] = useState<'saved' | 'submitted' | null>(null);
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  const stepChanged = useRef(false);

  // Editing a draft: load it once per id (not the one this page just created).
  const draft = useApi((signal) => (id ? api.cases.get(id, signal) : Promise.resolve(null)), [id]);
  const loadedFor = useRef<string | null>(null);
  const createAttempt = useRef<{ key: string; body: unknown } | null>(null);
  useEffect(() => {
    const c = draft.data;
    if (!c || !id || c.id !== id || loadedFor.current === id) return;
    loadedFor.current = id;
    if (c.request) setForm(fromRequest(c.request as RequestDocument));
    setSaved({ id: c.id, version: c.version, reference: c.reference });
  }, [draft.data, id]);

  const offences = useApi((signal) => api.law<OffenceCategory[]>('/offences', { lang: lawLang }, signal), [lawLang]);

  // The bases for every measure between the two parties.
  const own = authorities.find((a) => a.id === me.authorityId);
  const addressee = authorities.find((a) => a.id === form.addressee);
  const offence = form.offences.find((o) => o.category !== '')?.category;
  const basesQuery = own && addressee && form.measures.length > 0 ? { from: own.party, to: addressee.party, measures: form.measures, emergency: form.emergency, offence } : null;
  const basesKey = JSON.stringify([basesQuery, lawLang]);
  const bases = useApi(
    (signal) =>
      basesQuery
        ? Promise.all(
            basesQuery.measures.map((measure) =>
              api
                .law<BasesResult>('/bases', { from: basesQuery.from, to: basesQuery.to, measure, emergency: basesQuery.emergency, offence: basesQuery.offence, lang: lawLang }, signal)
                .then((result) => ({ measure, result })),
            ),
          ).then(combineBases)
        : Promise.resolve(null),
    [basesKey],
  );
  const combined = bases.data ?? null;
  const basis: ApplicableBasis | null = combined?.applicable.find((b) => b.provision === form.legalBasis) ?? null;
  const plan = useMemo(() => (basis ? contentPlan(basis.requiredContents) : null), [basis]);
  const coercive = isCoercive(form.measures);

  // Checks: what the schema refuses (blocks saving), what the law needs (blocks the review).
  const schema = useMemo(() => schemaIssues(form), [form]);
  const legal = useMemo(() => {
    const issues = legalIssues(form, basis?.requiredContents ?? []);
    if (form.legalBasis !== '' && combined && !basis) issues.unshift({ field: 'legalBasis', message: 'basisNotApplicable' });
    return issues;
  }, [form, basis, combined]);
  const blocking = (c: Check): FormIssue[] => {
    if (c.mode === 'step') {
      const own = [...schema, ...legal.filter((i) => i.field === 'emergency.justification' || i.message === 'basisNotApplicable')];
      return dedupe(own.filter((i) => stepOfField(i.field) === c.step));
    }
    return dedupe(c.mode === 'save' ? schema : [...schema, ...legal]);
  };
  const shown = check ? blocking(check) : [];
  const visible = dedupe([...shown, ...schema.filter((i) => touched.has(i.field))]);
  const serverIssues = (problem?.issues ?? []).map((i) => ({ field: fieldOfIssue(i.field), message: i.message }));

  const errorsOf = (field: string): string[] => [
    ...visible.filter((i) => i.field === field).map((i) => tx(`wizard.errors.${i.message}`, i.values)),
    ...serverIssues.filter((i) => i.field === field).map((i) => i.message),
  ];
  const touch = (field: string) => () =>
    setTouched((prev) => {
      if (prev.has(field)) return prev;
      const next = new Set(prev);
      next.add(field);
      return next;
    });
  const update = (changes: Partial<RequestForm>) => {
    setForm((f) => ({ ...f, ...changes }));
    setOutcome(null);
  };

  const labelOf = (field: string): string => {
    const m = /^offences\.(\d+)\.(\w+)$/.exec(field);
    if (m) return `${t('wizard.offences.item', { n: Number(m[1]) + 1 })} — ${tx(`wizard.offences.${m[2]}`)}`;
    const idm = /^dataSought\.identifiers\.(\d+)\.(\w+)$/.exec(field);
    if (idm) return `${t('wizard.identifiers.item', { n: Number(idm[1]) + 1 })} — ${tx(`wizard.identifiers.parts.${idm[2]}`)}`;
    if (field.startsWith('contents.')) {
      const element = basis?.requiredContents.find((e) => `contents.${e.id}` === field);
      return element ? element.text : field.slice('contents.'.length);
    }
    const key = FIELD_LABELS[field];
    return key ? tx(key) : field;
  };

  const summaryItems: SummaryItem[] = [
    ...shown.map((i) => ({ target: fieldId(i.field), field: i.field, text: `${labelOf(i.field)}: ${tx(`wizard.errors.${i.message}`, i.values)}` })),
    ...serverIssues.flatMap((i) => (i.field === null ? [] : [{ target: fieldId(i.field), field: i.field, text: `${labelOf(i.field)}: ${i.message}` }])),
  ];

  useEffect(() => {
    if (!stepChanged.current) return;
    stepChanged.current = false;
    headingRef.current?.focus();
  }, [step]);
  useEffect(() => {
    if (outcome) outcomeRef.current?.focus();
  }, [outcome]);

  const goTo = (target: WizardStep) => {
    stepChanged.current = true;
    setStep(target);
    setCheck(null);
  };
  const stepIndex = WIZARD_STEPS.indexOf(step);

  const next = (event: FormEvent) => {
    event.preventDefault();
    const c: Check = { mode: 'step', step };
    setAttempt((a) => a + 1);
    if (blocking(c).length > 0) {
      setCheck(c);
      return;
    }
    const following = WIZARD_STEPS[stepIndex + 1];
    if (following) goTo(following);
  };

  const save = async (mode: 'save' | 'submit') => {
    const c: Check = { mode, step };
    setOutcome(null);
    setProblem(undefined);
    setAttempt((a) => a + 1);
    if (blocking(c).length > 0) {
      setCheck(c);
      return;
    }
    setCheck(null);
    setBusy(true);
    try {
      const body = toRequest(form, plan?.freeText.map((e) => e.id));
      let summary;
      if (saved) {
        summary = await api.cases.update(saved.id, body, saved.version);
      } else {
        // The first save sends an idempotency key. When its answer was lost (the draft may or may
        // not exist), the next save first sends that same request with that key again — the server
        // answers the draft it created, or creates it now — and then saves the current form into it:
        // one draft, whatever happened.
        const attempt = (createAttempt.current ??= { key: newIdempotencyKey(), body });
        const created = await api.cases.create(attempt.body, attempt.key);
        createAttempt.current = null;
        setSaved({ id: created.id, version: created.version, reference: created.reference });
        summary = JSON.stringify(attempt.body) === JSON.stringify(body) ? created : await api.cases.update(created.id, body, created.version);
      }
      setSaved({ id: summary.id, version: summary.version, reference: summary.reference });
      setOutcome(mode === 'save' ? 'saved' : 'submitted');
      if (!id) {
        loadedFor.current = summary.id;
        navigate(paths.editRequest(summary.id), { replace: true, keepFocus: true });
      }
    } catch (error) {
      const problem = asProblem(error);
      // Only an answer that never came leaves the outcome open; any answer of the server means
      // the draft was not created (a 4xx) — the next save starts afresh with the form as it is then.
      if (problem.code !== 'network-error' && problem.status < 500) createAttempt.current = null;
      setProblem(problem);
    } finally {
      setBusy(false);
    }
  };

  // An existing case that is no longer an editable draft.
  if (id && draft.data && draft.data.id === id && !canEditDraft(draft.data, { authorityId: me.authorityId, roles: me.roles })) {
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
        </div>
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

      <form className="wizard card" onSubmit={next} noValidate aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title" ref={headingRef} tabIndex={-1}>
          {t('wizard.stepNumber', { n: stepIndex + 1 })} {tx(`wizard.steps.${step}`)}
        </h2>

        {step === 'addressee' && (
          <>
            <SelectField id={fieldId('addressee')} label={t('wizard.addressee.label')} hint={t('wizard.addressee.hint')} requiredText={t('wizard.required')} required value={form.addressee} onChange={(v) => update({ addressee: v, legalBasis: '' })} onBlur={touch('addressee')} errors={errorsOf('addressee')} testId="wizard-addressee">
              <option value="">{t('wizard.addressee.choose')}</option>
              {authorities
                .filter((a) => a.id !== me.authorityId)
                .map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.party})
                  </option>
                ))}
            </SelectField>
            {addressee && (
              <p className="small muted" data-testid="wizard-addressee-details">
                {t('wizard.addressee.details', { party: addressee.party, zone: addressee.timeZone, languages: addressee.languages.join(', ') })}
              </p>
            )}
            <fieldset id={fieldId('measures')} tabIndex={-1} className="choices" aria-describedby={errorsOf('measures').length ? `${fieldId('measures')}-error` : undefined}>
              <legend>
                {t('wizard.measures.legend')} <span className="muted small">({t('wizard.required')})</span>
              </legend>
              <p className="hint">{t('wizard.measures.hint')}</p>
              <div className="choice-grid">
                {MEASURES.map((m) => (
                  <CheckboxField
                    key={m}
                    id={`measure-${m}`}
                    testId={`wizard-measure-${m}`}
                    label={measureLabel(t, m)}
                    checked={form.measures.includes(m)}
                    onChange={(on) => update({ measures: on ? MEASURES.filter((x) => x === m || form.measures.includes(x)) : form.measures.filter((x) => x !== m), legalBasis: '' })}
                  />
                ))}
              </div>
              {coercive && (
                <p className="hint">
                  <Icon name="info" /> {t('wizard.measures.coercive')}
                </p>
              )}
              <FieldErrors id={`${fieldId('measures')}-error`} errors={errorsOf('measures')} />
            </fieldset>
            <fieldset className="choices">
              <legend>{t('wizard.emergency.legend')}</legend>
              <CheckboxField id={fieldId('emergency.emergency')} testId="wizard-emergency" label={t('wizard.emergency.flag')} hint={t('wizard.emergency.hint')} checked={form.emergency} onChange={(on) => update({ emergency: on, legalBasis: '' })} />
              {form.emergency && (
                <TextArea id={fieldId('emergency.justification')} testId="wizard-emergency-justification" label={t('wizard.emergency.justification')} hint={t('wizard.emergency.justificationHint')} requiredText={t('wizard.required')} required value={form.emergencyJustification} onChange={(v) => update({ emergencyJustification: v })} onBlur={touch('emergency.justification')} errors={errorsOf('emergency.justification')} />
              )}
            </fieldset>
          </>
        )}

        {step === 'basis' && (
          <BasisStep
            loading={bases.loading}
            problem={bases.problem}
            onRetry={bases.reload}
            ready={basesQuery !== null}
            combined={combined}
            chosen={form.legalBasis}
            onChoose={(provision) => update({ legalBasis: provision })}
            errors={errorsOf('legalBasis')}
            from={fromParty ?? ''}
            to={addressee?.party ?? ''}
          />
        )}

        {step === 'contents' && (
          <ContentsStep form={form} update={update} errorsOf={errorsOf} touch={touch} basis={basis} offences={offences.data ?? []} addresseeLanguages={addressee?.languages ?? []} />
        )}

        {step === 'safeguards' && (
          <fieldset className="choices">
            <legend>{t('wizard.safeguards.legend')}</legend>
            <p className="hint">
              <Icon name="info" /> {coercive ? t('wizard.safeguards.requiredHint') : t('wizard.safeguards.optionalHint')}
            </p>
            <TextArea id={fieldId('safeguards.grounds')} testId="wizard-safeguards-grounds" label={t('wizard.safeguards.grounds')} hint={t('wizard.safeguards.groundsHint')} requiredText={coercive ? t('wizard.required') : t('wizard.optional')} required={coercive} value={form.grounds} onChange={(v) => update({ grounds: v })} onBlur={touch('safeguards.grounds')} errors={errorsOf('safeguards.grounds')} />
            <TextArea id={fieldId('safeguards.proportionality')} testId="wizard-safeguards-proportionality" label={t('wizard.safeguards.proportionality')} hint={t('wizard.safeguards.proportionalityHint')} requiredText={coercive ? t('wizard.required') : t('wizard.optional')} required={coercive} value={form.proportionality} onChange={(v) => update({ proportionality: v })} onBlur={touch('safeguards.proportionality')} errors={errorsOf('safeguards.proportionality')} />
            <TextArea id={fieldId('safeguards.scope')} testId="wizard-safeguards-scope" label={t('wizard.safeguards.scope')} hint={t('wizard.safeguards.scopeHint')} requiredText={t('wizard.optional')} value={form.scope} onChange={(v) => update({ scope: v })} onBlur={touch('safeguards.scope')} errors={errorsOf('safeguards.scope')} rows={2} />
            <TextField id={fieldId('safeguards.durationDays')} testId="wizard-safeguards-duration" type="number" inputMode="numeric" min={1} max={3650} label={t('wizard.safeguards.durationDays')} hint={t('wizard.safeguards.durationHint')} requiredText={coercive ? t('wizard.required') : t('wizard.optional')} required={coercive} value={form.durationDays} onChange={(v) => update({ durationDays: v })} onBlur={touch('safeguards.durationDays')} errors={errorsOf('safeguards.durationDays')} className="narrow" />
          </fieldset>
        )}

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
    </>
  );
}

function dedupe(issues: FormIssue[]): FormIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.field}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** i18n keys of the form's fields, for the error summary. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  addressee: 'wizard.addressee.label',
  measures: 'wizard.measures.legend',
  'emergency.justification': 'wizard.emergency.justification',
  legalBasis: 'wizard.basis.legend',
  offences: 'wizard.offences.legend',
  facts: 'wizard.facts.label',
  'dataSought.identifiers': 'wizard.identifiers.legend',
  'dataSought.categories': 'wizard.categories.legend',
  'dataSought.timeRange.from': 'wizard.timeRange.from',
  'dataSought.timeRange.to': 'wizard.timeRange.to',
  'dataSought.relevance': 'wizard.relevance.label',
  confidentiality: 'wizard.handling.confidentiality',
  language: 'wizard.handling.language',
  'translation.language': 'wizard.handling.translationLanguage',
  'references.requesting': 'wizard.references.requesting',
  'references.requested': 'wizard.references.requested',
  'safeguards.grounds': 'wizard.safeguards.grounds',
  'safeguards.proportionality': 'wizard.safeguards.proportionality',
  'safeguards.scope': 'wizard.safeguards.scope',
  'safeguards.durationDays': 'wizard.safeguards.durationDays',
  'dataProtection.purpose': 'wizard.dataProtection.purpose',
  'dataProtection.retentionDays': 'wizard.dataProtection.retentionDays',
};

// ── Step 2: the legal basis ───────────────────────────────────────────────────────────────────

function BasisStep({
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

// ── Step 3: the contents ──────────────────────────────────────────────────────────────────────

interface ContentsProps {
  form: RequestForm;
  update: (changes: Partial<RequestForm>) => void;
  errorsOf: (field: string) => string[];
  touch: (field: string) => () => void;
  basis: ApplicableBasis | null;
  offences: OffenceCategory[];
  addresseeLanguages: string[];
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="form-section" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

function ContentsStep({ form, update, errorsOf, touch, basis, offences, addresseeLanguages }: ContentsProps) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const request = toRequest(form);
  const plan = basis ? contentPlan(basis.requiredContents) : null;
  const languages = [...new Set([...addresseeLanguages, 'en', 'fr', 'de', 'es', 'it', 'ja'])];
  const setOffence = (i: number, changes: Partial<OffenceForm>) => update({ offences: form.offences.map((o, j) => (j === i ? { ...o, ...changes } : o)) });
  const setIdentifier = (i: number, value: IdentifierForm) => update({ identifiers: form.identifiers.map((x, j) => (j === i ? value : x)) });
  const req = t('wizard.required');
  const opt = t('wizard.optional');

  return (
    <>
      <Section id="sec-contents" title={t('wizard.contents.title')}>
        {!basis ? (
          <p className="alert alert-error">
            <Icon name="warning" /> {t('wizard.contents.noBasis')}
          </p>
        ) : (
          <>
            <p className="hint">{t('wizard.contents.hint', { basis: `${basis.title} (${citeText(basis.citation)})` })}</p>
            <ul className="plain-list contents-checklist" data-testid="wizard-contents">
              {plan?.structured.map(({ element, fields }) => {
                const answered = ANSWERED_BY[element.id]?.answered(request) ?? false;
                const first = fields[0] as string;
                return (
                  <li key={element.id} className="content-line" data-testid={`wizard-content-${element.id}`} data-answered={answered}>
                    <p>
                      {answered ? <Icon name="check" /> : <Icon name="warning" />} <strong>{element.text}</strong> <Cite citation={element.citation} />
                      {element.optional ? <span className="muted small"> ({opt})</span> : null}
                    </p>
                    <p className="small">
                      {answered ? t('wizard.contents.answered') : t('wizard.contents.notAnswered')}{' '}
                      {first === 'requestingAuthority' || first === 'addressee' || first === 'legalBasis' ? (
                        tx(`wizard.contents.auto.${first}`)
                      ) : (
                        <a
                          href={`#${fieldId(first)}`}
                          onClick={(e) => {
                            e.preventDefault();
                            focusWhenPresent(fieldId(first));
                          }}
                        >
                          {t('wizard.contents.answeredBy', { field: fields.map((f) => tx(FIELD_LABELS[f] ?? f)).join(' + ') })}
                        </a>
                      )}
                    </p>
                  </li>
                );
              })}
              {plan?.freeText.map((element) => (
                <li key={element.id} className="content-line" data-testid={`wizard-content-${element.id}`}>
                  <TextArea
                    id={fieldId(`contents.${element.id}`)}
                    testId={`wizard-contents-${element.id}`}
                    label={
                      <>
                        {element.text} <Cite citation={element.citation} />
                      </>
                    }
                    requiredText={element.optional ? opt : req}
                    required={!element.optional}
                    value={form.contents[element.id] ?? ''}
                    onChange={(v) => update({ contents: { ...form.contents, [element.id]: v } })}
                    onBlur={touch(`contents.${element.id}`)}
                    errors={errorsOf(`contents.${element.id}`)}
                    rows={3}
                  />
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>

      <Section id="sec-offences" title={t('wizard.offences.legend')}>
        <fieldset id={fieldId('offences')} tabIndex={-1} className="choices">
          <legend className="visually-hidden">{t('wizard.offences.legend')}</legend>
          <FieldErrors id={`${fieldId('offences')}-error`} errors={errorsOf('offences')} />
          {form.offences.map((o, i) => (
            <fieldset key={i} className="repeat" data-testid={`wizard-offence-${i}`}>
              <legend>{t('wizard.offences.item', { n: i + 1 })}</legend>
              <SelectField id={fieldId(`offences.${i}.category`)} testId={`wizard-offence-${i}-category`} label={t('wizard.offences.category')} hint={t('wizard.offences.categoryHint')} requiredText={req} required value={o.category} onChange={(v) => setOffence(i, { category: v })} onBlur={touch(`offences.${i}.category`)} errors={errorsOf(`offences.${i}.category`)}>
                <option value="">{t('wizard.offences.choose')}</option>
                {offences.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </SelectField>
              <TextField id={fieldId(`offences.${i}.nationalProvision`)} testId={`wizard-offence-${i}-provision`} label={t('wizard.offences.nationalProvision')} hint={t('wizard.offences.nationalProvisionHint')} requiredText={req} required value={o.nationalProvision} onChange={(v) => setOffence(i, { nationalProvision: v })} onBlur={touch(`offences.${i}.nationalProvision`)} errors={errorsOf(`offences.${i}.nationalProvision`)} />
              <TextField id={fieldId(`offences.${i}.maxPenaltyYears`)} testId={`wizard-offence-${i}-penalty`} type="number" inputMode="decimal" min={0} max={100} step="any" label={t('wizard.offences.maxPenaltyYears')} hint={t('wizard.offences.maxPenaltyHint')} requiredText={opt} value={o.maxPenaltyYears} onChange={(v) => setOffence(i, { maxPenaltyYears: v })} onBlur={touch(`offences.${i}.maxPenaltyYears`)} errors={errorsOf(`offences.${i}.maxPenaltyYears`)} className="narrow" />
              {form.offences.length > 1 && (
                <button type="button" className="button secondary" onClick={() => update({ offences: form.offences.filter((_, j) => j !== i) })}>
                  {t('wizard.offences.remove', { n: i + 1 })}
                </button>
              )}
            </fieldset>
          ))}
          {form.offences.length < 20 && (
            <button type="button" className="button secondary" onClick={() => update({ offences: [...form.offences, emptyOffence()] })} data-testid="wizard-add-offence">
              {t('wizard.offences.add')}
            </button>
          )}
        </fieldset>
      </Section>

      <Section id="sec-facts" title={t('wizard.facts.label')}>
        <TextArea id={fieldId('facts')} testId="wizard-facts" label={t('wizard.facts.label')} hint={t('wizard.facts.hint')} requiredText={req} required value={form.facts} onChange={(v) => update({ facts: v })} onBlur={touch('facts')} errors={errorsOf('facts')} rows={6} />
      </Section>

      <Section id="sec-data" title={t('wizard.data.title')}>
        <fieldset id={fieldId('dataSought.identifiers')} tabIndex={-1} className="choices">
          <legend>{t('wizard.identifiers.legend')}</legend>
          <p className="hint">{t('wizard.identifiers.hint')}</p>
          <FieldErrors id={`${fieldId('dataSought.identifiers')}-error`} errors={errorsOf('dataSought.identifiers')} />
          {form.identifiers.map((value, i) => (
            <IdentifierRow key={i} index={i} value={value} onChange={(v) => setIdentifier(i, v)} onRemove={() => update({ identifiers: form.identifiers.filter((_, j) => j !== i) })} canRemove={form.identifiers.length > 1} errorsOf={errorsOf} touch={touch} />
          ))}
          <button type="button" className="button secondary" onClick={() => update({ identifiers: [...form.identifiers, emptyIdentifier(form.identifiers.at(-1)?.type ?? 'email')] })} data-testid="wizard-add-identifier">
            {t('wizard.identifiers.add')}
          </button>
        </fieldset>

        <fieldset id={fieldId('dataSought.categories')} tabIndex={-1} className="choices">
          <legend>{t('wizard.categories.legend')}</legend>
          <div className="choice-grid">
            {DATA_CATEGORIES.map((c) => (
              <CheckboxField key={c} id={`category-${c}`} testId={`wizard-category-${c}`} label={tx(`wizard.categories.${c}`)} checked={form.categories.includes(c)} onChange={(on) => update({ categories: on ? DATA_CATEGORIES.filter((x) => x === c || form.categories.includes(x)) : form.categories.filter((x) => x !== c) })} />
            ))}
          </div>
          <FieldErrors id={`${fieldId('dataSought.categories')}-error`} errors={errorsOf('dataSought.categories')} />
        </fieldset>

        <fieldset className="choices">
          <legend>{t('wizard.timeRange.legend')}</legend>
          <p className="hint">{t('wizard.timeRange.hint')}</p>
          <div className="field-row">
            <TextField id={fieldId('dataSought.timeRange.from')} testId="wizard-time-from" type="date" label={t('wizard.timeRange.from')} value={form.timeFrom} onChange={(v) => update({ timeFrom: v })} onBlur={touch('dataSought.timeRange.from')} errors={errorsOf('dataSought.timeRange.from')} />
            <TextField id={fieldId('dataSought.timeRange.to')} testId="wizard-time-to" type="date" label={t('wizard.timeRange.to')} value={form.timeTo} onChange={(v) => update({ timeTo: v })} onBlur={touch('dataSought.timeRange.to')} errors={errorsOf('dataSought.timeRange.to')} />
          </div>
        </fieldset>

        <TextArea id={fieldId('dataSought.relevance')} testId="wizard-relevance" label={t('wizard.relevance.label')} hint={t('wizard.relevance.hint')} requiredText={opt} value={form.relevance} onChange={(v) => update({ relevance: v })} onBlur={touch('dataSought.relevance')} errors={errorsOf('dataSought.relevance')} rows={3} />
      </Section>

      <Section id="sec-handling" title={t('wizard.handling.title')}>
        <SelectField id={fieldId('confidentiality')} testId="wizard-confidentiality" label={t('wizard.handling.confidentiality')} value={form.confidentiality} onChange={(v) => update({ confidentiality: v as RequestForm['confidentiality'] })}>
          {CONFIDENTIALITY.map((c) => (
            <option key={c} value={c}>
              {tx(`wizard.handling.levels.${c}`)}
            </option>
          ))}
        </SelectField>
        <SelectField id={fieldId('language')} testId="wizard-language" label={t('wizard.handling.language')} hint={t('wizard.handling.languageHint', { languages: addresseeLanguages.join(', ') || '—' })} value={form.language} onChange={(v) => update({ language: v })} errors={errorsOf('language')}>
          {[...new Set([form.language, ...languages])].filter(Boolean).map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </SelectField>
        <CheckboxField id={fieldId('translation.required')} testId="wizard-translation" label={t('wizard.handling.translationRequired')} checked={form.translationRequired} onChange={(on) => update({ translationRequired: on })} />
        {form.translationRequired && (
          <TextField id={fieldId('translation.language')} testId="wizard-translation-language" label={t('wizard.handling.translationLanguage')} hint={t('wizard.handling.translationLanguageHint')} requiredText={opt} value={form.translationLanguage} onChange={(v) => update({ translationLanguage: v })} onBlur={touch('translation.language')} errors={errorsOf('translation.language')} className="narrow" />
        )}
      </Section>

      <Section id="sec-references" title={t('wizard.references.title')}>
        <div className="field-row">
          <TextField id={fieldId('references.requesting')} testId="wizard-reference" label={t('wizard.references.requesting')} hint={t('wizard.references.requestingHint')} requiredText={req} required value={form.referenceRequesting} onChange={(v) => update({ referenceRequesting: v })} onBlur={touch('references.requesting')} errors={errorsOf('references.requesting')} />
          <TextField id={fieldId('references.requested')} testId="wizard-reference-requested" label={t('wizard.references.requested')} requiredText={opt} value={form.referenceRequested} onChange={(v) => update({ referenceRequested: v })} onBlur={touch('references.requested')} errors={errorsOf('references.requested')} />
        </div>
      </Section>

      <Section id="sec-protection" title={t('wizard.dataProtection.title')}>
        <TextArea id={fieldId('dataProtection.purpose')} testId="wizard-purpose" label={t('wizard.dataProtection.purpose')} hint={t('wizard.dataProtection.purposeHint')} requiredText={req} required value={form.purpose} onChange={(v) => update({ purpose: v })} onBlur={touch('dataProtection.purpose')} errors={errorsOf('dataProtection.purpose')} rows={2} />
        <TextField id={fieldId('dataProtection.retentionDays')} testId="wizard-retention" type="number" inputMode="numeric" min={1} max={3650} label={t('wizard.dataProtection.retentionDays')} hint={t('wizard.dataProtection.retentionHint')} requiredText={req} required value={form.retentionDays} onChange={(v) => update({ retentionDays: v })} onBlur={touch('dataProtection.retentionDays')} errors={errorsOf('dataProtection.retentionDays')} className="narrow" />
      </Section>
    </>
  );
}

function IdentifierRow({
  index,
  value,
  onChange,
  onRemove,
  canRemove,
  errorsOf,
  touch,
}: {
  index: number;
  value: IdentifierForm;
  onChange: (value: IdentifierForm) => void;
  onRemove: () => void;
  canRemove: boolean;
  errorsOf: (field: string) => string[];
  touch: (field: string) => () => void;
}) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const base = `dataSought.identifiers.${index}`;
  const type = value.type;
  return (
    <fieldset className="repeat" data-testid={`wizard-identifier-${index}`}>
      <legend>{t('wizard.identifiers.item', { n: index + 1 })}</legend>
      <div className="field-row">
        <SelectField id={fieldId(`${base}.type`)} testId={`wizard-identifier-${index}-type`} label={t('wizard.identifiers.parts.type')} value={type} onChange={(v) => onChange({ ...value, type: v as IdentifierType })}>
          {IDENTIFIER_TYPES.map((ty) => (
            <option key={ty} value={ty}>
              {tx(`wizard.identifiers.types.${ty}`)}
            </option>
          ))}
        </SelectField>
        <TextField id={fieldId(`${base}.value`)} testId={`wizard-identifier-${index}-value`} label={tx(`wizard.identifiers.valueLabel.${type}`)} hint={tx(`wizard.identifiers.valueHint.${type}`)} value={value.value} onChange={(v) => onChange({ ...value, value: v })} onBlur={touch(`${base}.value`)} errors={errorsOf(`${base}.value`)} type={type === 'email' ? 'email' : type === 'phone' ? 'tel' : 'text'} />
      </div>
      {type === 'account' && (
        <TextField id={fieldId(`${base}.service`)} testId={`wizard-identifier-${index}-service`} label={t('wizard.identifiers.parts.service')} hint={t('wizard.identifiers.serviceHint')} value={value.service} onChange={(v) => onChange({ ...value, service: v })} onBlur={touch(`${base}.service`)} errors={errorsOf(`${base}.service`)} />
      )}
      {type === 'ip' && (
        <div className="field-row">
          <TextField id={fieldId(`${base}.timestamp`)} testId={`wizard-identifier-${index}-timestamp`} label={t('wizard.identifiers.parts.timestamp')} hint={t('wizard.identifiers.timestampHint')} value={value.timestamp} onChange={(v) => onChange({ ...value, timestamp: v })} onBlur={touch(`${base}.timestamp`)} errors={errorsOf(`${base}.timestamp`)} placeholder="2026-11-04T21:13:07Z" />
          <TextField id={fieldId(`${base}.port`)} testId={`wizard-identifier-${index}-port`} type="number" inputMode="numeric" min={0} max={65535} label={t('wizard.identifiers.parts.port')} hint={t('wizard.identifiers.portHint')} requiredText={t('wizard.optional')} value={value.port} onChange={(v) => onChange({ ...value, port: v })} onBlur={touch(`${base}.port`)} errors={errorsOf(`${base}.port`)} className="narrow" />
        </div>
      )}
      {canRemove && (
        <button type="button" className="button secondary" onClick={onRemove}>
          {t('wizard.identifiers.remove', { n: index + 1 })}
        </button>
      )}
    </fieldset>
  );
}
