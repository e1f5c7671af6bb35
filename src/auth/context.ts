/**
 * @module auth/context
 * What every account and authentication use case runs with: the database, a clock and an id
 * generator (ports, so tests fix time), how transactions are run (directly, or grouped into one
 * commit by a group committer, as for cases), and the secret box that seals TOTP secrets.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { createUuidv7Generator } from '../db/index.js';
import type { TransactionRunner } from '../cases/context.js';
import type { SecretBox } from './secrets.js';

export interface AuthContext {
  readonly db: Kysely<Database>;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Work items must use only the transaction they are given (see `db/group-commit`). */
  readonly transaction: TransactionRunner;
  readonly secretBox: SecretBox;
}

export function createAuthContext(
  db: Kysely<Database>,
  secretBox: SecretBox,
  options: { now?: () => Date; newId?: () => string; transaction?: TransactionRunner } = {},
): AuthContext {
  const ids = createUuidv7Generator();
  const now = options.now ?? (() => new Date());
  return {
    db,
    now,
    newId: options.newId ?? (() => ids(now().getTime())),
    transaction: options.transaction ?? ((work) => db.transaction().execute(work)),
    secretBox,
  };
}
