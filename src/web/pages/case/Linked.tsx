/**
 * Issue 16: the investigation file of a request (requesting side only): the requests of the
 * authority under the same own reference, which follows which, the Budapest Art. 29(7)
 * preservation clock that bounds the follow-up, and a link to draft the next linked request.
 * And the internal target clock of an emergency request, on either side.
 */
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { useAuth } from '../../auth';
import { Cite } from '../../components/Citation';
import { StateBadge } from '../../components/StateBadge';
import { useApi } from '../../hooks/useApi';
import { useLocale } from '../../hooks/useLocale';
import { measureLabel } from '../../i18n/labels';
import type { LawCitation } from '../../lib/bases';
import { formatDateTime } from '../../lib/time-left';
import { Link } from '../../router';
import { paths } from '../../routes';
import type { CaseDetail } from '../../types';
import { followUpPath } from '../new-request/local-draft';
import type { Tx } from './shared';

export function LinkedRequests({ c, requestingSide, canDraft }: { c: CaseDetail; requestingSide: boolean; canDraft: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { authorityName } = useAuth();
  const linked = useApi((signal) => (requestingSide ? api.cases.linked(c.id, signal) : Promise.resolve(null)), [c.id, c.version, requestingSide]);
  const file = linked.data?.file;
  if (!requestingSide || !file) return null;
  const byId = new Map(file.requests.map((r) => [r.id, r]));
  const followUp = followUpPath({ follows: c.reference, measures: [], addressee: c.addresseeId, own: file.ownReference, emergency: c.emergency, rest: [] });
  return (
    <section aria-labelledby="linked-title" className="linked-requests" data-testid="case-linked">
      <h2 id="linked-title">{t('case.linked.title', { reference: file.ownReference })}</h2>
      <p className="small muted">{t('case.linked.intro')}</p>
      <ol>
        {file.requests.map((r) => (
          <li key={r.id} data-testid="linked-request" data-reference={r.reference} className={r.emergency ? 'emergency-card' : undefined}>
            {r.id === c.id ? <strong>{r.reference}</strong> : <Link to={paths.case(r.id)}>{r.reference}</Link>} {r.id === c.id && <span className="muted">({t('case.linked.this')})</span>} <StateBadge state={r.state} /> {r.emergency && <span className="emergency-flag">{t('case.emergency.flag')}</span>}
            <span className="block small">
              {r.measures.map((m) => measureLabel(t, m)).join(', ')} — {r.legalBasis} — {authorityName(r.addresseeId)}
            </span>
            {r.followsId && <span className="block small">{t('case.linked.follows', { reference: byId.get(r.followsId)?.reference ?? '—' })}</span>}
          </li>
        ))}
      </ol>
      {file.preservationClocks.map((clock) => (
        <p key={`${clock.caseId}-${clock.deadlineId}`} className="emergency-note" data-testid="linked-preservation-clock">
          {t('case.linked.clock', { reference: clock.reference, started: formatDateTime(clock.startedAt, locale), due: clock.dueAt ? formatDateTime(clock.dueAt, locale) : '—' })} <Cite citation={clock.citation as LawCitation} />
        </p>
      ))}
      {canDraft && (
        <p>
          <a href={followUp} className="button secondary" data-testid="case-draft-follow-up">
            {t('case.linked.draftFollowUp')}
          </a>
        </p>
      )}
    </section>
  );
}

export function EmergencyTargets({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const tx = t as unknown as Tx;
  const locale = useLocale();
  const targets = useApi((signal) => (c.emergency ? api.cases.targets(c.id, signal) : Promise.resolve(null)), [c.id, c.version, c.emergency]);
  const list = targets.data?.targets ?? [];
  if (!c.emergency || list.length === 0) return null;
  const now = Date.now();
  return (
    <section aria-labelledby="targets-title" className="emergency-card" data-testid="case-targets">
      <h2 id="targets-title">
        <span className="emergency-flag">{t('case.emergency.flag')}</span>
      </h2>
      <ul className="plain-list">
        {list.map((target) => {
          const act = tx(`case.emergency.acts.${target.act}`);
          const overdue = target.metAt === null && Date.parse(target.dueAt) < now;
          return (
            <li key={target.side} data-testid="case-target" data-status={target.metAt ? 'met' : overdue ? 'overdue' : 'running'} className={overdue ? 'emergency-note' : undefined}>
              {target.metAt
                ? t('case.emergency.targetMet', { act, met: formatDateTime(target.metAt, locale) })
                : overdue
                  ? t('case.emergency.targetOverdue', { act, due: formatDateTime(target.dueAt, locale) })
                  : t('case.emergency.target', { act, due: formatDateTime(target.dueAt, locale) })}
            </li>
          );
        })}
      </ul>
      <p className="small muted">{t('case.emergency.internal')}</p>
    </section>
  );
}
