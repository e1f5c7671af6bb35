import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CASE_EVENTS, CASE_STATES } from '../../cases/workflow';
import { actionableStates, EVENT_ROLES, INCOMING_STATES, isIncoming, myNextEvents, needsMyAction, sidesOf, type Reader } from './queue';

const officerFr: Reader = { authorityId: 'fr-ca', roles: ['central-authority-officer', 'drafter'] };
const judgeFr: Reader = { authorityId: 'fr-ca', roles: ['reviewer'] };
const officerUs: Reader = { authorityId: 'us-doj-oia', roles: ['central-authority-officer'] };
const agent: Reader = { authorityId: 'ie-provider', roles: ['service-provider-agent'] };
const auditor: Reader = { authorityId: 'fr-ca', roles: ['auditor'] };

const frToUs = (state: (typeof CASE_STATES)[number]) => ({ state, requestingAuthorityId: 'fr-ca', addresseeId: 'us-doj-oia' });

describe('EVENT_ROLES', () => {
  it('is the policy table of the server (src/http/policies.ts)', async () => {
    // Imported dynamically so that the web type-check does not pull the server's modules in.
    const policies = (await import(new URL('../../http/policies.ts', import.meta.url).href)) as { CASE_EVENT_ROLES: Record<string, { side: string; roles: readonly string[] }> };
    const normalise = (table: Record<string, { side: string; roles: readonly string[] }>) =>
      Object.fromEntries(Object.entries(table).map(([event, rule]) => [event, { side: rule.side, roles: [...rule.roles].sort() }]));
    assert.deepEqual(normalise(EVENT_ROLES), normalise(policies.CASE_EVENT_ROLES));
  });

  it('covers every event of the workflow', () => {
    assert.deepEqual(Object.keys(EVENT_ROLES).sort(), [...CASE_EVENTS].sort());
  });
});

describe('my queue', () => {
  it('a draft waits for its drafters to submit it; only a submitted draft waits for the reviewer', () => {
    assert.deepEqual(myNextEvents(frToUs('draft'), judgeFr), []);
    assert.deepEqual(myNextEvents(frToUs('draft'), officerFr), ['submit']);
    assert.deepEqual(myNextEvents(frToUs('draft'), officerUs), []);
    assert.deepEqual(myNextEvents(frToUs('submitted'), judgeFr), ['return', 'reject', 'approve']);
    assert.deepEqual(myNextEvents(frToUs('submitted'), officerFr), []);
    assert.deepEqual(myNextEvents(frToUs('returned'), officerFr), ['submit']);
    assert.deepEqual(myNextEvents(frToUs('returned'), judgeFr), []);
  });

  it('an approved case waits for the requesting officer to send it', () => {
    assert.deepEqual(myNextEvents(frToUs('approved'), officerFr), ['send']);
  });

  it('a sent case waits for the addressee, not for the sender', () => {
    assert.deepEqual(myNextEvents(frToUs('sent'), officerUs), ['receive']);
    assert.equal(needsMyAction(frToUs('sent'), officerFr), false);
  });

  it('a case in assessment offers the decisions to the requested side', () => {
    assert.deepEqual(myNextEvents(frToUs('in-assessment'), officerUs), ['request-clarification', 'accept', 'postpone', 'refuse', 'execute-partially']);
  });

  it('a clarification request waits for the requesting side', () => {
    assert.deepEqual(myNextEvents(frToUs('clarification-requested'), officerFr), ['answer-clarification']);
    assert.deepEqual(myNextEvents(frToUs('clarification-requested'), officerUs), []);
  });

  it('a response waits for the requesting side to close the case', () => {
    assert.deepEqual(myNextEvents(frToUs('responded'), officerFr), ['close']);
  });

  it('withdraw and lapse are never "next steps"; closed cases need nobody', () => {
    for (const state of CASE_STATES) {
      for (const reader of [officerFr, officerUs, judgeFr]) assert.ok(!myNextEvents(frToUs(state), reader).some((e) => e === 'withdraw' || e === 'lapse'));
    }
    assert.deepEqual(myNextEvents(frToUs('closed'), officerFr), []);
  });

  it('auditors and other authorities have no queue', () => {
    for (const state of CASE_STATES) {
      assert.deepEqual(myNextEvents(frToUs(state), auditor), []);
      assert.deepEqual(myNextEvents(frToUs(state), agent), []);
    }
    assert.deepEqual(actionableStates(auditor), []);
  });

  it('a case an authority addresses to itself is on both sides', () => {
    const self = { state: 'sent' as const, requestingAuthorityId: 'fr-ca', addresseeId: 'fr-ca' };
    assert.deepEqual(sidesOf(self, officerFr), ['requesting', 'requested']);
    assert.deepEqual(myNextEvents(self, officerFr), ['receive']);
    assert.equal(isIncoming(self, officerFr), false);
  });

  it('lists the states worth fetching for a reader', () => {
    assert.deepEqual(actionableStates(judgeFr), ['submitted']);
    const officer = actionableStates(officerFr);
    assert.ok(officer.includes('approved') && officer.includes('sent') && officer.includes('responded'));
    assert.ok(officer.includes('draft') && officer.includes('returned') && !officer.includes('submitted') && !officer.includes('closed'));
  });
});

describe('incoming requests', () => {
  it('are open requests addressed to my authority by another one', () => {
    assert.equal(isIncoming(frToUs('received'), officerUs), true);
    assert.equal(isIncoming(frToUs('received'), officerFr), false);
    assert.equal(isIncoming(frToUs('responded'), officerUs), false);
    assert.equal(isIncoming(frToUs('draft'), officerUs), false);
    assert.ok(INCOMING_STATES.every((s) => isIncoming(frToUs(s), officerUs)));
    assert.equal(isIncoming(frToUs('sent'), { authorityId: null, roles: ['administrator'] }), false);
  });
});
