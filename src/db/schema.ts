/**
 * @module db/schema
 * The tables as Kysely sees them. Column names are the SQL names (snake_case). Keep this file in
 * step with the migrations in `./migrations/`: it describes the schema after the latest one.
 */
import type { Generated, GeneratedAlways, Insertable, Selectable } from 'kysely';

/** `schema_info`: small key/value facts about the database itself. */
export interface SchemaInfoTable {
  key: string;
  value: string;
}

/**
 * `audit_events`: the append-only record of every change. A use case writes its event in the
 * same transaction as the change it records.
 */
export interface AuditEventsTable {
  /** UUIDv7 (RFC 9562 §5.7) as a lowercase string, see `ids.ts`. Unique. */
  id: string;
  /**
   * Assigned by the database on insert, increasing (SQLite AUTOINCREMENT rowid, PostgreSQL
   * identity). On PostgreSQL concurrent transactions may commit out of `seq` order and a rolled
   * back insert leaves a gap: order by `seq`, but do not assume it is gapless.
   */
  seq: GeneratedAlways<number>;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  /** ISO 8601 UTC instant, e.g. `2026-03-01T09:30:00.000Z`. */
  at: string;
  before_digest: string | null;
  after_digest: string | null;
  /** JSON text, or null. */
  details: string | null;
}

export interface AuthoritiesTable {
  id: string;
  /** ISO 3166-1 alpha-2 party. */
  party: string;
  kind: string;
  name: string;
  /** IANA time zone: day periods of this authority's clocks are counted in it. */
  time_zone: string;
  /** JSON array of ISO 639 codes. */
  languages: string;
  /** JSON object. */
  contact: string;
  /** 0007: 0/1, the approver must differ from the drafter (on by default). */
  separation_of_duties: Generated<number>;
  /** 0055: Reg. 2023/1543 Art. 4 kind (judge, court, investigating-judge, public-prosecutor, other-competent-authority), or null. */
  issuing_kind: string | null;
  created_at: string;
}

export interface CasesTable {
  id: string;
  reference: string;
  requesting_authority_id: string;
  addressee_id: string;
  requesting_party: string;
  requested_party: string;
  state: string;
  legal_basis: string;
  /** JSON array of measures. */
  measures: string;
  emergency: number;
  /** JSON request document; null once purged. */
  request: string | null;
  review: string | null;
  assessment: string | null;
  /** Incremented on every change (optimistic concurrency). */
  version: number;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  received_at: string | null;
  closed_at: string | null;
  purpose: string;
  retention_days: number;
  /** Deletion date of received personal data (YYYY-MM-DD), set when the case ends. */
  delete_after: string | null;
  purged_at: string | null;
}

/**
 * Every column of `cases`, for statements that name them instead of `*` — a server-prepared
 * statement reading `*` fails ("cached plan must not change result type") once a migration adds a
 * column while older servers still run; the type check below keeps the list complete.
 */
export const CASE_COLUMNS = [
  'id', 'reference', 'requesting_authority_id', 'addressee_id', 'requesting_party', 'requested_party', 'state', 'legal_basis', 'measures',
  'emergency', 'request', 'review', 'assessment', 'version', 'created_at', 'updated_at', 'sent_at', 'received_at', 'closed_at', 'purpose',
  'retention_days', 'delete_after', 'purged_at',
] as const satisfies readonly (keyof CasesTable)[];
const CASE_COLUMNS_COMPLETE: [Exclude<keyof CasesTable, (typeof CASE_COLUMNS)[number]>] extends [never] ? true : never = true;
void CASE_COLUMNS_COMPLETE;

export interface CaseEventsTable {
  id: string;
  case_id: string;
  /** 1, 2, … per case: the order of the history. */
  seq: number;
  event: string;
  from_state: string | null;
  to_state: string;
  actor: string;
  side: string;
  at: string;
  reason: string | null;
  payload: string | null;
}

