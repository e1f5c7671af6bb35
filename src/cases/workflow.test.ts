/**
 * The workflow transition table as a state machine: random event sequences stay inside the
 * declared states, invalid events throw and change nothing, terminal states are final, every
 * open case can be withdrawn or lapse, replay agrees with stepping, every state is reachable,
 * and reasons are enforced where the law requires them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  allowedEvents,
  CASE_EVENTS,
  CASE_STATES,
  isCaseEvent,
  nextState,
  replay,
  TERMINAL_STATES,
  TransitionError,
  TRANSITIONS,
  type CaseEvent,
  type CaseState,
} from './workflow.js';

const OPEN = CASE_STATES.filter((s) => !TERMINAL_STATES.has(s));
const REASONED = CASE_EVENTS.filter((e) => TRANSITIONS[e].reasonRequired);
const VALID_REASON = 'The requested authority needs the account identifier.';

/** A reason as a caller might send it: absent, blank, too short, or written. */
const reasonArb = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', ' ', '  \t\n', 'ok', ' a '),
  fc.constant(VALID_REASON),
  fc.string({ minLength: 0, maxLength: 12 }),
);
const stepArb = fc.record({ event: fc.constantFrom(...CASE_EVENTS), reason: reasonArb }, { requiredKeys: ['event'] });
const blank = (reason: string | undefined): boolean => reason === undefined || reason.trim().length < 3;

/** The model of one step: what nextState should do. */
function expected(state: CaseState, event: CaseEvent, reason: string | undefined): CaseState | 'invalid-transition' | 'reason-required' {
  const t = TRANSITIONS[event];
  if (!t.from.includes(state)) return 'invalid-transition';
  if (t.reasonRequired && blank(reason)) return 'reason-required';
  return t.to;
}

/** Apply steps, keeping the previous state when a step throws; returns the accepted steps too. */
function simulate(steps: readonly { event: CaseEvent; reason?: string | undefined }[]) {
  let state: CaseState = 'draft';
  const accepted: { event: CaseEvent; reason?: string }[] = [];
  const trace: CaseState[] = [state];
  for (const step of steps) {
    const model = expected(state, step.event, step.reason);
    let outcome: CaseState | TransitionError;
    try {
      outcome = nextState(state, step.event, step.reason);
    } catch (error) {
      assert.ok(error instanceof TransitionError, `only TransitionError is thrown, got ${String(error)}`);
      outcome = error;
    }
    if (outcome instanceof TransitionError) {
      assert.equal(outcome.code, model, `${state} --${step.event}(${JSON.stringify(step.reason)})--> threw ${outcome.code}`);
      // The state is kept: the caller's state variable is not reassigned.
    } else {
      assert.equal(outcome, model, `${state} --${step.event}--> ${outcome}`);
      accepted.push(step.reason === undefined ? { event: step.event } : { event: step.event, reason: step.reason });
      state = outcome;
    }
    assert.ok((CASE_STATES as readonly string[]).includes(state), `state ${state} is a declared state`);
    trace.push(state);
  }
  return { state, accepted, trace };
}

