/**
 * One case: summary, the actions the reader may take now (allowed events ∩ their roles and side:
 * review, send, receive, assess, clarify, execute, respond with attachments, close, withdraw),
 * the legal clocks with the time left, the request, the records of the review, assessment and
 * response, the attachments, the history and — for auditors and administrators — the audit
 * trail. "Export PDF" downloads the formal request. Reading a case is recorded by the server.
 * After each action the case is loaded again.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useAuth, useMe } from '../auth';
import { Cite } from '../components/Citation';
import { Icon } from '../components/Icon';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { StateBadge } from '../components/StateBadge';
import { TimeLeft } from '../components/TimeLeft';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import { measureLabel } from '../i18n/labels';
import type { BasesResult, OffenceCategory } from '../lib/bases';
import { ACTION_KIND, DRAFTER_ROLES, canAttach, canEditDraft, canReadAudit, myActions, myDecisions } from '../lib/case-actions';
import type { RequestDocument } from '../lib/request-form';
import { formatDateTime } from '../lib/time-left';
import { Link, useParams } from '../router';
import { paths } from '../routes';
import type { CaseDetail, CaseEvent, DeadlineView } from '../types';
import { ActionForm, AssessmentAction } from './case/Actions';
import { Attachments } from './case/Attachments';
import { Deliveries } from './case/Deliveries';
import { EmergencyTargets, LinkedRequests } from './case/Linked';
import { sidesOf } from '../lib/queue';
import { Documents } from './case/Documents';
import { Evidence } from './case/Evidence';
import { AuditTrail, Timeline } from './case/History';
import { AccessLog } from './case/AccessLog';
import { AssessmentRecord, RequestView, ResponseRecord, ReviewRecord } from './case/RequestView';
import type { Tx } from './case/shared';

/** The engine's answer for the case's parties, first measure and date: its basis, with refusal grounds and required contents. */
function basisQuery(c: CaseDetail) {
  const request = c.request as RequestDocument | null;
  return {
    from: c.requestingParty,
    to: c.requestedParty,
    measure: c.measures[0] ?? 'preservation',
    // The server assesses against the date of receipt (or sending): src/cases/commands.ts refusalGroundsFor.
    date: (c.receivedAt ?? c.sentAt ?? c.createdAt).slice(0, 10),
    emergency: c.emergency,
    offence: request?.offences[0]?.category,
  };
}

