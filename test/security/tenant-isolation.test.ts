/**
 * Security suite — tenant isolation for every route the node describes in /openapi.json: a case
 * (or token) of another authority (or user) answers exactly like one that does not exist, and no
 * list, count, clock or export names another authority's case. Over real HTTP against a node
 * started as users start it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client} from './node.js';
import { Node, type Answer } from './node.js';

let node: Node;
let fr: Client;
let de: Client;
let foreignCase: { id: string; reference: string };
let foreignToken: string;
const UNKNOWN_CASE = '01900000-0000-7000-8000-00000000dead';
const UNKNOWN_TOKEN = 'aaaaaaaaaaaaaaaa';

/** Every `METHOD /path` of the API description. */
async function describedRoutes(): Promise<{ method: string; path: string }[]> {
  const doc = (await node.client().get('/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
  const routes: { method: string; path: string }[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) for (const method of Object.keys(operations)) routes.push({ method: method.toUpperCase(), path });
  return routes;
}

/** The answer with the request id and the probed id blanked: what a caller could compare. */
function comparable(answer: Answer, id: string): string {
  return `${answer.status} ${answer.text.split(id).join('<id>').replace(/"instance":"[^"]*"/, '')}`;
}

describe('security: tenant isolation of every described route [node over HTTP]', () => {
  before(async () => {
    node = await Node.start({ COMITY_RATE_LIMIT: '100000' });
    fr = node.client();
    await fr.signIn('officer@fr.demo');
    de = node.client();
    await de.signIn('prosecutor@de.demo');
    const list = (await de.get('/api/cases')).json as { cases: { id: string; reference: string; requestingAuthorityId: string }[] };
    const german = list.cases.find((c) => c.requestingAuthorityId === 'de-sta-koeln');
    assert.ok(german, 'the demo has a German case');
    foreignCase = german;
    foreignToken = ((await de.get('/api/tokens')).json as { id: string }[])[0]?.id ?? '';
    if (!foreignToken) foreignToken = ((await de.post('/api/tokens', { name: 'de', scopes: ['cases:read'], expiresInDays: 1 })).json as { id: string }).id;
  });
  after(async () => {
    await node?.close();
  });

  it('a foreign case or token answers exactly like an unknown one, on every route that names one', async () => {
    const routes = await describedRoutes();
    const named = routes.filter((r) => /\{id\}/.test(r.path) && (r.path.startsWith('/api/cases/') || r.path.startsWith('/api/tokens/')));
    assert.ok(named.length >= 8, `routes naming a case or token: ${named.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    for (const route of named) {
      const isToken = route.path.startsWith('/api/tokens/');
      const fill = (id: string) => route.path.replace('{id}', id).replace('{event}', 'withdraw').replace('{attachmentId}', '01900000-0000-7000-8000-0000000a77ac');
      const body = route.method === 'GET' || route.method === 'DELETE' ? {} : { body: { reason: 'tenant probe', expectedVersion: 999999 } };
      const foreignId = isToken ? foreignToken : foreignCase.id;
      const unknownId = isToken ? UNKNOWN_TOKEN : UNKNOWN_CASE;
      const foreign = await fr.request(route.method, fill(foreignId), body);
      const unknown = await fr.request(route.method, fill(unknownId), body);
      // 404, or 403 where the role is refused before the case is looked at (then for any id alike).
      assert.ok([403, 404].includes(foreign.status), `${route.method} ${route.path}: a foreign id is refused (${foreign.text})`);
      assert.equal(comparable(foreign, foreignId), comparable(unknown, unknownId), `${route.method} ${route.path}: foreign and unknown answer alike`);
    }
    // And the German case is untouched by all this.
    const still = (await de.get(`/api/cases/${foreignCase.id}`)).json as { version: number; history: unknown[] };
    assert.equal(still.history.length, still.version);
  });

  it('no list, count, clock, notification or export of one authority names another’s case', async () => {
    const routes = (await describedRoutes()).filter((r) => r.method === 'GET' && !r.path.includes('{') && (r.path.startsWith('/api/cases') || ['/api/deadlines', '/api/notifications', '/api/stats', '/api/stats.csv', '/api/users', '/api/tokens'].includes(r.path)));
    assert.ok(routes.length >= 6, routes.map((r) => r.path).join(', '));
    for (const route of routes) {
      const answer = await fr.get(route.path);
      assert.ok(answer.status < 500, `${route.path}: ${answer.status}`);
      assert.ok(!answer.text.includes(foreignCase.id) && !answer.text.includes(foreignCase.reference), `${route.path} leaks the German case`);
    }
    const stats = (await fr.get('/api/stats')).json as { outgoing: { party: string }[]; incoming: { party: string }[] };
    assert.ok([...stats.outgoing, ...stats.incoming].every((r) => r.party !== 'IE'), 'no figure of the German request to Ireland');
  });

  it('a draft is invisible to its addressee until it is sent', async () => {
    const drafts = ((await fr.get('/api/cases?state=draft')).json as { cases: { id: string }[] }).cases;
    assert.ok(drafts.length > 0);
    const us = node.client();
    await us.signIn('officer@us.demo');
    for (const draft of drafts) assert.equal((await us.get(`/api/cases/${draft.id}`)).status, 404);
  });
});
