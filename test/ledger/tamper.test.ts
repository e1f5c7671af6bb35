/**
 * The log on every database engine: the real write paths sequence every audit event, login
 * event and access record contiguously; checkpoints, proofs and full verification; and tamper
 * tests — random single-byte changes to events, leaves, tree nodes and checkpoints, deleted and
 * reordered rows, a truncated log, a database restored from an earlier copy — every one
 * detected by verification or refused at the next checkpoint. Each tamper runs in a transaction
 * rolled back afterwards, so one populated log serves them all.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachDatabase } from '../db/dialects.js';
import { openDatabase, type Database } from '../../src/db/index.js';
import { CompactRange, LedgerError, leafHash, logVerifiers, memoryInProcess, publishCheckpoint, verifyLog, verifyTlogProof, type CheckpointMemory } from '../../src/ledger/index.js';
import { ledgerNode, type LedgerNode } from './fixture.js';

/** A deterministic generator (mulberry32), so a failure can be replayed from its seed; its state can be saved and restored (to replay a tampering that draws from it). */
interface Random {
  (): number;
  save(): number;
  restore(state: number): void;
}

function random(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, {
    save: () => a,
    restore: (state: number) => {
      a = state;
    },
  });
}

class Rollback extends Error {}

/** Runs `tamper` then verification in one transaction, rolled back; returns the report's problems (and the first entry named). */
async function tamperedReport(node: LedgerNode, tamper: (trx: Kysely<Database>) => Promise<void>, memory: CheckpointMemory = node.memory, parallel?: Random): Promise<string[] & { firstBadIndex?: number | null }> {
  let problems: string[] & { firstBadIndex?: number | null } = [];
  // Read before the transaction: on SQLite the key store's connection waits for it.
  const verifiers = await logVerifiers(node.keys, node.origin);
  const before = parallel?.save();
  await node.handle.db
    .transaction()
    .execute(async (trx) => {
      await tamper(trx);
      const report = await verifyLog(trx, { verifiersFor: async () => verifiers, memory });
      problems = Object.assign(report.problems, { firstBadIndex: report.firstBadIndex });
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  if (parallel !== undefined && before !== undefined) {
    // The same tampering committed to a copy of the database, verified over worker threads (each
    // with its own connection, which a transaction's changes would not reach) in chunks of 4
    // entries: the same first entry named and the same problems (in another order: one thread
    // compares nodes per batch of 1,024 entries, the parallel path per chunk).
    const dir = await mkdtemp(join(tmpdir(), 'comity-tamper-'));
    const file = join(dir, 'copy.sqlite');
    try {
      await sql`vacuum into ${file}`.execute(node.handle.db);
      const copy = await openDatabase({ kind: 'sqlite', file });
      try {
        // The same tampering: a tampering that draws random numbers draws the same ones again.
        const after = parallel.save();
        parallel.restore(before);
        await copy.db.transaction().execute(tamper);
        assert.equal(parallel.save(), after);
        const report = await verifyLog(copy.db, { verifiersFor: async () => verifiers, memory, parallel: { database: { kind: 'sqlite', file }, threads: 2, chunkLevel: 2 } });
        assert.equal(report.workerErrors, undefined, 'the worker threads ran (not the caller in their place)');
        assert.deepEqual({ problems: [...report.problems].sort(), firstBadIndex: report.firstBadIndex }, { problems: [...problems].sort(), firstBadIndex: problems.firstBadIndex }, 'verification over worker threads reports what one thread reports');
      } finally {
        await copy.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return problems;
}

function changeOneChar(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * text.length);
  const old = text[at] as string;
  const alphabet = '0123456789abcdefABCDEF+/=-_:."{} xyz';
  let replacement = old;
  while (replacement === old) replacement = alphabet[Math.floor(rnd() * alphabet.length)] as string;
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

forEachDatabase('ledger', (target) => {
  it('sequences every audit, login and access row contiguously; checkpoints, proofs and verification hold; every tampering is detected', async (t) => {
    const config = await target.createConfig();
    const node = await ledgerNode(await target.open(config, t));
    const { db } = node.handle;
    await node.write(6);
    const first = await node.ledger.publish();
    assert.ok(first.signed);
    await node.write(6);
    const second = await node.ledger.publish();
    assert.ok(second.checkpoint.size > first.checkpoint.size);
    assert.equal((await node.ledger.publish()).signed, false, 'an unchanged tree is not signed again');

    // Contiguous from 0, one entry per recorded row.
    const entries = await db.selectFrom('ledger_entries').select(['idx', 'source']).orderBy('idx').execute();
    assert.deepEqual(entries.map((e) => Number(e.idx)), entries.map((_, i) => i));
    const audit = await db.selectFrom('audit_events').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    assert.equal(entries.filter((e) => e.source === 'audit').length, Number(audit.n));
    assert.equal(entries.filter((e) => e.source === 'login').length, 12);
    assert.equal(entries.filter((e) => e.source === 'access').length, 12);

    const report = await node.ledger.verify();
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(report.checkpoints, 2);

    // Over worker threads, each with its own connection (PGlite: one thread), in chunks of 4
    // entries: the same report, intact and after a committed change to an audit event (undone after).
    const verifiers = await logVerifiers(node.keys, node.origin);
    const parallel = { verifiersFor: async () => verifiers, memory: node.memory, parallel: { database: config, threads: 3, chunkLevel: 2 } };
    assert.deepEqual(await verifyLog(db, parallel), await verifyLog(db, { ...parallel, parallel: undefined }));
    const changed = await db.selectFrom('ledger_entries').select(['idx', 'source_id']).where('source', '=', 'audit').orderBy('idx', 'desc').offset(5).limit(1).executeTakeFirstOrThrow();
    const action = await db.selectFrom('audit_events').select('action').where('id', '=', changed.source_id).executeTakeFirstOrThrow();
    await db.updateTable('audit_events').set({ action: 'case.forged' }).where('id', '=', changed.source_id).execute();
    const forged = await verifyLog(db, parallel);
    assert.equal(forged.firstBadIndex, Number(changed.idx));
    assert.deepEqual([...forged.problems].sort(), [...(await verifyLog(db, { ...parallel, parallel: undefined })).problems].sort());
    await db.updateTable('audit_events').set({ action: action.action }).where('id', '=', changed.source_id).execute();
    assert.equal((await verifyLog(db, parallel)).ok, true);

    // An event's proof verifies offline with the vkey only.
    const lastAudit = await db.selectFrom('audit_events').select('id').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    const proof = await node.ledger.proofOf(lastAudit.id);
    const identity = await node.ledger.identity();
    const verified = verifyTlogProof(proof.tlogProof, node.origin, identity.verifier);
    assert.equal(verified.index, proof.index);
    assert.match(verified.entry.toString(), new RegExp(`"id":"${lastAudit.id}"`));

    const rnd = random(20261203);
    const tried: Record<string, number> = {};
    let count = 0;
    let parallelChecks = 0;
    const mustDetect = async (kind: string, tamper: (trx: Kysely<Database>) => Promise<void>, memory?: CheckpointMemory, firstBad?: number): Promise<void> => {
      // On SQLite the first tampering of each kind and every fourth one are also verified over
      // worker threads (each check starts a worker: ≈ 1 s of CPU under tsx).
      const parallel = target.kind === 'sqlite' && (tried[kind] === undefined || count % 4 === 0);
      count += 1;
      if (parallel) parallelChecks += 1;
      const problems = await tamperedReport(node, tamper, memory, parallel ? rnd : undefined);
      assert.ok(problems.length > 0, `${kind} went undetected`);
      if (firstBad !== undefined) assert.equal(problems.firstBadIndex, firstBad, `${kind}: the first entry that does not match is named`);
      tried[kind] = (tried[kind] ?? 0) + 1;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;

    const events = (await db.selectFrom('audit_events').selectAll().execute()) as Array<Record<string, unknown>>;
    const columns = ['actor', 'action', 'object_type', 'object_id', 'at', 'before_digest', 'after_digest', 'details'];
    for (let i = 0; i < 12; i += 1) {
      const event = pick(events);
      const column = pick(columns.filter((c) => typeof event[c] === 'string'));
      const entry = await db.selectFrom('ledger_entries').select('idx').where('source_id', '=', String(event.id)).executeTakeFirstOrThrow();
      await mustDetect(
        'byte changed in an audit event',
        async (trx) => {
          await sql`update audit_events set ${sql.ref(column)} = ${changeOneChar(String(event[column]), rnd)} where id = ${String(event.id)}`.execute(trx);
        },
        undefined,
        Number(entry.idx),
      );
    }
    const logins = await db.selectFrom('login_events').selectAll().execute();
    for (let i = 0; i < 4; i += 1) {
      const login = pick(logins);
      await mustDetect('byte changed in a login event', async (trx) => {
        await trx.updateTable('login_events').set({ email_hash: changeOneChar(login.email_hash, rnd) }).where('id', '=', login.id).execute();
      });
    }
    const leaves = await db.selectFrom('ledger_leaves').selectAll().execute();
    for (let i = 0; i < 12; i += 1) {
      const leaf = pick(leaves);
      await mustDetect(
        'byte changed in a leaf',
        async (trx) => {
          await trx.updateTable('ledger_leaves').set({ leaf: changeOneChar(leaf.leaf, rnd) }).where('idx', '=', leaf.idx).execute();
        },
        undefined,
        Number(leaf.idx),
      );
    }
    const nodes = await db.selectFrom('ledger_nodes').selectAll().execute();
    for (let i = 0; i < 12; i += 1) {
      const n = pick(nodes);
      const hash = Buffer.from(n.hash);
      const at = Math.floor(rnd() * 32);
      hash[at] = (hash[at] as number) ^ (1 + Math.floor(rnd() * 255));
      await mustDetect('byte changed in a tree node', async (trx) => {
        await trx.updateTable('ledger_nodes').set({ hash }).where('level', '=', n.level).where('idx', '=', n.idx).execute();
      });
    }
    const checkpoints = await db.selectFrom('ledger_checkpoints').selectAll().execute();
    for (let i = 0; i < 12; i += 1) {
      const c = pick(checkpoints);
      await mustDetect('byte changed in a checkpoint', async (trx) => {
        await trx.updateTable('ledger_checkpoints').set({ note: changeOneChar(c.note, rnd) }).where('origin', '=', c.origin).where('size', '=', c.size).execute();
      });
      const root = Buffer.from(c.root);
      const at = Math.floor(rnd() * 32);
      root[at] = (root[at] as number) ^ 0x80;
      await mustDetect('byte changed in a checkpoint', async (trx) => {
        await trx.updateTable('ledger_checkpoints').set({ root }).where('origin', '=', c.origin).where('size', '=', c.size).execute();
      });
    }
    const tree = await db.selectFrom('ledger_tree').selectAll().executeTakeFirstOrThrow();
    await mustDetect('byte changed in the tree head', async (trx) => {
      const root = Buffer.from(tree.root);
      root[3] = (root[3] as number) ^ 1;
      await trx.updateTable('ledger_tree').set({ root }).execute();
    });
    for (const table of ['audit_events', 'login_events', 'case_access', 'ledger_entries', 'ledger_leaves', 'ledger_nodes'] as const) {
      for (let i = 0; i < 3; i += 1) {
        await mustDetect('deleted row', async (trx) => {
          const rows = (await sql<{ k: string }>`select ${sql.raw(table.startsWith('ledger_') ? (table === 'ledger_nodes' ? "level || '/' || idx" : 'cast(idx as text)') : 'id')} as k from ${sql.table(table)}`.execute(trx)).rows;
          const k = pick(rows).k;
          if (table === 'ledger_nodes') {
            const [level, idx] = k.split('/').map(Number) as [number, number];
            await trx.deleteFrom('ledger_nodes').where('level', '=', level).where('idx', '=', idx).execute();
          } else if (table.startsWith('ledger_')) await sql`delete from ${sql.table(table)} where idx = ${Number(k)}`.execute(trx);
          else await sql`delete from ${sql.table(table)} where id = ${k}`.execute(trx);
        });
      }
    }
    // Rows added beside the log: counted as the entries are verified, and outside [0, size) by key.
    const copyOfEvent = async (trx: Kysely<Database>): Promise<void> => {
      const e = pick(events);
      const text = (v: unknown): string | null => (v === null ? null : String(v));
      await trx.insertInto('audit_events').values({ id: `${String(e.id).slice(0, -4)}beef`, actor: String(e.actor), action: String(e.action), object_type: String(e.object_type), object_id: String(e.object_id), at: String(e.at), before_digest: text(e.before_digest), after_digest: text(e.after_digest), details: text(e.details) }).execute();
    };
    const lastEntry = async (trx: Kysely<Database>): Promise<number> => Number((await trx.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow()).size) - 1;
    await mustDetect('audit row the log does not record', async (trx) => {
      await copyOfEvent(trx);
      await trx.deleteFrom('ledger_entries').where('idx', '=', await lastEntry(trx)).execute();
      await trx.updateTable('ledger_head').set({ size: sql`size - 1` }).execute();
    });
    await mustDetect('log entry beyond the head', async (trx) => {
      await copyOfEvent(trx);
      await trx.updateTable('ledger_head').set({ size: sql`size - 1` }).execute();
    });
    await mustDetect('leaf hash beyond the tree', async (trx) => {
      const integrated = Number((await trx.selectFrom('ledger_tree').select('size').executeTakeFirstOrThrow()).size);
      await trx.insertInto('ledger_nodes').values({ level: 0, idx: integrated + 1, hash: Buffer.alloc(32, 7) }).execute();
    });
    for (let i = 0; i < 6; i += 1) {
      const a = pick(leaves);
      const b = pick(leaves.filter((l) => l.idx !== a.idx && l.leaf !== a.leaf));
      await mustDetect('reordered rows', async (trx) => {
        await trx.updateTable('ledger_leaves').set({ leaf: b.leaf }).where('idx', '=', a.idx).execute();
        await trx.updateTable('ledger_leaves').set({ leaf: a.leaf }).where('idx', '=', b.idx).execute();
      });
      const ea = pick(entries);
      const eb = pick(entries.filter((e) => e.idx !== ea.idx));
      await mustDetect('reordered rows', async (trx) => {
        await trx.updateTable('ledger_entries').set({ idx: -1 }).where('idx', '=', ea.idx).execute();
        await trx.updateTable('ledger_entries').set({ idx: ea.idx }).where('idx', '=', eb.idx).execute();
        await trx.updateTable('ledger_entries').set({ idx: eb.idx }).where('idx', '=', -1).execute();
      });
    }
    // A truncated log, rebuilt coherently (tree head and nodes recomputed) so only the signed checkpoints can tell.
    for (const keep of [first.checkpoint.size - 1, first.checkpoint.size + 1, second.checkpoint.size - 1]) {
      await mustDetect('truncated log', async (trx) => {
        await truncateTo(trx, keep);
      });
    }
    // A database restored from an earlier copy: the log as it was at the first checkpoint, its
    // later checkpoints gone with it. Only the checkpoint kept outside the database can tell.
    const restore = async (trx: Kysely<Database>): Promise<void> => {
      await truncateTo(trx, first.checkpoint.size);
      await trx.deleteFrom('ledger_checkpoints').where('size', '>', first.checkpoint.size).execute();
    };
    await mustDetect('database restored from an earlier copy', restore);
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    process.stdout.write(`# ${target.kind}: ${total} tamperings tried, all detected: ${JSON.stringify(tried)}${parallelChecks > 0 ? `; ${parallelChecks} of them also verified over worker threads, with the same report` : ''}\n`);

    // The restored database: the next checkpoint is refused, an incident opened, until resolved.
    let refusals = 0;
    await db
      .transaction()
      .execute(async (trx) => {
        await restore(trx);
        await assert.rejects(
          publishCheckpoint(trx, identity, { now: new Date(), newId: () => `incident-${Date.now()}`, memory: node.memory, onRefusal: () => (refusals += 1) }),
          (error: unknown) => error instanceof LedgerError && error.code === 'inconsistent-checkpoint',
        );
        const open = await trx.selectFrom('ledger_incidents').selectAll().where('resolved_at', 'is', null).execute();
        assert.equal(open.length, 1);
        assert.match(open[0]?.reason ?? '', /restored from an older copy/);
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    assert.equal(refusals, 1);
    // The same database with a fresh memory (a new node) would sign: the file is what remembers.
    assert.ok((await tamperedReport(node, restore, memoryInProcess())).length === 0);
  });

  it('refuses to sign after tampering until an administrator resolves it', async (t) => {
    const node = await ledgerNode(await target.create(t));
    const { db } = node.handle;
    await node.write(3);
    await node.ledger.publish();
    const leaf = await db.selectFrom('ledger_leaves').selectAll().where('idx', '=', 2).executeTakeFirstOrThrow();
    // Edit a logged leaf and its tree nodes coherently up to the root: the signed checkpoint catches it.
    await db.updateTable('ledger_leaves').set({ leaf: leaf.leaf.replace('"v":1', '"v":1 ') }).where('idx', '=', 2).execute();
    await rebuildTree(db);
    await assert.rejects(node.ledger.publish(), (error: unknown) => error instanceof LedgerError && error.code === 'inconsistent-checkpoint');
    assert.equal((await node.ledger.incidents()).length, 1);
    await assert.rejects(node.ledger.resolve('checked'), (error: unknown) => error instanceof LedgerError && error.code === 'inconsistent-checkpoint');
    // Restoring the leaf is not enough while the incident is open …
    await db.updateTable('ledger_leaves').set({ leaf: leaf.leaf }).where('idx', '=', 2).execute();
    await rebuildTree(db);
    await assert.rejects(node.ledger.publish(), (error: unknown) => error instanceof LedgerError && error.code === 'inconsistent-checkpoint');
    // … an administrator resolves it, then the node signs again.
    assert.equal(await node.ledger.resolve('leaf restored from the backup of 2026-12-01'), 1);
    await node.write(1);
    assert.equal((await node.ledger.publish()).signed, true);
    assert.equal((await node.ledger.verify()).ok, true);
  });

  it('a history that cannot be recovered: a new origin starts a new log, the incident is resolved', async (t) => {
    const node = await ledgerNode(await target.create(t));
    const { db } = node.handle;
    await node.write(3);
    const signed = await node.ledger.publish();
    // The tail of the log is lost for good (a restore from an older backup, nothing newer exists).
    await truncateTo(db, signed.checkpoint.size - 2);
    await assert.rejects(node.ledger.publish(), (error: unknown) => error instanceof LedgerError && error.code === 'inconsistent-checkpoint');
    await assert.rejects(node.ledger.resolve('nothing newer to restore'), (error: unknown) => error instanceof LedgerError && error.code === 'inconsistent-checkpoint');
    const next = node.ledgerFor('comity.test.example/log/2');
    assert.equal(await next.resolve('backup of 2026-12-01 restored; the log continues as comity.test.example/log/2'), 1);
    const fresh = await next.publish();
    assert.ok(fresh.signed);
    assert.equal(fresh.checkpoint.origin, 'comity.test.example/log/2');
    assert.equal(fresh.checkpoint.size, signed.checkpoint.size - 2);
    // The new log verifies; the retired one is named, its signatures still checked.
    const report = await next.verify();
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.retiredOrigins, [node.origin]);
  });
});

/** Recomputes the tree tables from the stored leaves (what a careful forger would do). */
async function rebuildTree(trx: Kysely<Database>, size?: number): Promise<void> {
  const leaves = await trx.selectFrom('ledger_leaves').select(['idx', 'leaf']).orderBy('idx').execute();
  const range = new CompactRange();
  await trx.deleteFrom('ledger_nodes').execute();
  const nodes: Array<{ level: number; idx: number; hash: Buffer }> = [];
  for (const l of leaves.slice(0, size ?? leaves.length)) for (const n of range.append(leafHash(Buffer.from(l.leaf)))) nodes.push({ level: n.level, idx: n.index, hash: n.hash });
  for (let i = 0; i < nodes.length; i += 200) await trx.insertInto('ledger_nodes').values(nodes.slice(i, i + 200)).execute();
  await trx.updateTable('ledger_tree').set({ size: range.size, root: range.root(), range: range.nodes.map((h) => h.toString('base64')).join(' ') }).execute();
}

/** The log as if only its first `keep` entries (and their recorded rows) had ever existed. */
async function truncateTo(trx: Kysely<Database>, keep: number): Promise<void> {
  const dropped = await trx.selectFrom('ledger_entries').select(['source', 'source_id']).where('idx', '>=', keep).execute();
  const tables = { audit: 'audit_events', login: 'login_events', access: 'case_access' } as const;
  for (const d of dropped) if (d.source in tables) await sql`delete from ${sql.table(tables[d.source as keyof typeof tables])} where id = ${d.source_id}`.execute(trx);
  await trx.deleteFrom('ledger_entries').where('idx', '>=', keep).execute();
  await trx.deleteFrom('ledger_leaves').where('idx', '>=', keep).execute();
  await trx.updateTable('ledger_head').set({ size: keep }).execute();
  await rebuildTree(trx, keep);
}
