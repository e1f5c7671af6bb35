/**
 * Evidence transfers at rest (issue 12), on each database engine:
 * - the receiver records an announced transfer with its content key sealed by the node's secret
 *   box (bound to the transfer), keeps the response message with the key redacted (manifests
 *   intact), seals or wipes keys an earlier version left in plaintext, and a master-key rotation
 *   re-seals the pending ones;
 * - the sender deletes a transfer's encrypted chunks when the receiver's signed notice confirms
 *   it (checked: that peer, that conversation, that digest) or when it was never confirmed
 *   within the expiry, each with a signed custody event `transfer-closed`.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createSecretBox } from '../../src/auth/secrets.js';
import { createCaseContext } from '../../src/cases/index.js';
import { createEvidenceContext } from '../../src/evidence/index.js';
import { addEvidence } from '../../src/evidence/uploads.js';
import { listCustody, signerFor } from '../../src/evidence/custody.js';
import { acceptTransfersIn, applyTransferReceived, closeOutgoingTransfers, protectTransferKeys, readOutgoingChunk, recordTransfersOut, sealCaseEvidence, transferKeyAad, type TransferEntry, type TransferSettings } from '../../src/exchange/evidence-transfer.js';
import { MessageRejected } from '../../src/exchange/inbox.js';
import type { ExchangeMessage } from '../../src/exchange/message.js';
import { REDACTED_KEY, redactTransferKeys } from '../../src/exchange/transfer.js';
import { createDbKeyStore } from '../../src/keys/index.js';
import { rotateMasterKey } from '../../src/keys/master-rotation.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { forEachDatabase } from '../db/dialects.js';
import { acceptedCaseDirect, US } from '../evidence/node-fixture.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const FR_NODE = 'FR:justice.gouv.fr';

function response(caseId: string, entries: readonly TransferEntry[]): ExchangeMessage {
  return {
    v: 1,
    id: randomUUID(),
    from: { node: 'US:oia.justice.gov', authority: 'us-doj-oia' },
    to: { node: FR_NODE, authority: 'fr-ca' },
    inReplyTo: null,
    conversation: caseId,
    type: 'response',
    instrument: 'ETS185',
    action: 'respond',
    time: new Date().toISOString(),
    emergency: false,
    body: { caseVersion: 7, evidence: JSON.parse(JSON.stringify(entries)) as unknown[] },
  };
}

forEachDatabase('evidence transfers at rest', (target) => {
  it('seals the receiver\'s content keys, redacts them from the stored message, closes the sender\'s chunks on confirmation or expiry', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const dataDir = mkdtempSync(join(tmpdir(), 'comity-transfer-keys-'));
    dirs.push(dataDir);
    const box = createSecretBox(randomBytes(32));
    const ev = await createEvidenceContext({ cases: createCaseContext(handle.db, loadKnowledgeBase()), keys: createDbKeyStore(handle.db, box), dataDir });
    const settings: TransferSettings = { dir: join(dataDir, 'transfers'), chunkBytes: 4096, expiryHours: 24 };
    const caseId = await acceptedCaseDirect(ev, `KEYS-${randomUUID().slice(0, 8)}`);
    const send = async (name: string): Promise<TransferEntry> => {
      await addEvidence(ev, US, caseId, { name, length: 10_000, dataCategory: 'content', producer: 'Example Mail Inc. (US)' }, (async function* () {
        yield randomBytes(10_000);
      })(), { anyCaseState: true });
      const entries = await sealCaseEvidence(ev, settings, caseId, FR_NODE);
      assert.equal(entries.length, 1);
      const signer = await signerFor(ev.keys, 'us-doj-oia', new Date());
      await ev.cases.transaction((trx) => recordTransfersOut(trx, ev, signer, entries, { caseId, actor: US.id, authorityId: 'us-doj-oia', peerNodeId: FR_NODE, toAuthority: 'fr-ca', messageId: randomUUID() }, new Date().toISOString()));
      return entries[0]!;
    };

    // --- The receiving side (the same database plays it: the tables are distinct).
    const first = await send('first.mbox');
    const message = response(caseId, [first]);
    await handle.db.transaction().execute((trx) => acceptTransfersIn(trx, message, new Date().toISOString(), box));
    const stored = await handle.db.selectFrom('exchange_transfers_in').selectAll().where('transfer_id', '=', first.transfer.manifest.transferId).executeTakeFirstOrThrow();
    const rawKey = Buffer.from(first.transfer.key, 'base64url');
    assert.ok(!stored.content_key.includes(first.transfer.key) && !stored.content_key.includes(rawKey.toString('hex')), 'the key is not stored as is');
    assert.match(stored.content_key, /^v1\./);
    assert.deepEqual(box.open(stored.content_key, transferKeyAad(first.transfer.manifest.transferId)), rawKey);
    assert.throws(() => box.open(stored.content_key, transferKeyAad(randomUUID())), 'bound to its transfer');
    // Without a secret box a node takes no evidence (it would have to keep the key in the clear).
    await assert.rejects(handle.db.transaction().execute((trx) => acceptTransfersIn(trx, response(caseId, [first]), new Date().toISOString(), undefined)), MessageRejected);

    // The copy of the message the inbox keeps: key redacted, manifest (the digests) as signed.
    const redacted = redactTransferKeys(message);
    const kept = JSON.stringify(redacted);
    assert.ok(!kept.includes(first.transfer.key));
    assert.deepEqual((redacted.body.evidence as TransferEntry[])[0]!.transfer, { manifest: first.transfer.manifest, key: REDACTED_KEY });
    assert.ok(JSON.stringify(message).includes(first.transfer.key), 'the message itself is not changed');

    // What an earlier version left in the clear: a pending key is sealed, a finished one wiped, stored messages redacted.
    const legacyPending = randomUUID();
    const legacyDone = randomUUID();
    const legacyKey = randomBytes(32).toString('base64url');
    for (const [id, state] of [[legacyPending, 'pending'], [legacyDone, 'complete']] as const) {
      await handle.db.insertInto('exchange_transfers_in').values({ ...stored, transfer_id: id, content_key: legacyKey, state }).execute();
    }
    const inboxRow = { message_id: message.id, sender_node_id: message.from.node, conversation_id: caseId, type: 'response', digest: 'd'.repeat(64), outcome: 'accepted', reason: null, payload: JSON.stringify(message), receipt: 'r', received_at: message.time, read_at: null };
    await handle.db.insertInto('exchange_inbox').values(inboxRow).execute();
    assert.deepEqual(await protectTransferKeys(handle.db, box), { sealed: 1, wiped: 1, redacted: 1 });
    assert.deepEqual(await protectTransferKeys(handle.db, box), { sealed: 0, wiped: 0, redacted: 0 }, 'idempotent');
    const after = await handle.db.selectFrom('exchange_transfers_in').select(['transfer_id', 'content_key']).execute();
    const keyOf = (id: string) => after.find((r) => r.transfer_id === id)!.content_key;
    assert.equal(box.open(keyOf(legacyPending), transferKeyAad(legacyPending)).toString('base64url'), legacyKey);
    assert.equal(keyOf(legacyDone), '');
    const payload = (await handle.db.selectFrom('exchange_inbox').select('payload').where('message_id', '=', message.id).executeTakeFirstOrThrow()).payload;
    assert.equal(payload, kept);

    // --- The sending side: chunks kept until confirmed or expired.
    const firstId = first.transfer.manifest.transferId;
    const now = new Date();
    assert.equal(await closeOutgoingTransfers(ev, settings, now), 0, 'neither confirmed nor expired');
    assert.ok((await readOutgoingChunk(handle.db, settings, firstId, 0)) !== null);
    const notice = (over: Partial<ExchangeMessage> = {}, body: Record<string, unknown> = { transfers: [{ transferId: firstId, sha256: first.item.sha256 }] }): ExchangeMessage => ({
      ...response(caseId, []),
      from: { node: FR_NODE, authority: 'fr-ca' },
      to: { node: 'US:oia.justice.gov', authority: 'us-doj-oia' },
      type: 'notice',
      instrument: null,
      action: 'transfer-received',
      body,
      ...over,
    });
    const confirm = (m: ExchangeMessage) => handle.db.transaction().execute((trx) => applyTransferReceived(trx, m));
    await assert.rejects(confirm(notice({ from: { node: 'IE:example-mail.ie', authority: 'ie-provider' } })), /no transfer/, 'another node cannot confirm it');
    await assert.rejects(confirm(notice({ conversation: randomUUID() })), /no transfer/, 'nor in another conversation');
    await assert.rejects(confirm(notice({}, { transfers: [{ transferId: firstId, sha256: 'a'.repeat(64) }] })), /not that of the item sent/);
    await assert.rejects(confirm(notice({}, { transfers: [] })), MessageRejected);
    assert.equal(await closeOutgoingTransfers(ev, settings, now), 0, 'nothing was confirmed by the refused notices');
    assert.equal(await confirm(notice()), 1);
    assert.equal(await confirm(notice()), 0, 'a second confirmation changes nothing');
    assert.equal(await closeOutgoingTransfers(ev, settings, now), 1);
    assert.equal(await readOutgoingChunk(handle.db, settings, firstId, 0), null);
    assert.equal(existsSync(join(settings.dir, 'out', firstId)), false);

    // A transfer never confirmed: kept until the expiry, then deleted.
    const second = await send('second.mbox');
    const secondId = second.transfer.manifest.transferId;
    assert.equal(await closeOutgoingTransfers(ev, settings, new Date(Date.now() + 23 * 3_600_000)), 0);
    assert.ok((await readOutgoingChunk(handle.db, settings, secondId, 0)) !== null);
    assert.equal(await closeOutgoingTransfers(ev, settings, new Date(Date.now() + 25 * 3_600_000)), 1);
    assert.equal(existsSync(join(settings.dir, 'out', secondId)), false);

    const rows = await handle.db.selectFrom('exchange_transfers_out').select(['transfer_id', 'state', 'close_reason']).orderBy('created_at').execute();
    assert.deepEqual(rows.map((r) => [r.transfer_id, r.state, r.close_reason]), [[firstId, 'closed', 'confirmed'], [secondId, 'closed', 'expired']]);
    const closings = (await listCustody(handle.db, caseId)).map((c) => JSON.parse(c.line) as { event: string; actor: string; details: Record<string, unknown>; item: { sha256: string } | null }).filter((c) => c.event === 'transfer-closed');
    assert.ok(closings.every((c) => c.actor === 'system'));
    assert.deepEqual(closings.map((c) => [c.details.transferId, c.details.reason, c.item?.sha256]), [[firstId, 'confirmed', first.item.sha256], [secondId, 'expired', second.item.sha256]]);

    // (last: the node's key store keeps the old master key)
    // A master-key rotation re-seals the pending keys (and skips the wiped ones).
    const next = createSecretBox(randomBytes(32));
    const counts = await rotateMasterKey(handle.db, box, next);
    assert.equal(counts['exchange_transfers_in.content_key'], 2, 'the first transfer and the legacy pending one');
    const rotated = await handle.db.selectFrom('exchange_transfers_in').select('content_key').where('transfer_id', '=', first.transfer.manifest.transferId).executeTakeFirstOrThrow();
    assert.deepEqual(next.open(rotated.content_key, transferKeyAad(first.transfer.manifest.transferId)), rawKey);
  });
});
