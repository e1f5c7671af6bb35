#!/usr/bin/env node
// Entry point of the `comity` command. Runs the TypeScript sources through tsx's loader so that
// `npx comity …` works right after `npm ci`, with no build step to remember.
import { register } from 'tsx/esm/api';

register();
// `comity … | head` closes stdout early: stop quietly instead of crashing with EPIPE.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
