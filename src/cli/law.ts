/**
 * @module cli/law
 * `comity law …`: the legal engine from the command line. Every command prints a readable
 * table, or with `--json` the machine contract other tools rely on (see README).
 */
import type { Command } from 'commander';
import {
  BasesFinder,
  cite,
  computeDeadlines,
  cooperationMatrix,
  INSTRUMENT_IDS,
  loadKnowledgeBase,
  parseDate,
  parseInstrument,
  parseMeasure,
  parseOffence,
  parseParty,
  partyProfile,
  mayIssue,
  AUTHORITY_KINDS,
  ORDER_DATA_CATEGORIES,
  ORDER_KINDS,
  type ApplicableBasis,
  type BasesResult,
  type KnowledgeBase,
} from '../law/index.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { table, verifiedMark } from './table.js';

const DATA_HELP = 'folder with participation.csv (and optionally reservations.csv) replacing the built-in data';

interface CommonOptions {
  data?: string;
  json?: boolean;
  date?: string;
}

/** Today's date in UTC: the only place the legal commands read the system clock. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function knowledgeBase(options: CommonOptions): KnowledgeBase {
  return loadKnowledgeBase(options.data === undefined ? {} : { dataDir: options.data });
}

function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

function basisRow(basis: ApplicableBasis): string[] {
  const deadlines = basis.deadlines.map((d) => `${d.amount} ${d.unit}${d.kind === 'minimum' ? ' (min)' : ''}`).join(', ');
  return [String(basis.rank), `${basis.instrument} Art. ${basis.article}`, basis.channel, verifiedMark(basis.verified), deadlines || '-', basis.title];
}

function printBasis(io: Io, basis: ApplicableBasis, label: string): void {
  io.out('');
  io.out(`${label}${basis.instrument} Art. ${basis.article} — ${basis.title} (${basis.citation.source})`);
  io.out(`   addressee: ${basis.addressees.join(' or ')}`);
  for (const r of basis.reservations) io.out(`   ${r.kind} ${r.party} ${r.id} (${r.period}): ${r.text} [${cite(r.citation)}]`);
  for (const c of basis.conditions) io.out(`   condition (${c.state}): ${c.text} [${cite(c.citation)}]`);
  for (const d of basis.deadlines) io.out(`   deadline: ${d.description} [${cite(d.citation)}]`);
  for (const e of basis.requiredContents) io.out(`   must contain: ${e.text}${e.optional ? ' (if available)' : ''} [${cite(e.citation)}]`);
  for (const s of basis.safeguards) io.out(`   safeguard: ${s.text} [${cite(s.citation)}]`);
  for (const g of basis.refusalGrounds) io.out(`   ${g.effect === 'postpone' ? 'postponement' : 'refusal'} ground: ${g.text} [${cite(g.citation)}]`);
  io.out(`   dual criminality: ${basis.dualCriminality.rule} — ${basis.dualCriminality.text} [${cite(basis.dualCriminality.citation)}]`);
  if (basis.dualCriminality.note) io.out(`   note: ${basis.dualCriminality.note}`);
}

function printBases(io: Io, result: BasesResult): void {
  const q = result.query;
  const rep = q.providerRep ? `, provider's legal representative in ${q.providerRep}` : '';
  io.out(`Legal bases for ${q.from} → ${q.to}, ${q.measure}${q.emergency ? ' (emergency)' : ''}${q.offence ? `, offence ${q.offence}` : ''}${rep}, on ${q.date}`);
  io.out('');
  if (result.applicable.length === 0) io.out('No applicable legal basis.');
  else io.out(table(['#', 'Basis', 'Channel', 'Verified', 'Deadlines', 'Title'], result.applicable.map(basisRow)));
  for (const basis of result.applicable) printBasis(io, basis, `${basis.rank}. `);
  for (const basis of result.noRequestNeeded) printBasis(io, basis, 'No request needed: ');
  if (result.fallback) {
    io.out('');
    io.out(`Reciprocity: ${result.fallback.text}`);
    io.out(`   channels: ${result.fallback.channels.join('; ')}; obligation to execute: ${result.fallback.obligation} [${cite(result.fallback.citation)}]`);
  }
  io.out('');
  io.out('Not applicable:');
  for (const item of result.notApplicable) io.out(`  - ${item.reason}${item.reservation ? ` [${cite(item.reservation.citation)}]` : ''}`);
}

function addBases(law: Command, io: Io): void {
  law
    .command('bases')
    .description('which legal bases let one party ask another for a measure on a date, ranked and cited')
    .requiredOption('--from <party>', 'requesting party (ISO 3166-1 alpha-2 or EU)')
    .requiredOption('--to <party>', 'requested party, or the country of the service provider')
    .requiredOption('--measure <measure>', 'measure sought')
    .option('--date <date>', 'date of the request (YYYY-MM-DD; default today)')
    .option('--emergency', 'an emergency (imminent risk to life or safety)', false)
    .option('--offence <id>', 'offence category (see `comity law offences`)')
    .option('--provider-rep <party>', "where the service provider's legal representative or designated establishment is (Reg. 2023/1543 is addressed there)")
    .option('--json', 'machine-readable output')
    .option('--data <dir>', DATA_HELP)
    .action((options: CommonOptions & { from: string; to: string; measure: string; emergency: boolean; offence?: string; providerRep?: string }) => {
      const measure = parseMeasure(options.measure);
      const date = parseDate(options.date ?? today());
      const kb = knowledgeBase(options);
      const from = parseParty(kb, options.from, 'requesting party');
      const to = parseParty(kb, options.to, 'requested party');
      const offence = options.offence === undefined ? undefined : parseOffence(kb, options.offence);
      const providerRep = options.providerRep === undefined ? undefined : parseParty(kb, options.providerRep, "provider's legal representative");
      const result = new BasesFinder(kb).find({ from, to, measure, date, emergency: options.emergency, ...(offence ? { offence } : {}), ...(providerRep ? { providerRep } : {}) });
      if (options.json) printJson(io, result);
      else printBases(io, result);
    });
}

function addStatus(law: Command, io: Io): void {
  law
    .command('status')
    .description('whether an instrument is in force on a date, and the consents counted toward its threshold')
    .argument('<instrument>', `one of ${INSTRUMENT_IDS.join(', ')}`)
    .option('--date <date>', 'YYYY-MM-DD (default today)')
    .option('--json', 'machine-readable output')
    .option('--data <dir>', DATA_HELP)
    .action((instrumentArg: string, options: CommonOptions) => {
      const id = parseInstrument(instrumentArg);
      const date = parseDate(options.date ?? today());
      const kb = knowledgeBase(options);
      const finder = new BasesFinder(kb);
      const status = finder.index.instrumentStatus(id, date);
      const instrument = finder.index.instrument(id);
      const signatureCloses = instrument.signatureCloses ?? null;
      const daysLeft = signatureCloses !== null && date <= signatureCloses ? daysBetween(date, signatureCloses) : null;
      if (options.json) {
        printJson(io, { ...status, title: instrument.title, status: instrument.status, signatureCloses, signatureDaysLeft: daysLeft, participationSource: kb.participationSource });
        return;
      }
      io.out(`${id} — ${instrument.title}`);
      io.out(`On ${date}: ${status.inForce ? 'in force' : 'NOT in force'}${instrument.status === 'under-negotiation' ? ' (under negotiation)' : ''}`);
      io.out(`Entry into force: ${status.entryIntoForce ?? 'not yet determined'}${status.entryIntoForceDerived ? ' (derived from consents)' : ''} [${cite(status.citation)}]`);
      if (status.threshold !== null) io.out(`Consents counted: ${status.counted} of ${status.threshold}${status.unconfirmed > 0 ? ` (${status.unconfirmed} more reported without a confirmed date, not counted)` : ''}`);
      if (signatureCloses !== null) io.out(`Signature closes: ${signatureCloses}${daysLeft !== null ? ` (${daysLeft} days left)` : ' (closed)'}`);
      io.out(`Verified: ${verifiedMark(status.verified)}`);
      if (status.consents.length > 0) {
        io.out('');
        io.out(table(['Party', 'Event', 'Date'], status.consents.map((c) => [c.party, c.event, c.date ?? `unknown${c.notBefore ? `, not before ${c.notBefore}` : ''}${c.reportedOn ? `; reported ${c.reportedOn}` : ''}`])));
      }
    });
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function addParty(law: Command, io: Io): void {
  law
    .command('party')
    .description("a party's participation in every instrument on a date, with reservations and declarations")
    .argument('<party>', 'ISO 3166-1 alpha-2 code or EU')
    .option('--date <date>', 'YYYY-MM-DD (default today)')
    .option('--json', 'machine-readable output')
    .option('--data <dir>', DATA_HELP)
    .action((partyArg: string, options: CommonOptions) => {
      const date = parseDate(options.date ?? today());
      const kb = knowledgeBase(options);
      const party = parseParty(kb, partyArg);
      const profile = partyProfile(kb, new BasesFinder(kb).index, party, date);
      if (options.json) {
        printJson(io, profile);
        return;
      }
      io.out(`${party} — ${profile.name}${profile.memberOf.length ? ` (member of ${profile.memberOf.join(', ')})` : ''}, on ${date}`);
      io.out('');
      io.out(
        table(
          ['Instrument', 'Status', 'Entry into force', 'Consent', 'Verified', 'Notes'],
          profile.instruments.map((i) => [
            i.instrument,
            i.status,
            i.entryIntoForce === null ? '-' : `${i.entryIntoForce}${i.entryIntoForceDerived ? ' (derived)' : ''}`,
            i.participation ?? '-',
            verifiedMark(i.verified),
            i.notes.join('; ') || '-',
          ]),
        ),
      );
      const reservations = profile.instruments.flatMap((i) => i.reservations.map((r) => ({ instrument: i.instrument, r })));
      if (reservations.length > 0) {
        io.out('');
        io.out('Reservations and declarations:');
        for (const { instrument, r } of reservations) {
          io.out(`  ${instrument} ${r.kind} ${cite(r.citation, { mark: false })} — ${r.period}${r.applies ? '' : ` — does not apply on ${date}`}${r.citation.verified ? '' : ' [unverified]'}`);
          io.out(`    ${r.text} (${r.citation.source})`);
        }
      }
    });
}

/** An offset zone for day counting when no IANA zone is given: Etc/GMT-1 is UTC+01:00. */
function zoneFromOffset(received: string): string {
  const m = /(Z|([+-])(\d{2}):(\d{2}))$/.exec(received);
  if (!m) throw new UsageError(`invalid --received ${JSON.stringify(received)}: expected an ISO 8601 instant with offset, e.g. 2026-12-01T09:00:00+01:00`);
  if (m[1] === 'Z' || (m[3] === '00' && m[4] === '00')) return 'UTC';
  if (m[4] !== '00') throw new UsageError(`--received has offset ${m[1]}: give the authority's IANA time zone with --tz`);
  // The Etc/GMT zones have inverted signs: UTC+01:00 is Etc/GMT-1.
  return `Etc/GMT${m[2] === '+' ? '-' : '+'}${Number(m[3])}`;
}

