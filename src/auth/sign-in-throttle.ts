/**
 * @module auth/sign-in-throttle
 * Progressive delays for failed sign-ins instead of a lockout that anyone could trigger (OWASP
 * Authentication Cheat Sheet, "Account lockout"; NIST SP 800-63B §5.2.2 rate limiting).
 *
 * Failures are counted in one of two buckets, chosen by the attempt:
 * - the **device** bucket, when the attempt presents a device cookie that this account earned by a
 *   complete sign-in earlier (OWASP "Slow down online guessing attacks with device cookies"): only
 *   failures from that device count there;
 * - the **account** bucket otherwise: failures from every unknown device together.
 *
 * After {@link FREE_FAILURES} failures in a bucket, each further failure doubles the wait before
 * the bucket hears the next attempt, up to a ceiling ({@link ACCOUNT_MAX_DELAY_MS} for the shared
 * account bucket, so an attacker can delay an unknown device by at most a minute, never lock it
 * out; {@link DEVICE_MAX_DELAY_MS} for a device). An attacker who hammers an account from many
 * addresses fills the account bucket only: the real user's known device signs in as usual. A
 * success resets only its own bucket. Every {@link ALERT_EVERY} failures of an account (in
 * either bucket) raise an alert for the administrators (audit event `auth.failure-burst`, and the
 * context's alert sink: a log line and a metric in the server).
 *
 * Storage: the account bucket is `users.failed_logins` and `users.locked_until` (read as "next
 * attempt not before", no longer a lock); device buckets are rows of `trusted_devices`.
 */
import type { Selectable } from 'kysely';
import type { TrustedDevicesTable } from '../db/index.js';
import { writeAudit } from '../cases/audit.js';
import { emailHash, insertLoginEvent, type LoginOutcome, type Trx, type UserRow } from './account-rows.js';
import type { AuthContext } from './context.js';
import { hashToken, isWellFormedToken, newSessionToken } from './tokens.js';

/** Failures a bucket takes without delay. */
export const FREE_FAILURES = 5;
/** Ceiling of the delay of the shared account bucket (unknown devices). */
export const ACCOUNT_MAX_DELAY_MS = 60 * 1000;
/** Ceiling of the delay of one known device. */
export const DEVICE_MAX_DELAY_MS = 15 * 60 * 1000;
/** An alert every this many failures of one account. */
export const ALERT_EVERY = 20;
/** Wrong second-factor codes a session may send before it ends (sign in again). */
export const MAX_MFA_FAILURES_PER_SESSION = 5;
/** How long a device cookie is honoured. */
export const DEVICE_TTL_MS = 365 * 24 * 60 * 60 * 1000;

type DeviceRow = Selectable<TrustedDevicesTable>;

/** The bucket an attempt is counted in. */
export type Bucket = { kind: 'account'; user: UserRow } | { kind: 'device'; user: UserRow; device: DeviceRow };

/** Milliseconds to wait after the `failures`-th failure of a bucket. */
export function delayAfter(failures: number, maxMs: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(1000 * 2 ** (failures - FREE_FAILURES), maxMs);
}

/** The device bucket of a device cookie, when it belongs to this user and has not expired. */
export async function findDevice(ctx: AuthContext, user: UserRow, deviceToken: string | undefined): Promise<DeviceRow | null> {
  if (typeof deviceToken !== 'string' || !isWellFormedToken(deviceToken)) return null;
  const row = await ctx.db.selectFrom('trusted_devices').selectAll().where('id', '=', hashToken(deviceToken)).where('user_id', '=', user.id).executeTakeFirst();
  if (!row || Date.parse(row.created_at) + DEVICE_TTL_MS <= ctx.now().getTime()) return null;
  return row;
}

export async function bucketFor(ctx: AuthContext, user: UserRow, deviceToken: string | undefined): Promise<Bucket> {
  const device = await findDevice(ctx, user, deviceToken);
  return device ? { kind: 'device', user, device } : { kind: 'account', user };
}

export async function bucketOfDeviceId(trx: Trx, user: UserRow, deviceId: string | null): Promise<Bucket> {
  if (deviceId === null) return { kind: 'account', user };
  const device = await trx.selectFrom('trusted_devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  return device ? { kind: 'device', user, device } : { kind: 'account', user };
}

/** Seconds until the bucket hears an attempt (0: now). */
export function retryAfterSeconds(bucket: Bucket, now: Date): number {
  const next = bucket.kind === 'device' ? bucket.device.next_attempt_at : bucket.user.locked_until;
  if (next === null) return 0;
  const wait = Date.parse(next) - now.getTime();
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

/**
 * A failed password or second factor: count it in its bucket, set the bucket's next attempt time,
 * log the attempt, and alert on a burst (every {@link ALERT_EVERY} failures of the account).
 */
export async function recordFailure(ctx: AuthContext, trx: Trx, bucket: Bucket, outcome: LoginOutcome, now: Date): Promise<void> {
  const at = now.toISOString();
  const user = bucket.user;
  // The account's own counter always counts (for the alert); it sets the delay only for the account bucket.
  const counted = await trx
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', user.id)
    .returning(['failed_logins'])
    .executeTakeFirstOrThrow();
  if (bucket.kind === 'account') {
    const wait = delayAfter(counted.failed_logins, ACCOUNT_MAX_DELAY_MS);
    await trx.updateTable('users').set({ locked_until: wait > 0 ? new Date(now.getTime() + wait).toISOString() : null }).where('id', '=', user.id).execute();
  } else {
    const device = await trx
      .updateTable('trusted_devices')
      .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
      .where('id', '=', bucket.device.id)
      .returning(['failed_logins'])
      .executeTakeFirstOrThrow();
    const wait = delayAfter(device.failed_logins, DEVICE_MAX_DELAY_MS);
    await trx.updateTable('trusted_devices').set({ next_attempt_at: wait > 0 ? new Date(now.getTime() + wait).toISOString() : null }).where('id', '=', bucket.device.id).execute();
  }
  if (counted.failed_logins % ALERT_EVERY === 0) {
    await writeAudit(trx, { id: ctx.newId(), actor: 'system', action: 'auth.failure-burst', objectType: 'user', objectId: user.id, at, before: null, after: null, details: { failedAttempts: counted.failed_logins, authorityId: user.authority_id } });
    ctx.alerts.emit({ kind: 'sign-in-failure-burst', userId: user.id, authorityId: user.authority_id, failedAttempts: counted.failed_logins, at });
  }
  await insertLoginEvent(ctx, trx, user.id, emailHash(user.email), outcome, at);
}

/**
 * A complete sign-in (password and, when required, second factor) through `bucket`: reset that
 * bucket only (a success from a known device says nothing about the attempts from elsewhere),
 * and return a device token for the browser when it has none yet.
 */
export async function recordSuccess(ctx: AuthContext, trx: Trx, bucket: Bucket, at: string): Promise<string | null> {
  if (bucket.kind === 'device') {
    await trx.updateTable('trusted_devices').set({ failed_logins: 0, next_attempt_at: null, last_used_at: at }).where('id', '=', bucket.device.id).execute();
    return null;
  }
  await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', bucket.user.id).execute();
  const token = newSessionToken();
  await trx.insertInto('trusted_devices').values({ id: hashToken(token), user_id: bucket.user.id, created_at: at, last_used_at: at, failed_logins: 0, next_attempt_at: null }).execute();
  return token;
}
