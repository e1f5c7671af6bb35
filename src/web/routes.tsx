/**
 * The workspace's pages. To add a page: write `pages/MyPage.tsx` with a default export, add one
 * entry here (a `nav` entry also puts it in the main navigation, in table order), and add its
 * strings to every i18n/*.json. Pages that pull in heavy libraries (recharts, d3-geo,
 * world-atlas) MUST be `lazy(() => import(…))`: the build fails if such a library lands in the
 * first load (vite.config.ts), and scripts/web-size.mjs keeps the first load under 300 KB gzipped.
 * Small, always-needed pages are imported statically.
 */
import { lazy, type ComponentType } from 'react';
import type { ParseKeys } from 'i18next';
import Cases from './pages/Cases';
import Dashboard from './pages/Dashboard';
import { withQuery } from './lib/route';
import type { Role } from './types';

export interface RouteDef {
  /** Stable name (tests, analytics-free telemetry, links in code). */
  name: string;
  /** Pattern with `:param` segments, matched in table order. */
  path: string;
  component: ComponentType;
  /** i18n key of the navigation label (entries with one appear in the main navigation). */
  nav?: ParseKeys;
  /** Only users with one of these roles see the navigation entry. */
  roles?: readonly Role[];
}

/** Roles that handle cases (an administrator alone administers the node: no case lists for them). */
export const CASE_WORKERS: readonly Role[] = ['drafter', 'reviewer', 'central-authority-officer', '24/7-officer', 'service-provider-agent', 'auditor'];

/** The request wizard, shared by "new request" and "edit a draft" so that saving a new draft (which moves to its edit path) keeps the page. */
const RequestWizard = lazy(() => import('./pages/NewRequest'));

export const ROUTES: readonly RouteDef[] = [
  { name: 'dashboard', path: '/', component: Dashboard, nav: 'nav.dashboard' },
  { name: 'cases', path: '/cases', component: Cases, nav: 'nav.cases', roles: CASE_WORKERS },
  {
    name: 'new-request',
    path: '/requests/new',
    component: RequestWizard,
    nav: 'nav.newRequest',
    roles: ['drafter', 'central-authority-officer', '24/7-officer'],
  },
  { name: 'edit-request', path: '/requests/:id/edit', component: RequestWizard },
  { name: 'case', path: '/cases/:id', component: lazy(() => import('./pages/CasePage')) },
  { name: 'treaties', path: '/treaties', component: lazy(() => import('./pages/TreatyExplorer')), nav: 'nav.treaties' },
  { name: 'party', path: '/treaties/:party', component: lazy(() => import('./pages/PartyProfile')) },
  { name: 'statistics', path: '/statistics', component: lazy(() => import('./pages/Statistics')), nav: 'nav.statistics', roles: CASE_WORKERS },
  { name: 'provider', path: '/provider', component: lazy(() => import('./pages/ProviderInbox')), nav: 'nav.provider', roles: ['service-provider-agent', 'auditor', 'administrator'] },
  { name: 'provider-report', path: '/provider/report', component: lazy(() => import('./pages/ProviderReport')), nav: 'nav.providerReport', roles: ['service-provider-agent', 'auditor', 'administrator'] },
  { name: 'admin', path: '/admin', component: lazy(() => import('./pages/Admin')), nav: 'nav.admin', roles: ['administrator'] },
  { name: 'notifications', path: '/notifications', component: lazy(() => import('./pages/Notifications')) },
  { name: 'notification-settings', path: '/settings/notifications', component: lazy(() => import('./pages/NotificationSettings')) },
  { name: 'orders', path: '/orders', component: lazy(() => import('./pages/Orders')), nav: 'nav.orders', roles: ['drafter', 'reviewer', 'central-authority-officer', '24/7-officer', 'service-provider-agent', 'auditor'] },
  { name: 'new-order', path: '/orders/new', component: lazy(() => import('./pages/NewOrder')) },
  { name: 'order', path: '/orders/:id', component: lazy(() => import('./pages/OrderPage')) },
  { name: 'ledger', path: '/ledger', component: lazy(() => import('./pages/LedgerPage')), nav: 'nav.ledger', roles: ['auditor', 'administrator'] },
];

/** Paths of the routes, for links: `paths.case('c-1')` → "/cases/c-1". */
export const paths = {
  dashboard: () => '/',
  cases: () => '/cases',
  case: (id: string) => `/cases/${encodeURIComponent(id)}`,
  newRequest: () => '/requests/new',
  /** The wizard on a saved draft. */
  editRequest: (id: string) => `/requests/${encodeURIComponent(id)}/edit`,
  /** The treaty explorer, optionally on an instrument and a date (`?instrument=UNCC&date=2026-06-01`). */
  treaties: (view: { instrument?: string; date?: string } = {}) => withQuery('/treaties', { instrument: view.instrument, date: view.date }),
  /** A party's profile (`/treaties/FR?date=…&instrument=…`: the explorer's view to go back to). */
  party: (party: string, view: { instrument?: string; date?: string } = {}) => withQuery(`/treaties/${encodeURIComponent(party)}`, { date: view.date, instrument: view.instrument }),
  statistics: () => '/statistics',
  ledger: () => '/ledger',
  provider: () => '/provider',
  providerReport: () => '/provider/report',
  notifications: () => '/notifications',
  admin: (section?: 'users-title' | 'tokens-title' | 'authorities-title') => (section ? `/admin#${section}` : '/admin'),
  notificationSettings: () => '/settings/notifications',
  /** Regulation (EU) 2023/1543 orders. */
  orders: () => '/orders',
  newOrder: () => '/orders/new',
  order: (id: string) => `/orders/${encodeURIComponent(id)}`,
};
