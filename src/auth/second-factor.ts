/**
 * @module auth/second-factor
 * The TOTP second factor (RFC 6238): enrolment (secret shown once, stored sealed), confirmation
 * with a first code, verification without replay (a code is accepted once per user). A wrong or
 * replayed code counts as a failed attempt in the sign-in's bucket (`sign-in-throttle.ts`), and
 * a session that sent {@link MAX_MFA_FAILURES_PER_SESSION} wrong codes ends: the next guesses
 * need the password again, which is itself slowed down. Passing the second factor replaces the
 * session by a new one (new token and CSRF token): a token seen before it is worthless after it.
 */
import { writeAudit } from '../cases/audit.js';
import { auditUser, emailHash, insertLoginEvent, presentSession, totpAad, type AuthSession, type SessionRow, type Trx, type UserRow } from './account-rows.js';
import type { AuthContext } from './context.js';
import { AuthError } from './errors.js';
import { rotateSession, requireSession } from './sessions.js';
import { bucketOfDeviceId, MAX_MFA_FAILURES_PER_SESSION, recordFailure, recordSuccess } from './sign-in-throttle.js';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp.js';

/** A session that passed the second factor: its new tokens (shown once) and, for a new device, its device token. */
export interface SecondFactorResult {
  session: AuthSession;
  token: string;
  csrfToken: string;
  deviceToken: string | null;
}

/**
 * Starts TOTP enrolment for the session's user: a new secret, stored sealed, not yet enabled.
 * The secret and its `otpauth://` URI (for a QR code) are returned once. Enrolling again before
 * confirming replaces the pending secret; once enabled, enrolment is refused (`conflict`), so a
 * stolen password alone cannot replace the second factor.
 *
 * @throws {AuthError} `invalid-credentials` (no valid session), `conflict`.
 */
export async function enrolTotp(ctx: AuthContext, sessionToken: string): Promise<{ secret: string; otpauthUri: string }> {
  const { user } = await requireSession(ctx, sessionToken);
  if (user.totp_enabled === 1) throw new AuthError('conflict', 'a second factor is already enrolled');
  const secret = generateTotpSecret();
  const sealed = ctx.secretBox.seal(secret, totpAad(user.id));
  const at = ctx.now().toISOString();
  await ctx.transaction(async (trx) => {
    const updated = await trx
      .updateTable('users')
      .set({ totp_secret: sealed, totp_enabled: 0, totp_last_step: null })
      .where('id', '=', user.id)
      .where('totp_enabled', '=', 0)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AuthError('conflict', 'a second factor is already enrolled');
    await writeAudit(trx, { id: ctx.newId(), actor: user.id, action: 'auth.totp-enrol', objectType: 'user', objectId: user.id, at, before: null, after: null });
  });
  return { secret, otpauthUri: otpauthUri(secret, user.email) };
}

type TotpCheck = { ok: true; rotated: { row: SessionRow; token: string; csrfToken: string }; deviceToken: string | null } | { ok: false; sessionEnded: boolean };

/**
 * Checks a code against the user's sealed secret and, when it matches a step later than the last
 * accepted one, records that step, resets the sign-in's bucket, replaces the session by one that
 * passed the second factor and runs `onSuccess`, all in one transaction. A wrong or replayed
 * code counts as a failed attempt; the session's fifth ends it.
 */
