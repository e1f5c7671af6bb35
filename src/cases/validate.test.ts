/**
 * Validation of a request against the law before it leaves the draft: required contents of
 * several bases (each missing element named with its citation), the Budapest Art. 15 safeguards
 * for coercive measures only, and the applicability of the chosen basis on the day of sending.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BasesFinder, cite, loadKnowledgeBase, type Provision } from '../law/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../demo/data.js';
import { requestSchema, reviewSchema, type Request, type RequestInput, type Review } from './request.js';
import { basisIssues, missingContents, missingSafeguards, type ValidationIssue } from './validate.js';

const kb = loadKnowledgeBase();
const finder = new BasesFinder(kb);
const review: Review = reviewSchema.parse(DEMO_REVIEW);

function provision(id: string): Provision {
  const p = kb.provisions.find((x) => x.id === id);
  assert.ok(p, `provision ${id}`);
  return p;
}

const request = (overrides: Partial<RequestInput> = {}): Request => requestSchema.parse(preservationRequestFrToUs(overrides));
const fields = (issues: readonly ValidationIssue[]) => issues.map((i) => i.field).sort();
const demo = preservationRequestFrToUs();
const BLANK_FACTS = ' '.repeat(25);

/** A complete request for each basis, and mutations that each leave one required element unanswered. */
const BASES: Record<string, { complete: () => RequestInput; removals: Record<string, (r: RequestInput) => RequestInput> }> = {
  'ETS185:29': {
    complete: () => preservationRequestFrToUs(),
    removals: {
      'offence-and-facts': (r) => ({ ...r, facts: BLANK_FACTS }),
      'data-and-relationship': (r) => ({ ...r, dataSought: { ...r.dataSought, relevance: ' ' } }),
      necessity: (r) => ({ ...r, contents: { 'intent-to-request-mla': demo.contents?.['intent-to-request-mla'] ?? '' } }),
      'intent-to-request-mla': (r) => ({ ...r, contents: { necessity: demo.contents?.necessity ?? '', 'intent-to-request-mla': '  ' } }),
    },
  },
  'EU-2023-1543:5(4)': {
    complete: () => preservationRequestFrToUs({ requestingAuthority: 'fr-parquet-paris', addressee: 'de-provider', measures: ['traffic-data'], legalBasis: 'EU-2023-1543:5(4)', contents: {} }),
    removals: {
      'user-identifier': (r) => ({ ...r, dataSought: { ...r.dataSought, identifiers: [] } }),
      'data-category': (r) => ({ ...r, dataSought: { ...r.dataSought, categories: [] } }),
      'criminal-law-provisions': (r) => ({ ...r, offences: [...(r.offences ?? []), { category: 'computer-related-fraud', nationalProvision: '   ', maxPenaltyYears: 5 }] }),
      'necessity-proportionality': (r) => ({ ...r, safeguards: { ...r.safeguards, proportionality: ' '.repeat(12) } }),
      'case-summary': (r) => ({ ...r, facts: BLANK_FACTS }),
    },
  },
  'CETS224:7': {
    complete: () =>
      preservationRequestFrToUs({ measures: ['subscriber-info'], legalBasis: 'CETS224:7', addressee: 'ie-provider', contents: { 'supplemental-information': 'The account was used on 4 November 2026 from a French IP address.' } }),
    removals: {
      'subscriber-info-sought': (r) => ({ ...r, dataSought: { ...r.dataSought, identifiers: [] } }),
      'supplemental-information': (r) => ({ ...r, contents: {} }),
    },
  },
  'EU-2014-41:1': {
    complete: () =>
      preservationRequestFrToUs({
        requestingAuthority: 'fr-parquet-paris',
        addressee: 'de-sta-koeln',
        measures: ['subscriber-info'],
        legalBasis: 'EU-2014-41:1',
        contents: { 'person-concerned': 'Unknown holder of the account attacker@mail.demo.invalid.', 'measures-and-evidence': 'Production of subscriber information held by a German provider.' },
      }),
    removals: {
      'object-and-reasons': (r) => ({ ...r, facts: BLANK_FACTS }),
      'person-concerned': (r) => ({ ...r, contents: { 'measures-and-evidence': 'Production of subscriber information.' } }),
      'measures-and-evidence': (r) => ({ ...r, contents: { 'person-concerned': 'Unknown holder.' } }),
    },
  },
};

