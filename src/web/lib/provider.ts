/**
 * The provider's node in the workspace (issue 14 part B): the shapes of /api/provider/* and the
 * order of the checks and outcomes shown.
 */
export const CHECKS = ['signature', 'authority', 'log', 'emergency', 'replay'] as const;
export type CheckName = (typeof CHECKS)[number];
export type CheckStatus = 'pass' | 'fail' | 'not-checked' | 'not-applicable';
export const OUTCOMES = ['answered', 'refused', 'pending', 'quarantined'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ProviderOrderView {
  id: string;
  messageId: string | null;
  orderRef: string | null;
  caseId: string | null;
  receivedAt: string;
  senderNode: string | null;
  issuingAuthority: string | null;
  issuingParty: string | null;
  instrument: string | null;
  orderKind: string | null;
  category: string | null;
  emergency: boolean;
  status: 'verified' | 'quarantined';
  reasons: string[];
  checks: Record<CheckName, { status: CheckStatus; code?: string; detail: string; citation?: { instrument: string; article: string; paragraph?: string; source: string; verified: boolean } }>;
  dueAt: string | null;
  outcome: Outcome;
  responseHours: number | null;
  answerable: boolean;
}

export interface ReportGroup {
  key: string;
  total: number;
  answered: number;
  refused: number;
  pending: number;
  quarantined: number;
}

export interface TransparencyReportView {
  total: number;
  byOutcome: Record<Outcome, number>;
  byState: ReportGroup[];
  byInstrument: ReportGroup[];
  byCategory: ReportGroup[];
  byReason: { key: string; count: number }[];
  responseHours: { count: number; median: number | null; p90: number | null };
}

export interface Art28View {
  year: number;
  text: string;
  citation: { instrument: string; article: string; source: string; verified: boolean; note?: string };
  figures: { id: string; text: string; value: Record<string, number> | number | null; note: string | null }[];
}

/** The value of an Art. 28 figure as text: a number, or "key: n" pairs. */
export function figureText(value: Art28View['figures'][number]['value']): string | null {
  if (value === null) return null;
  if (typeof value === 'number') return String(value);
  const entries = Object.entries(value);
  return entries.length === 0 ? '—' : entries.map(([k, v]) => `${k}: ${v}`).join('; ');
}
