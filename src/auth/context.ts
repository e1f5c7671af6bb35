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
  /** Where security alerts go (a burst of failed sign-ins): the server logs and counts them. */
  readonly alerts: AlertSink;
}

/** Something an administrator should hear about at once. No secret, no e-mail address. */
export interface SecurityAlert {
  kind: 'sign-in-failure-burst';
  userId: string;
  authorityId: string | null;
  failedAttempts: number;
  at: string;
}

export interface AlertSink {
  emit(alert: SecurityAlert): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (alert: SecurityAlert) => void): () => void;
}

export function createAlertSink(): AlertSink {
  const listeners = new Set<(alert: SecurityAlert) => void>();
  return {
    emit(alert) {
      for (const listener of listeners) listener(alert);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
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
    alerts: createAlertSink(),
  };
}
