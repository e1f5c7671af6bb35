import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROBLEMS } from '../../src/http/problems.js';

test('docs/errors.md documents exactly the registry, with the same statuses', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z-]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])] as const);
  assert.deepEqual(
    rows.map(([code]) => code).sort(),
    Object.keys(PROBLEMS).sort(),
  );
  for (const [code, status] of rows) assert.equal(status, PROBLEMS[code as keyof typeof PROBLEMS].status, code);
});
