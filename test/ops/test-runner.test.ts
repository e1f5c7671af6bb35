/**
 * The README's test command bounds each test file (scripts/test.mjs, TEST_FILE_TIMEOUT_MS): a file
 * that hangs fails as timed out, naming itself, and the run ends in seconds instead of holding CI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';

const run = (env: Record<string, string>) => {
  // Without the variable node:test sets in a test file's process, which would make the nested run skip its files.
  const { NODE_TEST_CONTEXT: _inTest, ...outer } = process.env;
  return spawnSync(process.execPath, ['scripts/test.mjs'], { env: { ...outer, TEST_REPORTER: 'tap', TEST_ROOTS: 'scripts/fixtures/runner', ...env }, encoding: 'utf8', timeout: 120_000 });
};

it('a test file that hangs fails once its time is up, and the run ends', () => {
  const started = Date.now();
  const result = run({ TEST_FILE_TIMEOUT_MS: '3000' });
  assert.notEqual(result.signal, 'SIGTERM', 'the run itself ended (not killed by this test)');
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /not ok 1 - .*hangs\.test\.ts/);
  assert.match(result.stdout, /test timed out after 3000ms/);
  assert.ok(Date.now() - started < 60_000);
});

it('a timeout that is not a positive whole number is refused in one line, exit 2', () => {
  const result = run({ TEST_FILE_TIMEOUT_MS: 'soon' });
  assert.equal(result.status, 2);
  assert.equal(result.stderr, 'TEST_FILE_TIMEOUT_MS must be a positive whole number of milliseconds, not "soon"\n');
});
