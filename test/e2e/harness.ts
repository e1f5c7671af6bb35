/**
 * @module test/e2e/harness
 * End-to-end harness: the real server (`node bin/comity.js serve --demo`) in a separate process
 * on a free port with a fresh temporary data directory (as bench/api.ts does), and Chromium driven
 * by playwright-core, one browser context per user.
 *
 * - The web workspace is built (`npm run build:web`, timed) when `dist/web/index.html` is missing
 *   or older than a source of the workspace; `E2E_BUILD=never` keeps whatever is there,
 *   `E2E_BUILD=always` rebuilds.
 * - `signIn(page, email)` fills the e-mail address and the demo password and, when asked, a TOTP
 *   code from the secret in `<data dir>/demo-logins.json`. The server accepts a code once per 30 s
 *   step and user, and only for a later step than the last accepted one (the seed confirmed each
 *   enrolment with the step of the server's start): the harness remembers the last step it used
 *   per user and uses the next one still inside the server's ±1 step window, waiting for the next
 *   step when none is left. Contexts are kept per user, so a user normally signs in once per file.
 * - `shot(page, step)` saves `artifacts/e2e/<suite>/NN-<step>.png`.
 * - `axe(page, label)` injects node_modules/axe-core/axe.min.js and fails on any violation of
 *   impact serious or critical (all violations are printed).
 * - `close()` stops the browser and the server (SIGTERM, then SIGKILL after 10 s) and removes the
 *   data directory; it is safe after a partial start and is also run on process exit.
 *
 * Chromium is /usr/bin/chromium (or E2E_CHROMIUM). When it is missing, `chromiumSkipReason()`
 * gives a reason to skip — except with CI=true, where `start()` fails with a clear message.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { totpCode, totpStep, TOTP_STEP_SECONDS } from '../../src/auth/index.js';
import { readDemoLogins, type SeededUser } from '../../src/demo/seed.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'artifacts', 'e2e');
export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
/** How long the server may take to answer /readyz (a loaded machine: raise it with E2E_SERVER_READY_MS). */
const SERVER_READY_MS = Number(process.env.E2E_SERVER_READY_MS ?? 60_000);
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE_SCRIPT = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
/** Same-origin path under which the harness serves axe.min.js (never reaches the server). */
const AXE_ROUTE = '/__e2e__/axe.min.js';
const WEB_INDEX = join(ROOT, 'dist', 'web', 'index.html');
/** Sources whose change makes the built workspace stale (the web imports a few pure modules of src/cases). */
const WEB_SOURCES = [join(ROOT, 'src', 'web'), join(ROOT, 'src', 'cases', 'workflow.ts'), join(ROOT, 'src', 'documents', 'forms-for.ts'), join(ROOT, 'vite.config.ts'), join(ROOT, 'tsconfig.web.json')];

/** Generous default timeouts (2-core machine, cold Chromium). */
export const TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Chromium present?

/** A reason to skip the suite, or false to run it. With CI=true a missing Chromium is not skipped: start() fails. */
export function chromiumSkipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === 'true') return false;
  const reason = `Chromium not found at ${CHROMIUM} (install the Debian package "chromium" or set E2E_CHROMIUM); the end-to-end suite is skipped`;
  console.warn(`e2e: SKIPPED — ${reason}`);
  return reason;
}

// ---------------------------------------------------------------------------------------------
// Timings, printed at the end of each suite

export class Timings {
  private readonly rows: { label: string; ms: number }[] = [];
  constructor(private readonly suite: string) {}
  add(label: string, ms: number): number {
    this.rows.push({ label, ms });
    console.log(`e2e[${this.suite}] ${label}: ${formatMs(ms)}`);
    return ms;
  }
  async time<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.add(label, performance.now() - started);
    }
  }
  print(): void {
    if (this.rows.length === 0) return;
    const width = Math.max(...this.rows.map((r) => r.label.length));
    console.log(`e2e[${this.suite}] timings:\n${this.rows.map((r) => `  ${r.label.padEnd(width)}  ${formatMs(r.ms).padStart(9)}`).join('\n')}`);
  }
}

/**
 * Narrows the window to `width` CSS pixels and asserts that nothing makes the page scroll
 * sideways (the elements reaching past the right edge are named when something does).
 */
