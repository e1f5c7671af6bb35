/**
 * The evidence store over HTTP: resumable streamed uploads (tus-style), digests, encryption at
 * rest with per-case keys, deduplication within a case only, streaming download recorded as
 * access, the signed chain of custody, file modes, and deletion when retention ends.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { purgeExpiredCases } from '../../src/cases/index.js';
import { GENESIS_PREV, lineHash, parseCustodyLine, verifyLineSignature } from '../../src/evidence/custody-line.js';
import { listCustody, purgeExpiredEvidence, type CustodyRecord, type EvidenceItemView } from '../../src/evidence/index.js';
import { assertProblem, buildTestApp, type TestApp } from '../http/harness.js';
import { acceptedCase, metadata, patch, upload } from './fixture.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pick = ({ offset, receivedSha256, name }: { offset: number; receivedSha256: string; name: string }) => ({ offset, receivedSha256, name });

for (const kind of ['sqlite', 'pglite'] as const)
describe(`evidence store [${kind}]`, () => {
  let t: TestApp;
  let caseId: string;
  let otherCase: string;
  before(async () => {
    t = await buildTestApp(kind);
    caseId = await acceptedCase(t, 'EVIDENCE-1');
    otherCase = await acceptedCase(t, 'EVIDENCE-2');
  });
  after(() => t?.close());

  it('uploads in several PATCH requests, resumes at the reported chunk boundary, downloads the same bytes', async () => {
    const us = await t.as('officer@us.demo');
    const content = randomBytes(2 * 1024 * 1024 + 12345);
    const begin = await us.post(`/api/cases/${caseId}/evidence/uploads`, metadata('mailbox export.mbox', content.length));
    assert.equal(begin.statusCode, 201, begin.body);
    assert.equal(begin.headers['tus-resumable'], '1.0.0');
    const { id, chunkBytes } = begin.json<{ id: string; chunkBytes: number }>();
    // 1.5 chunks: only the whole chunk is kept.
    const first = await patch(us, caseId, id, 0, content.subarray(0, chunkBytes * 1.5));
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['upload-offset'], String(chunkBytes));
    // A wrong offset is refused with the offset to continue from.
    assertProblem(await patch(us, caseId, id, 5, content.subarray(5)), 409, 'conflict');
    const status = await us.get(`/api/cases/${caseId}/evidence/uploads/${id}`);
    // The offset, and the SHA-256 of the bytes kept so far (a resuming client checks its copy of the file against it).
    assert.deepEqual(pick(status.json<{ offset: number; receivedSha256: string; name: string }>()), { offset: chunkBytes, receivedSha256: sha(content.subarray(0, chunkBytes)), name: 'mailbox export.mbox' });
    // After a "restart" (the running digest forgotten) the digest is rebuilt from the staged chunks.
    t.evidence.uploads.clear();
    const rebuilt = await us.get(`/api/cases/${caseId}/evidence/uploads/${id}`);
    assert.equal(rebuilt.json<{ receivedSha256: string }>().receivedSha256, sha(content.subarray(0, chunkBytes)));
    t.evidence.uploads.clear();
    const rest = await patch(us, caseId, id, chunkBytes, content.subarray(chunkBytes));
    assert.equal(rest.statusCode, 201, rest.body);
    const item = rest.json<{ item: EvidenceItemView }>().item;
    assert.equal(item.sha256, sha(content));
    assert.equal(item.size, content.length);
    assert.equal(item.mediaType, 'application/octet-stream');
    assert.equal(item.name, 'mailbox export.mbox');
    const fr = await t.as('officer@fr.demo');
    const down = await fr.get(`/api/cases/${caseId}/evidence/${item.id}/content`);
    assert.equal(down.statusCode, 200);
    assert.equal(down.headers['x-content-sha256'], item.sha256);
    assert.ok(down.rawPayload.equals(content));
    // Accessed events: one download, by the French officer, with names.
    const custody = await listCustody(t.cases.db, caseId);
    assert.deepEqual(custody.map((c) => c.event), ['produced', 'received', 'accessed']);
    assert.equal(custody[2]?.authorityId, 'fr-ca');
    assert.notEqual(custody[2]?.actorName, custody[2]?.actor, 'a person’s name, not an id');
  });

  it('types content by its magic bytes, not its name; refuses more bytes than announced; others cannot upload', async () => {
    const us = await t.as('officer@us.demo');
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(100)]);
    const item = await upload(us, caseId, 'looks-like.txt', pdf);
    assert.equal(item.mediaType, 'application/pdf');
    const begin = await us.post(`/api/cases/${caseId}/evidence/uploads`, metadata('small.bin', 4));
    assertProblem(await patch(us, caseId, begin.json<{ id: string }>().id, 0, Buffer.from('12345')), 413, 'payload-too-large');
    const fr = await t.as('officer@fr.demo');
    assertProblem(await fr.post(`/api/cases/${caseId}/evidence/uploads`, metadata('x.bin', 1)), 403, 'forbidden');
    assertProblem(await us.post(`/api/cases/${caseId}/evidence/uploads`, { ...metadata('../x', 1) }), 400, 'invalid-request');
  });

  it('encrypts at rest under a per-case key, dedupes within a case only, with owner-only files', async () => {
    const us = await t.as('officer@us.demo');
    const content = Buffer.from('Subscriber: jane.doe@example.com, registered 2024-01-02\n'.repeat(50));
    const a = await upload(us, caseId, 'subscriber.txt', content);
    const b = await upload(us, caseId, 'subscriber-again.txt', content);
    const c = await upload(us, otherCase, 'subscriber.txt', content);
    assert.equal(a.mediaType, 'text/plain');
    assert.notEqual(a.id, b.id);
    const blobs = join(t.evidence.stagingDir, '..', 'blobs');
    const inCase = await readdir(join(blobs, caseId));
    assert.equal(inCase.filter((f) => f === a.sha256).length, 1, 'one blob for both items of the case');
    const sealedA = await readFile(join(blobs, caseId, a.sha256));
    const sealedC = await readFile(join(blobs, otherCase, c.sha256));
    assert.ok(!sealedA.includes(Buffer.from('jane.doe')), 'no plaintext at rest');
    assert.ok(!sealedA.equals(sealedC), 'another case, another key: other bytes');
    assert.equal((await stat(join(blobs, caseId, a.sha256))).mode & 0o777, 0o600);
    assert.equal((await stat(join(blobs, caseId))).mode & 0o777, 0o700);
    assert.equal((await stat(blobs)).mode & 0o777, 0o700);
  });

  it('the chain of custody is signed, hash-chained and names its keys', async () => {
    const custody: CustodyRecord[] = await listCustody(t.cases.db, caseId);
    let prev = GENESIS_PREV;
    for (const record of custody) {
      const statement = parseCustodyLine(record.line);
      assert.ok(statement, record.line);
      assert.equal(statement.prev, prev);
      const key = await t.evidence.keys.get(record.keyId);
      assert.ok(key?.publicKeyDer);
      assert.equal(key.purpose, 'authority-signing');
      assert.ok(verifyLineSignature(record.line, record.signature, key.publicKeyDer));
      assert.ok(!verifyLineSignature(record.line.replace('"seq":', '"seq": '), record.signature, key.publicKeyDer));
      prev = lineHash(record.line);
    }
    // Each line is in the audit trail by its hash (what the transparency log sequences).
    const audit = await t.handle.db.selectFrom('audit_events').select(['action', 'details']).where('object_id', '=', caseId).where('action', 'like', 'custody.%').orderBy('seq').execute();
    assert.deepEqual(
      audit.map((a) => [a.action, (JSON.parse(a.details ?? '{}') as { lineSha256?: string }).lineSha256]),
      custody.map((r) => [`custody.${r.event}`, lineHash(r.line)]),
    );
  });

  it('a blob altered on disk is refused at download (no bytes of it are trusted)', async () => {
    const us = await t.as('officer@us.demo');
    const content = randomBytes(5000);
    const item = await upload(us, otherCase, 'to-tamper.bin', content);
    const path = join(t.evidence.stagingDir, '..', 'blobs', otherCase, item.sha256);
    const sealed = await readFile(path);
    sealed[100] = (sealed[100] as number) ^ 1;
    await writeFile(path, sealed);
    const down = await us.get(`/api/cases/${otherCase}/evidence/${item.id}/content`);
    // The stream fails: the response is cut, never completed with altered bytes.
    assert.ok(down.statusCode >= 500 || !down.rawPayload.equals(content));
  });

  it('when retention ends the blobs and the case key are gone; digests and a signed deletion remain', async () => {
    const before = await t.handle.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).execute();
    assert.ok(before.length > 0);
    const fr = await t.as('officer@fr.demo');
    const us = await t.as('officer@us.demo');
    for (const [c, event, body] of [[us, 'execute', {}], [us, 'respond', {}], [fr, 'close', {}]] as const) {
      const r = await c.post(`/api/cases/${caseId}/events/${event}`, body);
      assert.equal(r.statusCode, 200, `${event}: ${r.body}`);
    }
    t.clock.advance(4000 * 24 * 3600 * 1000);
    await purgeExpiredCases(t.cases);
    const deleted = await purgeExpiredEvidence(t.evidence);
    assert.equal(deleted, before.length);
    const blobs = await t.evidence.blobs.list(`${caseId}/`);
    assert.deepEqual(blobs, []);
    const after = await t.handle.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).execute();
    for (const row of after) {
      assert.ok(row.deleted_at);
      assert.equal(row.original_name, null);
      assert.match(row.sha256, /^[0-9a-f]{64}$/);
    }
    const key = await t.handle.db.selectFrom('evidence_case_keys').selectAll().where('case_id', '=', caseId).executeTakeFirstOrThrow();
    assert.equal(key.wrapped, null);
    const custody = await listCustody(t.cases.db, caseId);
    assert.equal(custody.filter((c) => c.event === 'deleted').length, before.length);
    // Years later: a new session.
    const later = await t.as(await t.signIn('officer@fr.demo'));
    assertProblem(await later.get(`/api/cases/${caseId}/evidence/${after[0]?.id}/content`), 410, 'gone');
  });
});
