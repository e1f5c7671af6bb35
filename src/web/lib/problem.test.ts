import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROBLEMS } from '../../http/problems';
import { ApiProblem, isProblemContentType, networkProblem, parseProblem, problemMessageKey, SERVER_PROBLEM_CODES } from './problem';

describe('parseProblem', () => {
  it('reads an RFC 9457 problem with code and issues', () => {
    const p = parseProblem(422, 'application/problem+json; charset=utf-8', {
      type: '/errors#validation-failed',
      title: 'The request does not meet the legal requirements',
      status: 422,
      code: 'validation-failed',
      detail: 'the request cannot be approved: 1 issue(s)',
      instance: 'req-123',
      issues: [{ field: 'contents.necessity', message: 'missing necessity (ETS185 Art. 29(2)(e))' }, { message: 'no field' }, 'junk', { field: 'x' }],
    });
    assert.ok(p instanceof ApiProblem);
    assert.ok(p instanceof Error);
    assert.equal(p.code, 'validation-failed');
    assert.equal(p.status, 422);
    assert.equal(p.instance, 'req-123');
    assert.equal(p.detail, 'the request cannot be approved: 1 issue(s)');
    assert.deepEqual(p.issues, [
      { field: 'contents.necessity', message: 'missing necessity (ETS185 Art. 29(2)(e))' },
      { field: '', message: 'no field' },
    ]);
    assert.equal(p.needsSignIn, false);
  });

  it('marks unauthenticated answers as needing sign-in', () => {
    const p = parseProblem(401, 'application/problem+json', { code: 'unauthenticated', status: 401, title: 'Sign in' });
    assert.equal(p.needsSignIn, true);
  });

  it('maps an unknown code to one implied by the status, keeping the raw code', () => {
    const p = parseProblem(404, 'application/problem+json', { code: 'brand-new-code', status: 404 });
    assert.equal(p.code, 'not-found');
    assert.equal(p.rawCode, 'brand-new-code');
    assert.equal(parseProblem(400, 'application/problem+json', { code: 'brand-new-code' }).code, 'unexpected-response');
  });

  it('handles answers that are not problems', () => {
    assert.equal(parseProblem(502, 'text/html', '<html>bad gateway</html>').code, 'internal-error');
    assert.equal(parseProblem(429, null, undefined).code, 'rate-limited');
    assert.equal(parseProblem(401, 'application/json', { error: 'x' }).code, 'unauthenticated');
    const odd = parseProblem(418, 'text/plain', 'teapot');
    assert.equal(odd.code, 'unexpected-response');
    assert.equal(odd.detail, 'teapot');
    assert.deepEqual(odd.issues, []);
  });

  it('recognises problem content types', () => {
    assert.equal(isProblemContentType('application/problem+json; charset=utf-8'), true);
    assert.equal(isProblemContentType('Application/Problem+JSON'), true);
    assert.equal(isProblemContentType('application/json'), false);
    assert.equal(isProblemContentType(null), false);
  });

  it('turns a failed fetch into network-error', () => {
    const p = networkProblem(new TypeError('Failed to fetch'));
    assert.equal(p.code, 'network-error');
    assert.equal(p.status, 0);
    assert.equal(p.detail, 'Failed to fetch');
  });
});

describe('problem codes', () => {
  it('are exactly the server registry (src/http/problems.ts)', () => {
    assert.deepEqual([...SERVER_PROBLEM_CODES].sort(), Object.keys(PROBLEMS).sort());
  });

  it('each has an i18n key', () => {
    assert.equal(problemMessageKey('throttled'), 'problems.throttled');
  });
});
