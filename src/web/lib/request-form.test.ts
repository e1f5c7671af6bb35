import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ContentElement } from './bases';
import { emptyIdentifier } from './identifiers';
import {
  ANSWERED_BY,
  contentPlan,
  emptyRequestForm,
  fieldId,
  fieldOfIssue,
  fromRequest,
  isCoercive,
  legalIssues,
  MEASURE_RULES,
  schemaIssues,
  stepOfField,
  toRequest,
  type RequestDocument,
  type RequestForm,
} from './request-form';

// Server modules, imported dynamically so that the web type-check does not pull them in.
type Parsed = { success: boolean; data?: unknown };
interface Server {
  requestSchema: { safeParse(v: unknown): Parsed; parse(v: unknown): RequestDocument };
  ANSWERED_BY: Record<string, (r: unknown) => boolean>;
  missingContents(provision: unknown, request: unknown): { field: string }[];
  missingSafeguards(kb: unknown, request: unknown, review: unknown): { field: string }[];
  kb: { provisions: { id: string; requiredContents: ContentElement[] }[] };
  demo: (overrides?: Record<string, unknown>) => RequestDocument;
  review: unknown;
}

async function server(): Promise<Server> {
  const at = (path: string) => new URL(path, import.meta.url).href;
  const request = (await import(at('../../cases/request.ts'))) as Pick<Server, 'requestSchema'>;
  const validate = (await import(at('../../cases/validate.ts'))) as Pick<Server, 'ANSWERED_BY' | 'missingContents' | 'missingSafeguards'>;
  const law = (await import(at('../../law/index.ts'))) as { loadKnowledgeBase(): Server['kb'] };
  const data = (await import(at('../../demo/data.ts'))) as { preservationRequestFrToUs: Server['demo']; DEMO_REVIEW: unknown };
  return { ...request, ...validate, kb: law.loadKnowledgeBase(), demo: data.preservationRequestFrToUs, review: data.DEMO_REVIEW };
}

/** A complete form: the demo request (a French preservation request to the United States). */
function demoForm(s: Server, overrides: Record<string, unknown> = {}): RequestForm {
  return fromRequest(s.requestSchema.parse(s.demo(overrides)));
}

/** Variants of a request that answer and miss different elements. */
function variants(s: Server): RequestForm[] {
  const base = demoForm(s);
  return [
    base,
    { ...base, relevance: '' },
    { ...base, identifiers: [emptyIdentifier()] },
    { ...base, identifiers: [{ ...emptyIdentifier('domain'), value: 'phish.example' }] },
    { ...base, categories: [] },
    { ...base, timeFrom: '', timeTo: '' },
    { ...base, proportionality: '', grounds: '', scope: '', durationDays: '' },
    { ...base, emergency: true, emergencyJustification: '' },
    { ...base, emergency: true, emergencyJustification: 'Imminent risk to the life of a hospital patient, see the facts.' },
    { ...base, contents: {} },
    { ...base, measures: ['video-conference'], categories: [], timeFrom: '', timeTo: '', grounds: '', proportionality: '', scope: '', durationDays: '' },
    { ...base, measures: ['subscriber-info', 'traffic-data'] },
    { ...base, offences: [{ category: 'illegal-access', nationalProvision: 'Code pénal, art. 323-1', maxPenaltyYears: '' }] },
  ];
}

