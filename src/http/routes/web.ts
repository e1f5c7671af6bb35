/**
 * @module http/routes/web
 * The web workspace: the single-page application built by `npm run build:web` into `dist/web/`,
 * served at `/` by @fastify/static. Files that exist are sent as they are (hashed assets under
 * `/assets/` are cached for a year, everything else revalidates); any other GET path that is not
 * an API path and does not look like a file falls back to `index.html` when the client asks for
 * HTML (a browser navigating to `/cases/…`), so the workspace's own router takes over. API
 * clients (no `text/html` in Accept) still get the usual 404 problem.
 *
 * Without a build (tests, the CLI, a fresh checkout) the workspace paths answer a small page that
 * says how to build it, instead of failing. Registered last, so every other route wins over the
 * wildcard. No inline script anywhere: the app's CSP (`default-src 'self'`) stays as it is.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { HttpProblem } from '../problems.js';

/** Where `npm run build:web` writes the workspace (vite.config.ts `build.outDir`). */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

export interface WebRouteOptions {
  /** The built workspace; defaults to {@link WEB_DIST_DIR}. */
  root?: string;
}

/** Paths the SPA fallback never answers: they belong to the API and the operations endpoints. */
const RESERVED = /^\/(api|docs|openapi\.json|healthz|readyz|metrics|errors)(\/|$)/;
/** The last segment has a file extension: a missing asset is a 404, not the SPA. */
const LOOKS_LIKE_FILE = /\/[^/]*\.[A-Za-z0-9]{1,8}$/;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Comity — workspace not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<main>
<h1>The Comity web workspace is not built</h1>
<p>The API is running (<a href="/docs">API documentation</a>). To serve the workspace here, run</p>
<pre><code>npm run build:web</code></pre>
<p>and reload this page (<code>npm start</code> builds it for you).</p>
</main>
</body>
</html>
`;

/** The file under `root` a URL path names, or null (outside the root, a dotfile, a directory, missing). */
export function resolveWebFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s.startsWith('.') || s.includes('\\'))) return null;
  const base = resolve(root);
  const full = resolve(base, ...segments);
  if (full !== base && !full.startsWith(base + sep)) return null;
  try {
    if (!statSync(full).isFile()) return null;
  } catch {
    return null;
  }
  return full.slice(base.length + 1).split(sep).join('/');
}

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

export async function registerWebRoutes(app: FastifyInstance, _deps: AppDeps, options: WebRouteOptions = {}): Promise<void> {
  const root = options.root ?? WEB_DIST_DIR;
  // Encapsulated: reply.sendFile is decorated in this scope only (swagger-ui has its own).
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { serve: false, decorateReply: true });

    const sendIndex = (reply: FastifyReply) => {
      if (!existsSync(resolve(root, 'index.html'))) {
        return reply.code(200).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { maxAge: 0, immutable: false, cacheControl: false });
    };

    scope.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (RESERVED.test(path)) throw new HttpProblem('not-found', `no route GET ${path}`);
      const file = path === '/' ? null : resolveWebFile(root, path);
      if (file !== null) {
        if (file === 'index.html') return sendIndex(reply);
        const hashed = file.startsWith('assets/');
        return reply.sendFile(file, root, hashed ? { maxAge: '365d', immutable: true } : { maxAge: 0, immutable: false });
      }
      if (path === '/' || (!LOOKS_LIKE_FILE.test(path) && wantsHtml(request))) return sendIndex(reply);
      throw new HttpProblem('not-found', `no route GET ${path}`);
    });
  });
}
