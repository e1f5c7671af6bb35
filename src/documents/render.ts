/**
 * @module documents/render
 * Prints a {@link DocumentModel} on A4 with pdfkit: a header and a footer inside the margins of
 * every page (the footer says "page n of N"), numbered sections of label/value rows that move to
 * the next page whole, long values (the facts) flowing over pages, tables whose rows never split
 * (their header repeats), and the signature block kept together. Text in any script goes through
 * {@link FontSet.runs}; pages are only added when something is printed on them, so no page is blank.
 */
import PDFDocument from 'pdfkit';
import { documentFonts, type FontWeight } from './fonts.js';
import type { DocumentField, DocumentModel, DocumentSection } from './model.js';
import { addSignaturePlaceholder, type SignatureFieldInfo } from './pades.js';

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 70, bottom: 70, left: 56, right: 56 };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const LABEL_WIDTH = 170;
const GUTTER = 12;
const VALUE_X = MARGIN.left + LABEL_WIDTH + GUTTER;
const VALUE_WIDTH = CONTENT_WIDTH - LABEL_WIDTH - GUTTER;
const LINE_GAP = 1.5;

export interface RenderOptions {
  /** Instant the document is issued: the PDF's creation date (same input, same bytes before signing). */
  readonly issuedAt: Date;
  /** Adds a PAdES signature placeholder (then sign with `signPlaceholder`). */
  readonly signatureField?: SignatureFieldInfo;
  /** Compress content streams (default true). */
  readonly compress?: boolean;
}

interface Style {
  readonly weight: FontWeight;
  readonly size: number;
}

const LABEL: Style = { weight: 'bold', size: 8.5 };
const VALUE: Style = { weight: 'regular', size: 9.5 };
const HEADING: Style = { weight: 'bold', size: 11 };

