/**
 * @module law/reservations
 * Reservations and declarations in time, from `data/reservations.csv` (columns
 * `iso2,instrument,article,kind,from,until,summary,source_url,verified,notes`). Checked row by
 * row like the participation file: the first bad row rejects the whole file with its line.
 * `notes` are research notes for maintainers: they are read, validated, and never shown.
 *
 * Time: a reservation applies from `from` (or, undated, not before the party's consent / the
 * instrument's opening) up to the day before `until` — Budapest Art. 43(1): a withdrawal takes
 * effect on the date the Secretary General receives the notification.
 */
import { readFileSync } from 'node:fs';
import { INSTRUMENT_IDS, RESERVATION_KINDS, type InstrumentId, type Reservation } from './model.js';
import { DataError, isCalendarDate, parseCsv } from './participation.js';

export const RESERVATIONS_HEADER = ['iso2', 'instrument', 'article', 'kind', 'from', 'until', 'summary', 'source_url', 'verified', 'notes'] as const;

const instrumentIds: ReadonlySet<string> = new Set(INSTRUMENT_IDS);
const kinds: ReadonlySet<string> = new Set(RESERVATION_KINDS);

/** "29(4)" → article "29", paragraph "4"; "7(9)(a)" → "7", "9(a)"; "14(3)(a)" → "14", "3(a)". */
export function splitArticle(article: string): { article: string; paragraph?: string } {
  const m = /^(\d+)\((.+)$/.exec(article);
  if (!m) return { article };
  // "(4)" → "4"; "(9)(a)" → "9(a)": drop the first pair of brackets only.
  const rest = `(${m[2] as string}`.replace(/^\(([^()]+)\)/, '$1');
  return { article: m[1] as string, paragraph: rest };
}

/** The id the provisions' conditions and grounds refer to: `ETS185-29(4)`; `CETS224-RS` when no article is known. */
export function reservationId(instrument: string, article: string, party: string): string {
  return article === '' ? `${instrument}-unspecified-${party}` : `${instrument}-${article}`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !/\s/.test(value);
  } catch {
    return false;
  }
}

export function parseReservationsCsv(text: string, fileName: string, knownParties: ReadonlySet<string>): Reservation[] {
  const records = parseCsv(text, fileName);
  const header = records[0];
  const expected = RESERVATIONS_HEADER.join(',');
  if (!header) throw new DataError(fileName, 1, `empty file (expected the header ${JSON.stringify(expected)})`);
  if (header.fields.join(',') !== expected) throw new DataError(fileName, header.line, `header ${JSON.stringify(header.fields.join(','))} is not ${JSON.stringify(expected)}`);
  const out: Reservation[] = [];
  const seen = new Map<string, number>();
  for (const { fields, line } of records.slice(1)) {
    const bad = (detail: string): DataError => new DataError(fileName, line, detail);
    if (fields.length !== RESERVATIONS_HEADER.length) throw bad(`expected ${RESERVATIONS_HEADER.length} columns (${expected}), found ${fields.length}`);
    const [iso2, instrument, article, kind, from, until, summary, source, verified] = fields as [string, string, string, string, string, string, string, string, string];
    if (!knownParties.has(iso2)) throw bad(`unknown party iso2 ${JSON.stringify(iso2)} (allowed: a party id of parties.json)`);
    if (!instrumentIds.has(instrument)) throw bad(`unknown instrument ${JSON.stringify(instrument)} (allowed: ${INSTRUMENT_IDS.join(', ')})`);
    if (article !== '' && !/^\d+[0-9a-z()]*$/.test(article)) throw bad(`invalid article ${JSON.stringify(article)} (allowed: e.g. 29(4), 14(3)(a), or empty when unknown)`);
    if (!kinds.has(kind)) throw bad(`unknown kind ${JSON.stringify(kind)} (allowed: ${RESERVATION_KINDS.join(', ')})`);
    for (const [name, value] of [['from', from], ['until', until]] as const) {
      if (value !== '' && !isCalendarDate(value)) throw bad(`invalid ${name} date ${JSON.stringify(value)} (allowed: YYYY-MM-DD or empty)`);
    }
    if (from !== '' && until !== '' && until <= from) throw bad(`until ${until} is not after from ${from}`);
    if (summary.trim() === '') throw bad('empty summary (allowed: what the reservation does, for users)');
    if (!isHttpUrl(source)) throw bad(`invalid source_url ${JSON.stringify(source)} (allowed: an absolute http or https URL)`);
    if (verified !== 'true' && verified !== 'false') throw bad(`verified ${JSON.stringify(verified)} (allowed: true or false)`);
    const id = reservationId(instrument, article, iso2);
    const key = `${iso2}|${id}`;
    const first = seen.get(key);
    if (first !== undefined) throw bad(`duplicate reservation ${JSON.stringify(key)}, first at line ${first}`);
    seen.set(key, line);
    const where = article === '' ? { article: 'reservations' } : splitArticle(article);
    out.push({
      party: iso2,
      instrument: instrument as InstrumentId,
      id,
      kind: kind as Reservation['kind'],
      text: summary,
      ...(from === '' ? {} : { from }),
      ...(until === '' ? {} : { until }),
      citation: { instrument, ...where, source, verified: verified === 'true' },
    });
  }
  return out;
}

export function loadReservationsFile(path: string | URL, fileName: string, knownParties: ReadonlySet<string>): Reservation[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(fileName, null, `cannot read reservations file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return parseReservationsCsv(text, fileName, knownParties);
}

/** Whether the reservation applies on `date`: from its start (or lower bound) to the day before its withdrawal. */
export function reservationApplies(r: Reservation, date: string): boolean {
  const start = r.from ?? r.notBefore;
  if (start !== undefined && date < start) return false;
  return r.until === undefined || date < r.until;
}

/** "2013-12-01 – 2019-07-05 (withdrawn)", "since 2012-10-01", "date unknown, not before 2023-08-10". */
export function reservationPeriod(r: Reservation): string {
  const start = r.from ?? (r.notBefore === undefined ? 'date unknown' : `date unknown, not before ${r.notBefore}`);
  if (r.until !== undefined) return `${start} – ${r.until} (withdrawn)`;
  return r.from === undefined ? start : `since ${r.from}`;
}