export interface CaseDeadlinesTable {
  id: string;
  case_id: string;
  /** The authority whose clock runs (and whose time zone counts the days). */
  authority_id: string;
  deadline_id: string;
  provision: string;
  description: string;
  kind: string;
  runs_from: string;
  amount: number;
  unit: string;
  time_zone: string;
  started_at: string;
  /** UTC instant; null while suspended indefinitely. */
  due_at: string | null;
  /** running | suspended | met | cancelled | informational */
  status: string;
  /** JSON array of {from, to|null}. */
  suspensions: string;
  met_at: string | null;
  /** Set once, by the scheduler, when the deadline passed unmet. */
  overdue_at: string | null;
  /** 0065: set once, by the scheduler, when the "due soon" notice was queued. */
  due_soon_at: Generated<string | null>;
  citation: string;
  verified: number;
}

export interface CaseAccessTable {
  id: string;
  case_id: string;
  actor: string;
  action: string;
  at: string;
}

/**
 * `case_attachments`: files the requested side attaches to its response. `content` is the bytes
 * (SQLite BLOB, PostgreSQL bytea: a Buffer from better-sqlite3 and pg, a Uint8Array from PGlite).
 */
export interface CaseAttachmentsTable {
  id: string;
  case_id: string;
  name: string;
  media_type: string;
  /** Bytes. */
  size: number;
  /** Lowercase hex SHA-256 of `content`. */
  sha256: string;
  content: Uint8Array;
  uploaded_by: string;
  uploaded_at: string;
  /** The evidence item this attachment became (migration 0041), or null. */
  evidence_item_id: string | null;
}

/** `idempotency_keys`: the case a client's key created, for a day (see `createCaseOnce` in `cases/commands.ts`). */
export interface IdempotencyKeysTable {
  actor: string;
  key: string;
  /** SHA-256 of the canonical JSON of the request the key was first used for. */
  fingerprint: string;
  case_id: string;
  created_at: string;
}

export interface NotificationsTable {
  id: string;
  authority_id: string;
  case_id: string;
  kind: string;
  message: string;
  created_at: string;
  read_at: string | null;
}

/** `notification_queue` (0065): events someone may need to know of, queued in the transaction that records them. */
export interface NotificationQueueTable {
  id: string;
  /** 'case-event' | 'deadline' */
  source: string;
  case_id: string;
  event: string;
  authority_id: string | null;
  created_at: string;
}

/** `user_notifications` (0065): one user's notification (kind and case only, no request content). */
export interface UserNotificationsTable {
  id: string;
  user_id: string;
  authority_id: string;
  case_id: string;
  kind: string;
  created_at: string;
  read_at: string | null;
}

/** `notification_preferences` (0065): no row means both channels on. */
export interface NotificationPreferencesTable {
  user_id: string;
  kind: string;
  in_app: number;
  email: number;
}

/** `mail_outbox` (0065): e-mails to send, retried with backoff. */
export interface MailOutboxTable {
  id: string;
  user_id: string;
  to_address: string;
  subject: string;
  body: string;
  created_at: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  sent_at: string | null;
  failed_at: string | null;
  last_error: string | null;
}

/** `users`: accounts. Secrets are stored hashed (password) or sealed (TOTP), never in the clear. */
export interface UsersTable {
  id: string;
  /** Lowercased; unique. */
  email: string;
  display_name: string;
  /** null: a platform administrator. */
  authority_id: string | null;
  /** JSON array of roles (`src/auth/roles.ts`). */
  roles: string;
  /** `scrypt$15$8$1$<salt b64>$<hash b64>`. */
  password_hash: string;
  /** The TOTP secret sealed with the master key (`v1.…`), or null. */
  totp_secret: string | null;
  /** 0/1: set once the user has confirmed a code from the enrolled secret. */
  totp_enabled: number;
  /** The last accepted TOTP time step (a code is accepted only for a later one). */
  totp_last_step: number | null;
  /** Failed password or second-factor attempts since the last complete sign-in from an unknown device. */
  failed_logins: number;
  /** Since 0006: the next attempt from an unknown device is heard after this instant (a delay, not a lock). */
  locked_until: string | null;
  created_at: string;
  disabled_at: string | null;
}

