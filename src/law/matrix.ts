/**
 * @module law/matrix
 * Who can co-operate with whom under one instrument on a date: for every ordered pair of parties
 * bound by it, the measures for which the finder returns at least one applicable basis.
 */
import type { BasesFinder } from './bases.js';
import { MEASURES, type InstrumentId, type Measure } from './model.js';

export interface MatrixResult {
  instrument: InstrumentId;
  date: string;
  emergency: boolean;
  /** Parties bound by the instrument on the date, sorted. */
  parties: string[];
  /** Ordered pairs with the measures available between them under this instrument. */
  pairs: { from: string; to: string; measures: Measure[] }[];
}

export function cooperationMatrix(finder: BasesFinder, instrument: InstrumentId, date: string, emergency = false): MatrixResult {
  const parties: string[] = [];
  for (const party of finder.index.parties()) {
    if (finder.index.partyStatus(party, instrument, date).status === 'in-force') parties.push(party);
  }
  const pairs: MatrixResult['pairs'] = [];
  for (const from of parties) {
    for (const to of parties) {
      if (from === to) continue;
      const measures: Measure[] = [];
      for (const measure of MEASURES) {
        const result = finder.find({ from, to, measure, date, emergency });
        if (result.applicable.some((basis) => basis.instrument === instrument)) measures.push(measure);
      }
      if (measures.length > 0) pairs.push({ from, to, measures });
    }
  }
  return { instrument, date, emergency, parties, pairs };
}
