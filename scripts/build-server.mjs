#!/usr/bin/env node
// `npm run build:server`: transpiles the server's TypeScript (src/ without the web client and the
// tests) to JavaScript in dist/server/src/, one module per source file (the module graph, and so
// the lazy import()s, stay as written), with esbuild; then writes dist/server/build.json, the
// stamp bin/comity.js checks before running the build (see bin/build-stamp.js).
//
// No type checking here (that is `npm run typecheck`), and no bundling: node_modules stay where
// they are. The data files beside the sources (law data, translations, docs/errors.md, the
// verifier page, the web build in dist/web) are not copied: in a compiled module, import.meta.url
// (and import.meta.dirname / filename) still name the source file it was compiled from, so every
// `new URL('./data/…', import.meta.url)` reads the same file as under tsx.
//
//   node scripts/build-server.mjs                 build src/ into dist/server/
//   transpile(root, paths, out)                   (for the benchmark: src/, test/ and bench/ files)
import { mkdir, rename, rm, writeFile, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { BUILD_DIR, STAMP_FILE, serverSources, sourceHash } from '../bin/build-stamp.js';

const SOURCE_URL = '__comitySourceUrl';
const SOURCE_DIR = '__comitySourceDir';
const SOURCE_FILE = '__comitySourceFile';

/** Transpiles root/<path> (TypeScript) for each path to out/<path with .js>. */
export async function transpile(root, paths, out) {
  const queue = [...paths];
  const worker = async () => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      const source = await readFile(join(root, path), 'utf8');
      const target = join(out, path.replace(/\.ts$/, '.js'));
      const usesMeta = /import\.meta\.(url|dirname|filename)/.test(source);
      // From the compiled file back to its source, as a URL path relative to the compiled file.
      const back = relative(dirname(target), join(root, path)).split(sep).join('/');
      const { code } = await transform(source, {
        loader: 'ts',
        format: 'esm',
        target: 'node20',
        sourcefile: path,
        ...(usesMeta
          ? {
              define: { 'import.meta.url': SOURCE_URL, 'import.meta.dirname': SOURCE_DIR, 'import.meta.filename': SOURCE_FILE },
              banner: [
                `import { fileURLToPath as __comityFileURLToPath } from 'node:url';`,
                `const ${SOURCE_URL} = new URL(${JSON.stringify(back)}, import.meta.url).href;`,
                `const ${SOURCE_FILE} = __comityFileURLToPath(${SOURCE_URL});`,
                `const ${SOURCE_DIR} = __comityFileURLToPath(new URL('.', ${SOURCE_URL})).replace(/[\\\\/]$/, '');`,
              ].join('\n'),
            }
          : {}),
      });
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, code);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Builds root/src into root/dist/server (replacing the previous build whole) and stamps it. */
export async function buildServer(root) {
  const hash = sourceHash(root);
  const out = join(root, BUILD_DIR);
  const next = `${out}.next-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  await transpile(root, serverSources(root), next);
  await writeFile(join(next, STAMP_FILE), `${JSON.stringify({ sources: hash, builtAt: new Date().toISOString() })}\n`);
  // The new build appears whole: the old one is removed first, then the complete one renamed in.
  await rm(out, { recursive: true, force: true });
  await rename(next, out);
  // Sources edited while building: the stamp says what was read before; bin/comity.js then falls back to tsx.
  return { out, hash };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const started = Date.now();
  const { out } = await buildServer(root);
  process.stdout.write(`server build: ${relative(root, out)} (${serverSources(root).length} modules, ${Date.now() - started} ms)\n`);
}
