/**
 * @module cli/provider
 * `comity provider …`: the provider's node from the command line — `orders` lists every order
 * received with its verification (quarantined ones with their reasons), `report` prints the
 * transparency report (`--csv` for the CSV the workspace downloads, `--json`), `art28` the
 * figures of Reg. 2023/1543 Art. 28 for a year. Without `--authority`, every provider authority
 * of the node. Bad input: one line, exit 2.
 */
import type { Command } from 'commander';
import { openDatabase, resolveDbConfig } from '../db/index.js';
import { art28Statistics, listProviderOrders, transparencyCsv, transparencyReport } from '../provider/report.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

interface Common {
  authority?: string;
  json?: boolean;
}

async function withOrders<T>(options: Common, work: (orders: Awaited<ReturnType<typeof listProviderOrders>>) => T): Promise<T> {
  const handle = await openDatabase(resolveDbConfig(process.env));
  try {
    await handle.migrate();
    const providers = options.authority !== undefined ? [options.authority] : (await handle.db.selectFrom('authorities').select('id').where('kind', '=', 'service-provider').execute()).map((r) => r.id);
    if (options.authority !== undefined) {
      const found = await handle.db.selectFrom('authorities').select('kind').where('id', '=', options.authority).executeTakeFirst();
      if (found?.kind !== 'service-provider') throw new UsageError(`--authority ${options.authority}: not a service provider authority of this node`);
    }
    return work(await listProviderOrders(handle.db, providers, { limit: 100_000 }));
  } finally {
    await handle.close();
  }
}

function date(value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new UsageError(`${flag} ${value}: a date YYYY-MM-DD`);
  return value;
}

export function registerProvider(program: Command, io: Io): void {
  const provider = program.command('provider').description('the service provider’s node: verified and quarantined orders, transparency report, Art. 28 figures');

  provider
    .command('orders')
    .description('every order received, with the result of each check (signature, authority, log, emergency, replay)')
    .option('--authority <id>', 'one provider authority (default: all of this node)')
    .option('--quarantined', 'only quarantined orders')
    .option('--json', 'JSON output')
    .action(async (options: Common & { quarantined?: boolean }) => {
      await withOrders(options, (orders) => {
        const shown = options.quarantined ? orders.filter((o) => o.status === 'quarantined') : orders;
        if (options.json) return io.out(JSON.stringify(shown));
        if (shown.length === 0) return io.out('no orders');
        for (const o of shown) {
          const flags = (['signature', 'authority', 'log', 'emergency', 'replay'] as const).map((name) => `${name}:${o.checks[name].status}`).join(' ');
          io.out(`${o.receivedAt}  ${o.status.padEnd(11)} ${o.issuingParty ?? '??'} ${o.instrument ?? '?'} ${o.orderKind ?? '?'} ${o.category ?? '?'}${o.emergency ? ' EMERGENCY' : ''}  ${flags}${o.reasons.length > 0 ? `  reasons: ${o.reasons.join(', ')}` : ''}`);
        }
      });
    });

  provider
    .command('report')
    .description('transparency report: orders by State, instrument, data category and outcome; response time')
    .option('--authority <id>', 'one provider authority (default: all of this node)')
    .option('--from <date>', 'first day (YYYY-MM-DD)')
    .option('--to <date>', 'last day (YYYY-MM-DD)')
    .option('--csv', 'CSV (RFC 4180): section,key,outcome,value')
    .option('--json', 'JSON output')
    .action(async (options: Common & { from?: string; to?: string; csv?: boolean }) => {
      const from = date(options.from, '--from');
      const to = date(options.to, '--to');
      if (options.csv && options.json) throw new UsageError('choose --csv or --json, not both');
      await withOrders(options, (orders) => {
        const report = transparencyReport(orders, from, to);
        if (options.csv) return io.out(transparencyCsv(report).replace(/\r\n$/, ''));
        if (options.json) return io.out(JSON.stringify(report));
        io.out(`orders ${report.total}: answered ${report.byOutcome.answered}, refused ${report.byOutcome.refused}, pending ${report.byOutcome.pending}, quarantined ${report.byOutcome.quarantined}`);
        for (const [title, groups] of [['by State', report.byState], ['by instrument', report.byInstrument], ['by data category', report.byCategory]] as const) {
          io.out(title);
          for (const g of groups) io.out(`  ${g.key.padEnd(20)} ${String(g.total).padStart(5)}  answered ${g.answered}, refused ${g.refused}, pending ${g.pending}, quarantined ${g.quarantined}`);
        }
        if (report.byReason.length > 0) io.out(`quarantine reasons: ${report.byReason.map((r) => `${r.key} ${r.count}`).join(', ')}`);
        io.out(`response time (h): median ${report.responseHours.median ?? '-'}, p90 ${report.responseHours.p90 ?? '-'} over ${report.responseHours.count} answered`);
      });
    });

  provider
    .command('art28')
    .description('Reg. 2023/1543 Art. 28 figures for a year (list of figures UNCONFIRMED: see the citation)')
    .option('--authority <id>', 'one provider authority (default: all of this node)')
    .option('--year <year>', 'calendar year', String(new Date().getUTCFullYear()))
    .option('--json', 'JSON output')
    .action(async (options: Common & { year: string }) => {
      const year = Number(options.year);
      if (!/^\d{4}$/.test(options.year) || year < 2026) throw new UsageError(`--year ${options.year}: a year from 2026 (the Regulation applies from 18 August 2026)`);
      await withOrders(options, (orders) => {
        const stats = art28Statistics(orders, year);
        if (options.json) return io.out(JSON.stringify(stats));
        io.out(`Reg. 2023/1543 Art. 28, ${year} — ${stats.citation.verified ? 'verified' : 'UNVERIFIED'} (${stats.citation.source})`);
        for (const f of stats.figures) io.out(`- ${f.text}: ${f.value === null ? 'not recorded here' : JSON.stringify(f.value)}${f.note ? ` (${f.note})` : ''}`);
      });
    });
}
