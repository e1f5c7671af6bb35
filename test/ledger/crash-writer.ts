/**
 * @module test/ledger/crash-writer
 * Child process for the ledger crash test: bursts of case changes (four writers at once, so
 * PostgreSQL's combiner and row locks are exercised) while the log is integrated and checkpoints
 * are signed continuously, until SIGKILL. `node --import tsx crash-writer.ts <target> <data dir>`;
 * the master key comes from COMITY_SECRET_KEY, the checkpoint file is `<data dir>/ledger-checkpoint`.
 * Prints `ready`, then `ack <caseId>` after each committed case and `checkpoint <size>` after each
 * signed checkpoint.
 */
import { createSecretBox, loadMasterKey } from '../../src/auth/index.js';
import { createAuthority, createCase, createCaseContext, getAuthority, transitionCase, type Actor } from '../../src/cases/index.js';
import { openDatabase, uuidv7, type DbConfig } from '../../src/db/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { createDbKeyStore } from '../../src/keys/index.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { checkpointFile, createLedger, fileMemory } from '../../src/ledger/index.js';

const [target, dataDir] = process.argv.slice(2) as [string, string];
const config: DbConfig = /^postgres(ql)?:\/\//i.test(target) ? { kind: 'postgres', url: target, poolMax: 6 } : { kind: 'sqlite', file: target };
process.stdout.on('error', () => process.exit(3));
const admin: Actor = { id: 'crash-admin', authorityId: null };
const fr: Actor = { id: 'crash-writer@fr-ca', authorityId: 'fr-ca' };

try {
  const handle = await openDatabase(config);
  await handle.migrate();
  const ctx = createCaseContext(handle.db, loadKnowledgeBase());
  for (const authority of DEMO_AUTHORITIES) if ((await getAuthority(handle.db, authority.id)) === null) await createAuthority(ctx, admin, authority);
  const keys = createDbKeyStore(handle.db, createSecretBox(loadMasterKey(process.env, dataDir)));
  const ledger = createLedger(handle.db, keys, { origin: 'comity.crash.example/log', memory: fileMemory(checkpointFile(dataDir)), now: () => new Date(), newId: () => uuidv7(Date.now()) });
  process.stdout.write(`ready ${process.pid}\n`);
  const writer = async (w: number): Promise<never> => {
    for (let n = 1; ; n++) {
      const created = await createCase(ctx, fr, preservationRequestFrToUs({ references: { requesting: `LEDGER-CRASH-${process.pid}-${w}-${n}` } }));
      const approved = await transitionCase(ctx, fr, created.id, 'approve', { review: DEMO_REVIEW, expectedVersion: created.version });
      await handle.db.insertInto('case_access').values({ id: uuidv7(Date.now()), case_id: created.id, actor: fr.id, action: 'read', at: new Date().toISOString() }).execute();
      process.stdout.write(`ack ${approved.id}\n`);
    }
  };
  const publisher = async (): Promise<never> => {
    for (;;) {
      const published = await ledger.publish();
      process.stdout.write(`checkpoint ${published.checkpoint.size}\n`);
    }
  };
  await Promise.all([writer(1), writer(2), writer(3), writer(4), publisher()]);
} catch (error) {
  process.stderr.write(`ledger crash-writer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
