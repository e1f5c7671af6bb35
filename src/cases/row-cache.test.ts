import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Selectable } from 'kysely';
import type { CasesTable, Database } from '../db/index.js';
import { CASE_ROW_CACHE_CHARS, CASE_ROW_CACHE_SIZE, cachedCase, forgetCase, rememberCase } from './row-cache.js';

// Dialects only: no query is ever run, so no connection is made.
const postgres = (): Kysely<Database> => new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: () => Promise.reject(new Error('unused')), end: async () => {} } }) });

function row(id: string, overrides: Partial<Selectable<CasesTable>> = {}): Selectable<CasesTable> {
  return {
    id, reference: `R-${id}`, requesting_authority_id: 'fr-ca', addressee_id: 'us-doj-oia', requesting_party: 'FR', requested_party: 'US', state: 'draft',
    legal_basis: 'ETS185:29', measures: '[]', emergency: 0, request: '{}', review: null, assessment: null, version: 1, created_at: 'x', updated_at: 'x',
    sent_at: null, received_at: null, closed_at: null, purpose: 'p', retention_days: 1, delete_after: null, purged_at: null, ...overrides,
  };
}

it('remembers on PostgreSQL only the rows the fast path can use: not received, not ended', () => {
  const db = postgres();
  rememberCase(db, row('a'));
  assert.equal(cachedCase(db, 'a')?.state, 'draft');
  rememberCase(db, row('a', { state: 'sent', version: 3 }));
  assert.equal(cachedCase(db, 'a')?.version, 3, 'the last write wins');
  rememberCase(db, row('a', { state: 'received', received_at: 'now', version: 4 }));
  assert.equal(cachedCase(db, 'a'), undefined, 'a received case holds received data: forgotten');
  rememberCase(db, row('b', { state: 'withdrawn' }));
  assert.equal(cachedCase(db, 'b'), undefined, 'an ended case: never remembered');
  rememberCase(db, row('c'));
  forgetCase(db, 'c');
  assert.equal(cachedCase(db, 'c'), undefined);
  const sqlite = new Kysely<Database>({ dialect: new SqliteDialect({ database: async () => { throw new Error('unused'); } }) });
  rememberCase(sqlite, row('d'));
  assert.equal(cachedCase(sqlite, 'd'), undefined, 'SQLite reads in process: nothing to save');
});

it('is bounded by rows and by characters of content, forgetting the least recently written first', () => {
  const db = postgres();
  for (let i = 0; i < CASE_ROW_CACHE_SIZE + 10; i += 1) rememberCase(db, row(`r${i}`));
  assert.equal(cachedCase(db, 'r0'), undefined);
  assert.equal(cachedCase(db, 'r9'), undefined);
  assert.ok(cachedCase(db, 'r10'));
  const big = 'x'.repeat(Math.floor(CASE_ROW_CACHE_CHARS / 4));
  for (let i = 0; i < 5; i += 1) rememberCase(db, row(`big${i}`, { request: big }));
  assert.equal(cachedCase(db, 'big0'), undefined, 'over the character budget: the oldest big row went');
  assert.ok(cachedCase(db, 'big4'));
});
