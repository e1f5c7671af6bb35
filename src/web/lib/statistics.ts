/**
 * The statistics page's figures, shaped for charts and tables: requests by party and measure
 * (one stacked bar per party, one colour per measure, the same colour for a measure in every
 * chart), cases by state in workflow order, refusals by ground, and the median time to response
 * split into days and hours. Pure (no DOM), tested in statistics.test.ts.
 */

/** The measures in the knowledge base's order (src/law/model.ts MEASURES; checked by the test). */
export const MEASURE_ORDER = [
  'preservation',
  'traffic-disclosure',
  'subscriber-info',
  'identification-data',
  'traffic-data',
  'content-data',
  'domain-registration',
  'realtime-traffic',
  'interception',
  'video-conference',
  'joint-investigation',
  'spontaneous-information',
] as const;

/** The refusal grounds (src/law/model.ts REFUSAL_GROUND_IDS; checked by the test). */
export const REFUSAL_GROUNDS = [
  'political-offence',
  'essential-interests',
  'discrimination',
  'human-rights',
  'immunity-privilege-press',
  'ne-bis-in-idem',
  'dual-criminality',
  'territoriality',
  'offence-threshold',
  'domestic-law',
  'national-security',
  'prejudice-to-own-investigation',
  'no-consent',
  'fundamental-principles',
] as const;

/**
 * Categorical colours for measures (Okabe–Ito, then Tableau shades): distinguishable with the
 * common colour-vision deficiencies; the tables carry the same figures in text.
 */
const MEASURE_COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#7f7f7f', '#f0e442', '#000000', '#8c564b', '#17becf', '#bcbd22'];

export function measureColour(measure: string): string {
  const i = (MEASURE_ORDER as readonly string[]).indexOf(measure);
  return MEASURE_COLOURS[i >= 0 ? i : MEASURE_COLOURS.length - 1] as string;
}

export interface PartyMeasureCount {
  measure: string;
  party: string;
  count: number;
}

export interface PartyChart {
  /** Measures present, in {@link MEASURE_ORDER} (unknown ones last, alphabetically). */
  measures: string[];
  /** One row per party, most requests first: `{ party, total, [measure]: count }`. */
  data: ({ party: string; total: number } & Record<string, number | string>)[];
  total: number;
}

function measureRank(measure: string): number {
  const i = (MEASURE_ORDER as readonly string[]).indexOf(measure);
  return i >= 0 ? i : MEASURE_ORDER.length;
}

/** Requests by party, stacked by measure. */
export function partyChart(rows: readonly PartyMeasureCount[]): PartyChart {
  const measures = [...new Set(rows.map((r) => r.measure))].sort((a, b) => measureRank(a) - measureRank(b) || a.localeCompare(b));
  const byParty = new Map<string, { party: string; total: number } & Record<string, number | string>>();
  for (const r of rows) {
    const row = byParty.get(r.party) ?? ({ party: r.party, total: 0 } as { party: string; total: number } & Record<string, number | string>);
    row[r.measure] = (Number(row[r.measure]) || 0) + r.count;
    row.total += r.count;
    byParty.set(r.party, row);
  }
  const data = [...byParty.values()].sort((a, b) => b.total - a.total || a.party.localeCompare(b.party));
  return { measures, data, total: data.reduce((sum, r) => sum + r.total, 0) };
}

/** Table rows: by measure (knowledge-base order), then most requests, then party. */
export function partyTableRows(rows: readonly PartyMeasureCount[]): PartyMeasureCount[] {
  return [...rows].sort((a, b) => measureRank(a.measure) - measureRank(b.measure) || a.measure.localeCompare(b.measure) || b.count - a.count || a.party.localeCompare(b.party));
}

/** Cases by state in the workflow's order, states with cases only. */
export function stateRows<S extends string>(byState: Partial<Record<S, number>>, order: readonly S[]): { state: S; count: number }[] {
  return order.filter((s) => (byState[s] ?? 0) > 0).map((s) => ({ state: s, count: byState[s] as number }));
}

/** Refusals, most frequent first; grounds unknown to {@link REFUSAL_GROUNDS} kept (labelled by id). */
export function groundRows(rows: readonly { ground: string; count: number }[]): { ground: string; count: number }[] {
  return [...rows].filter((r) => r.count > 0).sort((a, b) => b.count - a.count || a.ground.localeCompare(b.ground));
}

/**
 * A duration in hours as whole days, hours and minutes, rounded to the unit shown: to the hour
 * from a day on (50.4 h → 2 days 2 h), to the minute below (1.5 h → 1 h 30 min).
 */
export function splitHours(hours: number): { days: number; hours: number; minutes: number; totalHours: number } {
  const safe = Math.max(0, hours);
  if (safe >= 24) {
    const total = Math.round(safe);
    return { days: Math.floor(total / 24), hours: total % 24, minutes: 0, totalHours: total };
  }
  const minutes = Math.round(safe * 60);
  return { days: Math.floor(minutes / 1440), hours: Math.floor((minutes % 1440) / 60), minutes: minutes % 60, totalHours: Math.round(safe) };
}
