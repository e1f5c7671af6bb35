/**
 * @module cli/errors
 * How the CLI reports failure: one short line on stderr and exit code 2 for anything the user
 * can fix (bad input, bad data file); never a stack trace.
 */
import { OidcConfigError } from '../auth/oidc.js';
import { CaseError } from '../cases/errors.js';
import { ClockError } from '../clock/index.js';
import { DbConfigError } from '../db/index.js';
import { ConfigError } from '../http/config.js';
import { ExchangeError } from '../exchange/errors.js';
import { EvidenceError } from '../evidence/errors.js';
import { DataError, LawInputError } from '../law/index.js';
import { LedgerError } from '../ledger/errors.js';
import { MasterKeyError } from '../keys/master-key.js';
import { FileModeError } from '../ops/file-modes.js';

/** Exit code for bad input or bad data. */
export const EXIT_USAGE = 2;
/** Exit code for an unexpected failure (a bug): still one line, no stack trace. */
export const EXIT_FAILURE = 1;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The one line to print and the exit code for an error thrown by a command. */
export function describeError(error: unknown): { line: string; code: number } {
  if (error instanceof UsageError || error instanceof LawInputError || error instanceof ClockError || error instanceof MasterKeyError || error instanceof FileModeError) {
    return { line: `comity: ${oneLine(error.message)}`, code: EXIT_USAGE };
  }
  if (error instanceof CaseError) {
    const issues = error.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    return { line: `comity: ${error.code}: ${oneLine(error.message)}${issues ? ` — ${oneLine(issues)}` : ''}`, code: EXIT_USAGE };
  }
  if (error instanceof LedgerError) return { line: `comity: ${error.code}: ${oneLine(error.message)}`, code: error.code === 'inconsistent-checkpoint' ? EXIT_FAILURE : EXIT_USAGE };
  if (error instanceof Error && error.name === 'LedgerCheckFailed') return { line: `comity: ${oneLine(error.message)}`, code: EXIT_FAILURE };
  if (error instanceof ExchangeError) return { line: `comity: ${oneLine(error.message)}`, code: EXIT_USAGE };
  // A bundle that does not verify: the report was printed; one line and exit 1.
  if (error instanceof Error && error.name === 'NotVerified') return { line: `comity: ${oneLine(error.message)}`, code: EXIT_FAILURE };
  if (error instanceof EvidenceError) {
    const issues = error.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    return { line: `comity: ${error.code}: ${oneLine(error.message)}${issues ? ` — ${oneLine(issues)}` : ''}`, code: error.code === 'integrity' ? EXIT_FAILURE : EXIT_USAGE };
  }
  if (error instanceof ConfigError || error instanceof OidcConfigError) return { line: `comity: ${oneLine(error.message)}`, code: EXIT_USAGE };
  if (error instanceof DbConfigError) return { line: `comity: database configuration: ${oneLine(error.message)}`, code: EXIT_USAGE };
  if (error instanceof DataError) return { line: `comity: bad data file: ${oneLine(error.message)}`, code: EXIT_USAGE };
  // A file named on the command line that cannot be opened — to read or to write (`--out`).
  if (isNodeError(error) && (error.code === 'ENOENT' || error.code === 'EACCES')) {
    return { line: `comity: ${JSON.stringify(error.path ?? '')}: ${error.code === 'ENOENT' ? 'no such file or directory' : 'permission denied'} (${error.code})`, code: EXIT_USAGE };
  }
  // The machine's or the network's refusals (a port taken, a database down, a name that does not
  // resolve) and the database's own: what the operator can act on, not "internal".
  if (isNodeError(error) && error.syscall === 'listen') {
    const { address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    return { line: `comity: cannot listen on ${address ?? 'the address'}${port === undefined ? '' : `:${port}`}: ${error.code} (see COMITY_HOST and COMITY_PORT)`, code: EXIT_FAILURE };
  }
  if (isNodeError(error) && (error.syscall === 'connect' || error.syscall === 'getaddrinfo')) return { line: `comity: cannot connect: ${oneLine(error.message)}`, code: EXIT_FAILURE };
  // PostgreSQL's own refusals (pg's DatabaseError: a severity and a five-character SQLSTATE).
  if (isNodeError(error) && 'severity' in error && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code)) {
    return { line: `comity: the database refused: ${oneLine(error.message)} (SQLSTATE ${error.code})`, code: EXIT_FAILURE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `comity: internal error: ${oneLine(message)}`, code: EXIT_FAILURE };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