export function renderDocument(model: DocumentModel, options: RenderOptions): Promise<Buffer> {
  const fonts = documentFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    compress: options.compress ?? true,
    lang: model.language,
    displayTitle: true,
    info: { Title: `${model.title} — ${model.reference}`, Author: model.issuer, Subject: model.formReference, Creator: 'Comity', Producer: 'Comity', CreationDate: options.issuedAt, ModDate: options.issuedAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const registered = new Set<string>();
  const use = (font: string, style: Style) => {
    if (!registered.has(font)) {
      doc.registerFont(font, fonts[style.weight].fileOf(font));
      registered.add(font);
    }
    doc.font(font).fontSize(style.size);
  };
  const lineHeight = (style: Style) => {
    use(fonts[style.weight].runs('A')[0]?.font ?? '', style);
    return doc.currentLineHeight(true) + LINE_GAP;
  };

  const widthOf = (value: string, style: Style): number => {
    let w = 0;
    for (const run of fonts[style.weight].runs(value)) {
      use(run.font, style);
      w += doc.widthOfString(run.text);
    }
    return w;
  };
  /** The text cut (with an ellipsis) to fit one line of `width`. */
  const oneLine = (value: string, style: Style, width: number): string => {
    if (widthOf(value, style) <= width) return value;
    const chars = [...value];
    while (chars.length > 1 && widthOf(`${chars.join('')}…`, style) > width) chars.pop();
    return `${chars.join('').trimEnd()}…`;
  };

  /** Height a text will take in a width (an upper estimate: runs of several fonts wrap as one). */
  const heightOf = (value: string, style: Style, width: number): number => {
    let lines = 0;
    for (const paragraph of value.split('\n')) {
      let w = 0;
      for (const run of fonts[style.weight].runs(paragraph)) {
        use(run.font, style);
        w += doc.widthOfString(run.text);
      }
      lines += Math.max(1, Math.ceil((w * 1.1) / width));
    }
    return lines * lineHeight(style);
  };

  /** Prints text at (x, y) in a width, in as many fonts as its scripts need; returns the y below it. */
  const write = (value: string, style: Style, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'left'): number => {
    // One paragraph at a time: pdfkit's continued text loses its x position across a line feed.
    let cursor = y;
    for (const paragraph of value.split('\n')) {
      const runs = fonts[style.weight].runs(paragraph === '' ? ' ' : paragraph);
      runs.forEach((run, i) => {
        use(run.font, style);
        const more = i < runs.length - 1;
        if (i === 0) doc.text(run.text, x, cursor, { width, align, lineGap: LINE_GAP, continued: more });
        else doc.text(run.text, { continued: more });
      });
      cursor = doc.y;
    }
    return cursor;
  };

  const bottom = () => PAGE.height - MARGIN.bottom;
  const atTop = () => doc.y <= MARGIN.top + 0.5;
  /** A new page only when the current one has content: never a blank page. */
  const ensure = (height: number) => {
    if (doc.y + height > bottom() && !atTop()) doc.addPage();
  };

  // Title block.
  let y = write(model.title, { weight: 'bold', size: 15 }, MARGIN.left, MARGIN.top, CONTENT_WIDTH);
  y = write(model.formReference, { weight: 'regular', size: 9 }, MARGIN.left, y + 2, CONTENT_WIDTH);
  for (const mark of model.marks) y = write(mark, { weight: 'bold', size: 10 }, MARGIN.left, y + 4, CONTENT_WIDTH);
  doc.y = y + 8;

  const valueText = (field: DocumentField) => ('text' in field.value ? field.value.text : model.words.notApplicable);

  const printField = (field: DocumentField) => {
    const value = valueText(field);
    const style = 'text' in field.value ? VALUE : { ...VALUE, weight: 'regular' as const };
    const labelHeight = heightOf(field.label, LABEL, LABEL_WIDTH);
    const valueHeight = heightOf(value, style, VALUE_WIDTH);
    const fullPage = bottom() - MARGIN.top;
    if (field.long === true || valueHeight > fullPage * 0.8) {
      // Label above, value across the page, flowing onto as many pages as it needs.
      ensure(heightOf(field.label, LABEL, CONTENT_WIDTH) + lineHeight(style) * 3);
      const below = write(field.label, LABEL, MARGIN.left, doc.y, CONTENT_WIDTH);
      doc.y = write(value, style, MARGIN.left, below + 2, CONTENT_WIDTH) + 6;
      return;
    }
    ensure(Math.max(labelHeight, valueHeight) + 6);
    const top = doc.y;
    const labelBottom = write(field.label, LABEL, MARGIN.left, top, LABEL_WIDTH);
    const valueBottom = write(value, style, VALUE_X, top, VALUE_WIDTH);
    doc.y = Math.max(labelBottom, valueBottom) + 3;
    doc.moveTo(MARGIN.left, doc.y).lineTo(PAGE.width - MARGIN.right, doc.y).lineWidth(0.3).strokeColor('#999999').stroke();
    doc.y += 3;
  };

  const printTable = (table: NonNullable<DocumentSection['table']>) => {
    const width = CONTENT_WIDTH / table.columns.length;
    const rowHeight = (cells: readonly string[], style: Style) => Math.max(...cells.map((c) => heightOf(c, style, width - 6))) + 4;
    const header = () => {
      const h = rowHeight(table.columns, LABEL);
      const top = doc.y;
      doc.rect(MARGIN.left, top, CONTENT_WIDTH, h).fillColor('#e8e8e8').fill();
      doc.fillColor('#000000');
      table.columns.forEach((c, i) => write(c, LABEL, MARGIN.left + i * width + 3, top + 2, width - 6));
      doc.y = top + h;
    };
    ensure(rowHeight(table.columns, LABEL) + rowHeight(table.rows[0] ?? [], VALUE));
    header();
    for (const row of table.rows) {
      const h = rowHeight(row, VALUE);
      if (doc.y + h > bottom()) {
        doc.addPage();
        header();
      }
      const top = doc.y;
      let end = top + h;
      row.forEach((c, i) => {
        end = Math.max(end, write(c, VALUE, MARGIN.left + i * width + 3, top + 2, width - 6) + 2);
      });
      doc.y = end;
      doc.moveTo(MARGIN.left, doc.y).lineTo(PAGE.width - MARGIN.right, doc.y).lineWidth(0.3).strokeColor('#999999').stroke();
    }
    doc.y += 6;
  };

  for (const section of model.sections) {
    const first = section.fields[0];
    const firstHeight = first ? Math.min(heightOf(valueText(first), VALUE, VALUE_WIDTH), lineHeight(VALUE) * 3) : lineHeight(VALUE) * 2;
    ensure(heightOf(section.heading, HEADING, CONTENT_WIDTH) + firstHeight + 12);
    doc.y = write(section.heading, HEADING, MARGIN.left, atTop() ? doc.y : doc.y + 6, CONTENT_WIDTH) + 4;
    for (const field of section.fields) printField(field);
    if (section.table && section.table.rows.length > 0) printTable(section.table);
  }

  // Signature block: kept whole on one page.
  const signatureHeight = model.signature.reduce((h, line) => h + heightOf(line, VALUE, CONTENT_WIDTH), 0) + 24;
  ensure(signatureHeight);
  doc.y += 12;
  for (const line of model.signature) doc.y = write(line, VALUE, MARGIN.left, doc.y, CONTENT_WIDTH);

  // Header and footer on every page, inside the margins. The bottom margin is lifted while the
  // footer is written, or pdfkit would start a new (blank) page for text below it.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const margins = doc.page.margins;
    doc.page.margins = { ...margins, top: 0, bottom: 0 };
    const small: Style = { weight: 'regular', size: 7.5 };
    write(oneLine(`${model.issuer} — ${model.title}`, small, CONTENT_WIDTH), small, MARGIN.left, MARGIN.top - 26, CONTENT_WIDTH);
    doc.moveTo(MARGIN.left, MARGIN.top - 12).lineTo(PAGE.width - MARGIN.right, MARGIN.top - 12).lineWidth(0.5).strokeColor('#666666').stroke();
    doc.moveTo(MARGIN.left, PAGE.height - MARGIN.bottom + 12).lineTo(PAGE.width - MARGIN.right, PAGE.height - MARGIN.bottom + 12).stroke();
    const page = model.words.page.replace('{page}', String(i + 1 - range.start)).replace('{pages}', String(range.count));
    write(oneLine(model.reference, small, CONTENT_WIDTH / 2), small, MARGIN.left, PAGE.height - MARGIN.bottom + 20, CONTENT_WIDTH / 2);
    write(page, small, MARGIN.left + CONTENT_WIDTH / 2, PAGE.height - MARGIN.bottom + 20, CONTENT_WIDTH / 2, 'right');
    doc.page.margins = margins;
  }
  if (options.signatureField) addSignaturePlaceholder(doc, options.signatureField);
  doc.end();
  return done;
}