function addDeadlines(law: Command, io: Io): void {
  law
    .command('deadlines')
    .description('legal clocks for an instrument and measure from the instant a request was received')
    .requiredOption('--instrument <id>', `one of ${INSTRUMENT_IDS.join(', ')}`)
    .requiredOption('--measure <measure>', 'measure sought')
    .requiredOption('--received <instant>', 'ISO 8601 instant with offset, e.g. 2026-12-01T09:00:00+01:00')
    .option('--emergency', 'emergency deadlines', false)
    .option('--tz <zone>', "the authority's IANA time zone for day periods (default: the offset of --received)")
    .option('--holidays <dates>', 'comma-separated public holidays YYYY-MM-DD of that authority')
    .option('--json', 'machine-readable output')
    .option('--data <dir>', DATA_HELP)
    .action((options: CommonOptions & { instrument: string; measure: string; received: string; emergency: boolean; tz?: string; holidays?: string }) => {
      const instrument = parseInstrument(options.instrument);
      const measure = parseMeasure(options.measure);
      const timeZone = options.tz ?? zoneFromOffset(options.received);
      const holidays = options.holidays === undefined ? undefined : new Set(options.holidays.split(',').map((d) => parseDate(d.trim())));
      const kb = knowledgeBase(options);
      const result = computeDeadlines(kb, { instrument, measure, received: options.received, emergency: options.emergency, timeZone, ...(holidays ? { holidays } : {}) });
      if (options.json) {
        printJson(io, result);
        return;
      }
      io.out(`Deadlines under ${instrument} for ${measure}${options.emergency ? ' (emergency)' : ''}, received ${options.received}, days counted in ${timeZone}`);
      io.out('');
      if (result.deadlines.length === 0) io.out('No deadline runs from receipt for this instrument and measure.');
      else
        io.out(
          table(
            ['Deadline', 'Due before', 'Last day', 'Kind', 'Citation', 'Verified'],
            result.deadlines.map((d) => [d.id, d.due, d.lastDay ?? '-', d.kind, cite(d.citation), verifiedMark(d.verified)]),
          ),
        );
      for (const d of result.deadlines) io.out(`  ${d.id}: ${d.description}`);
      for (const d of result.later) io.out(`  later: ${d.id} — ${d.period.amount} ${d.period.unit} from ${d.runsFrom}: ${d.description} [${cite(d.citation)}]`);
    });
}

