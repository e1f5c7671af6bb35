/**
 * Fake orders at the provider's node (issue 14): each is quarantined with its own reason and
 * nothing of it becomes answerable. Two real nodes (France issuing, with its own log; Ireland,
 * the provider), real keys, real envelopes and receipts, the real inbox, on every engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { openDatabase } from '../../src/db/index.js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { checkpointOfNote, parseTlogProof } from '../../src/ledger/index.js';
import { forEachDatabase } from '../db/dialects.js';
import { attackerKey, orderMessage, providerWorld, seal, signingAs, type ProviderWorld } from './nodes.js';

async function orders(world: ProviderWorld): Promise<{ message_id: string | null; status: string; reasons: string[]; checks: Record<string, { status: string; code?: string }> }[]> {
  const rows = await world.ie.db.selectFrom('provider_orders').select(['message_id', 'status', 'reasons', 'checks']).execute();
  return rows.map((r) => ({ message_id: r.message_id, status: r.status, reasons: JSON.parse(r.reasons) as string[], checks: JSON.parse(r.checks) as Record<string, { status: string; code?: string }> }));
}

async function only(world: ProviderWorld, messageId: string) {
  const found = (await orders(world)).filter((o) => o.message_id === messageId);
  assert.equal(found.length, 1, `one provider order row for ${messageId}`);
  return found[0] as (typeof found)[number];
}

/** The receipt's outcome and reason code (the JWS payload is the receipt). */
function receiptOf(receipt: string): { outcome: string; reason: { code: string } | null } {
  assert.equal(decodeProtectedHeader(receipt).alg, 'EdDSA');
  return decodeJwt(receipt) as unknown as { outcome: string; reason: { code: string } | null };
}

async function expectQuarantined(world: ProviderWorld, envelope: string, messageId: string, code: string, check: string): Promise<void> {
  const answer = await world.receive(envelope);
  assert.notEqual(answer.outcome, 'accepted', `${code}: not accepted`);
  const row = await only(world, messageId);
  assert.equal(row.status, 'quarantined');
  assert.deepEqual(row.reasons, [code]);
  assert.equal(row.checks[check]?.status, 'fail');
  assert.equal(row.checks[check]?.code, code);
  assert.ok(!world.answerable.includes(messageId), `${code}: nothing answerable`);
}