/** `sessions`: browser sessions. `id` is the SHA-256 (hex) of the token, never the token. */
export interface SessionsTable {
  id: string;
  user_id: string;
  /** SHA-256 (hex) of the CSRF token. */
  csrf_hash: string;
  /** 0/1. */
  mfa_passed: number;
  created_at: string;
  /** Absolute expiry. */
  expires_at: string;
  last_seen_at: string;
  /** 0006: the trusted device through which the session was opened (its sign-in bucket), or null. */
  device_id: string | null;
  /** 0006: wrong second-factor codes sent in this session. */
  mfa_failures: number;
}

/** `trusted_devices` (0006): devices that completed a sign-in; `id` is the SHA-256 of the device cookie. */
export interface TrustedDevicesTable {
  id: string;
  user_id: string;
  created_at: string;
  last_used_at: string;
  failed_logins: number;
  next_attempt_at: string | null;
}

/** `api_tokens`: `cmt_<id>_<secret>` bearer tokens; only the SHA-256 of the secret is stored. */
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** `login_events`: sign-in attempts. No e-mail address, only its SHA-256. */
export interface LoginEventsTable {
  id: string;
  user_id: string | null;
  email_hash: string;
  /** success | bad-password | unknown-user | disabled | throttled (locked before 0006) | mfa-failed | mfa-success */
  outcome: string;
  at: string;
}

/** `node_keys`: the node's keys, private parts sealed under the master key (see `keys/`). */
export interface NodeKeysTable {
  id: string;
  /** `node`, or the id of the authority that holds the key. */
  owner: string;
  /** See `KeyPurpose` in `keys/`. */
  purpose: string;
  /** See `KeyAlgorithm` in `keys/`. */
  algorithm: string;
  /** SPKI DER, base64url; null for a symmetric key. */
  public_key: string | null;
  sealed_private: string;
  /** active | retired | revoked */
  status: string;
  created_at: string;
  not_before: string;
  not_after: string | null;
  retired_at: string | null;
  revoked_at: string | null;
}

/** `ledger_head`: one row (id 1), the number of entries sequenced into the log. */
export interface LedgerHeadTable {
  id: number;
  size: number;
}

/** `ledger_entries`: the log's index → the recorded row (see migration 0011). */
export interface LedgerEntriesTable {
  idx: number;
  /** audit | login | access | record */
  source: string;
  source_id: string;
  /** RFC 8785 JSON, only for source 'record' (appended directly). */
  leaf: string | null;
  /** The audit event's `seq`, for reading it directly (migration 0082); NULL for other sources. Not a commitment: the leaf names the event. */
  source_seq: Generated<number | string | null>;
}

/** `ledger_leaves`: the integrated leaves (RFC 8785 JSON). */
export interface LedgerLeavesTable {
  idx: number;
  leaf: string;
}

/** `ledger_nodes`: MTH of the perfect subtree of 2^level leaves starting at leaf idx·2^level. */
export interface LedgerNodesTable {
  level: number;
  idx: number;
  hash: Buffer;
}

/** `ledger_tree`: one row (id 1), the integrated tree head and its compact range. */
export interface LedgerTreeTable {
  id: number;
  size: number;
  root: Buffer;
  range: string;
}

export interface LedgerCheckpointsTable {
  size: number;
  origin: string;
  root: Buffer;
  /** The signed note (c2sp.org/tlog-checkpoint). */
  note: string;
  key_id: string;
  signed_at: string;
}

/** `witness_checkpoints`: checkpoints of peers' logs this node cosigned as a witness (migration 0031). */
export interface WitnessCheckpointsTable {
  origin: string;
  size: number;
  root: Uint8Array;
  node_id: string;
  note: string;
  cosigned_at: string;
}

