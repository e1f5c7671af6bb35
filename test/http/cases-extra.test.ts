/**
 * The case routes added for the workspace: the request as a PDF, saving a draft again (PUT), and
 * the attachments of the response (upload, list, download, purge) — each with its tenant
 * isolation, side and role rules, its audit event and its record of access.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createCaseContext, purgeExpiredCases, replay, type CaseDetail, type CaseSummary } from '../../src/cases/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { attachmentDisposition } from '../../src/http/routes/cases.js';
import { postgresProbe } from '../db/dialects.js';
import { assertProblem, buildTestApp, type TestApp } from './harness.js';

const GROUNDS = [
  { ground: 'political-offence', applies: false },
  { ground: 'essential-interests', applies: false },
];

async function accessCount(t: TestApp, caseId: string, action?: string): Promise<number> {
  let q = t.handle.db.selectFrom('case_access').select((eb) => eb.fn.countAll<number>().as('n')).where('case_id', '=', caseId);
  if (action) q = q.where('action', '=', action);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function auditActions(t: TestApp, caseId: string): Promise<string[]> {
  const rows = await t.handle.db.selectFrom('audit_events').select('action').where('object_type', '=', 'case').where('object_id', '=', caseId).orderBy('seq').execute();
  return rows.map((r) => r.action);
}

/** A French draft to the United States, created through the API by the French officer. */
async function draft(t: TestApp, reference: string): Promise<CaseSummary> {
  const fr = await t.as('officer@fr.demo');
  const res = await fr.post('/api/cases', preservationRequestFrToUs({ references: { requesting: reference } }));
  assert.equal(res.statusCode, 201, res.body);
  return res.json<CaseSummary>();
}

/** Drives a draft through the API to `accepted` (review, send, receive, acknowledge, assess, accept). */
async function toAccepted(t: TestApp, id: string): Promise<void> {
  const judge = await t.as('judge@fr.demo');
  const fr = await t.as('officer@fr.demo');
  const us = await t.as('officer@us.demo');
  const step = async (c: typeof fr, event: string, body: unknown = {}) => {
    const res = await c.post(`/api/cases/${id}/events/${event}`, body);
    assert.equal(res.statusCode, 200, `${event}: ${res.body}`);
  };
  await step(judge, 'approve', { review: DEMO_REVIEW });
  await step(fr, 'send');
  await step(us, 'receive');
  await step(us, 'acknowledge');
  await step(us, 'start-assessment');
  await step(us, 'accept', { assessment: { grounds: GROUNDS, decision: 'accept' } });
}

