/**
 * Abandoned uploads: an upload with no bytes for COMITY_UPLOAD_EXPIRY_HOURS is removed by the
 * scheduler's pass (`expireUploads`) with its staged sealed bytes; the tus `Upload-Expires`
 * header says when; an upload still receiving bytes, or younger, is kept; a stray staged file
 * without a row is removed as well; the setting is validated.
 */
import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expireUploads, resolveUploadExpiryHours } from '../../src/evidence/index.js';
import { stagedSize } from '../../src/evidence/uploads.js';
import { buildTestApp, type TestApp } from '../http/harness.js';
import { acceptedCase, metadata, patch } from './fixture.js';

describe('abandoned evidence uploads [sqlite]', () => {
  let t: TestApp;
  let caseId: string;
  before(async () => {
    t = await buildTestApp('sqlite');
    caseId = await acceptedCase(t, 'EXPIRY-1');
  });
  after(async () => {
    await t?.close();
  });

  it('COMITY_UPLOAD_EXPIRY_HOURS: default 24, whole hours from 1 to 8760', () => {
    assert.equal(resolveUploadExpiryHours({}), 24);
    assert.equal(resolveUploadExpiryHours({ COMITY_UPLOAD_EXPIRY_HOURS: '2' }), 2);
    for (const bad of ['0', '1.5', 'x', '8761']) assert.throws(() => resolveUploadExpiryHours({ COMITY_UPLOAD_EXPIRY_HOURS: bad }), /COMITY_UPLOAD_EXPIRY_HOURS/);
  });

  it('an upload without bytes for 24 hours is removed with its staged bytes; a recent one stays', async () => {
    let us = await t.as('officer@us.demo');
    const begin = await us.post(`/api/cases/${caseId}/evidence/uploads`, metadata('mailbox.mbox', 3_000_000));
    assert.equal(begin.statusCode, 201, begin.body);
    const id = begin.json<{ id: string; expiresAt: string }>().id;
    const expires = Date.parse(begin.headers['upload-expires'] as string);
    assert.ok(Math.abs(expires - (t.clock.now().getTime() + 24 * 3_600_000)) < 2000, `Upload-Expires ${String(begin.headers['upload-expires'])}`);
    const part = await patch(us, caseId, id, 0, Buffer.alloc(2 * 1024 * 1024, 1));
    assert.equal(part.statusCode, 200, part.body);
    assert.ok(part.headers['upload-expires']);
    assert.ok(((await stagedSize(t.evidence, id)) ?? 0) > 2 * 1024 * 1024);

    t.clock.advance(23 * 3_600_000);
    us = await t.as(await t.signIn('officer@us.demo')); // a new session: the first one lapsed meanwhile
    const younger = await us.post(`/api/cases/${caseId}/evidence/uploads`, metadata('later.bin', 10));
    const youngerId = younger.json<{ id: string }>().id;
    assert.equal(await expireUploads(t.evidence), 0, 'not yet expired');
    const head = await us.get(`/api/cases/${caseId}/evidence/uploads/${id}`);
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['upload-offset'], String(2 * 1024 * 1024));

    // A stray staged file (a crash between the file and its row), old enough.
    const stray = join(t.evidence.stagingDir, '01900000-0000-7000-8000-000000000000.sealed');
    await writeFile(stray, 'sealed bytes');
    const old = (t.clock.now().getTime() - 25 * 3_600_000) / 1000;
    await utimes(stray, old, old);

    t.clock.advance(2 * 3_600_000);
    us = await t.as(await t.signIn('officer@us.demo'));
    assert.equal(await expireUploads(t.evidence), 1);
    assert.equal(await stagedSize(t.evidence, id), null, 'the staged bytes are gone');
    assert.equal((await us.get(`/api/cases/${caseId}/evidence/uploads/${id}`)).statusCode, 404);
    assert.equal((await patch(us, caseId, id, 2 * 1024 * 1024, Buffer.alloc(10))).statusCode, 404);
    assert.equal(await stagedSize(t.evidence, '01900000-0000-7000-8000-000000000000'), null, 'the stray file is gone');
    // The younger upload is kept and can still finish.
    assert.ok((await stagedSize(t.evidence, youngerId)) !== null);
    const done = await patch(us, caseId, youngerId, 0, Buffer.from('0123456789'));
    assert.equal(done.statusCode, 201, done.body);
    assert.equal(done.headers['upload-expires'], undefined);
  });
});
