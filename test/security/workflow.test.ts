/**
 * Security suite — concurrency, separation of duties, uploaded files and the cost of public
 * routes under one client, over real HTTP against a node started as users start it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { Node, problemCode, type Client } from './node.js';

let node: Node;
/** Signed-in clients by e-mail: a TOTP step is accepted once per user, so each signs in once. */
const signedIn = new Map<string, Client>();
let addressCount = 0;
async function as(email: string): Promise<Client> {
  let client = signedIn.get(email);
  if (!client) {
    client = node.client(`10.3.0.${++addressCount}`);
    await client.signIn(email);
    signedIn.set(email, client);
  }
  return client;
}

describe('security: concurrency, separation of duties, files, public cost [node over HTTP]', () => {
  before(async () => {
    node = await Node.start({ COMITY_TRUST_PROXY: 'true' });
  });
  after(async () => {
    await node?.close();
  });

  it('concurrency: one idempotency key sent eight times at once creates one case', async () => {
    const officer = await as('officer@fr.demo');
    const before = ((await officer.get('/api/cases')).json as { total: number }).total;
    const body = preservationRequestFrToUs({ references: { requesting: 'SECURITY-ONCE' } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => officer.request('POST', '/api/cases', { body, headers: { 'idempotency-key': 'security-suite-key-1' } })));
    assert.deepEqual(answers.map((a) => a.status), Array(8).fill(201), answers.map((a) => a.text).join('\n'));
    assert.equal(new Set(answers.map((a) => (a.json as { id: string }).id)).size, 1);
    assert.equal(((await officer.get('/api/cases')).json as { total: number }).total, before + 1);
  });

  it('concurrency: one TOTP code sent by two sessions at once passes exactly one', async () => {
    const [a, b] = [node.client('10.1.0.2'), node.client('10.1.0.3')];
    for (const c of [a, b]) assert.equal((await c.post('/api/auth/login', { email: 'officer@us.demo', password: node.password })).status, 200);
    const code = await node.nextCode('officer@us.demo');
    const answers = await Promise.all([a.post('/api/auth/totp', { code }), b.post('/api/auth/totp', { code })]);
    assert.deepEqual(answers.map((x) => x.status).sort(), [200, 401], answers.map((x) => x.text).join('\n'));
    signedIn.set('officer@us.demo', answers[0]?.status === 200 ? a : b);
  });

  it('concurrency: two sessions of one user are independent; signing out of one leaves the other', async () => {
    const [a, b] = [node.client('10.1.0.4'), node.client('10.1.0.5')];
    await a.signIn('drafter@fr.demo');
    await b.signIn('drafter@fr.demo');
    assert.notEqual(a.cookies.get('comity_session'), b.cookies.get('comity_session'));
    assert.equal((await a.post('/api/auth/logout')).status, 204);
    assert.equal(problemCode(await a.get('/api/cases')), 'unauthenticated');
    assert.equal((await b.get('/api/cases')).status, 200);
  });

  it('issue 10: who drafts a request cannot approve it (separation of duties, judicial validation)', async () => {
    const prosecutor = node.client('10.1.0.6');
    await prosecutor.signIn('prosecutor@de.demo');
    const draft = await prosecutor.post(
      '/api/cases',
      preservationRequestFrToUs({ requestingAuthority: 'de-sta-koeln', addressee: 'us-doj-oia', references: { requesting: 'ZAC-KOELN-SOD-1' }, offences: [{ category: 'illegal-access', nationalProvision: 'StGB § 202a', maxPenaltyYears: 3 }] }),
    );
    assert.equal(draft.status, 201, draft.text);
    const approve = await prosecutor.post(`/api/cases/${(draft.json as { id: string }).id}/events/approve`, { review: DEMO_REVIEW });
    assert.equal(approve.status, 403, approve.text);
    assert.match(approve.text, /separation of duties/);
  });

  it('issue 18: an uploaded file is typed by its content and downloaded as an attachment, never sniffed', async () => {
    const fr = await as('officer@fr.demo');
    const judge = await as('judge@fr.demo');
    const us = await as('officer@us.demo');
    const created = await fr.post('/api/cases', preservationRequestFrToUs({ references: { requesting: 'SECURITY-FILES' } }));
    const id = (created.json as { id: string }).id;
    const step = async (client: Client, event: string, body: unknown = {}) => {
      const answer = await client.post(`/api/cases/${id}/events/${event}`, body);
      assert.equal(answer.status, 200, `${event}: ${answer.text}`);
    };
    await step(judge, 'approve', { review: DEMO_REVIEW });
    await step(fr, 'send');
    for (const event of ['receive', 'acknowledge', 'start-assessment']) await step(us, event);
    const grounds = [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }];
    await step(us, 'accept', { assessment: { grounds, decision: 'accept' } });
    const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');
    const upload = await us.post(`/api/cases/${id}/attachments`, { name: 'report.pdf', mediaType: 'application/pdf', contentBase64: html.toString('base64') });
    assert.equal(upload.status, 201, upload.text);
    assert.equal((upload.json as { mediaType: string }).mediaType, 'text/plain', 'HTML claimed as PDF is stored as text');
    const download = await fr.get(`/api/cases/${id}/attachments/${(upload.json as { id: string }).id}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment;/);
    const pdf = await us.post(`/api/cases/${id}/attachments`, { name: 'data.bin', mediaType: 'text/html', contentBase64: Buffer.from('%PDF-1.7\n%âãÏÓ\n').toString('base64') });
    assert.equal((pdf.json as { mediaType: string }).mediaType, 'application/pdf', 'a PDF claimed as HTML is stored as PDF');
    const hidden = await us.post(`/api/cases/${id}/attachments`, { name: 'invoice\u202efdp.exe', mediaType: 'application/pdf', contentBase64: html.toString('base64') });
    assert.equal(hidden.status, 400, 'a bidirectional override in a file name is refused');
  });

  it('issue 10: one anonymous client cannot stall the node with the costliest public route', async () => {
    const anonymous = node.client('10.2.0.1');
    // A cache miss is computed in slices: a cheap request sent meanwhile is answered first.
    const order: string[] = [];
    const miss = anonymous.get('/api/law/matrix?instrument=ETS185&date=2025-03-03').then((a) => {
      order.push('matrix');
      return a;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const health = await node.client('10.2.0.2').get('/healthz');
    order.push('healthz');
    const first = await miss;
    assert.equal(health.status, 200);
    assert.equal(first.status, 200);
    assert.deepEqual(order, ['healthz', 'matrix'], 'the node kept answering while the matrix was computed');
    // A hit is served from the cache, with an entity tag.
    const again = await anonymous.get('/api/law/matrix?instrument=ETS185&date=2025-03-03');
    assert.equal(again.text, first.text);
    const etag = again.headers.get('etag') as string;
    assert.equal((await anonymous.get('/api/law/matrix?instrument=ETS185&date=2025-03-03', { 'if-none-match': etag })).status, 304);
    // The costly route has its own, lower limit per client: 30 a minute by default.
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await anonymous.get('/api/law/matrix?instrument=ETS185&date=2025-03-03')).status);
    assert.ok(statuses.includes(429), `the per-client limit of the costly route: ${statuses.join(',')}`);
    assert.equal((await anonymous.get('/api/law/parties')).status, 200, 'cheap public routes keep the general limit');
    assert.equal((await node.client('10.2.0.3').get('/api/law/matrix?instrument=ETS185&date=2025-03-03')).status, 200, 'other clients are not held up');
  });
});
