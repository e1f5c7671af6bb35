// The server build's freshness rule, shared by `npm run build:server` (scripts/build-server.mjs),
// which writes the stamp, and bin/comity.js, which reads it.
//
// `npm run build:server` compiles the server's TypeScript (src/, without the web client and the
// tests), bundled with the dependencies it imports, to dist/server/ and writes
// dist/server/build.json holding the SHA-256 of those sources (their paths and bytes), of the
// build script and of the installed dependencies' lock (node_modules/.package-lock.json, which npm
// rewrites on every install, and package-lock.json). bin/comity.js runs dist/server only when that
// stamp equals the hash as it is now; otherwise (no build, or a build from other sources or other
// dependencies: an edited file, a `git pull` or `npm ci` without a rebuild) it runs the sources
// through tsx, which is slower to start and takes more memory but is never stale.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const BUILD_DIR = join('dist', 'server');
export const STAMP_FILE = 'build.json';
/** The build's entry (relative to the checkout): bin/comity.js imports it compiled, from BUILD_DIR. */
export const ENTRY = 'src/cli/main.ts';
/**
 * Worker threads' entries, built beside ENTRY (same directory, so that the source URLs compiled
 * into shared chunks hold for them too): source → output name, both relative to the checkout and
 * BUILD_DIR. src/ledger/verify-workers.ts starts the ledger's from there.
 */
export const WORKER_ENTRIES = [{ in: 'src/ledger/verify-worker.ts', out: 'src/cli/ledger-verify-worker' }];
const BUILD_SCRIPT = join('scripts', 'build-server.mjs');
/** What else a build is made from (a missing one hashes as missing): the TypeScript settings esbuild reads, and the bundled dependencies — the installed tree's lock and the project's. */
const LOCKS = ['tsconfig.json', 'node_modules/.package-lock.json', 'package-lock.json'];

/** The server's source files under `dir` (relative to root, '/'-separated, sorted): *.ts but not tests nor the web client. */
export function serverSources(root, dir = 'src') {
  const files = [];
  for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts') || entry.name.endsWith('.d.ts')) continue;
    const path = relative(root, join(entry.parentPath ?? entry.path, entry.name)).split(sep).join('/');
    if (dir === 'src' && path.startsWith('src/web/')) continue;
    files.push(path);
  }
  return files.sort();
}

/** SHA-256 (hex) of the server's sources, of the build script and of the dependency locks: what a build was made from. */
export function sourceHash(root) {
  const hash = createHash('sha256');
  for (const path of [...serverSources(root), BUILD_SCRIPT.split(sep).join('/')]) {
    const bytes = readFileSync(join(root, path));
    hash.update(`${path}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  for (const path of LOCKS) {
    let bytes = null;
    try {
      bytes = readFileSync(join(root, path));
    } catch {
      // absent: hashed as absent below
    }
    hash.update(bytes === null ? `${path}\0absent\0` : `${path}\0${bytes.length}\0`);
    if (bytes !== null) hash.update(bytes);
  }
  return hash.digest('hex');
}

/** The stamp of the build in root/dist/server, or null when there is none (or it is unreadable). */
export function readStamp(root) {
  try {
    const stamp = JSON.parse(readFileSync(join(root, BUILD_DIR, STAMP_FILE), 'utf8'));
    return typeof stamp?.sources === 'string' ? stamp : null;
  } catch {
    return null;
  }
}

/** True when root/dist/server holds a complete build of the sources as they are now. */
export function buildIsFresh(root) {
  const stamp = readStamp(root);
  return stamp !== null && stamp.sources === sourceHash(root);
}
