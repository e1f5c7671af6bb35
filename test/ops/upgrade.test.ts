/**
 * Upgrades without loss (issue 18): a database of the previous release (migrations 0001–0005, as
 * at commit f3b6134) holding that release's rows (fixtures/release-0.1.json: cases, history,
 * clocks, audit, attachments, users with sealed TOTP secrets, sessions, an API token, an
 * idempotency key) is migrated to this version; every row keeps every value it had, and the
 * secrets still work. Also: each migration runs in one transaction, so a failing one leaves
 * nothing behind (the whole upgrade is one transaction on SQLite and PostgreSQL).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import { authenticateApiToken, createAuthContext, createSecretBox, login, totpCode, verifySecondFactor, base32Decode } from '../../src/auth/index.js';
import { MIGRATION_TABLE, migrationNames } from '../../src/db/index.js';
import type { Database } from '../../src/db/index.js';
import { migrations } from '../../src/db/migrations/index.js';
// The password the 0.1 release's demo used for every user (a literal then); the fixture's hashes are of it.
const DEMO_PASSWORD = 'comity-demo-2026!';
import { loadTables, parseTable } from '../../src/ops/logical-dump.js';
import { forEachDatabase } from '../db/dialects.js';
import { rowsOf } from './node-fixture.js';

interface Fixture {
  madeAt: string;
  masterKeyHex: string;
  migrations: string[];
  users: { email: string; totpSecret: string | null }[];
  apiToken: string;
  tables: { name: string; columns: string[]; rows: string }[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/release-0.1.json', import.meta.url), 'utf8')) as Fixture;

async function migrateOnly(db: Kysely<Database>, names: readonly string[]): Promise<void> {
  const migrator = new Migrator({ db, migrationTableName: MIGRATION_TABLE, provider: { getMigrations: async () => Object.fromEntries(names.map((name) => [name, migrations[name]!])) } });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
}

/** Primary key columns by table, for the comparison. */
function keyOf(table: string): string[] {
  if (table === 'idempotency_keys') return ['actor', 'key'];
  if (table === 'schema_info') return ['key'];
  return ['id'];
}

forEachDatabase('upgrade from release 0.1', (target) => {
  it('keeps every row and value of the previous release, and its passwords, TOTP secrets and API token still work', async (t) => {
    const handle = await target.create(t);
    await migrateOnly(handle.db, fixture.migrations);
    const db = handle.db as unknown as Kysely<unknown>;
    await loadTables(db, fixture.tables.map((table) => ({ name: table.name, columns: table.columns, rows: parseTable(table.rows, table.columns.length, table.name) })));
    const before = new Map<string, Awaited<ReturnType<typeof rowsOf>>>();
    for (const table of fixture.tables) before.set(table.name, await rowsOf(handle.db, table.name, keyOf(table.name)));
    assert.ok((before.get('cases')?.size ?? 0) >= 6 && (before.get('case_attachments')?.size ?? 0) >= 4 && (before.get('api_tokens')?.size ?? 0) === 1 && (before.get('idempotency_keys')?.size ?? 0) === 1);

    const applied = await handle.migrate();
    assert.deepEqual(applied, migrationNames.filter((name) => !fixture.migrations.includes(name)));
    assert.ok(applied.length > 0, 'there is something to upgrade to');

    for (const table of fixture.tables) {
      const after = await rowsOf(handle.db, table.name, keyOf(table.name));
      const old = before.get(table.name)!;
      assert.equal(after.size, old.size, `${table.name}: as many rows`);
      for (const [id, row] of old) {
        const now = after.get(id);
        assert.ok(now !== undefined, `${table.name} ${id} kept`);
        // Columns a later migration added may hold defaults; every column of the release keeps its value.
        for (const column of table.columns) assert.equal(now[column], row[column], `${table.name} ${id} ${column} unchanged`);
      }
    }

    const at = new Date(new Date(fixture.madeAt).getTime() + 60_000);
    const auth = createAuthContext(handle.db, createSecretBox(Buffer.from(fixture.masterKeyHex, 'hex')), { now: () => at });
    const user = fixture.users.find((u) => u.totpSecret !== null)!;
    const session = await login(auth, { email: user.email, password: DEMO_PASSWORD });
    assert.equal(session.session.mfaRequired, true);
    // A code of the step after the one used when the fixture was made (a used step is refused).
    const verified = await verifySecondFactor(auth, session.session.token, totpCode(base32Decode(user.totpSecret!), new Date(at.getTime() + 30_000)));
    assert.ok(verified);
    assert.ok(await authenticateApiToken(auth, fixture.apiToken), 'the API token still authenticates');
  });

  it('runs an upgrade in one transaction: a failing migration leaves nothing half-done, not even the migrations before it', async (t) => {
    const handle = await target.create(t);
    const migrator = new Migrator({
      db: handle.db,
      migrationTableName: MIGRATION_TABLE,
      provider: {
        getMigrations: async () => ({
          '0001_core': migrations['0001_core']!,
          '9999_broken': {
            async up(db: Kysely<unknown>) {
              await db.schema.createTable('half_done').addColumn('id', 'text').execute();
              await sql`insert into half_done (id) values ('x')`.execute(db);
              await sql`select * from table_that_does_not_exist`.execute(db);
            },
          },
        }),
      },
    });
    const result = await migrator.migrateToLatest();
    assert.ok(result.error !== undefined);
    const exists = await sql`select 1 from half_done`.execute(handle.db).then(() => true, () => false);
    assert.equal(exists, false, 'the failed migration left its table behind');
    const applied = (await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(handle.db)).rows.map((r) => r.name);
    // Kysely runs all pending migrations in one transaction where DDL is transactional: all or none.
    assert.deepEqual(applied, []);
    assert.equal(await sql`select 1 from schema_info`.execute(handle.db).then(() => true, () => false), false);
  });
});
