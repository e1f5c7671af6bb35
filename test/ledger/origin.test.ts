/**
 * The log's origin (`logOriginOf`), on each database engine: the one configured
 * (COMITY_LOG_ORIGIN), else the one the log already signs under, else the node's id, else the
 * host name. A log keeps its name whatever the environment of the process that opens it.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { it } from 'node:test';
import { uuidv7 } from '../../src/db/index.js';
import { appendLeaf, createLedger, logOriginOf, memoryInProcess } from '../../src/ledger/index.js';
import { forEachDatabase } from '../db/dialects.js';
import { createTestNode } from '../exchange/nodes.js';

forEachDatabase('the log origin', (target) => {
  it('configured, else the latest checkpoint’s, else the node id’s, else the host name’s', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const db = handle.db;
    const host = `comity.${hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-')}/log`;
    assert.equal(await logOriginOf(db, {}), host);
    assert.equal(await logOriginOf(db, { COMITY_NODE_ID: 'FR:justice.gouv.fr' }), 'comity.fr-justice.gouv.fr/log', 'a node being set up from its environment');
    assert.equal(await logOriginOf(db, { COMITY_LOG_ORIGIN: ' example.org/log ' }), 'example.org/log');
    await assert.rejects(logOriginOf(db, { COMITY_LOG_ORIGIN: 'two words' }), /COMITY_LOG_ORIGIN: an origin is printable ASCII without spaces/);

    // A node initialised in the database (`comity node init`), its server started without COMITY_NODE_ID.
    const node = await createTestNode('fr', handle);
    assert.equal(await logOriginOf(db, {}), 'comity.fr-justice.gouv.fr/log');

    // Once a checkpoint is signed, its origin is the log's name — not the environment's.
    const at = Date.now();
    const publishAs = async (origin: string, ms: number) => {
      await db.transaction().execute((trx) => appendLeaf(trx, { log: 'test', id: `${origin}-${ms}`, digest: 'a'.repeat(64) }));
      const ledger = createLedger(db, node.keys, { origin, memory: memoryInProcess(), now: () => new Date(at + ms), newId: () => uuidv7(at + ms) });
      assert.equal((await ledger.publish()).checkpoint.origin, origin);
    };
    await publishAs('comity.first.example/log', 0);
    assert.equal(await logOriginOf(db, {}), 'comity.first.example/log');
    assert.equal(await logOriginOf(db, { COMITY_NODE_ID: 'US:oia.justice.gov' }), 'comity.first.example/log');
    // A new origin configured (a log that could not go on, README "Transparency log"): it is then the log's name.
    assert.equal(await logOriginOf(db, { COMITY_LOG_ORIGIN: 'comity.second.example/log' }), 'comity.second.example/log');
    await publishAs('comity.second.example/log', 1000);
    assert.equal(await logOriginOf(db, {}), 'comity.second.example/log');
  });
});
