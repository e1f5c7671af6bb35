import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { sql } from 'kysely';
import { createUuidv7Generator, migrationNames, uuidv7, uuidv7Timestamp } from '../../src/db/index.js';
import type { DatabaseHandle, NewAuditEvent } from '../../src/db/index.js';
import { forEachDatabase, postgresProbe } from './dialects.js';
import type { WriterInput, WriterOutput } from './sqlite-writer.js';

console.log(`# PostgreSQL: ${postgresProbe.reachable ? `${postgresProbe.reason} at ${postgresProbe.shownUrl}` : `not reachable at ${postgresProbe.shownUrl} (${postgresProbe.reason})`}`);

const T0 = Date.UTC(2026, 2, 1, 9, 30);

function auditEvent(overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
  const now = overrides.at === undefined ? T0 : Date.parse(overrides.at);
  return {
    id: uuidv7(now),
    actor: 'officer@authority.example',
    action: 'request.create',
    object_type: 'request',
    object_id: 'req-1',
    at: new Date(now).toISOString(),
    before_digest: null,
    after_digest: 'sha256:' + '0'.repeat(64),
    details: JSON.stringify({ note: 'created' }),
    ...overrides,
  };
}

async function migrated(create: () => Promise<DatabaseHandle>): Promise<DatabaseHandle> {
  const handle = await create();
  await handle.migrate();
  return handle;
}