describe('the request form', () => {
  it('mirrors the server’s ANSWERED_BY: the same elements, the same answers', async () => {
    const s = await server();
    assert.deepEqual(Object.keys(ANSWERED_BY).sort(), Object.keys(s.ANSWERED_BY).sort());
    for (const form of variants(s)) {
      const parsed = s.requestSchema.safeParse(toRequest(form));
      assert.ok(parsed.success, JSON.stringify(toRequest(form)));
      for (const [id, check] of Object.entries(s.ANSWERED_BY)) {
        assert.equal(ANSWERED_BY[id]?.answered(toRequest(form)), check(parsed.data), `${id} on ${JSON.stringify(form).slice(0, 120)}`);
      }
    }
  });

  it('mirrors the measures of the knowledge base: coercive, data categories', () => {
    const measures = JSON.parse(readFileSync(new URL('../../law/data/measures.json', import.meta.url), 'utf8')) as { id: string; coercive: boolean; dataCategories: string[] }[];
    assert.deepEqual(
      Object.fromEntries(measures.map((m) => [m.id, { coercive: m.coercive, dataCategories: m.dataCategories }])),
      JSON.parse(JSON.stringify(MEASURE_RULES)),
    );
    assert.equal(isCoercive(['video-conference']), false);
    assert.equal(isCoercive(['video-conference', 'preservation']), true);
  });

  it('plans every required element of every basis: structured field or free text', async () => {
    const s = await server();
    const ets29 = s.kb.provisions.find((p) => p.id === 'ETS185:29');
    assert.ok(ets29);
    const plan = contentPlan(ets29.requiredContents);
    assert.deepEqual(plan.structured.map((e) => e.element.id), ['requesting-authority', 'offence-and-facts', 'data-and-relationship']);
    assert.deepEqual(plan.structured.map((e) => e.fields), [['requestingAuthority'], ['offences', 'facts'], ['dataSought.identifiers', 'dataSought.relevance']]);
    assert.deepEqual(plan.freeText.map((e) => e.id), ['custodian-or-location', 'necessity', 'intent-to-request-mla']);
    for (const provision of s.kb.provisions) {
      const p = contentPlan(provision.requiredContents);
      assert.equal(p.structured.length + p.freeText.length, provision.requiredContents.length);
      for (const { fields } of p.structured) for (const field of fields) assert.ok(field === 'requestingAuthority' || stepOfField(field) !== null, `${provision.id}: ${field} is in a step`);
    }
  });

  it('builds the request the server accepts, and reads it back unchanged', async () => {
    const s = await server();
    const demo = s.requestSchema.parse(s.demo());
    const form = fromRequest(demo);
    assert.deepEqual(schemaIssues(form), []);
    const again = s.requestSchema.parse(toRequest(form));
    // The period is kept to the day (the form has date inputs).
    assert.deepEqual({ ...again, dataSought: { ...again.dataSought, timeRange: undefined } }, { ...demo, dataSought: { ...demo.dataSought, timeRange: undefined } });
    assert.deepEqual(again.dataSought.timeRange, { from: '2026-10-01T00:00:00Z', to: '2026-11-10T23:59:59Z' });
  });

  it('leaves out empty optional fields, blank identifier lines and free text of elements the basis does not ask for', async () => {
    const s = await server();
    const form: RequestForm = { ...demoForm(s), relevance: ' ', referenceRequested: '', identifiers: [...demoForm(s).identifiers, emptyIdentifier('ip')], contents: { necessity: 'Needed.', other: 'stale answer', blank: '  ' }, durationDays: '' };
    const request = toRequest(form, ['necessity']);
    assert.equal(request.dataSought.relevance, undefined);
    assert.equal(request.references.requested, undefined);
    assert.equal(request.dataSought.identifiers.length, 1);
    assert.deepEqual(request.contents, { necessity: 'Needed.' });
    assert.equal('durationDays' in request.safeguards, false);
    assert.ok(s.requestSchema.safeParse(request).success);
  });

  it('schema checks: saved exactly when the server’s schema accepts the request', async () => {
    const s = await server();
    const base = demoForm(s);
    const forms: RequestForm[] = [
      base,
      emptyRequestForm('fr-ca'),
      { ...base, facts: 'too short' },
      { ...base, offences: [{ category: '', nationalProvision: 'x', maxPenaltyYears: '' }] },
      { ...base, offences: [{ category: 'illegal-access', nationalProvision: '', maxPenaltyYears: '3' }] },
      { ...base, offences: [{ category: 'illegal-access', nationalProvision: 'x', maxPenaltyYears: '0' }] },
      { ...base, offences: [{ category: 'illegal-access', nationalProvision: 'x', maxPenaltyYears: 'abc' }] },
      { ...base, offences: [] },
      { ...base, identifiers: [{ ...emptyIdentifier('phone'), value: '0612' }] },
      { ...base, identifiers: [{ ...emptyIdentifier('ip'), value: '203.0.113.7', timestamp: 'yesterday' }] },
      { ...base, timeFrom: '2026-10-01', timeTo: '' },
      { ...base, language: 'english' },
      { ...base, referenceRequesting: '' },
      { ...base, grounds: 'short' },
      { ...base, durationDays: '0' },
      { ...base, durationDays: '2.5' },
      { ...base, purpose: 'x' },
      { ...base, retentionDays: '' },
      { ...base, emergency: true, emergencyJustification: 'too short' },
      { ...base, measures: [] },
      { ...base, addressee: '' },
    ];
    for (const form of forms) {
      const client = schemaIssues(form).length === 0;
      const server = s.requestSchema.safeParse(toRequest(form)).success;
      assert.equal(client, server, `${JSON.stringify(schemaIssues(form))} vs server ${server}`);
    }
    assert.deepEqual(schemaIssues({ ...base, facts: 'short' }).map((i) => [i.field, i.message, i.values]), [['facts', 'minLength', { min: 20 }]]);
    assert.deepEqual(schemaIssues({ ...base, identifiers: [{ ...emptyIdentifier('ip'), value: '1.2.3', timestamp: '2026-11-04T21:13:07Z' }] }).map((i) => i.field), ['dataSought.identifiers.0.value']);
    assert.deepEqual(schemaIssues({ ...base, timeFrom: '2026-11-10', timeTo: '2026-10-01' }).map((i) => [i.field, i.message]), [['dataSought.timeRange.to', 'rangeOrder']]);
  });

  it('legal checks: the same missing contents and safeguards as the server, on every basis', async () => {
    const s = await server();
    const forms = variants(s);
    let compared = 0;
    for (const provision of s.kb.provisions) {
      for (const form of forms) {
        const request = s.requestSchema.parse(toRequest(form));
        const expected = new Set([...s.missingContents(provision, request), ...s.missingSafeguards(s.kb, request, s.review)].map((i) => fieldOfIssue(i.field)));
        const actual = new Set(legalIssues(form, provision.requiredContents).filter((i) => i.message !== 'emergencyJustification').map((i) => i.field));
        assert.deepEqual([...actual].sort(), [...expected].sort(), `${provision.id} on ${JSON.stringify(toRequest(form)).slice(0, 200)}`);
        compared += 1;
      }
    }
    assert.ok(compared > 100);
    const ets29 = s.kb.provisions.find((p) => p.id === 'ETS185:29') as Server['kb']['provisions'][number];
    const missing = legalIssues({ ...demoForm(s), contents: {} }, ets29.requiredContents);
    assert.deepEqual(missing.map((i) => [i.field, i.message, i.citation?.paragraph]), [
      ['contents.necessity', 'missingContent', '2(e)'],
      ['contents.intent-to-request-mla', 'missingContent', '2(f)'],
    ]);
    assert.deepEqual(legalIssues({ ...demoForm(s), emergency: true, emergencyJustification: '' }, []).map((i) => i.field), ['emergency.justification']);
  });

  it('puts server issues next to the field they are about, on the right step', () => {
    assert.equal(fieldOfIssue('body.facts'), 'facts');
    assert.equal(fieldOfIssue('body.dataSought.identifiers.0.value'), 'dataSought.identifiers.0.value');
    assert.equal(fieldOfIssue('contents.necessity'), 'contents.necessity');
    assert.equal(fieldOfIssue('data-and-relationship'), 'dataSought.identifiers');
    assert.equal(fieldOfIssue('offence-and-facts'), 'offences');
    assert.equal(fieldOfIssue('dataSought.timeRange'), 'dataSought.timeRange.from');
    assert.equal(fieldOfIssue('safeguards.grounds'), 'safeguards.grounds');
    assert.equal(fieldOfIssue('legalBasis'), 'legalBasis');
    assert.equal(fieldOfIssue('review'), null);
    assert.equal(fieldOfIssue('(root)'), null);
    assert.equal(fieldOfIssue('requesting-authority'), null);
    assert.equal(stepOfField('addressee'), 'addressee');
    assert.equal(stepOfField('emergency.justification'), 'addressee');
    assert.equal(stepOfField('legalBasis'), 'basis');
    assert.equal(stepOfField('offences.0.category'), 'contents');
    assert.equal(stepOfField('safeguards.durationDays'), 'safeguards');
    assert.equal(fieldId('dataSought.identifiers.0.value'), 'f-dataSought-identifiers-0-value');
    assert.equal(fieldId('contents.intent-to-request-mla'), 'f-contents-intent-to-request-mla');
  });
});
