/**
 * @module http/app
 * The Fastify application: strict zod schemas (OpenAPI generated from them), RFC 9457 problem
 * responses for every error, authentication (session cookie or API token), the policy of every
 * route checked before its handler, CSRF protection for cookie sessions, security headers, rate
 * limits, request ids, metrics. Routes live in `routes/`; policies in `policies.ts`.
 */
import { randomUUID } from 'node:crypto';
import { Stream } from 'node:stream';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { pgRateLimitStore } from './pg-rate-limit-store.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LoggerOptions } from 'pino';
import { AuthError } from '../auth/index.js';
import { CaseError } from '../cases/index.js';
import { ClockError } from '../clock/index.js';
import { EvidenceError } from '../evidence/index.js';
import { LawInputError } from '../law/index.js';
import type { AppDeps } from './deps.js';
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
import { drainRefusedBody } from './refused-body.js';
import { guardBodyRate } from './slow-body.js';
import { createMetrics } from './metrics.js';
import { createAddressThrottle } from './address-throttle.js';
import { authorize, resolvePrincipal, ThrottledProblem } from './guard.js';
import type { Principal } from './principal.js';
import { POLICIES, routeKey, type Policy } from './policies.js';
import { HttpProblem, problem, PROBLEMS, type Problem, type ProblemCode } from './problems.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerCaseRoutes } from './routes/cases.js';
import { registerOrderRoutes } from './routes/eorders.js';
import { OrderError } from '../eorders/errors.js';
import { registerExchangeRoutes } from './routes/exchange.js';
import { registerEvidenceRoutes } from './routes/evidence.js';
import { registerLawRoutes } from './routes/law.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerLedgerRoutes } from './routes/ledger.js';
import { registerProviderRoutes } from './routes/provider.js';
import { registerCaseAccessRoutes } from './routes/case-access.js';
import { registerNotificationRoutes } from './routes/notifications.js';
import { registerAdminRoutes } from './routes/admin.js';
import { LedgerError, type LedgerErrorCode } from '../ledger/index.js';
import { registerWebRoutes } from './routes/web.js';

export type App = FastifyInstance & { withTypeProvider(): FastifyInstance };

const CASE_CODES: Record<CaseError['code'], ProblemCode> = {
  'invalid-request': 'invalid-request',
  'validation-failed': 'validation-failed',
  'not-found': 'not-found',
  'invalid-transition': 'invalid-transition',
  'reason-required': 'reason-required',
  conflict: 'conflict',
  forbidden: 'forbidden',
  'unknown-authority': 'validation-failed',
  'idempotency-key-reused': 'idempotency-key-reused',
  'channel-mismatch': 'channel-mismatch',
};

const EVIDENCE_CODES: Record<EvidenceError['code'], ProblemCode> = {
  'invalid-request': 'invalid-request',
  'not-found': 'not-found',
  forbidden: 'forbidden',
  conflict: 'conflict',
  'invalid-transition': 'invalid-transition',
  'too-large': 'payload-too-large',
  integrity: 'integrity-failure',
  gone: 'gone',
};

const AUTH_CODES: Record<AuthError['code'], ProblemCode> = {
  'invalid-credentials': 'invalid-credentials',
  throttled: 'throttled',
  'mfa-required': 'mfa-required',
  'mfa-invalid': 'mfa-invalid',
  'invalid-request': 'invalid-request',
  conflict: 'conflict',
  'not-found': 'not-found',
  forbidden: 'forbidden',
};

/** Maps anything a route or Fastify throws to a problem; unknown errors become a logged 500. */
/** Ledger errors as problems: unknown entries are 404, malformed input 400, a refusal to sign 503. */
const LEDGER_CODES: Readonly<Record<LedgerErrorCode, ProblemCode>> = {
  'malformed-note': 'invalid-parameter',
  'unverified-note': 'invalid-parameter',
  'malformed-key': 'invalid-parameter',
  'malformed-checkpoint': 'invalid-parameter',
  'malformed-proof': 'invalid-parameter',
  'invalid-proof': 'invalid-parameter',
  'wrong-origin': 'invalid-parameter',
  'inconsistent-checkpoint': 'ledger-inconsistent',
  'unknown-entry': 'not-found',
  'not-in-checkpoint': 'not-found',
  'no-checkpoint': 'not-found',
};

