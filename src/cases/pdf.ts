/**
 * @module cases/pdf
 * The request as a printable PDF in the layout of a formal request for mutual assistance:
 * letterhead of the requesting authority, addressee, subject naming the legal basis, then the
 * elements the basis requires (each with its citation), the data sought, the safeguards and the
 * record of the independent review, and a signature block. pdfkit's built-in Helvetica covers
 * Latin-1; other characters are transliterated so that nothing prints as garbage.
 */
import PDFDocument from 'pdfkit';
import { cite, type KnowledgeBase } from '../law/index.js';
import type { Authority } from './authorities.js';
import type { CaseDetail } from './presenter.js';

/** Helvetica (WinAnsi) cannot show every character: keep Latin-1, transliterate common others. */
function printable(text: string): string {
  return text
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/…/g, '...')
    .replace(/→/g, '->')
    .replace(/§/g, 'S.')
    .replace(/[^\x20-\x7e\xa0-\xff\n]/g, '?');
}

export interface PdfInput {
  detail: CaseDetail;
  requesting: Authority;
  addressee: Authority;
  kb: KnowledgeBase;
  /** When the document is generated (ISO instant). */
  generatedAt: string;
  /** Compress content streams (default true; tests read them uncompressed). */
  compress?: boolean;
}

export function renderRequestPdf(input: PdfInput): Promise<Buffer> {
  const { detail, requesting, addressee, kb } = input;
  const provision = kb.provisions.find((p) => p.id === detail.legalBasis);
  const instrument = provision ? kb.instruments.get(provision.instrument) : undefined;
  const request = detail.request;
  const doc = new PDFDocument({ compress: input.compress ?? true, size: 'A4', margins: { top: 56, bottom: 64, left: 64, right: 64 }, bufferPages: true, info: { Title: `Request ${detail.reference}`, Author: requesting.name, Subject: 'Request for electronic evidence' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const text = (value: string, options: PDFKit.Mixins.TextOptions = {}) => doc.text(printable(value), options);
  const heading = (value: string) => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11);
    text(value);
    doc.font('Helvetica').fontSize(10).moveDown(0.2);
  };

  // Letterhead and addressee.
  doc.font('Helvetica-Bold').fontSize(12);
  text(requesting.name);
  doc.font('Helvetica').fontSize(9);
  text(`${kb.parties.get(requesting.party)?.name ?? requesting.party} - ${Object.values(requesting.contact).join(' - ')}`);
  doc.moveDown(1).fontSize(10);
  text(`To: ${addressee.name} (${kb.parties.get(addressee.party)?.name ?? addressee.party})`);
  text(`Our reference: ${request?.references.requesting ?? '-'}    Comity reference: ${detail.reference}`);
  text(`Date: ${(detail.sentAt ?? detail.createdAt).slice(0, 10)}    Status: ${detail.state}`);
  if (request && request.confidentiality !== 'normal') {
    doc.moveDown(0.5).font('Helvetica-Bold');
    text(request.confidentiality === 'strictly-confidential' ? 'STRICTLY CONFIDENTIAL' : 'CONFIDENTIAL');
    doc.font('Helvetica');
  }
  if (detail.emergency) {
    doc.font('Helvetica-Bold');
    text('EMERGENCY REQUEST');
    doc.font('Helvetica');
  }

  heading(`Subject: request for ${detail.measures.join(', ')}`);
  text(provision ? `Legal basis: ${cite(provision.citation)} - ${provision.title}, ${instrument?.title ?? provision.instrument}.` : `Legal basis: ${detail.legalBasis}`);
  if (provision && !provision.citation.verified) text('Note: this citation has not been verified against the official text.', { oblique: true });

  if (!request) {
    heading('Content');
    text('The content of this request was deleted at the end of its retention period.');
  } else {
    heading('Offences');
    for (const o of request.offences) text(`- ${kb.offences.get(o.category)?.name ?? o.category}: ${o.nationalProvision}${o.maxPenaltyYears ? ` (maximum penalty ${o.maxPenaltyYears} years)` : ''}`);
    heading('Summary of the facts');
    text(request.facts);
    heading('Data sought');
    for (const id of request.dataSought.identifiers) {
      const extra = id.type === 'ip' ? ` at ${id.timestamp}${id.port !== undefined ? `, port ${id.port}` : ''}` : id.type === 'account' ? ` (${id.service})` : '';
      text(`- ${id.type}: ${id.value}${extra}`);
    }
    if (request.dataSought.categories.length > 0) text(`Categories: ${request.dataSought.categories.join(', ')}`);
    if (request.dataSought.timeRange) text(`Period: ${request.dataSought.timeRange.from} to ${request.dataSought.timeRange.to}`);
    if (request.dataSought.relevance) text(`Relevance: ${request.dataSought.relevance}`);
    if (provision && provision.requiredContents.length > 0) {
      heading('Elements required by the legal basis');
      for (const element of provision.requiredContents) {
        const answer = request.contents[element.id];
        doc.font('Helvetica-Bold');
        text(`${element.text} [${cite(element.citation)}]`);
        doc.font('Helvetica');
        text(answer ?? '(given in the sections above)', { indent: 12 });
      }
    }
    heading('Safeguards');
    if (request.safeguards.grounds) text(`Grounds: ${request.safeguards.grounds}`);
    if (request.safeguards.proportionality) text(`Proportionality: ${request.safeguards.proportionality}`);
    if (request.safeguards.scope) text(`Scope: ${request.safeguards.scope}`);
    if (request.safeguards.durationDays) text(`Duration: ${request.safeguards.durationDays} days`);
    if (detail.review) text(`Independent review: ${detail.review.reviewer} (${detail.review.role}), ${detail.review.at}, reference ${detail.review.reference}, decision: ${detail.review.decision}.`);
    if (request.emergency.emergency && request.emergency.justification) text(`Emergency: ${request.emergency.justification}`);
    heading('Data protection');
    text(`Purpose: ${request.dataProtection.purpose}. Retention: ${request.dataProtection.retentionDays} days.`);
  }

  doc.moveDown(2);
  text(`For ${requesting.name}`);
  doc.moveDown(2);
  text('Signature: ____________________________');

  // Footer on every page: reference, page number, generation time.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    doc.fontSize(8);
    doc.text(printable(`${detail.reference} - page ${i + 1} of ${range.count} - generated ${input.generatedAt}`), 64, doc.page.height - 48, { width: doc.page.width - 128, align: 'center', lineBreak: false });
  }
  doc.end();
  return done;
}