export async function assertFitsWidth(page: Page, width: number, label: string): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  // Evaluated in the page (a string: this project's TypeScript has no DOM types outside src/web).
  const { scrollWidth, wide } = (await page.evaluate(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve({
    scrollWidth: document.documentElement.scrollWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.closest('.scroll-x, .table-wrap') === null)
      .slice(0, 5)
      .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' «' + (e.textContent || '').slice(0, 40) + '»'),
  }))))`)) as { scrollWidth: number; wide: string[] };
  assert.ok(scrollWidth <= width, `${label} at ${width} px: the page is ${scrollWidth} px wide, because of ${wide.join(', ')}`);
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

// ---------------------------------------------------------------------------------------------
// The web build

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

let buildChecked = false;
/** Builds the workspace once per process when it is missing (or stale, see the module comment). */
export function ensureWebBuild(timings: Timings): void {
  if (buildChecked) return;
  buildChecked = true;
  const mode = process.env.E2E_BUILD ?? 'auto';
  let why: string | null = null;
  if (!existsSync(WEB_INDEX)) why = 'dist/web/index.html is missing';
  else if (mode === 'always') why = 'E2E_BUILD=always';
  else if (mode !== 'never') {
    const built = statSync(WEB_INDEX).mtimeMs;
    const newest = Math.max(...WEB_SOURCES.map(newestMtime));
    if (newest > built) why = 'a source of the workspace is newer than dist/web (E2E_BUILD=never keeps the old build)';
  }
  if (why === null) {
    console.log('e2e: using the existing build in dist/web');
    return;
  }
  console.log(`e2e: building the web workspace (npm run build:web): ${why}`);
  const started = performance.now();
  const result = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  timings.add('npm run build:web', performance.now() - started);
  if (result.status !== 0) throw new Error(`npm run build:web failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  assert.ok(existsSync(WEB_INDEX), 'npm run build:web did not produce dist/web/index.html');
}

// ---------------------------------------------------------------------------------------------
// The server process

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  if (port === 0) throw new Error('could not find a free port');
  return port;
}

/** Every harness alive in this process: stopped on exit even if `after` never ran. */
const alive = new Set<E2E>();
process.once('exit', () => {
  for (const e2e of alive) e2e.killNow();
});

export interface StartOptions {
  /** Extra server environment (e.g. a higher rate limit). */
  env?: Record<string, string>;
}

export class E2E {
  readonly timings: Timings;
  base = '';
  dataDir = '';
  logins: SeededUser[] = [];
  /** The demo password the server generated at its first start (from demo-logins.json). */
  demoPassword = '';
  browser: Browser | null = null;
  /** Uncaught page errors (fail the suite) and console errors (printed) of every page. */
  readonly pageErrors: string[] = [];
  readonly consoleErrors: string[] = [];
  readonly screenshots: string[] = [];
  /** Console errors for HTTP 401 (the session check before sign-in), counted only. */
  expected401 = 0;
  private child: ChildProcess | null = null;
  private readonly serverOutput: string[] = [];
  private readonly contexts = new Map<string, BrowserContext>();
  private readonly lastStep = new Map<string, number>();
  private seedStep = 0;
  private shotCount = 0;
  private closing: Promise<void> | null = null;

  constructor(readonly suite: string) {
    this.timings = new Timings(suite);
  }