function addMatrix(law: Command, io: Io): void {
  law
    .command('matrix')
    .description('who can co-operate with whom under one instrument on a date')
    .requiredOption('--instrument <id>', `one of ${INSTRUMENT_IDS.join(', ')}`)
    .option('--date <date>', 'YYYY-MM-DD (default today)')
    .option('--emergency', 'include emergency-only provisions', false)
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--json', 'same as --format json')
    .option('--data <dir>', DATA_HELP)
    .action((options: CommonOptions & { instrument: string; format: string; emergency: boolean }) => {
      const instrument = parseInstrument(options.instrument);
      const date = parseDate(options.date ?? today());
      const format = options.json ? 'json' : options.format;
      if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`unknown --format ${JSON.stringify(format)}: allowed table, csv, json`);
      const kb = knowledgeBase(options);
      const matrix = cooperationMatrix(new BasesFinder(kb), instrument, date, options.emergency);
      if (format === 'json') printJson(io, matrix);
      else if (format === 'csv') {
        io.out('requesting,requested,measures');
        for (const pair of matrix.pairs) io.out(`${pair.from},${pair.to},${pair.measures.join(';')}`);
      } else {
        io.out(`${instrument} on ${date}: ${matrix.parties.length} parties bound, ${matrix.pairs.length} ordered pairs can co-operate`);
        const counts = new Map<string, number>();
        for (const pair of matrix.pairs) counts.set(pair.from, (counts.get(pair.from) ?? 0) + 1);
        const measuresOf = new Map(matrix.pairs.map((p) => [p.from, p.measures.join(', ')]));
        io.out('');
        io.out(table(['Party', 'Can ask', 'Measures (e.g.)'], matrix.parties.map((p) => [p, String(counts.get(p) ?? 0), measuresOf.get(p) ?? '-'])));
      }
    });
}