export default function CasePage() {
  const { t, i18n } = useTranslation();
  // The knowledge base's texts in the interface language (the server translates them).
  const lawLang = i18n.language.slice(0, 2);
  const tx = t as unknown as Tx;
  const locale = useLocale();
  const { id = '' } = useParams();
  const me = useMe();
  const { authorityName } = useAuth();
  const reader = { authorityId: me.authorityId, roles: me.roles };
  const auditAllowed = canReadAudit(reader);
  const detail = useApi((signal) => api.cases.get(id, signal), [id]);
  const attachments = useApi((signal) => api.cases.attachments(id, signal), [id]);
  const deliveries = useApi((signal) => api.cases.deliveries(id, signal), [id]);
  const evidence = useApi((signal) => api.evidence.list(id, signal), [id]);
  const custody = useApi((signal) => api.evidence.custody(id, signal), [id]);
  const audit = useApi((signal) => (auditAllowed ? api.cases.audit(id, signal) : Promise.resolve([])), [id, auditAllowed]);
  const offences = useApi((signal) => api.law<OffenceCategory[]>('/offences', { lang: lawLang }, signal), [lawLang]);
  const c = detail.data;
  const queryKey = c ? JSON.stringify([basisQuery(c), lawLang]) : '';
  const bases = useApi((signal) => (c ? api.law<BasesResult>('/bases', { ...basisQuery(c), lang: lawLang }, signal) : Promise.resolve(null)), [queryKey]);
  const basis = c && bases.data ? (bases.data.applicable.find((b) => b.provision === c.legalBasis) ?? null) : null;
  const [done, setDone] = useState<CaseEvent | 'upload' | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (done) statusRef.current?.focus();
  }, [done]);

  const reload = () => {
    detail.reload();
    attachments.reload();
    deliveries.reload();
    evidence.reload();
    custody.reload();
    audit.reload();
  };
  const onDone = (event: CaseEvent | 'upload') => {
    setDone(event);
    reload();
  };

  const actions = c ? myActions(c, reader) : [];
  const decisions = myDecisions(actions);
  const others = actions.filter((e) => ACTION_KIND[e] !== 'assessment');
  const attachAllowed = c ? canAttach(c, reader) : false;
  const grounds = basis ? basis.refusalGrounds : bases.data ? [] : null;

  return (
    <>
      <p className="small">
        <Link to={paths.cases()}>
          <span aria-hidden="true">← </span>
          {t('case.backToCases')}
        </Link>
      </p>
      <PageTitle>{c ? t('case.title', { reference: c.reference }) : t('case.loadingTitle')}</PageTitle>
      {detail.problem && <ProblemAlert problem={detail.problem} onRetry={detail.reload} />}
      {!c && !detail.problem && <Loading />}
      {c && (
        <>
          <div className="page-head">
            <p className="case-badges">
              <span data-testid="case-state" data-state={c.state}>
                <StateBadge state={c.state} />
              </span>
              {c.emergency && (
                <span className="badge badge-emergency">
                  <Icon name="bolt" />
                  {t('common.emergency')}
                </span>
              )}
            </p>
            <div className="page-actions">
              {canEditDraft(c, reader) && (
                <Link className="button secondary" to={paths.editRequest(c.id)} data-testid="case-edit-draft">
                  {t('case.editDraft')}
                </Link>
              )}
              <a className="button secondary" href={api.cases.pdfUrl(c.id)} download={`${c.reference}.pdf`} data-testid="case-export-pdf">
                {t('case.exportPdf')}
              </a>
            </div>
          </div>

          {done && (
            <p className="alert alert-success" role="status" tabIndex={-1} ref={statusRef} data-testid="case-status-message">
              <Icon name="check" /> {done === 'upload' ? t('case.actions.uploaded') : t('case.actions.done', { action: t(`events.${done}`), state: t(`states.${c.state}`) })}
            </p>
          )}

          <section aria-labelledby="summary-title">
            <h2 id="summary-title" className="visually-hidden">
              {t('case.summary')}
            </h2>
            <dl className="facts" data-testid="case-summary">
              <dt>{t('cases.from')}</dt>
              <dd>
                <span className="party">{c.requestingParty}</span> {authorityName(c.requestingAuthorityId)}
              </dd>
              <dt>{t('cases.to')}</dt>
              <dd>
                <span className="party">{c.requestedParty}</span> {authorityName(c.addresseeId)}
              </dd>
              <dt>{t('cases.measures')}</dt>
              <dd>{c.measures.map((m) => measureLabel(t, m)).join(', ')}</dd>
              <dt>{t('cases.legalBasis')}</dt>
              <dd>
                {basis ? (
                  <>
                    {basis.title} — <Cite citation={basis.citation} />
                  </>
                ) : (
                  <code>{c.legalBasis}</code>
                )}
              </dd>
              <dt>{t('case.created')}</dt>
              <dd>
                <time dateTime={c.createdAt}>{formatDateTime(c.createdAt, locale)}</time>
              </dd>
              {c.sentAt && (
                <>
                  <dt>{t('case.sent')}</dt>
                  <dd>
                    <time dateTime={c.sentAt}>{formatDateTime(c.sentAt, locale)}</time>
                  </dd>
                </>
              )}
              {c.receivedAt && (
                <>
                  <dt>{t('case.received')}</dt>
                  <dd>
                    <time dateTime={c.receivedAt}>{formatDateTime(c.receivedAt, locale)}</time>
                  </dd>
                </>
              )}
              {c.closedAt && (
                <>
                  <dt>{t('case.closed')}</dt>
                  <dd>
                    <time dateTime={c.closedAt}>{formatDateTime(c.closedAt, locale)}</time>
                  </dd>
                </>
              )}
              <dt>{t('case.retention')}</dt>
              <dd>
                {t('case.retentionValue', { days: c.retentionDays })}
                {c.deleteAfter && <> — {t('case.deleteAfter', { date: c.deleteAfter })}</>}
              </dd>
              <dt>{t('case.version')}</dt>
              <dd>{c.version}</dd>
            </dl>
          </section>

          <EmergencyTargets c={c} />

          <section aria-labelledby="actions-title" data-testid="case-actions">
            <h2 id="actions-title">{t('case.actions.title')}</h2>
            {actions.length === 0 ? (
              <p className="muted">{t('case.noNextStep')}</p>
            ) : (
              <div className="actions">
                {others.map((event) => (
                  <ActionForm key={`${event}-${c.version}`} c={c} event={event} onDone={onDone} canAttachFiles={attachAllowed} />
                ))}
                {decisions.length > 0 && <AssessmentAction key={`assessment-${c.version}`} c={c} decisions={decisions} grounds={grounds} groundsProblem={bases.problem} onDone={onDone} />}
              </div>
            )}
          </section>

          {c.deadlines.length > 0 && (
            <section aria-labelledby="clocks-title" data-testid="case-clocks">
              <h2 id="clocks-title">{t('case.clocks.title')}</h2>
              <ul className="plain-list">
                {c.deadlines.map((d) => (
                  <Clock key={d.id} d={d} ended={c.closedAt !== null} description={basis?.deadlines.find((x) => x.id === d.deadlineId)?.description ?? d.description} />
                ))}
              </ul>
            </section>
          )}

          <LinkedRequests c={c} requestingSide={sidesOf(c, reader).includes('requesting')} canDraft={DRAFTER_ROLES.some((r) => reader.roles.includes(r))} />

          <section aria-labelledby="request-title">
            <h2 id="request-title">{t('case.request.title')}</h2>
            <RequestView c={c} basis={basis} offences={offences.data ?? []} />
            <ReviewRecord review={c.review} />
            <AssessmentRecord assessment={c.assessment} basis={basis} />
            <ResponseRecord c={c} />
          </section>

          <Documents c={c} />

          <Attachments caseId={c.id} items={attachments.data} problem={attachments.problem} onRetry={attachments.reload} canUpload={attachAllowed} onUploaded={() => onDone('upload')} />

          <Deliveries items={deliveries.data} />
          <Evidence caseId={c.id} items={evidence.data} custody={custody.data} problem={evidence.problem ?? custody.problem} onRetry={() => (evidence.reload(), custody.reload())} canUpload={attachAllowed} onUploaded={() => onDone('upload')} />

          <Timeline c={c} />

          {auditAllowed && <AuditTrail caseId={id} events={audit.data} problem={audit.problem} onRetry={audit.reload} />}
          {auditAllowed && <AccessLog caseId={id} />}

          <p className="small muted">{tx('case.readRecorded')}</p>
        </>
      )}
    </>
  );
}

