/**
 * Issue 16 over HTTP: the cases list searched and filtered on the server (tenant isolation kept),
 * account administration (roles, disable/enable, password, second factor, tokens) audited and
 * refused across authorities, and names instead of ids in history and audit.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { preservationRequestFrToUs } from '../../src/demo/data.js';
import { assertProblem, buildTestApp, DEMO_PASSWORD, type TestApp } from './harness.js';

interface Page {
  total: number;
  cases: { id: string; reference: string; emergency: boolean; addresseeId: string }[];
}

describe('people and search', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(() => t.close());

  it('cases: search by reference, own reference and identifier; filters; isolation', async () => {
    const drafter = await t.as('drafter@fr.demo');
    const own = `SEARCH-${randomUUID().slice(0, 8)}`;
    const created = (await drafter.post('/api/cases', preservationRequestFrToUs({ references: { requesting: own } }))).json<{ id: string; reference: string }>();
    const list = async (query: Record<string, string>, who = drafter) => (await who.get('/api/cases', { query })).json<Page>();
    assert.deepEqual((await list({ q: own })).cases.map((c) => c.id), [created.id], 'own reference');
    assert.deepEqual((await list({ q: created.reference.slice(0, 14).toLowerCase() })).cases.some((c) => c.id === created.id), true, 'reference prefix, any case');
    assert.equal((await list({ q: own.toLowerCase() + 'x' })).total, 0);
    assert.equal((await list({ q: '%' })).total, 0, '% is literal');
    const all = await list({ limit: '500' });
    const us = await list({ addressee: 'us-doj-oia', limit: '500' });
    assert.ok(us.total > 0 && us.cases.every((c) => c.addresseeId === 'us-doj-oia'));
    const emergency = await list({ emergency: 'true', limit: '500' });
    const normal = await list({ emergency: 'false', limit: '500' });
    assert.equal(emergency.total + normal.total, all.total);
    const today = t.clock.now().toISOString().slice(0, 10);
    assert.equal((await list({ from: today, to: today, limit: '500' })).total, all.total, 'every demo case is from today');
    assert.equal((await list({ to: '2020-01-01' })).total, 0);
    assertProblem(await drafter.get('/api/cases', { query: { from: '2026-02-30' } }), 400, 'invalid-request');
    // Another authority does not find the French draft, whatever it searches.
    assert.equal((await list({ q: own }, await t.as('prosecutor@de.demo'))).total, 0);
  });

  it('administration: roles, disable, enable, password, second factor, tokens — audited, never across authorities', async () => {
    const admin = await t.as('admin@fr.demo');
    const created = await admin.post('/api/users', { email: 'clerk@fr.demo', displayName: 'Clerk', authorityId: 'fr-ca', roles: ['drafter'], password: DEMO_PASSWORD });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json<{ id: string }>().id;
    const patched = await admin.request('PATCH', `/api/users/${id}`, { body: { roles: ['drafter', 'auditor'] } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json<{ roles: string[] }>().roles, ['drafter', 'auditor']);
    assertProblem(await admin.request('PATCH', `/api/users/${t.user('admin@fr.demo').id}`, { body: { roles: ['drafter'] } }), 403, 'forbidden');
    assertProblem(await admin.request('PATCH', `/api/users/${id}`, { body: {} }), 400, 'invalid-request');
    assertProblem(await admin.post(`/api/users/${id}/password`, { password: 'short' }), 400, 'invalid-request');
    assert.equal((await admin.post(`/api/users/${id}/password`, { password: 'Another-Long-Password-7' })).statusCode, 200);
    assert.equal((await t.login('clerk@fr.demo', 'Another-Long-Password-7')).response.statusCode, 200);
    assert.equal((await admin.post(`/api/users/${id}/disable`, {})).json<{ disabledAt: string | null }>().disabledAt !== null, true);
    assert.notEqual((await t.login('clerk@fr.demo', 'Another-Long-Password-7')).response.statusCode, 200);
    assert.equal((await admin.post(`/api/users/${id}/enable`, {})).json<{ disabledAt: string | null }>().disabledAt, null);
    assert.equal((await admin.post(`/api/users/${t.user('judge@fr.demo').id}/second-factor/reset`, {})).json<{ totpEnabled: boolean }>().totpEnabled, false);
    // Another authority's accounts and tokens are unknown to this administrator.
    const german = t.user('prosecutor@de.demo').id;
    for (const path of [`/api/users/${german}/disable`, `/api/users/${german}/enable`, `/api/users/${german}/second-factor/reset`]) assertProblem(await admin.post(path, {}), 404, 'not-found');
    assertProblem(await admin.request('PATCH', `/api/users/${german}`, { body: { roles: ['drafter'] } }), 404, 'not-found');
    const deToken = /^cmt_([a-z2-7]{16})_/.exec(await t.token('prosecutor@de.demo', ['cases:read']))?.[1] as string;
    const frToken = /^cmt_([a-z2-7]{16})_/.exec(await t.token('drafter@fr.demo', ['cases:read']))?.[1] as string;
    const tokens = (await admin.get('/api/admin/tokens')).json<{ id: string; userDisplayName: string }[]>();
    assert.ok(tokens.some((k) => k.id === frToken) && !tokens.some((k) => k.id === deToken));
    assertProblem(await admin.delete(`/api/admin/tokens/${deToken}`), 404, 'not-found');
    assert.ok((await admin.delete(`/api/admin/tokens/${frToken}`)).json<{ revokedAt: string | null }>().revokedAt);
    const actions = (await t.handle.db.selectFrom('audit_events').select('action').where('object_id', '=', id).execute()).map((a) => a.action);
    for (const action of ['user.create', 'user.update', 'user.password-reset', 'user.disable', 'user.enable']) assert.ok(actions.includes(action), action);
    // The audit view never carries the password.
    assert.ok(!(await t.handle.db.selectFrom('audit_events').select('details').where('object_id', '=', id).execute()).some((a) => (a.details ?? '').includes('Another-Long')));
  });

  it('history and audit name people of one’s own authority, roles for others', async () => {
    const c = await t.handle.db.selectFrom('cases').select('id').where('requesting_authority_id', '=', 'fr-ca').where('state', '=', 'responded').executeTakeFirstOrThrow();
    const detail = (await (await t.as('officer@fr.demo')).get(`/api/cases/${c.id}`)).json<{ history: { actor: string }[]; actors: Record<string, { name: string | null; roles: string[]; authorityId: string }> }>();
    const fr = Object.values(detail.actors).filter((a) => a.authorityId === 'fr-ca');
    const us = Object.values(detail.actors).filter((a) => a.authorityId === 'us-doj-oia');
    assert.ok(fr.length > 0 && fr.every((a) => typeof a.name === 'string' && a.roles.length > 0));
    assert.ok(us.length > 0 && us.every((a) => a.name === null && a.roles.includes('central-authority-officer')), 'no names of another authority');
    const audit = (await (await t.as('auditor@fr.demo')).get(`/api/cases/${c.id}/audit`)).json<{ actor: string; actorView: { name: string | null } | null }[]>();
    assert.ok(audit.some((a) => a.actorView?.name === 'Luc Petit (central authority)'));
  });

  it('statistics: outgoing counts sent requests only; period, instrument and emergency filters', async () => {
    interface Stats { total: number; outgoing: { count: number }[]; byState: Record<string, number> }
    const officer = await t.as('officer@fr.demo');
    const stats = async (query: Record<string, string> = {}) => (await officer.get('/api/stats', { query })).json<Stats>();
    const sum = (s: Stats) => s.outgoing.reduce((n, o) => n + o.count, 0);
    const sent = await t.handle.db.selectFrom('cases').select(['measures']).where('requesting_authority_id', '=', 'fr-ca').where('sent_at', 'is not', null).execute();
    const measures = sent.reduce((n, c) => n + (JSON.parse(c.measures) as unknown[]).length, 0);
    const all = await stats();
    assert.ok((all.byState.draft ?? 0) > 0, 'the French side has drafts');
    assert.equal(sum(all), measures, 'drafts are not outgoing requests');
    const bases = await t.handle.db.selectFrom('cases').select(['legal_basis', 'measures']).where('requesting_authority_id', '=', 'fr-ca').where('sent_at', 'is not', null).execute();
    const instrument = (bases[0]?.legal_basis ?? '').split(':')[0] as string;
    const ofInstrument = bases.filter((b) => b.legal_basis.startsWith(`${instrument}:`)).reduce((n, c) => n + (JSON.parse(c.measures) as unknown[]).length, 0);
    assert.ok(ofInstrument > 0);
    assert.equal(sum(await stats({ instrument })), ofInstrument);
    assert.equal(sum(await stats({ instrument: 'NOSUCH' })), 0);
    assert.equal(sum(await stats({ to: '2020-01-01' })), 0);
    const today = t.clock.now().toISOString().slice(0, 10);
    assert.equal(sum(await stats({ from: today })), measures);
    assert.equal(sum(await stats({ emergency: 'true' })) + sum(await stats({ emergency: 'false' })), measures);
    assertProblem(await officer.get('/api/stats', { query: { instrument: 'a b' } }), 400, 'invalid-request');
    assert.equal((await officer.get('/api/stats.csv', { query: { emergency: 'false' } })).statusCode, 200);
  });
});
