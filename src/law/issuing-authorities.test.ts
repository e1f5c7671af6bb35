import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUTHORITY_KINDS, kindsOfAuthority, mayIssue, mayValidate, ORDER_DATA_CATEGORIES, ORDER_KINDS } from './issuing-authorities.js';
import { AUTHORITY_KINDS as DIRECTORY_KINDS } from '../cases/authority-kinds.js';
import { loadKnowledgeBase } from './knowledge-base.js';

const { issuing } = loadKnowledgeBase();

describe('Reg. 2023/1543 Art. 4: issuing and validating authorities', () => {
  it('answers every order, category and authority kind, each with a citation of Art. 4', () => {
    for (const order of ORDER_KINDS)
      for (const category of ORDER_DATA_CATEGORIES)
        for (const authority of AUTHORITY_KINDS)
          for (const emergency of [false, true]) {
            const a = mayIssue(issuing, { order, category, authority, emergency });
            assert.ok(a.citations.every((c) => c.instrument === 'EU-2023-1543' && c.article === '4'));
            if (a.validation === 'none') assert.deepEqual(a.validators, []);
            else assert.ok(a.validators.length > 0 && !a.validators.includes('other-competent-authority'));
          }
  });

  it('a judge may always issue; content and traffic data need a judge, court or investigating judge (4(2))', () => {
    for (const category of ORDER_DATA_CATEGORIES) assert.equal(mayIssue(issuing, { order: 'EPOC', category, authority: 'judge', emergency: false }).validation, 'none');
    for (const category of ['traffic-data', 'content-data'] as const) {
      const p = mayIssue(issuing, { order: 'EPOC', category, authority: 'public-prosecutor', emergency: true });
      assert.equal(p.validation, 'prior', 'no emergency route for traffic or content EPOCs');
      assert.deepEqual(p.validators, ['judge', 'court', 'investigating-judge']);
      assert.equal(mayValidate(issuing, { order: 'EPOC', category, authority: 'public-prosecutor' }).mayValidate, false);
    }
  });

  it('the emergency route (4(5)): subscriber and identification EPOCs and every EPOC-PR, validated within 48 hours', () => {
    for (const category of ['subscriber-data', 'identification-data'] as const) {
      const a = mayIssue(issuing, { order: 'EPOC', category, authority: 'other-competent-authority', emergency: true });
      assert.deepEqual([a.validation, a.validateWithinHours], ['ex-post', 48]);
      assert.ok(a.conditions.length >= 3);
      assert.equal(mayIssue(issuing, { order: 'EPOC', category, authority: 'other-competent-authority', emergency: false }).validation, 'prior');
    }
    for (const category of ORDER_DATA_CATEGORIES) assert.equal(mayIssue(issuing, { order: 'EPOC-PR', category, authority: 'other-competent-authority', emergency: true }).validation, 'ex-post');
  });
});

describe('Reg. 2023/1543 Art. 4: the kind declared against the authority’s account', () => {
  const rules = issuing;
  it('covers every directory kind, each mapped to Art. 4 kinds only, with a citation shown as unverified', () => {
    assert.deepEqual(Object.keys(rules.directoryKinds.kinds).sort(), [...DIRECTORY_KINDS].sort());
    assert.equal(rules.directoryKinds.citation.article, '4');
    assert.equal(rules.directoryKinds.citation.verified, false);
  });
  it('a judicial authority may act as judge or prosecutor; a police unit or 24/7 point of contact only as another competent authority', () => {
    const parquet = { id: 'fr-parquet-paris', kind: 'prosecutor-or-judge' };
    assert.equal(kindsOfAuthority(rules, parquet, 'public-prosecutor').competent, true);
    assert.equal(kindsOfAuthority(rules, parquet, 'investigating-judge').competent, true);
    assert.equal(kindsOfAuthority(rules, parquet, 'other-competent-authority').competent, false);
    const police = kindsOfAuthority(rules, { id: 'fr-247', kind: '24/7-point-of-contact' }, 'judge');
    assert.equal(police.competent, false);
    assert.deepEqual(police.kinds, ['other-competent-authority']);
    assert.equal(kindsOfAuthority(rules, { id: 'ie-provider', kind: 'service-provider' }, 'other-competent-authority').competent, false);
  });
  it('a recorded Art. 4 kind pins the authority to it, and a recorded kind its directory kind cannot have is void', () => {
    const judge = { id: 'fr-tj', kind: 'prosecutor-or-judge', issuingKind: 'investigating-judge' };
    assert.equal(kindsOfAuthority(rules, judge, 'investigating-judge').competent, true);
    assert.equal(kindsOfAuthority(rules, judge, 'public-prosecutor').competent, false);
    const forged = kindsOfAuthority(rules, { id: 'x', kind: 'police-unit', issuingKind: 'judge' }, 'judge');
    assert.equal(forged.competent, false);
    assert.deepEqual(forged.kinds, []);
  });
});