export function toProblem(error: unknown, request: FastifyRequest): Problem {
  const instance = String(request.id);
  if (error instanceof HttpProblem) return problem(error.code, error.message, { instance, issues: error.issues });
  if (error instanceof CaseError) return problem(CASE_CODES[error.code], error.message, { instance, issues: error.issues });
  if (error instanceof OrderError) return problem(error.code, error.message, { instance, issues: error.issues });
  if (error instanceof EvidenceError) return problem(EVIDENCE_CODES[error.code], error.message, { instance, issues: error.issues });
  if (error instanceof AuthError) return problem(AUTH_CODES[error.code], error.message, { instance, issues: error.issues });
  if (error instanceof LedgerError) return problem(LEDGER_CODES[error.code], error.message, { instance });
  if (error instanceof LawInputError || error instanceof ClockError) return problem('invalid-parameter', error.message, { instance });
  const fastifyError = error as FastifyError & { validation?: { instancePath?: string; message?: string; params?: { issue?: { path?: unknown[] } } }[]; validationContext?: string };
  if (fastifyError.validation) {
    const issues = fastifyError.validation.map((v) => ({
      field: `${fastifyError.validationContext ?? 'body'}${v.instancePath ? v.instancePath.replace(/\//g, '.') : ''}`,
      message: v.message ?? 'invalid',
    }));
    return problem('invalid-request', `invalid ${fastifyError.validationContext ?? 'request'}`, { instance, issues });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('payload-too-large', undefined, { instance });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('unsupported-media-type', undefined, { instance });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem('invalid-json', undefined, { instance });
    default:
      break;
  }
  if (error instanceof SyntaxError) return problem('invalid-json', undefined, { instance });
  // The rate limiter throws the problem built by its errorResponseBuilder.
  if (isRateLimitProblem(error)) return problem('rate-limited', error.detail, { instance });
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status === 429) return problem('rate-limited', undefined, { instance });
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (Object.keys(PROBLEMS) as ProblemCode[]).find((c) => PROBLEMS[c].status === status) ?? 'invalid-request';
    return problem(code, undefined, { instance });
  }
  return problem('internal-error', 'An unexpected error occurred; it was logged with this request id.', { instance });
}

/** Security headers and the request id, on every response (also those answered before routing). */
function securityHeaders(request: FastifyRequest, reply: FastifyReply, secure: boolean): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  if (!request.url.startsWith('/docs')) {
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
  }
  if (secure) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  reply.header('x-request-id', String(request.id));
}

function isRateLimitProblem(error: unknown): error is { code: 'rate-limited'; detail?: string } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'rate-limited';
}

/** True if any string inside `value` contains U+0000. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  // A streamed body (evidence uploads) is bytes, read by its route, not text.
  if (value instanceof Stream) return false;
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  for (const item of Array.isArray(value) ? value : Object.entries(value).flat()) if (containsNul(item, depth + 1)) return true;
  return false;
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type('application/problem+json; charset=utf-8').send(body);
}

/** Longest request target (path and query) the API reads; longer ones answer 414. */
export const MAX_URL_LENGTH = 8192;

/**
 * Errors Node's HTTP parser finds before Fastify sees a request (headers over 16 KiB, a broken
 * request line): answered as problem+json too, then the connection is closed (RFC 9110 §15.5.20,
 * RFC 6585 §5 for 431).
 */