describe('missingContents', () => {
  for (const [id, { complete, removals }] of Object.entries(BASES)) {
    it(`${id}: a complete request misses nothing; each missing element is named with its citation`, () => {
      const p = provision(id);
      assert.deepEqual(missingContents(p, requestSchema.parse(complete())), []);
      for (const [element, remove] of Object.entries(removals)) {
        const definition = p.requiredContents.find((c) => c.id === element);
        assert.ok(definition, `${id} requires ${element}`);
        const issues = missingContents(p, requestSchema.parse(remove(complete())));
        const issue = issues.find((i) => i.message.startsWith(`missing ${element}:`));
        assert.ok(issue, `${id} without ${element}: ${JSON.stringify(issues)}`);
        assert.equal(issue.code, 'missing-content');
        assert.ok(issue.field === element || issue.field === `contents.${element}`, issue.field);
        assert.deepEqual(issue.citation, definition.citation);
        assert.ok(issue.message.includes(`(${cite(definition.citation, { mark: false })})`), issue.message);
        assert.ok(issue.message.includes(definition.text), issue.message);
        // Only the elements that depend on the removed part are reported.
        for (const other of issues) assert.ok(other.code === 'missing-content');
      }
    });
  }

  it('the exact citations of some required elements', () => {
    const one = (id: string, input: RequestInput, element: string) => missingContents(provision(id), requestSchema.parse(input)).find((i) => i.message.startsWith(`missing ${element}:`))?.message ?? '';
    assert.match(one('ETS185:29', preservationRequestFrToUs({ contents: {} }), 'necessity'), /\(ETS185 Art\. 29\(2\)\(e\)\)$/);
    assert.match(one('ETS185:29', preservationRequestFrToUs({ contents: {} }), 'intent-to-request-mla'), /\(ETS185 Art\. 29\(2\)\(f\)\)$/);
    const epoc = BASES['EU-2023-1543:5(4)'];
    assert.ok(epoc);
    assert.match(one('EU-2023-1543:5(4)', { ...epoc.complete(), dataSought: { identifiers: [], categories: [] } }, 'user-identifier'), /\(EU-2023-1543 Art\. 5\(5\)\(c\)\)$/);
    assert.match(one('CETS224:7', preservationRequestFrToUs({ contents: {} }), 'supplemental-information'), /\(CETS224 Art\. 7\(4\)\)$/);
    assert.match(one('EU-2014-41:1', preservationRequestFrToUs({ contents: {} }), 'person-concerned'), /\(EU-2014-41 Art\. 5\(1\)\(c\)\)$/);
  });

  it('optional elements are never reported missing', () => {
    const epoc = BASES['EU-2023-1543:5(4)'];
    assert.ok(epoc);
    const noRange = epoc.complete();
    const { timeRange: _timeRange, ...dataSought } = noRange.dataSought;
    assert.deepEqual(missingContents(provision('EU-2023-1543:5(4)'), requestSchema.parse({ ...noRange, dataSought })), [], 'time-range (Art. 5(5)(e)) is optional');
    assert.deepEqual(missingContents(provision('ETS185:29'), request()), [], 'custodian-or-location (Art. 29(2)(d)) is optional');
  });

  it('a contents answer of only whitespace does not answer the element', () => {
    const issues = missingContents(provision('ETS185:29'), request({ contents: { necessity: '\t \n', 'intent-to-request-mla': 'yes, under Art. 31' } }));
    assert.deepEqual(fields(issues), ['contents.necessity']);
  });
});

describe('missingSafeguards', () => {
  it('a coercive measure with every safeguard and a review needs nothing more', () => {
    assert.deepEqual(missingSafeguards(kb, request(), review), []);
  });

  it('a coercive measure needs each Art. 15 safeguard and the independent review, each named', () => {
    const without = missingSafeguards(kb, request({ safeguards: {}, dataSought: { identifiers: [], categories: [] } }), null);
    assert.deepEqual(fields(without), ['dataSought.categories', 'dataSought.identifiers', 'dataSought.timeRange', 'review', 'safeguards.durationDays', 'safeguards.grounds', 'safeguards.proportionality']);
    for (const issue of without) {
      assert.equal(issue.code, 'missing-safeguard');
      assert.equal(issue.citation?.instrument, 'ETS185');
      assert.equal(issue.citation?.article, '15');
      assert.match(issue.message, /^preservation is coercive: /);
    }
    assert.deepEqual(fields(missingSafeguards(kb, request(), null)), ['review']);
  });

  it('identifiers or a stated scope limit the scope', () => {
    assert.deepEqual(missingSafeguards(kb, request({ dataSought: { ...demo.dataSought, identifiers: [] } }), review), [], 'the scope text suffices');
    const { scope: _scope, ...safeguards } = demo.safeguards ?? {};
    assert.deepEqual(missingSafeguards(kb, request({ safeguards }), review), [], 'identifiers suffice');
    assert.deepEqual(fields(missingSafeguards(kb, request({ safeguards, dataSought: { ...demo.dataSought, identifiers: [] } }), review)), ['dataSought.identifiers']);
  });

  it('a time range ending before it starts is reported', () => {
    const issues = missingSafeguards(kb, request({ dataSought: { ...demo.dataSought, timeRange: { from: '2026-11-10T00:00:00Z', to: '2026-10-01T00:00:00Z' } } }), review);
    assert.deepEqual(issues.map((i) => i.code), ['invalid-time-range']);
  });

  it('non-coercive measures need no safeguard and no review (spontaneous information, video conference, joint investigation, domain registration)', () => {
    for (const measure of ['spontaneous-information', 'video-conference', 'joint-investigation', 'domain-registration'] as const) {
      assert.equal(kb.measures.get(measure)?.coercive, false, measure);
      const bare = request({ measures: [measure], safeguards: {}, dataSought: { identifiers: [], categories: [] } });
      assert.deepEqual(missingSafeguards(kb, bare, null), [], measure);
    }
  });

  it('one coercive measure among non-coercive ones brings every safeguard back, naming only it', () => {
    const issues = missingSafeguards(kb, request({ measures: ['spontaneous-information', 'subscriber-info'], safeguards: {} }), null);
    assert.ok(issues.length > 0);
    for (const issue of issues) assert.match(issue.message, /^subscriber-info is coercive: /);
  });
});

