/**
 * @module law/knowledge-base
 * Loads the reviewable data files under `data/` into one validated, immutable
 * {@link KnowledgeBase}. Provision files may state their instrument and source URL once
 * (citations inherit them), share parts between provisions (`"refusalGroundsFrom": "shared"`)
 * and inherit parts of another provision (`"inherits"`); this loader expands all of that, then
 * validates every object against the strict schemas in `model.ts`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ADDRESSEE_KINDS,
  CHANNELS,
  MEASURES,
  citationSchema,
  instrumentSchema,
  measureSchema,
  membershipSchema,
  offenceSchema,
  partySchema,
  provisionSchema,
  rankingSchema,
  type Instrument,
  type InstrumentId,
  type Measure,
  type MeasureInfo,
  type Membership,
  type Offence,
  type ParticipationRow,
  type Party,
  type Provision,
  type Ranking,
  type Reservation,
} from './model.js';
import { issuingRulesSchema, type IssuingRules } from './issuing-authorities.js';
import { DataError, loadParticipationFile, parseParticipationCsv } from './participation.js';
import { loadReservationsFile } from './reservations.js';

export interface KnowledgeBase {
  readonly instruments: ReadonlyMap<InstrumentId, Instrument>;
  readonly provisions: readonly Provision[];
  readonly offences: ReadonlyMap<string, Offence>;
  readonly parties: ReadonlyMap<string, Party>;
  readonly memberships: Readonly<Record<Membership['organisation'], Membership>>;
  readonly reservations: readonly Reservation[];
  readonly participation: readonly ParticipationRow[];
  /** `built-in` or the path of the file given with `--data`. */
  readonly participationSource: string;
  readonly ranking: Ranking;
  readonly measures: ReadonlyMap<Measure, MeasureInfo>;
  /** `built-in` or the path of the reservations file given with `--data`. */
  readonly reservationsSource: string;
  /** Which channel reaches which kind of addressee (issue 16), each with its citation. */
  readonly channels: readonly ChannelInfo[];
  /** Reg. 2023/1543 Art. 4: who may issue and who must validate an order, per data category. */
  readonly issuing: IssuingRules;
  /** The reciprocity (comity) answer when no instrument applies. */
  readonly reciprocity: Reciprocity;
  /** Date of each participation source that reports undated events (source URL → YYYY-MM-DD). */
  readonly sourceDates: ReadonlyMap<string, string>;
}

const sourceDateSchema = z.strictObject({ source: z.url(), asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), what: z.string().min(1) });

export const channelInfoSchema = z.strictObject({
  channel: z.enum(CHANNELS),
  addressees: z.array(z.enum(ADDRESSEE_KINDS)).min(1),
  text: z.string().min(1),
  citation: citationSchema,
});
export type ChannelInfo = z.infer<typeof channelInfoSchema>;

export const reciprocitySchema = z.strictObject({
  text: z.string().min(1),
  channels: z.array(z.string().min(1)).min(1),
  obligation: z.string().min(1),
  citation: citationSchema,
});
export type Reciprocity = z.infer<typeof reciprocitySchema>;

const DATA_DIR = new URL('./data/', import.meta.url);

function readJson(name: string, dir: URL | string = DATA_DIR): unknown {
  const where = typeof dir === 'string' ? join(dir, name) : new URL(name, dir);
  const text = readFileSync(where, 'utf8');
  try {
    return withoutResearchNotes(JSON.parse(text) as unknown);
  } catch (error) {
    throw new DataError(name, null, `not valid JSON (${(error as Error).message})`);
  }
}

/**
 * A citation's `note` is the reviewers' research trail (which copy was read, what was cut off):
 * it stays in the data files for lawyers reviewing them and never reaches a user. A user sees
 * the citation (instrument, article, paragraph, source) and whether it is verified.
 */