describe('case routes for the workspace [sqlite]', () => {
  let t: TestApp;
  let foreignCase: string;
  const unknownCase = '01900000-0000-7000-8000-00000000abcd';

  before(async () => {
    t = await buildTestApp('sqlite');
    foreignCase = (await t.handle.db.selectFrom('cases').select('id').where('requesting_authority_id', '=', 'de-sta-koeln').executeTakeFirstOrThrow()).id;
  });
  after(() => t?.close());

  describe('GET /api/cases/:id/pdf', () => {
    it('answers the request as a PDF download named after the reference, and records the read', async () => {
      const c = await draft(t, 'PDF-1');
      const fr = await t.as('officer@fr.demo');
      const before = await accessCount(t, c.id, 'read');
      const res = await fr.get(`/api/cases/${c.id}/pdf`);
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.equal(res.headers['content-disposition'], `attachment; filename="${c.reference}.pdf"`);
      assert.equal(res.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.match(res.rawPayload.subarray(-16).toString('latin1'), /%%EOF\s*$/);
      assert.equal(await accessCount(t, c.id, 'read'), before + 1, 'the read is recorded');
    });

    it('both sides and the auditor may print it; a foreign case answers 404 exactly like an unknown one', async () => {
      const c = await draft(t, 'PDF-2');
      assert.equal((await (await t.as('judge@fr.demo')).post(`/api/cases/${c.id}/events/approve`, { review: DEMO_REVIEW })).statusCode, 200);
      assert.equal((await (await t.as('officer@fr.demo')).post(`/api/cases/${c.id}/events/send`, {})).statusCode, 200);
      for (const who of ['officer@us.demo', 'auditor@fr.demo', 'judge@fr.demo', 'drafter@fr.demo']) {
        const res = await (await t.as(who)).get(`/api/cases/${c.id}/pdf`);
        assert.equal(res.statusCode, 200, `${who}: ${res.body.slice(0, 200)}`);
      }
      const fr = await t.as('officer@fr.demo');
      const foreign = assertProblem(await fr.get(`/api/cases/${foreignCase}/pdf`), 404, 'not-found');
      const unknown = assertProblem(await fr.get(`/api/cases/${unknownCase}/pdf`), 404, 'not-found');
      assert.equal(foreign.detail?.replace(foreignCase, '<id>'), unknown.detail?.replace(unknownCase, '<id>'));
      assert.equal(await accessCount(t, foreignCase), 0, 'no read of the foreign case was recorded');
      assertProblem(await (await t.as('admin@comity.demo')).get(`/api/cases/${c.id}/pdf`), 403, 'forbidden');
      assertProblem(await t.anonymous.get(`/api/cases/${c.id}/pdf`), 401, 'unauthenticated');
    });
  });

  describe('POST /api/cases with an Idempotency-Key', () => {
    it('a retry answers the case created the first time; another request under the key is 422; a malformed key 400', async () => {
      const fr = await t.as('officer@fr.demo');
      const body = preservationRequestFrToUs({ references: { requesting: 'IDEM-1' } });
      const headers = { 'idempotency-key': 'b1f0c6de-7d1e-4f0e-9c55-2a4a35b7c001' };
      const first = await fr.post('/api/cases', body, { headers });
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      const retry = await fr.post('/api/cases', body, { headers });
      assert.equal(retry.statusCode, 201, retry.body);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.equal(retry.json<CaseSummary>().id, first.json<CaseSummary>().id);
      const count = await t.handle.db.selectFrom('cases').select('id').where('request', 'like', '%IDEM-1%').execute();
      assert.equal(count.length, 1, 'one case, however many retries');
      assertProblem(await fr.post('/api/cases', preservationRequestFrToUs({ references: { requesting: 'IDEM-2' } }), { headers }), 422, 'idempotency-key-reused');
      assertProblem(await fr.post('/api/cases', body, { headers: { 'idempotency-key': 'not a key' } }), 400, 'invalid-request');
      // Another user's key of the same name is theirs.
      const drafter = await t.as('drafter@fr.demo');
      const theirs = await drafter.post('/api/cases', body, { headers });
      assert.equal(theirs.statusCode, 201, theirs.body);
      assert.notEqual(theirs.json<CaseSummary>().id, first.json<CaseSummary>().id);
    });
  });

  describe('PUT /api/cases/:id', () => {
    it('saves a draft again: version + 1, an `edit` history event and a `case.edit` audit event; replay skips it', async () => {
      const c = await draft(t, 'EDIT-1');
      const drafter = await t.as('drafter@fr.demo');
      const changed = preservationRequestFrToUs({ references: { requesting: 'EDIT-1-B' }, facts: 'Revised facts: between 3 and 5 November 2026 an intruder accessed a hospital mail server.', emergency: { emergency: false } });
      const res = await drafter.request('PUT', `/api/cases/${c.id}`, { body: changed, query: { expectedVersion: '1' } });
      assert.equal(res.statusCode, 200, res.body);
      const summary = res.json<CaseSummary>();
      assert.equal(summary.version, 2);
      assert.equal(summary.state, 'draft');
      const detail = (await drafter.get(`/api/cases/${c.id}`)).json<CaseDetail>();
      assert.equal(detail.request?.references.requesting, 'EDIT-1-B');
      assert.match(detail.request?.facts ?? '', /^Revised facts/);
      assert.deepEqual(detail.history.map((e) => [e.seq, e.event, e.fromState, e.toState]), [
        [1, 'create', null, 'draft'],
        [2, 'edit', 'draft', 'draft'],
      ]);
      assert.equal(replay(detail.history), 'draft');
      assert.deepEqual(await auditActions(t, c.id), ['case.create', 'case.edit']);
      // The edited draft goes on through the workflow, and its history still replays.
      const judge = await t.as('judge@fr.demo');
      assert.equal((await judge.post(`/api/cases/${c.id}/events/approve`, { review: DEMO_REVIEW })).statusCode, 200);
      const approved = (await drafter.get(`/api/cases/${c.id}`)).json<CaseDetail>();
      assert.equal(approved.version, 3);
      assert.equal(replay(approved.history), 'approved');
    });

    it('may change the addressee; the summary columns follow', async () => {
      const c = await draft(t, 'EDIT-2');
      const fr = await t.as('officer@fr.demo');
      const body = preservationRequestFrToUs({ addressee: 'jp-247', references: { requesting: 'EDIT-2' } });
      const res = await fr.request('PUT', `/api/cases/${c.id}`, { body });
      assert.equal(res.statusCode, 200, res.body);
      const row = await t.handle.db.selectFrom('cases').select(['addressee_id', 'requested_party', 'version']).where('id', '=', c.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { addressee_id: 'jp-247', requested_party: 'JP', version: 2 });
    });

    it('only a draft, only the requesting side’s drafters, only for their own authority; nothing is written otherwise', async () => {
      const c = await draft(t, 'EDIT-3');
      const body = preservationRequestFrToUs({ references: { requesting: 'EDIT-3' } });
      const fr = await t.as('officer@fr.demo');
      // The addressee does not see a draft at all (tenant isolation: 404 like an unknown case).
      assertProblem(await (await t.as('officer@us.demo')).request('PUT', `/api/cases/${c.id}`, { body }), 404, 'not-found', 'the addressee');
      assertProblem(await (await t.as('judge@fr.demo')).request('PUT', `/api/cases/${c.id}`, { body }), 403, 'forbidden', 'a reviewer');
      assertProblem(await (await t.as('auditor@fr.demo')).request('PUT', `/api/cases/${c.id}`, { body }), 403, 'forbidden', 'an auditor');
      assertProblem(await fr.request('PUT', `/api/cases/${c.id}`, { body: { ...body, requestingAuthority: 'de-sta-koeln' } }), 403, 'forbidden', 'another requesting authority');
      assertProblem(await fr.request('PUT', `/api/cases/${c.id}`, { body: { ...body, unknownField: 1 } }), 400, 'invalid-request');
      assertProblem(await fr.request('PUT', `/api/cases/${c.id}`, { body: { ...body, legalBasis: 'ETS185:999' } }), 400, 'invalid-request');
      assertProblem(await fr.request('PUT', `/api/cases/${c.id}`, { body, query: { expectedVersion: '7' } }), 409, 'conflict');
      const foreign = assertProblem(await fr.request('PUT', `/api/cases/${foreignCase}`, { body }), 404, 'not-found');
      const unknown = assertProblem(await fr.request('PUT', `/api/cases/${unknownCase}`, { body }), 404, 'not-found');
      assert.equal(foreign.detail?.replace(foreignCase, '<id>'), unknown.detail?.replace(unknownCase, '<id>'));
      const row = await t.handle.db.selectFrom('cases').select(['version']).where('id', '=', c.id).executeTakeFirstOrThrow();
      assert.equal(row.version, 1, 'no refused edit changed the case');
      assert.deepEqual(await auditActions(t, c.id), ['case.create']);
      // Once approved the request is frozen.
      assert.equal((await (await t.as('judge@fr.demo')).post(`/api/cases/${c.id}/events/approve`, { review: DEMO_REVIEW })).statusCode, 200);
      assertProblem(await fr.request('PUT', `/api/cases/${c.id}`, { body }), 409, 'invalid-transition');
    });
  });

  describe('attachments of the response', () => {
    let accepted: CaseSummary;
    const text = Buffer.from('Preserved: 1,204 messages, 3 log files.\n');

    before(async () => {
      accepted = await draft(t, 'ATTACH-1');
      await toAccepted(t, accepted.id);
    });

    it('the requested side uploads while the case is accepted; both sides list and download it, byte for byte', async () => {
      const us = await t.as('officer@us.demo');
      const upload = await us.post(`/api/cases/${accepted.id}/attachments`, { name: 'preservation-confirmation é.txt', mediaType: 'text/plain', contentBase64: text.toString('base64') });
      assert.equal(upload.statusCode, 201, upload.body);
      const meta = upload.json<{ id: string; name: string; mediaType: string; size: number; sha256: string; uploadedBy: string; uploadedAt: string; caseId: string }>();
      const sha256 = createHash('sha256').update(text).digest('hex');
      assert.deepEqual({ name: meta.name, mediaType: meta.mediaType, size: meta.size, sha256: meta.sha256, caseId: meta.caseId }, { name: 'preservation-confirmation é.txt', mediaType: 'text/plain', size: text.length, sha256, caseId: accepted.id });
      assert.match(meta.uploadedBy, /^user:/);

      const fr = await t.as('officer@fr.demo');
      const list = await fr.get(`/api/cases/${accepted.id}/attachments`);
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json(), [meta]);
      assert.ok(!list.body.includes('content'), 'the list carries metadata only');

      const before = await accessCount(t, accepted.id, 'attachment');
      const download = await fr.get(`/api/cases/${accepted.id}/attachments/${meta.id}`);
      assert.equal(download.statusCode, 200);
      assert.deepEqual(download.rawPayload, text);
      assert.equal(download.headers['x-content-sha256'], sha256);
      assert.equal(download.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(download.headers['x-content-type-options'], 'nosniff');
      assert.equal(download.headers['content-disposition'], `attachment; filename="preservation-confirmation _.txt"; filename*=UTF-8''preservation-confirmation%20%C3%A9.txt`);
      assert.equal(await accessCount(t, accepted.id, 'attachment'), before + 1, 'the download is recorded');

      const audit = (await (await t.as('auditor@fr.demo')).get(`/api/cases/${accepted.id}/audit`)).json<{ action: string; afterDigest: string | null }[]>();
      const event = audit.find((a) => a.action === 'attachment.add');
      assert.ok(event?.afterDigest, 'the upload has its audit event, with a digest');
      const details = await t.handle.db.selectFrom('audit_events').select('details').where('action', '=', 'attachment.add').where('object_id', '=', accepted.id).executeTakeFirstOrThrow();
      assert.ok(!String(details.details).includes('preservation-confirmation'), 'the audit trail holds no file name');
      // Attaching is no workflow event: the case's version and history are unchanged.
      const detail = (await fr.get(`/api/cases/${accepted.id}`)).json<CaseDetail>();
      assert.equal(detail.state, 'accepted');
      assert.equal(replay(detail.history), 'accepted');
    });

    it('only the requested side’s executors, only in accepted, partially executed or executed', async () => {
      const body = { name: 'a.txt', mediaType: 'text/plain', contentBase64: text.toString('base64') };
      assertProblem(await (await t.as('officer@fr.demo')).post(`/api/cases/${accepted.id}/attachments`, body), 403, 'forbidden', 'the requesting side');
      assertProblem(await (await t.as('auditor@fr.demo')).post(`/api/cases/${accepted.id}/attachments`, body), 403, 'forbidden', 'an auditor');
      const sent = await draft(t, 'ATTACH-2');
      assert.equal((await (await t.as('judge@fr.demo')).post(`/api/cases/${sent.id}/events/approve`, { review: DEMO_REVIEW })).statusCode, 200);
      assert.equal((await (await t.as('officer@fr.demo')).post(`/api/cases/${sent.id}/events/send`, {})).statusCode, 200);
      assertProblem(await (await t.as('officer@us.demo')).post(`/api/cases/${sent.id}/attachments`, body), 409, 'invalid-transition', 'a case only sent');
      const count = await t.handle.db.selectFrom('case_attachments').select((eb) => eb.fn.countAll<number>().as('n')).where('case_id', '=', sent.id).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0);
    });

    it('size: the route takes more than the global body limit, up to 5 MiB decoded; above is 413', async () => {
      const us = await t.as('officer@us.demo');
      const big = Buffer.alloc(2 * 1024 * 1024, 7);
      assert.ok(big.length > t.config.bodyLimitBytes, 'larger than the global body limit');
      const ok = await us.post(`/api/cases/${accepted.id}/attachments`, { name: 'logs.bin', mediaType: 'application/octet-stream', contentBase64: big.toString('base64') });
      assert.equal(ok.statusCode, 201, ok.body.slice(0, 300));
      const max = Buffer.alloc(5 * 1024 * 1024, 1);
      assert.equal((await us.post(`/api/cases/${accepted.id}/attachments`, { name: 'max.bin', mediaType: 'application/octet-stream', contentBase64: max.toString('base64') })).statusCode, 201);
      const over = Buffer.alloc(5 * 1024 * 1024 + 1, 1);
      assertProblem(await us.post(`/api/cases/${accepted.id}/attachments`, { name: 'over.bin', mediaType: 'application/octet-stream', contentBase64: over.toString('base64') }), 413, 'payload-too-large');
      // Other routes keep the global limit.
      assertProblem(await us.post(`/api/cases/${accepted.id}/events/execute`, { reason: 'x'.repeat(t.config.bodyLimitBytes + 10) }), 413, 'payload-too-large');
    });

    it('malformed input is a 400 problem and stores nothing', async () => {
      const us = await t.as('officer@us.demo');
      const before = await t.handle.db.selectFrom('case_attachments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      for (const body of [
        { name: 'a.txt', mediaType: 'text/plain', contentBase64: 'not base64!' },
        { name: 'a.txt', mediaType: 'text/plain', contentBase64: 'YWJj=' },
        { name: '../etc/passwd', mediaType: 'text/plain', contentBase64: 'YWJj' },
        { name: 'a\u0000.txt', mediaType: 'text/plain', contentBase64: 'YWJj' },
        { name: 'a.txt', mediaType: 'text', contentBase64: 'YWJj' },
        { name: 'a.txt', mediaType: 'text/plain', contentBase64: 'YWJj', extra: true },
        { name: '', mediaType: 'text/plain', contentBase64: 'YWJj' },
      ]) {
        assertProblem(await us.post(`/api/cases/${accepted.id}/attachments`, body), 400, 'invalid-request', JSON.stringify(body));
      }
      const afterCount = await t.handle.db.selectFrom('case_attachments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n));
    });

    it('tenant isolation: a foreign case’s attachments answer 404 like an unknown case; another case’s attachment id is not found here', async () => {
      const agent = await t.as('agent@provider.demo');
      const foreign = assertProblem(await agent.get(`/api/cases/${accepted.id}/attachments`), 404, 'not-found');
      const unknown = assertProblem(await agent.get(`/api/cases/${unknownCase}/attachments`), 404, 'not-found');
      assert.equal(foreign.detail?.replace(accepted.id, '<id>'), unknown.detail?.replace(unknownCase, '<id>'));
      const [first] = (await (await t.as('officer@fr.demo')).get(`/api/cases/${accepted.id}/attachments`)).json<{ id: string }[]>();
      assert.ok(first);
      assertProblem(await agent.get(`/api/cases/${accepted.id}/attachments/${first.id}`), 404, 'not-found');
      assertProblem(await agent.post(`/api/cases/${accepted.id}/attachments`, { name: 'a.txt', mediaType: 'text/plain', contentBase64: 'YWJj' }), 404, 'not-found');
      const other = await draft(t, 'ATTACH-3');
      assertProblem(await (await t.as('officer@fr.demo')).get(`/api/cases/${other.id}/attachments/${first.id}`), 404, 'not-found');
      assertProblem(await (await t.as('officer@fr.demo')).get(`/api/cases/${accepted.id}/attachments/01900000-0000-7000-8000-000000000000`), 404, 'not-found');
      assertProblem(await (await t.as('admin@comity.demo')).get(`/api/cases/${accepted.id}/attachments`), 403, 'forbidden');
    });

    it('after execution and response the requesting side closes; the purge deletes the attachments with the content', async () => {
      const us = await t.as('officer@us.demo');
      const fr = await t.as('officer@fr.demo');
      assert.equal((await us.post(`/api/cases/${accepted.id}/events/execute`, {})).statusCode, 200);
      const late = await us.post(`/api/cases/${accepted.id}/attachments`, { name: 'certificate.txt', mediaType: 'text/plain', contentBase64: Buffer.from('certified').toString('base64') });
      assert.equal(late.statusCode, 201, 'an executed case still takes attachments');
      assert.equal((await us.post(`/api/cases/${accepted.id}/events/respond`, { response: { summary: 'Data preserved for 90 days.' } })).statusCode, 200);
      assertProblem(await us.post(`/api/cases/${accepted.id}/attachments`, { name: 'late.txt', mediaType: 'text/plain', contentBase64: 'YWJj' }), 409, 'invalid-transition', 'a responded case');
      assert.equal((await fr.post(`/api/cases/${accepted.id}/events/close`, {})).statusCode, 200);
      const ids = (await fr.get(`/api/cases/${accepted.id}/attachments`)).json<{ id: string }[]>().map((a) => a.id);
      assert.ok(ids.length >= 3);
      const row = await t.handle.db.selectFrom('cases').select('delete_after').where('id', '=', accepted.id).executeTakeFirstOrThrow();
      assert.ok(row.delete_after);
      const later = new Date(Date.parse(`${row.delete_after}T12:00:00Z`) + 86_400_000);
      const purged = await purgeExpiredCases(createCaseContext(t.handle.db, t.kb, { now: () => later }));
      assert.ok(purged.includes(accepted.id));
      const left = await t.handle.db.selectFrom('case_attachments').select('id').where('case_id', '=', accepted.id).execute();
      assert.deepEqual(left, []);
      assert.deepEqual((await fr.get(`/api/cases/${accepted.id}/attachments`)).json(), []);
      assertProblem(await fr.get(`/api/cases/${accepted.id}/attachments/${ids[0]}`), 404, 'not-found');
      const audit = await t.handle.db.selectFrom('audit_events').select('details').where('action', '=', 'case.purge').where('object_id', '=', accepted.id).executeTakeFirstOrThrow();
      assert.equal((JSON.parse(String(audit.details)) as { attachmentsDeleted: number }).attachmentsDeleted, ids.length);
      // A purged case has no content to put in a formal document.
      assertProblem(await fr.get(`/api/cases/${accepted.id}/pdf`), 409, 'document-unavailable');
    });
  });

  it('HEAD on the new GET routes (which skips the policy hook) answers 401 without a session, not 500', async () => {
    const c = await draft(t, 'HEAD-1');
    for (const url of [`/api/cases/${c.id}/pdf`, `/api/cases/${c.id}/attachments`, `/api/cases/${c.id}/attachments/01900000-0000-7000-8000-000000000000`]) {
      const res = await t.anonymous.request('HEAD', url);
      assert.equal(res.statusCode, 401, url);
    }
  });

  it('attachmentDisposition quotes safely and keeps the exact name in filename*', () => {
    assert.equal(attachmentDisposition('report.pdf'), `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    assert.equal(attachmentDisposition('a"b;c%d\\e.txt'), `attachment; filename="a_b_c_d_e.txt"; filename*=UTF-8''a%22b%3Bc%25d%5Ce.txt`);
    assert.equal(attachmentDisposition('Übersicht (1).pdf'), `attachment; filename="_bersicht (1).pdf"; filename*=UTF-8''%C3%9Cbersicht%20%281%29.pdf`);
  });
});

for (const kind of ['pglite', ...(postgresProbe.reachable ? ['postgres' as const] : [])] as const) {
  describe(`PUT and attachments on the PostgreSQL family [${kind}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(kind);
    });
    after(() => t?.close());

    it('saves a draft again in one statement (history and audit with it), and refuses a stale version', async () => {
      const c = await draft(t, 'PG-EDIT');
      const fr = await t.as('officer@fr.demo');
      const body = preservationRequestFrToUs({ references: { requesting: 'PG-EDIT-B' } });
      const res = await fr.request('PUT', `/api/cases/${c.id}`, { body, query: { expectedVersion: '1' } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<CaseSummary>().version, 2);
      assertProblem(await fr.request('PUT', `/api/cases/${c.id}`, { body, query: { expectedVersion: '1' } }), 409, 'conflict');
      const detail = (await fr.get(`/api/cases/${c.id}`)).json<CaseDetail>();
      assert.deepEqual(detail.history.map((e) => e.event), ['create', 'edit']);
      assert.deepEqual(await auditActions(t, c.id), ['case.create', 'case.edit']);
    });

    it('round-trips the bytes (bytea) and the digest', async () => {
      const c = await draft(t, 'PG-ATTACH');
      await toAccepted(t, c.id);
      const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
      const us = await t.as('officer@us.demo');
      const up = await us.post(`/api/cases/${c.id}/attachments`, { name: 'bytes.bin', mediaType: 'application/octet-stream', contentBase64: bytes.toString('base64') });
      assert.equal(up.statusCode, 201, up.body);
      const { id } = up.json<{ id: string }>();
      const down = await (await t.as('officer@fr.demo')).get(`/api/cases/${c.id}/attachments/${id}`);
      assert.equal(down.statusCode, 200);
      assert.deepEqual(down.rawPayload, bytes);
      assert.equal(down.headers['x-content-sha256'], createHash('sha256').update(bytes).digest('hex'));
    });
  });
}
