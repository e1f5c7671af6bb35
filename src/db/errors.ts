/**
 * @module db/errors
 * Errors thrown by the storage layer. Messages are one line (values are JSON-quoted) and never
 * contain a database password: URLs are reported by scheme only.
 */

/** What was wrong with the database configuration. */
export type DbConfigErrorCode = 'invalid-url' | 'unsupported-scheme' | 'invalid-setting';

/** Thrown by {@link resolveDbConfig} (and `openDatabase`) for an unusable configuration. */
export class DbConfigError extends Error {
  override readonly name = 'DbConfigError';
  readonly code: DbConfigErrorCode;

  constructor(code: DbConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Thrown by `migrate()` when a migration fails; `migration` names it when Kysely reports it. */
export class DbMigrationError extends Error {
  override readonly name = 'DbMigrationError';
  readonly migration: string | undefined;

  constructor(message: string, migration: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.migration = migration;
  }
}

/** The first line of an error's message, for one-line reports (readiness, CLI). */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split(/\r?\n/, 1)[0] ?? '';
}
