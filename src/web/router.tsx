/**
 * A tiny history-based router (the server answers index.html for every workspace path).
 * - `useLocation()` → { path, query }; `useNavigate()` → navigate(to, { replace }).
 * - `<Link to="/cases">` renders a real <a href> (middle-click, copy link and screen readers work)
 *   and navigates without reloading on a plain click.
 * - The route table is ./routes.tsx; matching is pure (./lib/route.ts).
 */
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';
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
  window.addEventListener('popstate', () => {
    focusRequested = true;
  });
}

export interface NavigateOptions {
  /** Replace the current history entry (filters, redirects) instead of adding one. */
  replace?: boolean;
  /** Leave the focus where it is (pagination, filters: the user stays on the same page). */
  keepFocus?: boolean;
}

/** Navigates within the workspace. `to` is a path with an optional query ("/cases?state=sent"). */
export function navigate(to: string, options: NavigateOptions = {}): void {
  if (to === currentHref()) return;
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