describe('basisIssues', () => {
  const codes = (issues: readonly ValidationIssue[]) => issues.map((i) => i.code).sort();

  it('the demo request is valid on 2026-12-01 from FR to US', () => {
    assert.deepEqual(basisIssues(finder, kb, request(), 'FR', 'US', '2026-12-01'), []);
  });

  it('CETS 224 is not in force: Art. 7 is not an applicable basis, with the reason and the citation', () => {
    const complete = BASES['CETS224:7'];
    assert.ok(complete);
    const issues = basisIssues(finder, kb, requestSchema.parse(complete.complete()), 'FR', 'US', '2026-12-01');
    assert.deepEqual(codes(issues), ['basis-not-applicable']);
    assert.match(issues[0]?.message ?? '', /^CETS224:7 is not an applicable basis for subscriber-info from FR to US on 2026-12-01: .*not in force/);
    assert.deepEqual(issues[0]?.citation, provision('CETS224:7').citation);
  });

  it('the e-Evidence Regulation applies from 2026-08-18, not the day before', () => {
    const epoc = requestSchema.parse(preservationRequestFrToUs({ requestingAuthority: 'fr-parquet-paris', addressee: 'de-provider', measures: ['subscriber-info'], legalBasis: 'EU-2023-1543:5(3)', contents: {} }));
    const before = basisIssues(finder, kb, epoc, 'FR', 'DE', '2026-08-17');
    assert.deepEqual(codes(before), ['basis-not-applicable']);
    assert.match(before[0]?.message ?? '', /applies from 2026-08-18/);
    assert.deepEqual(basisIssues(finder, kb, epoc, 'FR', 'DE', '2026-08-18'), []);
  });

  it('an unknown offence category is reported', () => {
    const issues = basisIssues(finder, kb, request({ offences: [{ category: 'hacking-in-general', nationalProvision: 'Code pénal, art. 323-1', maxPenaltyYears: 3 }] }), 'FR', 'US', '2026-12-01');
    assert.deepEqual(codes(issues), ['unknown-offence']);
    assert.match(issues[0]?.message ?? '', /unknown offence category "hacking-in-general"/);
  });

  it('an emergency request without justification is reported', () => {
    const issues = basisIssues(finder, kb, request({ emergency: { emergency: true } }), 'FR', 'US', '2026-12-01');
    assert.ok(codes(issues).includes('emergency-justification'), JSON.stringify(issues));
    assert.equal(issues.find((i) => i.code === 'emergency-justification')?.field, 'emergency.justification');
  });

  it('an unknown basis is the only issue reported', () => {
    assert.deepEqual(codes(basisIssues(finder, kb, request({ legalBasis: 'ETS185:99' }), 'FR', 'US', '2026-12-01')), ['unknown-basis']);
  });

  it('every measure must be covered by the basis', () => {
    const issues = basisIssues(finder, kb, request({ measures: ['preservation', 'subscriber-info'] }), 'FR', 'US', '2026-12-01');
    assert.deepEqual(codes(issues), ['basis-not-applicable']);
    assert.match(issues[0]?.message ?? '', /for subscriber-info from FR to US/);
  });

  it('includes the missing contents of the basis', () => {
    assert.deepEqual(fields(basisIssues(finder, kb, request({ contents: {} }), 'FR', 'US', '2026-12-01')), ['contents.intent-to-request-mla', 'contents.necessity']);
  });
});

