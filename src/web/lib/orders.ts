/**
 * Regulation (EU) 2023/1543 orders in the workspace: the API's shapes (the certificate mirrors
 * the server's schema, src/eorders/certificates.ts) and which form each
 * event of the order needs. Pure: tested in Node.
 */
import type { LawCitation } from './bases';

/** Annex I / II as the server takes it (src/eorders/certificates.ts `orderCertificateSchema`). */
export interface OrderCertificateInput {
  order: OrderKind;
  issuer: { kind: string; name: string; fileReference: string };
  provider: string;
  emergency: { emergency: boolean; reasons?: string };
  categories: string[];
  identifiers: { type: string; value: string }[];
  timeRange: { from: string; to: string };
  offence: { description: string; nationalProvision: string; maxPenaltyYears: number; annexIV?: boolean };
  necessity: string;
  residenceTest: { offenceInIssuingState: boolean; personResidesInIssuingState: boolean };
  receivingAuthority?: string;
  precededBy?: string;
  language?: string;
}

export type OrderKind = 'EPOC' | 'EPOC-PR';
export type OrderParty = 'issuing' | 'addressee' | 'enforcing' | 'system';

export interface ProviderView {
  id: string;
  name: string;
  establishedIn: string;
  representative: { authorityId: string; name: string; kind: 'designated-establishment' | 'legal-representative'; state: string };
  citation: LawCitation;
  offered: boolean | null;
  reasons: string[];
  /** In the provider list: the node its representative is on (null: this server is not a federation node). */
  representativeNode?: PartyNodeView;
}

export interface OrderClock {
  clock: string;
  party: string;
  text: string;
  amount: number;
  unit: string;
  startedAt: string;
  dueAt: string;
  status: string;
  metAt: string | null;
  citation: LawCitation;
  verified: boolean;
}

/** The node a party is on (trust list); null: this server is not a federation node. */
export type PartyNodeView = { id: string; self: boolean; endpoint: string } | null;

export interface OrderView {
  id: string;
  reference: string;
  kind: OrderKind;
  state: string;
  emergency: boolean;
  version: number;
  issuingAuthority: { id: string; name: string; party: string; node: PartyNodeView };
  addressee: { id: string; name: string; party: string; node: PartyNodeView };
  provider: ProviderView | null;
  enforcing: { id: string; name: string; party: string; node: PartyNodeView; status: string; notifiedAt: string | null } | null;
  notification: { required: boolean; suspensive: boolean; reason: string; citations: LawCitation[] };
  issuing: { mayIssue: boolean; validation: 'none' | 'prior' | 'ex-post'; validators: string[]; validateWithinHours: number | null; reasons: string[]; citations: LawCitation[] };
  validationStatus: string;
  validation: { kind: string; name: string; reference: string; at: string } | null;
  certificate: OrderCertificateInput;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  transmitNotBefore: string | null;
  yourParties: OrderParty[];
  actions: string[];
  events: { seq: number; event: string; from: string | null; to: string; party: string; actor: string; at: string; reason: string | null; payload: unknown }[];
  clocks: OrderClock[];
}

/** `GET /api/orders/form`: the Art. 4 kinds the signed-in account's authority may declare. */
export interface OrderFormOptionsView {
  issuingAuthority: { id: string; name: string; kind: string; issuingKind: string | null } | null;
  issuerKinds: string[];
  reason: string;
  citation: LawCitation;
}

export interface OrderSummaryView {
  id: string;
  reference: string;
  kind: OrderKind;
  state: string;
  emergency: boolean;
  provider: string;
  issuingAuthority: string;
  yourParties: OrderParty[];
  nextDue: string | null;
  updatedAt: string;
}

/** The form an event needs in the workspace. */
export type ActionForm = 'plain' | 'reason' | 'validation' | 'approve' | 'production' | 'annex-iii' | 'annex-v' | 'annex-vi' | 'objection' | 'ground';

export const ACTION_FORM: Readonly<Record<string, ActionForm>> = {
  approve: 'approve',
  send: 'plain',
  validate: 'validation',
  'refuse-validation': 'reason',
  acknowledge: 'plain',
  'request-clarification': 'reason',
  'answer-clarification': 'reason',
  produce: 'production',
  preserve: 'plain',
  extend: 'annex-vi',
  'confirm-production': 'annex-v',
  'report-impossibility': 'annex-iii',
  object: 'objection',
  'confirm-no-ground': 'plain',
  'raise-ground': 'ground',
  'start-enforcement': 'reason',
  withdraw: 'reason',
  close: 'plain',
};

export const IMPOSSIBILITY_REASONS = ['incomplete', 'manifest-errors', 'insufficient-information', 'de-facto-impossibility', 'data-not-stored'] as const;
export const GROUNDS = ['immunity-privilege-press', 'human-rights', 'ne-bis-in-idem', 'dual-criminality'] as const;
export const ISSUER_KINDS = ['judge', 'court', 'investigating-judge', 'public-prosecutor', 'other-competent-authority'] as const;
export const DATA_CATEGORIES = ['subscriber-data', 'identification-data', 'traffic-data', 'content-data'] as const;

/** A lowercase SHA-256 hex digest of a string (what the provider's evidence item is identified by), in the browser or Node. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
