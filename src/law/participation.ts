/**
 * @module law/participation
 * Loads treaty participation events (signatures, consents, entries into force) from
 * `data/participation.csv`. The file is checked row by row; the first bad row rejects the
 * whole file with a {@link DataError} naming the file, the physical line and the bad value.
 */
import { readFileSync } from 'node:fs';
import {
  INSTRUMENT_IDS,
  PARTICIPATION_EVENTS,
  type InstrumentId,
  type ParticipationEvent,
  type ParticipationRow,
} from './model.js';

/** An error in a data file, located by file and (when known) 1-based line. */
export class DataError extends Error {
  readonly file: string;
  readonly line: number | null;

  /** `detail` must be one line; values in it should be quoted with {@link quote}. */
  constructor(file: string, line: number | null, detail: string) {
    super(`${file}${line === null ? '' : `:${line}`}: ${detail}`);
    this.name = 'DataError';
    this.file = file;
    this.line = line;
  }
}

/** Quotes a value for an error message; escapes control characters so the message stays one line. */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** One CSV record and the 1-based physical line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Splits RFC 4180 CSV text into records. Accepts CRLF or LF line ends, quoted fields with
 * commas, line breaks and doubled quotes, and an optional final line end. A leading UTF-8 BOM
 * is ignored. Rejects unterminated quotes, text after a closing quote, quotes inside an
 * unquoted field and a carriage return that is not part of CRLF outside quotes.
 */
export function parseCsv(text: string, fileName: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const n = src.length;
  let i = 0;
  let line = 1;
  if (n === 0) return records;
  for (;;) {
    // Start of a record.
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      // Start of a field.
      let value = '';
      if (src[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) throw new DataError(fileName, quoteLine, 'unterminated quoted field (a field that opens with " must close with ")');
          const ch = src[i] as string;
          if (ch === '"') {
            if (src[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          value += ch;
          i++;
        }
        const next = src[i];
        if (i < n && next !== ',' && next !== '\n' && !(next === '\r' && src[i + 1] === '\n')) {
          throw new DataError(fileName, line, `unexpected ${quote(next ?? '')} after a closing quote (allowed: a comma or the end of the line)`);
        }
      } else {
        const start = i;
        while (i < n) {
          const ch = src[i];
          if (ch === ',' || ch === '\n') break;
          if (ch === '\r') {
            if (src[i + 1] === '\n') break;
            throw new DataError(fileName, line, 'carriage return not followed by a line feed (allowed line ends: CRLF or LF)');
          }
          if (ch === '"') {
            throw new DataError(
              fileName,
              line,
              `quote inside unquoted field ${quote(src.slice(start, i + 1))} (allowed: quote the whole field and double inner quotes)`,
            );
          }
          i++;
        }
        value = src.slice(start, i);
      }
      fields.push(value);
      if (i < n && src[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    records.push({ fields, line: recordLine });
    if (i >= n) return records;
    // At a line end: skip CRLF or LF.
    i += src[i] === '\r' ? 2 : 1;
    line++;
    if (i >= n) return records; // final line end
  }
}

/** The exact header `data/participation.csv` must start with. */
export const PARTICIPATION_HEADER = ['iso2', 'state', 'instrument', 'event', 'date', 'source_url', 'notes'] as const;

const instrumentIds: ReadonlySet<string> = new Set(INSTRUMENT_IDS);
const eventIds: ReadonlySet<string> = new Set(PARTICIPATION_EVENTS);

function isInstrumentId(value: string): value is InstrumentId {
  return instrumentIds.has(value);
}

function isParticipationEvent(value: string): value is ParticipationEvent {
  return eventIds.has(value);
}

/** True if `value` is YYYY-MM-DD and names a real day of the Gregorian calendar. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= monthDays;
}

function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/**
 * Parses and validates the participation CSV. `fileName` is used in error messages;
 * `knownParties` holds the ids of `data/parties.json`. Throws {@link DataError} on the first
 * bad row; nothing is returned for a file with any error.
 */
export function parseParticipationCsv(text: string, fileName: string, knownParties: ReadonlySet<string>): ParticipationRow[] {
  const records = parseCsv(text, fileName);
  const header = records[0];
  const expectedHeader = PARTICIPATION_HEADER.join(',');
  if (!header) throw new DataError(fileName, 1, `empty file (expected the header ${quote(expectedHeader)})`);
  if (header.fields.join(',') !== expectedHeader || header.fields.length !== PARTICIPATION_HEADER.length) {
    throw new DataError(fileName, header.line, `header ${quote(header.fields.join(','))} is not ${quote(expectedHeader)}`);
  }

  const rows: ParticipationRow[] = [];
  const seen = new Map<string, number>();
  for (const { fields, line } of records.slice(1)) {
    const bad = (detail: string): DataError => new DataError(fileName, line, detail);
    if (fields.length !== PARTICIPATION_HEADER.length) {
      throw bad(`expected ${PARTICIPATION_HEADER.length} columns (${expectedHeader}), found ${fields.length}`);
    }
    const [iso2, state, instrument, event, date, sourceUrl, notes] = fields as [string, string, string, string, string, string, string];
    if (!knownParties.has(iso2)) {
      throw bad(`unknown party iso2 ${quote(iso2)} (allowed: one of the ${knownParties.size} party ids in parties.json)`);
    }
    if (state.trim() === '') throw bad(`empty state name for ${quote(iso2)} (allowed: the party's name)`);
    if (!isInstrumentId(instrument)) throw bad(`unknown instrument ${quote(instrument)} (allowed: ${INSTRUMENT_IDS.join(', ')})`);
    if (!isParticipationEvent(event)) throw bad(`unknown event ${quote(event)} (allowed: ${PARTICIPATION_EVENTS.join(', ')})`);
    if (date === '') {
      if (!/\bUNCONFIRMED\b/.test(notes)) {
        throw bad(
          `empty date but notes ${quote(notes)} do not say UNCONFIRMED (allowed: a date YYYY-MM-DD, or an empty date with UNCONFIRMED in notes)`,
        );
      }
    } else if (!isCalendarDate(date)) {
      throw bad(`invalid date ${quote(date)} (allowed: a real calendar date YYYY-MM-DD, or empty with UNCONFIRMED in notes)`);
    }
    if (!isHttpUrl(sourceUrl)) throw bad(`invalid source_url ${quote(sourceUrl)} (allowed: an absolute http or https URL)`);
    const key = `${iso2},${instrument},${event}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw bad(`duplicate row ${quote(key)} for (iso2, instrument, event), first at line ${first} (allowed: one row per party, instrument and event)`);
    }
    seen.set(key, line);
    rows.push({ iso2, state, instrument, event, date: date === '' ? null : date, sourceUrl, notes, line });
  }
  return rows;
}

/** Reads and parses a participation CSV; an unreadable file is a {@link DataError} with `line` null. */
export function loadParticipationFile(path: string, knownParties: ReadonlySet<string>): ParticipationRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
    throw new DataError(path, null, `cannot read participation file (${reason.replace(/\s+/g, ' ')})`);
  }
  return parseParticipationCsv(text, path, knownParties);
}
