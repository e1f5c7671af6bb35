/**
 * Participation in an instrument, for the treaty explorer: the shapes of
 * `GET /api/law/participation` and `GET /api/law/parties/:party`, the status legend (order,
 * colour, icon — colour never alone: every status also has a text and an icon), counts, grouping
 * for the table, and party names in the reader's language. Pure (no DOM), tested in
 * participation.test.ts.
 */

export type ParticipationStatus = 'in-force' | 'consented' | 'signed' | 'none';

/** The instruments of the knowledge base (src/law/model.ts INSTRUMENT_IDS; checked by the test), in its order. */
export const INSTRUMENTS = ['ETS185', 'ETS189', 'CETS224', 'UNCC', 'EU-2023-1543', 'EU-2014-41', 'EU-US', 'ETS30', 'ETS182', 'EU-US-MLA', 'FR-US-MLAT'] as const;
export type InstrumentId = (typeof INSTRUMENTS)[number];

export function isInstrumentId(value: string | null | undefined): value is InstrumentId {
  return value !== null && value !== undefined && (INSTRUMENTS as readonly string[]).includes(value);
}

/** Most to least engaged: the legend, the table and the counts follow this order. */
export const STATUS_ORDER: readonly ParticipationStatus[] = ['in-force', 'consented', 'signed', 'none'];

export interface LegendStyle {
  /** Map fill (a single-hue ramp, dark = more engaged; readable by colour-blind readers as lightness). */
  fill: string;
  /** Shape shown beside the text in the legend and the table. */
  icon: string;
}

/**
 * Colours: ColorBrewer "YlGnBu" steps, ordered by lightness so that they stay distinct in grey
 * scale and for the common colour-vision deficiencies; `none` is a neutral grey, and territories
 * the data do not cover ("no data") are white with a hatch.
 */
export const STATUS_STYLE: Readonly<Record<ParticipationStatus | 'no-data', LegendStyle>> = {
  'in-force': { fill: '#225ea8', icon: '●' },
  consented: { fill: '#41b6c4', icon: '◐' },
  signed: { fill: '#c7e9b4', icon: '○' },
  none: { fill: '#d9dce1', icon: '–' },
  'no-data': { fill: '#ffffff', icon: '·' },
};

export type StatusCounts = Record<ParticipationStatus, number>;

export interface EventDate {
  date: string | null;
}

/** One row of `GET /api/law/participation`. */
export interface ParticipationRow {
  party: string;
  name: string;
  kind: 'state' | 'regional-organisation' | string;
  status: ParticipationStatus;
  signature: EventDate | null;
  consent: (EventDate & { event: string }) | null;
  entryIntoForce: string | null;
  entryIntoForceDerived: boolean;
  verified: boolean;
  /** Number of reservations and declarations recorded by the date. */
  reservations: number;
  notes: string[];
}

export interface CitationView {
  instrument: string;
  article: string;
  paragraph?: string;
  source?: string;
  verified: boolean;
  note?: string;
}

export interface CountedConsent {
  party: string;
  event: string;
  /** Null: the data confirm the consent but not its date (UNCONFIRMED): it does not count yet. */
  date: string | null;
  verified: boolean;
}

export type EntryIntoForceRule =
  | { kind: 'first-day-of-month-after'; threshold: number; minimumCoeMembers: number; months: number; laterConsentMonths: number; citation: CitationView }
  | { kind: 'nth-day-after'; threshold: number; days: number; excludeRegionalOrganisations?: boolean; laterConsentDays: number; citation: CitationView }
  | { kind: 'eu-act'; appliesFrom: string; citation: CitationView }
  | { kind: 'not-concluded'; citation: CitationView }
  | { kind: 'between'; sides: [string[], string[]]; signed: string; citation: CitationView };

/** `GET /api/law/participation?instrument=…&date=…` */
export interface Participation {
  instrument: string;
  date: string;
  title: string;
  shortTitle: string;
  openedForSignature: string | null;
  signatureCloses: string | null;
  signatureWindowCitation: CitationView | null;
  entryIntoForceRule: EntryIntoForceRule;
  instrumentStatus: {
    inForce: boolean;
    entryIntoForce: string | null;
    entryIntoForceDerived: boolean;
    consents: CountedConsent[];
    /** The server's one count toward the threshold (dated instruments on or before the date): the CLI shows the same. */
    counted: number;
    /** Instruments reported without a confirmed date: shown, not counted. */
    unconfirmed: number;
    threshold: number | null;
    citation: CitationView;
    verified: boolean;
  };
  counts: StatusCounts;
  parties: ParticipationRow[];
}

export interface EventRecordView {
  event: string;
  date: string | null;
  /** Undated event: the earliest date it can have happened ("date unknown, not before …"). */
  notBefore?: string | null;
  source: string;
}

/** A reservation or declaration with its period (src/law/party-profile.ts). */
export interface ReservationView {
  id: string;
  kind: 'reservation' | 'declaration' | 'reservation-or-declaration' | string;
  text: string;
  from: string | null;
  /** Withdrawn with effect from this date (Budapest Art. 43(1)). */
  until: string | null;
  notBefore: string | null;
  /** Applies on the profile's date. */
  applies: boolean;
  citation: CitationView;
}

