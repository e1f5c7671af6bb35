/**
 * @module cli/evidence
 * `comity evidence …`: evidence from the command line on the node's own database and store
 * (the same use cases as the API). `add` streams each file into the store — hashed, sealed and
 * recorded with its custody — with a progress bar (rate and time left) on stderr.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { createSecretBox, loadMasterKey } from '../auth/index.js';
import { createCaseContext, type Actor } from '../cases/index.js';
import { openDatabase, resolveDataDir, resolveDbConfig } from '../db/index.js';
import { addEvidence, checkCaseEvidence, createEvidenceContext, DATA_CATEGORIES, EvidenceError, listCustody, listEvidence, migrateAttachments, requireCase, type EvidenceContext } from '../evidence/index.js';
import { exportBundle } from '../evidence/bundle.js';
import { s3BlobStoreFromEnv } from '../evidence/s3-blob-store.js';
import { createDbKeyStore } from '../keys/index.js';
import { loadKnowledgeBase } from '../law/index.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { formatBytes, progressBar } from './progress.js';
import { table } from './table.js';

/** Opens the node's database, keys and blob store, runs `work`, and always closes. */
export async function withEvidence<T>(work: (ev: EvidenceContext) => Promise<T>): Promise<T> {
  // The store's settings first: a bad one stops the command before the database is opened.
  const s3 = await s3BlobStoreFromEnv(process.env);
  const handle = await openDatabase(resolveDbConfig(process.env));
  try {
    await handle.migrate();
    const dataDir = resolveDataDir(process.env);
    const secretBox = createSecretBox(loadMasterKey(process.env, dataDir));
    const ev = await createEvidenceContext({ cases: createCaseContext(handle.db, loadKnowledgeBase()), keys: createDbKeyStore(handle.db, secretBox), dataDir, ...(s3 ? { blobs: s3 } : {}) });
    return await work(ev);
  } finally {
    await handle.close();
  }
}

function actorOf(options: { as?: string; authority?: string }): Actor {
  return { id: options.as ?? `cli:${userInfo().username}`, authorityId: options.authority ?? null };
}

interface AddOptions {
  as?: string;
  authority?: string;
  category: string;
  producer: string;
  description?: string;
  producedAt?: string;
  json?: boolean;
  progress: boolean;
}

