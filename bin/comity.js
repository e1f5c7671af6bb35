#!/usr/bin/env node
// Entry point of the `comity` command. Runs the compiled server (dist/server, made by
// `npm run build`) when that build is fresh — its stamp matches the sources as they are now, see
// bin/build-stamp.js — and otherwise the TypeScript sources through tsx's loader, so that
// `npx comity …` works right after `npm ci` with no build step, and an edited source file or a
// `git pull` without a rebuild never runs stale code. COMITY_RUNTIME=tsx forces the sources;
// COMITY_RUNTIME=dist requires a fresh build (exit 2 if there is none).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD_DIR, buildIsFresh } from './build-stamp.js';

const root = join(import.meta.dirname, '..');
const wanted = process.env.COMITY_RUNTIME ?? '';
if (!['', 'dist', 'tsx'].includes(wanted)) {
  process.stderr.write(`comity: COMITY_RUNTIME must be "dist" or "tsx", not "${wanted}"\n`);
  process.exit(2);
}
const compiled = wanted !== 'tsx' && buildIsFresh(root);
if (wanted === 'dist' && !compiled) {
  process.stderr.write('comity: COMITY_RUNTIME=dist but dist/server is missing or older than src/ or the installed dependencies (run `npm run build`)\n');
  process.exit(2);
}
// `comity … | head` closes stdout early: stop quietly instead of crashing with EPIPE.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
let main;
if (compiled) {
  ({ main } = await import(pathToFileURL(join(root, BUILD_DIR, 'src', 'cli', 'main.js')).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
