import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedEvents, CASE_EVENTS, type CaseState } from '../../cases/workflow';
import { ACTION_KIND, ATTACHMENT_STATES, canAttach, canEditDraft, canReadAudit, myActions, myDecisions } from './case-actions';
import type { Reader } from './queue';

const officerFr: Reader = { authorityId: 'fr-ca', roles: ['central-authority-officer', 'drafter'] };
const drafterFr: Reader = { authorityId: 'fr-ca', roles: ['drafter'] };
const judgeFr: Reader = { authorityId: 'fr-ca', roles: ['reviewer'] };
const officerUs: Reader = { authorityId: 'us-doj-oia', roles: ['central-authority-officer'] };
const auditorFr: Reader = { authorityId: 'fr-ca', roles: ['auditor'] };
const adminUs: Reader = { authorityId: 'us-doj-oia', roles: ['administrator'] };
const agent: Reader = { authorityId: 'ie-provider', roles: ['service-provider-agent'] };

const frToUs = (state: CaseState) => ({ state, requestingAuthorityId: 'fr-ca', addresseeId: 'us-doj-oia', allowedEvents: allowedEvents(state) });

describe('case actions', () => {
  it('every event has a form kind', () => {
    assert.deepEqual(Object.keys(ACTION_KIND).sort(), [...CASE_EVENTS].sort());
  });

  it('are the allowed events the reader’s side and roles may perform', () => {
    // The review hand-off: the workspace offers approval of a submitted draft only.
    assert.deepEqual(myActions(frToUs('draft'), judgeFr), []);
    assert.deepEqual(myActions(frToUs('draft'), officerFr), ['submit', 'withdraw']);
    assert.deepEqual(myActions(frToUs('submitted'), judgeFr), ['return', 'reject', 'approve']);
    assert.deepEqual(myActions(frToUs('submitted'), drafterFr), []);
    assert.deepEqual(myActions(frToUs('returned'), drafterFr), ['submit']);
    assert.deepEqual(myActions(frToUs('approved'), officerFr), ['send', 'withdraw']);
    assert.deepEqual(myActions(frToUs('sent'), officerUs), ['receive']);
    assert.deepEqual(myActions(frToUs('sent'), adminUs), ['lapse']);
    assert.deepEqual(myActions(frToUs('in-assessment'), officerUs), ['request-clarification', 'accept', 'postpone', 'refuse', 'execute-partially']);
    assert.deepEqual(myActions(frToUs('clarification-requested'), drafterFr), ['answer-clarification']);
    assert.deepEqual(myActions(frToUs('executed'), officerUs), ['respond']);
    assert.deepEqual(myActions(frToUs('responded'), drafterFr), ['close']);
    assert.deepEqual(myActions(frToUs('responded'), auditorFr), []);
    assert.deepEqual(myActions(frToUs('in-assessment'), agent), [], 'another authority');
    assert.deepEqual(myActions(frToUs('closed'), officerFr), []);
  });

  it('the assessment decisions are offered together', () => {
    assert.deepEqual(myDecisions(myActions(frToUs('in-assessment'), officerUs)), ['accept', 'postpone', 'refuse', 'execute-partially']);
    assert.deepEqual(myDecisions(myActions(frToUs('postponed'), officerUs)), ['accept', 'refuse']);
    assert.deepEqual(myDecisions(myActions(frToUs('accepted'), officerUs)), ['execute-partially']);
  });

  it('drafts are edited by the requesting side’s drafters only', () => {
    assert.equal(canEditDraft(frToUs('draft'), drafterFr), true);
    assert.equal(canEditDraft(frToUs('draft'), officerFr), true);
    assert.equal(canEditDraft(frToUs('draft'), judgeFr), false);
    assert.equal(canEditDraft(frToUs('draft'), officerUs), false);
    assert.equal(canEditDraft(frToUs('approved'), drafterFr), false);
  });

  it('attachments by the requested side’s executors, while accepted or being executed', () => {
    for (const state of ['accepted', 'partially-executed', 'executed'] as const) assert.equal(canAttach(frToUs(state), officerUs), true, state);
    assert.deepEqual([...ATTACHMENT_STATES], ['accepted', 'partially-executed', 'executed']);
    assert.equal(canAttach(frToUs('in-assessment'), officerUs), false);
    assert.equal(canAttach(frToUs('responded'), officerUs), false);
    assert.equal(canAttach(frToUs('executed'), officerFr), false);
    assert.equal(canAttach(frToUs('executed'), adminUs), false);
  });

  it('the audit trail for auditors and administrators', () => {
    assert.equal(canReadAudit(auditorFr), true);
    assert.equal(canReadAudit(adminUs), true);
    assert.equal(canReadAudit(officerFr), false);
  });

  it('the attachment states are the server’s', async () => {
    const server = (await import(new URL('../../cases/attachments.ts', import.meta.url).href)) as { ATTACHMENT_STATES: readonly string[] };
    assert.deepEqual([...ATTACHMENT_STATES], [...server.ATTACHMENT_STATES]);
  });
});
