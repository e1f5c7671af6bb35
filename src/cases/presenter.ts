/**
 * @module cases/presenter
 * Database rows → the case objects the CLI, API and workspace show. Summaries carry no request
 * content (no personal data): only the detail view does, and reading it is recorded.
 */
import type { Selectable } from 'kysely';
import type { CaseDeadlinesTable, CaseEventsTable, CasesTable } from '../db/index.js';
import type { Citation, Measure } from '../law/index.js';
import type { Assessment } from './assessment.js';
import type { Request, Review } from './request.js';
import { allowedEvents, type CaseEvent, type CaseState, type HistoryEventName } from './workflow.js';

export interface CaseSummary {
  id: string;
  reference: string;
  state: CaseState;
  requestingAuthorityId: string;
  addresseeId: string;
  requestingParty: string;
  requestedParty: string;
  legalBasis: string;
  measures: Measure[];
  emergency: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  receivedAt: string | null;
  closedAt: string | null;
}

export interface CaseEventView {
  seq: number;
  event: HistoryEventName;
  fromState: CaseState | null;
  toState: CaseState;
  actor: string;
  side: string;
  at: string;
  reason: string | null;
  payload: unknown;
}

export interface DeadlineView {
  id: string;
  deadlineId: string;
  provision: string;
  authorityId: string;
  description: string;
  kind: string;
  runsFrom: string;
  period: { amount: number; unit: string };
  timeZone: string;
  startedAt: string;
  dueAt: string | null;
  status: string;
  suspensions: { from: string; to: string | null }[];
  metAt: string | null;
  overdueAt: string | null;
  citation: Citation;
  verified: boolean;
}

export interface CaseDetail extends CaseSummary {
  request: Request | null;
  review: Review | null;
  assessment: Assessment | null;
  purpose: string;
  retentionDays: number;
  deleteAfter: string | null;
  purgedAt: string | null;
  allowedEvents: CaseEvent[];
  history: CaseEventView[];
  deadlines: DeadlineView[];
}

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function presentSummary(row: Pick<Selectable<CasesTable>, 'id' | 'reference' | 'state' | 'requesting_authority_id' | 'addressee_id' | 'requesting_party' | 'requested_party' | 'legal_basis' | 'measures' | 'emergency' | 'version' | 'created_at' | 'updated_at' | 'sent_at' | 'received_at' | 'closed_at'>): CaseSummary {
  return {
    id: row.id,
    reference: row.reference,
    state: row.state as CaseState,
    requestingAuthorityId: row.requesting_authority_id,
    addresseeId: row.addressee_id,
    requestingParty: row.requesting_party,
    requestedParty: row.requested_party,
    legalBasis: row.legal_basis,
    measures: JSON.parse(row.measures) as Measure[],
    emergency: row.emergency === 1,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    closedAt: row.closed_at,
  };
}

export function presentEvent(row: Selectable<CaseEventsTable>): CaseEventView {
  return {
    seq: row.seq,
    event: row.event as HistoryEventName,
    fromState: row.from_state as CaseState | null,
    toState: row.to_state as CaseState,
    actor: row.actor,
    side: row.side,
    at: row.at,
    reason: row.reason,
    payload: parse(row.payload),
  };
}

export function presentDeadline(row: Selectable<CaseDeadlinesTable>): DeadlineView {
  return {
    id: row.id,
    deadlineId: row.deadline_id,
    provision: row.provision,
    authorityId: row.authority_id,
    description: row.description,
    kind: row.kind,
    runsFrom: row.runs_from,
    period: { amount: row.amount, unit: row.unit },
    timeZone: row.time_zone,
    startedAt: row.started_at,
    dueAt: row.due_at,
    status: row.status,
    suspensions: JSON.parse(row.suspensions) as { from: string; to: string | null }[],
    metAt: row.met_at,
    overdueAt: row.overdue_at,
    citation: JSON.parse(row.citation) as Citation,
    verified: row.verified === 1,
  };
}

export function presentDetail(
  row: Selectable<CasesTable>,
  events: readonly Selectable<CaseEventsTable>[],
  deadlines: readonly Selectable<CaseDeadlinesTable>[],
): CaseDetail {
  const summary = presentSummary(row);
  return {
    ...summary,
    request: parse<Request>(row.request),
    review: parse<Review>(row.review),
    assessment: parse<Assessment>(row.assessment),
    purpose: row.purpose,
    retentionDays: row.retention_days,
    deleteAfter: row.delete_after,
    purgedAt: row.purged_at,
    allowedEvents: allowedEvents(summary.state),
    history: events.map(presentEvent),
    deadlines: deadlines.map(presentDeadline),
  };
}