forEachDatabase('provider gate: fake orders', (target) => {
  it('verifies a real order and quarantines each fake with its own reason', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-provider-'));
    const fr = await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') });
    t.after(() => fr.close());
    const world = await providerWorld(fr, await target.create(t));

    // The control: an investigating judge's EPOC for content data, logged, signed: answerable.
    const real = await orderMessage(world, { from: 'fr-tj-paris', category: 'content-data' });
    const realAnswer = await world.receive(await seal(world, real));
    assert.equal(realAnswer.outcome, 'accepted');
    const realRow = await only(world, real.id);
    assert.equal(realRow.status, 'verified');
    assert.deepEqual(realRow.reasons, []);
    for (const name of ['signature', 'authority', 'log', 'replay']) assert.equal(realRow.checks[name]?.status, 'pass', name);
    assert.equal(realRow.checks.emergency?.status, 'not-applicable');
    assert.deepEqual(world.answerable, [real.id]);

    // A police order for content data validated by the judge (second signature): answerable.
    const validated = await orderMessage(world, { from: 'fr-ocl-police', category: 'content-data', validatedBy: 'fr-tj-paris' });
    assert.equal((await world.receive(await seal(world, validated, ['fr-tj-paris']))).outcome, 'accepted');
    assert.equal((await only(world, validated.id)).status, 'verified');

    // (a) Signed by a key that is not in the trust list.
    const forged = await orderMessage(world, { from: 'fr-tj-paris', category: 'subscriber-data' });
    await expectQuarantined(world, await seal(world, forged, [], signingAs(world.fr.keys, 'fr-tj-paris', attackerKey('fr-tj-paris'))), forged.id, 'order-key-untrusted', 'signature');
    // It burns neither the message id nor the order reference it claimed: the real order under that
    // id, sealed with the judge's key, is verified (an attacker cannot pre-empt a real order).
    assert.equal((await world.receive(await seal(world, forged))).outcome, 'accepted');
    assert.deepEqual((await orders(world)).filter((o) => o.message_id === forged.id).map((o) => o.status).sort(), ['quarantined', 'verified']);

    // (a) Signed by a removed key: France revokes the police unit's key, the provider imports the new agreement.
    const oldKey = await world.fr.keys.active('fr-ocl-police', 'authority-signing');
    assert.ok(oldKey);
    const oldPrivate = await world.fr.keys.privateKey(oldKey.id, 'sign');
    await world.fr.keys.revoke(oldKey.id, new Date());
    await world.fr.keys.rotate('fr-ocl-police', 'authority-signing', 'Ed25519', new Date());
    await world.reimportFr();
    const removed = await orderMessage(world, { from: 'fr-ocl-police', category: 'subscriber-data' });
    await expectQuarantined(world, await seal(world, removed, [], signingAs(world.fr.keys, 'fr-ocl-police', { info: oldKey, privateKey: oldPrivate })), removed.id, 'order-key-removed', 'signature');

    // (b) A real police key, content data, no judge's validation (Art. 4(2)).
    const unvalidated = await orderMessage(world, { from: 'fr-ocl-police', category: 'content-data' });
    await expectQuarantined(world, await seal(world, unvalidated), unvalidated.id, 'order-validation-missing', 'authority');
    // … nor a prosecutor's (Art. 4(2) requires a judge), even "validated" by another prosecutor.
    const prosecutor = await orderMessage(world, { from: 'fr-ocl-police', category: 'traffic-data', validatedBy: 'fr-parquet-paris' });
    await expectQuarantined(world, await seal(world, prosecutor, ['fr-parquet-paris']), prosecutor.id, 'order-validation-missing', 'authority');

    // (e) A replayed order: the same order (same reference) in a new message …
    const replayed = { ...real, id: crypto.randomUUID(), time: new Date().toISOString() };
    await expectQuarantined(world, await seal(world, replayed), replayed.id, 'order-replayed', 'replay');
    // … and the same message id with other bytes.
    const reused = await orderMessage(world, { from: 'fr-tj-paris', id: validated.id });
    const reusedAnswer = await world.receive(await seal(world, reused));
    assert.equal(reusedAnswer.outcome, 'refused');
    const reusedRows = (await orders(world)).filter((o) => o.message_id === validated.id && o.status === 'quarantined');
    assert.equal(reusedRows.length, 1);
    assert.deepEqual(reusedRows[0]?.reasons, ['order-replayed']);

    // (c) An order absent from the issuing log: no proof, and the proof of another order.
    const unlogged = await orderMessage(world, { from: 'fr-tj-paris', log: false });
    await expectQuarantined(world, await seal(world, unlogged), unlogged.id, 'order-not-in-issuing-log', 'log');
    const otherEntry = await orderMessage(world, { from: 'fr-tj-paris', log: 'other' });
    await expectQuarantined(world, await seal(world, otherEntry), otherEntry.id, 'order-not-in-issuing-log', 'log');

    // (d) An "emergency" without its validation or second signature.
    const emergency = await orderMessage(world, { from: 'fr-ocl-police', category: 'identification-data', emergency: true });
    await expectQuarantined(world, await seal(world, emergency), emergency.id, 'order-emergency-unvalidated', 'emergency');
    // With the second signature the Art. 4(5) emergency route admits it (ex-post validation within 48 h).
    const emergencyOk = await orderMessage(world, { from: 'fr-ocl-police', category: 'identification-data', emergency: true });
    assert.equal((await world.receive(await seal(world, emergencyOk, ['fr-tj-paris']))).outcome, 'accepted');
    assert.equal((await only(world, emergencyOk.id)).checks.emergency?.status, 'pass');

    // A receipt names the reason to the issuing node.
    const replayReceipt = receiptOf((await world.receive(await seal(world, { ...real, id: crypto.randomUUID(), time: new Date().toISOString() }))).receipt);
    assert.equal(replayReceipt.outcome, 'rejected');
    assert.equal(replayReceipt.reason?.code, 'order-replayed');

    // Every fake stays quarantined; only the four real orders are answerable.
    assert.deepEqual(world.answerable, [real.id, validated.id, forged.id, emergencyOk.id]);
    const quarantined = (await orders(world)).filter((o) => o.status === 'quarantined');
    assert.equal(quarantined.length, 10);
  });

  it('checks the issuing log: a forked checkpoint, a log key missing from the agreement', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-provider-'));
    const fr = await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') });
    t.after(() => fr.close());
    const world = await providerWorld(fr, await target.create(t));
    const first = await orderMessage(world, { from: 'fr-tj-paris' });
    assert.equal((await world.receive(await seal(world, first))).outcome, 'accepted');
    const held = await world.ie.db.selectFrom('provider_log_checkpoints').selectAll().execute();
    assert.equal(held.length, 1);
    const forked = await orderMessage(world, { from: 'fr-tj-paris' });
    // The provider had seen (e.g. from a witness) another tree of the size this proof shows: a fork.
    const proof = parseTlogProof(String((forked.body.order as { logProof: string }).logProof));
    const size = checkpointOfNote(proof.checkpoint).size;
    assert.ok(size > (held[0]?.size ?? 0));
    await world.ie.db.insertInto('provider_log_checkpoints').values({ origin: 'justice.gouv.fr/log', size, root: '00'.repeat(32), note: 'seen elsewhere', seen_at: new Date().toISOString() }).execute();
    await expectQuarantined(world, await seal(world, forked), forked.id, 'order-log-inconsistent', 'log');
  });

  it('refuses orders the path does not carry: CETS 224 Art. 7 not in force, a log key missing', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-provider-'));
    const fr = await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') });
    t.after(() => fr.close());
    const world = await providerWorld(fr, await target.create(t), { frLogOrigin: null });
    const art7 = await orderMessage(world, { from: 'fr-parquet-paris', kind: 'CETS224-ART7' });
    await world.receive(await seal(world, art7));
    const row = await only(world, art7.id);
    assert.equal(row.status, 'quarantined');
    assert.ok(row.reasons.includes('order-instrument-not-in-force'), row.reasons.join());
    // The agreement was exported without a log key: the proof cannot be checked.
    assert.ok(row.reasons.includes('order-log-key-missing'), row.reasons.join());
    const art7Traffic = await orderMessage(world, { from: 'fr-parquet-paris', kind: 'CETS224-ART7', category: 'traffic-data' });
    await world.receive(await seal(world, art7Traffic));
    assert.ok((await only(world, art7Traffic.id)).reasons.includes('order-category-not-allowed'));
    assert.deepEqual(world.answerable, []);
  });
});
