/**
 * The wizard's form state and behaviour, apart from its rendering: the form, the saved draft, the
 * current step, the bases for the chosen parties and measures, the checks (what the schema refuses,
 * what the law needs), the error summary, navigation between steps and saving.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey } from '../../api';
import { useAuth, useMe } from '../../auth';
import type { SummaryItem } from '../../components/ErrorSummary';
import { useApi } from '../../hooks/useApi';
import { combineBases, type ApplicableBasis, type BasesResult, type OffenceCategory } from '../../lib/bases';
import { ApiProblem } from '../../lib/problem';
import {
  contentPlan,
  fieldId,
  fieldOfIssue,
  fromRequest,
  isCoercive,
  legalIssues,
  schemaIssues,
  stepOfField,
  toRequest,
  WIZARD_STEPS,
  type FormIssue,
  type RequestDocument,
  type RequestForm,
  type WizardStep,
} from '../../lib/request-form';
import { navigate, useParams } from '../../router';
import { paths } from '../../routes';
import { ADDRESSEE_KIND_OF } from '../../../cases/channel-fit';
import type { AuthorityKind } from '../../../cases/authorities';
import type { SplitGroup } from '../../lib/bases';
import { useLeaveGuard } from '../../router';
import { followUpPath, initialForm, plannedFromAddress, localDraftKey, readLocalDraft, removeLocalDraft, writeLocalDraft, type LocalDraft } from './local-draft';
import { dedupe, FIELD_LABELS, type Tx } from './shared';

const asProblem = (error: unknown) => (error instanceof ApiProblem ? error : new ApiProblem({ status: 0, code: 'unexpected-response', detail: String(error) }));

type Check = { mode: 'step' | 'save' | 'submit'; step: WizardStep };

export function useRequestForm() {
  const { t, i18n } = useTranslation();
  // The knowledge base's texts in the interface language (the server translates them).
  const lawLang = i18n.language.slice(0, 2);
  const tx = t as unknown as Tx;
  const { id } = useParams();
  const me = useMe();
  const { authorities } = useAuth();
  // Issue 16: a local draft in this browser, per user and request, from the first step.
  const draftKey = localDraftKey(me.userId, id);
  const [restored] = useState<LocalDraft | null>(() => readLocalDraft(draftKey));
  const [form, setForm] = useState<RequestForm>(() => (restored && !id ? restored.form : initialForm(me.authorityId ?? '')));
  /** The form as last saved to (or loaded from) the server: anything else is unsaved work. */
  const [baseline, setBaseline] = useState<string>(() => JSON.stringify(initialForm(me.authorityId ?? '')));
  const [restoredNotice, setRestoredNotice] = useState<string | null>(restored && !id ? restored.at : null);
  /** Issue 16: the linked requests still to draft after this one (measures of each). */
  const [planned, setPlanned] = useState<string[][]>(() => (restored && !id ? restored.planned : plannedFromAddress()));
  const [saved, setSaved] = useState<{ id: string; version: number; reference: string } | null>(null);
  const [step, setStep] = useState<WizardStep>(() => (restored && !id ? restored.step : 'addressee'));
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
    const fromServer = c.request ? fromRequest(c.request as RequestDocument) : null;
    if (fromServer) setBaseline(JSON.stringify(fromServer));
    // Unsaved work on this very version of the draft comes back; on another version it is stale.
    const local = readLocalDraft(localDraftKey(me.userId, id));
    if (local && local.version === c.version) {
      setForm(local.form);
      setStep(local.step);
      setPlanned(local.planned);
      setRestoredNotice(local.at);
    } else if (fromServer) setForm(fromServer);
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
  // Issue 16: the basis's channel must reach the addressee's kind (the server refuses it too: channel-mismatch).
  const misfit = basis !== null && addressee !== undefined && basis.addressees !== undefined && !basis.addressees.includes(ADDRESSEE_KIND_OF[addressee.kind as AuthorityKind] ?? addressee.kind);
  const legal = useMemo(() => {
    const issues = legalIssues(form, basis?.requiredContents ?? []);
    if (form.legalBasis !== '' && combined && !basis) issues.unshift({ field: 'legalBasis', message: 'basisNotApplicable' });
    if (misfit) issues.unshift({ field: 'legalBasis', message: 'channelMismatch' });
    return issues;
  }, [form, basis, combined, misfit]);
  const blocking = (c: Check): FormIssue[] => {
    if (c.mode === 'step') {
      const own = [...schema, ...legal.filter((i) => i.field === 'emergency.justification' || i.message === 'basisNotApplicable' || i.message === 'channelMismatch')];
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
      // "Submit for review" hands the saved draft to the reviewers (draft or returned → submitted).
      if (mode === 'submit') {
        setSaved({ id: summary.id, version: summary.version, reference: summary.reference });
        summary = await api.cases.event(summary.id, 'submit', { expectedVersion: summary.version });
      }
      setSaved({ id: summary.id, version: summary.version, reference: summary.reference });
      setOutcome(mode === 'save' ? 'saved' : 'submitted');
      // Saved on the server: no unsaved work left in the browser.
      setBaseline(JSON.stringify(form));
      removeLocalDraft(draftKey);
      removeLocalDraft(localDraftKey(me.userId, summary.id));
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

  const dirty = outcome !== 'submitted' && JSON.stringify(form) !== baseline;
  // Keep the unsaved work in this browser on every change (the version says which saved draft it edits).
  useEffect(() => {
    if (!dirty) return;
    writeLocalDraft(saved ? localDraftKey(me.userId, saved.id) : draftKey, { form, step, planned, version: saved?.version ?? 0, at: new Date().toISOString() });
  }, [dirty, form, step, planned, saved, draftKey, me.userId]);
  useLeaveGuard(dirty, t('wizard.draft.leave'));

  const discardLocal = () => {
    removeLocalDraft(draftKey);
    setRestoredNotice(null);
    const fresh = draft.data?.request ? fromRequest(draft.data.request as RequestDocument) : initialForm(me.authorityId ?? '');
    setForm(fresh);
    setBaseline(JSON.stringify(fresh));
    setPlanned([]);
    setStep('addressee');
  };

  /** Issue 16: no basis serves every measure — draft the first linked request now, plan the others. */
  const startSplit = (groups: SplitGroup[]) => {
    const [first, ...rest] = groups;
    if (!first) return;
    update({ measures: first.measures as RequestForm['measures'], legalBasis: '' });
    setPlanned(rest.map((g) => g.measures));
  };
  /** The wizard's address for the next planned request, following this one. */
  const followUpHref = saved && planned[0] ? followUpPath({ follows: saved.reference, measures: planned[0], addressee: form.addressee, own: form.referenceRequesting, emergency: form.emergency, rest: planned.slice(1) }) : null;

  return {
    id,
    me,
    dirty,
    restoredNotice,
    discardLocal,
    planned,
    startSplit,
    followUpHref,
    authorities,
    form,
    update,
    saved,
    step,
    stepIndex,
    goTo,
    setStep,
    next,
    save,
    busy,
    outcome,
    problem,
    attempt,
    summaryItems,
    errorsOf,
    touch,
    draft,
    loadedFor,
    offences,
    own,
    addressee,
    bases,
    basesReady: basesQuery !== null,
    combined,
    basis,
    coercive,
    headingRef,
    outcomeRef,
  };
}
