/**
 * GET /api/ledger (the workspace's node page): the cosignatures witnesses returned for the latest
 * checkpoint — witness, key id and the time the witness signed at, read from the stored
 * signature line — and the open forks, this log's own marked as such. A real app on SQLite; the
 * cosignature is a real tlog-cosignature/v1 over the node's real checkpoint.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '../../src/db/index.js';
import { cosignatureSigner, parseNote, parseVerifierKey, verifierKeyText } from '../../src/ledger/index.js';
import { SIGNATURE_TYPE_COSIGNATURE_V1, signatureLine, signatureLineFacts } from '../../src/ledger/note.js';
import { buildTestApp, type TestApp } from './harness.js';

interface Status {
  checkpoint: { size: number } | null;
  cosignatures: Array<{ witness: string; nodeId: string; size: number; keyId: string | null; signedAt: string | null; collectedAt: string }>;
  forks: Array<{ origin: string; size: number; how: string; ownLog: boolean }>;
}

describe('GET /api/ledger: cosignatures of the latest checkpoint and open forks', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(() => t.close());

  it('lists each witness with its key id and cosignature time, and open forks', async () => {
    const auditor = await t.as('auditor@fr.demo');
    const empty = (await auditor.get('/api/ledger')).json<Status>();
    assert.deepEqual(empty.forks, []);

    const published = await t.ledger.publish();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const name = 'witness/US:oia.justice.gov';
    const time = 1_780_000_123;
    const signer = cosignatureSigner(name, privateKey, publicKey, time);
    const line = signatureLine(parseNote(published.checkpoint.note).text, signer);
    const vkey = verifierKeyText(name, publicKey, SIGNATURE_TYPE_COSIGNATURE_V1);
    const keyId = vkey.split('+')[1] as string;
    assert.equal(parseVerifierKey(vkey).keyId.toString(16).padStart(8, '0'), keyId);
    const db = t.handle.db;
    const collectedAt = new Date().toISOString();
    await db.insertInto('ledger_cosignatures').values({ origin: t.ledger.origin, size: published.checkpoint.size, witness: name, node_id: 'us-node', signature: line, collected_at: collectedAt }).execute();
    // One of an earlier checkpoint: not listed.
    await db.insertInto('ledger_cosignatures').values({ origin: t.ledger.origin, size: published.checkpoint.size - 1, witness: name, node_id: 'us-node', signature: line, collected_at: collectedAt }).execute();
    const fork = { origin: 'comity.us.example/log', size: 7, how: 'two witnesses hold different checkpoints of size 7' };
    await db.insertInto('ledger_forks').values({ id: uuidv7(Date.now()), ...fork, detected_at: collectedAt, evidence: '[]', resolved_at: null }).execute();
    await db.insertInto('ledger_forks').values({ id: uuidv7(Date.now()), origin: t.ledger.origin, size: 3, how: 'a witness cosigned another tree', detected_at: collectedAt, evidence: '[]', resolved_at: null }).execute();
    await db.insertInto('ledger_forks').values({ id: uuidv7(Date.now()), origin: 'resolved.example/log', size: 2, how: 'resolved', detected_at: collectedAt, evidence: '[]', resolved_at: collectedAt }).execute();

    const response = await auditor.get('/api/ledger');
    assert.equal(response.statusCode, 200);
    const status = response.json<Status>();
    assert.equal(status.checkpoint?.size, published.checkpoint.size);
    assert.deepEqual(status.cosignatures, [{ witness: name, nodeId: 'us-node', size: published.checkpoint.size, collectedAt, keyId, signedAt: new Date(time * 1000).toISOString() }]);
    assert.deepEqual(
      status.forks.map((f) => ({ origin: f.origin, size: f.size, how: f.how, ownLog: f.ownLog })).sort((a, b) => a.size - b.size),
      [
        { origin: t.ledger.origin, size: 3, how: 'a witness cosigned another tree', ownLog: true },
        { ...fork, ownLog: false },
      ],
    );
  });

  it('reads a signature line without verifying it: key id, and the time of a cosignature only', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const line = signatureLine('text\n', cosignatureSigner('w', privateKey, publicKey, 86_400));
    assert.equal(signatureLineFacts(line)?.signedAt, '1970-01-02T00:00:00.000Z');
    assert.equal(signatureLineFacts(line)?.name, 'w');
    assert.equal(signatureLineFacts('— w not-base64!'), undefined);
    assert.equal(signatureLineFacts('nothing'), undefined);
  });
});