describe('workflow transition table', () => {
  it('random event sequences stay within CASE_STATES; invalid events throw TransitionError and keep the state (property)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        simulate(steps);
      }),
      { numRuns: 500 },
    );
  });

  it('sequences biased towards allowed events reach deep states and replay agrees with stepping (property)', () => {
    // Pick each event among the allowed ones most of the time, so that long valid paths are explored.
    const biased = fc.array(fc.record({ pick: fc.nat(), valid: fc.boolean(), reason: reasonArb, other: fc.constantFrom(...CASE_EVENTS) }), { maxLength: 40 });
    fc.assert(
      fc.property(biased, (raw) => {
        let state: CaseState = 'draft';
        const steps: { event: CaseEvent; reason?: string }[] = [];
        for (const r of raw) {
          const allowed = allowedEvents(state);
          const event = r.valid && allowed.length > 0 ? (allowed[r.pick % allowed.length] as CaseEvent) : r.other;
          const reason = r.valid && TRANSITIONS[event].reasonRequired ? VALID_REASON : r.reason;
          steps.push(reason === undefined ? { event } : { event, reason });
          const model = expected(state, event, reason);
          if (model !== 'invalid-transition' && model !== 'reason-required') state = model;
        }
        const { state: final, accepted, trace } = simulate(steps);
        assert.equal(replay(accepted), final, 'replay of the accepted events equals the stepwise state');
        assert.equal(final, state, 'the model and nextState agree');
        // Replaying each prefix of the accepted events gives the states the trace went through, in order.
        const prefixStates = Array.from({ length: accepted.length + 1 }, (_, i) => replay(accepted.slice(0, i)));
        const changes = trace.filter((s, i) => i === 0 || s !== trace[i - 1]);
        assert.deepEqual(prefixStates.filter((s, i) => i === 0 || s !== prefixStates[i - 1]), changes);
      }),
      { numRuns: 500 },
    );
  });

  it('replay throws on the first invalid event, like nextState', () => {
    assert.throws(() => replay([{ event: 'approve' }, { event: 'receive' }]), (e: unknown) => e instanceof TransitionError && e.code === 'invalid-transition');
    assert.throws(() => replay([{ event: 'withdraw', reason: null }]), (e: unknown) => e instanceof TransitionError && e.code === 'reason-required');
    assert.equal(replay([]), 'draft');
    assert.equal(replay([{ event: 'withdraw', reason: VALID_REASON }]), 'withdrawn');
  });

  it('review hand-off: submit, return with comments, edit, submit again, approve; reject is final; a submitted draft is not edited', () => {
    assert.equal(replay([{ event: 'create' }, { event: 'submit' }]), 'submitted');
    assert.equal(replay([{ event: 'submit' }, { event: 'return', reason: 'Add the date of the order.' }, { event: 'edit' }, { event: 'submit' }, { event: 'approve' }]), 'approved');
    assert.equal(replay([{ event: 'submit' }, { event: 'reject', reason: 'No basis for a coercive measure.' }]), 'rejected');
    assert.ok(TERMINAL_STATES.has('rejected'));
    assert.deepEqual(allowedEvents('rejected'), []);
    assert.throws(() => replay([{ event: 'submit' }, { event: 'edit' }]), (e: unknown) => e instanceof TransitionError && e.code === 'invalid-transition');
    assert.throws(() => nextState('submitted', 'return'), (e: unknown) => e instanceof TransitionError && e.code === 'reason-required');
    assert.throws(() => nextState('draft', 'return', VALID_REASON), (e: unknown) => e instanceof TransitionError && e.code === 'invalid-transition');
    assert.throws(() => nextState('returned', 'approve'), (e: unknown) => e instanceof TransitionError && e.code === 'invalid-transition');
    assert.throws(() => nextState('submitted', 'send'), (e: unknown) => e instanceof TransitionError && e.code === 'invalid-transition');
  });

  it('terminal states allow no event', () => {
    assert.deepEqual([...TERMINAL_STATES].sort(), ['closed', 'lapsed', 'rejected', 'withdrawn']);
    for (const state of TERMINAL_STATES) {
      assert.deepEqual(allowedEvents(state), [], state);
      for (const event of CASE_EVENTS) {
        assert.throws(() => nextState(state, event, VALID_REASON), (e: unknown) => e instanceof TransitionError && e.code === 'invalid-transition' && /the case is closed/.test(e.message), `${state} ${event}`);
      }
    }
  });

  it('withdrawn and lapsed are reachable from every open state, with reasons', () => {
    for (const state of OPEN) {
      assert.equal(nextState(state, 'withdraw', VALID_REASON), 'withdrawn', state);
      assert.equal(nextState(state, 'lapse', VALID_REASON), 'lapsed', state);
      assert.ok(allowedEvents(state).includes('withdraw') && allowedEvents(state).includes('lapse'), state);
    }
  });

  it('every open state has an event out of it (no dead end besides the terminal states)', () => {
    for (const state of OPEN) assert.ok(allowedEvents(state).length > 0, state);
  });

  it('every state except draft is reachable from draft (BFS over TRANSITIONS), and draft from none', () => {
    const seen = new Set<CaseState>(['draft']);
    const queue: CaseState[] = ['draft'];
    const reachedByEvent = new Set<CaseState>();
    while (queue.length > 0) {
      const state = queue.shift() as CaseState;
      for (const event of CASE_EVENTS) {
        const t = TRANSITIONS[event];
        if (!t.from.includes(state)) continue;
        reachedByEvent.add(t.to);
        if (!seen.has(t.to)) {
          seen.add(t.to);
          queue.push(t.to);
        }
      }
    }
    assert.deepEqual([...reachedByEvent].sort(), CASE_STATES.filter((s) => s !== 'draft').sort());
    assert.ok(!reachedByEvent.has('draft'), 'no event leads back to draft');
    // Every transition targets and starts from declared states.
    for (const event of CASE_EVENTS) {
      assert.ok((CASE_STATES as readonly string[]).includes(TRANSITIONS[event].to), event);
      for (const from of TRANSITIONS[event].from) assert.ok((CASE_STATES as readonly string[]).includes(from), `${event} from ${from}`);
    }
  });

  it('every event requiring reasons rejects a missing or blank reason, and accepts a written one', () => {
    assert.deepEqual(REASONED.sort(), ['answer-clarification', 'execute-partially', 'lapse', 'postpone', 'refuse', 'reject', 'request-clarification', 'return', 'withdraw'].sort());
    for (const event of REASONED) {
      for (const from of TRANSITIONS[event].from) {
        for (const reason of [undefined, '', '   ', '\t\n ', 'no']) {
          assert.throws(() => nextState(from, event, reason), (e: unknown) => e instanceof TransitionError && e.code === 'reason-required', `${from} ${event} ${JSON.stringify(reason)}`);
        }
        assert.equal(nextState(from, event, VALID_REASON), TRANSITIONS[event].to);
      }
    }
    for (const event of CASE_EVENTS.filter((e) => !TRANSITIONS[e].reasonRequired)) {
      for (const from of TRANSITIONS[event].from) assert.equal(nextState(from, event), TRANSITIONS[event].to, `${from} ${event} needs no reason`);
    }
  });

  it('an invalid event wins over a missing reason (the state check comes first)', () => {
    assert.throws(() => nextState('draft', 'refuse'), (e: unknown) => e instanceof TransitionError && e.code === 'invalid-transition');
  });

  it('isCaseEvent recognises exactly the declared events', () => {
    for (const event of CASE_EVENTS) assert.ok(isCaseEvent(event));
    for (const other of ['create', 'purge', '', 'Approve', 'toString', '__proto__']) assert.equal(isCaseEvent(other), false, other);
  });

  it('an unknown event is a TransitionError unknown-event, not a TypeError', () => {
    assert.throws(() => replay([{ event: 'purge' as CaseEvent }]), (e: unknown) => e instanceof TransitionError && e.code === 'unknown-event');
  });

  it('the history’s `create` and `edit` rows are skipped; an `edit` after the draft is invalid', () => {
    assert.equal(replay([{ event: 'create' }, { event: 'edit' }, { event: 'edit' }, { event: 'approve' }]), 'approved');
    assert.equal(replay([{ event: 'create' }]), 'draft');
    assert.throws(() => replay([{ event: 'create' }, { event: 'approve' }, { event: 'edit' }]), (e: unknown) => e instanceof TransitionError && e.code === 'invalid-transition');
  });
});
