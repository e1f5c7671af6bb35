/**
 * The steps the reader may take on a case now (lib/case-actions.ts): the review record
 * (approve), written text (clarifications, withdrawal), the assessment checklist and decision,
 * the response with its attachments, and plain confirmations (send, receive, …). Each form sends
 * the case's version (a concurrent change answers 409) and calls `onDone` to reload the case.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { useAuth } from '../../auth';
import { ErrorSummary, type SummaryItem } from '../../components/ErrorSummary';
import { Cite } from '../../components/Citation';
import { FieldErrors, SelectField, TextArea, TextField } from '../../components/Field';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useLocale } from '../../hooks/useLocale';
import { formatDateTime } from '../../lib/time-left';
import { assessmentFormIssues, DECISION_EVENT, DECISIONS, emptyAssessment, toAssessment, type AssessmentForm, type Decision } from '../../lib/assessment-form';
import type { RefusalGround } from '../../lib/bases';
import { ACTION_KIND } from '../../lib/case-actions';
import { base64OfDataUrl, formatBytes, MAX_ATTACHMENT_BYTES, mediaTypeOf, safeFileName } from '../../lib/files';
import type { ApiProblem } from '../../lib/problem';
import type { CaseDetail, CaseEvent } from '../../types';
import { asProblem, type Tx } from './shared';

export interface ActionProps {
  c: CaseDetail;
  onDone: (event: CaseEvent) => void;
}

function ActionCard({ event, children, describedBy }: { event: CaseEvent; children: ReactNode; describedBy?: string }) {
  const { t } = useTranslation();
  return (
    <section className="action card" aria-labelledby={`action-${event}-title`} aria-describedby={describedBy} data-testid={`action-${event}`}>
      <h3 id={`action-${event}-title`}>{t(`events.${event}`)}</h3>
      {children}
    </section>
  );
}

/** Sends an event; returns the problem, if any. */
async function send(c: CaseDetail, event: CaseEvent, body: Record<string, unknown>): Promise<ApiProblem | null> {
  try {
    await api.cases.event(c.id, event, { ...body, expectedVersion: c.version });
    return null;
  } catch (error) {
    return asProblem(error);
  }
}

/** Confirmations: send, receive, acknowledge, start assessment, resume, execute, close. */
export function ConfirmAction({ c, event, onDone }: ActionProps & { event: CaseEvent }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const helpId = useId();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const { authorityName } = useAuth();
  // Sending is irreversible and international: it is confirmed in a dialog first.
  const irreversible = IRREVERSIBLE.has(event);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (irreversible && !dialogRef.current?.open) {
      dialogRef.current?.showModal();
      return;
    }
    dialogRef.current?.close();
    setBusy(true);
    setProblem(null);
    const result = await send(c, event, {});
    setBusy(false);
    if (result) setProblem(result);
    else onDone(event);
  };
  return (
    <ActionCard event={event} describedBy={helpId}>
      <form onSubmit={(e) => void submit(e)}>
        <p id={helpId} className="small">
          {tx(`case.actions.help.${event}`)}
        </p>
        {problem && <ProblemAlert problem={problem} />}
        <button type="submit" className="button primary" disabled={busy} data-testid={`action-${event}-submit`}>
          {busy ? t('case.actions.working') : t(`events.${event}`)}
        </button>
      </form>
      {irreversible && (
        <dialog ref={dialogRef} className="confirm-dialog" aria-labelledby={`${helpId}-confirm-title`} aria-describedby={`${helpId}-confirm-body`} data-testid={`action-${event}-dialog`}>
          <form onSubmit={(e) => void submit(e)}>
            <h2 id={`${helpId}-confirm-title`}>{t('case.confirmSend.title', { reference: c.reference })}</h2>
            <div id={`${helpId}-confirm-body`}>
              <p>{t('case.confirmSend.body', { addressee: authorityName(c.addresseeId), basis: c.legalBasis })}</p>
              {c.emergency && <p className="emergency-note">{t('case.confirmSend.emergency')}</p>}
              <p>
                <strong>{t('case.confirmSend.irreversible')}</strong>
              </p>
            </div>
            <div className="form-actions">
              <button type="submit" className="button primary" data-testid={`action-${event}-confirm`}>
                {t('case.confirmSend.confirm')}
              </button>
              <button type="button" className="button secondary" onClick={() => dialogRef.current?.close()} data-testid={`action-${event}-cancel`}>
                {t('case.confirmSend.cancel')}
              </button>
            </div>
          </form>
        </dialog>
      )}
    </ActionCard>
  );
}

