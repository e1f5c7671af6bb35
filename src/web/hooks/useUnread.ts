/**
 * The caller's unread notifications count for the header: loaded on every page change, every
 * 30 seconds, and when a page says it changed ({@link notificationsChanged}).
 */
import { useEffect, useState } from 'react';
import { api } from '../api';

const EVENT = 'comity:notifications';

export function notificationsChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

export function useUnread(enabled: boolean, path: string): number | null {
  const [unread, setUnread] = useState<number | null>(null);
  useEffect(() => {
    if (!enabled) return undefined;
    let controller = new AbortController();
    const load = () => {
      controller.abort();
      controller = new AbortController();
      api.me
        .notifications({ unread: true, limit: 1 }, controller.signal)
        .then((r) => setUnread(r.unread))
        .catch(() => undefined);
    };
    load();
    const timer = setInterval(load, 30_000);
    window.addEventListener(EVENT, load);
    return () => {
      controller.abort();
      clearInterval(timer);
      window.removeEventListener(EVENT, load);
    };
  }, [enabled, path]);
  return unread;
}