/** `ledger_cosignatures`: witnesses' cosignatures of this node's checkpoints (one note signature line each). */
export interface LedgerCosignaturesTable {
  origin: string;
  size: number;
  witness: string;
  node_id: string;
  signature: string;
  collected_at: string;
}

/** `ledger_forks`: two validly signed checkpoints of one log that contradict each other. */
export interface LedgerForksTable {
  id: string;
  origin: string;
  size: number;
  detected_at: string;
  how: string;
  evidence: string;
  resolved_at: string | null;
}

export interface LedgerIncidentsTable {
  id: string;
  raised_at: string;
  reason: string;
  resolved_at: string | null;
  resolution: string | null;
}

export interface LedgerVerificationsTable {
  id: string;
  started_at: string;
  finished_at: string;
  size: number;
  /** 0 or 1. */
  ok: number;
  /** JSON report. */
  report: string;
}

/** `evidence_case_keys`: one content key per case, wrapped by the node's content-wrapping key (see `evidence/`). */
export interface EvidenceCaseKeysTable {
  case_id: string;
  wrapping_key_id: string;
  /** base64url(iv ‖ ciphertext ‖ tag); null once destroyed. */
  wrapped: string | null;
  created_at: string;
  destroyed_at: string | null;
}

/** `evidence_uploads`: resumable uploads in progress. Sizes: numbers (bigint on PostgreSQL, read back as strings). */
export interface EvidenceUploadsTable {
  id: string;
  case_id: string;
  actor: string;
  authority_id: string | null;
  length: number | string;
  received: number | string;
  header: string;
  metadata: string;
  created_at: string;
  updated_at: string;
}

/** `evidence_items`: evidence metadata and digest; the sealed bytes live in the blob store. */
export interface EvidenceItemsTable {
  id: string;
  case_id: string;
  sha256: string;
  size: number | string;
  media_type: string;
  original_name: string | null;
  description: string | null;
  data_category: string;
  producer: string;
  produced_at: string | null;
  received_at: string;
  received_by: string;
  blob_key: string;
  deleted_at: string | null;
}

/** `evidence_custody`: the chain of custody, signed canonical JSON lines chained per case. */
export interface EvidenceCustodyTable {
  id: string;
  case_id: string;
  seq: number;
  item_id: string | null;
  event: string;
  actor: string;
  authority_id: string | null;
  at: string;
  line: string;
  signature: string;
  key_id: string;
  ledger_index: number | string | null;
}

/** `evidence_signatures`: the CAdES signature of each signed bundle manifest (migration 0040). */
export interface EvidenceSignaturesTable {
  manifest_sha256: string;
  case_id: string;
  key_id: string;
  signature: string;
  signed_at: string;
}

/** Every table, for `Kysely<Database>`. */
/** This node's identity (one row, id `self`); see migration 0020. */
export interface ExchangeNodeTable {
  id: string;
  node_id: string;
  endpoint: string;
  /** JSON array of hosted authority ids. */
  hosted: string;
  /** JSON `{ send: string[]; receive: string[] }` of message types. */
  flows: string;
  created_at: string;
  updated_at: string;
}

/** A trusted peer node and its signed agreement, verbatim. */
export interface ExchangePeersTable {
  node_id: string;
  endpoint: string;
  agreement: string;
  fingerprint: string;
  issued_at: string;
  added_at: string;
}

/** The next outbox `seq` per peer. */
export interface ExchangeSequencesTable {
  peer_node_id: string;
  next_seq: number;
}

/** A lease on single-holder work (the relay). */
export interface ExchangeLeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

/** A message to send (see `exchange/outbox.ts`). */
export interface ExchangeOutboxTable {
  message_id: string;
  peer_node_id: string;
  from_authority: string;
  to_authority: string;
  seq: number;
  conversation_id: string;
  case_id: string | null;
  type: string;
  emergency: Generated<number>;
  envelope: string;
  digest: string;
  /** queued | relayed | delivered | read | rejected | outcome-unknown */
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  last_error: string | null;
  receipt: string | null;
  created_at: string;
  updated_at: string;
}

