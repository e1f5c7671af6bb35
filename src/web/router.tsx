/**
 * A tiny history-based router (the server answers index.html for every workspace path).
 * - `useLocation()` → { path, query }; `useNavigate()` → navigate(to, { replace }).
 * - `<Link to="/cases">` renders a real <a href> (middle-click, copy link and screen readers work)
 *   and navigates without reloading on a plain click.
 * - The route table is ./routes.tsx; matching is pure (./lib/route.ts).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';
import { isModifiedClick, matchRoutes, parseLocation, type Location, type Params } from './lib/route';

const NAVIGATE_EVENT = 'comity:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentHref = () => window.location.pathname + window.location.search;

/** Set by a navigation: the next page's title takes the focus (components/PageTitle.tsx). */
let focusRequested = false;

/** True once after each in-app navigation (not on the first page load). */
export function consumeFocusRequest(): boolean {
  const requested = focusRequested;
  focusRequested = false;
  return requested;
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', (event) => {
    // Back from a page with unsaved work: asked first; staying puts the page back in the history.
    if (leaveGuard !== null && currentHref() !== leaveGuard.href) {
      if (!window.confirm(leaveGuard.message)) {
        window.history.pushState(null, '', leaveGuard.href);
        event.stopImmediatePropagation();
        return;
      }
      leaveGuard = null;
    }
    focusRequested = true;
  });
}

export interface NavigateOptions {
  /** Replace the current history entry (filters, redirects) instead of adding one. */
  replace?: boolean;
  /** Leave the focus where it is (pagination, filters: the user stays on the same page). */
  keepFocus?: boolean;
}

/**
 * Issue 16: a page with unsaved work (the request wizard) asks before the user leaves it — by a
 * link or the menu (here), by Back (popstate, below) or by closing or reloading the tab
 * (`beforeunload`, in {@link useLeaveGuard}). Redirects (`replace`) are not asked about.
 */
let leaveGuard: { message: string; href: string } | null = null;

function mayLeave(): boolean {
  return leaveGuard === null || window.confirm(leaveGuard.message);
}

/** While `when`, leaving the page asks `message` first (in-app navigation, Back, reload, close). */
export function useLeaveGuard(when: boolean, message: string): void {
  useEffect(() => {
    if (!when) return;
    const guard = { message, href: currentHref() };
    leaveGuard = guard;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = message;
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      if (leaveGuard === guard) leaveGuard = null;
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [when, message]);
}

/** Navigates within the workspace. `to` is a path with an optional query ("/cases?state=sent"). */
export function navigate(to: string, options: NavigateOptions = {}): void {
  if (to === currentHref()) return;
  if (!options.replace && !mayLeave()) return;
  leaveGuard = options.replace ? leaveGuard : null;
  focusRequested = !options.keepFocus;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current location; re-renders on every navigation. */
export function useLocation(): Location & { href: string } {
  const href = useSyncExternalStore(subscribe, currentHref, () => '/');
  return useMemo(() => ({ ...parseLocation(href), href }), [href]);
}

export function useNavigate(): typeof navigate {
  return navigate;
}

/** Route match of the current location against a table. */
export function useRouteMatch<R extends { path: string }>(routes: readonly R[]): { route: R; params: Params } | null {
  const { path } = useLocation();
  return useMemo(() => matchRoutes(routes, path), [routes, path]);
}

const ParamsContext = createContext<Params>({});

export function ParamsProvider({ params, children }: { params: Params; children: ReactNode }) {
  return <ParamsContext.Provider value={params}>{children}</ParamsContext.Provider>;
}

/** The current route's parameters, e.g. `useParams().id` on /cases/:id. */
export function useParams(): Params {
  return useContext(ParamsContext);
}

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
  replace?: boolean;
  keepFocus?: boolean;
}

export function Link({ to, replace, keepFocus, onClick, children, ...rest }: LinkProps) {
  const handleClick = useCallback(
    (event: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(event);
      if (isModifiedClick(event) || (rest.target && rest.target !== '_self')) return;
      event.preventDefault();
      navigate(to, { replace: !!replace, keepFocus: !!keepFocus });
    },
    [onClick, to, replace, keepFocus, rest.target],
  );
  return (
    <a href={to} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
