/**
 * Regulation (EU) 2023/1543 orders through the real API (SQLite, the demo deployment): the
 * journeys of issue 14 at API level — a French judge's EPOC for content data to a US provider's
 * legal representative in Ireland with the Irish enforcing authority notified; Art. 4 on
 * approval; an emergency identification-data EPOC answered within 8 hours; an EPOC-PR extended
 * (Annex VI) and followed by a production order (Annex V); an Annex III impossibility leading to
 * Art. 16 enforcement; an Art. 17 objection; tenant isolation; clocks from delivery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { pageTexts as pdfText } from '../../src/documents/poppler.js';
import { verifyOrderDocument } from '../../src/eorders/index.js';
import { assertProblem, buildTestApp, type TestApp } from '../http/harness.js';
import { epocCertificate } from './certificate.js';

const HOUR = 3_600_000;
const OFAC = { who: 'ofac@fr.demo', authority: 'fr-247' };
const DAY = 24 * HOUR;

function certificate(overrides: Record<string, unknown> = {}) {
  return epocCertificate({ receivingAuthority: 'Tribunal judiciaire de Paris, pôle cyber', ...overrides });
}

interface Order {
  id: string;
  reference: string;
  state: string;
  version: number;
  enforcing: { id: string; status: string; notifiedAt: string | null } | null;
  notification: { required: boolean; suspensive: boolean };
  validationStatus: string;
  deliveredAt: string | null;
  transmitNotBefore: string | null;
  actions: string[];
  yourParties: string[];
  events: { event: string; party: string; at: string; payload: unknown }[];
  clocks: { clock: string; party: string; startedAt: string; dueAt: string; status: string; amount: number; unit: string; citation: { article: string; paragraph?: string } }[];
}

// SQLite always; PostgreSQL too (the migration and the queries on both engines) unless ORDERS_TEST_DB narrows it.
const KINDS = (process.env.ORDERS_TEST_DB ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

for (const kind of KINDS) describe(`e-Evidence orders (Reg. 2023/1543) over the API [${kind}]`, () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp(kind);
  });
  after(async () => {
    await t?.close();
  });

  // Sessions expire while the test clock jumps days ahead: sign in again after each jump.
  const sessions = new Map<string, { offset: number; client: Awaited<ReturnType<TestApp['as']>> }>();
  const as = async (who: string) => {
    const known = sessions.get(who);
    if (known && known.offset === t.clock.offsetMs) return known.client;
    const client = await t.as(await t.signIn(who));
    sessions.set(who, { offset: t.clock.offsetMs, client });
    return client;
  };

  const draft = async (cert: Record<string, unknown>, extra: Record<string, unknown> = {}, by: { who: string; authority: string } = { who: 'greffe@fr.demo', authority: 'fr-tj-paris' }): Promise<Order> => {
    const greffe = await as(by.who);
    const res = await greffe.post('/api/orders', { issuingAuthority: by.authority, certificate: cert, ...extra });
    assert.equal(res.statusCode, 201, res.body);
    return res.json<Order>();
  };
  const event = async (who: string, id: string, name: string, body: Record<string, unknown> = {}): Promise<Order> => {
    const c = await as(who);
    const res = await c.post(`/api/orders/${id}/events/${name}`, body);
    assert.equal(res.statusCode, 200, `${name} by ${who}: ${res.body}`);
    return res.json<Order>();
  };
  const issueAndSend = async (cert: Record<string, unknown>, approveBody: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<Order> => {
    const o = await draft(cert, extra);
    await event('juge@fr.demo', o.id, 'approve', approveBody);
    return event('juge@fr.demo', o.id, 'send');
  };
  const production = { items: [{ description: 'Mailbox export of attacker@mail.demo.invalid (MBOX)', category: 'content-data', sha256: 'a'.repeat(64), size: 1024 }] };

  test('providers: a US provider with its legal representative in Ireland is offered to a French authority', async () => {
    const c = await as('greffe@fr.demo');
    const res = await c.get('/api/providers');
    assert.equal(res.statusCode, 200, res.body);
    const [p] = res.json<{ id: string; establishedIn: string; representative: { state: string; kind: string }; offered: boolean }[]>();
    assert.equal(p?.id, 'example-mail');
    assert.equal(p?.establishedIn, 'US');
    assert.equal(p?.representative.state, 'IE');
    assert.equal(p?.representative.kind, 'legal-representative');
    assert.equal(p?.offered, true);
    // From Denmark (not bound by the Regulation) it is not offered.
    const dk = await c.get('/api/providers?from=DK');
    assert.equal(dk.json<{ offered: boolean }[]>()[0]?.offered, false);
  });

  test('journey 1: content-data EPOC, Irish enforcing authority notified, production at the end of the 10 days', async () => {
    const o = await draft(certificate());
    assert.equal(o.notification.required, true);
    // The addressee and the enforcing authority see nothing before delivery.
    assertProblem(await (await as('agent@provider.demo')).get(`/api/orders/${o.id}`), 404, 'not-found');
    assertProblem(await (await as('enforcing@ie.demo')).get(`/api/orders/${o.id}`), 404, 'not-found');
    // Separation of duties: the drafter does not approve.
    assertProblem(await (await as('greffe@fr.demo')).post(`/api/orders/${o.id}/events/approve`, {}), 403, 'forbidden');
    await event('juge@fr.demo', o.id, 'approve');
    const sent = await event('juge@fr.demo', o.id, 'send');
    assert.equal(sent.state, 'delivered');
    assert.ok(sent.deliveredAt);
    assert.equal(sent.enforcing?.status, 'notified');
    assert.equal(sent.enforcing?.notifiedAt, sent.deliveredAt);
    // The clocks start on delivery, not on a click.
    const prod = sent.clocks.find((c) => c.clock === 'production');
    const review = sent.clocks.find((c) => c.clock === 'enforcing-review');
    assert.equal(prod?.startedAt, sent.deliveredAt);
    assert.equal(review?.startedAt, sent.deliveredAt);
    assert.equal(prod?.amount, 10);
    assert.equal(review?.citation.article, '12');
    assert.equal(sent.transmitNotBefore, review?.dueAt);
    const delivery = sent.events.find((e) => e.event === 'deliver');
    assert.equal(delivery?.party, 'system');
    // The delivery receipt: when, how, and the SHA-256 of the certificate as delivered.
    assert.match((delivery?.payload as { certificateSha256: string }).certificateSha256, /^[0-9a-f]{64}$/);
    assert.equal((delivery?.payload as { deliveredAt: string }).deliveredAt, sent.deliveredAt);
    // No Budapest wording: the provider's actions are the Regulation's.
    const provider = await (await as('agent@provider.demo')).get(`/api/orders/${o.id}`);
    const seen = provider.json<Order>();
    assert.deepEqual(seen.yourParties, ['addressee']);
    assert.deepEqual(seen.actions.sort(), ['acknowledge', 'object', 'produce', 'report-impossibility', 'request-clarification']);
    assert.ok(!JSON.stringify(seen.actions).match(/postpone|refuse|accept/));
    await event('agent@provider.demo', o.id, 'acknowledge');
    // Art. 8(4), 10(2): not before the end of the enforcing authority's period.
    assertProblem(await (await as('agent@provider.demo')).post(`/api/orders/${o.id}/events/produce`, { form: production }), 409, 'order-suspended');
    // The enforcing authority sees the order, its clock and its Art. 12 actions.
    const enf = (await (await as('enforcing@ie.demo')).get(`/api/orders/${o.id}`)).json<Order>();
    assert.deepEqual(enf.yourParties, ['enforcing']);
    assert.deepEqual(enf.actions.sort(), ['confirm-no-ground', 'raise-ground']);
    // The enforcing authority raises no ground: its period ends.
    t.clock.advance(Date.parse(sent.transmitNotBefore ?? '') - t.clock.now().getTime() + 60_000);
    const produced = await event('agent@provider.demo', o.id, 'produce', { form: production });
    assert.equal(produced.state, 'produced');
    assert.equal(produced.clocks.find((c) => c.clock === 'production')?.status, 'met');
    // Too late for a ground now.
    assertProblem(await (await as('enforcing@ie.demo')).post(`/api/orders/${o.id}/events/raise-ground`, { form: { ground: 'ne-bis-in-idem', reasons: 'Already tried in Ireland.' } }), 409, 'invalid-transition');
    // The certificate printed from the same structured data (Annex I, in French).
    const pdf = await (await as('agent@provider.demo')).get(`/api/orders/${o.id}/document`, { query: { form: 'annex-i', lang: 'fr' } });
    assert.equal(pdf.statusCode, 200, pdf.body.slice(0, 300));
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.ok(pdf.rawPayload.subarray(0, 5).equals(Buffer.from('%PDF-')));
    // No Annex III exists for this order.
    assertProblem(await (await as('juge@fr.demo')).get(`/api/orders/${o.id}/document`, { query: { form: 'annex-iii' } }), 409, 'invalid-transition');
    const closed = await event('juge@fr.demo', o.id, 'close');
    assert.equal(closed.state, 'closed');
    // The US central authority is no party: 404.
    assertProblem(await (await as('officer@us.demo')).get(`/api/orders/${o.id}`), 404, 'not-found');
  });

  test('the enforcing authority confirming early that it raises no ground lets the provider transmit at once (Art. 10(2))', async () => {
    const o = await issueAndSend(certificate());
    const confirmed = await event('enforcing@ie.demo', o.id, 'confirm-no-ground');
    assert.equal(confirmed.enforcing?.status, 'no-ground');
    const produced = await event('agent@provider.demo', o.id, 'produce', { form: production });
    assert.equal(produced.state, 'produced');
  });

  test('an Art. 12 ground raised by the enforcing authority refuses the order', async () => {
    const o = await issueAndSend(certificate());
    const refused = await event('enforcing@ie.demo', o.id, 'raise-ground', { form: { ground: 'immunity-privilege-press', reasons: 'The account belongs to a journalist; the data are covered by the protection of sources.' } });
    assert.equal(refused.state, 'refused');
    assertProblem(await (await as('juge@fr.demo')).post(`/api/orders/${o.id}/events/start-enforcement`, { reason: 'Not complied with.' }), 409, 'invalid-transition');
  });

  test('Art. 4 on approval: a public prosecutor’s content-data EPOC needs a judge’s validation', async () => {
    // The Parquet de Paris (recorded as a public prosecutor) drafts; the JLD of the same court approves.
    const o = await draft(certificate({ issuer: { kind: 'public-prosecutor', name: 'Parquet de Paris, J3', fileReference: 'J3-2026-17' } }), {}, { who: 'prosecutor@fr.demo', authority: 'fr-parquet-paris' });
    const jld = await as('jld@fr.demo');
    const refused = assertProblem(await jld.post(`/api/orders/${o.id}/events/approve`, {}), 422, 'order-issuer-not-competent');
    assert.match(refused.detail ?? '', /investigating-judge/);
    assertProblem(await jld.post(`/api/orders/${o.id}/events/approve`, { validation: { kind: 'public-prosecutor', name: 'Procureur', reference: 'X-1' } }), 422, 'order-issuer-not-competent');
    const approved = await event('jld@fr.demo', o.id, 'approve', { validation: { kind: 'judge', name: 'Juge des libertés et de la détention Marc Dubois', reference: 'ORD-VAL-2026-7' } });
    assert.equal(approved.validationStatus, 'validated');
    // Another competent authority may never issue traffic/content data itself, emergency or not.
    const police = await draft(certificate({ issuer: { kind: 'other-competent-authority', name: 'OFAC', fileReference: 'OFAC-1' }, emergency: { emergency: true, reasons: 'Imminent threat to a person’s life.' } }), {}, OFAC);
    assertProblem(await (await as('ofac-chef@fr.demo')).post(`/api/orders/${police.id}/events/approve`, {}), 422, 'order-issuer-not-competent');
  });

  test('Art. 4 kind cross-checked with the account: a declared kind the drafter’s authority cannot have is refused', async () => {
    const greffe = await as('greffe@fr.demo');
    // A court (prosecutor-or-judge) is not "another competent authority".
    const asPolice = assertProblem(await greffe.post('/api/orders', { issuingAuthority: 'fr-tj-paris', certificate: certificate({ issuer: { kind: 'other-competent-authority', name: 'OFAC', fileReference: 'OFAC-1' } }) }), 422, 'order-issuer-not-competent');
    assert.match(asPolice.detail ?? '', /fr-tj-paris \(prosecutor-or-judge, recorded as investigating-judge\) cannot act as a other-competent-authority: only as investigating-judge/);
    // Recorded as an investigating judge (demo data), the court cannot declare itself a public prosecutor either.
    const asProsecutor = assertProblem(await greffe.post('/api/orders', { issuingAuthority: 'fr-tj-paris', certificate: certificate({ issuer: { kind: 'public-prosecutor', name: 'Parquet', fileReference: 'P-0' } }) }), 422, 'order-issuer-not-competent');
    assert.deepEqual(asProsecutor.issues?.map((i) => i.field), ['certificate.issuer.kind']);
    // The OFAC (a 24/7 point of contact) cannot declare itself an investigating judge to skip the validation.
    const ofac = await as('ofac@fr.demo');
    const asJudge = assertProblem(await ofac.post('/api/orders', { issuingAuthority: 'fr-247', certificate: certificate({ issuer: { kind: 'investigating-judge', name: 'OFAC', fileReference: 'OFAC-2' } }) }), 422, 'order-issuer-not-competent');
    assert.deepEqual(asJudge.issues?.map((i) => i.field), ['certificate.issuer.kind']);
    // The same order declared with the kind the OFAC has is accepted, and needs its validation.
    const ok = await draft(certificate({ issuer: { kind: 'other-competent-authority', name: 'OFAC', fileReference: 'OFAC-3' } }), {}, OFAC);
    assert.equal(ok.state, 'draft');
    // Approval checks again: a draft declared "public prosecutor" while fr-tj-paris had no Art. 4
    // kind recorded is void once its kind (investigating judge) is recorded before approval.
    await t.cases.db.updateTable('authorities').set({ issuing_kind: null }).where('id', '=', 'fr-tj-paris').execute();
    let prosecutor: Order;
    try {
      prosecutor = await draft(certificate({ issuer: { kind: 'public-prosecutor', name: 'Parquet', fileReference: 'P-1' }, categories: ['subscriber-data'] }));
    } finally {
      await t.cases.db.updateTable('authorities').set({ issuing_kind: 'investigating-judge' }).where('id', '=', 'fr-tj-paris').execute();
    }
    const refused = assertProblem(await (await as('juge@fr.demo')).post(`/api/orders/${prosecutor.id}/events/approve`, {}), 422, 'order-issuer-not-competent');
    assert.match(refused.detail ?? '', /recorded as investigating-judge/);
  });

  test('the order form offers only the Art. 4 kinds the account’s authority may have; the server still refuses any other', async () => {
    type Options = { issuingAuthority: { id: string; kind: string } | null; issuerKinds: string[]; reason: string; citation: { article: string; verified: boolean } };
    // The kind recorded for the authority (demo data: the Paris juge d'instruction) is the only one offered.
    const court = (await (await as('greffe@fr.demo')).get('/api/orders/form')).json<Options>();
    assert.equal(court.issuingAuthority?.id, 'fr-tj-paris');
    assert.deepEqual(court.issuerKinds, ['investigating-judge']);
    assert.match(court.reason, /fr-tj-paris \(prosecutor-or-judge, recorded as investigating-judge\) may act as investigating-judge/);
    assert.equal(court.citation.article, '4');
    assert.equal(court.citation.verified, false);
    const ofac = (await (await as('ofac@fr.demo')).get('/api/orders/form')).json<Options>();
    assert.deepEqual(ofac.issuerKinds, ['other-competent-authority']);
    assert.match(ofac.reason, /fr-247 \(24\/7-point-of-contact, recorded as other-competent-authority\) may act as other-competent-authority/);
    // With no kind recorded, every kind its directory kind (prosecutor-or-judge) can have.
    await t.cases.db.updateTable('authorities').set({ issuing_kind: null }).where('id', '=', 'fr-tj-paris').execute();
    try {
      assert.deepEqual((await (await as('juge@fr.demo')).get('/api/orders/form')).json<Options>().issuerKinds, ['judge', 'court', 'investigating-judge', 'public-prosecutor']);
    } finally {
      await t.cases.db.updateTable('authorities').set({ issuing_kind: 'investigating-judge' }).where('id', '=', 'fr-tj-paris').execute();
    }
    // Not offered, and still refused when sent anyway.
    assertProblem(await (await as('ofac@fr.demo')).post('/api/orders', { issuingAuthority: 'fr-247', certificate: certificate({ issuer: { kind: 'judge', name: 'OFAC', fileReference: 'OFAC-X' } }) }), 422, 'order-issuer-not-competent');
    // Only drafters have a form; the provider's agent drafts no order.
    assertProblem(await (await as('agent@provider.demo')).get('/api/orders/form'), 403, 'forbidden');
  });

  test('journey 2: an emergency identification-data EPOC answered within 8 hours; ex-post validation clock (Art. 4(5))', async () => {
    const cert = certificate({
      issuer: { kind: 'other-competent-authority', name: 'Office anti-cybercriminalité (OFAC)', fileReference: 'OFAC-URG-9' },
      emergency: { emergency: true, reasons: 'A message announces an attack on a hospital’s intensive care unit within hours.' },
      categories: ['identification-data'],
      identifiers: [{ type: 'ip-address', value: '198.51.100.23' }],
    });
    const drafted = await draft(cert, {}, OFAC);
    await event('ofac-chef@fr.demo', drafted.id, 'approve');
    const o = await event('ofac-chef@fr.demo', drafted.id, 'send');
    assert.equal(o.notification.required, false, 'identification data are not notified (Art. 8(1))');
    assert.equal(o.enforcing?.status, 'not-notified');
    assert.equal(o.validationStatus, 'ex-post-pending');
    const validation = o.clocks.find((c) => c.clock === 'validation');
    assert.equal(validation?.amount, 48);
    assert.equal(validation?.party, 'issuing');
    const prod = o.clocks.find((c) => c.clock === 'production');
    assert.equal(prod?.amount, 8);
    assert.equal(prod?.unit, 'hours');
    assert.equal(Date.parse(prod?.dueAt ?? '') - Date.parse(prod?.startedAt ?? ''), 8 * HOUR);
    // The Irish enforcing authority is not notified: it does not see the order.
    assertProblem(await (await as('enforcing@ie.demo')).get(`/api/orders/${o.id}`), 404, 'not-found');
    t.clock.advance(3 * HOUR);
    const produced = await event('agent@provider.demo', o.id, 'produce', { form: { items: [{ description: 'Subscriber of 198.51.100.23 at the time given', category: 'identification-data', sha256: 'b'.repeat(64) }] } });
    assert.equal(produced.clocks.find((c) => c.clock === 'production')?.status, 'met');
    assert.ok(Date.parse(produced.events.at(-1)?.at ?? '') < Date.parse(prod?.dueAt ?? ''), 'produced within the 8 hours');
    const validated = await event('ofac-chef@fr.demo', o.id, 'validate', { validation: { kind: 'investigating-judge', name: 'Juge d’instruction Claire Dubois', reference: 'VAL-EXPOST-1' } });
    assert.equal(validated.validationStatus, 'validated');
    assert.equal(validated.clocks.find((c) => c.clock === 'validation')?.status, 'met');
  });

  test('journey 3: an EPOC-PR preserved, extended (Annex VI), confirmed (Annex V) and followed by a production order', async () => {
    const pr = await issueAndSend(certificate({ order: 'EPOC-PR', categories: ['traffic-data', 'content-data'] }));
    assert.equal(pr.notification.required, false, 'a preservation order is not notified');
    const agent = await as('agent@provider.demo');
    assertProblem(await agent.post(`/api/orders/${pr.id}/events/produce`, { form: production }), 409, 'invalid-transition');
    const preserved = await event('agent@provider.demo', pr.id, 'preserve');
    const clock = preserved.clocks.find((c) => c.clock === 'preservation');
    assert.equal(clock?.amount, 60);
    t.clock.advance(50 * DAY);
    const extended = await event('juge@fr.demo', pr.id, 'extend', { form: { reasons: 'The production order awaits the translation of the case file.' } });
    const after = extended.clocks.find((c) => c.clock === 'preservation');
    assert.equal(after?.amount, 90);
    assert.ok(Date.parse(after?.dueAt ?? '') > Date.parse(clock?.dueAt ?? ''));
    assertProblem(await (await as('juge@fr.demo')).post(`/api/orders/${pr.id}/events/extend`, { form: { reasons: 'Once more.' } }), 409, 'invalid-transition');
    const epoc = await draft(certificate(), { precededBy: pr.id });
    const confirmed = await event('juge@fr.demo', pr.id, 'confirm-production', { form: { instrument: 'EPOC', reference: epoc.reference, issuedOn: '2026-12-20' } });
    assert.equal(confirmed.state, 'production-confirmed');
    for (const form of ['annex-ii', 'annex-v', 'annex-vi']) {
      const pdf = await (await as('juge@fr.demo')).get(`/api/orders/${pr.id}/document`, { query: { form } });
      assert.equal(pdf.statusCode, 200, `${form}: ${pdf.body.slice(0, 300)}`);
    }
    await event('juge@fr.demo', epoc.id, 'approve');
    const sent = await event('juge@fr.demo', epoc.id, 'send');
    assert.equal(sent.state, 'delivered');
  });

  test('signed certificates: the issuing authority signs Annex I, the addressee Annex III, with a detached CAdES signature that comity verify and OpenSSL check', async () => {
    const o = await issueAndSend(certificate({ categories: ['subscriber-data'] }));
    const judge = await as('juge@fr.demo');
    const pdf = await judge.get(`/api/orders/${o.id}/document`, { query: { form: 'annex-i' } });
    assert.equal(pdf.statusCode, 200, pdf.body.slice(0, 300));
    const sig = await judge.get(`/api/orders/${o.id}/document`, { query: { form: 'annex-i', part: 'signature' } });
    assert.equal(sig.statusCode, 200, sig.body.slice(0, 300));
    assert.equal(sig.headers['content-type'], 'application/pkcs7-signature');
    assert.match(String(sig.headers['content-disposition']), new RegExp(`${o.reference}-annex-i\\.p7s`));
    // The same form prints to the same bytes: the signature fetched apart signs the file the reader has.
    const again = await judge.get(`/api/orders/${o.id}/document`, { query: { form: 'annex-i' } });
    assert.ok(again.rawPayload.equals(pdf.rawPayload));
    const check = verifyOrderDocument(sig.rawPayload, pdf.rawPayload);
    assert.equal(check.ok, true, check.detail);
    assert.match(check.signer?.subject ?? '', /Tribunal judiciaire de Paris/);
    const tampered = Buffer.from(pdf.rawPayload);
    const middle = Math.floor(tampered.length / 2);
    tampered[middle] = (tampered[middle] ?? 0) ^ 1;
    assert.equal(verifyOrderDocument(sig.rawPayload, tampered).ok, false);
    const dir = mkdtempSync(join(tmpdir(), 'comity-order-sig-'));
    writeFileSync(join(dir, 'o.pdf'), pdf.rawPayload);
    writeFileSync(join(dir, 'o.p7s'), sig.rawPayload);
    writeFileSync(join(dir, 'bad.pdf'), tampered);
    const cli = async (...args: string[]) => {
      const io = captureIo();
      return { code: await main(['node', 'comity', ...args], io), out: io.stdout.join('\n') };
    };
    const ok = await cli('verify', join(dir, 'o.pdf'), '--signature', join(dir, 'o.p7s'));
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /^OK {2}CAdES signature by .*Tribunal judiciaire de Paris/);
    assert.equal((await cli('verify', join(dir, 'bad.pdf'), '--signature', join(dir, 'o.p7s'))).code, 1);
    assert.equal((await cli('verify', join(dir, 'o.pdf'), '--signature', join(dir, 'missing.p7s'))).code, 2);
    // Independently: OpenSSL checks the signature over the PDF's bytes (the certificate is self-issued: -noverify).
    const openssl = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, 'o.p7s'), '-content', join(dir, 'o.pdf'), '-noverify', '-out', '/dev/null'], { encoding: 'utf8' });
    assert.equal(openssl.status, 0, openssl.stderr);
    // The PDF says who signed it; the addressee gets no signature of the issuing authority's form.
    assert.match(pdfText(pdf.rawPayload).join(' '), /Signed by .*detached CAdES signature/);
    const agent = await as('agent@provider.demo');
    assertProblem(await agent.get(`/api/orders/${o.id}/document`, { query: { form: 'annex-i', part: 'signature' } }), 403, 'forbidden');
    assert.match(pdfText((await agent.get(`/api/orders/${o.id}/document`, { query: { form: 'annex-i' } })).rawPayload).join(' '), /not signed/);
    // Annex III is the addressee's: it signs it.
    await event('agent@provider.demo', o.id, 'report-impossibility', { form: { reason: 'data-not-stored', details: 'The account was deleted by its user on 2 October 2026.', dataPreserved: false } });
    const a3 = await agent.get(`/api/orders/${o.id}/document`, { query: { form: 'annex-iii' } });
    const a3sig = await agent.get(`/api/orders/${o.id}/document`, { query: { form: 'annex-iii', part: 'signature' } });
    const a3check = verifyOrderDocument(a3sig.rawPayload, a3.rawPayload);
    assert.equal(a3check.ok, true, a3check.detail);
    assert.match(a3check.signer?.subject ?? '', /Example Mail/);
    assertProblem(await judge.get(`/api/orders/${o.id}/document`, { query: { form: 'annex-iii', part: 'signature' } }), 403, 'forbidden');
  });

  test('an EPOC-PR not confirmed within its period expires (Art. 11(1))', async () => {
    const pr = await issueAndSend(certificate({ order: 'EPOC-PR', categories: ['subscriber-data'] }));
    const preserved = await event('agent@provider.demo', pr.id, 'preserve');
    // Just past the 60 days' end, wherever the calendar puts it (a period ending on a Saturday or a holiday runs on to the next working day).
    const due = Date.parse(preserved.clocks.find((c) => c.clock === 'preservation')?.dueAt ?? '');
    assert.ok(Number.isFinite(due), JSON.stringify(preserved.clocks));
    t.clock.advance(due - t.clock.now().getTime() + 60_000);
    const seen = (await (await as('juge@fr.demo')).get(`/api/orders/${pr.id}`)).json<Order>();
    assert.equal(seen.state, 'expired', JSON.stringify({ now: t.clock.now(), clocks: seen.clocks }));
  });

  test('journey 4: an Annex III impossibility; the issuing authority starts Art. 16 enforcement', async () => {
    const o = await issueAndSend(certificate({ categories: ['subscriber-data'] }));
    const agent = await as('agent@provider.demo');
    assertProblem(await agent.post(`/api/orders/${o.id}/events/report-impossibility`, { form: { reason: 'deleted-by-mistake', details: 'x' } }), 400, 'invalid-request');
    const impossible = await event('agent@provider.demo', o.id, 'report-impossibility', { form: { reason: 'data-not-stored', details: 'The account was deleted by its user on 2 October 2026; no backup remains after 30 days.', dataPreserved: false } });
    assert.equal(impossible.state, 'impossible');
    const annexIII = await (await as('juge@fr.demo')).get(`/api/orders/${o.id}/document`, { query: { form: 'annex-iii', lang: 'fr' } });
    assert.equal(annexIII.statusCode, 200, annexIII.body.slice(0, 300));
    const enforced = await event('juge@fr.demo', o.id, 'start-enforcement', { reason: 'The provider’s backups are kept 90 days under its own policy; the reasons are not accepted.' });
    assert.equal(enforced.state, 'enforcement');
    // The enforcing authority now takes part (Art. 16): it sees the order with the Annex III form.
    const enf = (await (await as('enforcing@ie.demo')).get(`/api/orders/${o.id}`)).json<Order>();
    assert.deepEqual(enf.yourParties, ['enforcing']);
    const transfer = enf.events.find((e) => e.event === 'start-enforcement')?.payload as { annexIII: { reason: string } };
    assert.equal(transfer.annexIII.reason, 'data-not-stored');
  });

  test('Art. 16 is for non-compliance: not while the addressee’s period runs', async () => {
    const o = await issueAndSend(certificate({ categories: ['subscriber-data'] }));
    assertProblem(await (await as('juge@fr.demo')).post(`/api/orders/${o.id}/events/start-enforcement`, { reason: 'No answer.' }), 409, 'invalid-transition');
    // Past the production period's end — not a fixed 12 days: 10 days ending on a Saturday run to
    // the end of the next working day (Reg. 1182/71 Art. 3(4)), and the test clock's date follows the real one.
    const due = Date.parse(o.clocks.find((c) => c.clock === 'production')?.dueAt ?? '');
    assert.ok(Number.isFinite(due), JSON.stringify(o.clocks));
    t.clock.advance(due - t.clock.now().getTime() - 60_000);
    assertProblem(await (await as('juge@fr.demo')).post(`/api/orders/${o.id}/events/start-enforcement`, { reason: 'No answer.' }), 409, 'invalid-transition');
    t.clock.advance(2 * 60_000);
    const enforced = await event('juge@fr.demo', o.id, 'start-enforcement', { reason: 'No answer within 10 days.' });
    assert.equal(enforced.state, 'enforcement');
  });

  test('journey 5: an Art. 17 reasoned objection; clarification answered; withdrawal', async () => {
    const o = await issueAndSend(certificate());
    await event('agent@provider.demo', o.id, 'request-clarification', { reason: 'Which of the two accounts with this alias is meant?' });
    const answered = await event('juge@fr.demo', o.id, 'answer-clarification', { reason: 'The account created on 2 September 2026.' });
    assert.equal(answered.state, 'acknowledged');
    const objected = await event('agent@provider.demo', o.id, 'object', {
      form: { thirdCountry: 'US', law: '18 U.S.C. § 2702 (Stored Communications Act)', applicability: 'The provider is established in the United States and the content is stored there.', conflict: 'Disclosure of content to a foreign authority outside an agreement under 18 U.S.C. § 2523 is prohibited.' },
    });
    assert.equal(objected.state, 'objected');
    const withdrawn = await event('juge@fr.demo', o.id, 'withdraw', { reason: 'A request for mutual assistance is sent instead.' });
    assert.equal(withdrawn.state, 'withdrawn');
    assert.ok(withdrawn.clocks.every((c) => c.status !== 'running'));
  });

  test('bad input: unknown event 400, wrong party 403, unknown provider 422', async () => {
    const o = await issueAndSend(certificate({ categories: ['subscriber-data'] }));
    const agent = await as('agent@provider.demo');
    assertProblem(await agent.post(`/api/orders/${o.id}/events/postpone`, {}), 400, 'invalid-request');
    assertProblem(await (await as('juge@fr.demo')).post(`/api/orders/${o.id}/events/produce`, { form: production }), 403, 'forbidden');
    const greffe = await as('greffe@fr.demo');
    assertProblem(await greffe.post('/api/orders', { issuingAuthority: 'fr-tj-paris', certificate: certificate({ provider: 'no-such-provider' }) }), 422, 'validation-failed');
    assertProblem(await greffe.post('/api/orders', { issuingAuthority: 'fr-ca', certificate: certificate() }), 403, 'forbidden');
  });
});