function withoutResearchNotes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutResearchNotes);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  const isCitation = 'verified' in value && 'article' in value;
  for (const [key, item] of Object.entries(value)) {
    if (isCitation && key === 'note') continue;
    out[key] = withoutResearchNotes(item);
  }
  return out;
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue ? issue.path.join('.') : '';
    throw new DataError(file, null, `${what}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Citations in a provision file may omit `instrument` and `source`: they default to the file's. */
function fillCitations(value: Json, defaults: { instrument: string; source: string }): Json {
  if (Array.isArray(value)) return value.map((item) => fillCitations(item, defaults));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) out[key] = fillCitations(item, defaults);
  if ('article' in value && 'verified' in value && typeof value.verified === 'boolean') {
    out.instrument ??= defaults.instrument;
    out.source ??= defaults.source;
  }
  return out;
}

const SHARED_PARTS: Record<string, string> = {
  refusalGroundsFrom: 'refusalGrounds',
  safeguardsFrom: 'safeguards',
  deadlinesFrom: 'deadlines',
  requiredContentsFrom: 'requiredContents',
  dualCriminalityFrom: 'mlaDualCriminality',
};

/** Expands `*From: "shared"` (appended after explicit items) and `inherits` of one file's provisions. */
function expandProvisions(file: string, raw: JsonObject): JsonObject[] {
  const instrument = String(raw.instrument);
  const defaults = { instrument, source: String(raw.source) };
  const shared = isObject(raw.shared) ? (fillCitations(raw.shared, defaults) as JsonObject) : {};
  const list = Array.isArray(raw.provisions) ? raw.provisions : [];
  const byId = new Map<string, JsonObject>();
  const expanded: JsonObject[] = [];
  for (const item of list) {
    if (!isObject(item)) throw new DataError(file, null, 'each provision must be an object');
    const provision = fillCitations(item, defaults) as JsonObject;
    provision.instrument = instrument;
    for (const [key, part] of Object.entries(SHARED_PARTS)) {
      if (!(key in provision)) continue;
      const sharedValue = shared[part];
      if (provision[key] !== 'shared' || sharedValue === undefined) {
        throw new DataError(file, null, `${String(provision.id)}: ${key} must be "shared" and the file must define shared.${part}`);
      }
      delete provision[key];
      const target = key === 'dualCriminalityFrom' ? 'dualCriminality' : part;
      const own = provision[target];
      provision[target] = Array.isArray(own) && Array.isArray(sharedValue) ? [...own, ...sharedValue] : sharedValue;
    }
    const inherits = provision.inherits;
    if (isObject(inherits)) {
      const source = byId.get(String(inherits.from));
      if (!source) throw new DataError(file, null, `${String(provision.id)}: inherits from unknown or later provision ${JSON.stringify(inherits.from)}`);
      for (const part of Array.isArray(inherits.parts) ? inherits.parts : []) {
        const name = String(part);
        if (!(name in provision) && source[name] !== undefined) provision[name] = source[name];
      }
      delete provision.inherits;
    }
    byId.set(String(provision.id), provision);
    expanded.push(provision);
  }
  return expanded;
}

function loadProvisions(): Provision[] {
  const dir = new URL('./provisions/', DATA_DIR);
  const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  const provisions: Provision[] = [];
  for (const name of files) {
    const file = `provisions/${name}`;
    const raw = readJson(name, dir) as Json;
    if (!isObject(raw)) throw new DataError(file, null, 'expected an object with "instrument", "source" and "provisions"');
    for (const provision of expandProvisions(file, raw)) {
      provisions.push(parseWith(provisionSchema, provision, file, `provision ${String(provision.id)}`));
    }
  }
  return provisions;
}

function loadArray<T>(name: string, schema: z.ZodType<T>): T[] {
  const raw = readJson(name);
  if (!Array.isArray(raw)) throw new DataError(name, null, 'expected a JSON array');
  return raw.map((item, index) => parseWith(schema, item, name, `entry ${index + 1}`));
}

/** Checks references between files: every id a rule points to must exist. */
function checkReferences(kb: KnowledgeBase): void {
  for (const measure of MEASURES) {
    if (!kb.measures.has(measure)) throw new DataError('measures.json', null, `measure ${measure} is not described`);
  }
  const reservationIds = new Set(kb.provisions.flatMap((p) => p.reservationsPossible.map((r) => r.id)));
  const lists = new Set([...kb.offences.values()].flatMap((o) => o.lists.map((l) => l.list)));
  const offenceInstruments = new Set([...kb.offences.values()].flatMap((o) => o.provisions.map((p) => p.instrument)));
  const ids = new Set<string>();
  for (const provision of kb.provisions) {
    if (ids.has(provision.id)) throw new DataError('provisions', null, `duplicate provision id ${provision.id}`);
    ids.add(provision.id);
    for (const condition of provision.conditions) {
      if (condition.kind === 'reservation-excludes' && !reservationIds.has(condition.reservation)) {
        throw new DataError('provisions', null, `${provision.id}: unknown reservation ${condition.reservation}`);
      }
      if (condition.kind === 'offence-threshold' && !lists.has(condition.listedCatalogue)) {
        throw new DataError('provisions', null, `${provision.id}: unknown offence list ${condition.listedCatalogue}`);
      }
      if (condition.kind === 'offence-in-catalogue' && !offenceInstruments.has(condition.catalogue)) {
        throw new DataError('provisions', null, `${provision.id}: no offence is established under ${condition.catalogue}`);
      }
    }
    const listed = provision.dualCriminality.listedCatalogue;
    if (listed !== undefined && !lists.has(listed)) throw new DataError('provisions', null, `${provision.id}: unknown offence list ${listed}`);
  }
  for (const channel of CHANNELS) {
    if (!kb.channels.some((c) => c.channel === channel)) throw new DataError('channels.json', null, `channel ${channel} is not described`);
  }
  for (const instrument of kb.instruments.values()) {
    for (const party of instrument.scope?.boundMemberStates ?? []) {
      if (!kb.memberships.EU.members.includes(party)) throw new DataError('instruments.json', null, `${instrument.id}: ${party} is not an EU member State`);
    }
  }
}

export interface LoadOptions {
  /**
   * A folder holding `participation.csv` that replaces the built-in participation data, and
   * optionally `reservations.csv` that replaces the built-in reservations.
   */
  dataDir?: string;
}

/**
 * An undated reservation cannot have taken effect before the party consented (or, with no dated
 * consent, before the instrument opened for signature): reservations are made at signature or
 * on deposit of the instrument of consent (Budapest Art. 42; CETS 224 Art. 19).
 */
function boundReservations(reservations: Reservation[], participation: readonly ParticipationRow[], instruments: ReadonlyMap<InstrumentId, Instrument>): Reservation[] {
  return reservations.map((r) => {
    if (r.from !== undefined) return r;
    const consent = participation.find((row) => row.iso2 === r.party && row.instrument === r.instrument && row.date !== null && ['ratification', 'acceptance', 'approval', 'accession'].includes(row.event));
    const instrument = instruments.get(r.instrument);
    const bound = consent?.date ?? instrument?.openedForSignature ?? instrument?.adopted;
    return bound === undefined ? r : { ...r, notBefore: bound };
  });
}

/** Loads and validates the whole knowledge base. Throws {@link DataError} on any bad file. */
export function loadKnowledgeBase(options: LoadOptions = {}): KnowledgeBase {
  const instruments = loadArray('instruments.json', instrumentSchema);
  const parties = loadArray('parties.json', partySchema);
  const memberships = loadArray('memberships.json', membershipSchema);
  const partyIds = new Set(parties.map((p) => p.id));
  const coe = memberships.find((m) => m.organisation === 'CoE');
  const eu = memberships.find((m) => m.organisation === 'EU');
  if (!coe || !eu) throw new DataError('memberships.json', null, 'both CoE and EU memberships are required');
  const participationSource = options.dataDir === undefined ? 'built-in' : join(options.dataDir, 'participation.csv');
  const participation =
    options.dataDir === undefined
      ? parseParticipationCsv(readFileSync(new URL('participation.csv', DATA_DIR), 'utf8'), 'participation.csv', partyIds)
      : loadParticipationFile(participationSource, partyIds);
  // Mutual legal assistance treaties (ETS 30 …) have their own rows: participation.csv stays a copy of the treaty-status research.
  const mlaParticipation = parseParticipationCsv(readFileSync(new URL('participation-mla.csv', DATA_DIR), 'utf8'), 'participation-mla.csv', partyIds);
  const ownReservations = options.dataDir === undefined ? null : join(options.dataDir, 'reservations.csv');
  const useOwnReservations = ownReservations !== null && existsSync(ownReservations);
  const reservationsSource = useOwnReservations ? ownReservations : 'built-in';
  const reservations = useOwnReservations
    ? loadReservationsFile(ownReservations, ownReservations, partyIds)
    : loadReservationsFile(new URL('reservations.csv', DATA_DIR), 'reservations.csv', partyIds);
  const instrumentMap = new Map(instruments.map((i) => [i.id, i]));
  const allParticipation = [...participation, ...mlaParticipation];
  const kb: KnowledgeBase = {
    instruments: instrumentMap,
    provisions: loadProvisions(),
    offences: new Map(loadArray('offences.json', offenceSchema).map((o) => [o.id, o])),
    parties: new Map(parties.map((p) => [p.id, p])),
    memberships: { CoE: coe, EU: eu },
    reservations: boundReservations(reservations, allParticipation, instrumentMap),
    reservationsSource,
    participation: allParticipation,
    participationSource,
    channels: loadArray('channels.json', channelInfoSchema),
    issuing: parseWith(issuingRulesSchema, readJson('issuing-authorities.json'), 'issuing-authorities.json', 'issuing rules'),
    reciprocity: parseWith(reciprocitySchema, readJson('reciprocity.json'), 'reciprocity.json', 'reciprocity'),
    sourceDates: new Map(loadArray('source-dates.json', sourceDateSchema).map((d) => [d.source, d.asOf])),
    ranking: parseWith(rankingSchema, readJson('ranking.json'), 'ranking.json', 'ranking'),
    measures: new Map(loadArray('measures.json', measureSchema).map((m) => [m.id, m])),
  };
  checkReferences(kb);
  return kb;
}
