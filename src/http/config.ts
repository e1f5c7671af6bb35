/**
 * @module http/config
 * Server configuration from environment variables and an optional JSON file
 * (`COMITY_CONFIG_FILE`); the environment wins. Every setting is documented in the README and
 * listed by `comity serve --help`. A bad value stops the server with one line naming it.
 */
import { readFileSync } from 'node:fs';
import type { HttpConfig } from './deps.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Name, default and description of every server setting: `comity serve --help` lists them, the
 * README's table must list the same (test/http/settings.test.ts), and a config file may hold only
 * these names.
 */
export const SETTINGS = [
  ['COMITY_HOST', '127.0.0.1', 'interface to listen on'],
  ['COMITY_PORT', '8080', 'TCP port'],
  ['COMITY_PUBLIC_URL', 'http://localhost:<port>', 'URL users open; printed at start, used for OIDC redirects'],
  ['COMITY_LOG_LEVEL', 'info', 'pino log level: fatal, error, warn, info, debug, trace, silent'],
  ['COMITY_BODY_LIMIT', '1048576', 'largest request body in bytes'],
  ['COMITY_BODY_MIN_RATE', '500', 'bytes per second a request body must average over each window, or its connection is closed (0: no check)'],
  ['COMITY_BODY_RATE_WINDOW_MS', '20000', 'that window, in milliseconds'],
  ['COMITY_TRUST_PROXY', 'false', 'trust X-Forwarded-* headers from a reverse proxy'],
  ['COMITY_SECURE_COOKIES', 'true', 'Secure flag on cookies and HSTS (browsers accept Secure cookies on http://localhost)'],
  ['COMITY_RATE_LIMIT', '600', 'requests per minute per user (all their sessions and tokens together) or, signed out, per address'],
  ['COMITY_LOGIN_RATE_LIMIT', '10', 'sign-in attempts per minute per address'],
  ['COMITY_COSTLY_RATE_LIMIT', '30', 'requests per minute per client on costly public routes (/api/law/matrix)'],
  ['COMITY_FAILED_CREDENTIALS_PER_ADDRESS', '10', 'failed passwords, codes or API tokens from one address (per 15 minutes) before each further one doubles its wait'],
  ['COMITY_METRICS_TOKEN', '(off)', 'bearer token a Prometheus scraper presents for /metrics (at least 32 characters); unset: /metrics answers 404'],
  ['COMITY_DEMO', 'false', 'seed the demo deployment into an empty database (npm start sets it)'],
  ['COMITY_SCHEDULER_INTERVAL_MS', '30000', 'how often overdue clocks are escalated'],
  ['COMITY_DATA_DIR', './.comity', 'folder of the embedded SQLite database and blobs (owner-only; never holds a key)'],
  ['DATABASE_URL', '(embedded SQLite)', 'postgres://… selects PostgreSQL'],
  ['DATABASE_POOL_MAX', '10', 'PostgreSQL pool size'],
  ['COMITY_SQLITE_SYNC', 'normal', 'SQLite synchronous: normal (durable against process crashes in WAL mode) or full'],
  ['COMITY_MASTER_KEY_FILE', '(none; demo: <data dir>-keys/master.key)', 'owner-only file outside the data dir holding the master key that seals secrets at rest (created on first start)'],
  ['COMITY_SECRET_KEY', '(none)', 'the master key itself (hex or base64), instead of a file'],
  ['COMITY_MASTER_PASSPHRASE', '(none)', 'a passphrase the master key is derived from (scrypt), instead of a file'],
  ['COMITY_OIDC_ISSUER', '(off)', 'optional OpenID Connect sign-in: the issuer URL (with the three settings below, all or none)'],
  ['COMITY_OIDC_CLIENT_ID', '(none)', 'OpenID Connect client id'],
  ['COMITY_OIDC_CLIENT_SECRET', '(none)', 'OpenID Connect client secret'],
  ['COMITY_OIDC_REDIRECT_URI', '(none)', 'OpenID Connect redirect URI, <public URL>/api/auth/oidc/callback'],
  ['COMITY_SMTP_URL', '(off: notifications in the workspace only)', 'e-mail notifications through smtp://host:587 or smtps://user:password@host:465'],
  ['COMITY_MAIL_FROM', 'comity@<host of the public URL>', 'sender address of notification e-mails'],
  ['COMITY_LOG_ORIGIN', 'comity.<node id>/log, else comity.<host name>/log', 'name (origin) of the transparency log; change it only to start a new log'],
  ['COMITY_LEDGER_CHECKPOINT_SECONDS', '60', 'seconds between signed checkpoints of the transparency log (1 to 86400)'],
  ['COMITY_UPLOAD_EXPIRY_HOURS', '24', 'hours an incomplete evidence upload is kept after its last bytes (1 to 8760)'],
  ['COMITY_S3_BUCKET', '(off: evidence in the data directory)', 'S3-compatible bucket for evidence blobs; the other COMITY_S3_ settings need it'],
  ['COMITY_S3_ENDPOINT', '(AWS)', 'endpoint URL of an S3-compatible service (MinIO, Ceph, …)'],
  ['COMITY_S3_REGION', 'us-east-1', 'region of the bucket'],
  ['COMITY_S3_PREFIX', '(none)', 'key prefix inside the bucket'],
  ['COMITY_S3_ACCESS_KEY_ID', "(the AWS SDK's default credentials)", 'access key id'],
  ['COMITY_S3_SECRET_ACCESS_KEY', "(the AWS SDK's default credentials)", 'secret access key'],
  ['COMITY_S3_OBJECT_LOCK', '(off)', 'COMPLIANCE or GOVERNANCE: every object is written with Object Lock retention (the bucket must have Object Lock enabled); needs COMITY_S3_RETAIN_DAYS'],
  ['COMITY_S3_RETAIN_DAYS', '(none)', "days an object stays locked when its case has no retention date (1 to 36500); only with COMITY_S3_OBJECT_LOCK"],
  ['COMITY_NODE_ID', '(not a federation node)', 'node id "CC:identifier" (ETSI TS 103 120); with _ENDPOINT and _HOST makes this server a federation node'],
  ['COMITY_NODE_ENDPOINT', 'COMITY_PUBLIC_URL', 'URL peers deliver messages to'],
  ['COMITY_NODE_HOST', '(none)', 'comma-separated ids of the authorities this node hosts'],
  ['COMITY_PEER_FILES', '(none)', 'comma-separated peer agreement files imported at start (as comity peers add)'],
  ['COMITY_PEER_DIR', '(none)', 'a folder the operator controls: this node writes its agreement there and imports new agreements found in it (every 2 s)'],
  ['COMITY_TRANSFER_CHUNK_BYTES', '1048576', 'chunk size of the evidence this node sends to peers (4096 to 16777216 bytes)'],
  ['COMITY_TRANSFER_EXPIRY_HOURS', '720', 'hours the encrypted chunks of evidence sent to a peer are kept when the peer never confirms the transfer (deleted at once when it does)'],
  ['COMITY_CONFIG_FILE', '(none)', 'JSON file with any of these settings; the environment overrides it'],
] as const;

