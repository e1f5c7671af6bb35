/**
 * Stopping the evidence-transfer fetcher (a node shutting down) does not wait for a slow sending
 * node: the chunk being fetched is abandoned at once, the transfer stays pending and is not
 * counted as a failed attempt, and the next start fetches it again. Before, stop() waited for
 * the chunk's time limit (30 s), and so did SIGTERM.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createSecretBox } from '../../src/auth/secrets.js';
import { createCaseContext } from '../../src/cases/index.js';
import { openDatabase } from '../../src/db/index.js';
import { createEvidenceContext } from '../../src/evidence/index.js';
import { addEvidence } from '../../src/evidence/uploads.js';
import { signerFor } from '../../src/evidence/custody.js';
import { acceptTransfersIn, recordTransfersOut, sealCaseEvidence, type TransferSettings } from '../../src/exchange/evidence-transfer.js';
import { CHUNK_TIMEOUT_MS, startTransferFetcher } from '../../src/exchange/transfer-fetcher.js';
import type { ExchangeMessage } from '../../src/exchange/message.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { acceptedCaseDirect, US } from '../evidence/node-fixture.js';
import { firstRequest, silentPeer } from './federated.js';
import { createTestNode, trustEachOther } from './nodes.js';

it('stopping the transfer fetcher abandons a chunk a slow sender does not send; the transfer stays pending, no failed attempt counted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-transfer-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The sending node's endpoint: takes the chunk request and never answers.
  const { url: silentUrl, received } = await silentPeer(t);
  const fr = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }));
  t.after(() => fr.handle.close());
  const us = await createTestNode('us', await openDatabase({ kind: 'sqlite', file: join(dir, 'us.db') }), silentUrl);
  t.after(() => us.handle.close());
  await trustEachOther([fr, us]);

  // A transfer announced to France (sealed and recorded here as the sending side would; the
  // tables of the two sides are distinct), pending until its one chunk is fetched.
  const box = createSecretBox(randomBytes(32));
  const ev = await createEvidenceContext({ cases: createCaseContext(fr.db, loadKnowledgeBase()), keys: fr.keys, dataDir: dir });
  const settings: TransferSettings = { dir: join(dir, 'transfers'), chunkBytes: 4096, expiryHours: 24 };
  const caseId = await acceptedCaseDirect(ev, 'STOP-1');
  await addEvidence(ev, US, caseId, { name: 'mailbox.mbox', length: 1000, dataCategory: 'content', producer: 'Example Mail Inc. (US)' }, (async function* () {
    yield randomBytes(1000);
  })(), { anyCaseState: true });
  const [entry] = await sealCaseEvidence(ev, settings, caseId, fr.nodeId);
  assert.ok(entry !== undefined);
  const signer = await signerFor(ev.keys, 'us-doj-oia', new Date());
  await ev.cases.transaction((trx) => recordTransfersOut(trx, ev, signer, [entry], { caseId, actor: US.id, authorityId: 'us-doj-oia', peerNodeId: fr.nodeId, toAuthority: 'fr-ca', messageId: 'c0ffee00-0000-4000-8000-000000000001' }, new Date().toISOString()));
  const message: ExchangeMessage = { v: 1, id: 'c0ffee00-0000-4000-8000-000000000001', from: { node: us.nodeId, authority: 'us-doj-oia' }, to: { node: fr.nodeId, authority: 'fr-ca' }, inReplyTo: null, conversation: caseId, type: 'response', instrument: 'ETS185', action: 'respond', time: new Date().toISOString(), emergency: false, body: { evidence: JSON.parse(JSON.stringify([entry])) as unknown[] } };
  await fr.db.transaction().execute((trx) => acceptTransfersIn(trx, message, new Date().toISOString(), box));

  const errors: unknown[] = [];
  const fetcher = startTransferFetcher({ ev, settings, box, trust: fr.trust, pollMs: 60_000, onError: (e) => errors.push(e), confirm: () => Promise.reject(new Error('not reached: the chunk never comes')) });
  t.after(() => fetcher.stop());
  await firstRequest(received);
  assert.equal(received.length, 1, 'the fetcher did not ask the sender for the chunk');
  assert.match(received[0]?.url ?? '', new RegExp(`/api/exchange/transfers/${entry.transfer.manifest.transferId}/chunks/0$`));

  const started = Date.now();
  await fetcher.stop();
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < CHUNK_TIMEOUT_MS / 1000 / 3, `stop() took ${seconds.toFixed(1)} s: it waited for the chunk's time limit`);
  const row = await fr.db.selectFrom('exchange_transfers_in').select(['state', 'attempts', 'last_error', 'chunks_received']).where('transfer_id', '=', entry.transfer.manifest.transferId).executeTakeFirstOrThrow();
  assert.deepEqual({ state: row.state, attempts: Number(row.attempts), lastError: row.last_error, chunks: Number(row.chunks_received) }, { state: 'pending', attempts: 0, lastError: null, chunks: 0 });
  assert.deepEqual(errors, []);
});