export function registerEvidence(program: Command, io: Io): void {
  const evidence = program.command('evidence').description('evidence of any size: add (streamed, hashed, sealed), list, custody, export');

  evidence
    .command('add')
    .description('add files to a case as evidence (the requested side; the case accepted or executed)')
    .argument('<case>', 'case id')
    .argument('<files...>', 'files to add (any size)')
    .requiredOption('--producer <name>', 'producing authority or provider')
    .option('--category <category>', `data category: ${DATA_CATEGORIES.join(', ')}`, 'content')
    .option('--description <text>', 'what the files are')
    .option('--produced-at <iso>', 'when the producer extracted the data (ISO 8601 with offset)')
    .option('--authority <id>', 'act for this authority (signs custody with its key); default: the node')
    .option('--as <actor>', 'actor recorded in custody and audit (default cli:<user>)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'machine-readable output')
    .action(async (caseId: string, files: string[], options: AddOptions) => {
      if (!(DATA_CATEGORIES as readonly string[]).includes(options.category)) throw new UsageError(`unknown category ${JSON.stringify(options.category)}: allowed ${DATA_CATEGORIES.join(', ')}`);
      // Every file is checked before the first is stored: bad input changes nothing.
      const sizes: number[] = [];
      for (const file of files) {
        const found = await stat(file).catch(() => null);
        if (found === null || !found.isFile()) throw new UsageError(`cannot read ${JSON.stringify(file)}: not a file`);
        sizes.push(found.size);
      }
      const items = await withEvidence(async (ev) => {
        const added = [];
        for (const [i, file] of files.entries()) {
          const size = sizes[i] as number;
          const bar = progressBar(basename(file), size);
          let done = 0;
          const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
          if (options.progress) {
            source.on('data', (chunk) => {
              done += chunk.length;
              bar.update(done);
            });
          }
          const metadata = {
            name: basename(file),
            length: size,
            dataCategory: options.category,
            producer: options.producer,
            ...(options.description ? { description: options.description } : {}),
            ...(options.producedAt ? { producedAt: options.producedAt } : {}),
          };
          const item = await addEvidence(ev, actorOf(options), caseId, metadata, source);
          if (options.progress) bar.finish();
          added.push(item);
          if (!options.json) io.out(`${item.sha256}  ${item.name ?? ''}  (${formatBytes(item.size)}, ${item.mediaType}, item ${item.id})`);
        }
        return added;
      });
      if (options.json) io.out(JSON.stringify(items, null, 2));
    });

  evidence
    .command('export')
    .description('write the evidence bundle of a case (ZIP: ASiC-E layout, BagIt, custody, VERIFY.txt); the export is recorded in the chain')
    .argument('<case>', 'case id')
    .requiredOption('--out <file.zip>', 'where to write the bundle (must not exist)')
    .option('--items <ids>', 'only these item ids, comma-separated (a partial export)')
    .option('--purpose <text>', 'why (recorded with the export, e.g. "disclosure to the defence")')
    .option('--disclose-to <recipient>', 'the bundle is handed to this recipient (e.g. the defence): recorded as "disclosed"')
    .option('--authority <id>', 'act for this authority (signs custody with its key); default: the node')
    .option('--as <actor>', 'actor recorded in custody (default cli:<user>)')
    .option('--json', 'machine-readable output')
    .action(async (caseId: string, options: { out: string; items?: string; purpose?: string; discloseTo?: string; authority?: string; as?: string; json?: boolean }) => {
      if (!options.out.endsWith('.zip')) throw new UsageError('--out must name a .zip file');
      if (await stat(options.out).catch(() => null)) throw new UsageError(`${options.out} exists: choose another name`);
      const items = options.items?.split(',').map((s) => s.trim()).filter(Boolean);
      const temp = `${options.out}.${process.pid}.partial`;
      const result = await withEvidence(async (ev) => {
        try {
          const written = await exportBundle(ev, actorOf(options), caseId, createWriteStream(temp, { flags: 'wx', mode: 0o600 }), { ...(items ? { items } : {}), ...(options.purpose ? { purpose: options.purpose } : {}), ...(options.discloseTo ? { disclosedTo: options.discloseTo } : {}) });
          await rename(temp, options.out);
          return written;
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
      });
      if (options.json) io.out(JSON.stringify({ file: options.out, ...result }, null, 2));
      else io.out(`${result.sha256}  ${options.out}  (${formatBytes(result.bytes)}, ${result.items.length} item(s))`);
    });

  evidence
    .command('migrate-attachments')
    .description('move the attachments of release 0.1 into the evidence store (sealed, with a signed "received" event); runs once per attachment')
    .option('--case <id>', 'only this case')
    .option('--json', 'machine-readable output')
    .action(async (options: { case?: string; json?: boolean }) => {
      if (options.case !== undefined && !/^[0-9A-Za-z-]{1,64}$/.test(options.case)) throw new UsageError(`--case ${JSON.stringify(options.case)} is not a case id`);
      const moves = await withEvidence(async (ev) => {
        if (options.case !== undefined && (await ev.cases.db.selectFrom('cases').select('id').where('id', '=', options.case).executeTakeFirst()) === undefined) throw new UsageError(`no case ${options.case}`);
        return migrateAttachments(ev, options.case ? { caseId: options.case } : {});
      });
      if (options.json) io.out(JSON.stringify(moves, null, 2));
      else {
        for (const m of moves) io.out(m.itemId ? `moved attachment ${m.attachmentId} of case ${m.caseId} → evidence item ${m.itemId}` : `NOT moved: attachment ${m.attachmentId} of case ${m.caseId}: ${m.problem ?? '?'}`);
        io.out(`${moves.filter((m) => m.itemId).length} attachment(s) moved, ${moves.filter((m) => !m.itemId).length} not moved`);
      }
    });

  evidence
    .command('verifier-page')
    .description('write the single-file offline verifier page (open it in a browser, drop a bundle)')
    .requiredOption('--out <file.html>', 'where to write it (must not exist)')
    .action(async (options: { out: string }) => {
      if (await stat(options.out).catch(() => null)) throw new UsageError(`${options.out} exists: choose another name`);
      await copyFile(new URL('../../verifier/verifier.html', import.meta.url), options.out);
      io.out(`wrote ${options.out}`);
    });

  evidence
    .command('list')
    .description('evidence items of a case')
    .argument('<case>', 'case id')
    .option('--json', 'machine-readable output')
    .action(async (caseId: string, options: { json?: boolean }) => {
      const items = await withEvidence(async (ev) => {
        await requireCase(ev, caseId);
        return listEvidence(ev, caseId);
      });
      if (options.json) return io.out(JSON.stringify(items, null, 2));
      io.out(table(['SHA-256', 'Name', 'Size', 'Type', 'Received', 'Id'], items.map((i) => [i.sha256, i.name ?? '(deleted)', String(i.size), i.mediaType, i.receivedAt, i.id])));
    });

  evidence
    .command('check')
    .description('check the stored evidence of a case against its signed chain of custody (exit 1 on any problem)')
    .argument('<case>', 'case id')
    .option('--deep', 'also decrypt every blob and compare its digest')
    .action(async (caseId: string, options: { deep?: boolean }) => {
      const problems = await withEvidence((ev) => checkCaseEvidence(ev, caseId, { deep: options.deep ?? false }));
      for (const p of problems) io.out(`FAIL ${p.where}: ${p.problem}`);
      if (problems.length > 0) throw new EvidenceError('integrity', `${problems.length} problem(s) in the evidence of case ${caseId}`);
      io.out(`OK: the evidence of case ${caseId} agrees with its signed chain of custody${options.deep ? ', and every blob with its digest' : ''}`);
    });

  evidence
    .command('custody')
    .description('the chain of custody of a case, oldest first')
    .argument('<case>', 'case id')
    .option('--json', 'machine-readable output (with the signed lines)')
    .action(async (caseId: string, options: { json?: boolean }) => {
      const records = await withEvidence(async (ev) => {
        await requireCase(ev, caseId);
        return listCustody(ev.cases.db, caseId);
      });
      if (options.json) return io.out(JSON.stringify(records, null, 2));
      io.out(table(['#', 'Event', 'At', 'By', 'Authority', 'Item'], records.map((r) => [String(r.seq), r.event, r.at, r.actorName, r.authorityName ?? '(node)', r.itemId ?? ''])));
    });
}
