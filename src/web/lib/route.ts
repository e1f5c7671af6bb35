/**
 * Route patterns of the workspace's own router: `/cases/:id` style patterns, matching, building
 * paths and query strings. Pure (no DOM), unit-tested in route.test.ts; the React side is
 * src/web/router.tsx and the route table src/web/routes.tsx.
 */

export type Params = Record<string, string>;
export type QueryValue = string | number | boolean | null | undefined;

interface Compiled {
  regex: RegExp;
  keys: string[];
}

const cache = new Map<string, Compiled>();

function compile(pattern: string): Compiled {
  let compiled = cache.get(pattern);
  if (compiled) return compiled;
  if (!pattern.startsWith('/')) throw new Error(`route pattern must start with /: ${pattern}`);
  const keys: string[] = [];
  const source = normalizePath(pattern)
    .split('/')
    .slice(1)
    .map((segment) => {
      if (segment.startsWith(':')) {
        const key = segment.slice(1);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`bad parameter name in route pattern ${pattern}`);
        keys.push(key);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  compiled = { regex: new RegExp(`^/${source}$`), keys };
  cache.set(pattern, compiled);
  return compiled;
}

/** "/cases/" → "/cases"; "" → "/". Keeps the root as "/". */
export function normalizePath(path: string): string {
  if (path === '' || path === '/') return '/';
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The parameters when `path` matches `pattern` (decoded), else null. */
export function matchPath(pattern: string, path: string): Params | null {
  const { regex, keys } = compile(pattern);
  const m = regex.exec(normalizePath(path));
  if (!m) return null;
  const params: Params = {};
  for (let i = 0; i < keys.length; i++) {
    const raw = m[i + 1] ?? '';
    try {
      params[keys[i] as string] = decodeURIComponent(raw);
    } catch {
      return null;
    }
  }
  return params;
}

/** The first route (in table order) whose pattern matches. */
export function matchRoutes<R extends { path: string }>(routes: readonly R[], path: string): { route: R; params: Params } | null {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

/** Fills a pattern's parameters (encoded); throws when one is missing. */
export function buildPath(pattern: string, params: Params = {}): string {
  return normalizePath(
    pattern.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, key: string) => {
      const value = params[key];
      if (value === undefined || value === '') throw new Error(`missing parameter ${key} for ${pattern}`);
      return encodeURIComponent(value);
    }),
  );
}

/** A query string ("?a=1&b=x", or "" when empty); null, undefined, "" and false are left out. */
export function queryString(query: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '' || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A path with a query: `withQuery('/cases', { state: 'sent', page: 2 })` → "/cases?state=sent&page=2". */
export function withQuery(path: string, query: Record<string, QueryValue>): string {
  return `${path}${queryString(query)}`;
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

/** Splits "/cases?state=sent#x" into a normalised path and its query. */
export function parseLocation(href: string): Location {
  const url = new URL(href, 'http://workspace.invalid');
  return { path: normalizePath(url.pathname), query: url.searchParams };
}

/** A positive integer from the query, or the fallback (for ?page=, ?size=). */
export function intParam(query: URLSearchParams, key: string, fallback: number, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const raw = query.get(key);
  if (raw === null || !/^\d+$/.test(raw)) return fallback;
  const value = Number(raw);
  return value < min || value > max ? fallback : value;
}

/** Whether a click on a link should be left to the browser (new tab, download, other window). */
export function isModifiedClick(event: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; defaultPrevented: boolean }): boolean {
  return event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
}
