/**
 * @module http/metrics
 * Prometheus metrics on a registry of the app's own (not the global one, so several apps can
 * live in one process, as in tests): request counts and latency by route template and status.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  observe(method: string, route: string, status: number, elapsedMs: number): void;
  /** A security alert (e.g. a burst of failed sign-ins on one account), by kind. */
  alert(kind: string): void;
  /** A failed credential (password, second factor, API token), by kind. */
  failedCredential(kind: 'password' | 'totp' | 'token'): void;
  /** A connection closed because its request body arrived too slowly (http/slow-body.ts). */
  slowBody(): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'comity_' });
  const requests = new Counter({ name: 'comity_http_requests_total', help: 'HTTP requests by method, route template and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'comity_http_request_duration_seconds',
    help: 'HTTP request duration by method and route template',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const alerts = new Counter({ name: 'comity_security_alerts_total', help: 'Security alerts raised for administrators, by kind (sign-in-failure-burst: every 20 failed sign-ins of one account)', labelNames: ['kind'], registers: [registry] });
  const failures = new Counter({ name: 'comity_failed_credentials_total', help: 'Failed credentials by kind (password, totp, token)', labelNames: ['kind'], registers: [registry] });
  const slowBodies = new Counter({ name: 'comity_http_slow_bodies_total', help: 'Connections closed because a request body arrived more slowly than COMITY_BODY_MIN_RATE', registers: [registry] });
  return {
    registry,
    slowBody() {
      slowBodies.inc();
    },
    alert(kind) {
      alerts.inc({ kind });
    },
    failedCredential(kind) {
      failures.inc({ kind });
    },
    observe(method, route, status, elapsedMs) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, elapsedMs / 1000);
    },
  };
}
