/**
 * @module test/exchange/nodes
 * Several nodes in one test process, each with its own database (a fresh target from
 * `forEachDatabase`, or SQLite in a temporary directory), master key, key store, identity and
 * the demo authorities (with their recorded Art. 4 kinds) it hosts; `trustEachOther` imports every node's signed agreement into the
 * others, as operators do with `comity peers add`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import { createSecretBox } from '../../src/auth/secrets.js';
import { openDatabase, type Database, type DatabaseHandle } from '../../src/db/index.js';
import { DEMO_AUTHORITIES } from '../../src/demo/data.js';
import { addPeer, exportNode, initNode, loadTrustList, requireNodeIdentity, type TrustList } from '../../src/exchange/index.js';
import { createExchangeRuntime, type ExchangeRuntime } from '../../src/exchange/runtime.js';
import { createDbKeyStore, type KeyStore } from '../../src/keys/index.js';

export interface TestNode {
  readonly name: string;
  readonly nodeId: string;
  readonly handle: DatabaseHandle;
  readonly db: Kysely<Database>;
  readonly keys: KeyStore;
  trust(): Promise<TrustList>;
}

export const NODE_PLANS = {
  fr: { nodeId: 'FR:justice.gouv.fr', hosted: ['fr-ca', 'fr-parquet-paris'] },
  us: { nodeId: 'US:oia.justice.gov', hosted: ['us-doj-oia'] },
  ie: { nodeId: 'IE:example-mail.ie', hosted: ['ie-provider'] },
  jp: { nodeId: 'JP:npa.go.jp', hosted: ['jp-247'] },
  /** Ireland's enforcing authority under Reg. 2023/1543 (Art. 8), on its own node. */
  iee: { nodeId: 'IE:eevidence.justice.ie', hosted: ['ie-enforcing'] },
} as const;
export type NodeName = keyof typeof NODE_PLANS;

/** Sets up a node on a fresh, migrated database. */
export async function createTestNode(name: NodeName, handle: DatabaseHandle, endpoint = `http://127.0.0.1:1/${name}`, hosted: readonly string[] = NODE_PLANS[name].hosted): Promise<TestNode> {
  await handle.migrate();
  const plan = NODE_PLANS[name];
  const at = new Date().toISOString();
  for (const a of DEMO_AUTHORITIES) {
    await handle.db
      .insertInto('authorities')
      .values({ id: a.id, party: a.party, kind: a.kind, name: a.name, time_zone: a.timeZone, languages: JSON.stringify(a.languages), contact: JSON.stringify(a.contact ?? {}), issuing_kind: a.issuingKind ?? null, created_at: at })
      .execute();
  }
  const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
  await initNode(handle.db, keys, { nodeId: plan.nodeId, endpoint, hosted }, new Date());
  return {
    name,
    nodeId: plan.nodeId,
    handle,
    db: handle.db,
    keys,
    trust: async () => loadTrustList(handle.db, keys, await requireNodeIdentity(handle.db)),
  };
}

/** Every node imports every other node's agreement. */
export async function trustEachOther(nodes: readonly TestNode[]): Promise<void> {
  for (const from of nodes) {
    const text = JSON.stringify(await exportNode(from.db, from.keys, new Date()));
    for (const to of nodes) if (to !== from) await addPeer(to.db, text, to.nodeId, new Date());
  }
}

/** `a` imports `b`'s current agreement again (after a rotation or revocation in `b`). */
export async function reimport(a: TestNode, b: TestNode, at = new Date()): Promise<void> {
  await addPeer(a.db, JSON.stringify(await exportNode(b.db, b.keys, at)), a.nodeId, at);
}

/**
 * France and the United States on SQLite files in a fresh temporary directory (`comity-<name>-…`),
 * trusting each other, closed after the test; with the United States' runtime (no relay of its
 * own) for a test transport to hand France's envelopes to.
 */
export async function frAndUs(t: TestContext, name: string): Promise<{ fr: TestNode; us: TestNode; usRuntime: ExchangeRuntime }> {
  const dir = mkdtempSync(join(tmpdir(), `comity-${name}-`));
  const fr = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
  const us = await createTestNode('us', await openDatabase({ kind: 'sqlite', file: join(dir, 'us.db') }));
  t.after(() => fr.handle.close());
  t.after(() => us.handle.close());
  await trustEachOther([fr, us]);
  const usRuntime = createExchangeRuntime({ db: us.db, keys: us.keys, identity: await requireNodeIdentity(us.db), relay: { autostart: false } });
  t.after(() => usRuntime.stop());
  return { fr, us, usRuntime };
}
