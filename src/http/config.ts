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

/** Name, default and description of every server setting (the README table is generated from it). */
export const SETTINGS = [
  ['COMITY_HOST', '127.0.0.1', 'interface to listen on'],
  ['COMITY_PORT', '8080', 'TCP port'],
  ['COMITY_PUBLIC_URL', 'http://localhost:<port>', 'URL users open; printed at start, used for OIDC redirects'],
  ['COMITY_LOG_LEVEL', 'info', 'pino log level: fatal, error, warn, info, debug, trace, silent'],
  ['COMITY_BODY_LIMIT', '1048576', 'largest request body in bytes'],
  ['COMITY_TRUST_PROXY', 'false', 'trust X-Forwarded-* headers from a reverse proxy'],
  ['COMITY_SECURE_COOKIES', 'true', 'Secure flag on cookies and HSTS (browsers accept Secure cookies on http://localhost)'],
  ['COMITY_RATE_LIMIT', '600', 'requests per minute per user, token or address'],
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
  ['COMITY_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _REDIRECT_URI', '(off)', 'optional OpenID Connect sign-in'],
  ['COMITY_CONFIG_FILE', '(none)', 'JSON file with any of these keys; the environment overrides it'],
] as const;

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
    if (!/^(COMITY_|DATABASE_)[A-Z0-9_]+$/.test(key)) throw new ConfigError(`COMITY_CONFIG_FILE: unknown setting ${JSON.stringify(key)}`);
    fromFile[key] = String(value);
  }
  return { ...fromFile, ...env };
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
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
  const port = int(env, 'COMITY_PORT', 8080, 0, 65535);
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
      bodyLimitBytes: int(env, 'COMITY_BODY_LIMIT', 1_048_576, 1024, 100 * 1_048_576),
      bodyMinBytesPerSecond: int(env, 'COMITY_BODY_MIN_RATE', 500, 0, 1_000_000_000),
      bodyRateWindowMs: int(env, 'COMITY_BODY_RATE_WINDOW_MS', 20_000, 100, 600_000),
      trustProxy: bool(env, 'COMITY_TRUST_PROXY', false),
      secureCookies: bool(env, 'COMITY_SECURE_COOKIES', true),
      rateLimitPerMinute: int(env, 'COMITY_RATE_LIMIT', 600, 1, 1_000_000),
      loginRateLimitPerMinute: int(env, 'COMITY_LOGIN_RATE_LIMIT', 10, 1, 10_000),
      costlyRateLimitPerMinute: int(env, 'COMITY_COSTLY_RATE_LIMIT', 30, 1, 1_000_000),
      failedCredentialsPerAddress: int(env, 'COMITY_FAILED_CREDENTIALS_PER_ADDRESS', 10, 1, 1_000_000),
      metricsToken: metricsToken(env),
    },
    demo: bool(env, 'COMITY_DEMO', false),
    schedulerIntervalMs: int(env, 'COMITY_SCHEDULER_INTERVAL_MS', 30_000, 100, 86_400_000),
  };
}