/** Events confirmed in a dialog before they are recorded: sending cannot be undone. */
const IRREVERSIBLE: ReadonlySet<CaseEvent> = new Set<CaseEvent>(['send']);

/** Written text: request or answer a clarification, withdraw, record a lapse. */
export function TextAction({ c, event, onDone }: ActionProps & { event: CaseEvent }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const id = `action-${event}-text`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (text.trim().length < 3) {
      setError(t('case.actions.textRequired'));
      document.getElementById(id)?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    setProblem(null);
    const result = await send(c, event, { reason: text.trim() });
    setBusy(false);
    if (result) setProblem(result);
    else {
      setText('');
      onDone(event);
    }
  };
  // The requested side's question, right above the answer box (not only in the history).
  const locale = useLocale();
  const question = event === 'answer-clarification' ? c.history.findLast((h) => h.event === 'request-clarification') : undefined;
  return (
    <ActionCard event={event}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {question && (
          <section className="clarification-question" aria-labelledby={`${id}-question`} data-testid="clarification-question">
            <h4 id={`${id}-question`}>{t('case.clarification.question', { date: formatDateTime(question.at, locale) })}</h4>
            <blockquote>{question.reason}</blockquote>
          </section>
        )}
        <TextArea id={id} testId={id} label={tx(`case.actions.text.${event}`)} hint={tx(`case.actions.help.${event}`)} requiredText={t('wizard.required')} required value={text} onChange={setText} errors={error ? [error] : []} rows={3} />
        {problem && <ProblemAlert problem={problem} />}
        <button type="submit" className={`button ${event === 'withdraw' ? 'secondary danger' : 'primary'}`} disabled={busy} data-testid={`action-${event}-submit`}>
          {busy ? t('case.actions.working') : t(`events.${event}`)}
        </button>
      </form>
    </ActionCard>
  );
}

const REVIEW_ROLES = ['judge', 'prosecutor', 'independent-authority'] as const;

/** A `datetime-local` value for now in the reader's zone. */
function localNow(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

/** The record of the independent or judicial review (Budapest Art. 15(2)), then approve. */
export function ReviewAction({ c, onDone }: ActionProps) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const [reviewer, setReviewer] = useState('');
  const [role, setRole] = useState<string>('judge');
  const [at, setAt] = useState(localNow);
  const [reference, setReference] = useState('');
  const [notes, setNotes] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const issues: { field: string; text: string }[] = [];
  if (reviewer.trim() === '') issues.push({ field: 'review-reviewer', text: t('case.review.errors.reviewer') });
  if (Number.isNaN(Date.parse(at))) issues.push({ field: 'review-at', text: t('case.review.errors.at') });
  if (reference.trim() === '') issues.push({ field: 'review-reference', text: t('case.review.errors.reference') });
  const shown = checked ? issues : [];
  const errorsOf = (field: string) => shown.filter((i) => i.field === field).map((i) => i.text);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    setAttempt((a) => a + 1);
    if (issues.length > 0) return;
    setBusy(true);
    setProblem(null);
    const review = { reviewer: reviewer.trim(), role, at: new Date(at).toISOString(), reference: reference.trim(), decision: 'approved', ...(notes.trim() ? { notes: notes.trim() } : {}) };
    const result = await send(c, 'approve', { review });
    setBusy(false);
    if (result) setProblem(result);
    else onDone('approve');
  };
  return (
    <ActionCard event="approve">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="small">{t('case.actions.help.approve')}</p>
        <ErrorSummary title={t('case.errorSummary')} items={shown.map((i) => ({ target: i.field, text: i.text }))} attempt={attempt} testId="review-errors" />
        <fieldset className="choices">
          <legend>{t('case.review.legend')}</legend>
          <div className="field-row">
            <TextField id="review-reviewer" testId="review-reviewer" label={t('case.review.reviewer')} hint={t('case.review.reviewerHint')} requiredText={t('wizard.required')} required value={reviewer} onChange={setReviewer} errors={errorsOf('review-reviewer')} />
            <SelectField id="review-role" testId="review-role" label={t('case.review.role')} value={role} onChange={setRole}>
              {REVIEW_ROLES.map((r) => (
                <option key={r} value={r}>
                  {tx(`case.review.roles.${r}`)}
                </option>
              ))}
            </SelectField>
          </div>
          <div className="field-row">
            <TextField id="review-at" testId="review-at" type="datetime-local" label={t('case.review.at')} hint={t('case.review.atHint')} requiredText={t('wizard.required')} required value={at} onChange={setAt} errors={errorsOf('review-at')} />
            <TextField id="review-reference" testId="review-reference" label={t('case.review.reference')} hint={t('case.review.referenceHint')} requiredText={t('wizard.required')} required value={reference} onChange={setReference} errors={errorsOf('review-reference')} />
          </div>
          <TextArea id="review-notes" testId="review-notes" label={t('case.review.notes')} requiredText={t('wizard.optional')} value={notes} onChange={setNotes} rows={2} />
        </fieldset>
        {problem && <ProblemAlert problem={problem} />}
        <button type="submit" className="button primary" disabled={busy} data-testid="action-approve-submit">
          {busy ? t('case.actions.working') : t('case.review.submit')}
        </button>
      </form>
    </ActionCard>
  );
}

