/**
 * Issuing a document on every database: the issuing officer's copy is signed with the
 * authority's document-signing key (created once, then reused), its SHA-256 audited; the other
 * side, other roles and drafts get unsigned copies; forms that do not fit, unknown languages and
 * purged cases are refused with their codes.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createSecretBox } from '../../src/auth/secrets.js';
import { createCaseContext } from '../../src/cases/index.js';
import { generatedCase } from '../../src/documents/fixtures.js';
import { issueDocument } from '../../src/documents/index.js';
import { createDbKeyStore } from '../../src/keys/index.js';
import { loadKnowledgeBase } from '../../src/law/index.js';
import { forEachDatabase } from '../db/dialects.js';

const kb = loadKnowledgeBase();
const officer = { name: 'Claire Martin', email: 'claire.martin@justice.demo.invalid', authorityId: 'fr-ca', roles: ['central-authority-officer'], actor: 'user:claire' };

forEachDatabase('issuing documents', (target) => {
  it('signs for the issuing officer, audits the digest, reuses the key; copies for everyone else', async (t) => {
    const handle = await target.create(t);
    await handle.migrate();
    const cases = createCaseContext(handle.db, kb, { now: () => new Date('2026-12-01T09:30:00Z') });
    const keys = createDbKeyStore(handle.db, createSecretBox(randomBytes(32)));
    const c = generatedCase('tcy-preservation', { facts: 'Short facts of the case, long enough for the schema.' });
    const first = await issueDocument({ cases, keys, kb }, { ...c, person: officer, node: 'comity.test' });
    assert.equal(first.signed, true);
    assert.equal(first.sha256, createHash('sha256').update(first.pdf).digest('hex'));
    const second = await issueDocument({ cases, keys, kb }, { ...c, language: 'fr', person: officer, node: 'comity.test' });
    assert.equal(second.language, 'fr');
    const audit = await handle.db.selectFrom('audit_events').select(['action', 'details', 'object_id']).where('action', '=', 'case.document-issued').orderBy('seq').execute();
    assert.deepEqual(audit.map((a) => (JSON.parse(String(a.details)) as { sha256: string }).sha256), [first.sha256, second.sha256]);
    assert.ok(audit.every((a) => a.object_id === c.detail.id));
    assert.equal((await keys.list({ owner: 'fr-ca', purpose: 'document-signing' })).length, 1, 'one key, reused');

    const other = await issueDocument({ cases, keys, kb }, { ...c, person: { ...officer, authorityId: 'us-doj-oia' }, node: 'comity.test' });
    const auditor = await issueDocument({ cases, keys, kb }, { ...c, person: { ...officer, roles: ['auditor'] }, node: 'comity.test' });
    const draft = await issueDocument({ cases, keys, kb }, { ...c, detail: { ...c.detail, state: 'draft' }, person: officer, node: 'comity.test' });
    assert.deepEqual([other.signed, auditor.signed, draft.signed], [false, false, false]);
    assert.ok(draft.model.marks.some((m) => m.startsWith('DRAFT')));
    assert.equal((await handle.db.selectFrom('audit_events').select('id').where('action', '=', 'case.document-issued').execute()).length, 2, 'copies are not audited');
    assert.equal((await keys.list({ owner: 'us-doj-oia' })).length, 0, 'no key is made for an authority that did not issue');

    await assert.rejects(issueDocument({ cases, keys, kb }, { ...c, form: 'epoc', person: officer, node: 'comity.test' }), { code: 'form-not-applicable' });
    await assert.rejects(issueDocument({ cases, keys, kb }, { ...c, language: 'xx', person: officer, node: 'comity.test' }), { code: 'unknown-language' });
    await assert.rejects(issueDocument({ cases, keys, kb }, { ...c, detail: { ...c.detail, request: null }, person: officer, node: 'comity.test' }), { code: 'document-unavailable' });
  });
});
