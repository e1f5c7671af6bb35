/**
 * Security suite — input fuzzing of every route in /openapi.json, over real HTTP: types, sizes,
 * nesting, encodings and Unicode tricks in bodies, queries, paths and headers. Whatever comes in,
 * the answer is never a 5xx, and every error is RFC 9457 problem+json with a registered code —
 * the HTTP layer's own errors (413, 414, 431) included. Then the specific findings: deep nesting
 * in an event payload, payload fields an event does not take, invisible characters in names,
 * attachments typed by their content.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { PROBLEMS } from '../../src/http/problems.js';
import type { Client} from './node.js';
import { Node, problemCode, type Answer } from './node.js';

let node: Node;
let officer: Client;
let draftId: string;

const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const BODIES: [string, string][] = [
  ['nesting 10 000 deep', deep(10_000)],
  ['object nesting 100 deep', '{"a":'.repeat(100) + '1' + '}'.repeat(100)],
  ['an array', '[]'],
  ['a string', '"x"'],
  ['a number', '123'],
  ['null', 'null'],
  ['unterminated', '{"a":'],
  ['prototype pollution', '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}'],
  ['lone surrogate', '{"name":"\\ud800","reason":"\\udfff"}'],
  ['bidi override and NUL', '{"name":"a\u202egnp.exe","reason":"x\\u0000y"}'],
  ['BOM first', '\ufeff{"a":1}'],
  ['numbers out of range', '{"limit":1e309,"expiresInDays":-1,"expectedVersion":9007199254740993}'],
  ['2 MiB string', `{"facts":"${'x'.repeat(2 * 1024 * 1024)}"}`],
];

function isRegistered(answer: Answer): boolean {
  const code = problemCode(answer);
  return code !== null && Object.hasOwn(PROBLEMS, code);
}

/** A raw request (for what fetch refuses to send: huge headers, raw bytes). */
function raw(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  const url = new URL(path, node.base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, text, json });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

describe('security: input fuzzing of every described route [node over HTTP]', () => {
  before(async () => {
    node = await Node.start({ COMITY_RATE_LIMIT: '1000000', COMITY_COSTLY_RATE_LIMIT: '1000000', COMITY_LOGIN_RATE_LIMIT: '10000', COMITY_FAILED_CREDENTIALS_PER_ADDRESS: '1000000' });
    officer = node.client();
    await officer.signIn('officer@fr.demo');
    draftId = ((await officer.get('/api/cases?state=draft')).json as { cases: { id: string }[] }).cases[0]?.id ?? '';
    assert.ok(draftId);
  });
  after(async () => {
    await node?.close();
  });

  it('every route × malformed bodies, queries and paths: never a 5xx, every error a registered problem', async () => {
    const doc = (await node.client().get('/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const failures: string[] = [];
    const check = (what: string, answer: Answer) => {
      if (answer.status >= 500) failures.push(`${what} → ${answer.status} ${answer.text.slice(0, 200)}`);
      else if (answer.status >= 400 && !isRegistered(answer)) failures.push(`${what} → ${answer.status} not a registered problem: ${answer.text.slice(0, 200)}`);
    };
    let probes = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations).map((m) => m.toUpperCase())) {
        // Signing out would end the fuzzing session.
        if (path === '/api/auth/logout') continue;
        const concrete = path.replace('{id}', path.startsWith('/api/cases/') ? draftId : 'x').replace('{event}', 'withdraw').replace('{attachmentId}', 'x').replace('{party}', 'FR');
        for (const client of [officer, node.client()]) {
          if (method === 'POST' || method === 'PUT') {
            for (const [label, body] of BODIES) {
              check(`${method} ${path} body ${label}`, await client.request(method, concrete, { raw: body }));
              probes += 1;
            }
            check(`${method} ${path} raw invalid UTF-8`, await raw(method, concrete, { 'content-type': 'application/json', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0xff, 0x22, 0x7d])));
            check(`${method} ${path} form-encoded`, await client.request(method, concrete, { raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
          }
          for (const query of ['?limit=-1&offset=abc&after=%%%', '?state=a&state=b&state=c', `?date=${'9'.repeat(300)}`, '?instrument=%00', '?x=%F0%9F%98', `?after=${'A'.repeat(150)}`]) {
            check(`${method} ${path}${query}`, await client.request(method, `${concrete}${query}`));
            probes += 1;
          }
          if (path.includes('{')) {
            for (const id of ['%00', '..%2F..%2Fetc%2Fpasswd', '%E2%80%AEevil', 'a'.repeat(300), '%ZZ']) {
              check(`${method} ${path} with id ${id.slice(0, 20)}`, await client.request(method, path.replace(/\{[^}]+\}/g, id)));
              probes += 1;
            }
          }
        }
      }
    }
    assert.ok(probes > 500, `${probes} probes`);
    assert.deepEqual(failures, []);
  });

  it('the HTTP layer’s own errors are problem+json too: 413, 414, 431', async () => {
    const big = await officer.request('POST', '/api/cases', { raw: `{"facts":"${'x'.repeat(1_100_000)}"}` });
    assert.equal(big.status, 413);
    assert.equal(problemCode(big), 'payload-too-large');
    const longUrl = await node.client().get(`/api/law/parties?x=${'a'.repeat(9000)}`);
    assert.equal(longUrl.status, 414);
    assert.equal(problemCode(longUrl), 'uri-too-long');
    const headers = await raw('GET', '/healthz', { 'x-filler': 'h'.repeat(20_000) });
    assert.equal(headers.status, 431);
    assert.equal(problemCode(headers), 'request-header-too-large');
    assert.equal(headers.headers.get('x-content-type-options'), 'nosniff');
  });

  it('issue 10: a deeply nested payload is a 400, and an event refuses payload fields it does not take', async () => {
    const sent = ((await officer.get('/api/cases?state=sent')).json as { cases: { id: string }[] }).cases[0]?.id as string;
    const nested = `{"response":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const deepAnswer = await officer.request('POST', `/api/cases/${sent}/events/withdraw`, { raw: nested });
    assert.equal(deepAnswer.status, 400);
    assert.equal(problemCode(deepAnswer), 'invalid-request');
    const extra = await officer.post(`/api/cases/${sent}/events/withdraw`, { reason: 'no longer needed', review: { smuggled: true } });
    assert.equal(extra.status, 400, extra.text);
    assert.match(extra.text, /withdraw takes no review/);
    const detail = (await officer.get(`/api/cases/${sent}`)).json as { state: string };
    assert.equal(detail.state, 'sent', 'nothing was recorded');
  });

  it('issue 10: invisible and bidirectional characters are refused in references; the next reader sees the real text', async () => {
    const base = (await officer.get(`/api/cases/${draftId}`)).json as { request: Record<string, unknown> };
    const request = { ...base.request, references: { requesting: 'PARQUET\u202e5002-TSET' } };
    const answer = await officer.request('PUT', `/api/cases/${draftId}`, { body: request });
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.text, /no invisible, control or bidirectional characters/);
    const facts = await officer.request('PUT', `/api/cases/${draftId}`, { body: { ...base.request, facts: `${'The facts of the case, as known. '.repeat(2)}\u2066hidden\u2069` } });
    assert.equal(facts.status, 400, facts.text);
    assert.match(facts.text, /no bidirectional embedding, override or isolate characters/);
  });
});
