/**
 * Accounts and authentication on every database engine: users, password sign-in with a uniform
 * error and lockout, sessions (fixed clock), the TOTP second factor with enrolment and without
 * replay, API tokens, and no secret in the audit trail or the login log.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { forEachDatabase } from '../../test/db/dialects.js';
import type { Database } from '../db/index.js';
import { SYSTEM_ACTOR, type Actor } from '../cases/context.js';
import {
  authenticateApiToken,
  authenticateSession,
  checkCsrf,
  confirmTotp,
  createApiToken,
  createUser,
  disableUser,
  enrolTotp,
  listApiTokens,
  login,
  loginWithOidc,
  logout,
  purgeExpiredSessions,
  revokeApiToken,
  verifySecondFactor,
  ACCOUNT_MAX_DELAY_MS,
  ALERT_EVERY,
  SESSION_TTL_MS,
  type AuthUser,
} from './index.js';
import { createAuthContext, type AuthContext } from './context.js';
import { AuthError, type AuthErrorCode } from './errors.js';
import { createSecretBox } from './secrets.js';
import { totpCode, totpStep, verifyTotp } from './totp.js';

const START = '2026-12-01T08:00:10.000Z'; // 10 s into a TOTP step
const ADMIN_PASSWORD = 'platform admin passphrase 1';
const PASSWORD = 'correct horse battery staple 7';

const rejectsWith = (code: AuthErrorCode) => (error: unknown) => {
  assert.ok(error instanceof AuthError, `expected AuthError(${code}), got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return true;
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A six-digit code that no step within ±1 of `at` produces for `secret`. */
function wrongCode(secret: string, at: Date): string {
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (verifyTotp(secret, code, at) === null) return code;
  }
}

async function tableText(db: Kysely<Database>, table: 'audit_events' | 'login_events' | 'users' | 'sessions' | 'api_tokens'): Promise<string> {
  return JSON.stringify(await db.selectFrom(table).selectAll().execute());
}