/** The names a config file may hold. */
const KNOWN_SETTINGS: ReadonlySet<string> = new Set(SETTINGS.map(([name]) => name).filter((name) => name !== 'COMITY_CONFIG_FILE'));

type Env = Readonly<Record<string, string | undefined>>;

/** Merges the optional config file under the environment. */
export function effectiveEnv(env: Env): Env {
  const file = env.COMITY_CONFIG_FILE;
  if (!file) return env;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`COMITY_CONFIG_FILE ${JSON.stringify(file)}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('COMITY_CONFIG_FILE must hold a JSON object of settings');
  const fromFile: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    // A mistyped name would otherwise be ignored without a word (and a secret meant for it unused).
    if (!KNOWN_SETTINGS.has(key)) throw new ConfigError(`COMITY_CONFIG_FILE: unknown setting ${JSON.stringify(key)} (comity serve --help lists the settings)`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new ConfigError(`COMITY_CONFIG_FILE: ${key} must be a string, number or boolean`);
    fromFile[key] = String(value);
  }
  return { ...fromFile, ...env };
}

/**
 * Fills `env` (the process's environment, by default) with the config file's settings that the
 * environment does not set, once at the start of a command: every part of Comity then reads the
 * same settings, the server's and the other commands' alike.
 */
export function applyConfigFile(env: NodeJS.ProcessEnv = process.env): void {
  for (const [key, value] of Object.entries(effectiveEnv(env))) if (env[key] === undefined && value !== undefined) env[key] = value;
}

/** A whole-number setting from `min` to `max`, `fallback` when unset or empty; anything else stops the start, naming it. */
export function intSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
  return Number(raw);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name}=${JSON.stringify(raw)}: expected true or false`);
}