/** A legal clock: what it is (with its citation), its status, and — while the case is open — the time left. */
function Clock({ d, ended, description }: { d: DeadlineView; ended: boolean; description: string }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const locale = useLocale();
  return (
    <li className="clock-line" data-testid="case-clock" data-status={d.status}>
      <p className="small">
        <strong>{description}</strong> <Cite citation={{ instrument: d.citation.instrument, article: d.citation.article ?? '', ...(typeof d.citation.paragraph === 'string' ? { paragraph: d.citation.paragraph } : {}), ...(d.citation.source ? { source: d.citation.source } : {}), verified: d.verified && d.citation.verified !== false }} />
      </p>
      <p className="small">
        {tx(`case.clocks.status.${d.status}`)}
        {d.status === 'met' && d.metAt && <> — {t('case.clocks.metAt', { at: formatDateTime(d.metAt, locale) })}</>}
      </p>
      {(d.status === 'running' || d.status === 'informational') && !ended && <TimeLeft dueAt={d.dueAt} clockTimeZone={d.timeZone} />}
      {ended && d.dueAt && (d.status === 'running' || d.status === 'informational') && (
        <p className="small muted">
          {t('time.due')} <time dateTime={d.dueAt}>{formatDateTime(d.dueAt, locale)}</time>
        </p>
      )}
      {d.status === 'suspended' && <p className="small muted">{t('case.clocks.suspended')}</p>}
    </li>
  );
}
