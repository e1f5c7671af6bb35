/**
 * @module cli/serve
 * `comity serve` (the server and web workspace) and `comity totp` (a current TOTP code for a
 * secret — for the demo logins and for testing).
 */
import type { Command } from 'commander';
import { base32Decode, totpCode } from '../auth/index.js';
import { ConfigError, SETTINGS } from '../http/config.js';
import { startServer } from '../server.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

export function registerServe(program: Command, io: Io): void {
  const settings = SETTINGS.map(([name, fallback, text]) => `  ${name}\n      ${text} (default: ${fallback})`).join('\n');
  program
    .command('serve')
    .description('start the HTTP API and web workspace')
    .option('--demo', 'seed the demo deployment into an empty database (same as COMITY_DEMO=true)')
    .addHelpText('after', `\nConfiguration (environment variables, or a JSON file named by COMITY_CONFIG_FILE):\n${settings}`)
    .action(async (options: { demo?: boolean }) => {
      const env = { ...process.env, ...(options.demo ? { COMITY_DEMO: 'true' } : {}) };
      let server;
      try {
        server = await startServer(env, { print: (line) => io.out(line) });
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          io.out(`${signal}: finishing in-flight requests and shutting down`);
          void server.close().then(resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });

  program
    .command('demo')
    .description('the federation demo: four nodes (France, United States, an Irish provider, the Irish enforcing authority), each its own process, database and keys, over HTTP on loopback (npm start)')
    .action(async () => {
      const { runDemoFederation } = await import('../demo/federation.js');
      await runDemoFederation(io);
    });

  program
    .command('totp')
    .description('print the current TOTP code for a base32 secret')
    .argument('<secret>', 'base32 secret, e.g. from the demo logins')
    .action((secret: string) => {
      let key: Buffer;
      try {
        key = base32Decode(secret);
      } catch {
        throw new UsageError(`invalid TOTP secret ${JSON.stringify(secret)}: expected base32 (A-Z, 2-7)`);
      }
      if (key.length < 10) throw new UsageError('invalid TOTP secret: too short');
      io.out(totpCode(key, new Date()));
    });
}
