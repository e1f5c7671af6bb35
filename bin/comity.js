#!/usr/bin/env node
// Entry point of the `comity` command. Runs the TypeScript sources through tsx's loader so that
// `npx comity …` works right after `npm ci`, with no build step to remember.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