  /** Builds if needed, starts the server and Chromium. On failure, call close() (the `after` hook does). */
  async start(options: StartOptions = {}): Promise<this> {
    alive.add(this);
    if (!existsSync(CHROMIUM)) {
      throw new Error(`e2e: Chromium not found at ${CHROMIUM}. CI=true, so the end-to-end suite fails instead of skipping: install the Debian package "chromium" (or set E2E_CHROMIUM to a Chromium binary).`);
    }
    ensureWebBuild(this.timings);
    rmSync(join(ARTIFACTS, this.suite), { recursive: true, force: true });
    mkdirSync(join(ARTIFACTS, this.suite), { recursive: true });
    await this.timings.time('server start (spawn → /readyz)', () => this.startServer(options.env ?? {}));
    this.browser = await this.timings.time('chromium launch', () => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 }));
    return this;
  }

  private async startServer(extraEnv: Record<string, string>): Promise<void> {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    this.dataDir = await mkdtemp(join(tmpdir(), `comity-e2e-${this.suite}-`));
    // Only these settings: no DATABASE_URL, config file or key inherited from the shell.
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(COMITY_|DATABASE_)/.test(key)) env[key] = value;
    Object.assign(env, {
      COMITY_DATA_DIR: this.dataDir,
      COMITY_HOST: '127.0.0.1',
      COMITY_PORT: String(port),
      COMITY_LOG_LEVEL: 'warn',
      // Every browser signs in from 127.0.0.1: the production limit (10 per minute) would refuse a suite's sign-ins.
      COMITY_LOGIN_RATE_LIMIT: '1000',
    });
    // `{port}` in a value is this server's port (a federation node's endpoint).
    for (const [key, value] of Object.entries(extraEnv)) env[key] = value.replaceAll('{port}', String(port));
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'comity.js'), 'serve', '--demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => {
      // The demo logins banner (users and TOTP secrets) is left out.
      const lines = chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line.length > 0 && !/^(Demo logins|\s+\S+@\S+\s)/.test(line));
      this.serverOutput.push(...lines);
      if (this.serverOutput.length > 60) this.serverOutput.splice(0, this.serverOutput.length - 60);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})\n${this.serverLog()}`);
      if (Date.now() - started > SERVER_READY_MS) throw new Error(`the server was not ready after ${SERVER_READY_MS / 1000} s\n${this.serverLog()}`);
      try {
        const response = await fetch(`${this.base}/readyz`);
        await response.body?.cancel();
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    // The seed confirmed every enrolment with a code of a step at or before this one.
    this.seedStep = totpStep(new Date());
    const demo = readDemoLogins(join(this.dataDir, 'demo-logins.json'));
    this.logins = demo.users;
    this.demoPassword = demo.password;
  }

  /** The server's last output lines (for failure messages). */
  serverLog(): string {
    return this.serverOutput.length === 0 ? '(no server output)' : ['server output (last lines):', ...this.serverOutput.map((l) => `  ${l}`)].join('\n');
  }

  /** The demo user `email` (from demo-logins.json). */
  login(email: string): SeededUser {
    const user = this.logins.find((u) => u.email === email);
    if (!user) throw new Error(`no demo user ${email} in demo-logins.json`);
    return user;
  }

  /** The browser context of a user (created once, kept for the suite). */
  async context(email: string): Promise<BrowserContext> {
    let context = this.contexts.get(email);
    if (!context) {
      assert.ok(this.browser, 'the browser is not running');
      // Each user in their authority's time zone (the review form and every date use it); English UI.
      const timezoneId = email.endsWith('@us.demo') ? 'America/New_York' : email.endsWith('@jp.demo') ? 'Asia/Tokyo' : email.endsWith('@provider.demo') ? 'Europe/Dublin' : 'Europe/Paris';
      context = await this.browser.newContext({ baseURL: this.base, viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId, acceptDownloads: true });
      context.setDefaultTimeout(TIMEOUT_MS);
      context.setDefaultNavigationTimeout(TIMEOUT_MS * 2);
      this.contexts.set(email, context);
    }
    return context;
  }

  /** A new page in a fresh context that belongs to no user (sign-in page tests). */
  async anonymousPage(): Promise<Page> {
    return this.newPage(await this.context(`anonymous-${this.contexts.size}`));
  }

  /** A new page in the user's context; errors of the page are recorded. */
  async newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      this.pageErrors.push(`${page.url()}: ${error.message}`);
      console.error(`e2e[${this.suite}] page error on ${page.url()}: ${error.message}`);
    });
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() !== 'error') return;
      // The workspace asks /api/auth/me first: 401 until the user has signed in (expected).
      if (/status of 401 \(Unauthorized\)/.test(message.text())) this.expected401 += 1;
      else this.consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  /**
   * A page of `email`, signed in (signs in the first time, in the user's context; later pages
   * share the session cookie).
   */
  async pageAs(email: string, path = '/'): Promise<Page> {
    const page = await this.newPage(await this.context(email));
    await page.goto(path);
    const signedIn = page.getByRole('navigation', { name: 'Main' });
    await signedIn.or(page.getByLabel('E-mail address')).or(page.getByLabel('One-time code')).first().waitFor();
    if (!(await signedIn.isVisible())) await this.signIn(page, email);
    return page;
  }

  /** The TOTP code to use now for `email`, waiting for the next step when the window is used up. */
  async nextTotpCode(email: string, secret: string): Promise<string> {
    return totpCode(secret, new Date((await this.nextTotpStep(email)) * TOTP_STEP_SECONDS * 1000));
  }

  /**
   * The TOTP step `email` may use now (a code is accepted once: a step the browser used is not
   * offered again), waiting for the next step when the window is used up. For signing in over the
   * API as someone who signed in in Chromium too.
   */
  async nextTotpStep(email: string): Promise<number> {
    const last = this.lastStep.get(email) ?? this.seedStep;
    let current = totpStep(new Date());
    if (last + 1 > current + 1) {
      const waitMs = (last * TOTP_STEP_SECONDS * 1000) - Date.now() + 200;
      console.log(`e2e[${this.suite}] ${email} already used the TOTP step ${last}: waiting ${formatMs(waitMs)} for the next step`);
      await sleep(Math.max(0, waitMs));
      current = totpStep(new Date());
    }
    const step = Math.max(current, last + 1);
    this.lastStep.set(email, step);
    return step;
  }

  /** Signs in on the sign-in form of `page` (e-mail, password, then the TOTP code when asked). */
  async signIn(page: Page, email: string): Promise<void> {
    const user = this.login(email);
    const code = page.getByLabel('One-time code');
    const signedIn = page.getByRole('navigation', { name: 'Main' });
    // (A session waiting for its second factor opens on the code step directly.)
    if (!(await code.isVisible())) {
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(this.demoPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    }
    await code.or(signedIn).first().waitFor();
    if (await code.isVisible()) {
      assert.ok(user.totpSecret, `${email} is asked for a one-time code but has no TOTP secret in demo-logins.json`);
      await code.fill(await this.nextTotpCode(email, user.totpSecret));
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    }
    await signedIn.waitFor();
  }

  /** Saves a full-page screenshot as artifacts/e2e/<suite>/NN-<step>.png. */
  async shot(page: Page, step: string): Promise<string> {
    this.shotCount += 1;
    const file = join(ARTIFACTS, this.suite, `${String(this.shotCount).padStart(2, '0')}-${step.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.screenshots.push(file);
    return file;
  }

  /** Runs axe-core on the page; fails on serious or critical violations, printing every violation. */
  async axe(page: Page, label: string): Promise<AxeResults> {
    const started = performance.now();
    // The server's CSP (default-src 'self') refuses inline scripts, so `addScriptTag({ path })`
    // (which inlines the file) is blocked: axe is served from the page's own origin instead, by
    // a route of this context, and the CSP stays enforced during the tests.
    await page.context().route(`**${AXE_ROUTE}`, (route) => route.fulfill({ path: AXE_SCRIPT, contentType: 'text/javascript; charset=utf-8' }));
    await page.addScriptTag({ url: AXE_ROUTE });
    const results = await page.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run());
    this.timings.add(`axe: ${label}`, performance.now() - started);
    const lines = results.violations.map((v) => `  [${v.impact ?? 'n/a'}] ${v.id}: ${v.help} (${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'})\n${v.nodes
      .slice(0, 5)
      .map((n) => `      ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join('; ').trim() ?? ''}`)
      .join('\n')}`);
    if (lines.length > 0) console.log(`e2e[${this.suite}] axe on ${label}: ${results.violations.length} violation(s)\n${lines.join('\n')}`);
    else console.log(`e2e[${this.suite}] axe on ${label}: no violation (${results.passes.length} rules passed)`);
    const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      blocking.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`),
      [],
      `axe-core found serious or critical violations on ${label}`,
    );
    return results;
  }

  /** Stops the browser and the server, removes the data directory. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const errors: unknown[] = [];
      try {
        await this.browser?.close();
      } catch (error) {
        errors.push(error);
      }
      const child = this.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
      alive.delete(this);
      this.timings.print();
      if (this.screenshots.length > 0) console.log(`e2e[${this.suite}] screenshots:\n${this.screenshots.map((f) => `  ${f.slice(ROOT.length)}`).join('\n')}`);
      if (this.consoleErrors.length > 0) console.log(`e2e[${this.suite}] browser console errors:\n${this.consoleErrors.map((e) => `  ${e}`).join('\n')}`);
      if (this.expected401 > 0) console.log(`e2e[${this.suite}] ${this.expected401} console message(s) for HTTP 401 (session check before sign-in; expected)`);
      if (errors.length > 0) throw errors[0];
    })();
    return this.closing;
  }

  /** Synchronous last resort on process exit. */
  killNow(): void {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * The steps of one journey, run in order: once a step fails, the later ones are skipped (they
 * build on it) and say which step broke.
 */
export function journeySteps(): (name: string, fn: () => Promise<void>) => void {
  let broken: string | null = null;
  return (name, fn) => {
    test(name, async (t) => {
      if (broken) return t.skip(`an earlier step failed: ${broken}`);
      try {
        await fn();
      } catch (error) {
        broken = name;
        throw error;
      }
    });
  };
}
