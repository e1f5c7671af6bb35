/**
 * `comity backup` while the node writes, `comity restore` into a fresh directory and a fresh
 * PostgreSQL database, every row compared; damaged, truncated and partial backups refused before
 * anything is written; no unsealed secret in the backup's bytes (issue 18).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { base32Decode } from '../../src/auth/index.js';
import { createCase } from '../../src/cases/index.js';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openDatabase, type DatabaseHandle, type DbConfig } from '../../src/db/index.js';
import { preservationRequestFrToUs } from '../../src/demo/data.js';
import { MasterKeyError, openMasterKey } from '../../src/keys/index.js';
import { createBackup, registerBackupPart, unregisterBackupPart } from '../../src/ops/backup.js';
import { listFiles, verifyBackup } from '../../src/ops/manifest.js';
import { restoreBackup } from '../../src/ops/restore.js';
import { postgresProbe, testDatabases } from '../db/dialects.js';
import { COMPARED, fillNode, FR, rowsOf, type FilledNode } from './node-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'comity-backup-'));
const engines: Awaited<ReturnType<ReturnType<typeof testDatabases>['next']>>['value'][] = [];
for await (const engine of testDatabases()) engines.push(engine);
after(async () => {
  for (const engine of engines) await engine?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

interface Source {
  handle: DatabaseHandle;
  config: DbConfig;
  dataDir: string;
  keyFile: string;
  node: FilledNode;
  backup: string;
  /** Cases created while the backup ran. */
  writtenDuring: number;
}

