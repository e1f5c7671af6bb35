/**
 * Every file Comity creates is 0600 and every directory 0700 whatever the umask; start-up refuses
 * a data directory others can read, naming it (issue 18). Run under umask 000, the most permissive.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/index.js';
import { startServer } from '../../src/server.js';

const skip = process.platform === 'win32' && 'POSIX modes';
const roots: string[] = [];
let umask = 0;
before(() => {
  umask = process.umask(0);
});
after(() => {
  process.umask(umask);
  roots.forEach((root) => rmSync(root, { recursive: true, force: true }));
});
function root(): string {
  const dir = mkdtempSync(join(tmpdir(), 'comity-modes-'));
  roots.push(dir);
  return dir;
}
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/** Every entry under `dir` (and `dir`) with its mode, for one assertion that names what is wrong. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = { '.': mode(dir) };
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = mode(path);
  }
  return out;
}

it('SQLite database, WAL and SHM files are 0600 and their new directories 0700 under umask 000', { skip }, async () => {
  assert.equal(process.umask(), 0);
  const data = join(root(), 'a', 'b');
  const handle = await openDatabase({ kind: 'sqlite', file: join(data, 'comity.sqlite') });
  try {
    await handle.migrate();
    await sql`insert into schema_info (key, value) values ('x', 'y')`.execute(handle.db);
    const tree = modes(data);
    assert.deepEqual(Object.keys(tree).sort(), ['.', 'comity.sqlite', 'comity.sqlite-shm', 'comity.sqlite-wal']);
    assert.deepEqual(tree, { '.': '700', 'comity.sqlite': '600', 'comity.sqlite-shm': '600', 'comity.sqlite-wal': '600' });
  } finally {
    await handle.close();
  }
});

it('a database file left 0644 by an older version is made 0600 when opened', { skip }, async () => {
  const data = root();
  const file = join(data, 'comity.sqlite');
  writeFileSync(file, '');
  chmodSync(file, 0o644);
  const handle = await openDatabase({ kind: 'sqlite', file });
  await handle.close();
  assert.equal(mode(file), '600');
});

it('the demo server writes only owner-only files (database, logins, key) and refuses a data directory others can read', { skip }, async () => {
  const dir = root();
  const data = join(dir, 'data');
  const server = await startServer({ COMITY_DATA_DIR: data, COMITY_PORT: '0', COMITY_DEMO: 'true', COMITY_LOG_LEVEL: 'silent' }, { print: () => undefined, logger: false });
  await server.close();
  process.umask(0); // startServer set 077 for the whole process: back to the permissive mask for the next tests
  const tree = modes(dir);
  for (const [name, m] of Object.entries(tree)) {
    const isDir = statSync(join(dir, name)).isDirectory();
    assert.equal(m, isDir ? '700' : '600', `${name} is ${m}`);
  }
  assert.ok('data/demo-logins.json' in tree && 'data-keys/master.key' in tree && 'data/comity.sqlite' in tree, Object.keys(tree).join(', '));
  chmodSync(data, 0o755);
  await assert.rejects(
    startServer({ COMITY_DATA_DIR: data, COMITY_PORT: '0', COMITY_DEMO: 'true', COMITY_LOG_LEVEL: 'silent' }, { print: () => undefined, logger: false }),
    (error: unknown) => error instanceof Error && error.message.includes(`data directory ${data} is accessible by other users`) && error.message.includes(`chmod 700 ${data}`),
  );
  chmodSync(data, 0o700);
  chmodSync(join(dir, 'data-keys', 'master.key'), 0o640);
  await assert.rejects(
    startServer({ COMITY_DATA_DIR: data, COMITY_PORT: '0', COMITY_DEMO: 'true', COMITY_LOG_LEVEL: 'silent' }, { print: () => undefined, logger: false }),
    (error: unknown) => error instanceof Error && error.message.includes(`master key file ${join(dir, 'data-keys', 'master.key')} is accessible by other users`),
  );
});
