/**
 * Release-0.1 attachments move into the evidence store: each becomes an evidence item with the
 * same bytes and digest, sealed, downloadable, with a signed `received` custody event by the
 * requested side; a second run moves nothing more; an attachment whose bytes no longer match
 * its recorded digest is reported and left; the CLI command does the same on the node's files.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { listCustody, listEvidence, migrateAttachments } from '../../src/evidence/index.js';
import { buildTestApp, type TestApp } from '../http/harness.js';
import { acceptedCase } from './fixture.js';

describe('moving release-0.1 attachments into the evidence store [sqlite]', () => {
  let t: TestApp;
  let caseId: string;
  const sent: { id: string; bytes: Buffer; name: string }[] = [];
  before(async () => {
    t = await buildTestApp('sqlite');
    caseId = await acceptedCase(t, 'ATTACH-MOVE');
    const us = await t.as('officer@us.demo');
    for (const [name, bytes] of [
      ['confirmation é.txt', Buffer.from('Preservation confirmed on 2026-11-02.\n')],
      ['export.bin', randomBytes(3 * 1024 * 1024)],
      ['tampered.txt', Buffer.from('original bytes')],
    ] as const) {
      const res = await us.post(`/api/cases/${caseId}/attachments`, { name, mediaType: 'application/octet-stream', contentBase64: bytes.toString('base64') });
      assert.equal(res.statusCode, 201, res.body);
      sent.push({ id: res.json<{ id: string }>().id, bytes, name });
    }
    // The third attachment's bytes changed in the database after upload.
    await t.cases.db.updateTable('case_attachments').set({ content: Buffer.from('altered bytes!') }).where('id', '=', sent[2]?.id as string).execute();
  });
  after(async () => {
    await t?.close();
  });

  it('moves each intact attachment once, with its bytes, digest and a signed receipt; reports the altered one', async () => {
    const moves = await migrateAttachments(t.evidence);
    assert.equal(moves.length, 3);
    const [a, b, c] = moves;
    assert.ok(a?.itemId && b?.itemId);
    assert.equal(c?.itemId, null);
    assert.match(c?.problem ?? '', /differ from those recorded at upload/);
    const items = await listEvidence(t.evidence, caseId);
    assert.deepEqual(items.map((i) => i.name).sort(), ['confirmation é.txt', 'export.bin']);
    const us = await t.as('officer@us.demo');
    for (const [i, move] of [a, b].entries()) {
      const item = items.find((x) => x.id === move?.itemId);
      assert.ok(item);
      assert.equal(item.size, sent[i]?.bytes.length);
      const download = await us.get(`/api/cases/${caseId}/evidence/${item.id}/content`);
      assert.equal(download.statusCode, 200);
      assert.ok(download.rawPayload.equals(sent[i]?.bytes as Buffer), 'the same bytes come back');
    }
    const custody = await listCustody(t.cases.db, caseId);
    const received = custody.filter((e) => e.event === 'received');
    assert.equal(received.length, 2);
    assert.ok(received.every((e) => e.authorityId === 'us-doj-oia'), 'signed by the requested side');
    const rows = await t.cases.db.selectFrom('case_attachments').select(['id', 'evidence_item_id']).where('case_id', '=', caseId).orderBy('uploaded_at').execute();
    assert.deepEqual(rows.map((r) => r.evidence_item_id), [a?.itemId, b?.itemId, null]);

    // Idempotent: a second run moves nothing more (the altered one is reported again).
    const again = await migrateAttachments(t.evidence);
    assert.deepEqual(again.map((m) => m.attachmentId), [sent[2]?.id]);
    assert.equal((await listEvidence(t.evidence, caseId)).length, 2);
  });
});
