/**
 * The shapes of the API answers the workspace reads (see /openapi.json and src/cases/presenter.ts).
 * Kept here rather than imported from the server so that the web build never pulls server code
 * in; the workflow's states and events come from the pure src/cases/workflow.ts.
 */
import type { CaseEvent, CaseState, HistoryEventName } from '../cases/workflow';

export type { CaseEvent, CaseState, HistoryEventName };

// Shapes the API presents (GET /api/cases, /api/cases/:id, /api/deadlines): the server's presenter
// types, imported as types only, so no server code reaches the web build.
export type { CaseSummary, CaseEventView, DeadlineView } from '../cases/presenter';
import type { CaseSummary, CaseEventView, DeadlineView } from '../cases/presenter';

// Roles come from the server's pure roles module (no imports of its own).
export { ROLES } from '../auth/roles';
export type { Role } from '../auth/roles';
import type { Role } from '../auth/roles';

/** GET /api/auth/me */
export interface Me {
  userId: string;
  authorityId: string | null;
  roles: Role[];
  via: 'session' | 'token' | string;
  mfaPassed: boolean;
  email: string | null;
  displayName: string | null;
}

/** POST /api/auth/login */
export interface LoginResponse {
  user: { id: string; email: string; displayName: string; authorityId: string | null; roles: Role[]; totpEnabled: boolean; mfaRequired: boolean };
  csrfToken: string;
  expiresAt: string;
  mfaRequired: boolean;
  mfaEnrolmentRequired: boolean;
}

/** POST /api/auth/totp/enrol */
export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
}

/** GET /api/authorities */
export interface Authority {
  id: string;
  party: string;
  kind: string;
  name: string;
  timeZone: string;
  languages: string[];
  contact?: Record<string, unknown>;
}

export interface CasePage {
  total: number;
  cases: CaseSummary[];
}

export interface Citation {
  instrument: string;
  article?: string;
  source?: string;
  verified?: boolean;
  note?: string;
  [key: string]: unknown;
}

/** One row of GET /api/deadlines: a running clock of one of my cases. */
export interface CaseDeadline extends DeadlineView {
  caseId: string;
  reference: string;
  state: CaseState;
}

/** GET /api/cases/:id — `request`, `review` and `assessment` are typed by the pages that show them. */
export interface CaseDetail extends CaseSummary {
  request: unknown;
  review: unknown;
  assessment: unknown;
  purpose: string;
  retentionDays: number;
  deleteAfter: string | null;
  purgedAt: string | null;
  allowedEvents: CaseEvent[];
  history: CaseEventView[];
  deadlines: DeadlineView[];
  /** Who each actor of the history is (names of the reader's own authority only). */
  actors?: Record<string, ActorView>;
}

/** A person behind an actor id: name (own authority only), roles and authority. */
export interface ActorView {
  name: string | null;
  roles: Role[];
  authorityId: string | null;
  token?: string;
}

/** GET /api/notifications */
export interface Notification {
  id: string;
  caseId: string | null;
  kind: string;
  message: string;
  createdAt: string;
  readAt: string | null;
}

/** GET /api/stats */
export interface CaseStatistics {
  total: number;
  byState: Partial<Record<CaseState, number>>;
  outgoing: { measure: string; party: string; count: number }[];
  incoming: { measure: string; party: string; count: number }[];
  medianResponseHours: number | null;
  responded: number;
  refusalsByGround: { ground: string; count: number }[];
}

/** GET /api/cases/:id/attachments: a file of the response (metadata); the server's type, imported as a type only. */
export type { AttachmentView } from '../cases/attachments';
export type { DeliveryView } from '../exchange/outbox';
export type { IncomingRejection } from '../exchange/inbox';
export type { EvidenceItemView } from '../evidence/metadata';
export type { CustodyRecord } from '../evidence/custody';

/** Body of POST /api/cases/:id/attachments. */
export interface AttachmentUpload {
  name: string;
  mediaType: string;
  contentBase64: string;
}

/** GET /api/cases/:id/audit: who did what, when, with digests of the case before and after. */
export interface AuditEventView {
  id: string;
  seq: number;
  actor: string;
  actorView?: ActorView | null;
  action: string;
  at: string;
  beforeDigest: string | null;
  afterDigest: string | null;
  /** Index of the event in the node's transparency log; null if not logged. */
  logIndex: number | null;
  /** Tree size of the node's latest signed checkpoint (null: none yet). */
  checkpointSize: number | null;
}

/** GET /api/cases/:id/access: who read or downloaded what of the case, with names. */
export interface AccessRecordView {
  id: string;
  at: string;
  action: string;
  actor: string;
  actorName: string;
  logIndex: number | null;
}

/** GET /api/ledger: the node's transparency log. */
export interface LedgerStatusView {
  origin: string;
  verifierKey: string;
  treeSize: number;
  checkpoint: { size: number; root: string; signedAt: string; note: string } | null;
  incidents: { id: string; raisedAt: string; reason: string }[];
  /** Cosignatures witnesses returned for the latest checkpoint (c2sp.org/tlog-cosignature). */
  cosignatures: { witness: string; nodeId: string; size: number; collectedAt: string; keyId: string | null; signedAt: string | null }[];
  /** Open split views: of this log (`ownLog`) or of a peer's log this node witnesses. */
  forks: { origin: string; size: number; detectedAt: string; how: string; ownLog: boolean }[];
  lastVerification: { finishedAt: string; ok: boolean; size: number; checkpoints: number; firstBadIndex: number | null; problems: string[] } | null;
}

/** GET /api/cases/:id/audit/:eventId/proof: the event's inclusion proof in the signed log. */
export interface AuditProofView {
  eventId: string;
  index: number;
  treeSize: number;
  leaf: string;
  proof: string[];
  checkpoint: string;
  tlogProof: string;
  verifierKey: string;
}

/** Body of POST /api/cases/:id/events/:event */
export interface CaseEventInput {
  reason?: string;
  review?: unknown;
  assessment?: unknown;
  response?: unknown;
  expectedVersion?: number;
}

/** Issue 16: GET /api/cases/:id/linked (src/cases/links.ts CaseFile). */
export type { CaseFile as CaseFileView } from '../cases/links';
export type { CaseTarget as CaseTargetView } from '../cases/targets';

/** GET /api/me/notifications: one of the caller's notifications (kind and case, no request content). */
export interface NotificationItem {
  id: string;
  kind: NotificationKind;
  caseId: string;
  reference: string | null;
  emergency: boolean;
  createdAt: string;
  readAt: string | null;
}

export const NOTIFICATION_KINDS = ['incoming-request', 'clarification-requested', 'clarification-answered', 'decision', 'answer', 'review-requested', 'returned-draft', 'deadline-due-soon', 'deadline-overdue'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** GET/PUT /api/me/notification-preferences */
export interface NotificationPreference {
  kind: NotificationKind;
  inApp: boolean;
  email: boolean;
}

/** GET /api/users: an account as its administrator sees it. */
export interface UserAccount {
  id: string;
  email: string;
  displayName: string;
  authorityId: string | null;
  roles: Role[];
  totpEnabled: boolean;
  createdAt: string;
  disabledAt: string | null;
}

/** GET /api/admin/tokens */
export interface AdministeredToken {
  id: string;
  userId: string;
  userDisplayName: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
