/**
 * @module server
 * `comity serve`: opens the database (embedded SQLite by default, PostgreSQL with DATABASE_URL),
 * applies migrations, seeds the demo deployment when asked and the database is empty, starts
 * the clock scheduler and the HTTP server, and shuts down gracefully: on SIGTERM or SIGINT it
 * stops accepting connections, finishes in-flight requests, stops the scheduler and closes the
 * database.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthContext, oidcConfigFromEnv, createOidcClient, type SecretBox } from './auth/index.js';
import { createCaseContext, serverTransactionRunner, startScheduler } from './cases/index.js';
import { openDatabase, resolveDataDir, resolveDbConfig, uuidv7 } from './db/index.js';
import { createEvidenceContext, expireUploads, purgeExpiredEvidence, resolveUploadExpiryHours } from './evidence/index.js';
import { s3BlobStoreFromEnv } from './evidence/s3-blob-store.js';
import { createDbKeyStore } from './keys/index.js';
import { isEmpty, newDemoPassword, readDemoLogins, seedDemo, seedDemoExchange, type DemoLogins, type SeededUser } from './demo/seed.js';
import { buildApp } from './http/app.js';
import { ConfigError, effectiveEnv, loadServerConfig } from './http/config.js';
import { loadKnowledgeBase } from './law/index.js';
import { transferSettings } from './exchange/evidence-transfer.js';
import { startNodeExchange } from './exchange/node-start.js';
import { createWitnessing, witnessPeers } from './exchange/witnessing.js';
import { checkpointFile, createLedger, fileMemory, LedgerError, logOriginOf, resolveCheckpointSeconds, resolveLogOrigin, startCheckpointing } from './ledger/index.js';
import { checkMasterKeySource, openMasterKey } from './keys/master-key.js';
import { assertPrivateDir, ensurePrivateDir } from './ops/file-modes.js';
import { startNotifications } from './notifications/index.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  demoUsers: SeededUser[];
}

export async function startServer(given: NodeJS.ProcessEnv, options: { print?: (line: string) => void; logger?: false } = {}): Promise<RunningServer> {
  // The config file (COMITY_CONFIG_FILE) under the environment, once, for every setting below.
  const env = effectiveEnv(given);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const config = loadServerConfig(env);
  const dataDir = resolveDataDir(env);
  const dbConfig = resolveDbConfig(env);
  // Every other setting is read here too, before anything is created or opened: a bad one stops
  // the start naming it, and leaves nothing behind.
  // Evidence blobs: S3-compatible storage when COMITY_S3_BUCKET is set, else the data directory.
  const s3 = await s3BlobStoreFromEnv(env);
  const oidcConfig = oidcConfigFromEnv(env);
  const checkpointSeconds = resolveCheckpointSeconds(env);
  resolveLogOrigin(env);
  const uploadExpiryHours = resolveUploadExpiryHours(env);
  transferSettings(dataDir, env);
  const smtpUrl = env.COMITY_SMTP_URL;
  if (smtpUrl !== undefined && smtpUrl !== '' && !/^smtps?:\/\/[^/]/.test(smtpUrl)) throw new ConfigError('COMITY_SMTP_URL: expected smtp://host:port or smtps://user:password@host:port');
  const kb = loadKnowledgeBase();
  // Everything the node writes is owner-only whatever the operator's umask (issue 18; the
  // explicit modes in ops/file-modes.ts cover files created before this line).
  if (process.platform !== 'win32') process.umask(0o077);
  assertPrivateDir(dataDir, 'data directory');
  checkMasterKeySource(env, dataDir, { demo: config.demo });
  const database = await openDatabase(dbConfig);
  let secretBox: SecretBox;
  let createdKey: string | null = null;
  try {
    await database.migrate();
    const master = await openMasterKey(env, dataDir, database.db, { demo: config.demo, onCreated: (path) => (createdKey = path) });
    secretBox = master.box;
  } catch (error) {
    await database.close();
    throw error;
  }
  const cases = createCaseContext(database.db, kb, { transaction: serverTransactionRunner(database.db, dbConfig) });
  const auth = createAuthContext(database.db, secretBox);
  const oidc = oidcConfig ? await createOidcClient(oidcConfig) : null;
  let demo: DemoLogins | null = null;
  // The demo password is generated at the first start; it and the demo logins (with TOTP secrets)
  // are kept beside the data, owner-only, so that every later start can print them again.
  const loginsFile = join(dataDir, 'demo-logins.json');
  // A federation node's demo seeds only the authorities it hosts (issue 12); its peers' come from their agreements.
  const hosted = env.COMITY_NODE_ID ? (env.COMITY_NODE_HOST ?? '').split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  let freshDemo = false;
  if (config.demo && (await isEmpty(cases))) {
    const password = newDemoPassword();
    demo = { password, users: await seedDemo(cases, auth, password, hosted === undefined ? {} : { hosted }) };
    freshDemo = true;
    ensurePrivateDir(dataDir);
    writeFileSync(loginsFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
  } else if (config.demo && existsSync(loginsFile)) {
    demo = readDemoLogins(loginsFile);
  }
  const demoUsers: SeededUser[] = demo?.users ?? [];
  const keys = createDbKeyStore(database.db, secretBox);
  // The transparency log (issue 11): origin, signing key sealed in the key store, the last checkpoint kept beside the data.
  const ledger = createLedger(database.db, keys, {
    origin: await logOriginOf(database.db, env),
    memory: fileMemory(checkpointFile(dataDir)),
    now: () => new Date(),
    newId: () => uuidv7(Date.now()),
    witnesses: async () => (await witnessPeers(database.db)).flatMap((p) => (p.witness ? [p.witness] : [])),
  });
  const evidence = await createEvidenceContext({ cases, keys, dataDir, ledger, uploadExpiryHours, ...(s3 ? { blobs: s3 } : {}) });
  // Issue 12: a federation node when configured (COMITY_NODE_ID or `comity node init`).
  // The ledger also logs orders to providers (their tlog-proof travels with the order, issue 14).
  const exchange = await startNodeExchange(cases, keys, env, config.http.publicUrl, undefined, { ev: evidence, dataDir, box: secretBox }, { db: database.db, proofOf: (id) => ledger.proofOf(id) });
  // Witnessing (c2sp.org/tlog-witness): cosign the peers' checkpoints, collect theirs of ours.
  const witnessing = exchange ? createWitnessing(database.db, keys, exchange.identity.nodeId, ledger, { now: () => new Date(), newId: () => uuidv7(Date.now()) }) : undefined;
  // Issue 16: notifications in the workspace, and by e-mail when COMITY_SMTP_URL names an SMTP server.
  // The app's logger exists only after buildApp: errors before that are dropped.
  const notificationLog: { error?: (error: unknown) => void } = {};
  const notifications = startNotifications(cases, {
    publicUrl: config.http.publicUrl,
    smtpUrl: smtpUrl === undefined || smtpUrl === '' ? undefined : smtpUrl,
    from: env.COMITY_MAIL_FROM,
    intervalMs: Math.min(config.schedulerIntervalMs, 5_000),
    onError: (error) => notificationLog.error?.(error),
  });
  const app = await buildApp({ config: config.http, kb, finder: cases.finder, cases, evidence, auth, database, oidc, ledger, notifications, mailConfigured: notifications.mail, ...(exchange ? { exchange: { runtime: exchange, keys, ...(witnessing ? { witnessing } : {}), ...(exchange.transfers ? { transfers: exchange.transfers } : {}) } } : {}), ...(options.logger === false ? { logger: false as const } : {}) });
  notificationLog.error = (error) => app.log.error({ err: error }, 'notifications pass failed');
  const checkpointing = startCheckpointing(ledger, checkpointSeconds, (error) => {
    if (error instanceof LedgerError && error.code === 'inconsistent-checkpoint') {
      app.log.error({ ledger: 'refused' }, `TRANSPARENCY LOG REFUSES TO SIGN: ${error.message} — see README "Transparency log", then run: comity ledger resolve --reason TEXT`);
    } else app.log.error({ err: error }, 'transparency log: checkpoint failed');
  }, witnessing === undefined ? undefined : async (signal) => {
    try {
      const { submitted, compared } = await witnessing.afterPublish(signal);
      for (const s of submitted) if (s.outcome === 'refused' || s.outcome === 'unreachable') app.log.warn({ witness: s.nodeId, outcome: s.outcome }, `witness ${s.nodeId}: ${s.detail ?? s.outcome}`);
      if (compared.forks > 0) app.log.error({ ledger: 'fork' }, `SPLIT VIEW DETECTED: ${compared.forks} fork(s) of a log — see README "Witnessing" and comity ledger verify`);
    } catch (error) {
      app.log.error({ err: error }, 'witnessing failed');
    }
  });
  const scheduler = startScheduler(cases, {
    intervalMs: config.schedulerIntervalMs,
    onError: (error) => app.log.error({ err: error }, 'scheduler pass failed'),
    onEscalation: (escalations) => app.log.info({ count: escalations.length }, 'overdue clocks escalated'),
  });
  // Evidence of purged cases is deleted on the same beat (blobs, content key; digests and custody remain).
  const evidencePurge = setInterval(() => {
    purgeExpiredEvidence(evidence).catch((error: unknown) => app.log.error({ err: error }, 'evidence purge failed'));
    // Abandoned uploads (no bytes for COMITY_UPLOAD_EXPIRY_HOURS) are removed with their staged bytes.
    expireUploads(evidence).then(
      (removed) => (removed > 0 ? app.log.info({ removed }, 'abandoned evidence uploads removed') : undefined),
      (error: unknown) => app.log.error({ err: error }, 'evidence upload expiry failed'),
    );
  }, config.schedulerIntervalMs);
  evidencePurge.unref();
  // What runs in the background, stopped in this order by close() — and at once when the server
  // cannot listen (a port taken), so that nothing is left running or open.
  const stopServices = async (): Promise<void> => {
    clearInterval(evidencePurge);
    await app.close();
    await checkpointing.stop();
    await exchange?.stop();
    await scheduler.stop();
    await notifications.stop();
    await database.close();
  };
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    await stopServices();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = config.http.publicUrl.replace(/:\d+$/, `:${port}`);
  print(`Comity is running at ${url}  (API docs ${url}/docs, database: ${database.kind})`);
  if (createdKey !== null) print(`Created a new master key in ${createdKey} (keep a copy apart from the backups of the data)`);
  if (exchange) print(`Federation node ${exchange.identity.nodeId}, hosting ${exchange.identity.hosted.join(', ')}`);
  if (demo !== null && demoUsers.length > 0) {
    print(`Demo logins — password for all: ${demo.password}  (generated at the first start; kept in ${loginsFile}, owner-only)`);
    for (const user of demoUsers) {
      const totp = user.totpSecret ? `  TOTP secret ${user.totpSecret} (code: npx comity totp ${user.totpSecret})` : '';
      print(`  ${user.email.padEnd(22)} ${user.roles.join(', ')}${totp}`);
    }
  }
  let closing: Promise<void> | null = null;
  // A fresh federated demo makes its cross-border cases once its peers are trusted (demo/seed.ts).
  const demoExchange =
    freshDemo && exchange
      ? seedDemoExchange(cases, async (id) => (await exchange.trust()).nodeOfAuthority(id)?.self === false, { stopped: () => closing !== null }).then(
          (made) => {
            if (made.length > 0) print(`Demo cases made and sent to the peers: ${made.join(', ')}`);
          },
          (error: unknown) => app.log.error({ err: error }, 'demo: seeding the cross-border cases failed'),
        )
      : Promise.resolve();
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await demoExchange;
      await stopServices();
    })();
    return closing;
  };
  return { url, close, demoUsers };
}
