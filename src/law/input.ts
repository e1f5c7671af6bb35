/**
 * @module law/input
 * Validation of what a user types: parties, measures, instruments, dates, offences. Every
 * failure is a {@link LawInputError} with a stable code and a one-line message naming the bad
 * value and what is allowed.
 */
import type { KnowledgeBase } from './knowledge-base.js';
import { INSTRUMENT_IDS, MEASURES, type InstrumentId, type Measure } from './model.js';
import { isCalendarDate } from './participation.js';

export type LawInputErrorCode = 'unknown-party' | 'unknown-measure' | 'unknown-instrument' | 'invalid-date' | 'unknown-offence';

export class LawInputError extends Error {
  constructor(
    readonly code: LawInputErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LawInputError';
  }
}

export function parseParty(kb: KnowledgeBase, value: string, what = 'party'): string {
  const id = value.trim().toUpperCase();
  if (!kb.parties.has(id)) {
    throw new LawInputError('unknown-party', `unknown ${what} ${JSON.stringify(value)}: use an ISO 3166-1 alpha-2 code (e.g. FR, US, JP) or EU`);
  }
  return id;
}

export function parseMeasure(value: string): Measure {
  if (!(MEASURES as readonly string[]).includes(value)) {
    throw new LawInputError('unknown-measure', `unknown measure ${JSON.stringify(value)}: allowed ${MEASURES.join(', ')}`);
  }
  return value as Measure;
}

export function parseInstrument(value: string): InstrumentId {
  if (!(INSTRUMENT_IDS as readonly string[]).includes(value)) {
    throw new LawInputError('unknown-instrument', `unknown instrument ${JSON.stringify(value)}: allowed ${INSTRUMENT_IDS.join(', ')}`);
  }
  return value as InstrumentId;
}

export function parseDate(value: string): string {
  if (!isCalendarDate(value)) {
    throw new LawInputError('invalid-date', `invalid date ${JSON.stringify(value)}: expected a real calendar date YYYY-MM-DD`);
  }
  return value;
}

export function parseOffence(kb: KnowledgeBase, value: string): string {
  if (!kb.offences.has(value)) {
    const ids = [...kb.offences.keys()].sort().join(', ');
    throw new LawInputError('unknown-offence', `unknown offence ${JSON.stringify(value)}: allowed ${ids}`);
  }
  return value;
}