function addCatalogues(law: Command, io: Io): void {
  law
    .command('offences')
    .description('offence categories accepted by --offence, with the articles that establish them')
    .option('--json', 'machine-readable output')
    .action((options: CommonOptions) => {
      const kb = loadKnowledgeBase();
      const offences = [...kb.offences.values()];
      if (options.json) printJson(io, offences);
      else io.out(table(['Offence', 'Name', 'Established by'], offences.map((o) => [o.id, o.name, o.provisions.map((p) => cite(p)).join('; ')])));
    });
  law
    .command('instruments')
    .description('the instruments Comity knows, with their entry-into-force rules')
    .option('--json', 'machine-readable output')
    .action((options: CommonOptions) => {
      const kb = loadKnowledgeBase();
      const instruments = [...kb.instruments.values()];
      if (options.json) printJson(io, instruments);
      else io.out(table(['Id', 'Short title', 'Status', 'Rule'], instruments.map((i) => [i.id, i.shortTitle, i.status, cite(i.entryIntoForceRule.citation)])));
    });
}

function pick<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`unknown ${what} ${JSON.stringify(value)}: allowed ${allowed.join(', ')}`);
  return value as T;
}

function addIssuing(law: Command, io: Io): void {
  law
    .command('issuing')
    .description('Reg. 2023/1543 Art. 4: may this kind of authority issue (or must someone validate) this order for this data category')
    .requiredOption('--order <order>', `one of ${ORDER_KINDS.join(', ')}`)
    .requiredOption('--category <category>', `one of ${ORDER_DATA_CATEGORIES.join(', ')}`)
    .requiredOption('--authority <kind>', `one of ${AUTHORITY_KINDS.join(', ')}`)
    .option('--emergency', 'a validly established emergency (Art. 4(5))', false)
    .option('--json', 'machine-readable output')
    .action((options: { order: string; category: string; authority: string; emergency: boolean; json?: boolean }) => {
      const query = {
        order: pick(options.order, ORDER_KINDS, 'order'),
        category: pick(options.category, ORDER_DATA_CATEGORIES, 'category'),
        authority: pick(options.authority, AUTHORITY_KINDS, 'authority kind'),
        emergency: options.emergency,
      };
      const answer = mayIssue(loadKnowledgeBase().issuing, query);
      if (options.json) {
        printJson(io, { query, ...answer });
        return;
      }
      io.out(`${answer.mayIssue ? 'Yes' : 'No'}: ${answer.reason}`);
      for (const c of answer.conditions) io.out(`  condition: ${c}`);
      io.out(`  [${answer.citations.map((c) => cite(c)).join('; ')}]`);
    });
}

