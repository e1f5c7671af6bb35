/**
 * @module cli/verify
 * `comity verify FILE.zip`: checks an evidence bundle offline; `comity verify FILE --signature
 * FILE.p7s` checks a detached CAdES signature (an e-Evidence order certificate) — no database, no server, no
 * configuration. Exit 0 only when every check holds; 1 when the bundle fails (the first failing
 * check is named); 2 for bad usage (no such file).
 */
import { readFile, stat } from 'node:fs/promises';
import { verifyCades } from '../evidence/asic.js';
import type { Command } from 'commander';
import { fileSource, formatReport, verifyBundle } from '../evidence/bundle-verify.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

/** Exit code of a bundle that does not verify. */
export const EXIT_NOT_VERIFIED = 1;

export class NotVerified extends Error {
  override name = 'NotVerified';
}

export function registerVerify(program: Command, io: Io): void {
  program
    .command('verify')
    .description('verify an evidence bundle offline: digests, signatures, chain of custody, receipt (exit 0 only if all hold)')
    .argument('<bundle.zip>', 'the bundle (or, with --signature, a signed document such as an order certificate PDF)')
    .option('--json', 'the report as JSON')
    .option('--signature <file.p7s>', 'check FILE against this detached CAdES signature (an e-Evidence order certificate and its .p7s)')
    .action(async (file: string, options: { json?: boolean; signature?: string }) => {
      const found = await stat(file).catch(() => null);
      if (found === null || !found.isFile()) throw new UsageError(`cannot read ${JSON.stringify(file)}: not a file`);
      if (options.signature !== undefined) {
        const p7s = await readFile(options.signature).catch(() => null);
        if (p7s === null) throw new UsageError(`cannot read ${JSON.stringify(options.signature)}: not a file`);
        const check = verifyCades(p7s, await readFile(file));
        io.out(options.json ? JSON.stringify(check, null, 2) : `${check.ok ? 'OK' : 'FAILED'}  ${check.detail}`);
        if (!check.ok) throw new NotVerified(`${file} does not verify against ${options.signature}: ${check.detail}`);
        return;
      }
      const source = await fileSource(file);
      try {
        const report = await verifyBundle(source);
        io.out(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
        if (!report.ok) throw new NotVerified(`${file} does not verify: ${report.firstFailure?.check ?? '?'}: ${report.firstFailure?.detail ?? ''}`);
      } finally {
        await source.close();
      }
    });
}
