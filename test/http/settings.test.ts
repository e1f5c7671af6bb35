/**
 * Settings: one table (src/http/config.ts SETTINGS) that `comity serve --help` prints, the README
 * lists and a config file may hold; the config file reaches every command and every part of the
 * server; a value Comity does not understand stops the start naming it, before anything is
 * written — instead of being ignored (an Object Lock mode mistyped, evidence then stored unlocked).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { runDemoFederation } from '../../src/demo/federation.js';
import { s3BlobStoreFromEnv } from '../../src/evidence/s3-blob-store.js';
import { transferSettings } from '../../src/exchange/evidence-transfer.js';
import { applyConfigFile, ConfigError, effectiveEnv, SETTINGS } from '../../src/http/config.js';
import { startServer } from '../../src/server.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'comity-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function configFile(settings: Record<string, unknown>): string {
  const file = join(dir, `config-${(files += 1)}.json`);
  writeFileSync(file, JSON.stringify(settings));
  return file;
}

/** Every .ts file under `folder`, tests excepted. */
function sources(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(folder, f))
    .filter((f) => statSync(f).isFile());
}

describe('the settings table', () => {
  it('the README lists exactly the settings of SETTINGS, with their defaults and meanings', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('| setting | default | meaning |\n|---|---|---|\n');
    assert.ok(start >= 0, 'the README has the settings table');
    const body = readme.slice(start).split('\n').slice(2);
    const rows = body.slice(0, body.findIndex((line) => !line.startsWith('|')));
    assert.deepEqual(rows, SETTINGS.map(([name, fallback, text]) => `| \`${name}\` | ${fallback} | ${text} |`));
  });

  it('every COMITY_ or DATABASE_ name the sources read is a setting (but the few that are not the server’s)', () => {
    // Not server settings: which build `bin/comity.js` runs, the CLI's API token, a constant.
    const notSettings = new Set(['COMITY_RUNTIME', 'COMITY_TOKEN', 'COMITY_VERSION']);
    const names = new Set<string>(SETTINGS.map(([name]) => name));
    const missing = new Set<string>();
    for (const file of sources(join(ROOT, 'src'))) {
      for (const [name] of readFileSync(file, 'utf8').matchAll(/\b(?:COMITY|DATABASE)_[A-Z0-9_]*[A-Z0-9]\b/g)) {
        if (!names.has(name) && !notSettings.has(name)) missing.add(`${name} (${file.slice(ROOT.length)})`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  it('`comity serve --help` prints every setting', async () => {
    const io = captureIo();
    assert.equal(await main(['node', 'comity', 'serve', '--help'], io), 0);
    const help = io.stdout.join('\n');
    for (const [name] of SETTINGS) assert.ok(help.includes(`  ${name}\n`), name);
  });
});

describe('the config file', () => {
  it('holds only known settings: a misspelt name is refused, naming it, and so is a value that is not a scalar', () => {
    assert.throws(() => effectiveEnv({ COMITY_CONFIG_FILE: configFile({ COMITY_DATADIR: '/srv/comity' }) }), (e: unknown) => e instanceof ConfigError && /unknown setting "COMITY_DATADIR"/.test(e.message));
    assert.throws(() => effectiveEnv({ COMITY_CONFIG_FILE: configFile({ COMITY_PORT: { value: 8080 } }) }), /COMITY_PORT must be a string, number or boolean/);
    assert.throws(() => effectiveEnv({ COMITY_CONFIG_FILE: join(dir, 'absent.json') }), /COMITY_CONFIG_FILE ".*absent\.json"/);
  });

  it('fills in what the environment does not set; the environment wins', () => {
    const env: NodeJS.ProcessEnv = { COMITY_CONFIG_FILE: configFile({ COMITY_PORT: 9090, COMITY_DATA_DIR: '/srv/file', COMITY_S3_BUCKET: 'evidence' }), COMITY_DATA_DIR: '/srv/env' };
    applyConfigFile(env);
    assert.equal(env.COMITY_PORT, '9090');
    assert.equal(env.COMITY_S3_BUCKET, 'evidence');
    assert.equal(env.COMITY_DATA_DIR, '/srv/env');
  });

  it('reaches the commands other than serve: `comity authorities list` opens the database in the data directory the file names', async () => {
    const dataDir = join(dir, 'cli-data');
    const saved = { ...process.env };
    try {
      delete process.env.DATABASE_URL;
      delete process.env.COMITY_DATA_DIR;
      process.env.COMITY_CONFIG_FILE = configFile({ COMITY_DATA_DIR: dataDir });
      const io = captureIo();
      assert.equal(await main(['node', 'comity', 'authorities', 'list', '--json'], io), 0, io.stderr.join('\n'));
      assert.ok(existsSync(join(dataDir, 'comity.sqlite')), 'the database is where the file says');
    } finally {
      process.env = saved;
    }
  });

  it('a command with a misspelt name in the file stops with one line and exit 2', async () => {
    const saved = { ...process.env };
    try {
      process.env.COMITY_CONFIG_FILE = configFile({ COMITY_DATA_DIRECTORY: join(dir, 'never') });
      const io = captureIo();
      assert.equal(await main(['node', 'comity', 'authorities', 'list'], io), 2);
      assert.deepEqual(io.stderr, ['comity: COMITY_CONFIG_FILE: unknown setting "COMITY_DATA_DIRECTORY" (comity serve --help lists the settings)']);
      assert.equal(existsSync(join(dir, 'never')), false);
    } finally {
      process.env = saved;
    }
  });

  it('reaches every part of the server: the data directory, the database and the master key come from the file', async () => {
    const dataDir = join(dir, 'server-data');
    const server = await startServer({ COMITY_CONFIG_FILE: configFile({ COMITY_DATA_DIR: dataDir, COMITY_SECRET_KEY: randomBytes(32).toString('hex'), COMITY_PORT: 0, COMITY_LOG_LEVEL: 'silent' }) }, { print: () => undefined, logger: false });
    try {
      assert.ok(existsSync(join(dataDir, 'comity.sqlite')));
    } finally {
      await server.close();
    }
  });
});

describe('values Comity does not understand stop the start, naming the setting, before anything is written', () => {
  const s3 = (extra: Record<string, string>) => ({ COMITY_S3_BUCKET: 'evidence', COMITY_S3_ENDPOINT: 'http://127.0.0.1:9', ...extra });
  const refusals: Array<[string, Record<string, string>, RegExp]> = [
    ['a mistyped Object Lock mode', s3({ COMITY_S3_OBJECT_LOCK: 'compliant', COMITY_S3_RETAIN_DAYS: '3650' }), /COMITY_S3_OBJECT_LOCK="compliant": expected COMPLIANCE or GOVERNANCE/],
    ['a lock without its period', s3({ COMITY_S3_OBJECT_LOCK: 'COMPLIANCE' }), /COMITY_S3_OBJECT_LOCK=COMPLIANCE needs COMITY_S3_RETAIN_DAYS/],
    ['a period without a lock', s3({ COMITY_S3_RETAIN_DAYS: '30' }), /COMITY_S3_RETAIN_DAYS is set without COMITY_S3_OBJECT_LOCK/],
    ['a period that is not whole days', s3({ COMITY_S3_OBJECT_LOCK: 'GOVERNANCE', COMITY_S3_RETAIN_DAYS: '10y' }), /COMITY_S3_RETAIN_DAYS="10y": expected whole days from 1 to 36500/],
    ['a period of 0 days', s3({ COMITY_S3_OBJECT_LOCK: 'GOVERNANCE', COMITY_S3_RETAIN_DAYS: '0' }), /COMITY_S3_RETAIN_DAYS="0"/],
    ['S3 settings without a bucket', { COMITY_S3_OBJECT_LOCK: 'COMPLIANCE', COMITY_S3_RETAIN_DAYS: '30' }, /COMITY_S3_OBJECT_LOCK, COMITY_S3_RETAIN_DAYS are set without COMITY_S3_BUCKET/],
  ];
  for (const [what, env, message] of refusals) {
    it(`S3: ${what}`, async () => {
      await assert.rejects(s3BlobStoreFromEnv(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it('S3 as configured before still works: a lock with its period, or no lock at all', async () => {
    assert.ok(await s3BlobStoreFromEnv(s3({ COMITY_S3_OBJECT_LOCK: 'compliance', COMITY_S3_RETAIN_DAYS: '3650' })));
    assert.ok(await s3BlobStoreFromEnv(s3({})));
    assert.equal(await s3BlobStoreFromEnv({}), null);
  });

  it('evidence transfers: chunk size and expiry out of range, or not whole numbers', () => {
    assert.throws(() => transferSettings(dir, { COMITY_TRANSFER_CHUNK_BYTES: '8MiB' }), /COMITY_TRANSFER_CHUNK_BYTES="8MiB": expected an integer from 4096 to 16777216/);
    assert.throws(() => transferSettings(dir, { COMITY_TRANSFER_CHUNK_BYTES: '1024' }), /COMITY_TRANSFER_CHUNK_BYTES="1024"/);
    assert.throws(() => transferSettings(dir, { COMITY_TRANSFER_EXPIRY_HOURS: '0' }), /COMITY_TRANSFER_EXPIRY_HOURS="0": expected an integer from 1 to 87600/);
    assert.deepEqual(transferSettings(dir, { COMITY_TRANSFER_CHUNK_BYTES: '65536', COMITY_TRANSFER_EXPIRY_HOURS: '48' }), { dir: join(dir, 'transfers'), chunkBytes: 65536, expiryHours: 48 });
  });

  it('the server refuses a bad setting before it creates its data directory or database', async () => {
    const dataDir = join(dir, 'refused-data');
    const refused: Array<[Record<string, string>, RegExp]> = [
      [s3({ COMITY_S3_OBJECT_LOCK: 'compliant', COMITY_S3_RETAIN_DAYS: '30' }), /COMITY_S3_OBJECT_LOCK="compliant"/],
      [{ COMITY_TRANSFER_CHUNK_BYTES: '1MiB' }, /COMITY_TRANSFER_CHUNK_BYTES="1MiB"/],
      [{ COMITY_LOG_ORIGIN: 'my log' }, /COMITY_LOG_ORIGIN: an origin is printable ASCII without spaces/],
      [{ COMITY_LEDGER_CHECKPOINT_SECONDS: '0' }, /COMITY_LEDGER_CHECKPOINT_SECONDS must be a whole number/],
      [{ COMITY_UPLOAD_EXPIRY_HOURS: 'day' }, /COMITY_UPLOAD_EXPIRY_HOURS must be a whole number/],
      [{ COMITY_SMTP_URL: 'mail.example.org' }, /COMITY_SMTP_URL: expected smtp:\/\/host:port/],
    ];
    for (const [settings, message] of refused) {
      await assert.rejects(startServer({ COMITY_DATA_DIR: dataDir, COMITY_PORT: '0', COMITY_DEMO: 'true', ...settings }, { print: () => undefined, logger: false }), message);
      assert.equal(existsSync(dataDir), false, JSON.stringify(settings));
    }
  });

  it('the demo (`npm start`) refuses a first port its four nodes cannot take, before starting any', async () => {
    for (const port of ['abc', '65534', '-1']) {
      const io = captureIo();
      await assert.rejects(runDemoFederation(io, { COMITY_PORT: port, COMITY_DATA_DIR: join(dir, 'demo') }), (e: unknown) => e instanceof ConfigError && e.message.startsWith(`COMITY_PORT="${port}": the demo's first port`));
      assert.deepEqual(io.stdout, []);
    }
    assert.equal(existsSync(join(dir, 'demo')), false);
  });

  it('`comity serve` with sign-in partly configured: one line naming what is missing, exit 2, nothing created', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { COMITY_DATA_DIR: join(dir, 'serve-oidc'), COMITY_PORT: '0', COMITY_OIDC_ISSUER: 'https://id.example.org' });
      const io = captureIo();
      assert.equal(await main(['node', 'comity', 'serve'], io), 2);
      assert.deepEqual(io.stderr, ['comity: OpenID Connect sign-in is partly configured: set COMITY_OIDC_CLIENT_ID, COMITY_OIDC_CLIENT_SECRET, COMITY_OIDC_REDIRECT_URI too (or unset the others)']);
      assert.equal(existsSync(join(dir, 'serve-oidc')), false);
    } finally {
      process.env = saved;
    }
  });

  it('the CLI names the setting in one line, exit 2 (`comity evidence` with S3 configured)', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, s3({ COMITY_S3_OBJECT_LOCK: 'GOVERNANCE', COMITY_S3_RETAIN_DAYS: '-1' }), { COMITY_DATA_DIR: join(dir, 'cli-evidence') });
      const io = captureIo();
      assert.equal(await main(['node', 'comity', 'evidence', 'list', '00000000-0000-7000-8000-000000000000'], io), 2);
      assert.deepEqual(io.stderr, ['comity: COMITY_S3_RETAIN_DAYS="-1": expected whole days from 1 to 36500']);
    } finally {
      process.env = saved;
    }
  });
});

describe('what the machine or the database refuses at start is named, not called internal', () => {
  async function serve(settings: Record<string, string>): Promise<{ code: number; stderr: string[] }> {
    const saved = { ...process.env };
    try {
      delete process.env.DATABASE_URL;
      Object.assign(process.env, { COMITY_DATA_DIR: join(dir, `serve-${(files += 1)}`), COMITY_SECRET_KEY: randomBytes(32).toString('hex'), COMITY_LOG_LEVEL: 'silent' }, settings);
      const io = captureIo();
      const code = await main(['node', 'comity', 'serve'], io);
      return { code, stderr: io.stderr };
    } finally {
      process.env = saved;
    }
  }

  it('a port another process holds', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      assert.deepEqual(await serve({ COMITY_PORT: String(port) }), { code: 1, stderr: [`comity: cannot listen on 127.0.0.1:${port}: EADDRINUSE (see COMITY_HOST and COMITY_PORT)`] });
    } finally {
      taken.close();
    }
  });

  it('a database that does not answer, and one that refuses the user', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.deepEqual(await serve({ DATABASE_URL: `postgres://127.0.0.1:${port}/comity` }), { code: 1, stderr: [`comity: cannot connect: connect ECONNREFUSED 127.0.0.1:${port}`] });
    // The PostgreSQL the tests run against (127.0.0.1:5432, as CI starts it).
    const refused = await serve({ DATABASE_URL: 'postgres://no_such_role_comity@127.0.0.1:5432/test' });
    assert.deepEqual(refused, { code: 1, stderr: ['comity: the database refused: role "no_such_role_comity" does not exist (SQLSTATE 28000)'] });
  });
});
