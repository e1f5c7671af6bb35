/**
 * @module server
 * `comity serve`: opens the database (embedded SQLite by default, PostgreSQL with DATABASE_URL),
 * applies migrations, seeds the demo deployment when asked and the database is empty, starts
 * the clock scheduler and the HTTP server, and shuts down gracefully: on SIGTERM or SIGINT it
 * stops accepting connections, finishes in-flight requests, stops the scheduler and closes the
 * database.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthContext, createSecretBox, loadMasterKey, oidcConfigFromEnv, createOidcClient } from './auth/index.js';
import { createCaseContext, serverTransactionRunner, startScheduler } from './cases/index.js';
import { openDatabase, resolveDataDir, resolveDbConfig } from './db/index.js';
import { isEmpty, seedDemo, DEMO_PASSWORD, type SeededUser } from './demo/seed.js';
import { buildApp } from './http/app.js';
import { effectiveEnv, loadServerConfig } from './http/config.js';
import { loadKnowledgeBase } from './law/index.js';
import { startNodeExchange } from './exchange/node-start.js';
import { createDbKeyStore } from './keys/index.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  demoUsers: SeededUser[];
}

export async function startServer(env: NodeJS.ProcessEnv, options: { print?: (line: string) => void; logger?: false } = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const config = loadServerConfig(env);
  const kb = loadKnowledgeBase();
  const dbConfig = resolveDbConfig(env);
  const database = await openDatabase(dbConfig);
  await database.migrate();
  const secretBox = createSecretBox(loadMasterKey(env, resolveDataDir(env)));
  const cases = createCaseContext(database.db, kb, { transaction: serverTransactionRunner(database.db, dbConfig) });
  const auth = createAuthContext(database.db, secretBox);
  const oidcConfig = oidcConfigFromEnv(env);
  const oidc = oidcConfig ? await createOidcClient(oidcConfig) : null;
  let demoUsers: SeededUser[] = [];
  // The demo logins (with TOTP secrets) are kept beside the demo database, owner-only, so that
  // every later start can print them again.
  const loginsFile = join(resolveDataDir(env), 'demo-logins.json');
  if (config.demo && (await isEmpty(cases))) {
    demoUsers = await seedDemo(cases, auth);
    if (database.kind === 'sqlite') writeFileSync(loginsFile, JSON.stringify(demoUsers, null, 2), { mode: 0o600 });
  } else if (config.demo && existsSync(loginsFile)) {
    demoUsers = JSON.parse(readFileSync(loginsFile, 'utf8')) as SeededUser[];
  }
  // Issue 12: a federation node when configured (COMITY_NODE_ID or `comity node init`).
  const keys = createDbKeyStore(database.db, secretBox);
  const exchange = await startNodeExchange(cases, keys, effectiveEnv(env), config.http.publicUrl);
  const app = await buildApp({ config: config.http, kb, finder: cases.finder, cases, auth, database, oidc, ...(exchange ? { exchange: { runtime: exchange, keys } } : {}), ...(options.logger === false ? { logger: false as const } : {}) });
  const scheduler = startScheduler(cases, {
    intervalMs: config.schedulerIntervalMs,
    onError: (error) => app.log.error({ err: error }, 'scheduler pass failed'),
    onEscalation: (escalations) => app.log.info({ count: escalations.length }, 'overdue clocks escalated'),
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = config.http.publicUrl.replace(/:\d+$/, `:${port}`);
  print(`Comity is running at ${url}  (API docs ${url}/docs, database: ${database.kind})`);
  if (exchange) print(`Federation node ${exchange.identity.nodeId}, hosting ${exchange.identity.hosted.join(', ')}`);
  if (demoUsers.length > 0) {
    print(`Demo logins — password for all: ${DEMO_PASSWORD}`);
    for (const user of demoUsers) {
      const totp = user.totpSecret ? `  TOTP secret ${user.totpSecret} (code: npx comity totp ${user.totpSecret})` : '';
      print(`  ${user.email.padEnd(22)} ${user.roles.join(', ')}${totp}`);
    }
  }
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app.close();
      await exchange?.stop();
      await scheduler.stop();
      await database.close();
    })();
    return closing;
  };
  return { url, close, demoUsers };
}