/** A node on `config`, filled, backed up while a loop keeps creating cases. */
async function backUpUnderLoad(config: DbConfig, name: string): Promise<Source> {
  const dataDir = join(root, `${name}-data`);
  const keyFile = join(root, `${name}-keys`, 'master.key');
  const handle = await openDatabase(config);
  await handle.migrate();
  const master = await openMasterKey({ COMITY_MASTER_KEY_FILE: keyFile }, dataDir, handle.db);
  const node = await fillNode(handle.db, master.box, dataDir);
  let done = false;
  let writtenDuring = 0;
  const load = (async () => {
    while (!done) {
      await createCase(node.cases, FR, preservationRequestFrToUs({ references: { requesting: `LOAD-${writtenDuring}` } }));
      writtenDuring += 1;
      // better-sqlite3 answers synchronously: without a turn of the event loop this loop would
      // starve the backup's steps (a real server writes from its own process).
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const backup = join(root, `${name}-backup`);
  try {
    await createBackup({ config, dataDir, dest: backup });
  } finally {
    done = true;
    await load;
  }
  return { handle, config, dataDir, keyFile, node, backup, writtenDuring };
}

/** Restored rows are the source's rows, and a consistent snapshot: each case with its history, audit and attachments. */
async function assertRestored(source: Source, target: DatabaseHandle): Promise<void> {
  for (const [table, key] of COMPARED) {
    const before = await rowsOf(source.handle.db, table, key);
    const restored = await rowsOf(target.db, table, key);
    for (const [id, row] of restored) assert.deepEqual(row, before.get(id), `${table} ${id} restored as it was`);
    if (table !== 'cases' && table !== 'case_events' && table !== 'audit_events' && table !== 'case_deadlines') assert.equal(restored.size, before.size, `every row of ${table}`);
  }
  const cases = await rowsOf(target.db, 'cases', ['id']);
  const events = await rowsOf(target.db, 'case_events', ['id']);
  const audit = await rowsOf(target.db, 'audit_events', ['id']);
  const sourceCases = await rowsOf(source.handle.db, 'cases', ['id']);
  // Every case written before the backup started is there; some of those written during it too.
  assert.ok(cases.size >= sourceCases.size - source.writtenDuring && cases.size <= sourceCases.size, `${cases.size} cases restored of ${sourceCases.size}`);
  const withHistory = new Set([...events.values()].map((e) => e.case_id));
  assert.deepEqual([...withHistory].sort(), [...cases.keys()].sort(), 'every restored case has its history, and no history without its case');
  const audited = new Set([...audit.values()].filter((a) => a.object_type === 'case').map((a) => a.object_id));
  for (const id of cases.keys()) assert.ok(audited.has(id), `case ${id} has its audit trail`);
  for (const event of events.values()) {
    const row = cases.get(event.case_id!);
    assert.ok(row !== undefined && Number(event.seq) <= Number(row.version) + 1, 'no event newer than its case');
  }
}

function scanForSecrets(dir: string, secrets: Buffer[], texts: string[]): void {
  for (const path of listFiles(dir)) {
    const bytes = readFileSync(join(dir, path));
    for (const secret of secrets) {
      for (const form of [secret, Buffer.from(secret.toString('hex')), Buffer.from(secret.toString('hex').toUpperCase()), Buffer.from(secret.toString('base64')), Buffer.from(secret.toString('base64url'))]) {
        assert.equal(bytes.indexOf(form), -1, `${path} holds a secret in clear`);
      }
    }
    for (const text of texts) assert.equal(bytes.indexOf(Buffer.from(text)), -1, `${path} holds ${text.slice(0, 4)}… in clear`);
  }
}

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

describe('backup and restore of a SQLite node', () => {
  let source: Source;
  before(async () => {
    // The hook the ledger registers its latest signed checkpoint with, read from the same snapshot.
    registerBackupPart({ name: 'ledger-checkpoint', collect: async (db) => ({ auditEvents: Number((await db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n) }) });
    source = await backUpUnderLoad({ kind: 'sqlite', file: join(root, 'sqlite-data', 'comity.sqlite'), synchronous: 'normal' }, 'sqlite');
    unregisterBackupPart('ledger-checkpoint');
  });
  after(() => source.handle.close());

  it('writes a manifest of SHA-256 digests over the snapshot, the tables, the blobs and the checkpoint, all 0600', async () => {
    assert.ok(source.writtenDuring > 0, 'the node wrote while the backup ran');
    const manifest = await verifyBackup(source.backup);
    const paths = manifest.files.map((f) => f.path);
    for (const expected of ['database.sqlite', 'tables/cases.jsonl', 'tables/case_attachments.jsonl', 'parts/ledger-checkpoint.json']) assert.ok(paths.includes(expected), expected);
    assert.equal(paths.filter((p) => p.startsWith('data/blobs/')).length, 2);
    assert.equal(paths.filter((p) => p.startsWith('data/evidence/blobs/')).length, 1);
    assert.ok(!paths.some((p) => p.includes('staging')), 'unfinished uploads are left out');
    assert.ok(!paths.some((p) => /master\.key|secret\.key|demo-logins/.test(p)));
    const checkpoint = JSON.parse(readFileSync(join(source.backup, 'parts/ledger-checkpoint.json'), 'utf8')) as { auditEvents: number };
    assert.equal(checkpoint.auditEvents, manifest.tables.find((t) => t.name === 'audit_events')?.rows, 'the checkpoint is read from the same snapshot as the tables');
    for (const path of listFiles(source.backup)) assert.equal(statSync(join(source.backup, path)).mode & 0o077, 0, path);
  });

  it('holds no unsealed secret: not the master key (raw, hex, base64), not a TOTP secret, not an API token', () => {
    const key = Buffer.from(readFileSync(source.keyFile, 'utf8').trim(), 'hex');
    const totp = source.node.users.flatMap((u) => (u.totpSecret === null ? [] : [base32Decode(u.totpSecret)]));
    assert.ok(totp.length > 3);
    scanForSecrets(source.backup, [key, ...totp], [...source.node.users.flatMap((u) => (u.totpSecret === null ? [] : [u.totpSecret])), source.node.apiToken]);
  });

  it('restores into a fresh directory (the snapshot), with the same key, every row as it was', async (t) => {
    const dataDir = join(root, 'restored-sqlite');
    const file = join(dataDir, 'comity.sqlite');
    const result = await restoreBackup({ src: source.backup, config: { kind: 'sqlite', file }, dataDir });
    assert.equal(result.method, 'snapshot');
    assert.deepEqual(result.parts['ledger-checkpoint'] !== undefined, true);
    const target = await openDatabase({ kind: 'sqlite', file });
    t.after(() => target.close());
    await assertRestored(source, target);
    assert.deepEqual(listFiles(join(dataDir, 'blobs')), listFiles(join(source.dataDir, 'blobs')));
    assert.deepEqual(listFiles(join(dataDir, 'evidence')), ['blobs/case-1/' + listFiles(join(source.dataDir, 'evidence', 'blobs', 'case-1'))[0]]);
    // The node's own key opens the restored secrets; another is refused.
    await openMasterKey({ COMITY_MASTER_KEY_FILE: source.keyFile }, dataDir, target.db);
    await assert.rejects(openMasterKey({ COMITY_SECRET_KEY: randomBytes(32).toString('hex') }, dataDir, target.db), MasterKeyError);
    // Not over an existing database.
    await assert.rejects(restoreBackup({ src: source.backup, config: { kind: 'sqlite', file }, dataDir: join(root, 'other') }), /exists: restore into a fresh data directory/);
  });

  // PGlite in memory cannot be reopened; PostgreSQL stands for the PostgreSQL family here.
  for (const engine of engines.filter((e) => e !== undefined && e.kind === 'postgres')) {
    if (engine === undefined) continue;
    it(`restores into a fresh ${engine.kind} database (its tables), every row as it was`, async (t) => {
      const config = await engine.createConfig();
      const dataDir = join(root, `restored-${engine.kind}`);
      const result = await restoreBackup({ src: source.backup, config, dataDir });
      assert.equal(result.method, 'tables');
      const target = await engine.open(config, t);
      await assertRestored(source, target);
      await openMasterKey({ COMITY_MASTER_KEY_FILE: source.keyFile }, dataDir, target.db);
      // The identity column goes on after the restored audit events.
      const created = await createCase((await import('../../src/cases/index.js')).createCaseContext(target.db, (await import('../../src/law/index.js')).loadKnowledgeBase()), FR, preservationRequestFrToUs());
      assert.ok(created.id);
    });
  }

  it('refuses a damaged, truncated, partial or tampered backup, naming what is wrong, and writes nothing', async () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['a flipped byte', (dir) => {
        const path = join(dir, 'tables', 'cases.jsonl');
        const bytes = readFileSync(path);
        bytes[10] = bytes[10]! ^ 1;
        writeFileSync(path, bytes);
      }, /tables\/cases\.jsonl is damaged \(SHA-256 differs/],
      ['a truncated snapshot', (dir) => truncateSync(join(dir, 'database.sqlite'), 4096), /database\.sqlite has 4096 bytes, the manifest says \d+ \(truncated\)/],
      ['a missing blob', (dir) => unlinkSync(join(dir, 'data', 'blobs', listFiles(join(dir, 'data', 'blobs'))[0]!)), /data\/blobs\/ab\/[0-9a-f]{64} is missing/],
      ['an added file', (dir) => writeFileSync(join(dir, 'tables', 'extra.jsonl'), '[]\n'), /tables\/extra\.jsonl is not in the manifest/],
      ['no manifest (unfinished)', (dir) => unlinkSync(join(dir, 'manifest.json')), /has no manifest\.json: not a Comity backup, or one that did not finish/],
      ['an edited manifest', (dir) => writeFileSync(join(dir, 'manifest.json'), readFileSync(join(dir, 'manifest.json'), 'utf8').replace(/"rows": (\d+)/, '"rows": 999')), /manifest\.json is damaged \(its digest does not match/],
      ['a truncated manifest', (dir) => truncateSync(join(dir, 'manifest.json'), 100), /manifest\.json is damaged \(not JSON\)/],
    ];
    for (const [what, damage, message] of cases) {
      const copy = join(root, `damaged-${what.replace(/\W+/g, '-')}`);
      cpSync(source.backup, copy, { recursive: true });
      damage(copy);
      const dataDir = join(root, `refused-${what.replace(/\W+/g, '-')}`);
      process.env.COMITY_DATA_DIR = dataDir;
      delete process.env.DATABASE_URL;
      const result = await run('restore', copy);
      assert.equal(result.code, 2, what);
      assert.equal(result.stderr.length, 1, what);
      assert.match(result.stderr[0]!, message, what);
      assert.equal(existsSync(dataDir), false, `${what}: nothing written`);
    }
  });
});

describe('backup of a PostgreSQL node with the same command', { skip: !postgresProbe.reachable && `PostgreSQL: ${postgresProbe.reason}` }, () => {
  it('reads every table in one snapshot while the node writes, and restores into a fresh directory', async (t) => {
    const engine = engines.find((e) => e?.kind === 'postgres');
    assert.ok(engine);
    const source = await backUpUnderLoad(await engine.createConfig(), 'pg');
    t.after(() => source.handle.close());
    assert.ok(!listFiles(source.backup).includes('database.sqlite'));
    process.env.COMITY_DATA_DIR = join(root, 'pg-restored');
    delete process.env.DATABASE_URL;
    const restored = await run('restore', source.backup, '--json');
    assert.equal(restored.code, 0, restored.stderr.join('\n'));
    assert.equal((JSON.parse(restored.stdout) as { method: string }).method, 'tables');
    const target = await openDatabase({ kind: 'sqlite', file: join(root, 'pg-restored', 'comity.sqlite') });
    t.after(() => target.close());
    await assertRestored(source, target);
  });
});
