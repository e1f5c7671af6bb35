/**
 * @module http/deps
 * What the HTTP layer is built from: configuration, the legal engine, the case and account use
 * cases, and the database handle (for readiness).
 */
import type { AuthContext, OidcClient } from '../auth/index.js';
import type { CaseContext } from '../cases/index.js';
import type { DatabaseHandle } from '../db/index.js';
import type { TransferSettings } from '../exchange/evidence-transfer.js';
import type { ExchangeRuntime } from '../exchange/runtime.js';
import type { Witnessing } from '../exchange/witnessing.js';
import type { KeyStore } from '../keys/index.js';
import type { EvidenceContext } from '../evidence/index.js';
import type { BasesFinder, KnowledgeBase } from '../law/index.js';
import type { Ledger } from '../ledger/index.js';

export interface HttpConfig {
  host: string;
  port: number;
  /** The URL users open, printed at start and used for OIDC redirects. */
  publicUrl: string;
  logLevel: string;
  bodyLimitBytes: number;
  /** A request body must bring at least this many bytes per second over each window of `bodyRateWindowMs`, or its connection is closed (http/slow-body.ts); 0: no check. */
  bodyMinBytesPerSecond: number;
  bodyRateWindowMs: number;
  /** Trust X-Forwarded-* from a reverse proxy. */
  trustProxy: boolean;
  /** Set the Secure flag on cookies and send HSTS (on by default; off only for plain-HTTP local demos). */
  secureCookies: boolean;
  rateLimitPerMinute: number;
  loginRateLimitPerMinute: number;
  /** Requests per minute per client on costly public routes (policy `cost: 'costly'`). */
  costlyRateLimitPerMinute: number;
  /** Failed credentials (password, code, token) an address may send before progressive delays (`address-throttle.ts`). */
  failedCredentialsPerAddress: number;
  /** Bearer token of the metrics scraper; null: GET /metrics answers 404. */
  metricsToken: string | null;
}

export interface AppDeps {
  config: HttpConfig;
  kb: KnowledgeBase;
  finder: BasesFinder;
  cases: CaseContext;
  /** Evidence store, custody and bundles (see `evidence/`). */
  evidence: EvidenceContext;
  auth: AuthContext;
  database: Pick<DatabaseHandle, 'ready' | 'kind'>;
  oidc: OidcClient | null;
  /** The node's transparency log (src/ledger); without it the ledger routes answer 404. */
  ledger?: Ledger;
  /** The federation node (absent when this server is not one: its exchange routes answer 404). */
  exchange?: { runtime: ExchangeRuntime; keys: KeyStore; witnessing?: Witnessing; transfers?: TransferSettings };
  /** Notifications (src/notifications): dispatched soon after each case event when set. */
  notifications?: { kick(): void };
  /** Whether an SMTP server is configured (e-mail notifications offered). */
  mailConfigured?: boolean;
  /** false: no logging (tests). */
  logger?: false;
}
