#!/usr/bin/env node
// `npm run build:server`: compiles the server's TypeScript (src/ without the web client and the
// tests) with esbuild into dist/server/: src/cli/main.ts (the entry bin/comity.js imports) bundled
// with the dependencies it imports from node_modules, minified (whitespace and syntax; names kept,
// so stack traces still name functions), code split at every lazy import() so that a module only
// some commands or routes use (documents, S3, PostgreSQL, federation demo…) stays in a chunk of
// its own, loaded when first used; then writes dist/server/build.json, the stamp bin/comity.js
// checks before running the build (see bin/build-stamp.js).
//
// Why a bundle: the compiled server keeps every module's source text, module record and wrapper
// in the V8 heap. One minified bundle instead of ~1,300 separate files (kysely alone is 263, ajv
// 211) saves ~8 MiB of resident memory at start (README, "Memory").
//
// No type checking here (that is `npm run typecheck`). Packages that read files beside their own
// code, native or WebAssembly ones, and big ones only loaded on demand stay in node_modules (see
// EXTERNAL). The data files beside the sources (law data, translations, docs/errors.md, the
// verifier page, the web build in dist/web) are not copied: in a compiled module,
// import.meta.url (and import.meta.dirname / filename) still name the source file it was compiled
// from, so every `new URL('./data/…', import.meta.url)` reads the same file as under tsx.
// `node --enable-source-maps` maps stack traces back to the sources (the maps are written beside
// the output, without the sources' text; they are only read with that flag).
//
//   node scripts/build-server.mjs                 build src/ into dist/server/
//   transpile(root, entry, out, workers?)         (also for the benchmark: its server entry in bench/)
import { mkdir, rename, rm, writeFile, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';
import { BUILD_DIR, ENTRY, STAMP_FILE, WORKER_ENTRIES, serverSources, sourceHash } from '../bin/build-stamp.js';

const SOURCE_URL = '__comitySourceUrl';
const SOURCE_DIR = '__comitySourceDir';
const SOURCE_FILE = '__comitySourceFile';

/**
 * Dependencies left in node_modules (imported at run time, not bundled): native or WebAssembly
 * code, packages reading files next to their own code (__dirname, require.resolve, worker
 * files), and the big ones loaded only on demand by a lazy import().
 */
export const EXTERNAL = [
  'better-sqlite3',
  '@electric-sql/pglite',
  'pg-native',
  'pdfkit',
  '@fontsource/*',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  'pino',
  'pino-pretty',
  '@aws-sdk/*',
  'nodemailer',
  'openid-client',
  'tsx',
  'esbuild',
];

/**
 * Compiles root/<entry> (TypeScript) and what it imports into out/<entry with .js>, with the
 * chunks of its lazy imports beside it (same directory: every output file of the build sits
 * there, which is what the source URLs below are relative to).
 */
export async function transpile(root, entry, out, workers = []) {
  const entryDir = dirname(entry);
  const outDir = join(out, entryDir);
  // A module that reads import.meta.url/dirname/filename is compiled on its own first, with those
  // replaced by its source file's URL, path and directory (relative to the output, so the checkout
  // can move): the code that finds data files next to the sources finds them under the build too.
  const sourceMeta = {
    name: 'comity-source-meta',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.split(sep).includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!/import\.meta\.(url|dirname|filename)/.test(source)) return { contents: source, loader: 'ts' };
        const back = relative(outDir, args.path).split(sep).join('/');
        const { code } = await transform(source, {
          loader: 'ts',
          format: 'esm',
          target: 'node20',
          sourcefile: args.path,
          sourcemap: 'inline',
          define: { 'import.meta.url': SOURCE_URL, 'import.meta.dirname': SOURCE_DIR, 'import.meta.filename': SOURCE_FILE },
          banner: [
            `import { fileURLToPath as __comityFileURLToPath } from 'node:url';`,
            `const ${SOURCE_URL} = new URL(${JSON.stringify(back)}, import.meta.url).href;`,
            `const ${SOURCE_FILE} = __comityFileURLToPath(${SOURCE_URL});`,
            `const ${SOURCE_DIR} = __comityFileURLToPath(new URL('.', ${SOURCE_URL})).replace(/[\\\\/]$/, '');`,
          ].join('\n'),
        });
        return { contents: code, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
  await build({
    absWorkingDir: root,
    // Worker entries are written into the entry's directory (their `out` names say so).
    entryPoints: [join(root, entry), ...workers.map((w) => ({ in: join(root, w.in), out: w.out }))],
    outbase: root,
    outdir: out,
    chunkNames: `${entryDir.split(sep).join('/')}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // Bundled CommonJS packages call require() for Node's modules: give each output file one.
    banner: { js: `import { createRequire as __comityCreateRequire } from 'node:module';\nconst require = __comityCreateRequire(import.meta.url);` },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'linked',
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [sourceMeta],
    logLevel: 'warning',
  });
}

/** Builds root/src into root/dist/server (replacing the previous build whole) and stamps it. */
export async function buildServer(root) {
  const hash = sourceHash(root);
  const out = join(root, BUILD_DIR);
  const next = `${out}.next-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  await mkdir(next, { recursive: true });
  await transpile(root, ENTRY, next, WORKER_ENTRIES);
  // A source edited while it was being built: no stamp, so the build is never taken for fresh.
  if (sourceHash(root) === hash) await writeFile(join(next, STAMP_FILE), `${JSON.stringify({ sources: hash, builtAt: new Date().toISOString() })}\n`);
  // The new build appears whole: the old one is removed first, then the complete one renamed in.
  await rm(out, { recursive: true, force: true });
  await rename(next, out);
  return { out, hash };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const started = Date.now();
  const { out } = await buildServer(root);
  process.stdout.write(`server build: ${relative(root, out)} (${serverSources(root).length} source modules bundled with their dependencies, ${Date.now() - started} ms)\n`);
}