forEachDatabase('accounts and authentication', (target) => {
  async function setup(t: { after(fn: () => Promise<void>): void }) {
    const handle = await target.create(t);
    await handle.migrate();
    let now = new Date(START);
    const ctx = createAuthContext(handle.db, createSecretBox(randomBytes(32)), { now: () => now });
    const authority = (id: string, party: string) => ({ id, party, kind: 'central-authority', name: `${party} central authority`, time_zone: 'Europe/Paris', languages: '["fr"]', contact: '{}', created_at: START });
    await handle.db.insertInto('authorities').values([authority('fr-ca', 'FR'), authority('de-ca', 'DE')]).execute();
    const admin = await createUser(ctx, SYSTEM_ACTOR, { email: 'root@comity.example', displayName: 'Platform administrator', authorityId: null, roles: ['administrator'], password: ADMIN_PASSWORD });
    return {
      db: handle.db,
      ctx,
      admin,
      adminActor: { id: admin.id, authorityId: null } as Actor,
      advance: (ms: number) => (now = new Date(now.getTime() + ms)),
      now: () => now,
    };
  }

  async function newUser(ctx: AuthContext, actor: Actor, email: string, roles: AuthUser['roles'], authorityId: string | null = 'fr-ca'): Promise<AuthUser> {
    return createUser(ctx, actor, { email, displayName: email.split('@')[0], authorityId, roles, password: PASSWORD });
  }

  it('creates users: normalised e-mail, no secret in the result, audited; refuses duplicates, bad input and unauthorised actors', async (t) => {
    const { ctx, db, adminActor } = await setup(t);
    const user = await createUser(ctx, adminActor, { email: '  Alice.Martin@Justice.FR ', displayName: 'Alice Martin', authorityId: 'fr-ca', roles: ['drafter', 'reviewer'], password: PASSWORD });
    assert.equal(user.email, 'alice.martin@justice.fr');
    assert.deepEqual(user.roles, ['drafter', 'reviewer']);
    assert.equal(user.mfaRequired, true, 'a reviewer needs a second factor');
    assert.equal(user.totpEnabled, false);
    assert.ok(!JSON.stringify(user).includes('scrypt'));
    const row = await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt\$15\$8\$1\$/);
    const audit = await db.selectFrom('audit_events').selectAll().where('object_id', '=', user.id).execute();
    assert.deepEqual(audit.map((a) => [a.action, a.actor]), [['user.create', adminActor.id]]);

    await assert.rejects(newUser(ctx, adminActor, 'ALICE.martin@justice.fr', ['drafter']), rejectsWith('conflict'));
    await assert.rejects(createUser(ctx, adminActor, { email: 'bob@justice.fr', displayName: 'Bob', authorityId: 'fr-ca', roles: ['drafter'], password: 'short' }), (error: unknown) => {
      rejectsWith('invalid-request')(error);
      assert.ok((error as AuthError).issues.some((i) => i.field === 'password'));
      assert.ok(!(error as AuthError).message.includes('short') && !JSON.stringify((error as AuthError).issues).includes('"short"'));
      return true;
    });
    await assert.rejects(newUser(ctx, adminActor, 'bob@justice.fr', ['judge' as never]), rejectsWith('invalid-request'));
    await assert.rejects(newUser(ctx, adminActor, 'bob@justice.fr', ['drafter', 'drafter']), rejectsWith('invalid-request'));
    await assert.rejects(newUser(ctx, adminActor, 'bob@justice.fr', []), rejectsWith('invalid-request'));
    await assert.rejects(newUser(ctx, adminActor, 'not-an-email', ['drafter']), rejectsWith('invalid-request'));
    await assert.rejects(newUser(ctx, adminActor, 'bob@justice.fr', ['drafter'], 'xx-nowhere'), rejectsWith('invalid-request'));
    await assert.rejects(newUser(ctx, adminActor, 'bob@justice.fr', ['drafter'], null), rejectsWith('invalid-request'), 'a platform account is an administrator');

    // Authority administrators administer their own authority only; other users none.
    const frAdmin = await newUser(ctx, adminActor, 'admin@justice.fr', ['administrator']);
    const frAdminActor: Actor = { id: `user:${frAdmin.id}`, authorityId: 'fr-ca' };
    await newUser(ctx, frAdminActor, 'carol@justice.fr', ['drafter']);
    await assert.rejects(newUser(ctx, frAdminActor, 'dieter@justiz.de', ['drafter'], 'de-ca'), rejectsWith('forbidden'));
    await assert.rejects(newUser(ctx, frAdminActor, 'root2@comity.example', ['administrator'], null), rejectsWith('forbidden'));
    await assert.rejects(newUser(ctx, { id: user.id, authorityId: 'fr-ca' }, 'dan@justice.fr', ['drafter']), rejectsWith('forbidden'));
    await assert.rejects(newUser(ctx, { id: 'nobody', authorityId: 'fr-ca' }, 'dan@justice.fr', ['drafter']), rejectsWith('forbidden'));
    assert.equal((await db.selectFrom('users').select('id').execute()).length, 4, 'root, alice, the French administrator, carol');
  });

  it('signs in with the password; unknown user and wrong password fail alike; every attempt is logged without the e-mail', async (t) => {
    const { ctx, db, adminActor } = await setup(t);
    const user = await newUser(ctx, adminActor, 'drafter@justice.fr', ['drafter']);
    const ok = await login(ctx, { email: 'Drafter@Justice.fr', password: PASSWORD });
    assert.equal(ok.user.id, user.id);
    assert.equal(ok.session.mfaRequired, false);
    assert.equal(ok.session.mfaEnrolmentRequired, false);
    assert.equal(ok.session.expiresAt, new Date(Date.parse(START) + SESSION_TTL_MS).toISOString());
    assert.match(ok.session.token, /^[A-Za-z0-9_-]{43}$/);

    const failures: AuthError[] = [];
    for (const attempt of [{ email: 'drafter@justice.fr', password: `${PASSWORD}!` }, { email: 'nobody@justice.fr', password: PASSWORD }]) {
      await assert.rejects(login(ctx, attempt), (error: unknown) => {
        rejectsWith('invalid-credentials')(error);
        failures.push(error as AuthError);
        return true;
      });
    }
    assert.equal(failures[0]?.message, failures[1]?.message, 'the same message for both');
    assert.deepEqual(failures[0]?.issues, failures[1]?.issues);
    await assert.rejects(login(ctx, { email: 'drafter@justice.fr' }), rejectsWith('invalid-request'));

    const events = await db.selectFrom('login_events').selectAll().orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.outcome), ['success', 'bad-password', 'unknown-user']);
    assert.deepEqual(events.map((e) => e.user_id), [user.id, user.id, null]);
    assert.deepEqual(events.map((e) => e.email_hash), [sha256('drafter@justice.fr'), sha256('drafter@justice.fr'), sha256('nobody@justice.fr')]);
    assert.ok(!(await tableText(db, 'login_events')).includes('justice.fr'));
    const row = await db.selectFrom('users').select('failed_logins').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.failed_logins, 1);
  });

  it('slows the account down after 5 failures (doubling up to a minute), never locks it; a success resets it', async (t) => {
    const { ctx, db, adminActor, advance } = await setup(t);
    const user = await newUser(ctx, adminActor, 'drafter@justice.fr', ['drafter']);
    for (let i = 0; i < 5; i++) await assert.rejects(login(ctx, { email: user.email, password: `wrong ${i}` }), rejectsWith('invalid-credentials'));
    // The fifth failure set a 1 s delay: an attempt before it is not even checked.
    await assert.rejects(login(ctx, { email: user.email, password: PASSWORD }), (error: unknown) => error instanceof AuthError && error.code === 'throttled' && error.retryAfterSeconds === 1);
    for (let i = 0; i < 10; i++) {
      advance(ACCOUNT_MAX_DELAY_MS);
      await assert.rejects(login(ctx, { email: user.email, password: `wrong again ${i}` }), rejectsWith('invalid-credentials'));
    }
    const waiting = await db.selectFrom('users').select(['failed_logins', 'locked_until']).where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(waiting.failed_logins, 15);
    assert.equal(Date.parse(waiting.locked_until ?? '') - ctx.now().getTime(), ACCOUNT_MAX_DELAY_MS, 'the delay stops growing at its ceiling');
    advance(ACCOUNT_MAX_DELAY_MS);
    const ok = await login(ctx, { email: user.email, password: PASSWORD });
    assert.equal(ok.user.id, user.id);
    assert.ok(ok.deviceToken, 'a complete sign-in from an unknown device earns a device token');
    const row = await db.selectFrom('users').select(['failed_logins', 'locked_until']).where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { failed_logins: 0, locked_until: null });
    const outcomes = (await db.selectFrom('login_events').select('outcome').where('user_id', '=', user.id).orderBy('id').execute()).map((e) => e.outcome);
    assert.deepEqual(outcomes.slice(-3), ['bad-password', 'bad-password', 'success']);
    assert.equal(outcomes.filter((o) => o === 'throttled').length, 1);
  });

  it('a known device keeps signing in while strangers hammer the account; bursts alert the administrators', async (t) => {
    const { ctx, db, adminActor, advance } = await setup(t);
    const user = await newUser(ctx, adminActor, 'drafter@justice.fr', ['drafter']);
    const alerts: unknown[] = [];
    ctx.alerts.subscribe((alert) => alerts.push(alert));
    const first = await login(ctx, { email: user.email, password: PASSWORD });
    const device = first.deviceToken ?? assert.fail('device token');
    for (let i = 0; i < 2 * ALERT_EVERY; i++) {
      await assert.rejects(login(ctx, { email: user.email, password: `guess ${i}` }), (e: unknown) => e instanceof AuthError && (e.code === 'invalid-credentials' || e.code === 'throttled'));
      advance(ACCOUNT_MAX_DELAY_MS);
    }
    await assert.rejects(login(ctx, { email: user.email, password: 'one more' }), rejectsWith('invalid-credentials'));
    await assert.rejects(login(ctx, { email: user.email, password: PASSWORD }), rejectsWith('throttled'), 'an unknown device waits');
    const mine = await login(ctx, { email: user.email, password: PASSWORD }, { deviceToken: device });
    assert.equal(mine.user.id, user.id, 'the known device is not held up by strangers');
    assert.equal(mine.deviceToken, null, 'the device already has its token');
    assert.deepEqual(alerts.map((a) => (a as { failedAttempts: number }).failedAttempts), [ALERT_EVERY, 2 * ALERT_EVERY]);
    const audited = await db.selectFrom('audit_events').select(['action', 'actor']).where('action', '=', 'auth.failure-burst').execute();
    assert.equal(audited.length, 2);
    // Another user's device token counts for nothing.
    const other = await newUser(ctx, adminActor, 'other@justice.fr', ['drafter']);
    await assert.rejects(login(ctx, { email: other.email, password: 'x' }, { deviceToken: device }), rejectsWith('invalid-credentials'));
  });

  it('authenticates sessions until they expire (12 h absolute), records last_seen_at once a minute, checks CSRF, logs out', async (t) => {
    const { ctx, db, adminActor, advance } = await setup(t);
    const user = await newUser(ctx, adminActor, 'drafter@justice.fr', ['drafter']);
    const { session } = await login(ctx, { email: user.email, password: PASSWORD });
    const found = await authenticateSession(ctx, session.token);
    assert.ok(found);
    assert.equal(found.user.id, user.id);
    assert.equal(found.session.id, sha256(session.token), 'the id is the hash of the token');
    assert.equal(found.session.mfaPending, false);
    assert.equal(checkCsrf(found.session, session.csrfToken), true);
    assert.equal(checkCsrf(found.session, session.token), false);
    assert.equal(checkCsrf(found.session, undefined), false);
    assert.equal(checkCsrf(found.session, ''), false);
    // Another last character (the token's own may be an A: 1 run in 64 would then pass the token itself).
    assert.equal(await authenticateSession(ctx, `${session.token.slice(0, -1)}${session.token.endsWith('A') ? 'B' : 'A'}`), null);
    assert.equal(await authenticateSession(ctx, ''), null);
    assert.equal(await authenticateSession(ctx, 'x'.repeat(5000)), null);

    const lastSeen = async () => (await db.selectFrom('sessions').select('last_seen_at').executeTakeFirstOrThrow()).last_seen_at;
    advance(30_000);
    await authenticateSession(ctx, session.token);
    assert.equal(await lastSeen(), START, 'not written within the minute');
    advance(31_000);
    await authenticateSession(ctx, session.token);
    assert.equal(await lastSeen(), new Date(Date.parse(START) + 61_000).toISOString());

    advance(SESSION_TTL_MS - 61_000 - 1);
    assert.ok(await authenticateSession(ctx, session.token), 'valid until the last millisecond');
    advance(1);
    assert.equal(await authenticateSession(ctx, session.token), null, 'expired');
    assert.equal(await purgeExpiredSessions(ctx), 1);

    const second = await login(ctx, { email: user.email, password: PASSWORD });
    assert.equal(await logout(ctx, second.session.token), true);
    assert.equal(await authenticateSession(ctx, second.session.token), null);
    assert.equal(await logout(ctx, second.session.token), false);

    const third = await login(ctx, { email: user.email, password: PASSWORD });
    await disableUser(ctx, adminActor, user.id);
    assert.equal(await authenticateSession(ctx, third.session.token), null, 'disabled: sessions end');
    await assert.rejects(login(ctx, { email: user.email, password: PASSWORD }), rejectsWith('invalid-credentials'));
  });

  it('requires TOTP enrolment and a second factor for roles that send or decide; codes are not accepted twice', async (t) => {
    const { ctx, db, adminActor, advance, now } = await setup(t);
    const user = await newUser(ctx, adminActor, 'reviewer@justice.fr', ['reviewer']);
    const first = await login(ctx, { email: user.email, password: PASSWORD });
    assert.equal(first.session.mfaRequired, true);
    assert.equal(first.session.mfaEnrolmentRequired, true);
    const pending = await authenticateSession(ctx, first.session.token);
    assert.equal(pending?.session.mfaPending, true);
    assert.equal(pending?.session.mfaEnrolmentRequired, true);
    await assert.rejects(verifySecondFactor(ctx, first.session.token, '123456'), rejectsWith('invalid-request'), 'nothing enrolled yet');
    await assert.rejects(confirmTotp(ctx, first.session.token, '123456'), rejectsWith('invalid-request'), 'enrol first');

    const { secret, otpauthUri } = await enrolTotp(ctx, first.session.token);
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.ok(otpauthUri.startsWith('otpauth://totp/Comity:reviewer%40justice.fr?secret='));
    const stored = await db.selectFrom('users').select(['totp_secret', 'totp_enabled']).where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(stored.totp_enabled, 0);
    assert.match(stored.totp_secret ?? '', /^v1\./, 'sealed');
    assert.ok(!stored.totp_secret?.includes(secret));

    await assert.rejects(confirmTotp(ctx, first.session.token, wrongCode(secret, now())), rejectsWith('mfa-invalid'));
    const confirmed = await confirmTotp(ctx, first.session.token, totpCode(secret, now()));
    assert.equal(confirmed.session.mfaPassed, true);
    assert.equal(confirmed.session.mfaPending, false);
    // The session is rotated after the second factor (OWASP): the token seen before it is dead.
    assert.notEqual(confirmed.token, first.session.token);
    assert.notEqual(confirmed.csrfToken, first.session.csrfToken);
    assert.equal(await authenticateSession(ctx, first.session.token), null, 'the pre-factor token no longer works');
    assert.equal((await authenticateSession(ctx, confirmed.token))?.session.mfaPending, false);
    await assert.rejects(enrolTotp(ctx, confirmed.token), rejectsWith('conflict'), 'a password alone cannot replace the factor');
    await assert.rejects(confirmTotp(ctx, confirmed.token, totpCode(secret, now())), rejectsWith('conflict'));

    // A new sign-in: second factor required, enrolment no longer; the code of the step already used is refused.
    const second = await login(ctx, { email: user.email, password: PASSWORD });
    assert.equal(second.session.mfaRequired, true);
    assert.equal(second.session.mfaEnrolmentRequired, false);
    await assert.rejects(verifySecondFactor(ctx, second.session.token, totpCode(secret, now())), rejectsWith('mfa-invalid'), 'replayed code');
    // A code of the previous step (within the window) is older than the one used: refused too.
    await assert.rejects(verifySecondFactor(ctx, second.session.token, totpCode(secret, new Date(now().getTime() - 30_000))), rejectsWith('mfa-invalid'));
    advance(30_000);
    const code = totpCode(secret, now());
    const passed = await verifySecondFactor(ctx, second.session.token, code);
    assert.equal(passed.session.mfaPassed, true);
    assert.equal(await authenticateSession(ctx, second.session.token), null, 'rotated: the old token is dead');
    assert.equal((await authenticateSession(ctx, passed.token))?.session.mfaPending, false);
    const row = await db.selectFrom('users').select(['totp_last_step', 'failed_logins']).where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { totp_last_step: totpStep(now()), failed_logins: 0 });

    // The same code in another session of the same user: refused.
    const third = await login(ctx, { email: user.email, password: PASSWORD });
    await assert.rejects(verifySecondFactor(ctx, third.session.token, code), rejectsWith('mfa-invalid'));
    assert.equal((await authenticateSession(ctx, third.session.token))?.session.mfaPending, true);
    await assert.rejects(verifySecondFactor(ctx, 'not-a-session', code), rejectsWith('invalid-credentials'));

    const outcomes = (await db.selectFrom('login_events').select('outcome').where('user_id', '=', user.id).orderBy('id').execute()).map((e) => e.outcome);
    assert.deepEqual(outcomes, ['success', 'mfa-failed', 'mfa-success', 'success', 'mfa-failed', 'mfa-failed', 'mfa-success', 'success', 'mfa-failed']);
    const actions = (await db.selectFrom('audit_events').select('action').where('object_id', '=', user.id).orderBy('seq').execute()).map((a) => a.action);
    assert.deepEqual(actions, ['user.create', 'auth.login', 'auth.totp-enrol', 'auth.totp-confirm', 'auth.login', 'auth.mfa', 'auth.login']);
  });

  it('wrong codes slow the sign-in down and end the session after 5; a known password does not reset the count while the factor is pending', async (t) => {
    const { ctx, db, adminActor, now, advance } = await setup(t);
    const user = await newUser(ctx, adminActor, 'officer@justice.fr', ['central-authority-officer']);
    const { session } = await login(ctx, { email: user.email, password: PASSWORD });
    const { secret } = await enrolTotp(ctx, session.token);
    await confirmTotp(ctx, session.token, totpCode(secret, now()));
    advance(30_000);
    const next = await login(ctx, { email: user.email, password: PASSWORD });
    for (let i = 0; i < 4; i++) await assert.rejects(verifySecondFactor(ctx, next.session.token, wrongCode(secret, now())), rejectsWith('mfa-invalid'));
    await assert.rejects(verifySecondFactor(ctx, next.session.token, wrongCode(secret, now())), rejectsWith('invalid-credentials'), 'the fifth wrong code ends the session');
    assert.equal(await authenticateSession(ctx, next.session.token), null);
    await assert.rejects(login(ctx, { email: user.email, password: PASSWORD }), rejectsWith('throttled'), 'five failures: the next attempt waits');
    advance(1000);
    const again = await login(ctx, { email: user.email, password: PASSWORD });
    assert.equal((await db.selectFrom('users').select('failed_logins').where('id', '=', user.id).executeTakeFirstOrThrow()).failed_logins, 5, 'the password alone resets nothing');
    const passed = await verifySecondFactor(ctx, again.session.token, totpCode(secret, now()));
    assert.equal(passed.session.mfaPassed, true);
    assert.equal((await db.selectFrom('users').select('failed_logins').where('id', '=', user.id).executeTakeFirstOrThrow()).failed_logins, 0);
  });

  it('drafters may sign in without a second factor, but once enrolled it is required', async (t) => {
    const { ctx, adminActor, now, advance } = await setup(t);
    const user = await newUser(ctx, adminActor, 'drafter@justice.fr', ['drafter']);
    const { session } = await login(ctx, { email: user.email, password: PASSWORD });
    const { secret } = await enrolTotp(ctx, session.token);
    assert.equal((await authenticateSession(ctx, session.token))?.session.mfaPending, false, 'not required until confirmed');
    await confirmTotp(ctx, session.token, totpCode(secret, now()));
    advance(30_000);
    const next = await login(ctx, { email: user.email, password: PASSWORD });
    assert.equal(next.session.mfaRequired, true);
    assert.equal((await authenticateSession(ctx, next.session.token))?.session.mfaPending, true);
  });

  it('signs in through OIDC claims matched by e-mail, without creating accounts', async (t) => {
    const { ctx, adminActor } = await setup(t);
    const user = await newUser(ctx, adminActor, 'drafter@justice.fr', ['drafter', 'reviewer']);
    const result = await loginWithOidc(ctx, { sub: 'idp-123', email: 'DRAFTER@justice.fr' });
    assert.equal(result.user.id, user.id);
    assert.equal(result.session.mfaRequired, true, 'the provider does not replace the TOTP factor');
    await assert.rejects(loginWithOidc(ctx, { sub: 'idp-999', email: 'stranger@justice.fr' }), rejectsWith('invalid-credentials'));
  });

  it('creates, authenticates, lists, revokes and expires API tokens', async (t) => {
    const { ctx, db, adminActor, advance } = await setup(t);
    const user = await newUser(ctx, adminActor, 'drafter@justice.fr', ['drafter']);
    const other = await newUser(ctx, adminActor, 'other@justice.fr', ['drafter']);
    const self: Actor = { id: user.id, authorityId: 'fr-ca' };
    const created = await createApiToken(ctx, self, { userId: user.id, name: 'case system', scopes: ['cases:read', 'cases:write'], expiresInDays: 30 });
    assert.match(created.token, new RegExp(`^cmt_${created.id}_[A-Za-z0-9_-]{43}$`));
    assert.equal(created.expiresAt, new Date(Date.parse(START) + 30 * 86_400_000).toISOString());
    const secret = created.token.slice(`cmt_${created.id}_`.length);
    const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.equal(row.token_hash, sha256(secret));

    const found = await authenticateApiToken(ctx, created.token);
    assert.equal(found?.user.id, user.id);
    assert.deepEqual(found?.token, { id: created.id, scopes: ['cases:read', 'cases:write'] });
    assert.equal(await authenticateApiToken(ctx, `cmt_${created.id}_${'A'.repeat(43)}`), null, 'right id, wrong secret');
    assert.equal(await authenticateApiToken(ctx, 'cmt_garbage'), null);
    assert.equal(await authenticateApiToken(ctx, ''), null);

    const listed = await listApiTokens(ctx, user.id);
    assert.deepEqual(listed.map((l) => l.id), [created.id]);
    assert.equal(listed[0]?.lastUsedAt, START);
    assert.ok(!JSON.stringify(listed).includes(row.token_hash) && !JSON.stringify(listed).includes(secret));

    await assert.rejects(createApiToken(ctx, self, { userId: user.id, name: 'too much', scopes: ['admin'], expiresInDays: 30 }), rejectsWith('invalid-request'));
    await assert.rejects(createApiToken(ctx, self, { userId: user.id, name: 'forever', scopes: ['cases:read'], expiresInDays: 366 }), rejectsWith('invalid-request'));
    await assert.rejects(createApiToken(ctx, self, { userId: user.id, name: 'x', scopes: ['cases:read', 'cases:read'], expiresInDays: 1 }), rejectsWith('invalid-request'));
    await assert.rejects(createApiToken(ctx, self, { userId: other.id, name: 'theirs', scopes: ['cases:read'], expiresInDays: 1 }), rejectsWith('forbidden'));
    await assert.rejects(createApiToken(ctx, self, { userId: 'nobody', name: 'x', scopes: ['cases:read'], expiresInDays: 1 }), rejectsWith('not-found'));
    await assert.rejects(revokeApiToken(ctx, { id: other.id, authorityId: 'fr-ca' }, created.id), rejectsWith('forbidden'));
    await assert.rejects(revokeApiToken(ctx, self, 'nosuchtoken00000'), rejectsWith('not-found'));

    const revoked = await revokeApiToken(ctx, self, created.id);
    assert.equal(revoked.revokedAt, START);
    assert.equal(await authenticateApiToken(ctx, created.token), null, 'revoked');
    assert.equal((await revokeApiToken(ctx, adminActor, created.id)).revokedAt, START, 'idempotent');

    const short = await createApiToken(ctx, adminActor, { userId: user.id, name: 'short-lived', scopes: ['law:read'], expiresInDays: 1 });
    assert.ok(await authenticateApiToken(ctx, short.token));
    advance(86_400_000);
    assert.equal(await authenticateApiToken(ctx, short.token), null, 'expired');

    const longer = await createApiToken(ctx, self, { userId: user.id, name: 'year', scopes: ['law:read'], expiresInDays: 365 });
    assert.ok(await authenticateApiToken(ctx, longer.token));
    await disableUser(ctx, adminActor, user.id);
    assert.equal(await authenticateApiToken(ctx, longer.token), null, 'user disabled');

    const actions = (await db.selectFrom('audit_events').select('action').where('object_type', '=', 'api-token').orderBy('seq').execute()).map((a) => a.action);
    assert.deepEqual(actions, ['api-token.create', 'api-token.revoke', 'api-token.create', 'api-token.create']);
  });

  it('never writes passwords, tokens, TOTP secrets or codes, or e-mail addresses to audit_events or login_events', async (t) => {
    const { ctx, db, adminActor, now, advance } = await setup(t);
    const secrets: string[] = [ADMIN_PASSWORD, PASSWORD];
    const user = await newUser(ctx, adminActor, 'reviewer@justice.fr', ['reviewer']);
    const wrongPassword = 'wrong horse battery staple 8';
    secrets.push(wrongPassword);
    await assert.rejects(login(ctx, { email: user.email, password: wrongPassword }), rejectsWith('invalid-credentials'));
    await assert.rejects(login(ctx, { email: 'ghost@justice.fr', password: wrongPassword }), rejectsWith('invalid-credentials'));
    const first = await login(ctx, { email: user.email, password: PASSWORD });
    secrets.push(first.session.token, first.session.csrfToken);
    const { secret } = await enrolTotp(ctx, first.session.token);
    secrets.push(secret);
    const code1 = totpCode(secret, now());
    await confirmTotp(ctx, first.session.token, code1);
    advance(30_000);
    const second = await login(ctx, { email: user.email, password: PASSWORD });
    secrets.push(second.session.token, second.session.csrfToken);
    await verifySecondFactor(ctx, second.session.token, totpCode(secret, now()));
    const token = await createApiToken(ctx, { id: user.id, authorityId: 'fr-ca' }, { userId: user.id, name: 'ci', scopes: ['cases:read'], expiresInDays: 7 });
    secrets.push(token.token, token.token.slice(`cmt_${token.id}_`.length));
    await authenticateApiToken(ctx, token.token);
    await revokeApiToken(ctx, adminActor, token.id);
    await logout(ctx, first.session.token);

    const logs = (await tableText(db, 'audit_events')) + (await tableText(db, 'login_events'));
    for (const value of secrets) assert.ok(!logs.includes(value), `a secret leaked into the logs: ${value.slice(0, 6)}…`);
    for (const email of ['reviewer@justice.fr', 'ghost@justice.fr', 'root@comity.example']) assert.ok(!logs.toLowerCase().includes(email), `${email} in the logs`);
    // And no bearer secret is stored in the clear anywhere.
    const stored = (await tableText(db, 'users')) + (await tableText(db, 'sessions')) + (await tableText(db, 'api_tokens'));
    for (const value of secrets) assert.ok(!stored.includes(value), `a secret is stored in the clear: ${value.slice(0, 6)}…`);
  });
});