/** "29(4)", "7(9)(a)", "14(3)(b)": the first level of the paragraph in brackets, sub-points as written (as src/law/cite.ts). */
export function articleRef(citation: Pick<CitationView, 'article' | 'paragraph'>): string {
  if (!citation.paragraph) return citation.article;
  return `${citation.article}${citation.paragraph.replace(/^([^()]+)/, '($1)')}`;
}

export type ReservationPeriod =
  | { kind: 'since'; from: string }
  | { kind: 'withdrawn'; from: string | null; notBefore: string | null; until: string }
  | { kind: 'unknown'; notBefore: string | null };

/**
 * The period of a reservation or declaration (Budapest Art. 43(1): a withdrawal takes effect on
 * the date it is received): "since …", "… – … (withdrawn)", or "date unknown, not before …".
 */
export function periodOf(r: Pick<ReservationView, 'from' | 'until' | 'notBefore'>): ReservationPeriod {
  if (r.until !== null) return { kind: 'withdrawn', from: r.from, notBefore: r.notBefore, until: r.until };
  if (r.from !== null) return { kind: 'since', from: r.from };
  return { kind: 'unknown', notBefore: r.notBefore };
}

/** One instrument of `GET /api/law/parties/:party`. */
export interface PartyInstrumentStatus {
  party: string;
  instrument: string;
  status: ParticipationStatus;
  signature: EventRecordView | null;
  consent: EventRecordView | null;
  entryIntoForce: string | null;
  entryIntoForceDerived: boolean;
  verified: boolean;
  reservations: ReservationView[];
  notes: string[];
}

/** `GET /api/law/parties/:party?date=…` */
export interface PartyProfile {
  party: string;
  name: string;
  date: string;
  memberOf: ('CoE' | 'EU')[];
  instruments: PartyInstrumentStatus[];
}

/** One entry of `GET /api/law/instruments` (the fields the pages read). */
export interface InstrumentSummary {
  id: string;
  title: string;
  shortTitle: string;
  kind: string;
  status: string;
}

export function isParticipationStatus(value: string): value is ParticipationStatus {
  return (STATUS_ORDER as readonly string[]).includes(value);
}

/** Counts per status (every status present, zero when none). */
export function countByStatus(rows: readonly Pick<ParticipationRow, 'status'>[]): StatusCounts {
  const counts: StatusCounts = { 'in-force': 0, consented: 0, signed: 0, none: 0 };
  for (const row of rows) counts[row.status] += 1;
  return counts;
}

export interface LegendEntry {
  status: ParticipationStatus | 'no-data';
  fill: string;
  icon: string;
  /** i18n key of the label. */
  labelKey: `treaty.status.${ParticipationStatus | 'no-data'}`;
  /** Parties with the status; null for "no data". */
  count: number | null;
}

/** The legend: one entry per status in {@link STATUS_ORDER} with its count, then "no data". */
export function legendEntries(counts: StatusCounts): LegendEntry[] {
  return [
    ...STATUS_ORDER.map((status): LegendEntry => ({ status, ...STATUS_STYLE[status], labelKey: `treaty.status.${status}`, count: counts[status] })),
    { status: 'no-data', ...STATUS_STYLE['no-data'], labelKey: 'treaty.status.no-data', count: null },
  ];
}

/** Fill of a party on the map; a territory the data do not cover is "no data". */
export function statusFill(row: Pick<ParticipationRow, 'status'> | undefined): string {
  return row ? STATUS_STYLE[row.status].fill : STATUS_STYLE['no-data'].fill;
}

/**
 * Party names in the reader's language (Intl.DisplayNames: "Allemagne" for DE in French), the
 * knowledge base's English name as the fallback.
 */
export function partyNamer(locale: string): (id: string, fallback?: string) => string {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
  } catch {
    names = null;
  }
  return (id, fallback) => {
    let name: string | undefined;
    try {
      name = names?.of(id);
    } catch {
      name = undefined;
    }
    return name && name !== id ? name : (fallback ?? id);
  };
}

export interface NamedRow extends ParticipationRow {
  /** The name in the reader's language. */
  label: string;
}

/** Rows grouped by status, each group sorted by name in the reader's language. */
export function groupByStatus(rows: readonly ParticipationRow[], locale: string): Record<ParticipationStatus, NamedRow[]> {
  const name = partyNamer(locale);
  const collator = new Intl.Collator(locale, { sensitivity: 'base' });
  const groups: Record<ParticipationStatus, NamedRow[]> = { 'in-force': [], consented: [], signed: [], none: [] };
  for (const row of rows) groups[row.status].push({ ...row, label: name(row.party, row.name) });
  for (const status of STATUS_ORDER) groups[status].sort((a, b) => collator.compare(a.label, b.label) || a.party.localeCompare(b.party));
  return groups;
}

/** Rows by party id, for the map. */
export function indexByParty<R extends { party: string }>(rows: readonly R[]): Map<string, R> {
  return new Map(rows.map((r) => [r.party, r]));
}

/** Participation events, as the data name them. */
export const EVENTS = ['signature', 'ratification', 'acceptance', 'approval', 'accession', 'entry_into_force'] as const;
export type EventKey = (typeof EVENTS)[number] | 'consent';

/** A participation event id as a translation key (`treaty.events.*`); an unknown one reads "consent". */
export function eventKey(event: string): EventKey {
  return (EVENTS as readonly string[]).includes(event) ? (event as EventKey) : 'consent';
}