async function countEvents(handle: DatabaseHandle): Promise<number> {
  const row = await handle.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

forEachDatabase('db', (target) => {
  it('migrates from empty twice: the second run applies nothing', async (t) => {
    const handle = await target.create(t);
    const before = await handle.ready();
    assert.deepEqual(before, { ok: false, pending: [...migrationNames] });

    assert.deepEqual(await handle.migrate(), [...migrationNames]);
    assert.deepEqual(await handle.migrate(), []);

    assert.deepEqual(await handle.ready(), { ok: true, pending: [] });
    const tables = (await handle.db.introspection.getTables()).map((table) => table.name);
    assert.ok(tables.includes('audit_events') && tables.includes('schema_info'), tables.join(', '));
  });

  it('ready() is not ok when the database has a migration unknown to this version', async (t) => {
    const handle = await migrated(() => target.create(t));
    await sql`insert into kysely_migration (name, timestamp) values ('9999_future', ${new Date(T0).toISOString()})`.execute(handle.db);
    const readiness = await handle.ready();
    assert.equal(readiness.ok, false);
    assert.deepEqual(readiness.pending, []);
    assert.match(readiness.error ?? '', /unknown to this version: 9999_future/);
  });

  it('ready() reports a closed database without throwing', async (t) => {
    const handle = await migrated(() => target.create(t));
    await handle.close();
    await handle.close(); // idempotent
    const readiness = await handle.ready();
    assert.equal(readiness.ok, false);
    assert.match(readiness.error ?? '', /did not answer/);
  });

  it('inserts and selects audit events inside a transaction', async (t) => {
    const handle = await migrated(() => target.create(t));
    const events = [0, 1, 2].map((i) => auditEvent({ object_id: `req-${i}`, at: new Date(T0 + i).toISOString() }));
    const inserted = await handle.db.transaction().execute(async (trx) => {
      const seqs: number[] = [];
      for (const event of events) {
        const row = await trx.insertInto('audit_events').values(event).returning(['seq']).executeTakeFirstOrThrow();
        seqs.push(row.seq);
      }
      const seen = await trx.selectFrom('audit_events').select('id').where('object_type', '=', 'request').execute();
      assert.equal(seen.length, 3, 'visible inside the transaction');
      return seqs;
    });
    for (const seq of inserted) assert.equal(typeof seq, 'number');
    assert.ok(inserted[0]! < inserted[1]! && inserted[1]! < inserted[2]!, `seq increases: ${inserted.join(', ')}`);

    const rows = await handle.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    assert.deepEqual(
      rows.map(({ seq: _seq, ...rest }) => rest),
      events,
    );
    assert.deepEqual(JSON.parse(rows[0]!.details!), { note: 'created' });
    const byObject = await handle.db
      .selectFrom('audit_events')
      .select('id')
      .where('object_type', '=', 'request')
      .where('object_id', '=', 'req-1')
      .execute();
    assert.deepEqual(byObject, [{ id: events[1]!.id }]);
  });

  it('a rollback leaves nothing behind', async (t) => {
    const handle = await migrated(() => target.create(t));
    await assert.rejects(
      handle.db.transaction().execute(async (trx) => {
        await trx.insertInto('audit_events').values(auditEvent()).execute();
        await trx.insertInto('schema_info').values({ key: 'probe', value: 'x' }).execute();
        throw new Error('use case failed');
      }),
      /use case failed/,
    );
    const controlled = await handle.db.startTransaction().execute();
    await controlled.insertInto('audit_events').values(auditEvent()).execute();
    await controlled.rollback().execute();

    assert.equal(await countEvents(handle), 0);
    assert.deepEqual(await handle.db.selectFrom('schema_info').selectAll().execute(), []);
  });

  it('rejects a duplicate id and leaves the first event intact', async (t) => {
    const handle = await migrated(() => target.create(t));
    const event = auditEvent();
    await handle.db.insertInto('audit_events').values(event).execute();
    await assert.rejects(handle.db.insertInto('audit_events').values({ ...event, object_id: 'other' }).execute());
    const rows = await handle.db.selectFrom('audit_events').select(['id', 'object_id']).execute();
    assert.deepEqual(rows, [{ id: event.id, object_id: event.object_id }]);
  });

  it('returns counts and int8 as numbers, timestamps as strings', async (t) => {
    const handle = await migrated(() => target.create(t));
    await handle.db.insertInto('audit_events').values(auditEvent()).execute();
    const { rows } = await sql<{ n: unknown }>`select count(*) as n from audit_events`.execute(handle.db);
    assert.equal(rows[0]?.n, 1);
    if (target.kind !== 'sqlite') {
      const result = await sql<{ big: unknown; huge: unknown; ts: unknown }>`
        select cast(9007199254740991 as bigint) as big, cast(9007199254740993 as bigint) as huge,
               cast('2026-03-01T09:30:00.123456Z' as timestamptz) as ts`.execute(handle.db);
      const row = result.rows[0]!;
      assert.equal(row.big, Number.MAX_SAFE_INTEGER);
      assert.equal(row.huge, 9007199254740993n, 'beyond 2^53: a bigint, never a rounded number');
      assert.equal(typeof row.ts, 'string');
      assert.match(String(row.ts), /^2026-03-01[ T]\d\d:30:00\.123456/);
    }
  });

  it('stores uuidv7 ids that sort by time (property)', async (t) => {
    const handle = await migrated(() => target.create(t));
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { minLength: 2, maxLength: 8 }),
        async (times) => {
          round += 1;
          const objectId = `round-${round}`;
          // Each id from a fresh generator, so no monotonic state links them: only the time does.
          const events = times.map((ms) =>
            auditEvent({ id: createUuidv7Generator()(ms), object_id: objectId, at: new Date(ms).toISOString() }),
          );
          await handle.db.insertInto('audit_events').values(events).execute();
          const stored = await handle.db
            .selectFrom('audit_events')
            .select('id')
            .where('object_id', '=', objectId)
            .orderBy('id')
            .execute();
          const storedTimes = stored.map((row) => uuidv7Timestamp(row.id));
          assert.deepEqual(storedTimes, [...times].sort((a, b) => a - b));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('runs concurrent transactions in one process without losing any', async (t) => {
    const handle = await migrated(() => target.create(t));
    const writers = Array.from({ length: 20 }, (_, i) =>
      handle.db.transaction().execute(async (trx) => {
        await trx.selectFrom('audit_events').select('id').execute();
        await trx.insertInto('audit_events').values(auditEvent({ object_id: `concurrent-${i}` })).execute();
      }),
    );
    await Promise.all(writers);
    const seqs = (await handle.db.selectFrom('audit_events').select('seq').execute()).map((row) => row.seq);
    assert.equal(new Set(seqs).size, 20);
  });

  if (target.kind === 'postgres') {
    it('PostgreSQL: processes migrating at once apply each migration once', async (t) => {
      const config = await target.createConfig();
      const handles = await Promise.all([1, 2, 3].map(() => target.open(config, t)));
      const applied = await Promise.all(handles.map((handle) => handle.migrate()));
      assert.deepEqual(applied.flat().sort(), [...migrationNames]);
      for (const handle of handles) assert.deepEqual(await handle.ready(), { ok: true, pending: [] });
    });
  }

  if (target.kind === 'sqlite') {
    it('SQLite: is configured with WAL, NORMAL, foreign keys and a 5 s busy timeout', async (t) => {
      const handle = await target.create(t);
      const pragma = async (name: string): Promise<unknown> => {
        const { rows } = await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(handle.db);
        return Object.values(rows[0] ?? {})[0];
      };
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('synchronous'), 1); // NORMAL
      assert.equal(await pragma('foreign_keys'), 1);
      assert.equal(await pragma('busy_timeout'), 5000);

      const config = await target.createConfig();
      assert.equal(config.kind, 'sqlite');
      const full = await target.open({ kind: 'sqlite', file: config.kind === 'sqlite' ? config.file : '', synchronous: 'full' }, t);
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(full.db);
      assert.equal(rows[0]?.synchronous, 2); // FULL
    });

    it('SQLite: concurrent writers in other threads wait for the lock instead of failing with SQLITE_BUSY', async (t) => {
      const config = await target.createConfig();
      assert.equal(config.kind, 'sqlite');
      if (config.kind !== 'sqlite') return;
      const setup = await target.open(config, t);
      await setup.migrate();
      await setup.close();

      const workers = 4;
      const transactions = 40;
      const started = Date.now();
      const outputs = await Promise.all(
        Array.from({ length: workers }, (_, worker) => runWriter({ file: config.file, worker, transactions, holdMs: 2 })),
      );
      const elapsed = Date.now() - started;
      const errors = outputs.flatMap((output) => output.errors);
      assert.deepEqual(errors, []);
      const check = await target.open(config, t);
      assert.equal(await countEvents(check), workers * transactions);
      const maxWait = Math.max(...outputs.map((output) => output.maxWaitMs));
      console.log(`# sqlite: ${workers} threads × ${transactions} write transactions in ${elapsed} ms, longest lock wait ${maxWait} ms`);
    });
  }
});

function runWriter(input: WriterInput): Promise<WriterOutput> {
  return new Promise((resolve, reject) => {
    // Worker threads do not inherit tsx's loader: register it first, then load the TS worker.
    const boot = [
      `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};`,
      'register();',
      `await import(${JSON.stringify(new URL('./sqlite-writer.ts', import.meta.url).href)});`,
    ].join('\n');
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: input });
    let output: WriterOutput | undefined;
    worker.once('message', (message: WriterOutput) => {
      output = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (output !== undefined && code === 0) resolve(output);
      else reject(new Error(`writer ${input.worker} exited with code ${code} without a result`));
    });
  });
}
