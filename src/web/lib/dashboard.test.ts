import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaseDeadline, CaseState, CaseSummary } from '../types';
import { dashboardLists, splitClocks, statesToFetch } from './dashboard';
import type { Reader } from './queue';

const officerFr: Reader = { authorityId: 'fr-ca', roles: ['central-authority-officer', 'drafter'] };

function summary(id: string, state: CaseState, updatedAt: string, from = 'fr-ca', to = 'us-doj-oia'): CaseSummary {
  return {
    id,
    reference: `REF-${id}`,
    state,
    requestingAuthorityId: from,
    addresseeId: to,
    requestingParty: 'FR',
    requestedParty: 'US',
    legalBasis: 'ETS185:29',
    measures: ['preservation'],
    emergency: false,
    version: 1,
    createdAt: updatedAt,
    updatedAt,
    sentAt: null,
    receivedAt: null,
    closedAt: null,
  };
}

function clock(id: string, dueAt: string | null): CaseDeadline {
  return {
    id,
    deadlineId: 'd',
    provision: 'EU-2023-1543:10(1)',
    authorityId: 'ie-provider',
    description: 'Produce the data',
    kind: 'response',
    runsFrom: 'receipt',
    period: { amount: 10, unit: 'days' },
    timeZone: 'Europe/Dublin',
    startedAt: '2026-11-01T00:00:00Z',
    dueAt,
    status: 'running',
    suspensions: [],
    metAt: null,
    overdueAt: null,
    citation: { instrument: 'EU-2023-1543', article: '10', source: 'https://eur-lex.europa.eu/eli/reg/2023/1543/oj', verified: true },
    verified: true,
    caseId: `case-${id}`,
    reference: `REF-${id}`,
    state: 'received',
  };
}

describe('statesToFetch', () => {
  it('keeps the states that matter to the reader and have cases', () => {
    const states = statesToFetch({ draft: 3, sent: 2, responded: 1, closed: 9, received: 1 }, officerFr);
    // An officer also drafts: drafts wait for them to submit.
    assert.deepEqual(states.sort(), ['draft', 'received', 'responded', 'sent']);
  });

  it('is empty without cases', () => {
    assert.deepEqual(statesToFetch({}, officerFr), []);
  });
});

describe('dashboardLists', () => {
  it('builds the queue newest first, the incoming list, and notes truncated states', () => {
    const pages = [
      { state: 'responded' as const, total: 1, cases: [summary('a', 'responded', '2026-11-01T00:00:00Z')] },
      { state: 'sent' as const, total: 60, cases: [summary('b', 'sent', '2026-11-03T00:00:00Z'), summary('c', 'sent', '2026-11-02T00:00:00Z', 'us-doj-oia', 'fr-ca')] },
    ];
    const lists = dashboardLists(pages, officerFr);
    assert.deepEqual(
      lists.queue.map((q) => [q.case.id, q.next]),
      [
        ['c', ['receive']],
        ['a', ['close']],
      ],
    );
    assert.deepEqual(
      lists.incoming.map((c) => c.id),
      ['c'],
    );
    assert.deepEqual(lists.truncated, [{ state: 'sent', shown: 2, total: 60 }]);
  });

  it('lists a case once even if two pages carry it', () => {
    const c = summary('a', 'responded', '2026-11-01T00:00:00Z');
    const lists = dashboardLists([{ state: 'responded', total: 1, cases: [c] }, { state: 'responded', total: 1, cases: [c] }], officerFr);
    assert.equal(lists.queue.length, 1);
  });
});

describe('splitClocks', () => {
  it('splits running clocks into overdue, due soon and later, soonest first', () => {
    const now = Date.parse('2026-11-20T10:00:00Z');
    const split = splitClocks(
      [clock('late2', '2026-11-20T09:00:00Z'), clock('late1', '2026-11-19T10:00:00Z'), clock('soon', '2026-11-21T10:00:00Z'), clock('later', '2026-12-20T10:00:00Z'), clock('stopped', null)],
      now,
    );
    assert.deepEqual(
      split.overdue.map((d) => d.id),
      ['late1', 'late2'],
    );
    assert.deepEqual(
      split.dueSoon.map((d) => d.id),
      ['soon'],
    );
    assert.deepEqual(
      split.later.map((d) => d.id),
      ['later', 'stopped'],
    );
  });
});