export function registerLaw(program: Command, io: Io): void {
  const law = program.command('law').description('the legal knowledge base and engine');
  addBases(law, io);
  addStatus(law, io);
  addParty(law, io);
  addDeadlines(law, io);
  addMatrix(law, io);
  addCatalogues(law, io);
  addIssuing(law, io);
}

/** `comity overview`: what is in force today, and where to go next. */
export function registerOverview(program: Command, io: Io): void {
  program
    .command('overview')
    .description('the instruments and their status today, and the commands to explore them')
    .option('--date <date>', 'YYYY-MM-DD (default today)')
    .option('--data <dir>', DATA_HELP)
    .action((options: CommonOptions) => {
      const date = parseDate(options.date ?? today());
      const kb = knowledgeBase(options);
      const index = new BasesFinder(kb).index;
      io.out(`Comity — legal engine overview on ${date} (participation data: ${kb.participationSource})`);
      io.out('');
      io.out(
        table(
          ['Instrument', 'Title', 'In force', 'Entry into force / applies from', 'Consents'],
          [...kb.instruments.values()].map((instrument) => {
            const status = index.instrumentStatus(instrument.id, date);
            const consents = status.threshold === null ? '-' : `${status.counted} (needs ${status.threshold})${status.unconfirmed > 0 ? ` + ${status.unconfirmed} unconfirmed` : ''}`;
            return [instrument.id, instrument.shortTitle, status.inForce ? 'yes' : 'no', status.entryIntoForce ?? (instrument.status === 'under-negotiation' ? 'under negotiation' : '-'), consents];
          }),
        ),
      );
      io.out('');
      io.out('Try: npx comity law bases --from FR --to US --measure preservation');
      io.out('     npx comity law party JP     npx comity law status UNCC     npx comity --help');
    });
}
