/**
 * GET /api/cases/:id/pdf as a formal document: the requesting officer of a sent case gets the
 * official form signed with the authority's document-signing key (pdfsig: valid, signer named),
 * its SHA-256 in the case's audit trail; the other side and drafts get unsigned copies that say
 * so; the form must fit the basis; the language is the request's or the one asked for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CaseSummary } from '../../src/cases/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { pageTexts, popplerSkipReason, signatureReport } from '../../src/documents/poppler.js';
import { assertProblem, buildTestApp, type TestApp } from './harness.js';

describe('formal documents over HTTP [sqlite]', { skip: popplerSkipReason() }, () => {
  let t: TestApp;
  let sent: CaseSummary;
  before(async () => {
    t = await buildTestApp('sqlite');
    const fr = await t.as('officer@fr.demo');
    const res = await fr.post('/api/cases', preservationRequestFrToUs({ references: { requesting: 'DOC-1' }, language: 'fr' }));
    assert.equal(res.statusCode, 201, res.body);
    sent = res.json<CaseSummary>();
    assert.equal((await (await t.as('judge@fr.demo')).post(`/api/cases/${sent.id}/events/approve`, { review: DEMO_REVIEW })).statusCode, 200);
    assert.equal((await fr.post(`/api/cases/${sent.id}/events/send`, {})).statusCode, 200);
  });
  after(() => t?.close());

  it('the requesting officer gets the T-CY form in the request language, signed; its digest is audited', async () => {
    const res = await (await t.as('officer@fr.demo')).get(`/api/cases/${sent.id}/pdf`);
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.equal(res.headers['x-document-signed'], 'true');
    const report = signatureReport(res.rawPayload);
    assert.ok(report.valid, report.output);
    assert.match(report.output, /OU=fr-ca,O=Comity node/);
    const text = pageTexts(res.rawPayload).join(' ');
    assert.match(text, /Demande de conservation de données au titre des articles 29 et 30/);
    assert.match(text, /ETS185 Art\. 29 — Conservation rapide de données informatiques stockées/);
    const audit = await t.handle.db.selectFrom('audit_events').selectAll().where('object_id', '=', sent.id).where('action', '=', 'case.document-issued').execute();
    assert.equal(audit.length, 1);
    const details = JSON.parse(audit[0]?.details ?? '{}') as { sha256: string; form: string; language: string };
    assert.deepEqual({ form: details.form, language: details.language }, { form: 'tcy-preservation', language: 'fr' });
    assert.equal(details.sha256, res.headers['x-content-sha256']);
    const keys = await t.handle.db.selectFrom('node_keys').select(['owner', 'purpose', 'algorithm']).where('purpose', '=', 'document-signing').execute();
    assert.deepEqual(keys, [{ owner: 'fr-ca', purpose: 'document-signing', algorithm: 'ECDSA-P256' }]);
  });

  it('the language and form can be chosen; a form that does not fit the basis is 422, an unknown language 400', async () => {
    const fr = await t.as('officer@fr.demo');
    const letter = await fr.get(`/api/cases/${sent.id}/pdf?form=letter&language=en`);
    assert.equal(letter.statusCode, 200);
    assert.match(pageTexts(letter.rawPayload).join(' '), /Request for mutual legal assistance/);
    assertProblem(await fr.get(`/api/cases/${sent.id}/pdf?form=epoc`), 422, 'form-not-applicable');
    assertProblem(await fr.get(`/api/cases/${sent.id}/pdf?language=xx`), 400, 'invalid-parameter');
    assertProblem(await fr.get(`/api/cases/${sent.id}/pdf?form=nope`), 400, 'invalid-request');
  });

  it('the requested side and the auditor get an unsigned copy marked as such; nothing is audited for it', async () => {
    const before = await t.handle.db.selectFrom('audit_events').select('id').where('action', '=', 'case.document-issued').execute();
    for (const who of ['officer@us.demo', 'auditor@fr.demo']) {
      const res = await (await t.as(who)).get(`/api/cases/${sent.id}/pdf?language=en`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-document-signed'], 'false');
      assert.match(pageTexts(res.rawPayload).join(' '), /COPY FOR INFORMATION — NOT SIGNED/);
      assert.equal(signatureReport(res.rawPayload).valid, false);
    }
    const afterwards = await t.handle.db.selectFrom('audit_events').select('id').where('action', '=', 'case.document-issued').execute();
    assert.equal(afterwards.length, before.length);
  });
});

describe('legal texts over HTTP in another language [sqlite]', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(() => t?.close());

  it('clocks, bases and offences in French with the same citations; English without lang', async () => {
    // The seeded EPOC of Köln to the Irish provider was received: its 10-day clock runs.
    const us = await t.as('prosecutor@de.demo');
    const en = (await us.get('/api/deadlines')).json<{ description: string; citation: unknown }[]>();
    const fr = (await us.get('/api/deadlines?lang=fr')).json<{ description: string; citation: unknown }[]>();
    assert.ok(en.length > 0, 'the demo has a running clock');
    assert.equal(fr.length, en.length);
    fr.forEach((clock, i) => {
      assert.notEqual(clock.description, en[i]?.description);
      assert.deepEqual(clock.citation, en[i]?.citation);
    });
    const bases = (await t.anonymous.get('/api/law/bases?from=FR&to=US&measure=preservation&date=2026-12-01&lang=fr')).json<{ applicable: { provision: string; title: string }[] }>();
    assert.equal(bases.applicable.find((b) => b.provision === 'ETS185:29')?.title, 'Conservation rapide de données informatiques stockées');
    const offences = (await t.anonymous.get('/api/law/offences?lang=fr')).json<{ id: string; name: string }[]>();
    assert.equal(offences.find((o) => o.id === 'illegal-access')?.name, 'Accès illégal');
    assertProblem(await t.anonymous.get('/api/law/offences?lang=FRENCH'), 400, 'invalid-request');
  });
});
