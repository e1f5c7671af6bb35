#!/usr/bin/env node
// Runs every *.test.ts suite with node:test through tsx. Node 20's --test does not expand globs,
// so the files are listed here. Extra arguments select suites by path substring:
//   node scripts/test.mjs law/ clock/
// A test file that runs longer than TEST_FILE_TIMEOUT_MS (default 20 minutes; the longest test,
// the fault test, takes about 1.5) fails as timed out and the run goes on: a hang (a query or a
// request that never returns) fails in minutes, naming its file, instead of holding CI until its
// limit. Node 20's --test-timeout bounds each file's process. TEST_ROOTS (comma-separated)
// replaces the folders searched, for the runner's own test.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.env.TEST_ROOTS ? process.env.TEST_ROOTS.split(',') : ['src', 'test'];
const filters = process.argv.slice(2);
const files = [];
for (const root of roots) {
  let entries = [];
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch {
    continue;
  }
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.test.ts')) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (filters.length === 0 || filters.some((f) => path.includes(f))) files.push(path);
  }
}
files.sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const reporter = process.env.TEST_REPORTER ?? 'spec';
const timeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 20 * 60_000);
if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
  console.error(`TEST_FILE_TIMEOUT_MS must be a positive whole number of milliseconds, not ${JSON.stringify(process.env.TEST_FILE_TIMEOUT_MS)}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, `--test-timeout=${timeoutMs}`, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
