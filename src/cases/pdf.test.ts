import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadKnowledgeBase } from '../law/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../demo/data.js';
import type { Authority } from './authorities.js';
import { renderRequestPdf } from './pdf.js';
import type { CaseDetail } from './presenter.js';
import { requestSchema } from './request.js';

const kb = loadKnowledgeBase();
const authority = (id: string): Authority => {
  const a = DEMO_AUTHORITIES.find((d) => d.id === id);
  if (!a) throw new Error(id);
  return { id: a.id, party: a.party, kind: a.kind, name: a.name, timeZone: a.timeZone, languages: [...a.languages], contact: { ...(a.contact ?? {}) } as Record<string, string>, separationOfDuties: true, createdAt: '2026-11-28T00:00:00Z' };
};

function detail(overrides: Partial<CaseDetail> = {}): CaseDetail {
  return {
    id: 'c1', reference: 'FR-2026-ABCDEF123456', state: 'sent', requestingAuthorityId: 'fr-ca', addresseeId: 'us-doj-oia', requestingParty: 'FR', requestedParty: 'US',
    legalBasis: 'ETS185:29', measures: ['preservation'], emergency: false, version: 3, createdAt: '2026-11-28T10:00:00Z', updatedAt: '2026-11-28T11:00:00Z',
    sentAt: '2026-11-28T11:00:00Z', receivedAt: null, closedAt: null, request: requestSchema.parse(preservationRequestFrToUs()), review: DEMO_REVIEW, assessment: null,
    purpose: 'investigation', retentionDays: 365, deleteAfter: null, purgedAt: null, allowedEvents: [], history: [], deadlines: [], ...overrides,
  };
}

/**
 * The text of an uncompressed PDF as pdfkit writes it: each line a TJ array of hex strings of
 * WinAnsi codes with kerning numbers between them. Joined line by line, separated by spaces.
 */
function pdfText(pdf: Buffer): string {
  const lines = [...pdf.toString('latin1').matchAll(/\[((?:<[0-9a-f]*>\s*-?\d*\s*)+)\] TJ/g)];
  return lines.map((m) => [...(m[1] ?? '').matchAll(/<([0-9a-f]*)>/g)].map((h) => Buffer.from(h[1] ?? '', 'hex').toString('latin1')).join('')).join(' ');
}

function contains(pdf: Buffer, text: string): boolean {
  return pdfText(pdf).replace(/\s+/g, ' ').includes(text);
}

test('the formal request: a PDF with letterhead, legal basis, every required element with its citation, and the review', async () => {
  const pdf = await renderRequestPdf({ detail: detail(), requesting: authority('fr-ca'), addressee: authority('us-doj-oia'), kb, generatedAt: '2026-11-28T12:00:00Z', compress: false });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.match(pdf.subarray(-16).toString('latin1'), /%%EOF\s*$/);
  for (const text of ['Legal basis: ETS185 Art. 29', 'ETS185 Art. 29(2)(e)', 'The necessity of the preservation.', 'JLD-2026-1187', 'CONFIDENTIAL', 'FR-2026-ABCDEF123456 - page 1 of']) {
    assert.ok(contains(pdf, text), `missing: ${text}`);
  }
});

test('a purged case prints no content, and unverified citations say so', async () => {
  const pdf = await renderRequestPdf({ detail: detail({ request: null, legalBasis: 'UNCC:44', measures: ['subscriber-info'] }), requesting: authority('fr-ca'), addressee: authority('ie-provider'), kb, generatedAt: '2026-11-28T12:00:00Z', compress: false });
  assert.ok(contains(pdf, 'deleted at the end of its retention period'));
  assert.ok(contains(pdf, 'has not been verified against the official text'));
  assert.ok(contains(pdf, 'Legal basis: UNCC Art. 44 [unverified]'));
  assert.ok(!contains(pdf, 'attacker@mail.demo.invalid'));
});
