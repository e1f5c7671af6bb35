/**
 * @module http/address-throttle
 * Failed credentials per client address: wrong passwords, wrong second-factor codes and wrong
 * API tokens all count here alike, so that an address cannot guess tokens any faster than
 * passwords. After {@link ADDRESS_FREE_FAILURES} failures within {@link ADDRESS_WINDOW_MS}, each
 * further failure doubles the wait before the address is heard again with a credential, up to
 * {@link ADDRESS_MAX_DELAY_MS}; the count is forgotten a window after the last failure. Kept in
 * memory (per process; bounded to {@link ADDRESS_MAX_ENTRIES} addresses, the oldest forgotten
 * first): a restart or another process starts afresh, which only ever lets through a few more
 * attempts — the account-side delays (`auth/sign-in-throttle.ts`) are in the database.
 */
export const ADDRESS_FREE_FAILURES = 10;
export const ADDRESS_WINDOW_MS = 15 * 60 * 1000;
export const ADDRESS_MAX_DELAY_MS = 15 * 60 * 1000;
export const ADDRESS_MAX_ENTRIES = 100_000;

interface Entry {
  failures: number;
  lastFailure: number;
  nextAttempt: number;
}

export interface AddressThrottle {
  /** Seconds before `address` is heard with a credential again (0: now). */
  retryAfter(address: string, now?: number): number;
  /** Counts a failure; returns the seconds to wait from now on. */
  fail(address: string, now?: number): number;
}

export function createAddressThrottle(options: { freeFailures?: number } = {}): AddressThrottle {
  const free = options.freeFailures ?? ADDRESS_FREE_FAILURES;
  const entries = new Map<string, Entry>();
  const current = (address: string, now: number): Entry | undefined => {
    const entry = entries.get(address);
    if (entry && now - entry.lastFailure > ADDRESS_WINDOW_MS) {
      entries.delete(address);
      return undefined;
    }
    return entry;
  };
  return {
    retryAfter(address, now = Date.now()) {
      const entry = current(address, now);
      return entry && entry.nextAttempt > now ? Math.ceil((entry.nextAttempt - now) / 1000) : 0;
    },
    fail(address, now = Date.now()) {
      const entry = current(address, now) ?? { failures: 0, lastFailure: now, nextAttempt: 0 };
      entry.failures += 1;
      entry.lastFailure = now;
      const wait = entry.failures < free ? 0 : Math.min(1000 * 2 ** (entry.failures - free), ADDRESS_MAX_DELAY_MS);
      entry.nextAttempt = now + wait;
      // Re-insert so that Map order is least recently failed first.
      entries.delete(address);
      entries.set(address, entry);
      if (entries.size > ADDRESS_MAX_ENTRIES) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return Math.ceil(wait / 1000);
    },
  };
}