function metricsToken(env: Env): string | null {
  const raw = env.COMITY_METRICS_TOKEN;
  if (raw === undefined || raw === '') return null;
  if (!/^[\x21-\x7e]{32,500}$/.test(raw)) throw new ConfigError('COMITY_METRICS_TOKEN: expected 32 to 500 visible ASCII characters (e.g. openssl rand -hex 32)');
  return raw;
}

export interface ServerConfig {
  http: HttpConfig;
  demo: boolean;
  schedulerIntervalMs: number;
}

export function loadServerConfig(rawEnv: Env): ServerConfig {
  const env = effectiveEnv(rawEnv);
  const port = intSetting(env, 'COMITY_PORT', 8080, 0, 65535);
  const host = env.COMITY_HOST || '127.0.0.1';
  const logLevel = env.COMITY_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError(`COMITY_LOG_LEVEL=${JSON.stringify(logLevel)}: expected fatal, error, warn, info, debug, trace or silent`);
  const publicUrl = env.COMITY_PUBLIC_URL || `http://localhost:${port}`;
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`COMITY_PUBLIC_URL=${JSON.stringify(publicUrl)}: expected a URL`);
  }
  return {
    http: {
      host,
      port,
      publicUrl,
      logLevel,
      bodyLimitBytes: intSetting(env, 'COMITY_BODY_LIMIT', 1_048_576, 1024, 100 * 1_048_576),
      bodyMinBytesPerSecond: intSetting(env, 'COMITY_BODY_MIN_RATE', 500, 0, 1_000_000_000),
      bodyRateWindowMs: intSetting(env, 'COMITY_BODY_RATE_WINDOW_MS', 20_000, 100, 600_000),
      trustProxy: bool(env, 'COMITY_TRUST_PROXY', false),
      secureCookies: bool(env, 'COMITY_SECURE_COOKIES', true),
      rateLimitPerMinute: intSetting(env, 'COMITY_RATE_LIMIT', 600, 1, 1_000_000),
      loginRateLimitPerMinute: intSetting(env, 'COMITY_LOGIN_RATE_LIMIT', 10, 1, 10_000),
      costlyRateLimitPerMinute: intSetting(env, 'COMITY_COSTLY_RATE_LIMIT', 30, 1, 1_000_000),
      failedCredentialsPerAddress: intSetting(env, 'COMITY_FAILED_CREDENTIALS_PER_ADDRESS', 10, 1, 1_000_000),
      metricsToken: metricsToken(env),
    },
    demo: bool(env, 'COMITY_DEMO', false),
    schedulerIntervalMs: intSetting(env, 'COMITY_SCHEDULER_INTERVAL_MS', 30_000, 100, 86_400_000),
  };
}
