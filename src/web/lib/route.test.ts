import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPath, intParam, isModifiedClick, matchPath, matchRoutes, normalizePath, parseLocation, queryString, withQuery } from './route';

describe('route patterns', () => {
  it('matches static paths, ignoring a trailing slash', () => {
    assert.deepEqual(matchPath('/cases', '/cases'), {});
    assert.deepEqual(matchPath('/cases', '/cases/'), {});
    assert.equal(matchPath('/cases', '/cases/x'), null);
    assert.deepEqual(matchPath('/', '/'), {});
    assert.equal(matchPath('/', '/cases'), null);
  });

  it('extracts and decodes parameters', () => {
    assert.deepEqual(matchPath('/cases/:id', '/cases/c-42'), { id: 'c-42' });
    assert.deepEqual(matchPath('/cases/:id', '/cases/a%2Fb%20c'), { id: 'a/b c' });
    assert.deepEqual(matchPath('/a/:x/b/:y', '/a/1/b/2'), { x: '1', y: '2' });
    assert.equal(matchPath('/cases/:id', '/cases'), null);
    assert.equal(matchPath('/cases/:id', '/cases/%E0%A4%A'), null);
  });

  it('escapes regular-expression characters in static segments', () => {
    assert.deepEqual(matchPath('/a.b', '/a.b'), {});
    assert.equal(matchPath('/a.b', '/axb'), null);
  });

  it('takes the first matching route in table order', () => {
    const routes = [{ path: '/cases/new' }, { path: '/cases/:id' }];
    assert.equal(matchRoutes(routes, '/cases/new')?.route, routes[0]);
    assert.deepEqual(matchRoutes(routes, '/cases/c-1'), { route: routes[1], params: { id: 'c-1' } });
    assert.equal(matchRoutes(routes, '/nowhere'), null);
  });

  it('rejects bad patterns', () => {
    assert.throws(() => matchPath('cases', '/cases'));
    assert.throws(() => matchPath('/cases/:1d', '/cases/x'));
  });
});

describe('building paths and queries', () => {
  it('fills and encodes parameters', () => {
    assert.equal(buildPath('/cases/:id', { id: 'a/b c' }), '/cases/a%2Fb%20c');
    assert.throws(() => buildPath('/cases/:id', {}), /missing parameter id/);
  });

  it('leaves out empty query values', () => {
    assert.equal(queryString({ state: 'sent', page: 2, empty: '', none: undefined, nil: null, off: false, on: true }), '?state=sent&page=2&on=true');
    assert.equal(queryString({}), '');
    assert.equal(withQuery('/cases', { state: undefined }), '/cases');
    assert.equal(withQuery('/cases', { q: 'a&b' }), '/cases?q=a%26b');
  });

  it('parses a location', () => {
    const loc = parseLocation('/cases/?state=sent&page=3#top');
    assert.equal(loc.path, '/cases');
    assert.equal(loc.query.get('state'), 'sent');
    assert.equal(intParam(loc.query, 'page', 1), 3);
  });

  it('reads positive integers from the query, with bounds', () => {
    const q = new URLSearchParams('page=0&size=abc&big=99999999&neg=-1&ok=7');
    assert.equal(intParam(q, 'page', 1), 1);
    assert.equal(intParam(q, 'size', 25), 25);
    assert.equal(intParam(q, 'big', 1, { max: 1000 }), 1);
    assert.equal(intParam(q, 'neg', 5), 5);
    assert.equal(intParam(q, 'ok', 1), 7);
    assert.equal(intParam(q, 'missing', 9), 9);
  });

  it('normalises paths', () => {
    assert.equal(normalizePath(''), '/');
    assert.equal(normalizePath('/'), '/');
    assert.equal(normalizePath('/a//'), '/a');
    assert.equal(normalizePath('a'), '/a');
  });
});

describe('isModifiedClick', () => {
  const plain = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };
  it('leaves new-tab and other-button clicks to the browser', () => {
    assert.equal(isModifiedClick(plain), false);
    assert.equal(isModifiedClick({ ...plain, ctrlKey: true }), true);
    assert.equal(isModifiedClick({ ...plain, metaKey: true }), true);
    assert.equal(isModifiedClick({ ...plain, button: 1 }), true);
    assert.equal(isModifiedClick({ ...plain, defaultPrevented: true }), true);
  });
});