describe('contents and safeguards together (property)', () => {
  const PARTS = ['identifiers', 'categories', 'timeRange', 'relevance', 'necessity', 'intent', 'grounds', 'proportionality', 'scope', 'durationDays', 'review', 'confidentiality', 'translation', 'emergency'] as const;
  type Part = (typeof PARTS)[number];

  function build(base: RequestInput, removed: ReadonlySet<Part>): { input: RequestInput; review: Review | null } {
    const input = structuredClone(base) as RequestInput & { dataSought: Record<string, unknown>; contents: Record<string, string>; safeguards: Record<string, unknown> };
    input.contents ??= {};
    input.safeguards ??= {};
    const del = (o: Record<string, unknown>, k: string) => delete o[k];
    if (removed.has('identifiers')) del(input.dataSought, 'identifiers');
    if (removed.has('categories')) del(input.dataSought, 'categories');
    if (removed.has('timeRange')) del(input.dataSought, 'timeRange');
    if (removed.has('relevance')) del(input.dataSought, 'relevance');
    if (removed.has('necessity')) del(input.contents, 'necessity');
    if (removed.has('intent')) del(input.contents, 'intent-to-request-mla');
    for (const k of ['grounds', 'proportionality', 'scope', 'durationDays'] as const) if (removed.has(k)) del(input.safeguards, k);
    for (const k of ['confidentiality', 'translation', 'emergency'] as const) if (removed.has(k)) del(input as Record<string, unknown>, k);
    return { input, review: removed.has('review') ? null : review };
  }

  const removedArb = fc.subarray([...PARTS]).map((parts) => new Set<Part>(parts));

  it('ETS185:29 (coercive preservation): issues are empty iff every required part is present, and name exactly what is missing', () => {
    fc.assert(
      fc.property(removedArb, (removed) => {
        const { input, review: r } = build(preservationRequestFrToUs(), removed);
        const req = requestSchema.parse(input);
        const issues = [...missingContents(provision('ETS185:29'), req), ...missingSafeguards(kb, req, r)];
        const has = (p: Part) => !removed.has(p);
        const expected = new Set<string>();
        if (!has('identifiers') || !has('relevance')) expected.add('data-and-relationship');
        if (!has('necessity')) expected.add('contents.necessity');
        if (!has('intent')) expected.add('contents.intent-to-request-mla');
        if (!has('grounds')) expected.add('safeguards.grounds');
        if (!has('proportionality')) expected.add('safeguards.proportionality');
        if (!has('identifiers') && !has('scope')) expected.add('dataSought.identifiers');
        if (!has('categories')) expected.add('dataSought.categories');
        if (!has('timeRange')) expected.add('dataSought.timeRange');
        if (!has('durationDays')) expected.add('safeguards.durationDays');
        if (!has('review')) expected.add('review');
        assert.deepEqual(fields(issues), [...expected].sort(), `removed ${[...removed].join(', ')}`);
        assert.equal(issues.length === 0, expected.size === 0);
      }),
      { numRuns: 400 },
    );
  });

  it('EU-2023-1543:5(4) (coercive traffic data): the same for the EPOC contents', () => {
    const epoc = BASES['EU-2023-1543:5(4)'];
    assert.ok(epoc);
    fc.assert(
      fc.property(removedArb, (removed) => {
        const { input, review: r } = build(epoc.complete(), removed);
        const req = requestSchema.parse(input);
        const issues = [...missingContents(provision('EU-2023-1543:5(4)'), req), ...missingSafeguards(kb, req, r)];
        const has = (p: Part) => !removed.has(p);
        const expected = new Set<string>();
        if (!has('identifiers')) expected.add('user-identifier');
        if (!has('categories')) expected.add('data-category');
        if (!has('proportionality')) expected.add('necessity-proportionality');
        if (!has('grounds')) expected.add('safeguards.grounds');
        if (!has('proportionality')) expected.add('safeguards.proportionality');
        if (!has('identifiers') && !has('scope')) expected.add('dataSought.identifiers');
        if (!has('categories')) expected.add('dataSought.categories');
        if (!has('timeRange')) expected.add('dataSought.timeRange');
        if (!has('durationDays')) expected.add('safeguards.durationDays');
        if (!has('review')) expected.add('review');
        assert.deepEqual(fields(issues), [...expected].sort(), `removed ${[...removed].join(', ')}`);
        assert.equal(issues.length === 0, expected.size === 0);
      }),
      { numRuns: 400 },
    );
  });
});
