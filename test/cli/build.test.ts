// The server build (scripts/build-server.mjs) and the rule bin/comity.js follows to run it
// (bin/build-stamp.js): dist/server only when its stamp matches the sources as they are now,
// otherwise the sources through tsx. Runs on a copy of the checkout (src/, bin/, scripts/,
// package.json, docs/, node_modules linked) so that editing a source or the build cannot race
// anything else using the real one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
type Build = { buildServer: (root: string) => Promise<{ out: string; hash: string }> };
type Stamp = { buildIsFresh: (root: string) => boolean; sourceHash: (root: string) => string };

describe('server build and the runtime rule of bin/comity.js', () => {
  const root = mkdtempSync(join(tmpdir(), 'comity-build-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(join(ROOT, 'src'), join(root, 'src'), { recursive: true, filter: (p) => !p.includes(`${join('src', 'web')}`) });
  cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'scripts'), join(root, 'scripts'), { recursive: true });
  cpSync(join(ROOT, 'docs'), join(root, 'docs'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');

  const comity = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'comity.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const load = async () => ({
    build: (await import(pathToFileURL(join(root, 'scripts', 'build-server.mjs')).href)) as Build,
    stamp: (await import(pathToFileURL(join(root, 'bin', 'build-stamp.js')).href)) as Stamp,
  });
  const MARKER = 'ran-the-compiled-build';
  const mark = () => appendFileSync(join(root, 'dist', 'server', 'src', 'cli', 'main.js'), `\nprocess.stderr.write(${JSON.stringify(`${MARKER}\n`)});\n`);
  const LAW = ['law', 'bases', '--from', 'FR', '--to', 'US', '--measure', 'preservation', '--date', '2026-12-01', '--json'];

  test('no build: the sources run through tsx; COMITY_RUNTIME=dist is refused (exit 2, one line)', async () => {
    const { stamp } = await load();
    assert.equal(stamp.buildIsFresh(root), false);
    const r = comity(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: comity/);
    const refused = comity(['--help'], { COMITY_RUNTIME: 'dist' });
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    assert.match(refused.stderr, /npm run build/);
    assert.equal(comity(['--help'], { COMITY_RUNTIME: 'bun' }).code, 2);
  });

  test('a fresh build runs compiled, and reads its data files beside the sources', async () => {
    const { build, stamp } = await load();
    const { hash } = await build.buildServer(root);
    assert.equal(hash, stamp.sourceHash(root));
    assert.equal(stamp.buildIsFresh(root), true);
    assert.ok(!existsSync(join(root, 'dist', 'server', 'src', 'law', 'data')), 'data files are not copied into the build');
    mark();
    const r = comity(LAW);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(MARKER));
    // The knowledge base came from src/law/data through the compiled module's import.meta.url.
    const tsx = comity(LAW, { COMITY_RUNTIME: 'tsx' });
    assert.equal(tsx.code, 0, tsx.stderr);
    assert.doesNotMatch(tsx.stderr, new RegExp(MARKER));
    assert.equal(r.stdout, tsx.stdout);

    // `comity ledger verify --threads N` starts its worker threads from the build: the worker is
    // an entry of its own there, and it loads, opens its connection and closes on request.
    assert.ok(existsSync(join(root, 'dist', 'server', 'src', 'cli', 'ledger-verify-worker.js')));
    const file = join(root, 'worker-check.sqlite');
    const script = `
      import { Worker } from 'node:worker_threads';
      const { openDatabase } = await import(${JSON.stringify(pathToFileURL(join(root, 'src', 'db', 'index.ts')).href)});
      const { workerBootstrap } = await import(${JSON.stringify(pathToFileURL(join(root, 'src', 'ledger', 'verify-workers.ts')).href)});
      const handle = await openDatabase({ kind: 'sqlite', file: ${JSON.stringify(file)} });
      await handle.migrate();
      await handle.close();
      const { code, runtime } = await workerBootstrap();
      const worker = new Worker(code, { eval: true, workerData: { database: { kind: 'sqlite', file: ${JSON.stringify(file)} }, batch: 16 } });
      worker.on('error', (error) => { process.stderr.write('worker failed: ' + error.message + '\\n'); process.exit(1); });
      worker.postMessage({ close: true });
      worker.on('exit', (exitCode) => process.stdout.write(JSON.stringify({ runtime, exitCode })));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { runtime: 'dist', exitCode: 0 });
  });

  test('an edited source makes the build stale: tsx runs the edit until the next build', async () => {
    const { build, stamp } = await load();
    const file = join(root, 'src', 'cli', 'main.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nprocess.stderr.write('edited-source\\n');\n`);
    assert.equal(stamp.buildIsFresh(root), false);
    const stale = comity(['--help']);
    assert.equal(stale.code, 0, stale.stderr);
    assert.doesNotMatch(stale.stderr, new RegExp(MARKER));
    assert.match(stale.stderr, /edited-source/);
    assert.equal(comity(['--help'], { COMITY_RUNTIME: 'dist' }).code, 2);
    // A new file counts too (the stamp covers the list of sources, not only their bytes).
    await build.buildServer(root);
    assert.equal(stamp.buildIsFresh(root), true);
    writeFileSync(join(root, 'src', 'cli', 'extra.ts'), 'export const extra = 1;\n');
    assert.equal(stamp.buildIsFresh(root), false);
    rmSync(join(root, 'src', 'cli', 'extra.ts'));
    assert.equal(stamp.buildIsFresh(root), true);
    const rebuilt = comity(['--help'], { COMITY_RUNTIME: 'dist' });
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stderr, /edited-source/);
  });

  test('the build bundles its dependencies; another install of them makes it stale', async () => {
    const { build, stamp } = await load();
    await build.buildServer(root);
    const dir = join(root, 'dist', 'server', 'src', 'cli');
    const outputs = readdirSync(dir).filter((f) => f.endsWith('.js'));
    const code = outputs.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    // commander, fastify, kysely, zod are in the output, not imported from node_modules…
    for (const bundled of ['commander', 'fastify', 'kysely', 'zod']) assert.doesNotMatch(code, new RegExp(`(from|import|require\\()\\s*["']${bundled}["']`), `${bundled} is imported, not bundled`);
    // …while the packages left out (here pdfkit, which reads its font data beside its code) are imported.
    assert.match(code, /from\s*["']pdfkit["']/, 'pdfkit is imported from node_modules');
    // …in a few files (the entry and the chunks of its lazy imports), not one per module.
    assert.ok(outputs.includes('main.js') && outputs.length < 40, `${outputs.length} output files`);
    assert.equal(stamp.buildIsFresh(root), true);
    // The dependencies are part of the build: a new lock (`npm ci` of another package-lock.json) makes it stale.
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3}\n');
    assert.equal(stamp.buildIsFresh(root), false);
    assert.equal(comity(['--help'], { COMITY_RUNTIME: 'dist' }).code, 2);
    rmSync(join(root, 'package-lock.json'));
    assert.equal(stamp.buildIsFresh(root), true);
    const r = comity(['--help'], { COMITY_RUNTIME: 'dist' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: comity/);
  });

  test('a tampered or missing stamp is not trusted', async () => {
    const { stamp } = await load();
    const file = join(root, 'dist', 'server', 'build.json');
    writeFileSync(file, '{"sources": "not a hash"}');
    assert.equal(stamp.buildIsFresh(root), false);
    writeFileSync(file, 'garbage');
    assert.equal(stamp.buildIsFresh(root), false);
    rmSync(file);
    assert.equal(stamp.buildIsFresh(root), false);
    assert.equal(comity(['--help']).code, 0);
  });
});