async function checkTotp(ctx: AuthContext, user: UserRow, session: SessionRow, code: unknown, onSuccess: (trx: Trx, at: string) => Promise<void>): Promise<TotpCheck> {
  const now = ctx.now();
  const at = now.toISOString();
  if (user.totp_secret === null) throw new AuthError('invalid-request', 'no second factor enrolled');
  const secret = ctx.secretBox.open(user.totp_secret, totpAad(user.id)).toString('utf8');
  const step = typeof code === 'string' ? verifyTotp(secret, code, now) : null;
  return ctx.transaction(async (trx): Promise<TotpCheck> => {
    const bucket = await bucketOfDeviceId(trx, user, session.device_id);
    if (step !== null) {
      const accepted = await trx
        .updateTable('users')
        .set({ totp_last_step: step })
        .where('id', '=', user.id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      if (accepted.numUpdatedRows > 0n) {
        const rotated = await rotateSession(trx, session, user, now, true);
        const deviceToken = await recordSuccess(ctx, trx, bucket, at);
        await insertLoginEvent(ctx, trx, user.id, emailHash(user.email), 'mfa-success', at);
        await onSuccess(trx, at);
        return { ok: true, rotated, deviceToken };
      }
    }
    await recordFailure(ctx, trx, bucket, 'mfa-failed', now);
    const counted = await trx
      .updateTable('sessions')
      .set((eb) => ({ mfa_failures: eb('mfa_failures', '+', 1) }))
      .where('id', '=', session.id)
      .returning(['mfa_failures'])
      .executeTakeFirst();
    const ended = counted === undefined || counted.mfa_failures >= MAX_MFA_FAILURES_PER_SESSION;
    if (ended) await trx.deleteFrom('sessions').where('id', '=', session.id).execute();
    return { ok: false, sessionEnded: ended };
  });
}

function failed(check: { sessionEnded: boolean }): AuthError {
  return check.sessionEnded ? new AuthError('invalid-credentials', 'too many wrong codes: sign in again') : new AuthError('mfa-invalid');
}

/**
 * Confirms TOTP enrolment with a first code: the second factor is enabled and the session is
 * replaced by one that has passed it.
 *
 * @throws {AuthError} `invalid-credentials` (no valid session, or it ended after too many wrong
 *   codes), `conflict` (already enabled), `invalid-request` (not enrolled), `mfa-invalid`.
 */
export async function confirmTotp(ctx: AuthContext, sessionToken: string, code: string): Promise<SecondFactorResult> {
  const { user, session } = await requireSession(ctx, sessionToken);
  if (user.totp_enabled === 1) throw new AuthError('conflict', 'the second factor is already enabled');
  if (user.totp_secret === null) throw new AuthError('invalid-request', 'enrol a second factor first');
  const result = await checkTotp(ctx, user, session, code, async (trx, at) => {
    // Enable the secret the code was checked against, not one a parallel enrolment put in its place.
    const enabled = await trx.updateTable('users').set({ totp_enabled: 1 }).where('id', '=', user.id).where('totp_secret', '=', user.totp_secret).executeTakeFirst();
    if (enabled.numUpdatedRows === 0n) throw new AuthError('conflict', 'the enrolment changed meanwhile: enrol again');
    const after = { ...user, totp_enabled: 1 };
    await writeAudit(trx, { id: ctx.newId(), actor: user.id, action: 'auth.totp-confirm', objectType: 'user', objectId: user.id, at, before: auditUser(user), after: auditUser(after) });
  });
  if (!result.ok) throw failed(result);
  return { session: presentSession(result.rotated.row, { ...user, totp_enabled: 1 }), token: result.rotated.token, csrfToken: result.rotated.csrfToken, deviceToken: result.deviceToken };
}

/**
 * Verifies the second factor of a signed-in session. A code is accepted once: a code for a step
 * already used by this user (in any session) is refused like a wrong one, and counts as a failed
 * attempt. A session that has already passed is refused (`conflict`): it has nothing to rotate.
 *
 * @throws {AuthError} `invalid-credentials` (no valid session), `invalid-request` (no second
 *   factor enrolled: enrol first), `conflict`, `mfa-invalid`.
 */
export async function verifySecondFactor(ctx: AuthContext, sessionToken: string, code: string): Promise<SecondFactorResult> {
  const { user, session } = await requireSession(ctx, sessionToken);
  if (user.totp_enabled !== 1) throw new AuthError('invalid-request', 'no second factor enrolled');
  if (session.mfa_passed === 1) throw new AuthError('conflict', 'this session has already passed the second factor');
  const result = await checkTotp(ctx, user, session, code, async (trx, at) => {
    await writeAudit(trx, { id: ctx.newId(), actor: user.id, action: 'auth.mfa', objectType: 'user', objectId: user.id, at, before: null, after: null });
  });
  if (!result.ok) throw failed(result);
  return { session: presentSession(result.rotated.row, user), token: result.rotated.token, csrfToken: result.rotated.csrfToken, deviceToken: result.deviceToken };
}
