import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbConfigError, openDatabase, resolveDbConfig } from '../../src/db/index.js';
import type { DbConfigErrorCode } from '../../src/db/index.js';

const CWD = '/srv/comity';

function rejects(env: Record<string, string>, code: DbConfigErrorCode, pattern: RegExp): void {
  assert.throws(
    () => resolveDbConfig(env, { cwd: CWD }),
    (error: unknown) => {
      assert.ok(error instanceof DbConfigError);
      assert.equal(error.code, code);
      assert.match(error.message, pattern);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
}

describe('resolveDbConfig', () => {
  it('defaults to SQLite in ./.comity', () => {
    assert.deepEqual(resolveDbConfig({}, { cwd: CWD }), { kind: 'sqlite', file: '/srv/comity/.comity/comity.sqlite', synchronous: 'normal' });
    assert.deepEqual(resolveDbConfig({ DATABASE_URL: '  ' }, { cwd: CWD }), resolveDbConfig({}, { cwd: CWD }));
  });

  it('puts the SQLite file in COMITY_DATA_DIR, relative to cwd or absolute', () => {
    assert.equal(resolveDbConfig({ COMITY_DATA_DIR: 'var/data' }, { cwd: CWD }).kind, 'sqlite');
    assert.deepEqual(resolveDbConfig({ COMITY_DATA_DIR: 'var/data' }, { cwd: CWD }), {
      kind: 'sqlite',
      file: '/srv/comity/var/data/comity.sqlite',
      synchronous: 'normal',
    });
    assert.deepEqual(resolveDbConfig({ COMITY_DATA_DIR: '/data', COMITY_SQLITE_SYNC: 'FULL' }, { cwd: CWD }), {
      kind: 'sqlite',
      file: '/data/comity.sqlite',
      synchronous: 'full',
    });
  });

  it('selects PostgreSQL for postgres:// and postgresql:// with the pool size from DATABASE_POOL_MAX', () => {
    assert.deepEqual(resolveDbConfig({ DATABASE_URL: 'postgres://app:secret@db.internal:5432/comity' }), {
      kind: 'postgres',
      url: 'postgres://app:secret@db.internal:5432/comity',
      poolMax: 10,
    });
    assert.deepEqual(resolveDbConfig({ DATABASE_URL: 'postgresql://db/comity', DATABASE_POOL_MAX: '25' }), {
      kind: 'postgres',
      url: 'postgresql://db/comity',
      poolMax: 25,
    });
  });

  it('selects PGlite for pglite://memory and pglite:///path', () => {
    assert.deepEqual(resolveDbConfig({ DATABASE_URL: 'pglite://memory' }), { kind: 'pglite', dataDir: null });
    assert.deepEqual(resolveDbConfig({ DATABASE_URL: 'pglite:///var/lib/comity/pg%20data' }), {
      kind: 'pglite',
      dataDir: '/var/lib/comity/pg data',
    });
  });

  it('rejects bad URLs and settings with one-line messages that never show a password', () => {
    rejects({ DATABASE_URL: 'mysql://root:hunter2@db/comity' }, 'unsupported-scheme', /"mysql:" is not supported/);
    rejects({ DATABASE_URL: 'just-a-word' }, 'invalid-url', /not a URL/);
    rejects({ DATABASE_URL: 'postgres://u:hunter2@[bad/x' }, 'invalid-url', /not a valid URL/);
    rejects({ DATABASE_URL: 'pglite://relative/dir' }, 'invalid-url', /pglite:\/\/memory or pglite:\/\/\/absolute\/path/);
    rejects({ DATABASE_URL: 'pglite:///' }, 'invalid-url', /absolute directory/);
    rejects({ COMITY_SQLITE_SYNC: 'off' }, 'invalid-setting', /COMITY_SQLITE_SYNC/);
    rejects({ DATABASE_URL: 'postgres://db/x', DATABASE_POOL_MAX: '0' }, 'invalid-setting', /DATABASE_POOL_MAX/);
    rejects({ DATABASE_URL: 'postgres://db/x', DATABASE_POOL_MAX: '10\nX' }, 'invalid-setting', /DATABASE_POOL_MAX/);
    for (const url of ['mysql://root:hunter2@db/comity', 'postgres://u:hunter2@[bad/x']) {
      try {
        resolveDbConfig({ DATABASE_URL: url });
      } catch (error) {
        assert.doesNotMatch(String(error), /hunter2/);
      }
    }
  });
});

describe('openDatabase', () => {
  it('creates the SQLite data directory with mode 0700 on first start', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'comity-config-test-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const config = resolveDbConfig({ COMITY_DATA_DIR: 'data' }, { cwd: root });
    const handle = await openDatabase(config);
    t.after(() => handle.close());
    assert.equal((await stat(join(root, 'data'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(root, 'data', 'comity.sqlite'))).isFile(), true);
  });

  it('keeps a PGlite database on disk across restarts (pglite:///path)', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'comity-pglite-test-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const config = resolveDbConfig({ DATABASE_URL: `pglite://${join(root, 'pg')}` });
    const first = await openDatabase(config);
    await first.migrate();
    await first.db.insertInto('schema_info').values({ key: 'installation', value: 'test' }).execute();
    await first.close();
    assert.equal((await stat(join(root, 'pg'))).mode & 0o777, 0o700);

    const second = await openDatabase(config);
    t.after(() => second.close());
    assert.deepEqual(await second.ready(), { ok: true, pending: [] });
    assert.deepEqual(await second.db.selectFrom('schema_info').selectAll().execute(), [{ key: 'installation', value: 'test' }]);
  });
});