/** A message received, keyed by its id, with the receipt sent back. */
export interface ExchangeInboxTable {
  message_id: string;
  sender_node_id: string;
  conversation_id: string;
  type: string;
  digest: string;
  /** accepted | rejected */
  outcome: string;
  reason: string | null;
  payload: string;
  receipt: string;
  received_at: string;
  read_at: string | null;
}

/** A message refused before it could be trusted. */
/** HTTP rate-limit counters shared by the processes of a node on PostgreSQL (migration 0036). */
export interface HttpRateLimitsTable {
  key: string;
  count: number;
  window_start: number | string;
}

/** Evidence sealed for a peer (migration 0035): its chunks wait on disk for the peer to fetch. */
export interface ExchangeTransfersOutTable {
  transfer_id: string;
  case_id: string;
  item_id: string;
  peer_node_id: string;
  chunks: number;
  created_at: string;
  /** The sending authority (migration 0075; null for transfers recorded before). */
  authority_id: string | null;
  /** sent | confirmed (the receiver's signed notice arrived) | closed (chunks deleted) */
  state: string;
  closed_at: string | null;
  /** confirmed | expired */
  close_reason: string | null;
}

/** Evidence announced by a peer's signed response (migration 0035): fetched chunk by chunk. */
export interface ExchangeTransfersInTable {
  transfer_id: string;
  case_id: string;
  message_id: string;
  peer_node_id: string;
  authority_id: string;
  manifest: string;
  content_key: string;
  item: string;
  /** pending | complete | failed */
  state: string;
  chunks_received: number;
  item_id: string | null;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ExchangeRefusalsTable {
  id: string;
  received_at: string;
  claimed_sender: string | null;
  claimed_message_id: string | null;
  code: string;
  reason: string;
  digest: string;
  size: number;
  receipt: string;
}

/** Every table, for `Kysely<Database>`. */
/** Regulation (EU) 2023/1543 (migration 0050): a service provider and who receives its orders. */
export interface ServiceProvidersTable {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2 (or EU party code) of the State where the provider is established. */
  established_in: string;
  representative_authority_id: string;
  /** `designated-establishment` | `legal-representative` (Directive (EU) 2023/1544). */
  representative_kind: string;
  representative_state: string;
  created_at: string;
}

/** An EPOC or EPOC-PR (see `eorders/`). JSON columns: certificate, validation. */
export interface EordersTable {
  id: string;
  reference: string;
  kind: string;
  state: string;
  emergency: number;
  issuing_authority_id: string;
  addressee_id: string;
  provider_id: string;
  enforcing_authority_id: string | null;
  enforcing_status: string;
  validation_status: string;
  certificate: string;
  validation: string | null;
  preceded_by: string | null;
  created_by: string;
  version: number;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  enforcing_delivered_at: string | null;
  closed_at: string | null;
}

export interface EorderEventsTable {
  id: string;
  order_id: string;
  seq: number;
  event: string;
  from_state: string | null;
  to_state: string;
  actor: string;
  /** issuing | addressee | enforcing | system */
  party: string;
  at: string;
  reason: string | null;
  payload: string | null;
}

export interface EorderClocksTable {
  id: string;
  order_id: string;
  clock: string;
  party: string;
  authority_id: string;
  text: string;
  amount: number;
  unit: string;
  started_at: string;
  due_at: string;
  status: string;
  met_at: string | null;
  citation: string;
  verified: number;
}

/** Issue 16: an investigation file, the requesting authority's own reference (0060). */
export interface CaseFilesTable {
  id: string;
  authority_id: string;
  own_reference: string;
  created_at: string;
}

/** Issue 16: the file a request belongs to and the earlier request it follows (0060). */
export interface CaseLinksTable {
  case_id: string;
  file_id: string;
  follows_case_id: string | null;
  linked_at: string;
}

/** Issue 16: internal target clocks of emergency requests, per side (0061). */
export interface CaseTargetsTable {
  case_id: string;
  side: 'requesting' | 'requested';
  act: 'send' | 'respond';
  hours: number;
  started_at: string;
  due_at: string;
  met_at: string | null;
}

export interface Database {
  schema_info: SchemaInfoTable;
  audit_events: AuditEventsTable;
  authorities: AuthoritiesTable;
  provider_orders: ProviderOrdersTable;
  provider_log_checkpoints: ProviderLogCheckpointsTable;
  cases: CasesTable;
  case_events: CaseEventsTable;
  case_deadlines: CaseDeadlinesTable;
  case_access: CaseAccessTable;
  case_attachments: CaseAttachmentsTable;
  idempotency_keys: IdempotencyKeysTable;
  notifications: NotificationsTable;
  notification_queue: NotificationQueueTable;
  user_notifications: UserNotificationsTable;
  notification_preferences: NotificationPreferencesTable;
  mail_outbox: MailOutboxTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_events: LoginEventsTable;
  trusted_devices: TrustedDevicesTable;
  node_keys: NodeKeysTable;
  ledger_head: LedgerHeadTable;
  ledger_entries: LedgerEntriesTable;
  ledger_leaves: LedgerLeavesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_tree: LedgerTreeTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  witness_checkpoints: WitnessCheckpointsTable;
  ledger_cosignatures: LedgerCosignaturesTable;
  ledger_forks: LedgerForksTable;
  ledger_incidents: LedgerIncidentsTable;
  ledger_verifications: LedgerVerificationsTable;
  exchange_node: ExchangeNodeTable;
  exchange_peers: ExchangePeersTable;
  exchange_sequences: ExchangeSequencesTable;
  exchange_leases: ExchangeLeasesTable;
  exchange_outbox: ExchangeOutboxTable;
  exchange_inbox: ExchangeInboxTable;
  exchange_refusals: ExchangeRefusalsTable;
  exchange_transfers_out: ExchangeTransfersOutTable;
  exchange_transfers_in: ExchangeTransfersInTable;
  http_rate_limits: HttpRateLimitsTable;
  evidence_case_keys: EvidenceCaseKeysTable;
  evidence_uploads: EvidenceUploadsTable;
  evidence_items: EvidenceItemsTable;
  evidence_custody: EvidenceCustodyTable;
  service_providers: ServiceProvidersTable;
  eorders: EordersTable;
  eorder_events: EorderEventsTable;
  eorder_clocks: EorderClocksTable;
  evidence_signatures: EvidenceSignaturesTable;
  case_files: CaseFilesTable;
  case_links: CaseLinksTable;
  case_targets: CaseTargetsTable;
}

export type AuditEvent = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type SchemaInfo = Selectable<SchemaInfoTable>;

/** 0055: an order that reached a provider authority hosted here, with its verification. */
export interface ProviderOrdersTable {
  id: string;
  message_id: string | null;
  order_ref: string | null;
  conversation_id: string | null;
  received_at: string;
  sender_node_id: string | null;
  issuing_authority_id: string | null;
  issuing_party: string | null;
  provider_authority_id: string;
  instrument: string | null;
  order_kind: string | null;
  data_category: string | null;
  emergency: number;
  issued_at: string | null;
  status: string;
  /** JSON array of reason codes. */
  reasons: string;
  /** JSON object: one result per check. */
  checks: string;
  /** JSON object: the order's facts. */
  summary: string;
  digest: string;
  due_at: string | null;
  outcome: string | null;
  outcome_at: string | null;
}

/** 0055: checkpoints of issuing nodes' logs seen by this provider. */
export interface ProviderLogCheckpointsTable {
  origin: string;
  size: number;
  root: string;
  note: string;
  seen_at: string;
}
