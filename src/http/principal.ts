/**
 * @module http/principal
 * Who is calling: a signed-in user (session cookie) or a machine client (API token), with the
 * authority they act for, their roles and — for tokens — the scopes the token was given.
 */
import type { ApiScope, Role } from '../auth/index.js';

export interface Principal {
  userId: string;
  /** Recorded as actor in history and audit: `user:<id>` or `token:<id>`. */
  actor: string;
  /** Null: a platform administrator who acts for no authority (and sees no case content). */
  authorityId: string | null;
  roles: readonly Role[];
  via: 'session' | 'token';
  /** Sessions: second factor confirmed (or not required). Tokens: always true. */
  mfaPassed: boolean;
  /** Tokens only; sessions have every scope their roles allow. */
  scopes: readonly ApiScope[] | null;
  sessionId: string | null;
}
