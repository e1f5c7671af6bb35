/**
 * @module test/ledger/fixture
 * A node with a populated log on a test database: authorities and cases written through the
 * real use cases (audit events), login events and access records, a key store and a ledger.
 */
import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../src/auth/secrets.js';
import { createAuthority, createCase, createCaseContext, transitionCase, type Actor, type CaseContext } from '../../src/cases/index.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { uuidv7 } from '../../src/db/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { createDbKeyStore, type KeyStore } from '../../src/keys/index.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { createLedger, memoryInProcess, type CheckpointMemory, type Ledger } from '../../src/ledger/index.js';

const kb = loadKnowledgeBase();
export const admin: Actor = { id: 'admin', authorityId: null };
export const fr: Actor = { id: 'alice@fr-ca', authorityId: 'fr-ca' };
const reviewer: Actor = { id: 'rita@fr-ca', authorityId: 'fr-ca' };

export interface LedgerNode {
  handle: DatabaseHandle;
  ctx: CaseContext;
  keys: KeyStore;
  memory: CheckpointMemory;
  ledger: Ledger;
  origin: string;
  /** Writes `cases` cases (create + approve: two audit events each), a login event and an access record per case. */
  write(cases: number): Promise<string[]>;
  ledgerFor(origin: string): Ledger;
}

export async function ledgerNode(handle: DatabaseHandle, origin = 'comity.test.example/log'): Promise<LedgerNode> {
  await handle.migrate();
  const ctx = createCaseContext(handle.db, kb, { now: () => new Date('2026-12-01T08:00:00Z') });
  for (const a of DEMO_AUTHORITIES) await createAuthority(ctx, admin, a);
  const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
  const memory = memoryInProcess();
  const ledgerFor = (o: string): Ledger => createLedger(handle.db, keys, { origin: o, memory, now: () => new Date(), newId: () => uuidv7(Date.now()) });
  const node: LedgerNode = {
    handle,
    ctx,
    keys,
    memory,
    origin,
    ledger: ledgerFor(origin),
    ledgerFor,
    async write(count) {
      const ids: string[] = [];
      for (let i = 0; i < count; i += 1) {
        const created = await createCase(ctx, fr, preservationRequestFrToUs());
        await transitionCase(ctx, reviewer, created.id, 'approve', { review: DEMO_REVIEW }).catch(() => undefined);
        ids.push(created.id);
        const at = new Date(Date.UTC(2026, 11, 1, 9, 0, i)).toISOString();
        await handle.db.insertInto('login_events').values({ id: uuidv7(Date.now()), user_id: null, email_hash: 'ab'.repeat(32), outcome: i % 2 === 0 ? 'success' : 'bad-password', at }).execute();
        await handle.db.insertInto('case_access').values({ id: uuidv7(Date.now()), case_id: created.id, actor: fr.id, action: 'read', at }).execute();
      }
      return ids;
    },
  };
  return node;
}
