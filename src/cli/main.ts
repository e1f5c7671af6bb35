/**
 * @module cli/main
 * The `comity` command. Bad input prints one line on stderr and exits 2; nothing else is
 * printed and nothing is written. Help goes to stdout with exit 0.
 */
import { Command, CommanderError } from 'commander';
import { applyConfigFile } from '../http/config.js';
import { registerCases } from './cases.js';
import { describeError } from './errors.js';
import { registerExchange } from './exchange.js';
import { registerEvidence } from './evidence.js';
import { processIo, type Io } from './io.js';
import { registerLaw, registerOverview } from './law.js';
import { registerServe } from './serve.js';
import { registerLedger } from './ledger.js';
import { registerProvider } from './provider.js';
import { registerVerify } from './verify.js';
import { registerOps } from './ops.js';

export function buildProgram(io: Io): Command {
  const program = new Command('comity')
    .description('Comity: cross-border co-operation on electronic evidence against cybercrime')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
      // Commander's own error text is replaced by our one-line form in main().
      outputError: () => undefined,
    })
    .showSuggestionAfterError(false)
    // A config file (COMITY_CONFIG_FILE) holds settings for every command, not only `serve`.
    .hook('preAction', () => applyConfigFile());
  registerOverview(program, io);
  registerLaw(program, io);
  registerCases(program, io);
  registerLedger(program, io);
  registerProvider(program, io);
  registerEvidence(program, io);
  registerVerify(program, io);
  registerServe(program, io);
  registerOps(program, io);
  registerExchange(program, io);
  return program;
}

/** Runs the CLI on `argv` (process.argv form) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0;
      if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') return error.exitCode;
      io.err(`comity: ${error.message.replace(/^error: /, '')}`);
      return 2;
    }
    const { line, code } = describeError(error);
    io.err(line);
    return code;
  }
}
