import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase } from '../db/dialects.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { CaseError, createAuthority, createCaseContext, createCaseOnce, forgetExpiredIdempotencyKeys, transactionRunner, type Actor } from '../../src/cases/index.js';
import { DEMO_AUTHORITIES, preservationRequestFrToUs } from '../../src/demo/data.js';

const kb = loadKnowledgeBase();
const alice: Actor = { id: 'alice@fr-ca', authorityId: 'fr-ca' };
const bob: Actor = { id: 'bob@fr-ca', authorityId: 'fr-ca' };
const admin: Actor = { id: 'admin', authorityId: null };
const HOUR = 3_600_000;

forEachDatabase('idempotent case creation', (target) => {
  async function setup(t: { after(fn: () => Promise<void>): void }) {
    const handle = await target.create(t);
    await handle.migrate();
    let now = new Date('2026-12-01T08:00:00Z');
    // A group committer on SQLite (as a server with synchronous = FULL runs), pooled transactions on PostgreSQL.
    const ctx = createCaseContext(handle.db, kb, { now: () => now, transaction: transactionRunner(handle.db, { groupCommit: target.kind === 'sqlite' }) });
    for (const a of DEMO_AUTHORITIES) await createAuthority(ctx, admin, a);
    const count = async (table: 'cases' | 'idempotency_keys') => Number((await handle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { ctx, count, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  }

  it('a retry with the same key and request finds the first case; a different request under the key is refused', async (t) => {
    const { ctx, count } = await setup(t);
    const first = await createCaseOnce(ctx, alice, preservationRequestFrToUs(), 'key-1');
    assert.equal(first.replayed, false);
    const again = await createCaseOnce(ctx, alice, preservationRequestFrToUs(), 'key-1');
    assert.deepEqual(again, { case: first.case, replayed: true });
    await assert.rejects(createCaseOnce(ctx, alice, preservationRequestFrToUs({ facts: 'Something else entirely happened.' }), 'key-1'), (error: unknown) => error instanceof CaseError && error.code === 'idempotency-key-reused');
    // Keys are the actor's own: the same key from another user is another request.
    const other = await createCaseOnce(ctx, bob, preservationRequestFrToUs(), 'key-1');
    assert.equal(other.replayed, false);
    assert.notEqual(other.case.id, first.case.id);
    assert.equal(await count('cases'), 2);
    const audit = await ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'case.create').execute();
    assert.equal(audit.length, 2, 'a replay writes nothing');
  });

  it('a retry is recognised before the request is checked again (the basis has left the knowledge base meanwhile)', async (t) => {
    const { ctx } = await setup(t);
    const first = await createCaseOnce(ctx, alice, preservationRequestFrToUs(), 'before-change');
    const withoutBasis = { ...kb, provisions: kb.provisions.filter((p) => p.id !== 'ETS185:29') };
    const later = createCaseContext(ctx.db, withoutBasis, { now: ctx.now, transaction: ctx.transaction });
    assert.deepEqual(await createCaseOnce(later, alice, preservationRequestFrToUs(), 'before-change'), { case: first.case, replayed: true });
    await assert.rejects(createCaseOnce(later, alice, preservationRequestFrToUs(), 'new-key'), (error: unknown) => error instanceof CaseError && error.code === 'invalid-request');
  });

  it('concurrent attempts with one key create one case, and every attempt gets it', async (t) => {
    const { ctx, count } = await setup(t);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => createCaseOnce(ctx, alice, preservationRequestFrToUs(), 'race')));
    assert.equal(new Set(outcomes.map((o) => o.case.id)).size, 1);
    assert.equal(outcomes.filter((o) => !o.replayed).length, 1);
    assert.equal(await count('cases'), 1);
    assert.equal(await count('idempotency_keys'), 1);
  });

  it('a key is remembered for 24 hours, then forgotten; a malformed key is refused', async (t) => {
    const { ctx, count, advance } = await setup(t);
    const first = await createCaseOnce(ctx, alice, preservationRequestFrToUs(), 'daily');
    advance(23 * HOUR);
    assert.equal((await createCaseOnce(ctx, alice, preservationRequestFrToUs(), 'daily')).case.id, first.case.id);
    assert.equal(await forgetExpiredIdempotencyKeys(ctx), 0);
    advance(2 * HOUR);
    const later = await createCaseOnce(ctx, alice, preservationRequestFrToUs(), 'daily');
    assert.equal(later.replayed, false, 'after 24 hours the key starts afresh');
    assert.notEqual(later.case.id, first.case.id);
    await createCaseOnce(ctx, alice, preservationRequestFrToUs(), 'other');
    advance(25 * HOUR);
    assert.equal(await forgetExpiredIdempotencyKeys(ctx), 2);
    assert.equal(await count('idempotency_keys'), 0);
    for (const bad of ['', 'has space', 'é', 'x'.repeat(256)]) {
      await assert.rejects(createCaseOnce(ctx, alice, preservationRequestFrToUs(), bad), (error: unknown) => error instanceof CaseError && error.code === 'invalid-request');
    }
    assert.equal(await count('cases'), 3);
  });
});