export function clientErrorResponse(error: { code?: string }): string {
  const body = (() => {
    switch (error.code) {
      case 'HPE_HEADER_OVERFLOW':
        return problem('request-header-too-large');
      case 'HPE_URI_TOO_LONG':
        return problem('uri-too-long');
      default:
        return problem('invalid-request', 'the HTTP request could not be parsed');
    }
  })();
  const text = JSON.stringify(body);
  const reason = body.status === 431 ? 'Request Header Fields Too Large' : body.status === 414 ? 'URI Too Long' : 'Bad Request';
  return `HTTP/1.1 ${body.status} ${reason}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${text}`;
}

/** Pino options: request ids, and never a secret or personal data in logs. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    serializers: {
      // Only method, route template and id: URLs may carry identifiers, and query strings dates or parties.
      req: (req: { method: string; routeOptions?: { url?: string }; url: string; id: string }) => ({ method: req.method, route: req.routeOptions?.url ?? '(unmatched)', id: req.id }),
    },
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(deps.config.logLevel),
    bodyLimit: deps.config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
    },
    trustProxy: deps.config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    // A malformed URL (bad percent-encoding, an over-long parameter) is bad input: a problem, not Fastify's own JSON.
    frameworkErrors: (error, request, reply) => {
      securityHeaders(request, reply, deps.config.secureCookies);
      const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri-too-long' : 'invalid-request';
      void sendProblem(reply, problem(code, error.message, { instance: String(request.id) }));
    },
    // Refuse ambiguous input rather than guess.
    ajv: { customOptions: { removeAdditional: false } },
    return503OnClosing: true,
    clientErrorHandler: (error, socket) => {
      if (socket.writable) socket.end(clientErrorResponse(error as { code?: string }));
      else socket.destroy(error);
    },
  }).withTypeProvider<ZodTypeProvider>();
  // JSON bodies: Fastify's parser (prototype poisoning refused), after a bound on nesting depth.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return done(new HttpProblem('invalid-request', `JSON nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    parseJson(request, text, done);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const metrics = createMetrics();
  const throttle = createAddressThrottle({ freeFailures: deps.config.failedCredentialsPerAddress });
  // Alerts for administrators: one warning log line and a metric (no e-mail address, no secret).
  const unsubscribe = deps.auth.alerts.subscribe((alert) => {
    metrics.alert(alert.kind);
    app.log.warn({ alert }, `security alert: ${alert.kind} on user ${alert.userId} (${alert.failedAttempts} failed attempts)`);
  });
  app.addHook('onClose', async () => unsubscribe());
  // A body that trickles in closes its connection (http/slow-body.ts): the first hook, before any other work.
  const bodyRate = { minBytesPerSecond: deps.config.bodyMinBytesPerSecond, windowMs: deps.config.bodyRateWindowMs };
  app.addHook('onRequest', (request, reply, done) => {
    guardBodyRate(request.raw, reply.raw, bodyRate, () => {
      metrics.slowBody();
      request.log.warn({ route: request.routeOptions.url ?? '(unmatched)', minBytesPerSecond: bodyRate.minBytesPerSecond }, 'request body arrived too slowly: connection closed');
    });
    done();
  });

  // Shutting down (SIGTERM): a response sent once the close has begun says `Connection: close`, and
  // a connection a response leaves idle is closed at once. Otherwise a client's keep-alive
  // connection that was busy when the close began stays open after its answer until the
  // keep-alive timeout (Fastify's 72 s), and holds the shutdown that long. (Idle connections are
  // closed when the close begins, and requests that arrive later get a 503: return503OnClosing.)
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async () => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
  });

  // Every route must have a policy: a route without one stops the app from starting.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'OPTIONS') continue;
      if (route.url.startsWith('/docs')) continue;
      // A HEAD route runs its GET handler: it gets the GET route's policy.
      const key = routeKey(method === 'HEAD' ? 'GET' : method, route.url);
      if (route.url === '/openapi.json') continue;
      const policy = POLICIES[key];
      if (!policy) throw new Error(`route ${key} has no policy in src/http/policies.ts`);
      // Costly public answers get their own, lower limit per client (README "Limits").
      const costly = policy.kind === 'public' && policy.cost === 'costly' ? { rateLimit: { max: deps.config.costlyRateLimitPerMinute, timeWindow: '1 minute' } } : {};
      route.config = { ...costly, ...(route.config as object), policyKey: key } as unknown as typeof route.config;
    }
  });

  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: deps.config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // Several processes of one node on PostgreSQL share one count per client (issue 12).
    ...(deps.database.kind === 'postgres' ? { store: pgRateLimitStore(deps.cases.db) } : {}),
    // Per user, not per token: a user with ten tokens has one limit (issue 18).
    keyGenerator: (request) => (request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`),
    errorResponseBuilder: (request, context) => ({ ...problem('rate-limited', `retry in ${Math.ceil(context.ttl / 1000)} s`, { instance: String(request.id) }), statusCode: 429 }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Comity API', description: 'Cross-border co-operation on electronic evidence: legal engine, cases, clocks, audit. Errors are RFC 9457 problem+json with a stable `code` (see /errors).', version: '0.1.0' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'comity_session' },
          token: { type: 'http', scheme: 'bearer', description: 'API token cmt_<id>_<secret>' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    securityHeaders(request, reply, deps.config.secureCookies);
    if (request.url.length > MAX_URL_LENGTH) throw new HttpProblem('uri-too-long', `a request target has at most ${MAX_URL_LENGTH} characters`);
  });
  const policyOf = (request: FastifyRequest): Policy | undefined => {
    const key = (request.routeOptions.config as { policyKey?: string } | undefined)?.policyKey;
    return key === undefined ? undefined : (POLICIES[key] ?? { kind: 'authenticated', scope: 'admin', roles: [] });
  };
  // Who is calling is known from the first hook on, so that rate limits count per user.
  app.addHook('onRequest', async (request) => {
    const policy = policyOf(request);
    if (policy) request.principal = await resolvePrincipal(deps, throttle, request, policy);
  });
  // Authorisation after the rate limit and before the body is read: an unauthenticated or
  // unauthorised caller costs no parsing and learns nothing about the schema.
  app.addHook('preParsing', async (request, _reply, payload) => {
    // Routes of the policy table only (the API documentation pages are another plugin's).
    const policy = policyOf(request);
    if (!policy) return payload;
    // PostgreSQL text cannot hold U+0000: refuse it as bad input before any lookup (the guard reads the case).
    if (containsNul(request.params) || containsNul(request.query)) throw new HttpProblem('invalid-request', 'the request contains a NUL character');
    await authorize(deps, request, policy);
    return payload;
  });
  app.addHook('preValidation', async (request) => {
    if (policyOf(request) && containsNul(request.body)) throw new HttpProblem('invalid-request', 'the request contains a NUL character');
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(request.method, request.routeOptions.url ?? '(unmatched)', reply.statusCode, reply.elapsedTime);
  });

  app.setErrorHandler(async (error, request, reply) => {
    const body = toProblem(error, request);
    if (body.status === 413) await drainRefusedBody(request.raw);
    const retryAfter = error instanceof ThrottledProblem ? error.retryAfterSeconds : error instanceof AuthError ? error.retryAfterSeconds : null;
    if (retryAfter !== null) void reply.header('retry-after', String(retryAfter));
    if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, body);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problem('not-found', `no route ${request.method} ${request.url.split('?')[0]}`, { instance: String(request.id) })));

  await registerOpsRoutes(app, deps, metrics);
  await registerLawRoutes(app, deps);
  await registerAuthRoutes(app, deps, { throttle, metrics });
  await registerCaseRoutes(app, deps);
  await registerOrderRoutes(app, deps);
  await registerLedgerRoutes(app, deps, metrics);
  await registerProviderRoutes(app, deps);
  await registerCaseAccessRoutes(app, deps);
  await registerNotificationRoutes(app, deps);
  await registerAdminRoutes(app, deps);
  await registerExchangeRoutes(app, deps);
  await registerEvidenceRoutes(app, deps);
  // Last: the workspace's wildcard route must not shadow any other.
  await registerWebRoutes(app, deps);
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