/** Reads a file as base64 (FileReader: no library). */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      try {
        resolve(base64OfDataUrl(String(reader.result)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** Uploads files to the case's response; returns the problem of the first failure. */
export async function uploadFiles(caseId: string, files: readonly File[]): Promise<ApiProblem | null> {
  for (const file of files) {
    try {
      await api.cases.attach(caseId, { name: safeFileName(file.name), mediaType: mediaTypeOf(file.type), contentBase64: await readBase64(file) });
    } catch (error) {
      return asProblem(error);
    }
  }
  return null;
}

/** Files chosen in a file input, checked against the size limit. */
export function useFileChoice() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [files, setFiles] = useState<File[]>([]);
  const tooLarge = files.filter((f) => f.size > MAX_ATTACHMENT_BYTES);
  const errors = tooLarge.map((f) => t('response.errors.tooLarge', { name: f.name, max: formatBytes(MAX_ATTACHMENT_BYTES, locale) }));
  const empty = files.filter((f) => f.size === 0).map((f) => t('response.errors.empty', { name: f.name }));
  return { files, setFiles, errors: [...errors, ...empty] };
}

/** The response to the requesting side: a summary, with files attached first when the state allows. */
export function ResponseAction({ c, onDone, canAttachFiles }: ActionProps & { canAttachFiles: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [summary, setSummary] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const choice = useFileChoice();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (summary.trim().length < 3) {
      setError(t('response.errors.summary'));
      document.getElementById('response-summary')?.focus();
      return;
    }
    setError(null);
    if (choice.errors.length > 0) {
      document.getElementById('response-files')?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    const uploaded = canAttachFiles ? await uploadFiles(c.id, choice.files) : null;
    if (uploaded) {
      setBusy(false);
      setProblem(uploaded);
      return;
    }
    const result = await send(c, 'respond', { response: { summary: summary.trim() } });
    setBusy(false);
    if (result) setProblem(result);
    else {
      choice.setFiles([]);
      setInputKey((k) => k + 1);
      onDone('respond');
    }
  };
  return (
    <ActionCard event="respond">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="small">{t('case.actions.help.respond')}</p>
        <TextArea id="response-summary" testId="response-summary" label={t('response.summary')} hint={t('response.summaryHint')} requiredText={t('wizard.required')} required value={summary} onChange={setSummary} errors={error ? [error] : []} rows={4} />
        {canAttachFiles ? (
          <div className="field">
            <label htmlFor="response-files">
              {t('response.files')} <span className="muted small">({t('wizard.optional')})</span>
            </label>
            <p id="response-files-hint" className="hint">
              {t('response.filesHint', { max: formatBytes(MAX_ATTACHMENT_BYTES, locale) })}
            </p>
            <input
              key={inputKey}
              id="response-files"
              type="file"
              multiple
              data-testid="response-files"
              aria-describedby={`response-files-hint${choice.errors.length ? ' response-files-error' : ''}`}
              aria-invalid={choice.errors.length > 0 || undefined}
              onChange={(e) => choice.setFiles(Array.from(e.target.files ?? []))}
            />
            {choice.files.length > 0 && (
              <ul className="small">
                {choice.files.map((f) => (
                  <li key={f.name}>
                    {f.name} ({formatBytes(f.size, locale)})
                  </li>
                ))}
              </ul>
            )}
            <FieldErrors id="response-files-error" errors={choice.errors} />
          </div>
        ) : (
          <p className="hint">{t('response.noFilesNow')}</p>
        )}
        {problem && <ProblemAlert problem={problem} />}
        <button type="submit" className="button primary" disabled={busy} data-testid="action-respond-submit">
          {busy ? t('case.actions.working') : t('response.submit')}
        </button>
      </form>
    </ActionCard>
  );
}

/**
 * The assessment: one yes/no question (with a note) per refusal ground of the basis, a decision
 * among those the state allows, reasons, conditions, the scope of a partial execution. Checked in
 * the browser as the server checks it (lib/assessment-form.ts).
 */
export function AssessmentAction({ c, decisions, grounds, groundsProblem, onDone }: ActionProps & { decisions: readonly CaseEvent[]; grounds: readonly RefusalGround[] | null; groundsProblem: ApiProblem | undefined }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const offered = DECISIONS.filter((d) => decisions.includes(DECISION_EVENT[d]));
  const groundsKey = JSON.stringify(grounds?.map((g) => g.ground) ?? null);
  const [form, setForm] = useState<AssessmentForm>(() => emptyAssessment(grounds ?? []));
  useEffect(() => setForm((f) => ({ ...emptyAssessment(grounds ?? []), decision: f.decision, reasons: f.reasons, conditions: f.conditions, partialScope: f.partialScope })), [groundsKey]);
  const [attempt, setAttempt] = useState(0);
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const issues = useMemo(() => assessmentFormIssues(form, grounds ?? []), [form, grounds]);
  const shown = checked ? issues : [];
  const idOf = (field: string) => {
    if (field.startsWith('grounds.')) {
      const [, ground, part] = field.split('.');
      return part === 'note' ? `a-note-${ground}` : `a-ground-${ground}-yes`;
    }
    if (field === 'decision') return `a-decision-${offered[0] ?? 'accept'}`;
    return `a-${field}`;
  };
  const errorsOf = (...fields: string[]) => shown.filter((i) => fields.includes(i.field)).map((i) => tx(`assessment.errors.${i.message}`));
  const textOf = (ground: string) => grounds?.find((g) => g.ground === ground);
  const items: SummaryItem[] = shown.map((i) => ({ target: idOf(i.field), text: tx(`assessment.errors.${i.message}`) + (i.field.startsWith('grounds.') ? ` — ${textOf(i.field.split('.')[1] ?? '')?.text ?? ''}` : '') }));
  const reasonsRequired = form.decision === 'refuse' || form.decision === 'postpone' || form.decision === 'execute-partially';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    setAttempt((a) => a + 1);
    if (issues.length > 0 || !grounds) return;
    const { event, assessment, reason } = toAssessment(form);
    setBusy(true);
    setProblem(null);
    const result = await send(c, event, { assessment, ...(reason ? { reason } : {}) });
    setBusy(false);
    if (result) setProblem(result);
    else onDone(event);
  };

  return (
    <section className="action card" aria-labelledby="action-assessment-title" data-testid="action-assessment">
      <h3 id="action-assessment-title">{t('assessment.title')}</h3>
      <p className="small">{t('assessment.intro')}</p>
      {groundsProblem && <ProblemAlert problem={groundsProblem} />}
      {!grounds && !groundsProblem && <p className="muted">{t('assessment.loadingGrounds')}</p>}
      {grounds && (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <ErrorSummary title={t('case.errorSummary')} items={items} attempt={attempt} testId="assessment-errors" />
          <fieldset className="choices">
            <legend>{t('assessment.groundsLegend')}</legend>
            {grounds.length === 0 && <p className="muted">{t('assessment.noGrounds')}</p>}
            {form.grounds.map((answer) => {
              const ground = textOf(answer.ground);
              const errors = errorsOf(`grounds.${answer.ground}`);
              const errorId = `a-ground-${answer.ground}-error`;
              return (
                <fieldset key={answer.ground} className="repeat" data-testid={`assessment-ground-${answer.ground}`} aria-describedby={errors.length ? errorId : undefined}>
                  <legend>
                    {ground?.text ?? answer.ground} {ground && <Cite citation={ground.citation} />}
                    {ground?.effect === 'postpone' && <span className="muted small"> ({t('assessment.postponeOnly')})</span>}
                  </legend>
                  <div className="radio-row" role="presentation">
                    <span className="radio">
                      <input type="radio" id={`a-ground-${answer.ground}-yes`} name={`a-ground-${answer.ground}`} checked={answer.applies === true} onChange={() => setForm((f) => ({ ...f, grounds: f.grounds.map((g) => (g.ground === answer.ground ? { ...g, applies: true } : g)) }))} data-testid={`assessment-ground-${answer.ground}-yes`} aria-invalid={errors.length > 0 || undefined} />
                      <label htmlFor={`a-ground-${answer.ground}-yes`}>{t('assessment.applies')}</label>
                    </span>
                    <span className="radio">
                      <input type="radio" id={`a-ground-${answer.ground}-no`} name={`a-ground-${answer.ground}`} checked={answer.applies === false} onChange={() => setForm((f) => ({ ...f, grounds: f.grounds.map((g) => (g.ground === answer.ground ? { ...g, applies: false } : g)) }))} data-testid={`assessment-ground-${answer.ground}-no`} aria-invalid={errors.length > 0 || undefined} />
                      <label htmlFor={`a-ground-${answer.ground}-no`}>{t('assessment.doesNotApply')}</label>
                    </span>
                  </div>
                  <FieldErrors id={errorId} errors={errors} />
                  <TextArea id={`a-note-${answer.ground}`} testId={`assessment-ground-${answer.ground}-note`} label={t('assessment.note')} requiredText={t('wizard.optional')} value={answer.note} onChange={(v) => setForm((f) => ({ ...f, grounds: f.grounds.map((g) => (g.ground === answer.ground ? { ...g, note: v } : g)) }))} errors={errorsOf(`grounds.${answer.ground}.note`)} rows={2} />
                </fieldset>
              );
            })}
          </fieldset>

          <fieldset className="choices" aria-describedby={errorsOf('decision').length ? 'a-decision-error' : undefined}>
            <legend>{t('assessment.decision')}</legend>
            <div className="radio-column">
              {offered.map((d: Decision) => (
                <span className="radio" key={d}>
                  <input type="radio" id={`a-decision-${d}`} name="a-decision" value={d} checked={form.decision === d} onChange={() => setForm((f) => ({ ...f, decision: d }))} data-testid={`assessment-decision-${d}`} aria-describedby={`a-decision-${d}-hint`} />
                  <label htmlFor={`a-decision-${d}`}>{tx(`assessment.decisions.${d}`)}</label>
                  <span id={`a-decision-${d}-hint`} className="hint block">
                    {tx(`assessment.decisionHints.${d}`)}
                  </span>
                </span>
              ))}
            </div>
            <FieldErrors id="a-decision-error" errors={errorsOf('decision')} />
          </fieldset>

          <TextArea id="a-reasons" testId="assessment-reasons" label={t('assessment.reasons')} hint={t('assessment.reasonsHint')} requiredText={reasonsRequired ? t('wizard.required') : t('wizard.optional')} required={reasonsRequired} value={form.reasons} onChange={(v) => setForm((f) => ({ ...f, reasons: v }))} errors={errorsOf('reasons')} rows={4} />
          <TextArea id="a-conditions" testId="assessment-conditions" label={t('assessment.conditions')} hint={t('assessment.conditionsHint')} requiredText={t('wizard.optional')} value={form.conditions} onChange={(v) => setForm((f) => ({ ...f, conditions: v }))} errors={errorsOf('conditions')} rows={2} />
          {form.decision === 'execute-partially' && (
            <TextArea id="a-partialScope" testId="assessment-partial-scope" label={t('assessment.partialScope')} hint={t('assessment.partialScopeHint')} requiredText={t('wizard.required')} required value={form.partialScope} onChange={(v) => setForm((f) => ({ ...f, partialScope: v }))} errors={errorsOf('partialScope')} rows={2} />
          )}
          {problem && <ProblemAlert problem={problem} />}
          <button type="submit" className="button primary" disabled={busy} data-testid="assessment-submit">
            {busy ? t('case.actions.working') : t('assessment.submit')}
          </button>
        </form>
      )}
    </section>
  );
}

/** The form an action needs. */
export function ActionForm({ c, event, onDone, canAttachFiles }: ActionProps & { event: CaseEvent; canAttachFiles: boolean }) {
  switch (ACTION_KIND[event]) {
    case 'review':
      return <ReviewAction c={c} onDone={onDone} />;
    case 'text':
      return <TextAction c={c} event={event} onDone={onDone} />;
    case 'response':
      return <ResponseAction c={c} onDone={onDone} canAttachFiles={canAttachFiles} />;
    case 'confirm':
      return <ConfirmAction c={c} event={event} onDone={onDone} />;
    case 'assessment':
      return null;
  }
}
